//! `/api/embed` decoding: `ollama_proto::embed_decode::decode_embed` against
//! `serde_json::from_slice` into a struct with `embeddings: Vec<Vec<f32>>`, same run.
fn main() {}

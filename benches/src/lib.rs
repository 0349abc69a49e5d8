//! Benchmarks and allocation measurements for `ollama-proto`.
//!
//! - `benches/decode.rs`: decoder throughput (bytes/s and lines/s) against a serde_json
//!   baseline, on generated chat/generate/pull streams and the real recordings.
//! - `benches/embed.rs`: `ollama_proto::embed_decode` against serde_json.
//! - `src/bin/alloc_report.rs` and `tests/allocations.rs`: heap allocations per chunk and
//!   peak heap, with the counting allocator of [`alloc_counter`].
//! - `report.sh`: runs it all and prints one table.
//! - `src/bin/stream_server.rs`, `src/bin/e2e_client.rs` and `e2e.sh`: end to end over
//!   loopback, our transports against a hyper lower bound and ollama-rs ([`e2e`]).

pub mod alloc_counter;
pub mod baseline;
pub mod e2e;
pub mod heap_counter;
pub mod measure;
pub mod ours;
pub mod recordings;
pub mod synth;

//! Fuzz target: see `ollama_proto::fuzzing::embed_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ollama_proto::fuzzing::embed_decode(data));

//! Fuzz target: see `ollama_proto::fuzzing::chunking_invariance`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ollama_proto::fuzzing::chunking_invariance(data));

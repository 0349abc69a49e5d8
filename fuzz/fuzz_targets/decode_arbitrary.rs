//! Fuzz target: see `ollama_proto::fuzzing::decode_arbitrary`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ollama_proto::fuzzing::decode_arbitrary(data));

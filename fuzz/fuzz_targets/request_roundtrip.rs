//! Fuzz target: see `ollama_proto::fuzzing::request_roundtrip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ollama_proto::fuzzing::request_roundtrip(data));

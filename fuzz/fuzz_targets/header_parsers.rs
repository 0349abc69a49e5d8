//! Fuzz target: see `ollama_proto::fuzzing::header_parsers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ollama_proto::fuzzing::header_parsers(data));

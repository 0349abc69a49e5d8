//! Fuzz target: see `ollama_proto::fuzzing::think_splitter`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ollama_proto::fuzzing::think_splitter(data));

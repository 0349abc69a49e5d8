//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the same harness bodies
//! the fuzz targets run, on stable, in every `cargo test`.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use ollama_proto::fuzzing;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus")).join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap();
            (p, data)
        })
        .collect()
}

fn replay(target: &str, harness: fn(&[u8])) {
    let inputs = corpus(target);
    assert!(!inputs.is_empty(), "no corpus for {target}");
    for (path, data) in inputs {
        let result = std::panic::catch_unwind(|| harness(&data));
        assert!(result.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn decode_arbitrary_corpus() {
    replay("decode_arbitrary", fuzzing::decode_arbitrary);
}

#[test]
fn chunking_invariance_corpus() {
    replay("chunking_invariance", fuzzing::chunking_invariance);
}

#[test]
fn think_splitter_corpus() {
    replay("think_splitter", fuzzing::think_splitter);
}

#[test]
fn request_roundtrip_corpus() {
    replay("request_roundtrip", fuzzing::request_roundtrip);
}

#[test]
fn header_parsers_corpus() {
    replay("header_parsers", fuzzing::header_parsers);
}

#[test]
fn embed_decode_corpus() {
    replay("embed_decode", fuzzing::embed_decode);
}

//! Fields from servers after v0.33 (some only in open upstream pull requests): upstream's
//! documented examples as round-trip tables, and values this version does not expect read
//! leniently (never a decode error).

#![allow(clippy::unwrap_used)]

use ollama_proto::types::{EmbedRequest, ListResponse, ModelDetails};
use serde_json::{Value, json};

#[test]
fn embed_normalize_round_trips() {
    // ollama/ollama#17747's example request, and the default (field left out).
    let table = [
        (
            EmbedRequest::new("all-minilm", "why is the sky blue?").normalize(false),
            json!({"model": "all-minilm", "input": "why is the sky blue?", "normalize": false}),
        ),
        (
            EmbedRequest::new("all-minilm", ["a", "b"]).normalize(true),
            json!({"model": "all-minilm", "input": ["a", "b"], "normalize": true}),
        ),
        (
            EmbedRequest::new("all-minilm", "x"),
            json!({"model": "all-minilm", "input": "x"}),
        ),
    ];
    for (request, want) in table {
        assert_eq!(serde_json::to_value(&request).unwrap(), want);
        let back: EmbedRequest = serde_json::from_value(want).unwrap();
        assert_eq!(back, request);
    }
}

#[test]
fn projected_context_length_is_read_leniently() {
    // (details as sent, projected_context_length read)
    let table: [(Value, Option<u64>); 7] = [
        (json!({"projected_context_length": 32768}), Some(32768)),
        (json!({"projected_context_length": 0}), Some(0)),
        (json!({"projected_context_length": null}), None),
        (json!({}), None),
        (json!({"projected_context_length": 4096.5}), None),
        (json!({"projected_context_length": "8192"}), None),
        (json!({"projected_context_length": -1}), None),
    ];
    for (details, want) in table {
        let d: ModelDetails = serde_json::from_value(details.clone()).unwrap();
        assert_eq!(d.projected_context_length, want, "{details}");
    }
    // A whole /api/tags answer with the new field next to the released ones, and fields this
    // version does not know.
    let tags = json!({"models": [{
        "name": "qwen3:8b", "model": "qwen3:8b", "modified_at": "2026-12-01T10:00:00Z",
        "size": 5225388164_u64, "digest": "500a1f067a9f",
        "details": {
            "parent_model": "", "format": "gguf", "family": "qwen3", "families": ["qwen3"],
            "parameter_size": "8.2B", "quantization_level": "Q4_K_M",
            "context_length": 40960, "embedding_length": 4096,
            "projected_context_length": 16384, "future_field": {"x": 1}
        },
        "capabilities": ["completion", "tools", "thinking", "something-new"]
    }]});
    let list: ListResponse = serde_json::from_value(tags).unwrap();
    let details = &list.models[0].details;
    assert_eq!(details.projected_context_length, Some(16384));
    assert_eq!(details.context_length, Some(40960));
    let again = serde_json::to_value(details).unwrap();
    assert_eq!(again["projected_context_length"], 16384);
    let back: ModelDetails = serde_json::from_value(again).unwrap();
    assert_eq!(&back, details);
}

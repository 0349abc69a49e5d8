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

#[test]
fn input_token_counts_are_typed_leniently() {
    use ollama_proto::types::{CountInputTokens, InputTokens, TokenCountApi};
    use ollama_proto::{ClientConfig, Endpoint, RequestConfig, UsageError, build_request};

    let body = json!({"model": "qwen3:8b", "messages": [{"role": "user", "content": "Hello"}]});
    for (api, path) in [
        (TokenCountApi::Messages, "/v1/messages/count_tokens"),
        (
            TokenCountApi::ChatCompletions,
            "/v1/chat/completions/input_tokens",
        ),
        (TokenCountApi::Responses, "/v1/responses/input_tokens"),
    ] {
        let call = CountInputTokens::new(api, body.clone());
        assert_eq!(call.model(), Some("qwen3:8b"));
        let request = build_request(&RequestConfig::default(), &call).unwrap();
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri().path(), path);
        let sent: Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(sent, body);
    }
    for bad in [json!([1]), json!({"messages": []}), json!({"model": ""})] {
        let call = CountInputTokens::new(TokenCountApi::Messages, bad.clone());
        assert!(
            matches!(call.body(), Err(UsageError::InvalidRequest(_))),
            "{bad}"
        );
    }
    // Answers: Anthropic's shape, OpenAI's, and values this version does not expect.
    let table: [(&str, Option<u64>, Option<&str>); 5] = [
        (r#"{"input_tokens":14}"#, Some(14), None),
        (
            r#"{"object":"response.input_tokens","input_tokens":14}"#,
            Some(14),
            Some("response.input_tokens"),
        ),
        (r#"{"input_tokens":"14","extra":{}}"#, None, None),
        (r#"{"input_tokens":null}"#, None, None),
        (r#"{}"#, None, None),
    ];
    let config = ClientConfig::default();
    let call = CountInputTokens::new(TokenCountApi::Messages, body);
    #[allow(clippy::disallowed_methods)] // a test needs an origin instant
    let now = std::time::Instant::now();
    for (answer, tokens, object) in table {
        let got: InputTokens = ollama_proto::exchange::Exchange::answer_of(
            &config,
            &call,
            200,
            answer.as_bytes(),
            now,
        )
        .unwrap();
        assert_eq!(got.input_tokens, tokens, "{answer}");
        assert_eq!(got.object.as_deref(), object, "{answer}");
    }
}

proptest::proptest! {
    /// The message classifiers read any text (any bytes made UTF-8, with the phrases they look
    /// for mixed in) without a panic, and find nothing in text without those phrases.
    #[test]
    fn message_classifiers_never_panic(
        parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::string::string_regex(".{0,12}").unwrap(),
                proptest::sample::select(vec![
                    "usage limit".to_owned(), "reached".to_owned(), "resets ".to_owned(),
                    "reset at ".to_owned(), ".".to_owned(), " was retired".to_owned(),
                    " at ".to_owned(), "é".to_owned(), "(".to_owned(), " on ".to_owned(),
                ]),
            ],
            0..12,
        )
    ) {
        let text: String = parts.concat();
        let quota = ollama_proto::usage_limit::classify(&text);
        let retired = ollama_proto::model_retired::classify(&text);
        if !text.to_lowercase().contains("usage") {
            proptest::prop_assert!(quota.is_none());
        }
        if !text.to_lowercase().contains("retired") {
            proptest::prop_assert!(retired.is_none());
        }
    }
}

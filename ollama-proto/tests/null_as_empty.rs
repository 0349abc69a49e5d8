//! Go encodes a nil slice or map as `null`: every list and map field reads it as empty (issue
//! 10: Ollama's own docs show chat answers with `"images": null`).

#![allow(clippy::unwrap_used)]

use ollama_proto::types::*;

/// `/api/chat` non-streamed, as docs/api.md shows it.
#[test]
fn the_docs_chat_response_with_images_null() {
    let body = r#"{
  "model": "llama3.2",
  "created_at": "2023-12-12T14:13:43.416799Z",
  "message": {
    "role": "assistant",
    "content": "Hello! How are you today?",
    "images": null
  },
  "done": true,
  "total_duration": 5191566416,
  "load_duration": 2154458,
  "prompt_eval_count": 26,
  "prompt_eval_duration": 383809000,
  "eval_count": 298,
  "eval_duration": 4799921000
}"#;
    let r: ChatResponse = serde_json::from_str(body).unwrap();
    assert_eq!(r.message.content, "Hello! How are you today?");
    assert!(r.message.images.is_empty());
    assert!(r.message.tool_calls.is_empty());
    assert_eq!(r.metrics.eval_count, Some(298));
    assert!(r.done);
}

#[test]
fn every_list_and_map_field_accepts_null() {
    let m: Message = serde_json::from_str(
        r#"{"role":"assistant","content":"x","images":null,"tool_calls":null}"#,
    )
    .unwrap();
    assert_eq!(
        (m.content.as_str(), m.images.len(), m.tool_calls.len()),
        ("x", 0, 0)
    );

    let r: ChatResponse = serde_json::from_str(
        r#"{"model":"m","message":{"role":"assistant","content":""},"done":true,"logprobs":null}"#,
    )
    .unwrap();
    assert!(r.logprobs.is_empty());

    let r: GenerateResponse = serde_json::from_str(
        r#"{"model":"m","response":"hi","done":true,"context":null,"tool_calls":null,"logprobs":null}"#,
    )
    .unwrap();
    assert_eq!(r.response, "hi");
    assert!(r.context.is_empty() && r.tool_calls.is_empty() && r.logprobs.is_empty());

    let l: Logprob =
        serde_json::from_str(r#"{"token":"a","logprob":-0.5,"top_logprobs":null}"#).unwrap();
    assert_eq!(
        (l.token.as_str(), l.logprob, l.top_logprobs.len()),
        ("a", -0.5, 0)
    );

    let c: ToolCall =
        serde_json::from_str(r#"{"function":{"name":"f","arguments":null}}"#).unwrap();
    assert_eq!(c.function.name, "f");
    assert!(c.function.arguments.is_empty());

    let e: EmbedResponse = serde_json::from_str(r#"{"model":"m","embeddings":null}"#).unwrap();
    assert!(e.embeddings.is_empty());
    let e: EmbeddingsResponse = serde_json::from_str(r#"{"embedding":null}"#).unwrap();
    assert!(e.embedding.is_empty());

    let l: ListResponse = serde_json::from_str(r#"{"models":null}"#).unwrap();
    assert!(l.models.is_empty());
    let p: ProcessResponse = serde_json::from_str(r#"{"models":null}"#).unwrap();
    assert!(p.models.is_empty());
    let d: ModelDetails = serde_json::from_str(r#"{"families":null}"#).unwrap();
    assert!(d.families.is_empty());

    // Requests, as a Go client (or a proxy re-encoding one) may send them.
    let q: ChatRequest =
        serde_json::from_str(r#"{"model":"m","messages":null,"tools":null}"#).unwrap();
    assert!(q.messages.is_empty() && q.tools.is_empty());
    let q: GenerateRequest =
        serde_json::from_str(r#"{"model":"m","prompt":"p","context":null,"images":null}"#).unwrap();
    assert!(q.context.is_empty() && q.images.is_empty());
    let q: CreateRequest = serde_json::from_str(
        r#"{"model":"m","files":null,"adapters":null,"draft_files":null,"messages":null}"#,
    )
    .unwrap();
    assert!(q.files.is_empty() && q.adapters.is_empty() && q.draft_files.is_empty());
    assert!(q.messages.is_empty());
}

//! Today's cloud answers through a transport: a spent usage quota is its own error after one
//! request while a plain 429 is retried (also as a local server relays them, with the status
//! and headers copied).

use ollama_proto::usage_limit::UsageLimit;

use super::support::*;
use super::*;

/// Spent-quota texts as ollama.com sends them (third-party reports; see `usage_limit`).
const QUOTAS: [(&str, UsageLimit); 3] = [
    (
        "you (ada) have reached your session usage limit, upgrade for higher limits: \
         https://ollama.com/upgrade or add extra usage: https://ollama.com/settings \
         (ref: 5d0fb402-680e-49fb-a261-4de5249a0bda)",
        UsageLimit::Session,
    ),
    (
        "you (ada) have reached your weekly usage limit, upgrade for higher limits: \
         https://ollama.com/upgrade",
        UsageLimit::Weekly,
    ),
    (
        "you've reached your weekly usage limit, please wait or upgrade to continue",
        UsageLimit::Weekly,
    ),
];

fn usage_limit(f: Failure) -> ollama_proto::usage_limit::UsageLimitError {
    match protocol(f) {
        ollama_proto::Error::UsageLimit(e) => e,
        other => panic!("expected a usage limit error, got {other:?}"),
    }
}

/// A 429 whose message says a quota is spent is [`ollama_proto::Error::UsageLimit`] after
/// exactly one request, with retries on: for a single call, a stream, and as relayed by a
/// local server (which copies headers, a `Retry-After` included).
pub fn spent_quota_is_a_usage_limit_after_one_request<T: Transport>(t: &T) {
    let server = TestServer::start();
    // Retry-After up to 30 s is honoured: a wrong retry of the relayed 429 below would wait 20 s.
    let retries = quick_retries(3).max_backoff(Duration::from_secs(30));
    let client = t.client(config_for(&server).retry(retries));
    for (i, (message, limit)) in QUOTAS.iter().enumerate() {
        let sent = server.requests().len();
        server.push_reply(Reply::status_json(429, message).times(2));
        let e = usage_limit(t.version(&client).unwrap_err());
        assert_eq!((&e.limit, e.status.status), (limit, 429), "{message}");
        assert_eq!(e.status.message, *message);
        assert_eq!(server.requests().len(), sent + 1, "{message}: not retried");
        server.clear_replies();

        // The relayed shape, on a stream: the cloud's status and headers, copied.
        server.push_reply(
            Reply::status_json(429, message)
                .retry_after(20)
                .header("x-relay", &i.to_string())
                .times(2),
        );
        let started = Instant::now();
        let e = usage_limit(t.chat_stream(&client, hello(), None).unwrap_err());
        assert!(started.elapsed() < Duration::from_secs(10), "no wait");
        assert_eq!(e.limit, *limit);
        assert_eq!(e.status.retry_after, Some(Duration::from_secs(20)));
        assert_eq!(server.requests().len(), sent + 2, "{message}: not retried");
        server.clear_replies();
    }
    // The connection after a spent quota still serves the next call.
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
}

/// A plain 429 with `Retry-After` is a rate limit: retried after the wait it asks for, on a
/// single call and on a stream.
pub fn plain_429_with_retry_after_is_retried<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(2)));
    server.push_reply(Reply::status_json(429, "rate limit exceeded").retry_after(1));
    let started = Instant::now();
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    assert_eq!(server.requests().len(), 2);

    server.push_reply(Reply::status_json(429, "too many requests").retry_after(0));
    let out = t
        .chat_stream(&client, recorded_chat(GEMMA_HELLO), None)
        .unwrap();
    assert_eq!(out.failure, None);
    assert_eq!(server.requests().len(), 4);

    // Out of retries, a rate limit is still a plain, retryable status.
    server.push_reply(Reply::status_json(429, "rate limit exceeded").times(3));
    let s = status_of(t.version(&client).unwrap_err());
    assert!(s.is_retryable());
    assert_eq!(server.requests().len(), 7);
}

/// Write a file.
#[derive(Debug, serde::Deserialize, ollama_proto::schemars::JsonSchema)]
#[schemars(crate = "ollama_proto::schemars", rename = "write_file")]
struct WriteFile {
    /// Where.
    path: String,
    /// What.
    content: String,
}

/// One streamed chat line with these tool calls (the shape of ollama/ollama#17658).
fn tool_line(calls: serde_json::Value) -> String {
    serde_json::json!({
        "model": "qwen3:8b", "created_at": "2026-12-06T05:00:00Z",
        "message": {"role": "assistant", "content": "", "tool_calls": calls},
        "done": false
    })
    .to_string()
}

/// A call of `write_file`: partial (`delta`) or whole, with or without an id.
fn write_call(id: Option<&str>, delta: Option<&str>, path: &str) -> serde_json::Value {
    let mut call = match delta {
        Some(d) => serde_json::json!({"function": {"index": 0, "name": "write_file",
            "arguments": {}, "arguments_delta": d}}),
        None => serde_json::json!({"function": {"index": 0, "name": "write_file",
            "arguments": {"path": path, "content": "hi"}}}),
    };
    if let Some(id) = id {
        call["id"] = serde_json::json!(id);
    }
    call
}

const TOOL_DONE: &str = r#"{"model":"qwen3:8b","created_at":"2026-12-06T05:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#;

/// A streamed call in three entries: two partial (cumulative text), then the whole call.
fn streamed_call(id: Option<&str>) -> Reply {
    Reply::ndjson([
        tool_line(serde_json::json!([write_call(
            id,
            Some("<parameter=path>\na"),
            ""
        )])),
        tool_line(serde_json::json!([write_call(
            id,
            Some("<parameter=path>\na.txt"),
            ""
        )])),
        tool_line(serde_json::json!([write_call(id, None, "a.txt")])),
        TOOL_DONE.to_owned(),
    ])
}

/// `stream_tool_calls`: the request says so, the stream shows each partial entry (whole text
/// so far, the call's id), then the complete call once; written in small pieces.
pub fn streamed_tool_call_arguments<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    for (id, want_id) in [
        (Some("call_k3x9q2ab"), "call_k3x9q2ab"),
        (None, "call_00000000"),
    ] {
        server.push_reply(streamed_call(id).write_sizes(WriteSizes::Fixed(7)));
        let request = hello().stream_tool_calls(true);
        let out = t.chat_stream(&client, request, None).unwrap();
        assert_eq!(out.failure, None);
        let body = server.requests().last().unwrap().json().unwrap();
        assert_eq!(body["stream_tool_calls"], true);
        let shown: Vec<String> = out
            .events
            .iter()
            .filter_map(|e| match e {
                OwnedEvent::PartialToolCalls(c) => Some(format!(
                    "partial {} {:?}",
                    c[0].id.as_deref().unwrap(),
                    c[0].function.arguments_delta.as_deref().unwrap()
                )),
                OwnedEvent::ToolCalls(c) => Some(format!(
                    "call {} {}",
                    c[0].id.as_deref().unwrap(),
                    serde_json::Value::Object(c[0].function.arguments.clone())
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            shown,
            [
                format!("partial {want_id} \"<parameter=path>\\na\""),
                format!("partial {want_id} \"<parameter=path>\\na.txt\""),
                format!("call {want_id} {{\"path\":\"a.txt\",\"content\":\"hi\"}}"),
            ]
        );
        let merged = merged(&out.events);
        assert_eq!(merged.tool_calls().len(), 1, "each complete call once");
        assert!(merged.partial_tool_calls().is_empty());
    }
}

/// A streamed tool run against a server that sends no ids: the history answers each call with
/// the id synthesised for it, and the partial entries are never sent back.
pub fn streamed_tool_calls_in_a_tool_run<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    server.push_reply(streamed_call(None));
    server.push_reply(Reply::ndjson([
        r#"{"model":"qwen3:8b","created_at":"t","message":{"role":"assistant","content":"Done."},"done":false}"#,
        TOOL_DONE,
    ]));
    let toolbox = Toolbox::new().tool(|w: WriteFile| async move {
        assert_eq!((w.path.as_str(), w.content.as_str()), ("a.txt", "hi"));
        Ok::<_, String>("written")
    });
    let request =
        ChatRequest::new("qwen3:8b", [Message::user("write a.txt")]).stream_tool_calls(true);
    let (run, events) = t.run_tools_streaming(&client, request, toolbox).unwrap();
    assert_eq!(run.content(), "Done.");
    assert_eq!(run.rounds, 1);
    assert_eq!(
        events.iter().filter(|e| e.starts_with("call ")).count(),
        1,
        "{events:?}"
    );
    let bodies: Vec<serde_json::Value> = server
        .requests()
        .iter()
        .map(|r| r.json().unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        bodies[1]["messages"],
        serde_json::json!([
            {"role":"user","content":"write a.txt"},
            {"role":"assistant","content":"","tool_calls":[{"id":"call_00000000","function":
                {"index":0,"name":"write_file","arguments":{"path":"a.txt","content":"hi"}}}]},
            {"role":"tool","content":"written","tool_name":"write_file",
                "tool_call_id":"call_00000000"}
        ])
    );
}

/// The answer a structured call asked for.
#[derive(Debug, serde::Deserialize, ollama_proto::schemars::JsonSchema)]
#[schemars(crate = "ollama_proto::schemars")]
struct Verdict {
    /// Yes or no.
    ok: bool,
}

/// `format` with thinking on, where every token went to reasoning: `chat_structured` says so
/// (with the thinking's length), not a JSON error on an empty string; a non-empty answer still
/// decodes.
pub fn structured_answer_lost_to_thinking_says_so<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let thinking = "The user wants a verdict. Let me weigh it. ".repeat(30);
    let reply = serde_json::json!({
        "model": "qwen3:8b", "created_at": "2026-12-06T05:00:00Z",
        "message": {"role": "assistant", "content": "", "thinking": thinking},
        "done": true, "done_reason": "length", "eval_count": 256
    });
    server.push_reply(Reply::body(200, "application/json", reply.to_string()));
    let request = hello().think(true);
    let Failure::EmptyAnswer(e) = t
        .chat_structured::<Verdict>(&client, request.clone())
        .unwrap_err()
    else {
        panic!("expected an empty-answer error")
    };
    assert_eq!(e.thinking_chars, thinking.chars().count());
    assert_eq!(e.eval_count, Some(256));
    assert_eq!(e.done_reason, Some(ollama_proto::types::DoneReason::Length));
    assert!(server.requests()[0].json().unwrap()["format"].is_object());

    let answered = serde_json::json!({
        "model": "qwen3:8b", "created_at": "2026-12-06T05:00:00Z",
        "message": {"role": "assistant", "content": "{\"ok\": true}", "thinking": "short"},
        "done": true, "done_reason": "stop"
    });
    server.push_reply(Reply::body(200, "application/json", answered.to_string()));
    assert!(t.chat_structured::<Verdict>(&client, request).unwrap().ok);
}

/// A call naming a retired cloud model is [`ollama_proto::Error::ModelRetired`] with the
/// server's whole message (for a stream and a single call, never retried); `normalize` reaches
/// the server as sent.
pub fn retired_model_and_embed_normalize<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(2)));
    let message = "glm-4.7 was retired at 2026-07-15 00:00:00 -0700 PDT (ref: \
                   4ed0811b-2f82-47d0-9a76-7d55520d56e3)";
    for status in [404, 400] {
        server.push_reply(Reply::status_json(status, message));
        let e = match protocol(t.chat_stream(&client, hello(), None).unwrap_err()) {
            ollama_proto::Error::ModelRetired(e) => e,
            other => panic!("expected a retired model, got {other:?}"),
        };
        assert_eq!(e.model.as_deref(), Some("glm-4.7"));
        assert_eq!(
            e.retired_at.as_deref(),
            Some("2026-07-15 00:00:00 -0700 PDT")
        );
        assert_eq!(
            (e.status.status, e.status.message.as_str()),
            (status, message)
        );
    }
    server.push_reply(Reply::status_json(404, message));
    let failure = t.chat(&client, hello()).unwrap_err();
    assert!(matches!(
        protocol(failure),
        ollama_proto::Error::ModelRetired(_)
    ));
    assert_eq!(server.requests().len(), 3);

    let request = EmbedRequest::new("all-minilm", "why is the sky blue?").normalize(false);
    t.embed(&client, request).unwrap();
    let body = server.requests().last().unwrap().json().unwrap();
    assert_eq!(body["normalize"], false);
}

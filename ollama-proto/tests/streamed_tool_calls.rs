//! Streamed tool-call arguments (`stream_tool_calls`, ollama/ollama#17658): partial entries
//! shown as they grow, each complete call once, ids kept or synthesised the same way for every
//! cut of the body; old servers' whole calls unchanged.

#![allow(clippy::unwrap_used)]

mod common;

use common::decode_with;
use ollama_proto::tools::{Next, ToolLoop, ToolResult};
use ollama_proto::types::{ChatRequest, Message, Role, ToolCall};
use ollama_proto::{Accumulator, Decoder, DecoderConfig, OwnedEvent, StreamKind};
use serde_json::json;

/// One chat line with these tool calls.
fn line(calls: serde_json::Value) -> String {
    json!({
        "model": "qwen3:8b",
        "created_at": "2026-12-06T05:00:00Z",
        "message": {"role": "assistant", "content": "", "tool_calls": calls},
        "done": false
    })
    .to_string()
}

fn partial(id: Option<&str>, index: u32, delta: &str) -> serde_json::Value {
    let mut call = json!({"function": {
        "index": index, "name": "write_file", "arguments": {}, "arguments_delta": delta,
    }});
    if let Some(id) = id {
        call["id"] = json!(id);
    }
    call
}

fn whole(id: Option<&str>, index: u32, path: &str) -> serde_json::Value {
    let mut call = json!({"function": {
        "index": index, "name": "write_file", "arguments": {"path": path, "content": "hi"},
    }});
    if let Some(id) = id {
        call["id"] = json!(id);
    }
    call
}

const DONE: &str = r#"{"model":"qwen3:8b","created_at":"2026-12-06T05:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#;

fn body(lines: &[String]) -> Vec<u8> {
    let mut out = String::new();
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(DONE);
    out.push('\n');
    out.into_bytes()
}

/// Two calls, the second one's partial entries interleaved with the first's, as the PR's
/// parser streams them (cumulative `arguments_delta`, empty `arguments`, the same id per index).
fn streamed(with_ids: bool) -> Vec<u8> {
    let (a, b) = if with_ids {
        (Some("call_k3x9q2ab"), Some("call_7mzp0c1d"))
    } else {
        (None, None)
    };
    body(&[
        line(json!([partial(a, 0, "<parameter=path>\na")])),
        line(json!([partial(
            a,
            0,
            "<parameter=path>\na.txt\n</parameter>"
        )])),
        line(json!([
            whole(a, 0, "a.txt"),
            partial(b, 1, "<parameter=path>\nb")
        ])),
        line(json!([partial(b, 1, "<parameter=path>\nb.txt")])),
        line(json!([whole(b, 1, "b.txt")])),
    ])
}

/// What a caller sees: each event's tool calls as (kind, id, index, delta or arguments).
fn shown(events: &[OwnedEvent]) -> Vec<String> {
    let mut out = Vec::new();
    for e in events {
        let (kind, calls) = match e {
            OwnedEvent::PartialToolCalls(c) => ("partial", c),
            OwnedEvent::ToolCalls(c) => ("call", c),
            _ => continue,
        };
        for c in calls {
            let what = match &c.function.arguments_delta {
                Some(d) => d.clone(),
                None => serde_json::to_string(&c.function.arguments).unwrap(),
            };
            out.push(format!(
                "{kind} {} {} {what:?}",
                c.id.as_deref().unwrap_or("-"),
                c.function.index.unwrap()
            ));
        }
    }
    out
}

fn merged(events: Vec<OwnedEvent>) -> Accumulator {
    let mut acc = Accumulator::default();
    events.into_iter().for_each(|e| acc.push_owned(e));
    acc
}

fn decode(body: &[u8], sizes: &[usize]) -> Vec<OwnedEvent> {
    let d = Decoder::new(StreamKind::Chat, DecoderConfig::default());
    let (events, error) = decode_with(d, body, sizes);
    assert_eq!(error, None);
    events
}

#[test]
fn partial_calls_grow_then_each_call_completes_once_at_every_split_point() {
    for (with_ids, a, b) in [
        (true, "call_k3x9q2ab", "call_7mzp0c1d"),
        // No ids from the server: synthesised, the partial and the complete entry alike.
        (false, "call_00000000", "call_00000001"),
    ] {
        let body = streamed(with_ids);
        let want = vec![
            format!("partial {a} 0 \"<parameter=path>\\na\""),
            format!("partial {a} 0 \"<parameter=path>\\na.txt\\n</parameter>\""),
            format!("call {a} 0 \"{{\\\"path\\\":\\\"a.txt\\\",\\\"content\\\":\\\"hi\\\"}}\""),
            format!("partial {b} 1 \"<parameter=path>\\nb\""),
            format!("partial {b} 1 \"<parameter=path>\\nb.txt\""),
            format!("call {b} 1 \"{{\\\"path\\\":\\\"b.txt\\\",\\\"content\\\":\\\"hi\\\"}}\""),
        ];
        // Every split point into two pieces, and byte by byte.
        let mut cuts: Vec<Vec<usize>> = (1..body.len()).map(|i| vec![i, body.len()]).collect();
        cuts.push(vec![1]);
        for sizes in cuts {
            let events = decode(&body, &sizes);
            assert_eq!(shown(&events), want, "ids {with_ids}, cut {sizes:?}");
            let acc = merged(events);
            let calls = acc.tool_calls();
            assert_eq!(calls.len(), 2, "each complete call once");
            assert_eq!(calls[0].id.as_deref(), Some(a));
            assert_eq!(calls[1].id.as_deref(), Some(b));
            assert!(calls.iter().all(|c| !c.is_partial()));
            assert!(acc.partial_tool_calls().is_empty());
            let response = acc.into_chat_response();
            assert_eq!(response.message.tool_calls.len(), 2);
        }
    }
}

#[test]
fn the_accumulator_shows_the_latest_partial_entry_until_the_call_completes() {
    let body = streamed(true);
    let events = decode(&body, &[usize::MAX]);
    let mut acc = Accumulator::default();
    let mut seen = Vec::new();
    for e in events {
        acc.push_owned(e);
        let p: Vec<_> = acc
            .partial_tool_calls()
            .iter()
            .map(|c| c.function.arguments_delta.clone().unwrap())
            .collect();
        if seen.last() != Some(&p) {
            seen.push(p);
        }
    }
    assert_eq!(
        seen,
        [
            vec!["<parameter=path>\na".to_owned()],
            vec!["<parameter=path>\na.txt\n</parameter>".to_owned()],
            vec![], // the first call completed, before the second one's first entry
            vec!["<parameter=path>\nb".to_owned()],
            vec!["<parameter=path>\nb.txt".to_owned()],
            vec![],
        ]
    );
}

#[test]
fn old_servers_whole_calls_work_and_get_ids_when_they_have_none() {
    // A server before v0.12.10: whole calls, no id, no index.
    let old = body(&[
        r#"{"model":"m","created_at":"t","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"x":1}}},{"function":{"name":"g","arguments":{}}}]},"done":false}"#.to_owned(),
        r#"{"model":"m","created_at":"t","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"x":2}}}]},"done":false}"#.to_owned(),
    ]);
    for sizes in [vec![usize::MAX], vec![1], vec![7, 3]] {
        let events = decode(&old, &sizes);
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, OwnedEvent::PartialToolCalls(_)))
        );
        let calls = merged(events).tool_calls().to_vec();
        let ids: Vec<_> = calls.iter().map(|c| c.id.clone().unwrap()).collect();
        assert_eq!(ids, ["call_00000000", "call_00000001", "call_00000002"]);
        assert_eq!(calls[2].function.arguments["x"], 2);
    }
    // A current server's ids are kept as sent.
    let current = body(&[line(json!([whole(Some("call_abc"), 0, "x")]))]);
    let calls = merged(decode(&current, &[5])).tool_calls().to_vec();
    assert_eq!(calls[0].id.as_deref(), Some("call_abc"));
}

#[test]
fn a_non_streamed_answer_has_ids_too() {
    // `stream: false`: one object, read through the same decoder.
    let one = r#"{"model":"m","created_at":"t","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":true,"done_reason":"stop"}"#;
    let config = ollama_proto::ClientConfig::default();
    let call = ChatRequest::new("m", [Message::user("hi")]);
    #[allow(clippy::disallowed_methods)] // a test needs an origin instant
    let now = std::time::Instant::now();
    let response =
        ollama_proto::exchange::Exchange::answer_of(&config, &call, 200, one.as_bytes(), now)
            .unwrap();
    assert_eq!(
        response.message.tool_calls[0].id.as_deref(),
        Some("call_00000000")
    );
}

#[test]
fn history_answers_each_call_with_its_id() {
    // The tool loop sends the assistant's calls and one result per call with the matching id,
    // also when the server sent none (the ids were synthesised by the decoder).
    let body = streamed(false);
    let reply = merged(decode(&body, &[13])).into_chat_response();
    let mut run = ToolLoop::new(ChatRequest::new("qwen3:8b", [Message::user("go")]), []);
    let Next::RunTools(calls) = run.on_reply(reply).unwrap() else {
        panic!("expected tool calls")
    };
    let results = calls
        .iter()
        .map(|c: &ToolCall| ToolResult::new(c, Ok("ok".to_owned())))
        .collect();
    run.on_results(results).unwrap();
    let sent = &run.request().messages;
    let assistant = sent.iter().find(|m| m.role == Role::Assistant).unwrap();
    let call_ids: Vec<_> = assistant
        .tool_calls
        .iter()
        .map(|c| c.id.clone().unwrap())
        .collect();
    let result_ids: Vec<_> = sent
        .iter()
        .filter(|m| m.role == Role::Tool)
        .map(|m| m.tool_call_id.clone().unwrap())
        .collect();
    assert_eq!(call_ids, ["call_00000000", "call_00000001"]);
    assert_eq!(result_ids, call_ids);
    // No partial entry or delta is re-sent.
    let json = serde_json::to_string(&run.request()).unwrap();
    assert!(!json.contains("arguments_delta"), "{json}");
}

#[test]
fn tool_call_entries_round_trip_and_unknown_fields_are_ignored() {
    // (as sent, as re-serialised): a partial entry, a final entry, an entry with fields and
    // values this version does not know.
    let table = [
        (
            r#"{"id":"call_k3x9q2ab","function":{"index":0,"name":"write_file","arguments":{},"arguments_delta":"<parameter=path>\na"}}"#,
            r#"{"id":"call_k3x9q2ab","function":{"index":0,"name":"write_file","arguments":{},"arguments_delta":"<parameter=path>\na"}}"#,
        ),
        (
            r#"{"id":"call_k3x9q2ab","function":{"index":0,"name":"write_file","arguments":{"path":"a.txt"}}}"#,
            r#"{"id":"call_k3x9q2ab","function":{"index":0,"name":"write_file","arguments":{"path":"a.txt"}}}"#,
        ),
        (
            r#"{"type":"function","id":"c","future":[1],"function":{"name":"f","arguments":null,"arguments_delta":"","strict":true}}"#,
            r#"{"id":"c","function":{"name":"f","arguments":{},"arguments_delta":""}}"#,
        ),
        // A delta that is not a string: kept as its JSON text; `null`: no delta.
        (
            r#"{"id":"c","function":{"name":"f","arguments":{},"arguments_delta":{"path":"a"}}}"#,
            r#"{"id":"c","function":{"name":"f","arguments":{},"arguments_delta":"{\"path\":\"a\"}"}}"#,
        ),
        (
            r#"{"id":"c","function":{"name":"f","arguments":{"x":1},"arguments_delta":null}}"#,
            r#"{"id":"c","function":{"name":"f","arguments":{"x":1}}}"#,
        ),
    ];
    for (sent, want) in table {
        let call: ToolCall = serde_json::from_str(sent).unwrap();
        assert_eq!(serde_json::to_string(&call).unwrap(), want);
        let again: ToolCall = serde_json::from_str(want).unwrap();
        assert_eq!(again, call);
    }
    let partial: ToolCall = serde_json::from_str(table[0].0).unwrap();
    assert!(partial.is_partial());
    let whole: ToolCall = serde_json::from_str(table[1].0).unwrap();
    assert!(!whole.is_partial());
}

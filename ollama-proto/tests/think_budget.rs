//! `think_budget` and `think_budget_tokens` on final objects (upstream PR 17566): decoded from
//! streams at every split point and from whole bodies, as sent, never failing a line.
#![allow(clippy::unwrap_used)]

use ollama_proto::types::{ChatResponse, GenerateResponse, Think, ThinkLevel};
use ollama_proto::{Accumulator, Decoder, DecoderConfig, StreamKind};
use serde_json::json;

const CHAT: &str = concat!(
    r#"{"model":"qwen3","message":{"role":"assistant","content":"","thinking":"Hm."},"done":false}"#,
    "\n",
    r#"{"model":"qwen3","message":{"role":"assistant","content":"4"},"done":true,"done_reason":"stop","think_budget":"high","think_budget_tokens":2048}"#,
    "\n"
);

fn merged(kind: StreamKind, body: &[u8], split: usize) -> Accumulator {
    let mut decoder = Decoder::new(kind, DecoderConfig::default());
    let mut acc = Accumulator::default();
    for piece in [&body[..split], &body[split..]] {
        decoder.feed(piece).unwrap();
        while let Some(event) = decoder.poll_event() {
            acc.push(&event.unwrap());
        }
    }
    decoder.finish();
    while let Some(event) = decoder.poll_event() {
        acc.push(&event.unwrap());
    }
    acc
}

#[test]
fn chat_stream_carries_the_budget_at_every_split() {
    for split in 0..=CHAT.len() {
        let answer = merged(StreamKind::Chat, CHAT.as_bytes(), split).into_chat_response();
        assert_eq!(
            answer.think_budget,
            Some(Think::Level(ThinkLevel::High)),
            "{split}"
        );
        assert_eq!(answer.think_budget_tokens, Some(2048), "{split}");
        assert_eq!(answer.message.content, "4");
    }
}

#[test]
fn every_budget_shape_decodes() {
    let table = [
        (
            json!(1024),
            Some(Think::Budget(1024)),
            json!(1024),
            Some(1024),
        ),
        (
            json!("xhigh"),
            Some(Think::Level(ThinkLevel::XHigh)),
            json!(3276),
            Some(3276),
        ),
        (
            json!("future"),
            Some(Think::Level(ThinkLevel::Other("future".into()))),
            json!(null),
            None,
        ),
        (json!(null), None, json!("not a count"), None),
        (
            json!({"x": 1}),
            Some(Think::Other(json!({"x": 1}))),
            json!(-3),
            None,
        ),
    ];
    for (budget, want, tokens, want_tokens) in table {
        let line = json!({"response": "", "done": true, "think_budget": budget, "think_budget_tokens": tokens});
        let body = format!("{line}\n");
        let answer = merged(StreamKind::Generate, body.as_bytes(), 0).into_generate_response();
        assert_eq!(answer.think_budget, want, "{line}");
        assert_eq!(answer.think_budget_tokens, want_tokens, "{line}");
    }
}

#[test]
fn whole_bodies_round_trip() {
    let body = json!({"model": "gpt-oss", "message": {"role": "assistant", "content": "Hi"},
        "done": true, "think_budget": 512, "think_budget_tokens": 512});
    let answer: ChatResponse = serde_json::from_value(body).unwrap();
    assert_eq!(answer.think_budget, Some(Think::Budget(512)));
    assert_eq!(
        serde_json::to_value(&answer).unwrap()["think_budget"],
        json!(512)
    );
    let without: GenerateResponse =
        serde_json::from_value(json!({"response": "x", "done": true})).unwrap();
    assert_eq!(
        (&without.think_budget, without.think_budget_tokens),
        (&None, None)
    );
    assert!(
        !serde_json::to_string(&without)
            .unwrap()
            .contains("think_budget")
    );
}

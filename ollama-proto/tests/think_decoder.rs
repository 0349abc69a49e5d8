//! Thinking separation through the whole decoder (bytes in, events out), on the recordings:
//! the "done means" cases at every chunk size.

#![allow(clippy::unwrap_used)]

mod common;

use common::{decode_with, recordings_dir};
use ollama_proto::think::{ThinkConfig, ThinkMode, ThinkPolicy};
use ollama_proto::{Decoder, DecoderConfig, OwnedEvent, StreamKind};
use serde_json::Value;

const CHUNKS: [usize; 8] = [1, 2, 3, 5, 7, 64, 4096, usize::MAX];

fn read(name: &str) -> Vec<u8> {
    std::fs::read(recordings_dir().join(name)).unwrap()
}

fn texts(events: &[OwnedEvent]) -> (String, String) {
    let (mut t, mut c) = (String::new(), String::new());
    for e in events {
        match e {
            OwnedEvent::Thinking(s) => t.push_str(s),
            OwnedEvent::Content(s) => c.push_str(s),
            _ => {}
        }
    }
    (t, c)
}

/// The raw `response`/`content` text of a recording, computed with serde_json.
fn raw_text(kind: StreamKind, body: &[u8]) -> (String, String) {
    let (mut thinking, mut text) = (String::new(), String::new());
    for line in body.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_slice(line).unwrap();
        let (t, c) = match kind {
            StreamKind::Chat => (&v["message"]["thinking"], &v["message"]["content"]),
            _ => (&v["thinking"], &v["response"]),
        };
        thinking.push_str(t.as_str().unwrap_or(""));
        text.push_str(c.as_str().unwrap_or(""));
    }
    (thinking, text)
}

fn config(mode: ThinkMode, policy: ThinkPolicy) -> DecoderConfig {
    DecoderConfig::default().think(ThinkConfig::new(mode, policy))
}

#[test]
fn deepseek_r1_generate_reasoning_apart_nothing_lost() {
    for name in [
        "atg-raw-generate-stream-deepseek-r1-14b-think-tags.ndjson",
        "atg-generate-stream-deepseek-r1-8b-think-tags.ndjson",
        "atg-raw-generate-stream-qwen3-1.7b-think-tags.ndjson",
        "atg-generate-stream-qwen3-8b-think-tags.ndjson",
        "atg-raw-generate-nonstream-deepseek-r1-14b-think-tags.json",
    ] {
        let body = read(name);
        let (_, raw) = raw_text(StreamKind::Generate, &body);
        // Independent expectation: the text between the tags (leading whitespace eaten after
        // <think>), and the answer after </think> (leading whitespace eaten).
        let lead = raw.len() - raw.trim_start().len();
        let after_open = raw[lead..].strip_prefix("<think>").expect(name);
        let close = after_open.find("</think>").expect(name);
        let want_thinking = after_open[..close].trim_start();
        let want_answer = after_open[close + "</think>".len()..].trim_start();
        assert!(
            !want_thinking.is_empty() && !want_answer.is_empty(),
            "{name}"
        );
        for chunk in CHUNKS {
            let d = Decoder::new(StreamKind::Generate, DecoderConfig::default());
            let (events, err) = decode_with(d, &body, &[chunk]);
            assert_eq!(err, None, "{name}");
            let (thinking, answer) = texts(&events);
            assert_eq!(thinking, want_thinking, "{name} chunk {chunk}");
            assert_eq!(answer, want_answer, "{name} chunk {chunk}");
            assert!(!answer.contains("<think>") && !answer.contains("</think>"));
            // Nothing lost: the parts and the eaten whitespace rebuild the raw text.
            let eaten = raw.len() - lead - "<think>".len() - "</think>".len();
            assert_eq!(
                thinking.len() + answer.len() + (eaten - want_thinking.len() - want_answer.len()),
                eaten,
                "{name}"
            );
        }
    }
}

#[test]
fn hide_yields_the_answer_alone_for_every_gpt_oss_recording() {
    let mut checked = 0;
    for entry in std::fs::read_dir(recordings_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.contains("gptoss") || name.ends_with(".request.json") || name.starts_with("v1-") {
            continue;
        }
        let kind = if name.contains("-chat-") {
            StreamKind::Chat
        } else {
            StreamKind::Generate
        };
        let body = read(&name);
        let (raw_thinking, raw_answer) = raw_text(kind, &body);
        // Every gpt-oss recording but the tool-result turn carries reasoning.
        assert_eq!(
            raw_thinking.is_empty(),
            name.contains("toolresult"),
            "{name}"
        );
        for chunk in CHUNKS {
            let d = Decoder::new(kind, config(ThinkMode::Auto, ThinkPolicy::Hide));
            let (events, err) = decode_with(d, &body, &[chunk]);
            assert_eq!(err, None, "{name}");
            assert!(
                !events.iter().any(|e| matches!(e, OwnedEvent::Thinking(_))),
                "{name}"
            );
            assert_eq!(texts(&events).1, raw_answer, "{name} chunk {chunk}");
            // Separate keeps both, untouched.
            let d = Decoder::new(kind, DecoderConfig::default());
            let (events, _) = decode_with(d, &body, &[chunk]);
            assert_eq!(
                texts(&events),
                (raw_thinking.clone(), raw_answer.clone()),
                "{name}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} gpt-oss recordings");
}

#[test]
fn think_tags_inside_chat_content_are_split() {
    let body = read("prism-chat-qwen3-think-tags-in-content.ndjson");
    let (_, raw) = raw_text(StreamKind::Chat, &body);
    assert!(raw.starts_with("<think>"));
    for chunk in CHUNKS {
        let d = Decoder::new(StreamKind::Chat, DecoderConfig::default());
        let (events, err) = decode_with(d, &body, &[chunk]);
        assert_eq!(err, None);
        let (thinking, answer) = texts(&events);
        let close = raw.find("</think>").unwrap();
        assert_eq!(thinking, raw["<think>".len()..close].trim_start());
        assert_eq!(answer, raw[close + "</think>".len()..].trim_start());
        // Raw leaves it untouched.
        let d = Decoder::new(StreamKind::Chat, config(ThinkMode::Auto, ThinkPolicy::Raw));
        assert_eq!(texts(&decode_with(d, &body, &[chunk]).0).1, raw);
    }
}

#[test]
fn harmony_markup_in_a_raw_generate_stream() {
    // gpt-oss with raw:true returns its channels inline; a tool call becomes a ToolCalls event.
    let deltas = [
        "<|channel|>analysis<|message|>Need weather.",
        "<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|mess",
        "age|>{\"city\":\"Paris\"}<|call|>",
    ];
    let mut body = String::new();
    for (i, d) in deltas.iter().enumerate() {
        let line = serde_json::json!({"response": d, "done": i + 1 == deltas.len()});
        body.push_str(&line.to_string());
        body.push('\n');
    }
    for chunk in CHUNKS {
        let d = Decoder::new(StreamKind::Generate, DecoderConfig::default());
        let (events, err) = decode_with(d, body.as_bytes(), &[chunk]);
        assert_eq!(err, None);
        assert_eq!(texts(&events), ("Need weather.".to_owned(), String::new()));
        let calls: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                OwnedEvent::ToolCalls(c) => Some(c.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].function.name, "get_weather");
        assert_eq!(calls[0].function.arguments["city"], "Paris");
    }
}

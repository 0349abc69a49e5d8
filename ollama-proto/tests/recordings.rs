//! Every native recording decoded at many chunk sizes, checked field by field against values
//! computed independently from the same bytes with `serde_json::Value`.

#![allow(clippy::unwrap_used)]

mod common;

use common::{decode_with, recordings, status_through_exchange};
use ollama_proto::think::{ThinkConfig, ThinkMode, ThinkPolicy};
use ollama_proto::{Decoder, DecoderConfig, Error, OwnedEvent, StreamKind};
use serde_json::Value;

const CHUNKS: [usize; 7] = [1, 2, 3, 7, 64, 4096, usize::MAX];

/// What the test expects, computed without the decoder.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    objects: usize,
    content: String,
    thinking: String,
    tool_calls: Vec<String>,
    done: bool,
    done_reason: Option<String>,
    eval_count: Option<u64>,
    prompt_eval_count: Option<u64>,
    total_duration: Option<u64>,
    context_len: Option<usize>,
    statuses: Vec<String>,
}

fn expected(kind: StreamKind, body: &[u8]) -> Expected {
    let mut e = Expected::default();
    for line in body.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v: Value = serde_json::from_slice(line).unwrap();
        e.objects += 1;
        let (text, thinking, calls) = match kind {
            StreamKind::Chat => (
                &v["message"]["content"],
                &v["message"]["thinking"],
                &v["message"]["tool_calls"],
            ),
            _ => (&v["response"], &v["thinking"], &v["tool_calls"]),
        };
        e.content.push_str(text.as_str().unwrap_or(""));
        e.thinking.push_str(thinking.as_str().unwrap_or(""));
        for call in calls.as_array().into_iter().flatten() {
            e.tool_calls.push(format!(
                "{}({})",
                call["function"]["name"].as_str().unwrap(),
                call["function"]["arguments"]
            ));
        }
        if let Some(s) = v["status"].as_str() {
            e.statuses.push(s.to_owned());
        }
        if v["done"] == Value::Bool(true) || v["status"] == "success" {
            e.done = true;
            e.done_reason = v["done_reason"].as_str().map(str::to_owned);
            e.eval_count = v["eval_count"].as_u64();
            e.prompt_eval_count = v["prompt_eval_count"].as_u64();
            e.total_duration = v["total_duration"].as_u64();
            e.context_len = v["context"].as_array().map(Vec::len);
        }
    }
    e
}

fn actual(events: &[OwnedEvent]) -> Expected {
    let mut a = Expected::default();
    for ev in events {
        match ev {
            OwnedEvent::Content(s) => a.content.push_str(s),
            OwnedEvent::Thinking(s) => a.thinking.push_str(s),
            OwnedEvent::ToolCalls(calls) => {
                for c in calls {
                    let args = serde_json::to_string(&c.function.arguments).unwrap();
                    a.tool_calls.push(format!("{}({args})", c.function.name));
                }
            }
            OwnedEvent::Progress(p) => a.statuses.push(p.status.clone()),
            OwnedEvent::Done(c) => {
                a.done = true;
                a.done_reason = c.done_reason.as_ref().map(|r| r.as_str().to_owned());
                a.eval_count = c.metrics.eval_count;
                a.prompt_eval_count = c.metrics.prompt_eval_count;
                a.total_duration = c
                    .metrics
                    .total_duration
                    .map(|d| u64::try_from(d.as_nanos()).unwrap());
                a.context_len = c.context.as_ref().map(Vec::len);
            }
            _ => {}
        }
    }
    a
}

/// Untouched text: this test checks framing and fields; thinking separation has its own tests.
fn raw_config() -> DecoderConfig {
    DecoderConfig::default().think(ThinkConfig::new(ThinkMode::Auto, ThinkPolicy::Raw))
}

#[test]
fn every_stream_recording_decodes_exactly_at_every_chunk_size() {
    let mut checked = 0;
    for rec in recordings() {
        let Some(kind) = rec.kind else { continue };
        if rec.status != 200 {
            continue;
        }
        let want = expected(kind, &rec.body);
        assert!(want.done, "{}: recording has a terminal object", rec.name);
        let mut first: Option<Vec<OwnedEvent>> = None;
        for chunk in CHUNKS {
            let d = Decoder::new(kind, raw_config());
            let (events, err) = decode_with(d, &rec.body, &[chunk]);
            assert_eq!(err, None, "{} chunk {chunk}", rec.name);
            let mut got = actual(&events);
            got.objects = want.objects;
            assert_eq!(got, want, "{} chunk {chunk}", rec.name);
            // The event sequence itself is identical for every chunking.
            match &first {
                None => first = Some(events),
                Some(f) => assert_eq!(&events, f, "{} chunk {chunk}", rec.name),
            }
        }
        checked += 1;
    }
    assert!(checked >= 45, "only {checked} stream recordings checked");
}

#[test]
fn error_recordings_are_status_errors_with_the_server_message() {
    for rec in recordings().into_iter().filter(|r| r.status != 200) {
        let v: Value = serde_json::from_slice(&rec.body).unwrap();
        let message = v["error"].as_str().unwrap();
        for chunk in CHUNKS {
            let (events, err) = status_through_exchange(rec.status, &rec.body, &[chunk]);
            assert!(events.is_empty());
            match err {
                Some(Error::Status(s)) => {
                    assert_eq!(s.status, 400);
                    assert!(s.message.contains(message), "{}: {}", rec.name, s.message);
                }
                other => panic!("{}: {other:?}", rec.name),
            }
        }
    }
}

#[test]
fn every_line_is_one_object() {
    // The decoder's view of line count equals the recordings' non-empty line count.
    for rec in recordings() {
        let Some(kind) = rec.kind else { continue };
        if rec.status != 200 {
            continue;
        }
        let want = expected(kind, &rec.body).objects;
        let mut d = Decoder::new(kind, raw_config());
        d.feed(&rec.body).unwrap();
        d.finish();
        while let Some(ev) = d.poll_event() {
            ev.unwrap();
        }
        let lines = rec
            .body
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(lines, want, "{}", rec.name);
    }
}

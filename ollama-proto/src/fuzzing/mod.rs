//! Fuzz harness bodies. **Not part of the stable interface**: enabled by the private
//! `__fuzzing` feature for `fuzz/` targets and for the test that replays the committed corpus.
//!
//! Each harness takes arbitrary bytes, never panics on its own account, and asserts invariants
//! (a failed assertion is a bug the fuzzer found).
#![allow(clippy::unwrap_used, missing_docs)]

use crate::decoder::{Decoder, DecoderConfig, DecoderState, StreamKind};
use crate::error::Error;
use crate::event::OwnedEvent;
use crate::think::{ThinkConfig, ThinkMode, ThinkPolicy};

/// Small line limit so the fuzzer reaches the over-long-line path.
const FUZZ_LINE_LIMIT: usize = 4096;

/// Splits the fuzz input into a control header and the body.
fn header(data: &[u8]) -> (u8, u8, &[u8]) {
    match data {
        [a, b, rest @ ..] => (*a, *b, rest),
        [a] => (*a, 0, &[]),
        [] => (0, 0, &[]),
    }
}

fn kind_of(b: u8) -> StreamKind {
    match b % 3 {
        0 => StreamKind::Chat,
        1 => StreamKind::Generate,
        _ => StreamKind::Progress,
    }
}

fn think_of(b: u8) -> ThinkConfig {
    let mode = match (b / 3) % 3 {
        0 => ThinkMode::Auto,
        1 => ThinkMode::Server,
        _ => ThinkMode::Harmony,
    };
    let policy = match (b / 9) % 3 {
        0 => ThinkPolicy::Separate,
        1 => ThinkPolicy::Hide,
        _ => ThinkPolicy::Raw,
    };
    ThinkConfig::new(mode, policy)
}

fn config(b: u8) -> DecoderConfig {
    let mut c = DecoderConfig::default().think(think_of(b));
    c.max_line_len = FUZZ_LINE_LIMIT;
    c
}

/// Feeds `body` in pieces of `sizes` (cycled), draining after each, and returns the events and
/// the (single) error. Asserts the decoder's invariants on the way.
pub fn run(mut d: Decoder, body: &[u8], sizes: &[usize]) -> (Vec<OwnedEvent>, Option<Error>) {
    let mut events = Vec::new();
    let mut error: Option<Error> = None;
    let mut rest = body;
    let mut i = 0;
    let mut finished = false;
    while !finished {
        if rest.is_empty() {
            d.finish();
            finished = true;
        } else {
            let n = sizes
                .get(i % sizes.len().max(1))
                .copied()
                .unwrap_or(usize::MAX);
            let n = n.clamp(1, rest.len());
            i += 1;
            d.feed(&rest[..n]).unwrap();
            rest = &rest[n..];
        }
        while let Some(ev) = d.poll_event() {
            match ev {
                Ok(ev) => {
                    assert!(error.is_none(), "event after an error");
                    assert!(
                        !matches!(events.last(), Some(OwnedEvent::Done(_))),
                        "event after Done"
                    );
                    events.push(ev.into_owned());
                }
                Err(e) => {
                    assert!(error.is_none(), "second error {e} after {error:?}");
                    assert_eq!(d.state(), DecoderState::Failed);
                    assert_eq!(
                        d.error(),
                        Some(&e),
                        "error() agrees with the reported error"
                    );
                    error = Some(e);
                }
            }
        }
    }
    // Sticky: nothing more comes out, whatever happens.
    assert!(d.poll_event().is_none());
    assert!(
        d.feed(b"{}\n").is_err(),
        "feed after finish is a usage error"
    );
    match (&error, d.state()) {
        (Some(_), s) => assert_eq!(s, DecoderState::Failed),
        (None, s) => {
            assert_eq!(s, DecoderState::Done, "finished without error means done");
            assert!(matches!(events.last(), Some(OwnedEvent::Done(_))));
        }
    }
    (events, error)
}

/// Decoder on arbitrary bytes: never panics, invariants hold, memory stays bounded.
pub fn decode_arbitrary(data: &[u8]) {
    let (a, b, body) = header(data);
    let sizes = [usize::from(a) + 1, usize::from(b) * 31 + 1];
    let d = Decoder::new(kind_of(a), config(b));
    let (events, _) = run(d, body, &sizes);
    let text: usize = events
        .iter()
        .map(|e| match e {
            OwnedEvent::Content(s) | OwnedEvent::Thinking(s) => s.len(),
            _ => 0,
        })
        .sum();
    // Decoded text can never exceed the input (escapes only shrink it).
    assert!(text <= body.len());
}

/// Arbitrary bytes cut at arbitrary points decode exactly like the one-shot decode.
pub fn chunking_invariance(data: &[u8]) {
    let (a, b, body) = header(data);
    let mk = || Decoder::new(kind_of(a), config(b));
    let one_shot = run(mk(), body, &[usize::MAX]);
    let cuts: Vec<usize> = data
        .iter()
        .take(16)
        .map(|&x| usize::from(x % 64) + 1)
        .collect();
    assert_eq!(
        run(mk(), body, &cuts),
        one_shot,
        "chunking changed the result"
    );
    assert_eq!(
        run(mk(), body, &[1]),
        one_shot,
        "1-byte feeds changed the result"
    );
}

pub mod think_reference;

mod parsers;
pub use parsers::{embed_decode, header_parsers};

/// The streaming splitter, fed arbitrary text cut at arbitrary points, agrees with the
/// whole-string reference in every mode and policy.
pub fn think_splitter(data: &[u8]) {
    use crate::think::{TagPair, ThinkMode};
    use think_reference::{apply_policy, ref_auto, ref_harmony, ref_prefilled, ref_tags, run};

    let (a, b, body) = header(data);
    let text = String::from_utf8_lossy(body);
    let policy = match b % 3 {
        0 => ThinkPolicy::Separate,
        1 => ThinkPolicy::Hide,
        _ => ThinkPolicy::Raw,
    };
    let (mode, reference): (ThinkMode, fn(&str) -> think_reference::Split) = match a % 4 {
        0 => (ThinkMode::Tags(TagPair::default()), ref_tags),
        1 => (
            ThinkMode::Tags(TagPair::default().prefilled(true)),
            ref_prefilled,
        ),
        2 => (ThinkMode::Harmony, ref_harmony),
        _ => (ThinkMode::Auto, ref_auto),
    };
    // Cut points from the input bytes themselves, moved onto character boundaries.
    let mut deltas = Vec::new();
    let mut from = 0;
    for &step in body.iter().take(32) {
        let mut to = (from + usize::from(step % 13) + 1).min(text.len());
        while !text.is_char_boundary(to) {
            to += 1;
        }
        deltas.push(text[from..to].to_owned());
        from = to;
        if from == text.len() {
            break;
        }
    }
    deltas.push(text[from..].to_owned());
    let want = apply_policy(policy, &text, reference(&text));
    assert_eq!(
        run(ThinkConfig::new(mode, policy), &deltas),
        want,
        "{deltas:?}"
    );
}

/// Any request the deserializer accepts serializes and deserializes back to an equal value
/// (floats compared to the last few bits: serde_json's default float parser may be off by an
/// ulp, which is serde_json's precision, not information our types lose).
pub fn request_roundtrip(data: &[u8]) {
    use crate::types::{
        ChatRequest, CopyRequest, CreateRequest, DeleteRequest, EmbedRequest, EmbeddingsRequest,
        GenerateRequest, PullRequest, PushRequest, ShowRequest, WebFetchRequest, WebSearchRequest,
    };
    let (a, _, body) = header(data);
    match a % 12 {
        0 => roundtrip::<ChatRequest>(body),
        1 => roundtrip::<GenerateRequest>(body),
        2 => roundtrip::<EmbedRequest>(body),
        3 => roundtrip::<EmbeddingsRequest>(body),
        4 => roundtrip::<ShowRequest>(body),
        5 => roundtrip::<CreateRequest>(body),
        6 => roundtrip::<PullRequest>(body),
        7 => roundtrip::<PushRequest>(body),
        8 => roundtrip::<CopyRequest>(body),
        9 => roundtrip::<DeleteRequest>(body),
        10 => roundtrip::<WebSearchRequest>(body),
        _ => roundtrip::<WebFetchRequest>(body),
    }
}

fn roundtrip<T>(body: &[u8])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let Ok(first) = serde_json::from_slice::<T>(body) else {
        return;
    };
    let json = serde_json::to_vec(&first).expect("a parsed request serializes");
    let second: T = serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "our own JSON does not parse back: {e}: {}",
            String::from_utf8_lossy(&json)
        )
    });
    if first != second {
        let (a, b) = (
            serde_json::to_value(&first).expect("serializes"),
            serde_json::to_value(&second).expect("serializes"),
        );
        assert!(
            approx_eq(&a, &b),
            "round trip changed the request:\n{first:?}\n{second:?}"
        );
    }
}

fn approx_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => {
                x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
            }
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| approx_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && approx_eq(vx, vy))
        }
        _ => a == b,
    }
}

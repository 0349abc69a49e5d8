//! The central property: for any chunking of the body, the decoder produces exactly the events
//! (and the error) of a one-shot decode. Checked on every recording at every single split
//! point, and with proptest on random chunkings of recordings and generated streams.

#![allow(clippy::unwrap_used)]

mod common;

use common::{decode_recording, decode_with, recordings};
use ollama_proto::{Decoder, DecoderConfig, StreamKind};
use proptest::prelude::*;
use serde_json::json;

fn decoder(kind: StreamKind) -> Decoder {
    Decoder::new(kind, DecoderConfig::default())
}

#[test]
fn every_split_point_of_every_recording() {
    for rec in recordings() {
        let Some(kind) = rec.kind else { continue };
        let one_shot = decode_recording(&rec, kind, DecoderConfig::default(), &[usize::MAX]);
        // Two pieces, cut at every byte.
        for cut in 1..rec.body.len() {
            let got = decode_recording(&rec, kind, DecoderConfig::default(), &[cut, usize::MAX]);
            assert_eq!(got, one_shot, "{} cut at {cut}", rec.name);
        }
    }
}

/// Streams built from arbitrary text: escapes, multi-byte characters, think tags, CRLF.
fn generated_stream() -> impl Strategy<Value = (StreamKind, Vec<u8>)> {
    let piece = prop_oneof![
        "[a-z ]{0,8}",
        Just("<think>".to_owned()),
        Just("</think>".to_owned()),
        Just("</thi".to_owned()),
        Just("\n".to_owned()),
        Just("\"\\".to_owned()),
        Just("é漢🦀".to_owned()),
        Just("<|channel|>analysis<|message|>".to_owned()),
    ];
    let delta = prop::collection::vec(piece, 0..4).prop_map(|v| v.concat());
    (
        prop::bool::ANY,
        prop::collection::vec((delta.clone(), delta), 1..12),
        prop::bool::ANY,
    )
        .prop_map(|(chat, deltas, crlf)| {
            let kind = if chat { StreamKind::Chat } else { StreamKind::Generate };
            let mut body = Vec::new();
            let n = deltas.len();
            for (i, (thinking, text)) in deltas.into_iter().enumerate() {
                let done = i + 1 == n;
                let mut v = if chat {
                    json!({"model":"m","message":{"role":"assistant","content":text,"thinking":thinking},"done":done})
                } else {
                    json!({"model":"m","response":text,"thinking":thinking,"done":done})
                };
                if done {
                    v["done_reason"] = json!("stop");
                    v["eval_count"] = json!(i);
                }
                body.extend_from_slice(serde_json::to_string(&v).unwrap().as_bytes());
                body.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            }
            (kind, body)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_chunkings_of_recordings(
        index in 0usize..1000,
        sizes in prop::collection::vec(1usize..300, 1..20),
    ) {
        let recs: Vec<_> = recordings().into_iter().filter(|r| r.kind.is_some()).collect();
        let rec = &recs[index % recs.len()];
        let kind = rec.kind.unwrap_or(StreamKind::Chat);
        let config = DecoderConfig::default;
        let one_shot = decode_recording(rec, kind, config(), &[usize::MAX]);
        prop_assert_eq!(decode_recording(rec, kind, config(), &sizes), one_shot);
    }

    #[test]
    fn random_chunkings_of_generated_streams(
        (kind, body) in generated_stream(),
        sizes in prop::collection::vec(1usize..40, 1..20),
        truncate in prop::option::of(0usize..2000),
    ) {
        // Also cut the body short at a random point: truncation must be reported identically.
        let body = match truncate {
            Some(t) => &body[..t.min(body.len())],
            None => &body[..],
        };
        let one_shot = decode_with(decoder(kind), body, &[usize::MAX]);
        prop_assert_eq!(decode_with(decoder(kind), body, &sizes), one_shot);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_chunking_does_not_matter(
        body in prop::collection::vec(any::<u8>(), 0..400),
        sizes in prop::collection::vec(1usize..50, 1..10),
    ) {
        for kind in [StreamKind::Chat, StreamKind::Generate, StreamKind::Progress] {
            let one_shot = decode_with(decoder(kind), &body, &[usize::MAX]);
            prop_assert_eq!(decode_with(decoder(kind), &body, &sizes), one_shot);
        }
    }
}

//! Unit tables for the decoder: every error case, sticky failure, every chunking.

use super::*;
use crate::accumulate::Accumulator;
use crate::error::ErrorKind;

/// Decodes `body` fed in `chunk`-byte pieces; returns the merged events and the error, if any.
fn run(kind: StreamKind, body: &[u8], chunk: usize) -> (Accumulator, Option<Error>) {
    run_with(Decoder::new(kind, DecoderConfig::default()), body, chunk)
}

fn run_with(mut d: Decoder, body: &[u8], chunk: usize) -> (Accumulator, Option<Error>) {
    let mut acc = Accumulator::default();
    let mut err = None;
    let drain = |d: &mut Decoder, acc: &mut Accumulator, err: &mut Option<Error>| {
        while let Some(ev) = d.poll_event() {
            match ev {
                Ok(ev) => acc.push(&ev),
                Err(e) => {
                    assert!(err.is_none(), "a second error was reported: {e}");
                    *err = Some(e);
                }
            }
        }
    };
    for piece in body.chunks(chunk.max(1)) {
        d.feed(piece).unwrap();
        drain(&mut d, &mut acc, &mut err);
    }
    d.finish();
    drain(&mut d, &mut acc, &mut err);
    (acc, err)
}

fn at(line: u64, offset: u64) -> Position {
    Position { line, offset }
}

const CHUNKS: [usize; 7] = [1, 2, 3, 7, 64, 4096, usize::MAX];

#[test]
fn plain_chat_stream_in_every_chunking() {
    let body = b"{\"message\":{\"role\":\"assistant\",\"content\":\"Hi \\u00e9\"},\"done\":false}\r\n\
\r\n\
{\"message\":{\"role\":\"assistant\",\"content\":\"!\"},\"done\":true,\"done_reason\":\"length\",\"eval_count\":3}";
    for chunk in CHUNKS {
        let (acc, err) = run(StreamKind::Chat, body, chunk);
        assert_eq!(err, None, "chunk {chunk}");
        assert_eq!(acc.content(), "Hi é!");
        let c = acc.completion().unwrap();
        assert_eq!(c.done_reason, Some(DoneReason::Length));
        assert_eq!(c.metrics.eval_count, Some(3));
    }
}

#[test]
fn progress_stream_ends_at_success() {
    let body = b"{\"status\":\"pulling manifest\"}\n\
{\"status\":\"pulling aa\",\"digest\":\"sha256:aa\",\"total\":10,\"completed\":5}\n\
{\"status\":\"success\"}\n";
    let mut d = Decoder::new(StreamKind::Progress, DecoderConfig::default());
    d.feed(body).unwrap();
    d.finish();
    let mut seen = Vec::new();
    while let Some(ev) = d.poll_event() {
        seen.push(ev.unwrap().into_owned());
    }
    assert_eq!(seen.len(), 4);
    match &seen[1] {
        crate::OwnedEvent::Progress(p) => {
            assert_eq!(p.digest.as_deref(), Some("sha256:aa"));
            assert_eq!(p.fraction(), Some(0.5));
        }
        other => panic!("unexpected {other:?}"),
    }
    match &seen[3] {
        crate::OwnedEvent::Done(c) => assert_eq!(c.status.as_deref(), Some("success")),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(d.state(), DecoderState::Done);
}

#[test]
fn error_table() {
    let line1 = "{\"message\":{\"content\":\"a\"},\"done\":false}\n";
    let off2 = line1.len() as u64;
    let cases: Vec<(String, StreamKind, Error)> = vec![
        (
            format!("{line1}{{\"error\":\"an error was encountered while running the model\"}}\n"),
            StreamKind::Chat,
            Error::Server {
                message: "an error was encountered while running the model".into(),
                signin_url: None,
                at: at(2, off2),
            },
        ),
        (
            format!(
                "{line1}{{\"error\":\"unauthorized\",\"signin_url\":\"https://ollama.com/connect?x\"}}"
            ),
            StreamKind::Chat,
            Error::Server {
                message: "unauthorized".into(),
                signin_url: Some("https://ollama.com/connect?x".into()),
                at: at(2, off2),
            },
        ),
        (
            line1.repeat(3),
            StreamKind::Chat,
            Error::Truncated {
                lines: 3,
                bytes: 3 * off2,
            },
        ),
        (
            String::new(),
            StreamKind::Generate,
            Error::Truncated { lines: 0, bytes: 0 },
        ),
        (
            "{\"status\":\"pulling manifest\"}\n".into(),
            StreamKind::Progress,
            Error::Truncated {
                lines: 1,
                bytes: 30,
            },
        ),
        (
            format!("{line1}{{\"done\":true}}\n{line1}"),
            StreamKind::Chat,
            Error::TrailingData {
                at: at(3, off2 + 14),
            },
        ),
        (
            format!("{line1}{{\"done\":tru}}\n"),
            StreamKind::Chat,
            Error::Json {
                at: at(2, off2 + 11),
                excerpt: "{\"done\":tru}".into(),
                source: crate::error::JsonError {
                    message: "expected ident".into(),
                },
            },
        ),
        (
            format!("{line1}{{\"done\":\"yes\"}}\n"),
            StreamKind::Chat,
            Error::Json {
                at: at(2, off2 + 12),
                excerpt: "{\"done\":\"yes\"}".into(),
                source: crate::error::JsonError {
                    message: "invalid type: string \"yes\", expected a boolean".into(),
                },
            },
        ),
        (
            format!("{line1}data: {{}}\n"),
            StreamKind::Chat,
            Error::Json {
                at: at(2, off2),
                excerpt: "data: {}".into(),
                source: crate::error::JsonError {
                    message: "expected value".into(),
                },
            },
        ),
    ];
    for (body, kind, want) in cases {
        for chunk in CHUNKS {
            let (_, err) = run(kind, body.as_bytes(), chunk);
            assert_eq!(err.as_ref(), Some(&want), "{body:?} chunk {chunk}");
        }
    }
}

#[test]
fn invalid_utf8_is_its_own_error() {
    let mut body = b"{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"response\":\"ab".to_vec();
    let bad = body.len() as u64;
    body.extend_from_slice(b"\xff\xfe\"}\n");
    for chunk in CHUNKS {
        let (acc, err) = run(StreamKind::Generate, &body, chunk);
        assert_eq!(acc.content(), "a");
        assert_eq!(err, Some(Error::Utf8 { at: at(2, bad) }), "chunk {chunk}");
    }
}

#[test]
fn line_too_long_keeps_memory_bounded() {
    let cfg = DecoderConfig::default().max_line_len(1024);
    let mut d = Decoder::new(StreamKind::Chat, cfg);
    d.feed(b"{\"message\":{\"content\":\"ok\"}}\n").unwrap();
    let mut got = Vec::new();
    // An endless line: 10 MB in 1 KiB pieces never grows the buffer past the limit.
    let piece = [b'a'; 1024];
    d.feed(b"{\"message\":{\"content\":\"").unwrap();
    for _ in 0..10_000 {
        d.feed(&piece).unwrap();
        while let Some(ev) = d.poll_event() {
            got.push(ev.map(|e| e.into_owned()));
        }
        assert!(d.framer.buffer().len() <= 2 * 1024);
    }
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], Ok(crate::OwnedEvent::Content("ok".into())));
    assert_eq!(
        got[1],
        Err(Error::LineTooLong {
            at: at(2, 29),
            limit: 1024
        })
    );
    assert_eq!(d.state(), DecoderState::Failed);
}

#[test]
fn errors_are_sticky_and_reported_once() {
    let mut d = Decoder::new(StreamKind::Chat, DecoderConfig::default());
    d.feed(b"{\"error\":\"boom\"}\n").unwrap();
    assert!(matches!(d.poll_event(), Some(Err(Error::Server { .. }))));
    assert!(d.poll_event().is_none());
    // Later good data changes nothing.
    d.feed(b"{\"message\":{\"content\":\"late\"},\"done\":true}\n")
        .unwrap();
    assert!(d.poll_event().is_none());
    d.finish();
    assert!(d.poll_event().is_none());
    assert_eq!(d.state(), DecoderState::Failed);
    assert_eq!(d.error().map(Error::kind), Some(ErrorKind::Server));
}

#[test]
fn misuse_is_a_usage_error_not_a_server_error() {
    let mut d = Decoder::new(StreamKind::Chat, DecoderConfig::default());
    d.finish();
    d.finish();
    assert_eq!(d.feed(b"{}"), Err(UsageError::FeedAfterFinish));
}

#[test]
fn single_object_body_without_newline() {
    let body = br#"{"model":"gemma3:1b","created_at":"2025-01-01T00:00:00Z","response":"Hi","done":true,"done_reason":"stop","context":[1,2],"total_duration":5}"#;
    for chunk in CHUNKS {
        let (acc, err) = run(StreamKind::Generate, body, chunk);
        assert_eq!(err, None);
        assert_eq!(acc.content(), "Hi");
        let c = acc.completion().unwrap();
        assert_eq!(c.context.as_deref(), Some(&[1, 2][..]));
        assert_eq!(c.model, "gemma3:1b");
        assert_eq!(
            c.metrics.total_duration,
            Some(std::time::Duration::from_nanos(5))
        );
    }
}

#[test]
fn body_cut_mid_line_is_truncated_not_json() {
    let body = b"{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"message\":{\"cont";
    for chunk in CHUNKS {
        let (acc, err) = run(StreamKind::Chat, body, chunk);
        assert_eq!(acc.content(), "a");
        assert_eq!(
            err,
            Some(Error::Truncated {
                lines: 1,
                bytes: body.len() as u64
            })
        );
    }
    // A complete but broken last line stays a JSON error.
    let (_, err) = run(StreamKind::Chat, b"{\"done\":tru}", 1);
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Json));
}

#[test]
fn whitespace_after_done_is_fine() {
    let (acc, err) = run(StreamKind::Chat, b"{\"done\":true}\n\n  \r\n", 1);
    assert_eq!(err, None);
    assert!(acc.is_done());
}

#[test]
fn repeated_keys_keep_the_last_value_in_streams_and_single_bodies() {
    // Issue 10: the reused buffers appended (`WRONGright`).
    let stream = b"{\"message\":{\"role\":\"assistant\",\"content\":\"WRONG\",\"content\":\"right\",\"thinking\":\"no\",\"thinking\":\"yes\"},\"done\":false}\n\
{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"length\",\"done_reason\":\"stop\",\"eval_count\":1,\"eval_count\":7}\n";
    for chunk in CHUNKS {
        let (acc, err) = run(StreamKind::Chat, stream, chunk);
        assert_eq!(err, None, "chunk {chunk}");
        assert_eq!((acc.content(), acc.thinking()), ("right", "yes"));
        let c = acc.completion().unwrap();
        assert_eq!(c.done_reason, Some(DoneReason::Stop));
        assert_eq!(c.metrics.eval_count, Some(7));
    }
    let body = br#"{"model":"m","message":{"role":"assistant","content":"WRONG","content":"right","tool_calls":[{"function":{"name":"a","arguments":{}}}],"tool_calls":[{"function":{"name":"b","arguments":{}}}]},"done":true,"done_reason":"length","done_reason":"stop","eval_duration":5,"eval_duration":9}"#;
    let (acc, err) = run(StreamKind::Chat, body, body.len());
    assert_eq!(err, None);
    let r = acc.into_chat_response();
    assert_eq!(r.message.content, "right");
    let names: Vec<_> = r
        .message
        .tool_calls
        .iter()
        .map(|c| c.function.name.as_str())
        .collect();
    assert_eq!(names, ["b"]);
    assert_eq!(r.done_reason, Some(DoneReason::Stop));
    assert_eq!(
        r.metrics.eval_duration,
        Some(std::time::Duration::from_nanos(9))
    );
    let progress = b"{\"status\":\"pulling\",\"status\":\"verifying\",\"total\":1,\"total\":10,\"completed\":2,\"completed\":5}\n{\"status\":\"success\"}\n";
    let mut d = Decoder::new(StreamKind::Progress, DecoderConfig::default());
    d.feed(progress).unwrap();
    d.finish();
    match d.poll_event() {
        Some(Ok(Event::Progress(p))) => {
            assert_eq!(
                (p.status, p.total, p.completed),
                ("verifying", Some(10), Some(5))
            );
        }
        other => panic!("{other:?}"),
    }
}

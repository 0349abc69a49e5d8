//! Errors: status bodies, server lines, truncation, broken connections.

use super::support::*;
use super::*;

/// HTTP error replies with JSON, text, HTML and empty bodies, each with the status, message
/// and body kind the core must classify it as.
pub fn status_error_cases() -> Vec<(Reply, u16, &'static str, BodyKind)> {
    vec![
        (
            Reply::status_json(400, "invalid model name"),
            400,
            "invalid model name",
            BodyKind::Json,
        ),
        (
            Reply::status_text(404, "404 page not found"),
            404,
            "404 page not found",
            BodyKind::Text,
        ),
        (
            Reply::status_html(
                502,
                "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            ),
            502,
            "502 Bad Gateway",
            BodyKind::Html,
        ),
        (Reply::status_empty(403), 403, "", BodyKind::Empty),
    ]
}

/// Status errors with JSON, text, HTML and empty bodies: the exact `StatusError`, from a call
/// and from a streaming call alike.
pub fn status_errors_are_classified<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let cases = status_error_cases();
    for (reply, status, message, body) in cases {
        for streaming in [false, true] {
            server.push_reply(reply.clone());
            let failure = if streaming {
                t.chat_stream(&client, hello(), None).unwrap_err()
            } else {
                t.chat(&client, hello()).unwrap_err()
            };
            let s = status_of(failure);
            assert_eq!(
                (
                    s.status,
                    s.message.as_str(),
                    s.signin_url.as_deref(),
                    s.body
                ),
                (status, message, None, body),
                "streaming: {streaming}"
            );
        }
    }
}

/// 401 with `signin_url`: `Unauthorized`, keeping the URL.
pub fn unauthorized_carries_signin_url<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let url = "https://ollama.com/connect?name=host&key=abc";
    server.push_reply(Reply::status_json_signin(401, "unauthorized", url));
    match protocol(t.version(&client).unwrap_err()) {
        ollama_proto::Error::Unauthorized(s) => {
            assert_eq!(
                (s.status, s.message.as_str(), s.signin_url.as_deref()),
                (401, "unauthorized", Some(url))
            );
        }
        other => panic!("{other:?}"),
    }
}

/// `{"error":…}` after three lines: `Error::Server` with the message and the line number,
/// after the events of those lines.
pub fn error_line_mid_stream<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let rec = Recording::load(GEMMA_HELLO);
    server.push_reply(Reply::from_recording(&rec).error_line_after(3, "model runner crashed"));
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    let first3: Vec<u8> = rec.lines()[..3].concat();
    match protocol(failure) {
        ollama_proto::Error::Server {
            message,
            signin_url,
            at,
        } => {
            assert_eq!(message, "model runner crashed");
            assert_eq!(signin_url, None);
            assert_eq!((at.line, at.offset), (4, first3.len() as u64));
        }
        other => panic!("{other:?}"),
    }
    let want = reference_events(StreamKind::Chat, &first3, DecoderConfig::default());
    assert_eq!(texts(&events), texts(&want));
}

/// A body that ends cleanly after five lines, with no `done`: `Truncated` with exact counts.
pub fn clean_close_before_done_is_truncated<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let rec = Recording::load(GEMMA_HELLO);
    server.push_reply(
        Reply::from_recording(&rec)
            .close_after_lines(5)
            .write_sizes(random_writes(13)),
    );
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    let bytes: usize = rec.lines()[..5].iter().map(|l| l.len()).sum();
    assert_eq!(
        protocol(failure),
        ollama_proto::Error::Truncated {
            lines: 5,
            bytes: bytes as u64
        }
    );
}

/// The socket closes (FIN) in the middle of a chunk: `Io` (the framing promised more).
pub fn abort_mid_chunk_is_io<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    server.push_reply(Reply::recording(GEMMA_HELLO).abort_after_bytes(300));
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(failure, Failure::Io(_)), "{failure:?}");
}

/// The socket is reset (RST) mid-body: `Io`.
pub fn reset_mid_body_is_io<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    server.push_reply(Reply::recording(GEMMA_HELLO).reset_after_bytes(500));
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(failure, Failure::Io(_)), "{failure:?}");
}

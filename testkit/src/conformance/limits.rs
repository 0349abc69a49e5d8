//! Limits.

use super::support::*;
use super::*;

/// A line that never ends with a 1 KiB limit: `LineTooLong` at line 1.
pub fn endless_line_is_line_too_long<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).max_line_len(1024));
    server.push_reply(Reply::endless_line(1 << 20));
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(events.is_empty());
    match protocol(failure) {
        ollama_proto::Error::LineTooLong { at, limit } => {
            assert_eq!((at.line, at.offset, limit), (1, 0, 1024));
        }
        other => panic!("{other:?}"),
    }
}

/// A single body over `max_body` is refused, not buffered, and named a body limit.
pub fn body_over_max_body_is_refused<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).max_body(8));
    match protocol(t.version(&client).unwrap_err()) {
        ollama_proto::Error::BodyTooLarge { limit } => assert_eq!(limit, 8),
        other => panic!("{other:?}"),
    }
}

/// A whole non-streamed answer is bounded by `max_body` and named a body limit, never an
/// over-long line; within `max_body` the line limit does not apply to it.
pub fn whole_answer_over_max_body_is_a_body_limit<T: Transport>(t: &T) {
    let server = TestServer::start();
    let name = "prism-chat-nonstream-gptoss-thinking.json";
    let rec = Recording::load(name);
    assert!(rec.body.len() > 64);
    let client = t.client(config_for(&server).max_body(64).max_line_len(16));
    server.push_reply(Reply::from_recording(&rec));
    match protocol(t.chat(&client, recorded_chat(name)).unwrap_err()) {
        ollama_proto::Error::BodyTooLarge { limit } => assert_eq!(limit, 64),
        other => panic!("{other:?}"),
    }
    let client = t.client(
        config_for(&server)
            .max_body(rec.body.len())
            .max_line_len(16),
    );
    server.push_reply(Reply::from_recording(&rec));
    let got = t.chat(&client, recorded_chat(name)).unwrap();
    let want = recorded_answer(&ChatRequest::new("m", []), &rec.body);
    assert_eq!(got, want);
}

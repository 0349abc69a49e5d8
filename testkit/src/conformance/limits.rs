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

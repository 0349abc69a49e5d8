//! Status routing and the end of an answer: what the core's exchange decides, held to on every
//! transport.

use super::support::*;
use super::*;

/// A reply with another status (the body constructors pick their own).
fn with_status(reply: Reply, status: u16) -> Reply {
    reply.with_status(status)
}

/// 204, 304 and 3xx heads on a stream or a single call are status errors: never an empty
/// "truncated" stream, never a redirect page returned as the answer.
pub fn non_answer_statuses_are_status_errors<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    for status in [204, 302, 304, 307] {
        let reply = if matches!(status, 204 | 304) {
            Reply::status_empty(status)
        } else {
            Reply::status_html(status, "<html><title>Moved</title></html>")
                .header("location", "http://elsewhere.invalid/api/chat")
        };
        server.push_reply(reply.clone());
        let s = status_of(t.chat_stream(&client, hello(), None).unwrap_err());
        assert_eq!(s.status, status, "stream");
        server.push_reply(reply);
        let s = status_of(t.chat(&client, hello()).unwrap_err());
        assert_eq!(s.status, status, "single");
    }
}

/// An error body that never ends is read up to `max_error_body`, then the status is reported
/// with what was read (no timeout is set: it must not hang).
pub fn endless_error_body_is_cut_at_the_limit<T: Transport>(t: &T) {
    let server = TestServer::start();
    let mut config = config_for(&server);
    config.decoder.max_error_body = 4096;
    let client = t.client(config);
    server.push_reply(with_status(Reply::endless_line(256 << 20), 500).times(2));
    let started = Instant::now();
    let s = status_of(t.chat_stream(&client, hello(), None).unwrap_err());
    assert_eq!(s.status, 500);
    let s = status_of(t.version(&client).unwrap_err());
    assert_eq!(s.status, 500);
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// An error body that stalls or resets still reports its status and what arrived, not a
/// timeout or an IO error.
pub fn stalled_or_reset_error_body_reports_the_status<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).idle_timeout(Duration::from_millis(300)));
    let stalled = Reply::ndjson([r#"{"error":"model is busy"}"#]);
    server.push_reply(with_status(stalled, 500).stall_after_lines(0, Duration::from_secs(30)));
    let s = status_of(t.chat_stream(&client, hello(), None).unwrap_err());
    assert_eq!(s.status, 500);
    let reset = Reply::status_text(502, &"upstream failed ".repeat(64)).reset_after_bytes(40);
    server.push_reply(reset);
    let s = status_of(t.version(&client).unwrap_err());
    assert_eq!(s.status, 502);
    assert!(s.message.starts_with("upstream failed"), "{}", s.message);
}

/// With no timeout at all, a stalled error body ends after the core's stall bound.
pub fn stalled_error_body_without_timeouts_does_not_hang<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let stalled = Reply::ndjson([r#"{"error":"overloaded"}"#]);
    server.push_reply(with_status(stalled, 500).stall_after_lines(0, Duration::from_secs(60)));
    let started = Instant::now();
    let s = status_of(t.version(&client).unwrap_err());
    assert_eq!(s.status, 500);
    let took = started.elapsed();
    let bound = ollama_proto::exchange::ERROR_BODY_STALL;
    assert!(took >= bound - Duration::from_millis(100), "{took:?}");
    assert!(took < bound + Duration::from_secs(5), "{took:?}");
}

/// Once the final object arrived, the stream ends at once, whatever the body does next: more
/// bytes, a stall with no timeout set, or a reset.
pub fn the_answer_ends_at_the_final_object<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let done = r#"{"model":"m","message":{"role":"assistant","content":"!"},"done":true,"done_reason":"stop"}"#;
    let first = r#"{"model":"m","message":{"role":"assistant","content":"Hi"},"done":false}"#;
    let replies = [
        Reply::ndjson([first, done, "{\"garbage after the end\":"]),
        Reply::ndjson([first, done, first]).stall_after_lines(2, Duration::from_secs(30)),
        Reply::ndjson([first, done, first, first])
            .reset_after_bytes((first.len() + done.len() + 2 + 10) as u64),
    ];
    for (i, reply) in replies.into_iter().enumerate() {
        server.push_reply(reply);
        let started = Instant::now();
        let out = t.chat_stream(&client, hello(), None).unwrap();
        assert_eq!(out.failure, None, "reply {i}");
        assert_eq!(texts(&out.events).1, "Hi!", "reply {i}");
        assert!(
            matches!(out.events.last(), Some(OwnedEvent::Done(_))),
            "reply {i}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "reply {i}");
    }
    // The same for a progress stream ending with `success`.
    server.push_reply(
        Reply::ndjson([
            r#"{"status":"pulling manifest"}"#,
            r#"{"status":"success"}"#,
            "x",
        ])
        .stall_after_lines(2, Duration::from_secs(30)),
    );
    let out = t.pull_stream(&client, PullRequest::new("m")).unwrap();
    assert_eq!(out.failure, None);
}

/// A server that answers 413 while the request body is still being written is heard: the
/// call reports the 413, not an IO error or a timeout.
pub fn early_413_during_an_upload_is_reported<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).total_timeout(Duration::from_secs(20)));
    let digest: BlobDigest = format!("sha256:{}", "0".repeat(64)).parse().unwrap();
    let data = Bytes::from(vec![7u8; crate::http::MAX_REQUEST_BODY + 1]);
    let s = status_of(t.create_blob(&client, digest, data).unwrap_err());
    assert_eq!(s.status, 413);
}

/// A response-head timeout is not retried (the model may be loading): one request, and the
/// timeout names the response head.
pub fn response_head_timeout_is_not_retried<T: Transport>(t: &T) {
    let server = TestServer::start();
    let config = config_for(&server)
        .retry(quick_retries(3))
        .response_head_timeout(Duration::from_millis(300));
    let client = t.client(config);
    server.push_reply(Reply::recording(GEMMA_HELLO).delay_before_head(Duration::from_secs(3)));
    let failure = t.chat_stream(&client, hello(), None).unwrap_err();
    assert!(
        matches!(&failure, Failure::Timeout(TimeoutKind::ResponseHead, m) if m.contains(&server.addr().to_string())),
        "{failure:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

/// A 429 asking for a wait past the total timeout is reported as the 429 with its
/// `Retry-After`, at once, instead of sleeping into a total timeout.
pub fn retry_after_past_the_deadline_reports_the_status<T: Transport>(t: &T) {
    let server = TestServer::start();
    // The default policy: a server's wait is honoured up to 30 s, past the 10 s total.
    let config = config_for(&server)
        .retry(RetryPolicy::retries(3))
        .total_timeout(Duration::from_secs(10));
    let client = t.client(config);
    server.push_reply(Reply::status_json(429, "rate limited").retry_after(3600));
    let started = Instant::now();
    let s = status_of(t.version(&client).unwrap_err());
    assert_eq!(s.status, 429);
    assert_eq!(s.retry_after, Some(Duration::from_secs(3600)));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.requests().len(), 1);
}

/// A compressed body is named, not reported as invalid UTF-8; requests ask for `identity`.
pub fn content_encoding_is_named<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    server.push_reply(Reply::recording(GEMMA_HELLO).header("content-encoding", "gzip"));
    match protocol(t.chat_stream(&client, hello(), None).unwrap_err()) {
        ollama_proto::Error::ContentEncoding { encoding } => assert_eq!(encoding, "gzip"),
        other => panic!("{other:?}"),
    }
    let sent = &server.requests()[0];
    assert_eq!(sent.header("accept-encoding"), Some("identity"));
}

/// A compressed single body (a non-streamed chat, an embed) is named too.
pub fn content_encoding_is_named_on_single_bodies<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let name = "prism-chat-nonstream-gptoss-thinking.json";
    server.push_reply(Reply::recording(name).header("content-encoding", "gzip"));
    match protocol(t.chat(&client, recorded_chat(name)).unwrap_err()) {
        ollama_proto::Error::ContentEncoding { encoding } => assert_eq!(encoding, "gzip"),
        other => panic!("{other:?}"),
    }
    let body = br#"{"model":"m","embeddings":[[1]]}"#.to_vec();
    server.push_reply(
        Reply::body(200, "application/json", body).header("content-encoding", "x-gzip"),
    );
    let e = t.embed(&client, EmbedRequest::new("m", "hi")).unwrap_err();
    match protocol(e) {
        ollama_proto::Error::ContentEncoding { encoding } => assert_eq!(encoding, "x-gzip"),
        other => panic!("{other:?}"),
    }
}

/// Errors name the server's origin only: never the base URL's path prefix.
pub fn errors_name_the_origin_only<T: Transport>(t: &T) {
    let port = {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = ClientConfig::new(
        format!("http://127.0.0.1:{port}/secret-prefix")
            .parse()
            .unwrap(),
    );
    let client = t.client(config);
    match t.version(&client).unwrap_err() {
        Failure::Connect(message) => {
            assert!(
                message.contains(&format!("http://127.0.0.1:{port}")),
                "{message}"
            );
            assert!(!message.contains("secret-prefix"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

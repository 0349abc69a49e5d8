//! Retries, connect failures and blobs.

use super::support::*;
use super::*;

/// Two 503s, then the recorded answer: retried with backoff, three requests.
pub fn retries_503_then_succeeds<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(3)));
    server.push_reply(Reply::status_json(503, "server busy").times(2));
    let out = t
        .chat_stream(&client, recorded_chat(GEMMA_HELLO), None)
        .unwrap();
    assert_eq!(out.failure, None);
    assert_eq!(server.requests().len(), 3);
    server.push_reply(Reply::status_json(429, "rate limited"));
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    assert_eq!(server.requests().len(), 5);
    // Out of retries: the last status error is returned.
    server.push_reply(Reply::status_json(503, "still busy").times(4));
    let s = status_of(t.version(&client).unwrap_err());
    assert_eq!((s.status, s.message.as_str()), (503, "still busy"));
    assert_eq!(server.requests().len(), 9);
}

/// `Retry-After: 1` makes the client wait about a second instead of its 10 ms backoff.
pub fn retry_after_is_honoured<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(2)));
    server.push_reply(Reply::status_json(503, "busy").retry_after(1));
    let started = Instant::now();
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}

/// Retries are opt-in: by default a 503 is returned at once.
pub fn no_retry_when_disabled<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    server.push_reply(Reply::status_json(503, "busy").times(2));
    let s = status_of(t.version(&client).unwrap_err());
    assert_eq!((s.status, s.message.as_str()), (503, "busy"));
    assert_eq!(server.requests().len(), 1);
}

/// `delete` is not safe to repeat: never retried.
pub fn no_retry_for_unsafe_calls<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(3)));
    server.push_reply(Reply::status_json(503, "busy").times(2));
    let s = status_of(t.delete(&client, DeleteRequest::new("m")).unwrap_err());
    assert_eq!(s.status, 503);
    assert_eq!(server.requests().len(), 1);
}

/// A stream that fails after it started is never retried.
pub fn no_retry_once_a_stream_started<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(3)));
    server.push_reply(Reply::recording(GEMMA_HELLO).reset_after_bytes(500));
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(failure, Failure::Io(_)), "{failure:?}");
    server.push_reply(Reply::recording(GEMMA_HELLO).error_line_after(2, "boom"));
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(
        protocol(failure),
        ollama_proto::Error::Server { .. }
    ));
    assert_eq!(server.requests().len(), 2);
}

/// Nothing listens on the port: `Connect`, quickly, with or without retries.
pub fn connect_refused_is_connect<T: Transport>(t: &T) {
    let port = {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let config = ClientConfig::new(url.parse().unwrap());
    let client = t.client(config.clone());
    let started = Instant::now();
    match t.version(&client).unwrap_err() {
        Failure::Connect(message) => assert!(message.contains(&url), "{message}"),
        other => panic!("{other:?}"),
    }
    let retrying = t.client(config.retry(quick_retries(2)));
    assert!(matches!(
        t.chat_stream(&retrying, hello(), None).unwrap_err(),
        Failure::Connect(_)
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A blob upload is checked against its digest, and `HEAD` sees it afterwards, over one
/// connection.
pub fn blobs_round_trip<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let data = Bytes::from_static(b"hello blob");
    // sha256("hello blob")
    let digest = "sha256:e997afd18e5f6be004fc193aed2c90291e68ab2c7599a62538c935b7fca6ab0f";
    let digest = BlobDigest::parse(digest).unwrap();
    assert!(!t.blob_exists(&client, &digest).unwrap());
    t.create_blob(&client, digest.clone(), data.clone())
        .unwrap();
    assert!(t.blob_exists(&client, &digest).unwrap());
    // Bytes that do not match their digest are a 400.
    let other = "sha256:23efd0ab117e71dc3accb6d524b7c4f41ded0107d594aef8d4caadb3052d7ada";
    let other = BlobDigest::parse(other).unwrap();
    let failure = t.create_blob(&client, other, data).unwrap_err();
    assert_eq!(status_of(failure).status, 400);
    assert_eq!(server.connections_accepted(), 1);
}

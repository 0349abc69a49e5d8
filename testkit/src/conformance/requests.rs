//! Requests as the server saw them.

use super::support::*;
use super::*;

/// Exact JSON bodies and the standard headers, streamed and not, and a bodiless GET.
pub fn request_bodies_and_headers<T: Transport>(t: &T) {
    let server = TestServer::start();
    let config = config_for(&server).user_agent("conformance/1.0");
    let client = t.client(config);
    let request = recorded_chat(GEMMA_HELLO);
    let out = t.chat_stream(&client, request.clone(), None).unwrap();
    assert_eq!(out.failure, None);
    t.chat(&client, request.clone()).unwrap();
    t.version(&client).unwrap();

    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    let mut want = serde_json::to_value(&request).unwrap();
    for (i, stream) in [(0, true), (1, false)] {
        let r = &seen[i];
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/api/chat"));
        want["stream"] = serde_json::Value::Bool(stream);
        assert_eq!(r.json().unwrap(), want, "stream: {stream}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let accept = if stream {
            "application/x-ndjson"
        } else {
            "application/json"
        };
        assert_eq!(r.header("accept"), Some(accept));
        assert_eq!(r.header("user-agent"), Some("conformance/1.0"));
        assert_eq!(r.header("authorization"), None);
    }
    let get = &seen[2];
    assert_eq!(
        (get.method.as_str(), get.path.as_str()),
        ("GET", "/api/version")
    );
    assert!(get.body.is_empty());
    assert_eq!(get.header("content-type"), None);
    assert_eq!(get.header("accept"), Some("application/json"));
}

/// `Authorization: Bearer <key>` is sent when a key is configured, never otherwise.
pub fn bearer_only_when_configured<T: Transport>(t: &T) {
    let server = TestServer::start();
    let with_key = t.client(config_for(&server).api_key("sk-test-123"));
    let without = t.client(config_for(&server));
    t.version(&with_key).unwrap();
    t.version(&without).unwrap();
    let seen = server.requests();
    assert_eq!(seen[0].header("authorization"), Some("Bearer sk-test-123"));
    assert_eq!(seen[1].header("authorization"), None);
}

/// A redirect is not followed, so the API key never reaches another host: the 307 comes back
/// as a status error and the redirect target sees no request at all.
pub fn redirect_is_not_followed<T: Transport>(t: &T) {
    let server = TestServer::start();
    let elsewhere = TestServer::start();
    let location = format!("{}/api/version", elsewhere.url());
    server.push_reply(Reply::status_empty(307).header("Location", &location));
    let client = t.client(config_for(&server).api_key("sk-test-123"));
    match t.version(&client) {
        Err(Failure::Protocol(e)) => {
            assert_eq!(e.status().map(|s| s.status), Some(307), "{e}");
        }
        other => panic!("expected the 307 as a status error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
}

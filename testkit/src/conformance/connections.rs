//! Connections: reuse and cancellation.

use super::support::*;
use super::*;

/// Sequential fully read calls (streams and single answers) share one connection.
pub fn connections_are_reused<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    for _ in 0..3 {
        let out = t
            .chat_stream(&client, recorded_chat(GEMMA_HELLO), None)
            .unwrap();
        assert_eq!(out.failure, None);
        t.version(&client).unwrap();
    }
    t.pull_stream(&client, PullRequest::new("gemma3:1b"))
        .unwrap();
    t.chat(&client, recorded_chat(GEMMA_HELLO)).unwrap();
    assert_eq!(server.requests().len(), 8);
    let ids: Vec<_> = server
        .requests()
        .iter()
        .map(|r| (r.path.clone(), r.connection_id))
        .collect();
    assert_eq!(server.connections_accepted(), 1, "{ids:?}");
    assert!(server.requests().iter().all(|r| r.connection_id == 1));
}

/// Dropping a stream closes its connection: the server sees the disconnect while generating,
/// and the next call works on a new connection.
pub fn drop_cancels_server_side<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let line = r#"{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"tok "},"done":false}"#;
    server.push_reply(Reply::endless_stream(line, Duration::from_millis(10)));
    let out = t.chat_stream(&client, hello(), Some(3)).unwrap();
    assert_eq!(out.events.len(), 3);
    let gone = server
        .wait_for_disconnect(Duration::from_secs(3))
        .expect("the server saw the client leave");
    assert_eq!(gone.path, "/api/chat");
    assert!(
        gone.lines_written >= 3 && gone.lines_written < 1000,
        "{gone:?}"
    );
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
}

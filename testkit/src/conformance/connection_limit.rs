//! The connection limit ([`PoolOptions::max_connections`]): calls beyond it wait, first in
//! first out, within their own deadlines, and a timeout while waiting says so.

use std::thread;

use super::support::*;
use super::*;

/// With a limit of one connection, calls made while a stream holds it wait and then run one
/// after the other in the order they came, all on that one connection (never a second one),
/// however long the wait (a connect timeout far shorter than the wait does not fire: waiting is
/// not connecting).
pub fn calls_beyond_the_limit_wait_first_in_first_out<T>(t: &T)
where
    T: Transport + Sync,
    T::Client: Sync,
{
    let server = TestServer::start();
    let config = config_for(&server).connect_timeout(Duration::from_millis(50));
    let client = t.client_with_pool(config, PoolOptions::default().max_connections(1));
    server.push_reply(slow_stream(Duration::from_millis(20)));
    let digest = "sha256:e997afd18e5f6be004fc193aed2c90291e68ab2c7599a62538c935b7fca6ab0f";
    let digest = BlobDigest::parse(digest).unwrap();
    thread::scope(|s| {
        let stream = s.spawn(|| t.chat_stream(&client, recorded_chat(GEMMA_HELLO), None));
        wait_for_requests(&server, 1);
        // Three different calls, each in line before the next starts; the server sees them
        // on the one connection in the order they came.
        let first = s.spawn(|| t.version(&client));
        thread::sleep(Duration::from_millis(100));
        let second = s.spawn(|| t.blob_exists(&client, &digest));
        thread::sleep(Duration::from_millis(100));
        let third = s.spawn(|| t.delete(&client, DeleteRequest::new("gone:1b")));
        thread::sleep(Duration::from_millis(100));
        let out = stream.join().unwrap().unwrap();
        assert_eq!(out.failure, None);
        assert!(matches!(out.events.last(), Some(OwnedEvent::Done(_))));
        assert_eq!(first.join().unwrap().unwrap(), crate::VERSION);
        assert!(!second.join().unwrap().unwrap());
        third.join().unwrap().unwrap();
    });
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    let blob = format!("/api/blobs/{}", digest.as_str());
    assert_eq!(paths, ["/api/chat", "/api/version", &blob, "/api/delete"]);
    assert_eq!(
        server.connections_accepted(),
        1,
        "the limit is one connection"
    );
}

/// A call waiting for a connection is bounded by its response-head timeout (the wait counts
/// against it), and the error is a timeout *waiting for a connection*, with how many were
/// busy and the limit; the stream holding the connection is not affected, and the next call
/// gets the connection once it is free.
pub fn a_wait_for_a_connection_times_out_naming_it<T>(t: &T)
where
    T: Transport + Sync,
    T::Client: Sync,
{
    let server = TestServer::start();
    let config = config_for(&server)
        .connect_timeout(Duration::from_millis(50))
        .response_head_timeout(Duration::from_millis(300));
    let client = t.client_with_pool(config, PoolOptions::default().max_connections(1));
    server.push_reply(slow_stream(Duration::from_millis(15)));
    thread::scope(|s| {
        let stream = s.spawn(|| t.chat_stream(&client, recorded_chat(GEMMA_HELLO), None));
        wait_for_requests(&server, 1);
        let started = Instant::now();
        let waited = t.version(&client).unwrap_err();
        let elapsed = started.elapsed();
        let addr = server.addr();
        assert_eq!(
            waited,
            Failure::WaitedForConnection {
                kind: TimeoutKind::ResponseHead,
                busy: 1,
                max: 1,
                message: format!(
                    "timed out waiting for a connection to {addr}: 1 of at most 1 were busy \
                     for 300ms (response_head timeout; raise it with \
                     ClientBuilder::response_head_timeout, or allow more connections with \
                     PoolOptions::max_connections)"
                ),
            }
        );
        assert!(
            elapsed >= Duration::from_millis(290) && elapsed < Duration::from_secs(10),
            "{elapsed:?}"
        );
        let out = stream.join().unwrap().unwrap();
        assert_eq!(
            out.failure, None,
            "the stream holding the connection goes on"
        );
        assert!(matches!(out.events.last(), Some(OwnedEvent::Done(_))));
    });
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    assert_eq!(
        server.requests().len(),
        2,
        "the call that timed out sent nothing"
    );
    assert_eq!(server.connections_accepted(), 1);
}

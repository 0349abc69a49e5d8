//! Loopback tests of ollama-smol's own behaviour (pool, cancellation, timeouts, error
//! mapping, chunking) against the testkit server. Small timeouts, bounded waits.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use async_io::block_on;
use ollama_proto::OwnedEvent;
use ollama_proto::deadline::TimeoutKind;
use ollama_proto::retry::RetryPolicy;
use ollama_proto::types::{ChatRequest, PullRequest};
use ollama_smol::{Client, Error};
use testkit::conformance::{config_for, hello, recorded_chat, status_error_cases, texts};
use testkit::{Recording, Reply, TestServer, WriteSizes};

const HELLO: &str = "lcg-chat-stream-gemma3-hello.ndjson";
const LINE: &str = r#"{"model":"gemma3:1b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"tick "},"done":false}"#;

fn client(server: &TestServer) -> Client {
    Client::new(config_for(server)).unwrap()
}

/// The content of a recorded chat stream, from its lines.
fn recorded_content(name: &str) -> String {
    Recording::load(name)
        .lines()
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).unwrap();
            v["message"]["content"].as_str().unwrap_or("").to_owned()
        })
        .collect()
}

async fn read_all(client: &Client, req: ChatRequest) -> Result<Vec<OwnedEvent>, Error> {
    let mut stream = client.chat_stream(req).await?;
    let mut events = Vec::new();
    while let Some(event) = stream.next_event().await {
        events.push(event?);
    }
    Ok(events)
}

fn protocol(e: Error) -> ollama_proto::Error {
    match e {
        Error::Protocol(p) => p,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn sequential_calls_reuse_one_connection() {
    let server = TestServer::start();
    let client = client(&server);
    block_on(async {
        for _ in 0..3 {
            let events = read_all(&client, recorded_chat(HELLO)).await.unwrap();
            assert!(matches!(events.last(), Some(OwnedEvent::Done(_))));
        }
        client.version().await.unwrap();
        client.list_models().await.unwrap();
        let answer = client.chat(recorded_chat(HELLO)).await.unwrap();
        assert!(!answer.message.content.is_empty());
        // A clone shares the pool.
        client.clone().version().await.unwrap();
        let collected = client
            .chat_stream(recorded_chat(HELLO))
            .await
            .unwrap()
            .collect_chat()
            .await
            .unwrap();
        assert_eq!(collected.message.content, recorded_content(HELLO));
    });
    assert_eq!(server.connections_accepted(), 1);
    let ids: Vec<u64> = server.requests().iter().map(|r| r.connection_id).collect();
    assert_eq!(ids.len(), 8);
    assert!(ids.iter().all(|&id| id == ids[0]), "{ids:?}");
}

#[test]
fn a_server_closed_connection_is_not_reused() {
    let server = TestServer::start();
    server.push_reply(
        Reply::status_json(200, "")
            .close_connection()
            .for_path("/api/tags"),
    );
    let client = client(&server);
    block_on(async {
        let _ = client.list_models().await;
        client.version().await.unwrap();
        client.version().await.unwrap();
    });
    assert_eq!(server.connections_accepted(), 2);
}

#[test]
fn dropping_a_stream_closes_its_connection() {
    let server = TestServer::start();
    server.push_reply(Reply::endless_stream(LINE, Duration::from_millis(10)));
    let client = client(&server);
    block_on(async {
        let mut stream = client.chat_stream(hello()).await.unwrap();
        for _ in 0..3 {
            assert!(matches!(
                stream.next_event().await,
                Some(Ok(OwnedEvent::Content(_)))
            ));
        }
        drop(stream);
    });
    let gone = server.wait_for_disconnect(Duration::from_secs(5)).unwrap();
    assert_eq!(gone.path, "/api/chat");
    assert!(gone.lines_written >= 3);
    // The next call opens a new connection: the cancelled one was not pooled.
    block_on(client.version()).unwrap();
    assert_eq!(server.connections_accepted(), 2);
}

#[test]
fn a_stalled_stream_hits_the_idle_timeout() {
    let server = TestServer::start();
    server.push_reply(Reply::recording(HELLO).stall_after_lines(2, Duration::from_secs(3)));
    let client = Client::builder()
        .base_url(server.url().as_str())
        .idle_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = block_on(read_all(&client, recorded_chat(HELLO))).unwrap_err();
    assert_eq!(err.timeout_kind(), Some(TimeoutKind::Idle), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_slow_head_hits_the_response_head_timeout() {
    let server = TestServer::start();
    server.push_reply(Reply::recording(HELLO).delay_before_head(Duration::from_secs(3)));
    let client = Client::builder()
        .base_url(server.url().as_str())
        .response_head_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = block_on(client.chat_stream(recorded_chat(HELLO))).unwrap_err();
    assert_eq!(err.timeout_kind(), Some(TimeoutKind::ResponseHead), "{err}");
}

#[test]
fn the_total_timeout_cuts_a_stream_that_keeps_going() {
    let server = TestServer::start();
    server.push_reply(Reply::endless_stream(LINE, Duration::from_millis(20)));
    let client = Client::builder()
        .base_url(server.url().as_str())
        .idle_timeout(Duration::from_millis(500))
        .total_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = block_on(read_all(&client, hello())).unwrap_err();
    assert_eq!(err.timeout_kind(), Some(TimeoutKind::Total), "{err}");
}

#[test]
fn error_statuses_keep_what_the_server_said() {
    let server = TestServer::start();
    let client = client(&server);
    for (reply, status, message, kind) in status_error_cases() {
        // Once through a single-answer call, once through a stream.
        server.push_reply(reply.times(2));
        for streamed in [false, true] {
            let err = if streamed {
                block_on(client.chat_stream(hello())).map(drop).unwrap_err()
            } else {
                block_on(client.list_models()).map(drop).unwrap_err()
            };
            let s = err.status().unwrap_or_else(|| panic!("{err:?}"));
            assert_eq!(
                (s.status, s.message.as_str(), s.body),
                (status, message, kind)
            );
        }
    }
    // Error bodies are read to the end: the connection was reused throughout.
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn unauthorized_carries_the_signin_url() {
    let server = TestServer::start();
    let url = "https://ollama.com/connect?name=x&key=y";
    server.push_reply(Reply::status_json_signin(401, "unauthorized", url));
    let err = block_on(client(&server).chat_stream(hello())).unwrap_err();
    assert!(matches!(
        err,
        Error::Protocol(ollama_proto::Error::Unauthorized(_))
    ));
    assert_eq!(err.signin_url(), Some(url));
}

#[test]
fn a_mid_stream_error_line_ends_the_stream() {
    let server = TestServer::start();
    server.push_reply(Reply::recording(HELLO).error_line_after(2, "model runner crashed"));
    let client = client(&server);
    let (events, err) = block_on(async {
        let mut stream = client.chat_stream(recorded_chat(HELLO)).await.unwrap();
        let mut events = Vec::new();
        loop {
            match stream.next_event().await {
                Some(Ok(e)) => events.push(e),
                Some(Err(e)) => break (events, e),
                None => panic!("ended without the error"),
            }
        }
    });
    assert!(!events.is_empty());
    match protocol(err) {
        ollama_proto::Error::Server { message, .. } => assert_eq!(message, "model runner crashed"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_clean_early_end_is_truncated_and_a_cut_connection_is_io() {
    let server = TestServer::start();
    let client = client(&server);
    server.push_reply(Reply::recording(HELLO).close_after_lines(2));
    let err = block_on(read_all(&client, recorded_chat(HELLO))).unwrap_err();
    assert!(
        matches!(
            protocol(err),
            ollama_proto::Error::Truncated { lines: 2, .. }
        ),
        "truncated"
    );
    server.push_reply(Reply::recording(HELLO).abort_after_bytes(100));
    let err = block_on(read_all(&client, recorded_chat(HELLO))).unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    server.push_reply(Reply::recording(HELLO).reset_after_bytes(100));
    let err = block_on(read_all(&client, recorded_chat(HELLO))).unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
}

#[test]
fn random_write_sizes_give_byte_exact_content() {
    let server = TestServer::start();
    let client = client(&server);
    let name = "lcg-chat-stream-gemma3-nautical-long.ndjson";
    let want = recorded_content(name);
    for seed in 0..4 {
        server.push_reply(Reply::recording(name).write_sizes(WriteSizes::Random {
            min: 1,
            max: 7,
            seed,
        }));
        let events = block_on(read_all(&client, recorded_chat(name))).unwrap();
        assert_eq!(texts(&events).1, want, "seed {seed}");
    }
}

#[test]
fn a_closed_port_is_a_connect_error() {
    // Bind then drop a listener: its port is very likely closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = block_on(client.version()).unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn opt_in_retries_follow_the_policy() {
    let server = TestServer::start();
    server.push_reply(
        Reply::status_json(503, "busy")
            .retry_after(0)
            .for_path("/api/version"),
    );
    let plain = client(&server);
    assert_eq!(
        block_on(plain.version())
            .unwrap_err()
            .status()
            .unwrap()
            .status,
        503
    );

    server.push_reply(
        Reply::status_json(503, "busy")
            .retry_after(0)
            .for_path("/api/version"),
    );
    let retrying = Client::builder()
        .base_url(server.url().as_str())
        .retry(RetryPolicy::retries(2).initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap();
    block_on(retrying.version()).unwrap();

    // Not safe to repeat: a create is never retried.
    server.push_reply(Reply::status_json(503, "busy").for_path("/api/create"));
    let err =
        block_on(retrying.create_stream(ollama_proto::types::CreateRequest::new("m"))).unwrap_err();
    assert_eq!(err.status().unwrap().status, 503);
}

#[test]
fn pull_progress_ends_with_done() {
    let server = TestServer::start();
    let client = client(&server);
    let acc = block_on(async {
        client
            .pull_stream(PullRequest::new("gemma3"))
            .await
            .unwrap()
            .collect()
            .await
    })
    .unwrap();
    assert_eq!(acc.completion().unwrap().status.as_deref(), Some("success"));
}

/// Loopback throughput of the whole path (socket, HTTP framing, decoder) for the crate docs:
/// `cargo test -p ollama-smol --test smol_specific throughput -- --nocapture`.
#[test]
fn throughput() {
    let server = TestServer::start();
    let client = client(&server);
    let name = "lcg-chat-stream-gemma3-nautical-long.ndjson";
    let bytes = Recording::load(name).body.len();
    let rounds = 50;
    let started = Instant::now();
    block_on(async {
        for _ in 0..rounds {
            read_all(&client, recorded_chat(name)).await.unwrap();
        }
    });
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{rounds} streamed chats of {bytes} bytes in {secs:.3} s: {:.0} streams/s, {:.1} MB/s",
        f64::from(rounds) / secs,
        (bytes * rounds as usize) as f64 / secs / 1e6
    );
    assert_eq!(server.connections_accepted(), 1);

    // Raw body throughput: one 16 MB line in large writes (the decoder only buffers it).
    let big = 16_000_000;
    server.push_reply(Reply::endless_line(big).write_sizes(WriteSizes::Fixed(64 * 1024)));
    let client = Client::builder()
        .base_url(server.url().as_str())
        .max_line_len(2 * big)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = block_on(read_all(&client, hello())).unwrap_err();
    let secs = started.elapsed().as_secs_f64();
    assert!(matches!(
        protocol(err),
        ollama_proto::Error::Truncated { .. }
    ));
    eprintln!(
        "one {big}-byte body in {secs:.3} s: {:.0} MB/s",
        big as f64 / secs / 1e6
    );
}

#[test]
fn a_failed_tls_handshake_is_a_connect_error() {
    // A plain-text peer that answers the ClientHello with garbage and closes: the TLS
    // handshake cannot succeed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let _ = std::io::Write::write_all(&mut s, b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let client = Client::builder()
        .base_url(format!("https://127.0.0.1:{port}"))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = block_on(client.version()).unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}

#[test]
fn futures_and_streams_are_send() {
    fn send<T: Send>(_: &T) {}
    let client = Client::builder().build().unwrap();
    send(&client.chat_stream(hello()));
    send(&client.version());
    fn stream_is_send<T: Send + Unpin + futures_core::Stream>() {}
    stream_is_send::<ollama_smol::EventStream>();
}

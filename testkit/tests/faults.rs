//! Every fault observed at the byte level with a raw TCP client.
#![allow(clippy::unwrap_used)]

mod support;

use std::io;
use std::net::Shutdown;
use std::time::{Duration, Instant};

use support::{Chunk, Client, End};
use testkit::{Framing, Recording, Reply, TestServer, WriteSizes};

const HELLO: &str = "lcg-chat-stream-gemma3-hello.ndjson";
const LONG: &str = "lcg-chat-stream-gemma3-nautical-long.ndjson";

/// Pushes `reply` and requests `/api/chat` on a fresh connection.
fn serve(reply: Reply) -> (TestServer, Client, support::Response) {
    let server = TestServer::start();
    server.push_reply(reply);
    let mut client = Client::connect(&server);
    let response = client.request("POST", "/api/chat", br#"{"model":"m"}"#);
    (server, client, response)
}

#[test]
fn random_write_sizes_reassemble_to_the_recording() {
    let recording = Recording::load(LONG);
    let sizes = WriteSizes::Random {
        min: 1,
        max: 17,
        seed: 0xfeed,
    };
    let (_server, _client, response) = serve(Reply::recording(LONG).write_sizes(sizes));
    assert_eq!(response.end, End::Complete);
    assert_eq!(response.body, recording.body);
    assert!(response.chunks.iter().all(|c| (1..=17).contains(&c.len())));
    assert!(response.chunks.len() > 2 * recording.lines().len());
    // Some chunk carries the end of one line and the start of the next.
    assert!(
        response
            .chunks
            .iter()
            .any(|c| c.contains(&b'\n') && !c.ends_with(b"\n"))
    );
}

#[test]
fn fixed_one_byte_writes_split_utf8() {
    let name = "lcg-chat-stream-gemma3-after-pull.ndjson";
    let recording = Recording::load(name);
    let reply = Reply::recording(name).write_sizes(WriteSizes::Fixed(1));
    let (_server, _client, response) = serve(reply);
    assert_eq!(response.body, recording.body);
    assert_eq!(response.chunks.len(), recording.body.len());
    assert!(
        response
            .chunks
            .iter()
            .any(|c| std::str::from_utf8(c).is_err())
    );
}

#[test]
fn content_length_framing_sends_the_stream_as_one_body() {
    let name = "lcg-cloud-chat-stream-gptoss120b-thinking.ndjson";
    let recording = Recording::load(name);
    let reply = Reply::recording(name)
        .framing(Framing::ContentLength)
        .content_type(Some("application/json"));
    let (_server, _client, response) = serve(reply);
    assert!(!response.head.chunked());
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.header("content-length"),
        Some(recording.body.len().to_string().as_str())
    );
    assert_eq!(response.body, recording.body);
}

#[test]
fn error_line_after_n_lines() {
    let recording = Recording::load(HELLO);
    let reply = Reply::recording(HELLO).error_line_after(3, "model runner crashed");
    let (_server, _client, response) = serve(reply);
    assert_eq!((response.status(), response.end), (200, End::Complete));
    let mut want = recording.lines()[..3].concat();
    want.extend_from_slice(b"{\"error\":\"model runner crashed\"}\n");
    assert_eq!(response.body, want);
}

#[test]
fn close_after_lines_truncates_cleanly_and_keeps_the_connection() {
    let recording = Recording::load(HELLO);
    let (server, mut client, response) = serve(Reply::recording(HELLO).close_after_lines(5));
    assert_eq!(response.end, End::Complete);
    assert_eq!(response.body, recording.lines()[..5].concat());
    assert!(!response.text().contains("\"done\":true"));
    assert_eq!(client.request("GET", "/api/version", b"").status(), 200);
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn abort_after_bytes_ends_mid_chunk() {
    let recording = Recording::load(HELLO);
    let (server, _client, response) = serve(Reply::recording(HELLO).abort_after_bytes(200));
    assert_eq!(response.end, End::Eof);
    assert_eq!(response.body, recording.body[..200]);
    // Aborting on purpose is not a client disconnect.
    assert!(server.disconnects().is_empty());
}

#[test]
fn abort_with_content_length_framing() {
    let recording = Recording::load(HELLO);
    let reply = Reply::recording(HELLO)
        .framing(Framing::ContentLength)
        .abort_after_bytes(10);
    let (_server, _client, response) = serve(reply);
    assert_eq!(response.end, End::Eof);
    assert_eq!(response.body, recording.body[..10]);
}

#[test]
fn reset_after_bytes_gives_reset_or_eof() {
    let (_server, mut client, response) = serve(Reply::recording(HELLO).reset_after_bytes(50));
    assert!(
        matches!(
            response.end,
            End::Eof | End::Error(io::ErrorKind::ConnectionReset)
        ),
        "{:?}",
        response.end
    );
    assert!(response.body.len() <= 50);
    assert!(client.at_eof());
}

#[test]
fn endless_line_stops_at_its_bound() {
    let max = 3 * 1024 * 1024 + 5;
    let (_server, _client, response) = serve(Reply::endless_line(max));
    assert_eq!(response.end, End::Complete);
    assert_eq!(response.body.len(), max);
    assert!(!response.body.contains(&b'\n'));
}

#[test]
fn disconnect_recorded_when_client_leaves_an_endless_stream() {
    let server = TestServer::start();
    let line = r#"{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"x"},"done":false}"#;
    server.push_reply(Reply::endless_stream(line, Duration::from_millis(5)));
    let mut client = Client::connect(&server);
    client.send("POST", "/api/chat?x=1", &[], br#"{"model":"m"}"#);
    let head = client.read_head();
    assert!(head.chunked());
    for _ in 0..3 {
        let Chunk::Data(data) = client.read_chunk() else {
            panic!("expected a line")
        };
        assert_eq!(data, format!("{line}\n").as_bytes());
    }
    client.stream().shutdown(Shutdown::Both).unwrap();
    drop(client);
    let disconnect = server
        .wait_for_disconnect(Duration::from_secs(5))
        .expect("disconnect recorded");
    assert_eq!(disconnect.path, "/api/chat?x=1");
    assert_eq!(disconnect.connection_id, 1);
    assert!(disconnect.lines_written >= 3);
    assert_eq!(
        disconnect.bytes_written,
        disconnect.lines_written * (line.len() as u64 + 1)
    );
    assert!(
        server
            .wait_for_disconnect(Duration::from_millis(50))
            .is_none()
    );
    assert_eq!(server.disconnects().len(), 1);
}

#[test]
fn stall_after_lines_pauses_then_resumes() {
    let recording = Recording::load(HELLO);
    let stall = Duration::from_millis(300);
    let server = TestServer::start();
    server.push_reply(Reply::recording(HELLO).stall_after_lines(2, stall));
    let mut client = Client::connect(&server);
    client.send("POST", "/api/chat", &[], br#"{"model":"m"}"#);
    client.read_head();
    let mut chunks = Vec::new();
    for _ in 0..2 {
        let Chunk::Data(data) = client.read_chunk() else {
            panic!("line")
        };
        chunks.push(data);
    }
    let before = Instant::now();
    let Chunk::Data(third) = client.read_chunk() else {
        panic!("line")
    };
    assert!(before.elapsed() >= Duration::from_millis(250));
    chunks.push(third);
    loop {
        match client.read_chunk() {
            Chunk::Data(data) => chunks.push(data),
            Chunk::Last => break,
            Chunk::Broken(_, end) => panic!("{end:?}"),
        }
    }
    assert_eq!(chunks.concat(), recording.body);
}

#[test]
fn delay_before_head_and_between_writes() {
    let reply = Reply::ndjson(["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        .delay_before_head(Duration::from_millis(150))
        .delay_between_writes(Duration::from_millis(50));
    let started = Instant::now();
    let (_server, _client, response) = serve(reply);
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(response.text(), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    assert_eq!(response.chunks.len(), 3);
}

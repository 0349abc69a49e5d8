//! The server's ordinary behaviour, seen from a raw TCP client: keep-alive, routing, recording
//! lookup, request log, blobs.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Client, End};
use testkit::{Recording, Reply, Route, TestServer};

fn request_body(name: &str) -> Vec<u8> {
    Recording::load(name)
        .request
        .unwrap()
        .to_string()
        .into_bytes()
}

#[test]
fn keep_alive_serves_two_requests_on_one_connection() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    for _ in 0..2 {
        let response = client.request("GET", "/api/version", b"");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(response.text(), r#"{"version":"0.33.0-standin"}"#);
    }
    assert_eq!(server.connections_accepted(), 1);
    let ids: Vec<u64> = server.requests().iter().map(|r| r.connection_id).collect();
    assert_eq!(ids, [1, 1]);
}

#[test]
fn connection_close_is_honoured() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    client.send("GET", "/", &[("Connection", "close")], b"");
    let response = client.read_response(false);
    assert_eq!(response.text(), "Ollama is running");
    assert_eq!(response.header("connection"), Some("close"));
    assert!(client.at_eof());
}

#[test]
fn exact_request_body_gets_its_recording_byte_for_byte() {
    let server = TestServer::start();
    let recording = Recording::load("lcg-chat-stream-gemma3-hello.ndjson");
    let mut client = Client::connect(&server);
    let response = client.request("POST", "/api/chat", &request_body(&recording.name));
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/x-ndjson")
    );
    assert!(response.head.chunked());
    assert_eq!(response.end, End::Complete);
    assert_eq!(response.body, recording.body);
    // One HTTP chunk per NDJSON line, as Ollama flushes.
    let lines: Vec<Vec<u8>> = recording.lines().iter().map(|l| l.to_vec()).collect();
    assert_eq!(response.chunks, lines);

    // `stream` is ignored when comparing bodies (true is the default here anyway).
    let mut body: Value = recording.request.clone().unwrap();
    body["stream"] = json!(true);
    let again = client.request("POST", "/api/chat", body.to_string().as_bytes());
    assert_eq!(again.body, recording.body);
}

#[test]
fn chunked_request_body_is_accepted() {
    let server = TestServer::start();
    let recording = Recording::load("lcg-generate-nonstream-gemma3.json");
    let body = request_body(&recording.name);
    let (a, b) = body.split_at(body.len() / 2);
    let mut raw =
        b"POST /api/generate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for part in [a, b] {
        raw.extend_from_slice(format!("{:x};ext=1\r\n", part.len()).as_bytes());
        raw.extend_from_slice(part);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\nX-Trailer: y\r\n\r\n");
    let mut client = Client::connect(&server);
    client.send_raw(&raw);
    let response = client.read_response(false);
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.header("content-length"),
        Some(recording.body.len().to_string().as_str())
    );
    assert_eq!(response.body, recording.body);
    assert_eq!(server.requests()[0].body, body);
}

#[test]
fn same_route_and_model_falls_back_to_a_matching_recording() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    let body = json!({"model": "gemma3:1b", "messages": [{"role": "user", "content": "other"}]});
    let response = client.request("POST", "/api/chat", body.to_string().as_bytes());
    assert_eq!(response.status(), 200);
    let served = Recording::all()
        .into_iter()
        .find(|r| r.body == response.body)
        .expect("body is a recording");
    assert_eq!(served.route, Route::Chat);
    assert_eq!(served.model.as_deref(), Some("gemma3:1b"));
    assert!(served.stream);
    assert_eq!(served.tier.as_deref(), Some("A"));

    let body = json!({"model": "gpt-oss:120b", "messages": [], "stream": false});
    let response = client.request("POST", "/api/chat", body.to_string().as_bytes());
    assert_eq!(response.status(), 200);
    assert!(!response.head.chunked());
    let served = Recording::all()
        .into_iter()
        .find(|r| r.body == response.body)
        .unwrap();
    assert_eq!(
        (served.model.as_deref(), served.stream, served.status),
        (Some("gpt-oss:120b"), false, 200)
    );
}

#[test]
fn unknown_model_falls_back_unless_strict() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    let body = json!({"model": "nope:1b", "prompt": "hi"}).to_string();
    let response = client.request("POST", "/api/generate", body.as_bytes());
    assert_eq!(response.status(), 200);
    assert!(response.head.chunked());

    server.set_model_fallback(false);
    let response = client.request("POST", "/api/generate", body.as_bytes());
    assert_eq!(response.status(), 404);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.text(), r#"{"error":"model 'nope:1b' not found"}"#);
}

#[test]
fn error_recording_is_served_for_its_exact_request() {
    let server = TestServer::start();
    let recording = Recording::load("lcg-error-400-tools-unsupported.json");
    let mut client = Client::connect(&server);
    let response = client.request("POST", "/api/chat", &request_body(&recording.name));
    assert_eq!(response.status(), 400);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.body, recording.body);

    // Recorded for a streaming request (no `stream` field), though stored as a `.json` body.
    let recording = Recording::load("lcg-error-400-context-length.json");
    let response = client.request("POST", "/api/chat", &request_body(&recording.name));
    assert_eq!((response.status(), &response.body), (400, &recording.body));
}

#[test]
fn expect_100_continue_is_answered() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    let body = br#"{"model":"a","source":"a","destination":"b"}"#;
    let head = format!(
        "POST /api/copy HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    client.send_raw(head.as_bytes());
    let interim = client.read_head();
    assert_eq!(interim.status, 100);
    client.send_raw(body);
    assert_eq!(client.read_response(false).status(), 200);
    assert_eq!(server.requests()[0].body, body);
}

#[test]
fn not_found_and_bad_request_shapes() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    let response = client.request("GET", "/api/nothing", b"");
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(response.text(), "404 page not found");

    let response = client.request("GET", "/api/chat", b"");
    assert_eq!(
        (response.status(), response.text()),
        (405, "405 method not allowed")
    );

    let response = client.request("POST", "/api/chat", b"");
    assert_eq!(response.status(), 400);
    assert_eq!(response.text(), r#"{"error":"missing request body"}"#);

    let response = client.request("POST", "/api/chat", b"{not json");
    assert_eq!(response.status(), 400);
    assert!(response.text().starts_with(r#"{"error":"invalid JSON"#));

    // The connection survived all of that.
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn malformed_and_oversized_requests_get_4xx_and_close() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    client.send_raw(b"this is not http\r\n\r\n");
    assert_eq!(client.read_response(false).status(), 400);
    assert!(client.at_eof());

    let mut client = Client::connect(&server);
    client.send_raw(b"POST /api/chat HTTP/1.1\r\nContent-Length: 67108865\r\n\r\n");
    assert_eq!(client.read_response(false).status(), 413);

    let mut client = Client::connect(&server);
    client.send_raw(b"POST /api/chat HTTP/1.1\r\nContent-Length: 12x\r\n\r\n");
    assert_eq!(client.read_response(false).status(), 400);
}

#[test]
fn request_heads_trickled_or_odd_parse_the_same() {
    let server = TestServer::start();
    // Stray CRLFs before the request line, bare LFs, and the head one byte per write: a blank
    // line split across two reads is still found.
    let mut client = Client::connect(&server);
    for byte in b"\r\n\nGET /api/version HTTP/1.1\nHost: x\r\n\r\n" {
        client.send_raw(&[*byte]);
        std::thread::sleep(Duration::from_micros(200));
    }
    assert_eq!(client.read_response(false).status(), 200);
    // A chunked body whose size lines and CRLFs arrive in pieces, with a bare LF after data.
    client.send_raw(b"POST /api/show HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1");
    std::thread::sleep(Duration::from_millis(5));
    client.send_raw(b"5\r\n{\"model\":\"gemma3:1b\"}\n0\r");
    std::thread::sleep(Duration::from_millis(5));
    client.send_raw(b"\n\r\n");
    let response = client.read_response(false);
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(
        server.requests().last().unwrap().body,
        br#"{"model":"gemma3:1b"}"#
    );

    // (raw request, status)
    let too_many_headers = format!(
        "GET /api/version HTTP/1.1\r\n{}\r\n",
        "X-A: 1\r\n".repeat(129)
    );
    let huge_head = format!(
        "GET /api/version HTTP/1.1\r\nX-A: {}\r\n\r\n",
        "a".repeat(testkit::MAX_REQUEST_HEAD)
    );
    let table: [(&[u8], u16); 9] = [
        (b"GET /api/version HTTP/2.0\r\n\r\n", 505),
        (b"get /api/version HTTP/1.1\r\n\r\n", 400),
        (b"GET api/version HTTP/1.1\r\n\r\n", 400),
        (b"GET /api/version HTTP/1.1\r\nBad Name: 1\r\n\r\n", 400),
        (too_many_headers.as_bytes(), 431),
        (huge_head.as_bytes(), 431),
        (
            b"POST /api/show HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            400,
        ),
        (
            b"POST /api/show HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n",
            400,
        ),
        (
            b"POST /api/show HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8000000\r\n",
            413,
        ),
    ];
    for (raw, status) in table {
        let mut client = Client::connect(&server);
        client.send_raw(raw);
        let shown = String::from_utf8_lossy(&raw[..raw.len().min(60)]);
        assert_eq!(client.read_response(false).status(), status, "{shown}");
        assert!(client.at_eof(), "{shown}");
    }
}

#[test]
fn synthesised_endpoints() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    let head = client.request("HEAD", "/", b"");
    assert_eq!(
        (head.status(), head.header("content-length")),
        (200, Some("17"))
    );
    assert!(head.body.is_empty());

    let copy = client.request("POST", "/api/copy", br#"{"source":"a","destination":"b"}"#);
    assert_eq!((copy.status(), copy.body.len()), (200, 0));
    let delete = client.request("DELETE", "/api/delete", br#"{"model":"a"}"#);
    assert_eq!((delete.status(), delete.body.len()), (200, 0));

    for path in ["/api/push", "/api/create"] {
        let response = client.request("POST", path, br#"{"model":"me/m"}"#);
        assert_eq!(
            response.header("content-type"),
            Some("application/x-ndjson")
        );
        let last = response.text().lines().last().unwrap().to_owned();
        assert_eq!(last, r#"{"status":"success"}"#);
    }
    let tags = client.request("GET", "/api/tags", b"");
    let tags: Value = serde_json::from_slice(&tags.body).unwrap();
    assert!(tags["models"].is_array());
}

#[test]
fn blob_upload_then_head() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    // sha256("hello")
    let path = "/api/blobs/sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    assert_eq!(client.request("HEAD", path, b"").status(), 404);
    assert_eq!(client.request("POST", path, b"hello").status(), 201);
    assert_eq!(client.request("HEAD", path, b"").status(), 200);
    assert_eq!(client.request("POST", path, b"hello").status(), 200);

    // An unknown digest whose body does not hash to it. (A known digest answers 200 unread.)
    let other = path.replace("2cf24d", "000000");
    let wrong = client.request("POST", &other, b"hello");
    assert_eq!(wrong.status(), 400);
    assert!(wrong.text().contains("digest mismatch"));
    let invalid = client.request("HEAD", "/api/blobs/sha256:abc", b"");
    assert_eq!(invalid.status(), 400);
}

#[test]
fn requests_are_recorded_with_headers_and_body() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    client.send(
        "POST",
        "/api/show?verbose=1",
        &[("X-Custom", " Value "), ("Authorization", "Bearer k")],
        br#"{"model":"llama3.2:3b"}"#,
    );
    assert_eq!(client.read_response(false).status(), 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/api/show?verbose=1");
    assert_eq!(request.path_only(), "/api/show");
    assert_eq!(request.header("x-custom"), Some("Value"));
    assert_eq!(request.header("Authorization"), Some("Bearer k"));
    assert!(
        request
            .headers
            .iter()
            .all(|(k, _)| *k == k.to_ascii_lowercase())
    );
    assert_eq!(request.json(), Some(json!({"model": "llama3.2:3b"})));
    assert_eq!(request.connection_id, 1);
}

#[test]
fn queued_replies_respect_path_filter_and_times() {
    let server = TestServer::start();
    server.push_reply(
        Reply::status_json(503, "busy")
            .retry_after(3)
            .for_path("/api/generate")
            .times(2),
    );
    server.push_reply(Reply::status_json_signin(
        401,
        "unauthorized",
        "https://example.invalid/connect",
    ));
    assert_eq!(server.pending_replies(), 3);
    let mut client = Client::connect(&server);

    let first = client.request("GET", "/api/version", b"");
    assert_eq!(first.status(), 401);
    let signin: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(signin["signin_url"], "https://example.invalid/connect");

    let version = client.request("GET", "/api/version", b"");
    assert_eq!(version.status(), 200);
    for _ in 0..2 {
        let busy = client.request("POST", "/api/generate", br#"{"model":"x"}"#);
        assert_eq!(
            (busy.status(), busy.header("retry-after")),
            (503, Some("3"))
        );
    }
    assert_eq!(server.pending_replies(), 0);
}

#[test]
fn shutdown_closes_idle_keep_alive_connections() {
    let server = TestServer::start();
    let mut client = Client::connect(&server);
    assert_eq!(client.request("GET", "/", b"").status(), 200);
    let started = Instant::now();
    drop(server);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(client.at_eof());
}

#[test]
fn recordings_index() {
    let all = Recording::all();
    assert_eq!(all.len(), 62);
    assert!(all.iter().all(|r| !r.name.starts_with("v1-")));
    let hello = Recording::load("lcg-chat-stream-gemma3-hello.ndjson");
    assert_eq!(
        (
            hello.route,
            hello.status,
            hello.stream,
            hello.tier.as_deref()
        ),
        (Route::Chat, 200, true, Some("A"))
    );
    assert_eq!(hello.lines().len(), 51);
    let error = Recording::load("lcg-error-400-context-length.json");
    assert_eq!(
        (error.route, error.status, error.stream),
        (Route::Chat, 400, false)
    );
    assert!(Recording::try_load("v1-rubyllm-cloud-401-unauthorized.json").is_err());
}

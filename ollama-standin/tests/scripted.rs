//! Scripted replies and faults, the matcher rules, the request log, the script file and the
//! binary.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use ollama_standin::script::Script;
use ollama_standin::{Model, Reply, Server};
use serde_json::{Value, json};
use support::{get, post};

fn chat(model: &str, text: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": text}]})
}

#[test]
fn first_matching_reply_wins_and_the_rest_fall_back_to_the_model() {
    let server = Server::builder()
        .model(Model::text("m", "fine"))
        .model(Model::text("n", "ok"))
        .start()
        .unwrap();
    server.push_reply(Reply::status_json(500, "for n").for_model("n"));
    server.push_reply(
        Reply::status_json(503, "busy")
            .for_text("boom")
            .retry_after(3),
    );
    server.push_reply(Reply::status_json(502, "later").for_text("boom"));
    let addr = server.addr();
    let busy = post(addr, "/api/chat", chat("m", "go boom"));
    assert_eq!(busy.status, 503);
    assert_eq!(busy.header("retry-after"), Some("3"));
    assert_eq!(post(addr, "/api/chat", chat("m", "boom again")).status, 502);
    let normal = post(addr, "/api/chat", chat("m", "boom"));
    assert_eq!(normal.status, 200);
    assert_eq!(normal.lines()[0]["message"]["content"], "fine");
    assert_eq!(
        post(addr, "/api/chat", chat("n", "x")).json(),
        json!({"error": "for n"})
    );
    assert_eq!(server.pending_replies(), 0);
}

#[test]
fn always_replies_are_never_used_up() {
    let server = Server::start().unwrap();
    server.push_reply(
        Reply::status_text(429, "slow down")
            .for_path("/api/tags")
            .always(),
    );
    for _ in 0..3 {
        let response = get(server.addr(), "/api/tags");
        assert_eq!(response.status, 429);
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
    assert_eq!(get(server.addr(), "/api/version").status, 200);
}

#[test]
fn quota_429_has_the_cloud_text() {
    let server = Server::start().unwrap();
    server.push_reply(Reply::quota_exceeded("ana", false));
    server.push_reply(Reply::quota_exceeded("ana", true));
    let session = post(server.addr(), "/api/chat", chat("m", "x"));
    assert_eq!(session.status, 429);
    assert_eq!(session.header("retry-after"), None);
    assert_eq!(
        session.text(),
        r#"{"error":"you (ana) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade"}"#
    );
    let weekly = post(server.addr(), "/api/chat", chat("m", "x"));
    assert!(weekly.text().contains("your weekly usage limit"));
}

#[test]
fn faults_on_the_models_own_answer() {
    let server = Server::builder()
        .model(Model::text("m", "one two three four"))
        .start()
        .unwrap();
    server.push_reply(Reply::model_default().error_line_after(2, "runner crashed"));
    let lines = post(server.addr(), "/api/chat", chat("m", "x")).lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["message"]["content"], " two");
    assert_eq!(lines[2], json!({"error": "runner crashed"}));

    server.push_reply(Reply::model_default().close_after_lines(1));
    let truncated = post(server.addr(), "/api/chat", chat("m", "x")).lines();
    assert_eq!(truncated.len(), 1);
    assert_eq!(truncated[0]["done"], false);
}

#[test]
fn reset_and_slow_headers() {
    let server = Server::builder()
        .model(Model::text("m", "a b c"))
        .start()
        .unwrap();
    server.push_reply(Reply::model_default().reset_after_bytes(10));
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    let body = chat("m", "x").to_string();
    write!(
        stream,
        "POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    let err = loop {
        let mut buf = [0u8; 4096];
        match stream.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(err) => break Some(err),
        }
    };
    assert_eq!(
        err.map(|e| e.kind()),
        Some(std::io::ErrorKind::ConnectionReset)
    );

    server.push_reply(Reply::status_json(200, "x").delay_before_head(Duration::from_millis(300)));
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    stream
        .write_all(b"GET /api/tags HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 16];
    let early = stream.read(&mut buf);
    assert!(early.is_err(), "the head came before the delay: {early:?}");
}

#[test]
fn every_request_is_in_the_log() {
    let server = Server::start().unwrap();
    post(server.addr(), "/api/chat", chat("m", "hello"));
    get(server.addr(), "/api/tags");
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, "/api/chat");
    assert_eq!(log[0].header("content-type"), Some("application/json"));
    assert_eq!(log[0].json().unwrap()["messages"][0]["content"], "hello");
    assert_eq!(log[1].path_only(), "/api/tags");
}

const SCRIPT: &str = r#"{
  "version": "0.12.0",
  "models": [
    {"name": "echo"},
    {"name": "agent", "tools": true, "reply": {"turns": [{"tool_calls": [{"name": "f", "arguments": {"x": 1}}]}]}},
    {"name": "emb", "embedding_length": 4}
  ],
  "replies": [
    {"match": {"path": "/api/chat", "text": "quota"}, "quota": {"account": "ana", "weekly": true}},
    {"match": {"model": "flaky"}, "status": 503, "error": "busy", "retry_after": 2, "times": 2},
    {"match": {"text": "crash"}, "default": true, "error_line_after": {"lines": 1, "message": "boom"}},
    {"match": {"path": "/html"}, "status": 502, "html": "<h1>bad gateway</h1>", "always": true}
  ]
}"#;

#[test]
fn the_script_file_configures_models_version_and_replies() {
    let server = Script::parse(SCRIPT)
        .unwrap()
        .apply(Server::builder())
        .unwrap()
        .start()
        .unwrap();
    let addr = server.addr();
    assert_eq!(
        get(addr, "/api/version").json(),
        json!({"version": "0.12.0"})
    );
    assert!(
        post(addr, "/api/chat", chat("echo", "quota please"))
            .text()
            .contains("weekly usage limit")
    );
    for _ in 0..2 {
        let flaky = post(
            addr,
            "/api/generate",
            json!({"model": "flaky", "prompt": "x"}),
        );
        assert_eq!(
            (flaky.status, flaky.header("retry-after")),
            (503, Some("2"))
        );
    }
    let crash = post(addr, "/api/chat", chat("echo", "crash now")).lines();
    assert_eq!(crash.last().unwrap(), &json!({"error": "boom"}));
    let tags = get(addr, "/api/tags").json();
    assert_eq!(tags["models"].as_array().unwrap().len(), 3);
    let mut body = chat("agent", "x");
    body["stream"] = json!(false);
    body["tools"] = json!([{"type": "function", "function": {"name": "f"}}]);
    assert_eq!(
        post(addr, "/api/chat", body).json()["message"]["tool_calls"][0]["function"]["arguments"],
        json!({"x": 1})
    );
}

#[test]
fn bad_scripts_say_where() {
    let unknown = Script::parse(r#"{"models": [{"name": "m", "colour": "red"}]}"#).unwrap_err();
    assert!(
        unknown.to_string().contains("unknown field `colour`"),
        "{unknown}"
    );
    let two = Script::parse(r#"{"replies": [{"error": "a", "text": "b"}]}"#).unwrap_err();
    assert!(
        two.to_string().starts_with("replies[0]: give at most one"),
        "{two}"
    );
    let nameless = Script::parse(r#"{"models": [{"family": "x"}]}"#).unwrap_err();
    assert_eq!(nameless.to_string(), "models[0]: `name` is required");
}

/// The binary with `args`, listening on a free port: the child and the address it printed.
fn spawn_binary(args: &[&std::ffi::OsStr]) -> (std::process::Child, std::net::SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ollama-standin"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{line:?}"));
    (child, url.parse().unwrap())
}

/// Sends SIGTERM and expects a clean exit.
fn terminate(mut child: std::process::Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn the_binary_serves_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("standin-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _cleanup = Cleanup(dir.clone());
    let script = dir.join("script.json");
    std::fs::write(&script, SCRIPT).unwrap();
    let (child, addr) = spawn_binary(&["--script".as_ref(), script.as_os_str()]);
    assert_eq!(
        get(addr, "/api/version").json(),
        json!({"version": "0.12.0"})
    );
    terminate(child);
}

/// `--model NAME` serves a model that reasons the way its family does.
#[test]
fn the_binarys_models_reason_like_their_family() {
    let args = [
        "qwen3:8b",
        "deepseek-r1:7b",
        "gpt-oss:20b",
        "llama3.2",
        "nomic-embed-text",
    ]
    .iter()
    .flat_map(|name| ["--model".as_ref(), name.as_ref()])
    .collect::<Vec<&std::ffi::OsStr>>();
    let (child, addr) = spawn_binary(&args);
    let ask = |model: &str, think: bool| {
        let mut body = chat(model, "Why is the sky blue?");
        body["stream"] = json!(false);
        body["think"] = json!(think);
        post(addr, "/api/chat", body)
    };
    let qwen = ask("qwen3:8b", true).json();
    assert!(
        !qwen["message"]["thinking"].as_str().unwrap().is_empty(),
        "{qwen}"
    );
    assert_eq!(qwen["message"]["content"], "Why is the sky blue?");
    let qwen_off = ask("qwen3:8b", false).json();
    assert_eq!(qwen_off["message"].get("thinking"), None, "{qwen_off}");
    let r1 = ask("deepseek-r1:7b", true).json();
    assert!(
        r1["message"]["content"]
            .as_str()
            .unwrap()
            .starts_with("<think>"),
        "{r1}"
    );
    let oss = ask("gpt-oss:20b", false).json();
    assert!(
        !oss["message"]["thinking"].as_str().unwrap().is_empty(),
        "{oss}"
    );
    let llama = ask("llama3.2", true);
    assert_eq!(llama.status, 400);
    assert_eq!(
        llama.json(),
        json!({"error": "\"llama3.2\" does not support thinking"})
    );
    let embed = post(
        addr,
        "/api/embed",
        json!({"model": "nomic-embed-text", "input": "hi"}),
    )
    .json();
    assert_eq!(embed["embeddings"][0].as_array().unwrap().len(), 768);
    terminate(child);
}

#[test]
fn the_binary_refuses_bad_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_ollama-standin"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown argument \"--bogus\""));
}

struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

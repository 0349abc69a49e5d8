//! The `otlp_export` example, run for real: a child process with `OTEL_EXPORTER_OTLP_ENDPOINT`
//! pointing at a loopback OTLP/HTTP receiver started here, replaying a recorded chat; the
//! receiver checks what arrived (path, encoding, resource, the span's name, kind and GenAI
//! attributes).
//!
//! No test harness: `main` is the test, or (in the child) the example itself.
#![allow(clippy::unwrap_used)]

#[path = "../examples/otlp_export.rs"]
mod example;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

const CHILD: &str = "OTLP_EXAMPLE_CHILD";

/// One request the receiver got.
struct Received {
    head: String,
    body: Vec<u8>,
}

fn main() {
    if std::env::var_os(CHILD).is_some() {
        example::main();
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || receive(&listener, &tx));

    let out = Command::new(std::env::current_exe().unwrap())
        .arg("--replay")
        .env(CHILD, "1")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{addr}"))
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_PROTOCOL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the example failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.starts_with("answer: "), "{stdout}");

    let got = rx
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| {
            panic!("nothing reached the OTLP receiver at {addr}:\n{stdout}\n{stderr}")
        });
    let head = got.head.to_ascii_lowercase();
    assert!(
        head.starts_with("post /v1/traces http/1.1\r\n"),
        "{}",
        got.head
    );
    assert!(
        head.contains("\r\ncontent-type: application/json"),
        "{}",
        got.head
    );
    let export: Value = serde_json::from_slice(&got.body).unwrap();
    check(&export);
    println!("otlp_example: the example's span arrived at the OTLP receiver as expected");
}

/// The span as OTLP/JSON carries it.
fn check(export: &Value) {
    let resource = &export["resourceSpans"][0];
    assert_eq!(
        attribute(&resource["resource"]["attributes"], "service.name"),
        &serde_json::json!({"stringValue": "ollama-otlp-example"})
    );
    let spans: Vec<&Value> = resource["scopeSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["spans"].as_array().unwrap())
        .collect();
    assert_eq!(spans.len(), 1, "{export:#}");
    let span = spans[0];
    assert_eq!(span["name"], "chat gemma3:1b", "{span:#}");
    // SPAN_KIND_CLIENT
    assert_eq!(span["kind"], 3, "{span:#}");
    let attributes = &span["attributes"];
    let string = |key: &str| attribute(attributes, key)["stringValue"].clone();
    let int = |key: &str| attribute(attributes, key)["intValue"].clone();
    assert_eq!(string("gen_ai.operation.name"), "chat");
    assert_eq!(string("gen_ai.provider.name"), "ollama");
    assert_eq!(string("gen_ai.request.model"), "gemma3:1b");
    assert_eq!(string("gen_ai.response.model"), "gemma3:1b");
    assert_eq!(string("gen_ai.response.finish_reasons"), r#"["stop"]"#);
    assert_eq!(string("server.address"), "127.0.0.1");
    // OTLP/JSON writes 64-bit integers as strings.
    assert_eq!(int("gen_ai.usage.input_tokens"), "16");
    assert_eq!(int("gen_ai.usage.output_tokens"), "22");
    let ttfc = attribute(attributes, "gen_ai.response.time_to_first_chunk")["doubleValue"]
        .as_f64()
        .unwrap();
    assert!(ttfc > 0.0 && ttfc < 10.0, "{ttfc}");
    for key in ["gen_ai.input.messages", "gen_ai.output.messages"] {
        assert!(
            attributes
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["key"] != key),
            "{key} exported without opt-in"
        );
    }
}

/// The value of `key` in an OTLP/JSON attribute list.
fn attribute<'a>(attributes: &'a Value, key: &str) -> &'a Value {
    attributes
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key)
        .map(|a| &a["value"])
        .unwrap_or_else(|| panic!("no attribute {key} in {attributes:#}"))
}

/// Answers every OTLP request with 200 and an empty JSON response; sends the first traces
/// request on `tx`. Bounded: the test process ends when `main` returns.
fn receive(listener: &TcpListener, tx: &mpsc::Sender<Received>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let end = line == "\r\n";
            head.push_str(&line);
            if end {
                break;
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            continue;
        }
        let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
        let _ = reader.get_mut().write_all(reply.as_bytes());
        let _ = tx.send(Received { head, body });
    }
}

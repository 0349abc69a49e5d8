//! One end-to-end measurement against `stream_server`, in a process of its own so that its CPU
//! time and peak RSS are this client's alone.
//!
//! ```text
//! e2e_client --port P --kind KIND [--chunks N] [--streams S] [--interval-us U]
//! ```
//!
//! Prints one JSON object: the CPU time (user + sys, every thread, `getrusage`) from just
//! before the request to the end of the stream, µs per chunk, wall time, what was received
//! against what the server sent (token events and decoded text bytes, or body bytes for the
//! discarding lower bound), and `VmHWM`.
//!
//! Kinds (`-inline`: the body is read inside the consumer's poll instead of a spawned task):
//!
//! - `lower-bound-discard[-inline]`: hyper's `client::conn::http1`, body frames discarded.
//! - `lower-bound-serde[-inline]`: the same plus memchr line splitting and
//!   `serde_json::from_slice` into a borrowing struct ([`benches::baseline`]).
//! - `lower-bound-discard-mt`, `lower-bound-serde-mt`: the same on a multi-thread runtime.
//! - `lower-bound-serde-mt-main`: `lower-bound-serde` on a multi-thread runtime with the body
//!   read by `block_on` on the main thread, as `#[tokio::main]` does (the like-for-like bound of
//!   `hyper-mt`).
//! - `floor`: no request, only a runtime and a client: this binary's own peak RSS.
//! - `hyper-ct`, `hyper-mt`: `ollama_hyper` on a current-thread /
//!   multi-thread tokio runtime (`block_on` on the main thread, as `#[tokio::main]` does).
//! - `hyper-mt-spawned`: the same with the consumer in a task spawned on the multi-thread
//!   runtime (every thread involved is then a worker).
//! - `smol`: `ollama_smol` under `async_io::block_on`.
//! - `blocking`: `ollama_blocking` on the main thread, no runtime (the stream an iterator).
//! - `ollama-rs-ct`, `ollama-rs-mt`: the ollama-rs crate's `send_chat_messages_stream`
//!   (needs the `ollama-rs` feature; without it, a JSON `skipped` note).
//! - `conc-hyper`, `conc-smol`: `--streams` concurrent streams through one client
//!   (multi-thread tokio / one async-executor thread), `--chunks` stamped lines each, the
//!   server pausing `--interval-us` before each; latency = receive time − the server's send
//!   time written in the line.
#![allow(missing_docs)]

use std::time::Instant;

use benches::baseline::{self, LineBuffer};
use benches::e2e::{self, Expected, MODEL, Params};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use ollama_proto::OwnedEvent;
use ollama_proto::types::{ChatRequest, Message};
use serde_json::json;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone)]
struct Args {
    port: u16,
    kind: String,
    chunks: u64,
    streams: usize,
    interval_us: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 0,
        kind: String::new(),
        chunks: 200_000,
        streams: 1_000,
        interval_us: 20_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || -> Result<u64, String> {
            value
                .parse()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--port" => args.port = number()? as u16,
            "--kind" => args.kind.clone_from(&value),
            "--chunks" => args.chunks = number()?,
            "--streams" => args.streams = number()? as usize,
            "--interval-us" => args.interval_us = number()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.port == 0 || args.kind.is_empty() {
        return Err(
            "usage: e2e_client --port P --kind KIND [--chunks N] [--streams S] \
                    [--interval-us U]"
                .into(),
        );
    }
    Ok(args)
}

/// What one streaming read received.
#[derive(Debug, Clone, Copy, Default)]
struct Received {
    /// Thinking/content events (or lines with text, for the lower bounds).
    tokens: u64,
    /// Decoded text bytes of those events.
    text_bytes: u64,
    /// HTTP body bytes (the discarding lower bound counts only these).
    body_bytes: u64,
    /// The final object arrived.
    done: bool,
}

/// CPU and wall time of the measured part, and peak RSS right after it.
#[derive(Debug, Clone, Copy)]
struct Measured {
    cpu_us: u64,
    /// Of `cpu_us`, in the kernel (syscalls, loopback TCP receive).
    sys_us: u64,
    wall_us: u64,
    hwm_kib: u64,
    /// Resident anonymous memory (heap, stacks) at the end.
    anon_kib: u64,
    /// Resident file pages (the binary's code and data, libc) at the end.
    file_kib: u64,
}

struct Meter {
    cpu: (u64, u64),
    wall: Instant,
}

impl Meter {
    fn start() -> Self {
        Self {
            cpu: e2e::cpu_times_us(),
            wall: Instant::now(),
        }
    }

    fn stop(&self) -> Measured {
        let (user, sys) = e2e::cpu_times_us();
        Measured {
            cpu_us: user + sys - self.cpu.0 - self.cpu.1,
            sys_us: sys - self.cpu.1,
            wall_us: self.wall.elapsed().as_micros() as u64,
            hwm_kib: e2e::vm_hwm_kib(),
            anon_kib: e2e::proc_status_kib("RssAnon"),
            file_kib: e2e::proc_status_kib("RssFile"),
        }
    }
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("e2e_client: {e}");
            std::process::exit(2);
        }
    };
    let result = if args.kind.starts_with("conc-") {
        concurrent(&args)
    } else {
        single(&args)
    };
    match result {
        Ok(report) => println!("{report}"),
        Err(e) => {
            println!(
                "{}",
                json!({"kind": args.kind, "error": e.to_string(), "ok": false})
            );
            std::process::exit(1);
        }
    }
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// One stream of `--chunks` realistic lines.
fn single(args: &Args) -> Result<serde_json::Value, BoxError> {
    let params = Params {
        chunks: args.chunks,
        interval_us: 0,
        stamp: false,
    };
    let port = args.port;
    let (received, measured) = match args.kind.as_str() {
        "lower-bound-discard" => current_thread().block_on(lower_bound(port, params, false, true)),
        "lower-bound-discard-inline" => {
            current_thread().block_on(lower_bound(port, params, false, false))
        }
        "lower-bound-serde" => current_thread().block_on(lower_bound(port, params, true, true)),
        "lower-bound-serde-inline" => {
            current_thread().block_on(lower_bound(port, params, true, false))
        }
        "lower-bound-discard-mt" => multi_thread().block_on(lower_bound(port, params, false, true)),
        "lower-bound-serde-mt" => multi_thread().block_on(lower_bound(port, params, true, true)),
        "lower-bound-serde-mt-main" => {
            multi_thread().block_on(lower_bound(port, params, true, false))
        }
        "floor" => current_thread().block_on(floor(port)),
        "hyper-ct" => current_thread().block_on(hyper_client(port, params)),
        "hyper-mt" => multi_thread().block_on(hyper_client(port, params)),
        "hyper-mt-spawned" => multi_thread().block_on(async move {
            tokio::spawn(hyper_client(port, params))
                .await
                .map_err(BoxError::from)
                .and_then(|r| r)
        }),
        "smol" => async_io::block_on(smol_client(port, params)),
        "blocking" => blocking_client(port, params),
        "ollama-rs-ct" | "ollama-rs-mt" => {
            #[cfg(feature = "ollama-rs")]
            {
                let rt = if args.kind == "ollama-rs-ct" {
                    current_thread()
                } else {
                    multi_thread()
                };
                rt.block_on(ollama_rs_client(port, params))
            }
            #[cfg(not(feature = "ollama-rs"))]
            {
                return Ok(json!({
                    "kind": args.kind,
                    "skipped": "built without the `ollama-rs` feature (benches/e2e.sh enables it)",
                }));
            }
        }
        other => return Err(format!("unknown kind {other}").into()),
    }?;

    // Checked after the measurement, against a body regenerated here.
    let expected = Expected::realistic(args.chunks);
    let ok = if args.kind == "floor" {
        true
    } else if args.kind.starts_with("lower-bound-discard") {
        received.body_bytes == expected.body_bytes
    } else {
        received.done
            && received.tokens == expected.tokens
            && received.text_bytes == expected.text_bytes
    };
    Ok(json!({
        "kind": args.kind,
        "chunks": args.chunks,
        "cpu_us": measured.cpu_us,
        "sys_us": measured.sys_us,
        "cpu_us_per_chunk": measured.cpu_us as f64 / args.chunks as f64,
        "wall_us": measured.wall_us,
        "hwm_kib": measured.hwm_kib,
        "anon_kib": measured.anon_kib,
        "file_kib": measured.file_kib,
        "ok": ok,
        "tokens": received.tokens,
        "expected_tokens": expected.tokens,
        "text_bytes": received.text_bytes,
        "expected_text_bytes": expected.text_bytes,
        "body_bytes": received.body_bytes,
        "expected_body_bytes": expected.body_bytes,
        "done": received.done,
    }))
}

/// The request body every client sends (as our transports serialise a `ChatRequest`).
fn request_body(params: &Params) -> Vec<u8> {
    let body = json!({
        "model": MODEL,
        "messages": [{"role": "user", "content": params.prompt()}],
        "stream": true,
        "think": true,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// hyper's minimal client: one `client::conn::http1` connection, the body read frame by frame
/// in a spawned task (`task`) or in the caller's future; `parse`: memchr + serde_json per line.
async fn lower_bound(
    port: u16,
    params: Params,
    parse: bool,
    task: bool,
) -> Result<(Received, Measured), BoxError> {
    let meter = Meter::start();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    tcp.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
    tokio::spawn(conn);
    let request = http::Request::post("/api/chat")
        .header(http::header::HOST, format!("127.0.0.1:{port}"))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(request_body(&params))))?;
    let response = sender.send_request(request).await?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()).into());
    }
    let body = response.into_body();
    let read = async move {
        if parse {
            read_parse(body).await
        } else {
            read_discard(body).await
        }
    };
    let received = if task {
        tokio::spawn(read).await??
    } else {
        read.await?
    };
    Ok((received, meter.stop()))
}

async fn read_discard(mut body: Incoming) -> Result<Received, hyper::Error> {
    let mut received = Received::default();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            received.body_bytes += data.len() as u64;
        }
    }
    received.done = true;
    Ok(received)
}

async fn read_parse(mut body: Incoming) -> Result<Received, hyper::Error> {
    let mut received = Received::default();
    let mut lines = LineBuffer::default();
    let mut per_line = |line: &[u8]| -> u64 {
        let parsed: baseline::Line<'_> = serde_json::from_slice(line).expect("valid line");
        let (tokens, text) = e2e::text_of(&parsed);
        received.tokens += tokens;
        received.text_bytes += text;
        received.done |= parsed.done;
        1
    };
    let mut body_bytes = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            body_bytes += data.len() as u64;
            lines.feed(&data, &mut per_line);
        }
    }
    lines.finish(&mut per_line);
    received.body_bytes = body_bytes;
    Ok(received)
}

fn chat_request(params: &Params) -> ChatRequest {
    ChatRequest::new(MODEL, vec![Message::user(params.prompt())]).think(true)
}

fn count(received: &mut Received, event: &OwnedEvent) {
    match event {
        OwnedEvent::Thinking(t) => {
            received.tokens += 1;
            received.text_bytes += t.len() as u64;
        }
        OwnedEvent::Content(c) => {
            received.tokens += 1;
            received.text_bytes += c.len() as u64;
        }
        OwnedEvent::Done(_) => received.done = true,
        _ => {}
    }
}

/// The process alone: a runtime and a ollama_hyper client, no request (the RSS floor of
/// this binary).
async fn floor(port: u16) -> Result<(Received, Measured), BoxError> {
    let meter = Meter::start();
    let client = ollama_hyper::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()?;
    drop(client);
    Ok((Received::default(), meter.stop()))
}

async fn hyper_client(port: u16, params: Params) -> Result<(Received, Measured), BoxError> {
    let client = ollama_hyper::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()?;
    let meter = Meter::start();
    let mut stream = client.chat_stream(chat_request(&params)).await?;
    let mut received = Received::default();
    while let Some(event) = stream.next_event().await {
        count(&mut received, &event?);
    }
    Ok((received, meter.stop()))
}

async fn smol_client(port: u16, params: Params) -> Result<(Received, Measured), BoxError> {
    let client = ollama_smol::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()?;
    let meter = Meter::start();
    let mut stream = client.chat_stream(chat_request(&params)).await?;
    let mut received = Received::default();
    while let Some(event) = stream.next_event().await {
        count(&mut received, &event?);
    }
    Ok((received, meter.stop()))
}

fn blocking_client(port: u16, params: Params) -> Result<(Received, Measured), BoxError> {
    let client: ollama_blocking::Client = ollama_blocking::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()?
        .into();
    let meter = Meter::start();
    let mut received = Received::default();
    for event in client.chat_stream(chat_request(&params))? {
        count(&mut received, &event?);
    }
    Ok((received, meter.stop()))
}

#[cfg(feature = "ollama-rs")]
async fn ollama_rs_client(port: u16, params: Params) -> Result<(Received, Measured), BoxError> {
    use futures_lite::StreamExt;
    use ollama_rs::Ollama;
    use ollama_rs::generation::chat::ChatMessage;
    use ollama_rs::generation::chat::request::ChatMessageRequest;

    let ollama = Ollama::builder()
        .host("http://127.0.0.1")
        .port(port)
        .build();
    let meter = Meter::start();
    let request =
        ChatMessageRequest::new(MODEL.to_owned(), vec![ChatMessage::user(params.prompt())]);
    let mut stream = ollama.send_chat_messages_stream(request).await?;
    let mut received = Received::default();
    while let Some(item) = stream.next().await {
        let Ok(response) = item else {
            return Err("ollama-rs stream error".into());
        };
        let message = &response.message;
        if let Some(t) = message.thinking.as_deref().filter(|t| !t.is_empty()) {
            received.tokens += 1;
            received.text_bytes += t.len() as u64;
        }
        if !message.content.is_empty() {
            received.tokens += 1;
            received.text_bytes += message.content.len() as u64;
        }
        received.done |= response.done;
    }
    Ok((received, meter.stop()))
}

/// What the concurrent streams received.
#[derive(Debug, Default)]
struct StreamsResult {
    /// Latency of every stamped chunk, in µs.
    latencies: Vec<u32>,
    /// Streams that ended with `Done` and all their chunks.
    complete: usize,
    /// Streams that failed (the first error is kept).
    failed: usize,
    first_error: Option<String>,
}

impl StreamsResult {
    fn add(&mut self, one: Result<Vec<u32>, String>, chunks: u64) {
        match one {
            Ok(lat) => {
                if lat.len() as u64 == chunks {
                    self.complete += 1;
                }
                self.latencies.extend(lat);
            }
            Err(e) => {
                self.failed += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }
}

/// `--streams` concurrent streams through one client.
fn concurrent(args: &Args) -> Result<serde_json::Value, BoxError> {
    let params = Params {
        chunks: args.chunks,
        interval_us: args.interval_us,
        stamp: true,
    };
    let (port, streams) = (args.port, args.streams);
    let base = format!("http://127.0.0.1:{port}");
    let meter;
    let mut result = StreamsResult::default();
    match args.kind.as_str() {
        "conc-hyper" => {
            let rt = multi_thread();
            // As many connections as streams (the default limit, 512, would queue the rest).
            let pool = ollama_proto::pool::PoolOptions::default().max_connections(streams);
            let config = ollama_hyper::ClientBuilder::default()
                .base_url(base)
                .into_config()?;
            let client = ollama_hyper::Client::with_transport_options(config, &pool)?;
            meter = Meter::start();
            rt.block_on(async {
                let tasks: Vec<_> = (0..streams)
                    .map(|_| {
                        let client = client.clone();
                        tokio::spawn(hyper_stamped(client, params))
                    })
                    .collect();
                for task in tasks {
                    let one = task.await.map_err(|e| e.to_string()).and_then(|r| r);
                    result.add(one, params.chunks);
                }
            });
        }
        "conc-smol" => {
            let pool = ollama_proto::pool::PoolOptions::default().max_connections(streams);
            let config = ollama_smol::ClientBuilder::default()
                .base_url(base)
                .into_config()?;
            let client = ollama_smol::Client::with_transport_options(config, &pool)?;
            let ex = async_executor::LocalExecutor::new();
            meter = Meter::start();
            async_io::block_on(ex.run(async {
                let tasks: Vec<_> = (0..streams)
                    .map(|_| {
                        let client = client.clone();
                        ex.spawn(smol_stamped(client, params))
                    })
                    .collect();
                for task in tasks {
                    result.add(task.await, params.chunks);
                }
            }));
        }
        other => return Err(format!("unknown kind {other}").into()),
    }
    let measured = meter.stop();
    let mut lat = std::mem::take(&mut result.latencies);
    lat.sort_unstable();
    let pct = |p: f64| -> u32 {
        if lat.is_empty() {
            return 0;
        }
        lat[((lat.len() - 1) as f64 * p).round() as usize]
    };
    let total = lat.len() as u64;
    let expected = params.chunks * streams as u64;
    Ok(json!({
        "kind": args.kind,
        "streams": streams,
        "chunks_per_stream": params.chunks,
        "interval_us": params.interval_us,
        "chunks": total,
        "ok": total == expected && result.complete == streams,
        "complete_streams": result.complete,
        "failed_streams": result.failed,
        "first_error": result.first_error,
        "cpu_us": measured.cpu_us,
        "sys_us": measured.sys_us,
        "cpu_us_per_chunk": measured.cpu_us as f64 / total.max(1) as f64,
        "wall_us": measured.wall_us,
        "chunks_per_s": total as f64 / (measured.wall_us.max(1) as f64 / 1e6),
        "hwm_kib": measured.hwm_kib,
        "anon_kib": measured.anon_kib,
        "file_kib": measured.file_kib,
        "lat_p50_us": pct(0.50),
        "lat_p99_us": pct(0.99),
        "lat_p999_us": pct(0.999),
        "lat_max_us": lat.last().copied().unwrap_or(0),
    }))
}

/// The latency of one stamped content chunk: now − the server's send time, in µs.
fn latency_us(content: &str) -> Result<u32, String> {
    let now = e2e::unix_nanos();
    let sent: u64 = content
        .parse()
        .map_err(|_| format!("not a stamp: {content}"))?;
    Ok(u32::try_from(now.saturating_sub(sent) / 1_000).unwrap_or(u32::MAX))
}

/// Adds one event of a stamped stream; `Ok(true)` at `Done`.
fn on_stamped(latencies: &mut Vec<u32>, event: OwnedEvent) -> Result<bool, String> {
    match event {
        OwnedEvent::Content(c) => latencies.push(latency_us(&c)?),
        OwnedEvent::Done(_) => return Ok(true),
        _ => {}
    }
    Ok(false)
}

async fn hyper_stamped(client: ollama_hyper::Client, params: Params) -> Result<Vec<u32>, String> {
    let mut stream = client
        .chat_stream(chat_request(&params))
        .await
        .map_err(|e| e.to_string())?;
    let mut latencies = Vec::with_capacity(params.chunks as usize);
    let mut done = false;
    while let Some(event) = stream.next_event().await {
        done |= on_stamped(&mut latencies, event.map_err(|e| e.to_string())?)?;
    }
    done.then_some(latencies)
        .ok_or_else(|| "stream ended without Done".into())
}

async fn smol_stamped(client: ollama_smol::Client, params: Params) -> Result<Vec<u32>, String> {
    let mut stream = client
        .chat_stream(chat_request(&params))
        .await
        .map_err(|e| e.to_string())?;
    let mut latencies = Vec::with_capacity(params.chunks as usize);
    let mut done = false;
    while let Some(event) = stream.next_event().await {
        done |= on_stamped(&mut latencies, event.map_err(|e| e.to_string())?)?;
    }
    done.then_some(latencies)
        .ok_or_else(|| "stream ended without Done".into())
}

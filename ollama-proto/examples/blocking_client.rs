//! A complete blocking Ollama client over `std::net::TcpStream`: the core's `Exchange` makes
//! every decision (retries, deadlines, status routing, the end of the answer), ureq-proto
//! frames HTTP/1.1, and this file only connects, writes, reads and sleeps. It streams a chat
//! with the reasoning printed apart.
//!
//! ```sh
//! cargo run -p ollama-proto --example blocking_client -- --replay   # a recorded answer
//! cargo run -p ollama-proto --example blocking_client -- "Why is the sky blue?"
//! ```
#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // this file is the transport: IO and a clock

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ollama_proto::exchange::{Action, Exchange};
use ollama_proto::types::{ChatRequest, Message};
use ollama_proto::{ClientConfig, Event, Streaming};
use ureq_proto::client::state::{RecvBody, RecvResponse};
use ureq_proto::client::{Call, RecvResponseResult, SendRequestResult};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let replay = args.iter().any(|a| a == "--replay");
    let prompt = args.iter().find(|a| !a.starts_with("--"));
    let prompt = prompt.map_or("Why is the sky blue?", String::as_str);
    let mut chat = ChatRequest::new("qwen3:8b", [Message::user(prompt)]).think(true);
    let _server; // the stand-in serving a real recorded answer, kept alive while we talk to it
    let config = if replay {
        const RECORDING: &str = "prism-chat-stream-gptoss-thinking.ndjson";
        let server = testkit::TestServer::start();
        server.push_reply(testkit::Reply::recording(RECORDING));
        chat = testkit::conformance::recorded_chat(RECORDING);
        let config = ClientConfig::new(server.url().parse()?);
        _server = server;
        config
    } else {
        ClientConfig::from_env()?
    };
    let request = Streaming(chat);
    let mut ex = Exchange::stream(
        &config.idle_timeout(Duration::from_secs(60)),
        &request,
        Instant::now(),
    )?;
    let (mut socket, mut head, mut body) = (None, None, None::<Call<RecvBody>>);
    let mut buf = Vec::new();
    // Bounded by the exchange: each turn gives it an input, and it ends every call.
    loop {
        while let Some(event) = ex.poll_event() {
            match event? {
                Event::Thinking(t) => eprint!("\x1b[2m{t}\x1b[0m"),
                Event::Content(c) => print!("{c}"),
                Event::Done(d) => println!("\n[{:?} tokens]", d.metrics.eval_count),
                _ => {}
            }
        }
        let now = Instant::now();
        let wait = ex.poll_timeout().map(|at| {
            at.saturating_duration_since(now)
                .max(Duration::from_millis(1))
        });
        match ex.poll_action() {
            Action::Connect { .. } => {
                let url = ex.request().uri();
                let addr = format!(
                    "{}:{}",
                    url.host().unwrap_or_default(),
                    url.port_u16().unwrap_or(80)
                );
                match TcpStream::connect(addr) {
                    Ok(s) => {
                        socket = Some(s);
                        ex.on_connected(Instant::now(), false);
                    }
                    Err(e) => ex.on_connect_failed(e.into(), Instant::now()),
                }
            }
            Action::SendRequest => {
                let s = socket.as_mut().ok_or("no socket")?;
                if head.is_none() {
                    let (wire, call) = encode(ex.request())?;
                    if let Err(e) = s.write_all(&wire) {
                        ex.on_send_failed(e.into(), false, Instant::now());
                        continue;
                    }
                    head = Some(call);
                }
                s.set_read_timeout(wait)?;
                match read_more(s, &mut buf) {
                    Ok(0) => ex.on_send_failed(
                        "closed before the head".into(),
                        !buf.is_empty(),
                        Instant::now(),
                    ),
                    Ok(_) => {
                        let call = head.as_mut().ok_or("no call")?;
                        let (used, response) = call.try_response(&buf, false)?;
                        buf.drain(..used);
                        if let Some(response) = response {
                            if let Some(RecvResponseResult::RecvBody(b)) =
                                head.take().and_then(|c| c.proceed())
                            {
                                body = Some(b);
                            }
                            ex.on_head(
                                response.status().as_u16(),
                                response.headers(),
                                Instant::now(),
                            );
                        }
                    }
                    Err(e) if timed_out(&e) => ex.handle_timeout(Instant::now()),
                    Err(e) => ex.on_send_failed(e.into(), !buf.is_empty(), Instant::now()),
                }
            }
            Action::ReadBody => {
                let Some(call) = body.as_mut() else {
                    ex.on_end(Instant::now()); // a head with no body
                    continue;
                };
                let mut out = vec![0; 16 * 1024];
                let (used, n) = call.read(&buf, &mut out)?;
                buf.drain(..used);
                if n > 0 {
                    ex.on_body(&out[..n], Instant::now()); // de-framed bytes, never chunk sizes
                } else if call.can_proceed() {
                    ex.on_end(Instant::now());
                } else if used == 0 {
                    let s = socket.as_mut().ok_or("no socket")?;
                    s.set_read_timeout(wait)?;
                    match read_more(s, &mut buf) {
                        Ok(0) if call.is_ended_chunked() => ex.on_end(Instant::now()),
                        Ok(0) => ex.on_body_failed(
                            "closed before the end of the body".into(),
                            Instant::now(),
                        ),
                        Ok(_) => {}
                        Err(e) if timed_out(&e) => ex.handle_timeout(Instant::now()),
                        Err(e) => ex.on_body_failed(e.into(), Instant::now()),
                    }
                }
            }
            Action::Retry(at) => {
                (socket, head, body) = (None, None, None);
                buf.clear();
                std::thread::sleep(at.saturating_duration_since(Instant::now()));
                ex.handle_timeout(Instant::now());
            }
            // Done: a pooled client would keep the socket when `body_ended`; we just close it.
            Action::Finish { .. } => break,
            _ => return Err("an action this example does not know".into()),
        }
    }
    while let Some(event) = ex.poll_event() {
        event?; // a failure found at the very end (e.g. a truncated stream)
    }
    Ok(())
}

/// The request on the wire (ureq-proto writes the origin-form target and `Host`).
fn encode(
    request: &http::Request<bytes::Bytes>,
) -> Result<(Vec<u8>, Call<RecvResponse>), BoxError> {
    let mut head = http::Request::new(());
    *head.method_mut() = request.method().clone();
    *head.uri_mut() = request.uri().clone();
    *head.headers_mut() = request.headers().clone();
    head.headers_mut()
        .insert(http::header::CONTENT_LENGTH, request.body().len().into());
    let mut call = Call::new(head)?.proceed();
    let (mut wire, mut scratch) = (Vec::new(), vec![0; 64 * 1024]);
    while !call.can_proceed() {
        let n = call.write(&mut scratch)?;
        wire.extend_from_slice(&scratch[..n]);
    }
    let Some(SendRequestResult::SendBody(mut call)) = call.proceed()? else {
        return Err("a chat request has a body".into());
    };
    let mut input = &request.body()[..];
    while !input.is_empty() {
        let (used, n) = call.write(input, &mut scratch)?;
        wire.extend_from_slice(&scratch[..n]);
        input = &input[used..];
    }
    let (_, n) = call.write(&[], &mut scratch)?;
    wire.extend_from_slice(&scratch[..n]);
    Ok((wire, call.proceed().ok_or("body not finished")?))
}

fn read_more(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0; 16 * 1024];
    let n = s.read(&mut chunk)?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

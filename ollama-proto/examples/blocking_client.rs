//! A complete blocking Ollama client over `std::net`: the core's `Exchange` makes every decision
//! (retries, deadlines, status routing, the end of the answer), ureq-proto frames HTTP/1.1, and
//! this file connects, writes, reads and sleeps. Run with `--replay` or a prompt.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // this file is the transport: IO and a clock

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ollama_proto::connect::ConnectError;
use ollama_proto::exchange::{Action, Exchange};
use ollama_proto::types::{ChatRequest, Message};
use ollama_proto::{ClientConfig, Event, Streaming};
use ureq_proto::client::state::{RecvBody, RecvResponse};
use ureq_proto::client::{Call, RecvResponseResult, SendRequestResult};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    const RECORDING: &str = "prism-chat-stream-gptoss-thinking.ndjson";
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Why is the sky blue?".into());
    let server = (prompt == "--replay").then(testkit::TestServer::start); // a recorded answer
    let (chat, config) = match &server {
        Some(server) => {
            server.push_reply(testkit::Reply::recording(RECORDING));
            let chat = testkit::conformance::recorded_chat(RECORDING);
            (chat, ClientConfig::new(server.url().parse()?))
        }
        None => {
            let chat = ChatRequest::new("qwen3:8b", [Message::user(prompt)]).think(true);
            (chat, ClientConfig::from_env()?)
        }
    };
    let request = Streaming(chat);
    let config = config.idle_timeout(Duration::from_secs(60));
    let mut ex = Exchange::stream(&config, &request, Instant::now())?;
    let (mut socket, mut head, mut body) = (None::<TcpStream>, None, None::<Call<RecvBody>>);
    let (mut buf, mut out) = (Vec::new(), vec![0; 16 * 1024]);
    // Bounded by the exchange: each turn gives it an input, and it ends every call.
    loop {
        while let Some(event) = ex.poll_event() {
            match event? {
                Event::Thinking(t) => eprint!("\x1b[2m{t}\x1b[0m"),
                Event::Content(c) => print!("{c}"),
                Event::Done(_) => println!(),
                _ => {}
            }
        }
        let now = Instant::now();
        match ex.poll_action() {
            Action::Connect { .. } => {
                let uri = ex.request().uri();
                let addr = (uri.host().unwrap_or_default(), uri.port_u16().unwrap_or(80));
                match TcpStream::connect(addr) {
                    Ok(s) => (socket, _) = (Some(s), ex.on_connected(now, false)),
                    Err(e) => ex.on_connect_failed(ConnectError::server(e), now),
                }
                continue;
            }
            Action::SendRequest if head.is_none() => {
                let (wire, call) = encode(ex.request())?;
                match socket.as_mut().ok_or("no socket")?.write_all(&wire) {
                    Ok(()) => head = Some(call),
                    Err(e) => ex.on_send_failed(e.into(), false, now),
                }
                continue;
            }
            Action::SendRequest => {
                let (used, response) = head.as_mut().ok_or("no call")?.try_response(&buf, false)?;
                buf.drain(..used);
                if let Some(response) = response {
                    body = match head.take().and_then(|c| c.proceed()) {
                        Some(RecvResponseResult::RecvBody(b)) => Some(b),
                        _ => None, // no body (e.g. 204)
                    };
                    ex.on_head(response.status().as_u16(), response.headers(), now);
                    continue;
                }
            }
            Action::ReadBody => {
                let Some(call) = body.as_mut() else {
                    ex.on_end(now); // a head with no body
                    continue;
                };
                let (used, n) = call.read(&buf, &mut out)?;
                buf.drain(..used);
                if n > 0 {
                    ex.on_body(&out[..n], now); // de-framed bytes, never chunk sizes
                } else if call.can_proceed() {
                    ex.on_end(now);
                }
                if n > 0 || used > 0 || call.can_proceed() {
                    continue;
                }
            }
            Action::Retry(at) => {
                (socket, head, body, buf) = (None, None, None, Vec::new());
                std::thread::sleep(at.saturating_duration_since(now));
                ex.handle_timeout(Instant::now());
                continue;
            }
            // Done: a pooled client would keep the socket when `body_ended`; we just close it.
            Action::Finish { .. } => break,
            _ => return Err("an action this example does not know".into()),
        }
        // The exchange waits for bytes: read some, until its next deadline at most.
        let s = socket.as_mut().ok_or("no socket")?;
        let wait = ex.poll_timeout().map(|t| t.saturating_duration_since(now));
        s.set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))))?;
        let mut chunk = [0; 16 * 1024];
        let (now, in_body) = (Instant::now(), body.is_some());
        match s.read(&mut chunk) {
            Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                ex.handle_timeout(now)
            }
            Ok(_) if body.as_ref().is_some_and(|b| b.is_ended_chunked()) => ex.on_end(now),
            Ok(_) if in_body => ex.on_body_failed("closed before the end of the body".into(), now),
            Ok(_) => ex.on_send_failed("closed before the head".into(), !buf.is_empty(), now),
            Err(e) if in_body => ex.on_body_failed(e.into(), now),
            Err(e) => ex.on_send_failed(e.into(), !buf.is_empty(), now),
        }
    }
    while let Some(event) = ex.poll_event() {
        event?; // a failure found at the very end (e.g. a truncated stream)
    }
    Ok(())
}

/// The request on the wire: ureq-proto writes the head (origin-form target, `Host`); with a
/// `Content-Length` the body follows as it is.
fn encode(
    request: &http::Request<bytes::Bytes>,
) -> Result<(Vec<u8>, Call<RecvResponse>), BoxError> {
    let (parts, body) = request.clone().into_parts();
    let mut head = http::Request::from_parts(parts, ());
    head.headers_mut()
        .insert(http::header::CONTENT_LENGTH, body.len().into());
    let mut call = Call::new(head)?.proceed();
    let mut wire = vec![0; 64 * 1024 + body.len()];
    let head_len = call.write(&mut wire)?; // the whole head: it fits
    let Some(SendRequestResult::SendBody(mut call)) = call.proceed()? else {
        return Err("a chat request has a body".into());
    };
    let (_, n) = call.write(&body, &mut wire[head_len..])?; // Content-Length: the body as it is
    wire.truncate(head_len + n);
    let call = call.proceed().ok_or("the body was not written whole")?;
    Ok((wire, call))
}

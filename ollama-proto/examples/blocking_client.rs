//! Write your own transport, smallest form: the core's `Exchange` driven by hand over
//! `std::net` for one `GET /api/version`. The exchange decides everything (headers, retries,
//! deadlines, status routing, decoding); this file connects, writes, reads and sleeps.
//!
//! It cuts corners a real transport cannot: one request per connection (`Connection: close`),
//! the answer read to the close before it is looked at (no chunked framing, no streams), and
//! waits not bounded by `Exchange::poll_timeout`. The `ollama-blocking` crate
//! (`transport-blocking/`) is the real thing over the same core: every endpoint, streams as
//! iterators, a pool, HTTP/1.1 framing by ureq-proto, every wait bounded by the deadlines.
//! Run with `--replay` (an in-process testkit server) or against `OLLAMA_HOST`.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)] // this file is the transport: IO and a clock

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use http::{HeaderMap, HeaderName, HeaderValue};
use ollama_proto::ClientConfig;
use ollama_proto::connect::ConnectError;
use ollama_proto::exchange::{Action, Exchange};
use ollama_proto::request::GetVersion;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let server = std::env::args()
        .any(|a| a == "--replay")
        .then(testkit::TestServer::start);
    let config = match &server {
        Some(server) => ClientConfig::new(server.url().parse()?),
        None => ClientConfig::from_env()?,
    };
    let mut ex = Exchange::single(&config, &GetVersion, Instant::now())?;
    let (mut socket, mut answer) = (None::<TcpStream>, Vec::new());
    // Bounded by the exchange: each turn gives it an input, and it ends every call.
    loop {
        let now = Instant::now();
        match ex.poll_action() {
            Action::Connect { .. } => {
                let uri = ex.request().uri();
                let addr = (uri.host().unwrap_or_default(), uri.port_u16().unwrap_or(80));
                match TcpStream::connect(addr) {
                    Ok(s) => (socket, _) = (Some(s), ex.on_connected(now, false)),
                    Err(e) => ex.on_connect_failed(ConnectError::server(e), now),
                }
            }
            Action::SendRequest => {
                let s = socket.as_mut().ok_or("no socket")?;
                match send(s, ex.request()).and_then(|()| Ok(s.read_to_end(&mut answer)?)) {
                    Ok(_) => match head(&answer)? {
                        Some((status, headers, len)) => {
                            answer.drain(..len);
                            ex.on_head(status, &headers, Instant::now());
                        }
                        None => ex.on_send_failed("no complete head".into(), true, now),
                    },
                    Err(e) => ex.on_send_failed(e, false, now),
                }
            }
            Action::ReadBody => {
                ex.on_body(&answer, now); // the whole body, read to the close
                ex.on_end(now);
            }
            Action::Retry(at) => {
                (socket, answer) = (None, Vec::new());
                std::thread::sleep(at.saturating_duration_since(now));
                ex.handle_timeout(Instant::now());
            }
            Action::Finish { .. } => break,
            _ => return Err("an action this example does not know".into()),
        }
    }
    let version = ex.output::<GetVersion>().ok_or("no answer")??;
    println!("Ollama {}", version.version);
    Ok(())
}

/// The request line (origin form), the exchange's headers, then the body.
fn send(s: &mut TcpStream, request: &http::Request<bytes::Bytes>) -> Result<(), BoxError> {
    let (uri, body) = (request.uri(), request.body());
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let host = uri.authority().map_or("", |a| a.as_str());
    let mut wire = format!("{} {target} HTTP/1.1\r\nhost: {host}\r\n", request.method());
    for (name, value) in request.headers() {
        wire.push_str(&format!("{name}: {}\r\n", value.to_str()?));
    }
    wire.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    s.write_all(wire.as_bytes())?;
    Ok(s.write_all(body)?)
}

/// The status, headers and length of the response head, if it is complete.
fn head(bytes: &[u8]) -> Result<Option<(u16, HeaderMap, usize)>, BoxError> {
    let mut parsed = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut parsed);
    let httparse::Status::Complete(len) = response.parse(bytes)? else {
        return Ok(None);
    };
    let mut headers = HeaderMap::new();
    for h in response.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes())?;
        headers.append(name, HeaderValue::from_bytes(h.value)?);
    }
    Ok(Some((response.code.unwrap_or(0), headers, len)))
}

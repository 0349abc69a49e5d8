//! A loopback Ollama stand-in for tests and `--replay`: std threads and `std::net`, no async
//! runtime (the smol transport's tree must stay free of tokio, and blocking writes give exact
//! control for fault injection).
//!
//! ```text
//! client ──TCP──▶ accept loop ──▶ one thread per connection
//!                                   │ parse request (bounded)      http.rs
//!                                   │ log it                        log.rs
//!                                   │ queued Reply? else default    server.rs / routes.rs
//!                                   ▼ write with faults             respond.rs, faults.rs, body.rs
//! ```
//!
//! # Default replies
//! Recordings under [`fixtures_dir`] are indexed at start. A request on a recorded route gets:
//! 1. a recording whose `<name>.request.json` equals the request body as JSON, ignoring `stream`
//!    (and answering the same streaming-ness; error recordings are served only this way), else
//! 2. a 200 recording of the same route, `model` and streaming-ness (`stream` absent means true
//!    on chat/generate/pull), best provenance tier first, else
//! 3. a 200 recording of the same route and streaming-ness, any model (turn off with
//!    [`TestServer::set_model_fallback`]); a `stream:false` pull gets the last line of the
//!    recorded pull stream, else
//! 4. 404 `{"error":"model '<name>' not found"}`.
//!
//! Synthesised: `GET|HEAD /` (`Ollama is running`), `GET|HEAD /api/version`, `POST /api/copy`,
//! `DELETE /api/delete` (200, empty), `POST /api/push` and `/api/create` (short progress stream
//! ending in `{"status":"success"}`), `HEAD|POST /api/blobs/:digest` (uploads are checked against
//! their SHA-256 and remembered). Unknown paths get gin's text/plain `404 page not found`, known
//! paths with the wrong method `405 method not allowed`, missing or malformed JSON bodies 400.
//! ollama.com's account routes `GET /api/balance`, `GET /api/usage`, `POST /api/me` (bearer key
//! required; the documented answers; 400 on a bad query) and the decision route
//! `POST /v1/systemone` (the documented answer to the documented request, else a made-up one).
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! let server = testkit::TestServer::start();
//! server.push_reply(testkit::Reply::status_json(503, "busy").retry_after(2));
//! let mut client = TcpStream::connect(server.addr()).unwrap();
//! client
//!     .write_all(b"GET /api/tags HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
//!     .unwrap();
//! let mut response = String::new();
//! client.read_to_string(&mut response).unwrap();
//! assert!(response.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
//! assert!(response.contains("Retry-After: 2\r\n"));
//! assert!(response.ends_with(r#"{"error":"busy"}"#));
//! ```
#![forbid(unsafe_code)]

mod account_routes;
mod body;
pub mod conformance;
mod decision_routes;
mod faults;
mod http;
mod log;
pub mod netns;
mod proxy_server;
mod recording;
mod reply;
mod respond;
pub mod rlimit;
mod routes;
pub mod scripted;
mod server;
mod sha256;
pub mod telemetry;
pub mod thinking_emulation;
mod tls;

pub use body::ENDLESS_STREAM_MAX_LINES;
pub use decision_routes::{DOCUMENTED_DECISION_ANSWER, DOCUMENTED_DECISION_REQUEST};
pub use faults::WriteSizes;
pub use http::{MAX_REQUEST_BODY, MAX_REQUEST_HEAD};
pub use log::{Disconnect, LOG_LIMIT, ReceivedRequest};
pub use proxy_server::{PROXY_ONLY_HOST, PROXY_USER, ProxyServer};
pub use recording::{FIXTURES_DIR_ENV, Recording, Route, fixtures_dir};
pub use reply::{Framing, JSON, JSON_UTF8, NDJSON, Reply};
pub use routes::VERSION;
pub use server::{MAX_CONNECTIONS, TestServer};
pub use tls::{TLS_VERSION, TestCa, TlsRequest, TlsServer};

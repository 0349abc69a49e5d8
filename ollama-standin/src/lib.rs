//! A stand-in Ollama server for tests: deterministic models configured by name, scripted
//! replies and faults, and a log of every request — no model, no GPU, no network.
//!
//! It runs in-process on std threads (usable from tokio, smol, a blocking test or no runtime
//! at all), or as the `ollama-standin` binary for apps in any language.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use ollama_standin::{Model, Reply, Server};
//!
//! let server = Server::builder().model(Model::text("m", "Hello!")).start().unwrap();
//! server.push_reply(Reply::status_json(503, "busy").retry_after(2).for_path("/api/tags"));
//!
//! let mut client = TcpStream::connect(server.addr()).unwrap();
//! let body = r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":false}"#;
//! write!(client, "POST /api/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
//! let mut response = String::new();
//! client.read_to_string(&mut response).unwrap();
//! assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(response.contains(r#""content":"Hello!""#));
//! assert_eq!(server.requests()[0].json().unwrap()["model"], "m");
//! ```
//!
//! ```text
//! client ──TCP──▶ accept loop ──▶ one thread per connection
//!                                   │ parse request (bounded)      http.rs
//!                                   │ log it                        log.rs
//!                                   │ matching Reply? else default  server.rs / routes.rs
//!                                   │   model's own answer          synth.rs, thinking.rs, schema.rs
//!                                   ▼ write with faults             respond.rs, faults.rs, body.rs
//! ```
//!
//! # Default replies
//! A request naming a configured [`Model`] gets that model's answer: chat and generate
//! (streamed or not, thinking, tool calls, structured `format`), embeddings, `show`, `pull`
//! and `push` progress; `/api/tags` lists the models, `/api/ps` the ones answered so far. With
//! no models and no recordings configured, any model name is an echo model.
//!
//! With a recordings directory ([`Builder::recordings`]), requests for other models are
//! answered from it. A request on a recorded route gets:
//! 1. a recording whose `<name>.request.json` equals the request body as JSON, ignoring `stream`
//!    (and answering the same streaming-ness; error recordings are served only this way), else
//! 2. a 200 recording of the same route, `model` and streaming-ness (`stream` absent means true
//!    on chat/generate/pull), best provenance tier first, else
//! 3. a 200 recording of the same route and streaming-ness, any model (turn off with
//!    [`Server::set_model_fallback`]); a `stream:false` pull gets the last line of the
//!    recorded pull stream, else
//! 4. 404 `{"error":"model '<name>' not found"}`.
//!
//! Always synthesised: `GET|HEAD /` (`Ollama is running`), `GET|HEAD /api/version` (the
//! configured version), `POST /api/copy`, `DELETE /api/delete` (200, empty), `POST /api/push`
//! and `/api/create` (progress ending in `{"status":"success"}`), `HEAD|POST /api/blobs/:digest`
//! (uploads are checked against their SHA-256 and remembered). Unknown paths get gin's
//! text/plain `404 page not found`, known paths with the wrong method `405 method not allowed`,
//! missing or malformed JSON bodies 400. ollama.com's account routes `GET /api/balance`,
//! `GET /api/usage`, `POST /api/me` (bearer key required; the documented answers; 400 on a bad
//! query) and the decision route `POST /v1/systemone` (the documented answer to the documented
//! request, else a made-up one).
//!
//! # Scripted replies and faults
//! [`Server::push_reply`] queues a [`Reply`] with a matcher (path, model, message text): the
//! first queued reply that matches answers, others fall through to the default. A reply can be
//! any status and body, and carry faults: a mid-stream error line, a stall, a reset, a
//! truncation, slow headers, odd write sizes. [`Reply::model_default`] applies faults to the
//! answer the server would have given anyway.
#![forbid(unsafe_code)]

mod account_routes;
mod body;
mod decision_routes;
mod faults;
pub mod http;
mod log;
mod model;
mod recording;
mod reply;
mod respond;
mod routes;
pub mod schema;
pub mod script;
mod server;
mod sha256;
mod synth;
pub mod thinking;
pub mod thinking_emulation;

pub use body::ENDLESS_STREAM_MAX_LINES;
pub use decision_routes::{DOCUMENTED_DECISION_ANSWER, DOCUMENTED_DECISION_REQUEST};
pub use faults::WriteSizes;
pub use http::{MAX_REQUEST_BODY, MAX_REQUEST_HEAD};
pub use log::{Disconnect, LOG_LIMIT, ReceivedRequest};
pub use model::{Behaviour, Model, Pacing, ThinkingStyle, ToolCall, Turn};
pub use recording::{FIXTURES_DIR_ENV, Recording, Route, fixtures_dir};
pub use reply::{Framing, JSON, JSON_UTF8, Match, NDJSON, Reply, quota_message};
pub use routes::VERSION;
pub use server::{Builder, MAX_CONNECTIONS, Server};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

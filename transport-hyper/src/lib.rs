//! An [Ollama](https://ollama.com) client on hyper + tokio: stream a chat, reasoning apart.
//!
//! ```no_run
//! use ollama_hyper::{ChatRequest, Client, Message, OwnedEvent};
//! # async fn run() -> Result<(), ollama_hyper::Error> {
//! let client = Client::from_env()?; // OLLAMA_HOST, or http://127.0.0.1:11434
//! let request = ChatRequest::new("qwen3:8b", vec![Message::user("Why is the sky blue?")]);
//! let mut stream = client.chat_stream(request.think(true)).await?;
//! while let Some(event) = stream.next_event().await {
//!     match event? {
//!         OwnedEvent::Thinking(t) => eprint!("{t}"),
//!         OwnedEvent::Content(c) => print!("{c}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! [`Client`] is the core's generic [`ollama_proto::Client`] over this crate's [`Hyper`]
//! runtime: every endpoint method and every decision of a call (retries, the four deadlines,
//! status routing, body limits, when an answer is complete) is the core's
//! ([`ollama_proto::exchange`]); this crate only connects, writes, reads and sleeps.
//!
//! ```text
//!  Exchange (ollama-proto) ─Action─▶ Hyper: IdlePool / ConnectPlan (TCP, proxy, rustls)
//!                                          hyper::client::conn::http1: request, head
//!                                          body frames ─▶ Exchange::on_body ─▶ events
//!                          ◀─poll_timeout─ tokio::time::Sleep
//! ```
//!
//! One answer, reasoning already split from the content, is one call:
//!
//! ```no_run
//! # use ollama_hyper::{ChatRequest, Client, Message};
//! # async fn run(client: Client) -> Result<(), ollama_hyper::Error> {
//! let answer = client.chat(ChatRequest::new("qwen3:8b", vec![Message::user("Hi")])).await?;
//! println!("{}", answer.message.content);
//! # Ok(()) }
//! ```
//!
//! # Connections and cancellation
//!
//! A [`Client`] holds one small pool of idle HTTP/1.1 connections (the core's
//! [`IdlePool`](ollama_proto::pool::IdlePool) policy, [`PoolOptions`]); clones (and
//! [`Client::with_options`]) share it, so a long-lived service creates
//! one client and clones it into each task.
//!
//! - At most [`PoolOptions::max_connections`] connections are in use at once (512 by
//!   default); a call beyond it waits its turn within its own response-head and total
//!   timeouts ([`ollama_proto::pool::ConnectionLimit`]).
//! - There is no connection task: the task that reads a response drives its connection, so a
//!   body chunk reaches the decoder without waking another thread.
//! - A body read to its end returns its connection to the pool; after the final object, the
//!   rest of the body is read in a small background task (at most
//!   [`DRAIN_MAX_BYTES`](ollama_proto::exchange::DRAIN_MAX_BYTES) for
//!   [`DRAIN_MAX_TIME`](ollama_proto::exchange::DRAIN_MAX_TIME)) so the connection can be
//!   reused, without delaying the caller.
//! - **Dropping an [`EventStream`] before its end closes that request's connection**, and
//!   Ollama stops generating when its client goes away. Dropping the future of a call does the
//!   same. There is no separate `cancel` method: drop is cancellation.
//!
//! # Timeouts, retries, status routing
//!
//! All decided by the core, identically on every transport (see [`ollama_proto::exchange`]
//! and the shared conformance suite): four optional timeouts (connect, response head, idle,
//! total), opt-in retries of calls that are safe to repeat, redirects never followed. By
//! default a connect times out after 30 s and every connection has TCP keepalive (a vanished
//! server is found within about a minute, [`ClientBuilder::tcp_keepalive`]); no other timeout
//! is set, so a model may load for as long as it needs.
//!
//! # Proxies, TLS and credentials
//!
//! `HTTP(S)_PROXY`, `ALL_PROXY`, `NO_PROXY` or [`ClientBuilder::proxy`]: `http://` through a
//! forwarding proxy, `https://` through a CONNECT tunnel ([`ollama_proto::proxy`]). TLS is
//! rustls (ring; no OpenSSL) with the webpki roots, the platform's or both, plus extra CAs
//! and `SSL_CERT_FILE` ([`ollama_proto::tls`]). The API key goes only to the base URL (no
//! redirects) and never appears in `Debug` output, errors or spans.
//!
//! # Errors
//!
//! [`Error`] separates the core's [`Protocol`](Error::Protocol) errors (HTTP status with what
//! the server said, `signin_url` on 401, an error line mid-stream, a stream that ended before
//! its final object, bad JSON, a line over the limit) from [`Usage`](Error::Usage),
//! [`Timeout`](Error::Timeout), [`Connect`](Error::Connect) (nothing reached the server) and
//! [`Io`](Error::Io) (the connection broke after it was made). A connection closed or reset in
//! the middle of an HTTP body is `Io`, because the HTTP framing promised more; a body that ends
//! cleanly before the final NDJSON object is `Protocol(Truncated)`.
//!
//! # Tracing
//!
//! Each request runs in one span with OpenTelemetry's GenAI attributes (`gen_ai.*`, time to
//! first chunk; [`ollama_proto::telemetry`]), recorded by the core alike on every transport.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod conn;
mod net;
pub mod runtime;

// The workspace README's Rust blocks compile as doctests (not run: they need a server).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeQuickStart;

pub use runtime::Hyper;

/// An Ollama client on hyper + tokio: the core's [`ollama_proto::Client`] over [`Hyper`]. Every
/// endpoint method is documented there.
pub type Client = ollama_proto::Client<Hyper>;
/// The events of a streaming call: the core's [`ollama_proto::EventStream`] over [`Hyper`].
pub type EventStream = ollama_proto::EventStream<Hyper>;
/// Builds a [`Client`]: the core's [`ollama_proto::ClientBuilder`].
pub type ClientBuilder = ollama_proto::ClientBuilder<Hyper>;
/// Everything a call can fail with: the core's [`ClientError`](ollama_proto::ClientError), the
/// same type in every transport.
pub use ollama_proto::ClientError as Error;

// The core's types, so that this crate is the only dependency a program needs (the same
// names as `ollama-smol`).
pub use ollama_proto;
pub use ollama_proto::prelude::*;

/// Reads an image file to attach to a message (blocking: a small file read; at most
/// [`MAX_IMAGE_FILE`] bytes), checked to be PNG, JPEG, GIF or WebP.
///
/// # Errors
/// [`ImageFileError`] naming the file: unreadable, too large, or not an image.
pub fn image_from_path(path: impl AsRef<std::path::Path>) -> Result<Image, ImageFileError> {
    let path = path.as_ref();
    ImageFileError::read(path, std::fs::File::open(path))
}

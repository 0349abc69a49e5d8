//! A blocking [Ollama](https://ollama.com) client with no async runtime at all: no tokio, no
//! smol, no executor. Streams are [`Iterator`]s.
//!
//! ```no_run
//! use ollama_blocking::{ChatRequest, Client, Message, OwnedEvent};
//! # fn main() -> Result<(), ollama_blocking::Error> {
//! let client = Client::from_env()?; // OLLAMA_HOST, or http://127.0.0.1:11434
//! let request = ChatRequest::new("qwen3:8b", vec![Message::user("Why is the sky blue?")]);
//! for event in client.chat_stream(request.think(true))? {
//!     match event? {
//!         OwnedEvent::Thinking(t) => eprint!("{t}"),
//!         OwnedEvent::Content(c) => print!("{c}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # How it drives the core
//!
//! Every endpoint, every retry, deadline, status and limit decision is the core's
//! ([`ollama_proto::Client`], [`ollama_proto::exchange`]): [`Client`] wraps the core's
//! generic client over this crate's [`Blocking`] runtime, and each method runs the core's
//! async method to its end on the calling thread. The runtime's futures do their IO inside
//! `poll` (connect, write, read on a `std::net::TcpStream`), so they complete on their first
//! poll; every wait is a socket wait bounded by the deadline the core's run loop passes in
//! (socket timeouts), and a passed deadline is reported as `Pending`, which the core then
//! applies. There is no reactor, no task queue and no timer wheel: the one-future `block`
//! function polls, and parks the thread only if a future of your own (an async tool handler)
//! returns `Pending`, until its waker unparks it.
//!
//! ```text
//! Exchange (ollama-proto) ─Action─▶ Blocking: pool / connect (std::net, rustls)
//!                                             write request, read head (ureq-proto)
//!                                             body bytes ─▶ Exchange::on_body ─▶ events
//!                         ◀─poll_timeout─ socket timeouts, a sleep for a retry's backoff
//! ```
//!
//! HTTP/1.1 is `ureq-proto` through the `ollama-http1` crate, the same code as
//! `ollama-smol`'s.
//!
//! # Connections, cancellation
//!
//! A small pool of idle connections ([`PoolOptions`]: at most 8, each kept 90 s by default),
//! checked with a read that does not wait when taken out. A stream read to its end gives its
//! connection back; dropping an [`EventStream`] before its end closes the connection, so the
//! server stops generating. After the final object, a connection is kept only if the end of
//! its body has already arrived (draining it would keep the caller waiting).
//!
//! # Timeouts, retries, proxies, TLS
//!
//! The same as `ollama-hyper` and `ollama-smol`, decided by the core: four timeouts (connect,
//! response head, idle, total), opt-in retries, `OLLAMA_HOST` and `OLLAMA_API_KEY`, proxies
//! from the environment or the builder (forwarding for `http://`, CONNECT for `https://`),
//! rustls with the webpki roots, the platform's or both, plus extra CAs and `SSL_CERT_FILE`.
//! Host names are resolved by the system resolver, which the connect timeout does not bound.
//!
//! # Threads
//!
//! A [`Client`] is `Send + Sync` and cheap to clone; calls from several threads share its
//! pool. Each call runs on the thread that makes it.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod block;
mod client;
mod net;
pub mod runtime;
mod stream;

pub use client::Client;
pub use runtime::Blocking;
pub use stream::EventStream;

/// Builds a [`Client`]: the core's [`ollama_proto::ClientBuilder`].
pub type ClientBuilder = ollama_proto::ClientBuilder<Client>;
/// Everything a call can fail with: the core's [`ClientError`](ollama_proto::ClientError), the
/// same type in every transport.
pub use ollama_proto::ClientError as Error;

// The core's types, so that this crate is the only dependency a program needs (the same
// names as `ollama-hyper` and `ollama-smol`).
pub use ollama_proto;
pub use ollama_proto::prelude::*;

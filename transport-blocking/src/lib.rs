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
//! Every endpoint, retry, deadline, status and limit decision is the core's
//! ([`ollama_proto::Client`], [`ollama_proto::exchange`]): [`Client`] wraps the core's client
//! over the [`Blocking`] runtime and runs each async method to its end on the calling thread.
//! The runtime's futures do their IO inside `poll` (a `std::net::TcpStream`, HTTP/1.1 by
//! ureq-proto through `ollama-http1`, as in `ollama-smol`), so they complete on their first
//! poll; every wait is a socket wait bounded by the deadline the core's run loop passes in,
//! and a deadline that passes first is `Pending`, which the core then applies. No reactor, no
//! task queue, no timers: the thread parks only if a future of your own (an async tool
//! handler) is `Pending`, until its waker unparks it.
//!
//! # Connections, timeouts, proxies, TLS
//!
//! A small pool ([`PoolOptions`]: 8 idle connections for 90 s by default); a stream read to
//! its end gives its connection back, one dropped before closes it (the server stops
//! generating), and after the final object a connection is kept only if the end of its body
//! has already arrived. Four timeouts, retries, `OLLAMA_HOST`/`OLLAMA_API_KEY`, proxies
//! (forwarding, CONNECT) and rustls roots as in `ollama-hyper` and `ollama-smol`, decided by
//! the core. Host names go to the system resolver, which the connect timeout does not bound.
//! A [`Client`] is `Send + Sync` and cheap to clone; each call runs on the thread making it.
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

/// Builds a [`Client`]: the core's [`ollama_proto::ClientBuilder`] (`build()?.into()`).
pub type ClientBuilder = ollama_proto::ClientBuilder<Blocking>;
/// Everything a call can fail with: the core's [`ClientError`](ollama_proto::ClientError), the
/// same type in every transport.
pub use ollama_proto::ClientError as Error;

// The core's types, so that this crate is the only dependency a program needs (the same
// names as `ollama-hyper` and `ollama-smol`).
pub use ollama_proto;
pub use ollama_proto::prelude::*;

/// Reads an image file to attach to a message (at most [`MAX_IMAGE_FILE`] bytes), checked to
/// be PNG, JPEG, GIF or WebP; fails with an [`ImageFileError`] naming the file.
pub fn image_from_path(path: impl AsRef<std::path::Path>) -> Result<Image, ImageFileError> {
    let path = path.as_ref();
    ImageFileError::read(path, std::fs::File::open(path))
}

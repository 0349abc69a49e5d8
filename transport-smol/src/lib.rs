//! An [Ollama](https://ollama.com) client on smol / async-io (no tokio anywhere in its tree).
//!
//! ```no_run
//! use ollama_smol::{ChatRequest, Client, Message, OwnedEvent};
//! # fn main() -> Result<(), ollama_smol::Error> { async_io::block_on(async {
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
//! # Ok(()) }) }
//! ```
//!
//! Any executor works (`smol::block_on` is `async_io::block_on`).
//!
//! # How it drives the core
//!
//! [`Client`] is the core's generic [`ollama_proto::Client`] over this crate's [`Smol`]
//! runtime: every endpoint method, every retry, deadline, status and limit decision is the
//! core's ([`ollama_proto::exchange`]); this crate only connects, writes, reads and sleeps.
//!
//! ```text
//! Exchange (ollama-proto) ─Action─▶ Smol: IdlePool / ConnectPlan (async-net, rustls)
//!                                         write request, read head (ureq-proto)
//!                                         body bytes ─▶ Exchange::on_body ─▶ events
//!                         ◀─poll_timeout─ async_io::Timer
//! ```
//!
//! # The HTTP/1.1 implementation: ureq-proto
//!
//! Requests and responses go through `ureq-proto`'s sans-IO client state machine (ureq's own
//! protocol core, pinned to `~0.7.1` since it is a 0.x support crate, with only its `client`
//! feature) over an [`async_net::TcpStream`], or a `futures_rustls` stream over one for https.
//! The `ollama-http1` crate (shared with `ollama-blocking`) feeds it socket bytes and writes
//! its output; it decides the request line and headers, `Content-Length`/chunked/
//! close-delimited framing, 1xx handling and whether a connection may be reused.
//!
//! Why not hyper's `client::conn::http1` with smol-hyper adapters, the other candidate:
//! **hyper 1.x always depends on tokio** (`tokio` with its `sync` feature, for the channels of
//! its client dispatcher), so it cannot pass this crate's rule of no tokio in the normal tree
//! (`.ci/extra-checks`). ureq-proto also fits the project's sans-IO style.
//!
//! Numbers (`cargo tree -p ollama-smol -e normal`, and `tests/smol_specific.rs::throughput`
//! in a debug build on the 2-core CI machine, loopback testkit server):
//!
//! - **dependencies**: 61 crates in the normal tree without the `rustls` feature (ollama-proto
//!   and serde included; ureq-proto adds itself, `log` and base64 0.23), 74 with it
//!   (futures-rustls, webpki-roots, rustls-native-certs).
//! - **throughput**: one 16 MB body in 64 KiB chunks: about 40 MB/s through socket, HTTP
//!   de-chunking and the decoder's line buffer; 50 sequential streamed chats of a 25.6 KB
//!   recording written line by line, on one pooled connection: 250–350 streams/s. Both are far
//!   above what a model produces; the decoder, not the transport, is the hot path.
//!
//! # Executor and connection pool
//!
//! There are no connection tasks and no executor of the crate's own: with a sans-IO HTTP/1.1
//! core, all IO happens inside the futures you poll (a call's future, or
//! [`EventStream::next_event`]), on whatever executor you use. Sockets and timers register with
//! async-io's global reactor (driven by `async_io::block_on` or async-io's fallback thread);
//! host names are resolved by async-net on the `blocking` thread pool.
//!
//! Each [`Client`] (and its clones) owns a small pool of idle connections: the core's
//! [`IdlePool`](ollama_proto::pool::IdlePool), the same policy as ollama-hyper's (at most
//! [`PoolOptions::max_idle`], 8 by default, each kept at most [`PoolOptions::idle_expiry`],
//! 90 s, on this runtime's clock; the most recent first). A connection goes back to the pool
//! only after its response body was read to the end and HTTP allows reuse. Nothing watches an
//! idle connection; when one is taken out, a non-blocking read checks that the server has not
//! closed it. If a reused connection still turns out closed before any response byte, a call
//! that is safe to repeat is sent once more on a new connection.
//!
//! # Cancellation
//!
//! Dropping an [`EventStream`] before `Done` drops its socket, which closes the connection;
//! Ollama then cancels the request's context and stops generating. Dropping a call's future
//! does the same. A stream read to its end (`next_event` returned `None`) returns its
//! connection to the pool.
//!
//! # Proxies and TLS
//!
//! The same rules as ollama-hyper, decided by the core: `HTTP(S)_PROXY`, `ALL_PROXY`,
//! `NO_PROXY` or [`ClientBuilder::proxy`] ([`ollama_proto::proxy`]; `http://` through a
//! forwarding proxy, `https://` through a CONNECT tunnel), and the webpki roots, the
//! platform's or both, plus extra CAs and `SSL_CERT_FILE` ([`ollama_proto::tls`]). The core's
//! [`ConnectPlan`](ollama_proto::connect::ConnectPlan) says how to connect; the rustls
//! configuration comes from `ollama-net`, built on the first `https://` connection.
//!
//! # Timeouts, retries, errors
//!
//! All decided by the core, identically on both transports: see [`ollama_proto::exchange`]
//! and the shared conformance suite. By default a connect times out after 30 s and every
//! connection has TCP keepalive (a vanished server is found within about a minute,
//! [`ClientBuilder::tcp_keepalive`]); no other timeout is set, so a model may load for as
//! long as it needs.
//!
//! # Differences from ollama-hyper
//!
//! - The HTTP/1.1 engine is ureq-proto, not hyper: the same behaviour on the wire (checked by
//!   the shared conformance suite), different texts inside `Io`/`Connect` sources.
//! - Idle connections are checked with a non-blocking read when taken out (ollama-hyper asks
//!   its HTTP layer whether the connection is ready).
//! - No background tasks: after `Done` a connection is kept only if the end of its body has
//!   already arrived; otherwise it is closed.
//! - Request bodies are always sent with `Content-Length`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod net;
pub mod runtime;

pub use runtime::Smol;

/// An Ollama client on smol / async-io: the core's [`ollama_proto::Client`] over [`Smol`].
/// Every endpoint method is documented there.
pub type Client = ollama_proto::Client<Smol>;
/// The events of a streaming call: the core's [`ollama_proto::EventStream`] over [`Smol`].
pub type EventStream = ollama_proto::EventStream<Smol>;
/// Builds a [`Client`]: the core's [`ollama_proto::ClientBuilder`].
pub type ClientBuilder = ollama_proto::ClientBuilder<Smol>;
/// Everything a call can fail with: the core's [`ClientError`](ollama_proto::ClientError), the
/// same type in every transport.
pub use ollama_proto::ClientError as Error;

// The core's types, so that this crate is the only dependency a program needs (the same
// names as `ollama-hyper`).
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

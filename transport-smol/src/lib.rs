//! An [Ollama](https://ollama.com) client on smol / async-io: a thin IO loop around the sans-IO
//! [`ollama_proto`] core. No tokio anywhere in its dependency tree.
//!
//! # Quick start
//!
//! ```no_run
//! use ollama_proto::types::{ChatRequest, Message};
//! use ollama_proto::OwnedEvent;
//! use transport_smol::Client;
//!
//! # fn main() -> Result<(), transport_smol::Error> {
//! smol::block_on(async {
//!     let client = Client::from_env()?; // OLLAMA_HOST, default http://127.0.0.1:11434
//!     let request = ChatRequest::new("gemma3", vec![Message::user("Why is the sky blue?")]);
//!     let mut stream = client.chat_stream(request).await?;
//!     while let Some(event) = stream.next_event().await {
//!         match event? {
//!             OwnedEvent::Thinking(t) => eprint!("{t}"),
//!             OwnedEvent::Content(c) => print!("{c}"),
//!             OwnedEvent::Done(done) => println!("\n[{:?} tokens]", done.metrics.eval_count),
//!             _ => {}
//!         }
//!     }
//!     Ok(())
//! })
//! # }
//! ```
//!
//! (`smol::block_on` is `async_io::block_on`; any executor works.)
//!
//! # How it drives the core
//!
//! Everything about the protocol is in `ollama-proto`; this crate only moves bytes and sleeps.
//!
//! ```text
//! typed request ─build_request─▶ http::Request ─hyper http1─▶ socket (async-net, rustls)
//! response head ─status─▶ Decoder::with_status (streams) / BodyCollector (single answers)
//! body frames   ─feed─▶ decoder ─poll_event─▶ EventStream ─▶ you
//! Deadlines     ─poll_timeout─▶ async_io::Timer        RetryPolicy ─next_delay─▶ backoff
//! ```
//!
//! [`EventStream`] runs the loop of the core's docs: drain `poll_event`; stop after `Done` or
//! an error; read one body frame (`feed`, or `finish` at the end of the body); when nothing
//! can be read, arm one timer at `Deadlines::poll_timeout` and wait.
//!
//! # The HTTP/1.1 implementation: hyper's client connection
//!
//! Requests go through [`hyper::client::conn::http1`] over an [`async_net::TcpStream`] (or a
//! `futures_rustls` stream over it), adapted to hyper's IO traits by `smol_hyper::rt::FuturesIo`
//! (smol-hyper with its default features off: one module of ~130 lines). The alternative was
//! ureq-proto, a sans-IO HTTP/1.1 state machine; it was not chosen because:
//!
//! - **same engine as transport-hyper**: chunked decoding, keep-alive rules, header parsing and
//!   the ways a body can end early behave identically in both transports, which is what the
//!   shared conformance suite checks. The only difference is the runtime under it.
//! - **cost**: hyper without `server`, `http2` or hyper-util adds hyper, httparse, h2-free
//!   `http-body(-util)`, `want`, `atomic-waker`, `smallvec`, `futures-channel`/`-util` and
//!   `pin-utils`; `cargo tree -p transport-smol -e normal --no-default-features` lists 44
//!   crates in all (ollama-proto and the smol stack included), 55 with `rustls`.
//! - **speed**: a quick loopback run (debug build, testkit server writing one
//!   `lcg-chat-stream-gemma3-nautical-long.ndjson` body per request, 200 sequential streamed
//!   chats on one pooled connection) measured in `tests/smol_specific.rs::throughput` is far
//!   above what any model produces; the decoder, not the transport, is the hot path.
//!
//! # Executor and connection pool
//!
//! hyper's connection future must be polled even while nobody is reading (to see the server
//! close an idle connection), so each connection runs as a task on **one global
//! `async_executor::Executor` driven by one background thread** named `transport-smol`, started
//! on first use. Your futures run wherever you poll them; sockets and timers come from
//! async-io's reactor, so the client works from any executor.
//!
//! Each [`Client`] (and its clones) owns a small pool of idle connections keyed by origin
//! (`scheme://host:port`): at most [`MAX_IDLE_PER_ORIGIN`] per origin, each kept at most
//! [`IDLE_EXPIRY`]. A connection goes back to the pool only after its response body was read to
//! the end. A request on a pooled connection that the server closed meanwhile (detected before
//! anything was written) is sent again on a new connection.
//!
//! # Cancellation
//!
//! Dropping an [`EventStream`] before `Done` cancels its connection task, which closes the
//! socket; Ollama then cancels the request's context and stops generating. Dropping a call's
//! future does the same. A stream read to `Done` returns its connection to the pool.
//!
//! # Timeouts and retries
//!
//! Four optional timeouts (connect, response head, idle between body chunks, total), all
//! computed by [`ollama_proto::deadline::Deadlines`] from times this crate passes in; none is
//! set by default, so long generations are never cut. Retries are opt-in
//! ([`RetryPolicy`](ollama_proto::retry::RetryPolicy)) and decided by the core: only calls that
//! are safe to repeat, only failures before a response or statuses 429/502/503 (honouring
//! `Retry-After`), never a stream that has started. The total timeout bounds backoffs too.
//!
//! # Errors
//!
//! [`Error::Protocol`] is the core's error (status ≥ 400, error line, truncation, JSON, …);
//! [`Error::Connect`] means nothing reached the server; [`Error::Io`] that the connection broke
//! after it was made. A body that ends cleanly before its final object is the core's
//! `Truncated`; a connection closed or reset in the middle of the HTTP framing (hyper's
//! "incomplete message") is `Io`.
//!
//! # Differences from transport-hyper
//!
//! - The pool is this crate's own (hyper-util's legacy client needs tokio); its limits are fixed
//!   ([`MAX_IDLE_PER_ORIGIN`], [`IDLE_EXPIRY`]).
//! - Connection tasks run on the crate's executor thread rather than on the caller's runtime.
//! - No HTTP proxy support (`HTTP_PROXY` is ignored), like transport-hyper's default connector.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod client;
mod error;
mod exchange;
mod http1;
mod net;
mod pool;
mod stream;

pub use client::{Client, ClientBuilder};
pub use error::{BoxError, Error};
pub use pool::{IDLE_EXPIRY, MAX_IDLE_PER_ORIGIN};
pub use stream::EventStream;

pub use ollama_proto;
pub use ollama_proto::ClientConfig;
pub use ollama_proto::retry::RetryPolicy;
pub use ollama_proto::think::ThinkConfig;

//! Sans-IO protocol core for the [Ollama](https://ollama.com) HTTP API.
//!
//! This crate knows everything about the protocol and nothing about sockets, async runtimes or
//! clocks. A transport (`ollama-hyper` on tokio, `ollama-smol` on smol, or your own loop
//! over any byte source) moves bytes; this crate turns typed requests into
//! [`http::Request<Bytes>`](http::Request) and response bytes, fed in any chunking, into typed
//! events and typed errors.
//!
//! # Data flow
//!
//! ```text
//!  request side   ChatRequest ──build_request──▶ http::Request<Bytes> ──▶ your transport
//!
//!  response side  bytes ─feed─▶ LineFramer ─line─▶ JSON ─fields─▶ ThinkSplitter ─▶ poll_event()
//!                 (any chunking)  (bounded,        (one pass,     (reasoning
//!                                  never rescans)   no allocation)  apart from answer)
//! ```
//!
//! # The run loop
//!
//! After every [`Decoder::feed`] and after [`Decoder::finish`], call [`Decoder::poll_event`]
//! until it returns `None`. `None` means "nothing more until you feed", never an error.
//!
//! ```
//! use ollama_proto::{Decoder, DecoderConfig, Event, StreamKind};
//!
//! # fn read_body() -> Vec<Vec<u8>> {
//! #     vec![
//! #         b"{\"message\":{\"role\":\"assistant\",\"content\":\"<think>hm</th".to_vec(),
//! #         b"ink>42\"},\"done\":false}\n{\"message\":{\"role\":\"assistant\",\"content\":\"\"},".to_vec(),
//! #         b"\"done\":true,\"done_reason\":\"stop\",\"eval_count\":3,\"eval_duration\":1500000000}\n".to_vec(),
//! #     ]
//! # }
//! let mut decoder = Decoder::new(StreamKind::Chat, DecoderConfig::default());
//! let (mut thinking, mut answer) = (String::new(), String::new());
//! for chunk in read_body() {                   // 1. bytes from the network, any size
//!     decoder.feed(&chunk)?;                   // 2. hand them over (Err only on misuse)
//!     while let Some(event) = decoder.poll_event() {   // 3. drain every event
//!         match event? {                       //    a server or wire error, sticky
//!             Event::Thinking(t) => thinking.push_str(t),
//!             Event::Content(c) => answer.push_str(c),
//!             Event::Done(done) => {
//!                 assert_eq!(done.metrics.tokens_per_second(), Some(2.0));
//!             }
//!             _ => {}
//!         }
//!     }
//! }
//! decoder.finish();                            // 4. end of body: a missing `done` is an error
//! while let Some(event) = decoder.poll_event() {
//!     event?;
//! }
//! assert_eq!((thinking.as_str(), answer.as_str()), ("hm", "42"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Invariants
//!
//! - **Chunking does not matter.** For every split of a body, the decoder yields the same
//!   events and the same error (tested at every split point of every recorded response).
//! - **Bounded memory.** A line longer than [`DecoderConfig::max_line_len`] is an error found
//!   while buffering; at most that limit plus one fed chunk is held.
//! - **No panics on any input.** Every bad input is a typed [`Error`] that says where.
//! - **Errors are sticky.** After an error the decoder yields nothing more.
//! - **Two kinds of failure.** [`Error`] is the server's (or the wire's) fault; [`UsageError`]
//!   is the caller's.
//! - **No clock, no IO.** Timeouts are computed by [`deadline::Deadlines`] from times you pass
//!   in; retries are decided by [`retry::RetryPolicy`]; the transport only sleeps and reads.
//!
//! # Modules
//!
//! - [`types`]: typed requests and responses for every endpoint.
//! - [`request`]: building `http::Request<Bytes>` from a typed request.
//! - [`host`]: `OLLAMA_HOST` parsing and the environment helper.
//! - [`proxy`], [`tls`], [`net_env`]: proxy routes (with the sans-IO CONNECT handshake) and
//!   trusted certificate authorities, from the builder and the environment.
//! - [`decoder`], [`event`], [`accumulate`]: the response side.
//! - [`think`]: separating reasoning from answers; [`reasoning`]: one reasoning intent,
//!   resolved per model and server version.
//! - [`response`]: HTTP error bodies and single-object bodies.
//! - [`error`]: the error model.
//! - [`deadline`], [`retry`]: sans-IO timeouts and retry decisions for transports.
//! - [`exchange`]: one call decided from start to end (attempts, retries, deadlines, status
//!   routing, limits, the end of the answer), driven by any transport.
//! - [`tools`]: tools and structured answers from Rust types, the sans-IO tool loop,
//!   conversations.
//! - [`client`]: the one generic [`Client`] over a [`Runtime`] that only moves bytes, with
//!   every endpoint method; [`client_config`], [`client_builder`], [`client_error`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

#[cfg(feature = "schemars")]
pub use schemars;

pub mod accumulate;
pub mod client;
pub mod client_builder;
pub mod client_config;
pub mod client_error;
mod config_error;
pub mod connect;
pub mod deadline;
pub mod decoder;
pub mod embed_decode;
pub mod error;
pub mod event;
pub mod exchange;
#[cfg(feature = "__fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod host;
pub mod keepalive;
pub mod net_env;
pub mod pool;
pub mod prelude;
pub mod proxy;
pub mod reasoning;
pub mod request;
pub mod response;
pub mod retry;
pub mod telemetry;
pub mod think;
pub mod tls;
pub mod tools;
pub mod types;

pub use accumulate::Accumulator;
pub use client::{CallOptions, Client, EventStream, Runtime};
pub use client_builder::ClientBuilder;
pub use client_config::{ClientConfig, ConfigError, Network};
pub use client_error::ClientError;
pub use decoder::{Decoder, DecoderConfig, DecoderState, StreamKind};
pub use error::{
    AccountCallRefusal, BodyKind, BoxError, Error, ErrorKind, JsonError, Position, StatusError,
    UsageError,
};
pub use event::{Completion, Event, OwnedEvent, OwnedProgress, Progress};
pub use host::{ApiKey, BaseUrl, EnvError, Environment, HostError, IntoBaseUrl};
pub use request::{
    Body, Direct, Endpoint, RequestConfig, SingleCall, StreamCall, Streaming, build_request,
};
pub use types::{
    ChatRequest, ChatResponse, EmbedRequest, EmbedResponse, Format, GenerateRequest,
    GenerateResponse, KeepAlive, Message, Options, Think, ThinkLevel,
};

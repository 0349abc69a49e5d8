//! HTTP/1.1 for the transports over the [`ollama_proto`] core that do not use hyper
//! (`ollama-smol` on async-io, `ollama-blocking` on `std::net`): [`ureq_proto`]'s sans-IO
//! client state machine decides every byte (request line and headers, `Content-Length` /
//! chunked / close-delimited framing, 1xx handling, whether a connection may be reused); this
//! crate moves its bytes over an [`Io`]. [`Endpoint`] keeps a client's idle connections in
//! the core's `IdlePool`, under the key of the core's `ConnectPlan`.
//!
//! One implementation for both: an async transport's [`Io`] returns `Pending` and wakes the
//! task like any `AsyncRead`; a blocking one waits on its socket inside the call, at most until
//! the deadline it is told, and returns `Pending` when that passes (the core's run loop then
//! applies the deadline). So [`exchange`] and [`Body::poll_chunk`] are the same code on both.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod endpoint;
mod exchange;

use std::io;
use std::task::{Context, Poll};
use std::time::Instant;

pub use endpoint::Endpoint;
pub use exchange::{Body, Connection, exchange};

/// A byte stream to the server (plain TCP or TLS), read and written poll-style.
///
/// `deadline` is the exchange's next deadline ([`ollama_proto::client::Runtime`] explains it):
/// an async stream ignores it and returns `Pending` after arranging a wake-up, as
/// `AsyncRead`/`AsyncWrite` do; a blocking stream waits at most until `deadline` (forever when
/// `None`, not at all when it is already due) and returns `Pending` when it passed without
/// progress, without a wake-up.
pub trait Io: Send + Unpin + std::fmt::Debug {
    /// Reads into `buf`: `Ok(0)` at the end of the stream.
    fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>>;

    /// Writes from `buf`: how many bytes were taken.
    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>>;

    /// Flushes what was written.
    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>>;
}

//! [`Runtime`]: the narrow IO interface a transport implements — connect, write, read, sleep —
//! and nothing else. Every decision is the core's: the call's by the
//! [`Exchange`](crate::exchange::Exchange), how to connect by the [`ConnectPlan`], which idle
//! connection to reuse by the [`IdlePool`](crate::pool::IdlePool).

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::HeaderMap;

use crate::client_error::ClientError;
use crate::connect::{ConnectError, ConnectPlan};
use crate::error::BoxError;
use crate::pool::{ConnectionLimit, ConnectionPermit};

/// The IO a [`Client`](super::Client) needs: a connection opened as its [`ConnectPlan`] says
/// (or an idle one from an [`IdlePool`](crate::pool::IdlePool)), one request written and its
/// response head read, body bytes, a clock and timers. Implemented by `ollama-hyper` (tokio),
/// `ollama-smol` (async-io) and `ollama-blocking` (`std::net`, no runtime); implement it to run
/// the client on another runtime.
///
/// A runtime holds no protocol knowledge: it never looks at a status, never retries, never
/// decides a timeout, a route or a pool bound. It reports what happened: which step of the
/// plan failed ([`ConnectError`]), and its own IO errors boxed.
///
/// # Deadlines and blocking runtimes
///
/// [`connect`](Self::connect), [`send`](Self::send) and [`poll_body`](Self::poll_body) are told
/// `deadline`: the exchange's next deadline (connect, head, idle or total timeout, error-body
/// stall), `None` when there is none. A runtime on a reactor never blocks and ignores it: the
/// run loop races its futures against [`poll_timer`](Self::poll_timer). A blocking runtime
/// (`ollama-blocking`) does its IO inside `poll`, waiting on the socket at most until
/// `deadline`, and returns `Pending` when it passes; its `poll_timer` then finds the deadline
/// due and the exchange decides. A deadline at or before [`now`](Self::now) means: do not wait.
pub trait Runtime: Clone + Send + Sync + Unpin + 'static {
    /// The transport's own settings (pool size, idle time…), with sensible defaults.
    type Options: Clone + Default + std::fmt::Debug + Send + Sync + 'static;
    /// An open connection, ready for one request.
    type Connection: Send + 'static;
    /// A response body being read; it owns its connection until [`Runtime::release`].
    type Body: Send + Unpin + 'static;
    /// A timer that can be re-armed.
    type Timer: Send + Unpin + 'static;

    /// Builds the transport for the client's server, connecting the way `plan` says (the
    /// address to dial, the tunnel, TLS and its trust, the request-target form; decided once
    /// by the core).
    ///
    /// # Errors
    /// When the plan cannot be carried out at all by this transport.
    fn new(plan: &Arc<ConnectPlan>, options: &Self::Options) -> Result<Self, ClientError>;

    /// The limit on connections in use to the server, shared by the runtime's clones: the
    /// core takes a place under it before [`connect`](Self::connect) and hands it to
    /// [`release`](Self::release) with the body (build it from the options'
    /// [`max_connections`](crate::pool::PoolOptions::max_connections); an
    /// [`IdlePool`](crate::pool::IdlePool) holds one, [`IdlePool::limit`](crate::pool::IdlePool::limit)).
    fn connection_limit(&self) -> &ConnectionLimit;

    /// The current time, from the runtime's clock (so paused-time tests stay consistent).
    fn now(&self) -> Instant;

    /// A connection to the server of the plan given to [`Runtime::new`]: an idle pooled one
    /// that is still open, or a new one when there is none or `fresh` is set. The flag says
    /// whether it came from the pool. A blocking runtime waits at most until `deadline`.
    fn connect(
        &self,
        fresh: bool,
        deadline: Option<Instant>,
    ) -> impl Future<Output = Result<(Self::Connection, bool), ConnectError>> + Send;

    /// Writes `request` (absolute URI) on `connection`, with the plan's
    /// [`TargetForm`](crate::connect::TargetForm), and reads the response head. If the response starts
    /// while the request body is still being written (a 413 during an upload), stop writing
    /// and return that response. A blocking runtime waits at most until `deadline`.
    fn send(
        &self,
        connection: Self::Connection,
        request: &http::Request<Bytes>,
        deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Head<Self::Body>, SendError>> + Send;

    /// The next piece of de-framed body bytes (no chunk sizes, no trailers), `None` at the end
    /// the framing announces, or the failure (reset, closed early, invalid framing). A blocking
    /// runtime waits at most until `deadline`.
    fn poll_body<'b>(
        &self,
        body: &'b mut Self::Body,
        deadline: Option<Instant>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<&'b [u8], BoxError>>>;

    /// The call is done with `body`. When `body_ended`, the connection is between messages and
    /// can go back to the pool. Otherwise it is closed, unless the runtime chooses to read the
    /// rest first (at most [`DRAIN_MAX_BYTES`](crate::exchange::DRAIN_MAX_BYTES) for
    /// [`DRAIN_MAX_TIME`](crate::exchange::DRAIN_MAX_TIME)) without delaying the caller.
    ///
    /// `permit` is the connection's place under the [`connection_limit`](Self::connection_limit):
    /// drop it once the connection is closed or back in the pool (after a drain, if any), not
    /// before, so that the next call finds the idle connection.
    fn release(&self, body: Self::Body, body_ended: bool, permit: ConnectionPermit);

    /// A new timer, not armed.
    fn timer(&self) -> Self::Timer;

    /// Arms `timer` for `at` (if not already) and polls it: `Ready` once `at` has passed.
    fn poll_timer(&self, timer: &mut Self::Timer, at: Instant, cx: &mut Context<'_>) -> Poll<()>;
}

/// A response head and its body.
#[derive(Debug)]
#[non_exhaustive]
pub struct Head<B> {
    /// The final status (interim 1xx heads other than 101 are skipped by the HTTP layer).
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, not read yet.
    pub body: B,
}

impl<B> Head<B> {
    /// A response head.
    pub fn new(status: u16, headers: HeaderMap, body: B) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }
}

/// Writing a request or reading its response head failed.
#[derive(Debug)]
#[non_exhaustive]
pub struct SendError {
    /// The runtime's error.
    pub error: BoxError,
    /// The server sent bytes that are not a valid response head (so it did answer, badly; the
    /// call is not retried). A connection closed or reset before a whole head is `false`.
    pub response_began: bool,
}

impl SendError {
    /// A failure; `response_began` as documented on the field.
    pub fn new(error: impl Into<BoxError>, response_began: bool) -> Self {
        Self {
            error: error.into(),
            response_began,
        }
    }
}

//! [`Blocking`]: the core's [`Runtime`] on `std::net` — connect (pooled), write, read, sleep,
//! each inside `poll`, each wait bounded by the deadline the run loop passes in.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use ollama_http1::{Connection, Endpoint};
use ollama_proto::client::{Head, Runtime, SendError};
use ollama_proto::connect::{ConnectError, ConnectPlan};
use ollama_proto::pool::{ConnectionLimit, ConnectionPermit, PoolOptions};
use ollama_proto::{BoxError, ClientError};

pub use crate::net::Stream;
use ollama_net::Connector;

use crate::net;

/// A response body being received, and its connection.
pub type Body = ollama_http1::Body<Stream>;

/// The blocking runtime: `std::net` sockets with timeouts, HTTP/1.1 by ureq-proto, an
/// idle-connection pool. Its futures do their IO when polled and complete on their first poll;
/// when the core's deadline passes first they return `Pending`, and its timer (a sleep, of what
/// is left of the deadline) lets the core apply it.
#[derive(Debug, Clone)]
pub struct Blocking {
    endpoint: Endpoint<Stream>,
    connector: Arc<Connector>,
}

/// The blocking timer: nothing to arm; polling it parks the thread until the instant (or
/// until the thread is woken).
#[derive(Debug, Default)]
pub struct Sleep;

impl Runtime for Blocking {
    type Options = PoolOptions;
    type Connection = Connection<Stream>;
    type Body = Body;
    type Timer = Sleep;

    fn new(plan: &Arc<ConnectPlan>, options: &PoolOptions) -> Result<Self, ClientError> {
        Ok(Self {
            endpoint: Endpoint::new(plan, options),
            connector: Arc::new(Connector::new(plan)),
        })
    }

    fn connection_limit(&self) -> &ConnectionLimit {
        self.endpoint.limit()
    }

    fn now(&self) -> Instant {
        Instant::now()
    }

    fn connect(
        &self,
        fresh: bool,
        deadline: Option<Instant>,
    ) -> impl Future<Output = Result<(Connection<Stream>, bool), ConnectError>> + Send {
        let pooled = self.endpoint.checkout(fresh, self.now());
        let (endpoint, connector) = (self.endpoint.clone(), Arc::clone(&self.connector));
        async move {
            if let Some(conn) = pooled {
                return Ok((conn, true));
            }
            match net::open(&connector, deadline) {
                Ok(stream) => Ok((endpoint.connected(stream), false)),
                // The deadline passed first: the core names the timeout.
                Err(_) if deadline.is_some_and(|d| Instant::now() >= d) => {
                    std::future::pending().await
                }
                Err(e) => Err(e),
            }
        }
    }

    fn send(
        &self,
        connection: Connection<Stream>,
        request: &http::Request<Bytes>,
        deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Head<Body>, SendError>> + Send {
        let absolute_form = self.endpoint.absolute_form();
        ollama_http1::exchange(connection, request, absolute_form, deadline)
    }

    fn poll_body<'b>(
        &self,
        body: &'b mut Body,
        deadline: Option<Instant>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<&'b [u8], BoxError>>> {
        body.poll_chunk(cx, deadline)
    }

    fn release(&self, body: Body, body_ended: bool, permit: ConnectionPermit) {
        // A body that has not ended is closed: draining it would keep the caller waiting.
        self.endpoint.release(body, body_ended, self.now());
        // Pooled or closed: its place goes to the next call.
        drop(permit);
    }

    fn timer(&self) -> Sleep {
        Sleep
    }

    fn poll_timer(&self, _timer: &mut Sleep, at: Instant, cx: &mut Context<'_>) -> Poll<()> {
        // Reached after a socket wait that ended at `at` (little or nothing left), for a
        // retry's backoff, or while the call waits for a connection under the client's limit:
        // the thread parks until `at`, and a released connection unparks it early (its waker
        // is this thread's, `crate::block`).
        let left = at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Poll::Ready(());
        }
        std::thread::park_timeout(left);
        if Instant::now() >= at {
            return Poll::Ready(());
        }
        // Woken early: poll again at once (the wake re-arms the park `block` does next).
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

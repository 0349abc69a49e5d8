//! [`Hyper`]: the core's [`Runtime`] on tokio — connect (pooled), write, read, sleep.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use ollama_proto::client::{Head, Runtime, SendError};
use ollama_proto::connect::{ConnectError, ConnectPlan};
use ollama_proto::exchange::{DRAIN_MAX_BYTES, DRAIN_MAX_TIME};
use ollama_proto::pool::{ConnectionLimit, ConnectionPermit, IdlePool, PoolOptions};
use ollama_proto::{BoxError, ClientError};
use tokio::time::Sleep;

pub use crate::conn::{Body, Conn};
use ollama_net::Connector;

/// The tokio runtime: hyper's HTTP/1.1 connections, opened as the core's plan says, driven by
/// the task that reads them, idle ones kept in the core's [`IdlePool`]. Calls must run inside
/// a tokio runtime, current-thread or multi-thread.
#[derive(Clone, Debug)]
pub struct Hyper {
    connector: Arc<Connector>,
    pool: IdlePool<Conn>,
}

/// A timer: tokio's `Sleep`, re-armed in place.
#[derive(Debug)]
pub struct HyperTimer(Option<Pin<Box<Sleep>>>);

impl Runtime for Hyper {
    type Options = PoolOptions;
    type Connection = Conn;
    type Body = Body;
    type Timer = HyperTimer;

    fn new(plan: &Arc<ConnectPlan>, options: &PoolOptions) -> Result<Self, ClientError> {
        Ok(Self {
            connector: Arc::new(Connector::new(plan)),
            pool: IdlePool::new(options),
        })
    }

    fn connection_limit(&self) -> &ConnectionLimit {
        self.pool.limit()
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn connect(
        &self,
        fresh: bool,
        _deadline: Option<Instant>,
    ) -> impl Future<Output = Result<(Conn, bool), ConnectError>> + Send {
        let key = self.connector.plan.pool_key();
        let pooled = (!fresh)
            .then(|| self.pool.checkout(key, self.now(), Conn::is_idle_ready))
            .flatten();
        let connector = Arc::clone(&self.connector);
        async move {
            if let Some(conn) = pooled {
                return Ok((conn, true));
            }
            let io = crate::net::open(&connector).await?;
            let conn = Conn::handshake(io).await.map_err(ConnectError::Server)?;
            Ok((conn, false))
        }
    }

    fn send(
        &self,
        connection: Conn,
        request: &http::Request<Bytes>,
        _deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Head<Body>, SendError>> + Send {
        connection.send(request, self.connector.plan.target_form())
    }

    fn poll_body<'b>(
        &self,
        body: &'b mut Body,
        _deadline: Option<Instant>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<&'b [u8], BoxError>>> {
        body.poll_chunk(cx)
    }

    fn release(&self, body: Body, body_ended: bool, permit: ConnectionPermit) {
        if body_ended {
            self.checkin(body.into_conn());
            return drop(permit);
        }
        // A complete answer whose body goes on: read the rest in the background (bounded), so
        // the connection can be reused, without delaying the caller. Outside a runtime (a
        // stream dropped after its runtime), just close it.
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let this = self.clone();
        handle.spawn(async move {
            let mut body = body;
            let mut left = DRAIN_MAX_BYTES;
            let drain = poll_fn(|cx| {
                // Bounded by `left`.
                loop {
                    match body.poll_chunk(cx) {
                        Poll::Ready(None) => return Poll::Ready(true),
                        Poll::Ready(Some(Ok(data))) if data.len() < left => left -= data.len(),
                        Poll::Ready(Some(_)) => return Poll::Ready(false),
                        Poll::Pending => return Poll::Pending,
                    }
                }
            });
            if let Ok(true) = tokio::time::timeout(DRAIN_MAX_TIME, drain).await {
                this.checkin(body.into_conn());
            }
            // The connection is pooled or closed: its place goes to the next call.
            drop(permit);
        });
    }

    fn timer(&self) -> HyperTimer {
        HyperTimer(None)
    }

    fn poll_timer(&self, timer: &mut HyperTimer, at: Instant, cx: &mut Context<'_>) -> Poll<()> {
        let at = tokio::time::Instant::from_std(at);
        let sleep = timer
            .0
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
        if sleep.deadline() != at {
            sleep.as_mut().reset(at);
        }
        sleep.as_mut().poll(cx)
    }
}

impl Hyper {
    /// Keeps a connection whose response was read to its end, if it can carry another request.
    fn checkin(&self, mut conn: Conn) {
        if conn.is_idle_ready() {
            let key = self.connector.plan.pool_key();
            self.pool.checkin(key, conn, self.now());
        }
    }
}

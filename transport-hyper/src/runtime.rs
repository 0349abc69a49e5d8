//! [`Hyper`]: the core's [`Runtime`] on tokio — connect (pooled), write, read, sleep.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use ollama_proto::client::{Head, PoolOptions, Runtime, SendError};
use ollama_proto::client_config::{ClientConfig, Network};
use ollama_proto::client_error::{BoxError, ClientError};
use ollama_proto::exchange::{DRAIN_MAX_BYTES, DRAIN_MAX_TIME};
use tokio::time::Sleep;

pub use crate::conn::{Body, Conn};
use crate::net::Connector;

/// The tokio runtime: hyper's HTTP/1.1 connections, driven by the task that reads them, and
/// a pool of idle ones (a client talks to one server). Calls must run inside a tokio runtime,
/// current-thread or multi-thread.
#[derive(Clone, Debug)]
pub struct Hyper {
    connector: Connector,
    pool: Arc<Mutex<VecDeque<(Conn, Instant)>>>,
    options: Arc<PoolOptions>,
}

/// A timer: tokio's `Sleep`, re-armed in place.
#[derive(Debug)]
pub struct HyperTimer(Option<Pin<Box<Sleep>>>);

impl Runtime for Hyper {
    type Options = PoolOptions;
    type Connection = Conn;
    type Body = Body;
    type Timer = HyperTimer;

    fn new(
        config: &ClientConfig,
        network: &Network,
        options: &PoolOptions,
    ) -> Result<Self, ClientError> {
        Ok(Self {
            connector: Connector::new(config, network),
            pool: Arc::default(),
            options: Arc::new(options.clone()),
        })
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn connect(
        &self,
        _request: &http::Request<Bytes>,
        fresh: bool,
        _deadline: Option<Instant>,
    ) -> impl Future<Output = Result<(Conn, bool), BoxError>> + Send {
        let pooled = if fresh { None } else { self.checkout() };
        let connector = self.connector.clone();
        async move {
            if let Some(conn) = pooled {
                return Ok((conn, true));
            }
            let io = connector.open().await?;
            Ok((Conn::handshake(io).await?, false))
        }
    }

    fn send(
        &self,
        connection: Conn,
        request: &http::Request<Bytes>,
        _deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Head<Body>, SendError>> + Send {
        connection.send(request, self.connector.0.route.forward_proxy().is_some())
    }

    fn poll_body<'b>(
        &self,
        body: &'b mut Body,
        _deadline: Option<Instant>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<&'b [u8], BoxError>>> {
        body.poll_chunk(cx)
    }

    fn release(&self, body: Body, body_ended: bool) {
        if body_ended {
            return self.checkin(body.into_conn());
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
    /// The most recently used idle connection that is still open.
    fn checkout(&self) -> Option<Conn> {
        let now = Instant::now();
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        // Bounded by the pool's size.
        while let Some((mut conn, since)) = pool.pop_back() {
            if now.saturating_duration_since(since) <= self.options.idle_expiry
                && conn.is_idle_ready()
            {
                return Some(conn);
            }
        }
        None
    }

    /// Puts a connection whose response was read to its end back for reuse.
    fn checkin(&self, mut conn: Conn) {
        if !conn.is_idle_ready() {
            return;
        }
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        pool.push_back((conn, Instant::now()));
        while pool.len() > self.options.max_idle {
            pool.pop_front();
        }
    }
}

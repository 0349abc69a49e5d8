//! [`Smol`]: the core's [`Runtime`] on async-io — connect (pooled), write, read, sleep.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use async_io::Timer;
use bytes::Bytes;
use ollama_proto::client::{Head, Runtime, SendError};
use ollama_proto::connect::{ConnectError, ConnectPlan, TargetForm};
use ollama_proto::pool::{IdlePool, PoolOptions};
use ollama_proto::{BoxError, ClientError};

pub use crate::http1::Body;
use crate::http1::{self, Connection};
use crate::net::Connector;

/// The async-io runtime: sockets and timers on async-io's reactor, connections opened as the
/// core's plan says, HTTP/1.1 by ureq-proto, idle connections in the core's [`IdlePool`]. No
/// tasks: all IO happens in the futures you poll.
#[derive(Debug, Clone)]
pub struct Smol {
    pool: IdlePool<Connection>,
    connector: Arc<Connector>,
}

/// A connection being used for one request.
#[derive(Debug)]
pub struct Conn(Connection);

/// A timer and the instant it is armed for.
#[derive(Debug)]
pub struct SmolTimer {
    timer: Timer,
    at: Option<Instant>,
}

impl Runtime for Smol {
    type Options = PoolOptions;
    type Connection = Conn;
    type Body = Body;
    type Timer = SmolTimer;

    fn new(plan: &Arc<ConnectPlan>, options: &PoolOptions) -> Result<Self, ClientError> {
        Ok(Self {
            pool: IdlePool::new(options),
            connector: Arc::new(Connector::new(plan)),
        })
    }

    fn now(&self) -> Instant {
        Instant::now()
    }

    fn connect(
        &self,
        fresh: bool,
    ) -> impl Future<Output = Result<(Conn, bool), ConnectError>> + Send {
        let key = self.connector.plan.pool_key();
        let pooled = (!fresh)
            .then(|| {
                self.pool
                    .checkout(key, self.now(), Connection::is_idle_alive)
            })
            .flatten();
        let connector = Arc::clone(&self.connector);
        async move {
            if let Some(conn) = pooled {
                return Ok((Conn(conn), true));
            }
            let conn = Connection::new(connector.open().await?);
            tracing::debug!(conn = conn.id, to = connector.plan.pool_key(), "connected");
            Ok((Conn(conn), false))
        }
    }

    fn send(
        &self,
        connection: Conn,
        request: &http::Request<Bytes>,
    ) -> impl Future<Output = Result<Head<Body>, SendError>> + Send {
        let absolute_form = self.connector.plan.target_form() == TargetForm::Absolute;
        http1::exchange(connection.0, request, absolute_form)
    }

    fn poll_body<'b>(
        &self,
        body: &'b mut Body,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<&'b [u8], BoxError>>> {
        body.poll_chunk(cx)
    }

    fn release(&self, body: Body, body_ended: bool) {
        // No tasks here: a body that has not ended (the core already read what was buffered)
        // closes its connection.
        if body_ended {
            if let Some(conn) = body.into_reusable() {
                tracing::trace!(conn = conn.id, "connection back in the pool");
                let key = self.connector.plan.pool_key();
                self.pool.checkin(key, conn, self.now());
            }
        }
    }

    fn timer(&self) -> SmolTimer {
        SmolTimer {
            timer: Timer::never(),
            at: None,
        }
    }

    fn poll_timer(&self, timer: &mut SmolTimer, at: Instant, cx: &mut Context<'_>) -> Poll<()> {
        if timer.at != Some(at) {
            timer.timer.set_at(at);
            timer.at = Some(at);
        }
        match Pin::new(&mut timer.timer).poll(cx) {
            Poll::Ready(_) => {
                timer.at = None;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

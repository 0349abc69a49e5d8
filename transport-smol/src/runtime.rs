//! [`Smol`]: the core's [`Runtime`] on async-io — connect (pooled), write, read, sleep.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use async_io::Timer;
use bytes::Bytes;
use ollama_proto::client::{Head, PoolOptions, Runtime, SendError};
use ollama_proto::client_config::{ClientConfig, Network};
use ollama_proto::client_error::{BoxError, ClientError};

use ollama_http1::{Connection, Pool, Target};

use crate::net;
pub use crate::net::Stream;

/// A response body being received, and its connection.
pub type Body = ollama_http1::Body<Stream>;

/// The async-io runtime: sockets and timers on async-io's reactor, HTTP/1.1 by ureq-proto,
/// an idle-connection pool of its own. No tasks: all IO happens in the futures you poll.
#[derive(Debug, Clone)]
pub struct Smol {
    pool: Pool<Stream>,
    target: Arc<Target>,
}

/// A connection being used for one request.
#[derive(Debug)]
pub struct Conn(Connection<Stream>);

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

    fn new(
        config: &ClientConfig,
        network: &Network,
        options: &PoolOptions,
    ) -> Result<Self, ClientError> {
        Ok(Self {
            pool: Pool::new(options.max_idle, options.idle_expiry),
            target: Arc::new(Target::new(config, network)),
        })
    }

    fn now(&self) -> Instant {
        Instant::now()
    }

    fn connect(
        &self,
        _request: &http::Request<Bytes>,
        fresh: bool,
        _deadline: Option<Instant>,
    ) -> impl Future<Output = Result<(Conn, bool), BoxError>> + Send {
        let pooled = if fresh {
            None
        } else {
            self.pool.checkout(&self.target.origin)
        };
        let target = Arc::clone(&self.target);
        async move {
            if let Some(conn) = pooled {
                return Ok((Conn(conn), true));
            }
            let conn = Connection::new(net::connect(&target).await?);
            tracing::debug!(conn = conn.id, origin = %target.origin, "connected");
            Ok((Conn(conn), false))
        }
    }

    fn send(
        &self,
        connection: Conn,
        request: &http::Request<Bytes>,
        _deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Head<Body>, SendError>> + Send {
        ollama_http1::exchange(connection.0, request, self.target.absolute_form(), None)
    }

    fn poll_body<'b>(
        &self,
        body: &'b mut Body,
        _deadline: Option<Instant>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<&'b [u8], BoxError>>> {
        body.poll_chunk(cx, None)
    }

    fn release(&self, body: Body, body_ended: bool) {
        // No tasks here: a body that has not ended (the core already read what was buffered)
        // closes its connection.
        if body_ended {
            if let Some(conn) = body.into_reusable() {
                self.pool.checkin(&self.target.origin, conn);
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

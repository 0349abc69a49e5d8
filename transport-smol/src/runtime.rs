//! [`Smol`]: the core's [`Runtime`] on async-io — connect (pooled), write, read, sleep.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use async_io::Timer;
use bytes::Bytes;
use ollama_http1::{Connection, Endpoint};
use ollama_proto::client::{Head, Runtime, SendError};
use ollama_proto::connect::{ConnectError, ConnectPlan};
use ollama_proto::pool::{ConnectionLimit, ConnectionPermit, PoolOptions};
use ollama_proto::{BoxError, ClientError};

pub use crate::net::Stream;
use ollama_net::Connector;

/// A response body being received, and its connection.
pub type Body = ollama_http1::Body<Stream>;

/// The async-io runtime: sockets and timers on async-io's reactor, connections opened as the
/// core's plan says, HTTP/1.1 by ureq-proto, idle connections in the core's
/// [`IdlePool`](ollama_proto::pool::IdlePool). No tasks: all IO happens in the futures you
/// poll.
#[derive(Debug, Clone)]
pub struct Smol {
    endpoint: Endpoint<Stream>,
    connector: Arc<Connector>,
}

/// A timer and the instant it is armed for.
#[derive(Debug)]
pub struct SmolTimer {
    timer: Timer,
    at: Option<Instant>,
}

impl Runtime for Smol {
    type Options = PoolOptions;
    type Connection = Connection<Stream>;
    type Body = Body;
    type Timer = SmolTimer;

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
        _deadline: Option<Instant>,
    ) -> impl Future<Output = Result<(Connection<Stream>, bool), ConnectError>> + Send {
        let pooled = self.endpoint.checkout(fresh, self.now());
        let (endpoint, connector) = (self.endpoint.clone(), Arc::clone(&self.connector));
        async move {
            match pooled {
                Some(conn) => Ok((conn, true)),
                None => Ok((
                    endpoint.connected(crate::net::open(&connector).await?),
                    false,
                )),
            }
        }
    }

    fn send(
        &self,
        connection: Connection<Stream>,
        request: &http::Request<Bytes>,
        _deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Head<Body>, SendError>> + Send {
        let absolute_form = self.endpoint.absolute_form();
        ollama_http1::exchange(connection, request, absolute_form, None)
    }

    fn poll_body<'b>(
        &self,
        body: &'b mut Body,
        _deadline: Option<Instant>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<&'b [u8], BoxError>>> {
        body.poll_chunk(cx, None)
    }

    fn release(&self, body: Body, body_ended: bool, permit: ConnectionPermit) {
        // No tasks here: a body that has not ended is closed.
        self.endpoint.release(body, body_ended, self.now());
        // Pooled or closed: its place goes to the next call.
        drop(permit);
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

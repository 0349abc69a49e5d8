//! [`EventStream`]: the events of one streaming call, as the body arrives.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::drive::{poll_read, release};
use super::runtime::Runtime;
use super::unanswered;
use crate::accumulate::Accumulator;
use crate::client_error::ClientError;
use crate::event::OwnedEvent;
use crate::exchange::{Action, Exchange};
use crate::pool::ConnectionPermit;
use crate::telemetry::span::CallSpan;
use crate::types::{ChatResponse, GenerateResponse};

/// The events of one streaming call (chat, generate, pull, push, create): a
/// [`futures_core::Stream`] of `Result<OwnedEvent, ClientError>`, with
/// [`next_event`](Self::next_event) so no extension trait is needed.
///
/// - **The end:** after the final object ([`OwnedEvent::Done`]) the stream ends at once, whatever
///   the body does next (more bytes, trailers, a stall, a reset); after the first error too.
///   A body that ends before its final object yields `Truncated`.
/// - **Cancellation:** dropping the stream before `Done` closes its connection, so the server
///   sees the client leave and stops generating.
/// - **Reuse:** a body read to its end returns its connection to the pool; after `Done` the
///   transport reads what is left of the body (bounded) or closes the connection.
/// - **Timeouts:** the idle timeout applies between body chunks, the total one to the call.
#[must_use = "a stream does nothing unless polled; dropping it closes the connection"]
pub struct EventStream<R: Runtime> {
    rt: R,
    ex: Exchange,
    body: Option<R::Body>,
    /// The body's connection's place under the client's limit; declared after `body`, so a
    /// dropped stream closes its connection before the next call gets the place.
    permit: Option<ConnectionPermit>,
    timer: R::Timer,
    span: CallSpan,
    /// Nothing more will be yielded.
    ended: bool,
}

impl<R: Runtime> std::fmt::Debug for EventStream<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("call", self.ex.info())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> EventStream<R> {
    pub(super) fn new(
        rt: R,
        ex: Exchange,
        (body, permit): (R::Body, ConnectionPermit),
        timer: R::Timer,
        span: CallSpan,
    ) -> Self {
        Self {
            rt,
            ex,
            body: Some(body),
            permit: Some(permit),
            timer,
            span,
            ended: false,
        }
    }

    /// What the call's reasoning intent applied (the `think` sent, whether reasoning is
    /// hidden, whether a fallback retry happened), if it had one.
    pub fn reasoning(&self) -> Option<&crate::reasoning::ReasoningApplied> {
        self.ex.info().reasoning.as_ref()
    }

    /// The next event, `None` at the end. Cancel-safe: dropping the future loses nothing.
    pub async fn next_event(&mut self) -> Option<Result<OwnedEvent, ClientError>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// Reads the stream to its end and merges every event (texts concatenated, tool calls
    /// collected, the completion kept).
    ///
    /// # Errors
    /// The stream's first error.
    pub async fn collect(mut self) -> Result<Accumulator, ClientError> {
        let mut acc = Accumulator::default();
        // Bounded by the stream: it ends after `Done` or an error.
        while let Some(event) = self.next_event().await {
            acc.push_owned(event?);
        }
        Ok(acc)
    }

    /// Reads a chat stream to its end: the answer `/api/chat` with `"stream":false` gives.
    ///
    /// # Errors
    /// The stream's first error.
    pub async fn collect_chat(self) -> Result<ChatResponse, ClientError> {
        let applied = self.reasoning().cloned();
        let mut answer = self.collect().await?.into_chat_response();
        answer.reasoning = applied;
        Ok(answer)
    }

    /// Reads a generate stream to its end: the answer `/api/generate` with `"stream":false`
    /// gives.
    ///
    /// # Errors
    /// The stream's first error.
    pub async fn collect_generate(self) -> Result<GenerateResponse, ClientError> {
        let applied = self.reasoning().cloned();
        let mut answer = self.collect().await?.into_generate_response();
        answer.reasoning = applied;
        Ok(answer)
    }

    /// The run loop: drain the exchange's events, then read, then wait for a deadline.
    fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<OwnedEvent, ClientError>>> {
        // Bounded: every turn yields, returns Pending, or gives the exchange one input.
        loop {
            if self.ended {
                return Poll::Ready(None);
            }
            if let Some(event) = self.ex.poll_event() {
                let rt = &self.rt;
                let event = match event {
                    Ok(e) => {
                        self.span.on_event(&e, || rt.now());
                        Ok(e.into_owned())
                    }
                    Err(e) => {
                        self.span.on_stream_error(&e);
                        Err(e)
                    }
                };
                return Poll::Ready(Some(event));
            }
            match self.ex.poll_action() {
                Action::ReadBody => {
                    let Some(body) = self.body.as_mut() else {
                        return Poll::Ready(Some(Err(unanswered(self.ex.info()))));
                    };
                    let _entered = self.span.span().enter();
                    ready!(poll_read(&self.rt, &mut self.ex, body, &mut self.timer, cx));
                }
                Action::Finish { body_ended } => {
                    self.end(body_ended);
                    return Poll::Ready(None);
                }
                // Unreachable once streaming: attempts are decided before the stream exists.
                Action::Connect { .. } | Action::SendRequest | Action::Retry(_) => {
                    self.end(false);
                    return Poll::Ready(None);
                }
            }
        }
    }

    fn end(&mut self, body_ended: bool) {
        self.ended = true;
        if let Some(body) = self.body.take() {
            release(&self.rt, body, body_ended, &mut self.permit);
        }
        self.span.finish(self.ex.info(), None, self.rt.now());
    }
}

impl<R: Runtime> futures_core::Stream for EventStream<R> {
    type Item = Result<OwnedEvent, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl<R: Runtime> Drop for EventStream<R> {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        if self.ex.is_finished() {
            // The final object was handed out: the transport may still reuse the connection.
            if let Action::Finish { body_ended } = self.ex.poll_action() {
                self.end(body_ended);
            }
            return;
        }
        // Cancelled mid-stream: dropping the body closes the connection.
        self.span.cancel(self.ex.info(), self.rt.now());
    }
}

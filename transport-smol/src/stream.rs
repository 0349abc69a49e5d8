//! [`EventStream`]: the read loop of a streaming call, the h11/str0m shape: drain the decoder,
//! then read, then wait.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use async_io::Timer;
use futures_core::Stream;
use ollama_proto::deadline::{Deadlines, TimedOut};
use ollama_proto::types::Metrics;
use ollama_proto::{Completion, Decoder, DecoderState, OwnedEvent};

use crate::Error;
use crate::http1::Body;
use crate::pool::Pool;

/// After the final object, how many more body bytes are read (to reuse the connection) before
/// the connection is closed instead.
const MAX_DRAIN_BYTES: u64 = 64 * 1024;

/// The events of one streaming call (`/api/chat`, `/api/generate`, `/api/pull`, `/api/push`,
/// `/api/create`), as a [`futures_core::Stream`] of `Result<OwnedEvent, Error>`.
///
/// It ends (yields `None`) after [`OwnedEvent::Done`] or after the first error; a body that
/// ends before its final object yields [`ollama_proto::Error::Truncated`].
///
/// - **Cancellation**: dropping the stream before `Done` closes its connection, so the server
///   sees the client leave and stops generating.
/// - **Reuse**: once `Done` was yielded, the rest of the HTTP body (normally just the end of
///   the chunked encoding) is read on the next poll, which then returns `None`, and the
///   connection goes back to the pool. A stream dropped right after `Done` keeps its
///   connection only if that end has already arrived (checked without waiting).
/// - **Timeouts**: the idle timeout applies between body chunks while the stream is polled,
///   and the total timeout (if set) to the whole call.
#[derive(Debug)]
#[must_use = "a stream does nothing unless polled; dropping it closes the connection"]
pub struct EventStream {
    inner: Option<Box<Inner>>,
}

#[derive(Debug)]
struct Inner {
    decoder: Decoder,
    /// The body and its connection; taken when the connection goes back to the pool.
    body: Option<Body>,
    pool: Pool,
    origin: String,
    deadlines: Deadlines,
    timer: Timer,
    timer_at: Option<Instant>,
    span: tracing::Span,
    started: Instant,
    /// The HTTP body reached its end (the connection is between messages again).
    body_ended: bool,
    /// `Done` was handed out: only the end of the body is still read.
    done: bool,
    /// Bytes read after `Done`.
    drained: u64,
}

/// What a finished exchange hands to a new [`EventStream`].
pub(crate) struct StreamParts {
    pub(crate) decoder: Decoder,
    pub(crate) body: Body,
    pub(crate) pool: Pool,
    pub(crate) origin: String,
    pub(crate) deadlines: Deadlines,
    pub(crate) span: tracing::Span,
    pub(crate) started: Instant,
}

impl EventStream {
    pub(crate) fn new(parts: StreamParts) -> Self {
        Self {
            inner: Some(Box::new(Inner {
                decoder: parts.decoder,
                body: Some(parts.body),
                pool: parts.pool,
                origin: parts.origin,
                deadlines: parts.deadlines,
                timer: Timer::never(),
                timer_at: None,
                span: parts.span,
                started: parts.started,
                body_ended: false,
                done: false,
                drained: 0,
            })),
        }
    }

    /// The next event, or `None` once the stream is over (after `Done` or an error).
    pub async fn next_event(&mut self) -> Option<Result<OwnedEvent, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    ollama_proto::event_stream_collect_methods!();
}

impl Stream for EventStream {
    type Item = Result<OwnedEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let _entered = inner.span.clone().entered();
        let out = if inner.done {
            inner.poll_drain(cx).map(|()| None)
        } else {
            inner.poll_events(cx)
        };
        if matches!(out, Poll::Ready(None | Some(Err(_)))) {
            // Over: whatever connection is left is closed (a reusable one was pooled already).
            this.inner = None;
        }
        out
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        let Some(mut inner) = self.inner.take() else {
            return;
        };
        if !inner.done {
            // Cancelled mid-stream: dropping `inner` drops the connection, which closes it.
            tracing::debug!(parent: &inner.span, "stream dropped before done: closing its connection");
            return;
        }
        // `Done` was seen: keep the connection if the end of the body is already there.
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let _ = inner.poll_drain(&mut cx);
    }
}

impl Inner {
    /// Steps 1–4 of the read loop, until an event, an error, or nothing to do.
    fn poll_events(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<OwnedEvent, Error>>> {
        // Each turn hands out an event, ends, or consumes one body frame.
        loop {
            // 1. Drain everything the decoder has.
            match self.decoder.poll_event().map(|r| r.map(|e| e.to_owned())) {
                Some(Ok(event)) => {
                    if let OwnedEvent::Done(completion) = &event {
                        self.on_done(completion);
                    }
                    return Poll::Ready(Some(Ok(event)));
                }
                Some(Err(e)) => {
                    self.record_error(&e);
                    if self.body_ended {
                        self.give_back();
                    }
                    return Poll::Ready(Some(Err(Error::Protocol(e))));
                }
                None => {}
            }
            // 2. Finished (cannot happen without an event above, but never read past the end).
            if self.decoder.state() != DecoderState::Streaming {
                return Poll::Ready(None);
            }
            // 3. Read.
            let Some(body) = self.body.as_mut() else {
                return Poll::Ready(None);
            };
            match body.poll_chunk(cx, &self.origin) {
                Poll::Ready(Ok(Some(data))) => {
                    if let Err(e) = self.decoder.feed(data) {
                        return Poll::Ready(Some(Err(Error::Usage(e))));
                    }
                    // With any timeout set: restart the idle clock, and make a stream that never
                    // pauses still meet its total timeout. With none, read no clock.
                    if self.deadlines.is_armed() {
                        let now = Instant::now();
                        self.deadlines.on_progress(now);
                        if let Err(t) = self.deadlines.check(now) {
                            return Poll::Ready(Some(Err(self.timed_out(t))));
                        }
                    }
                }
                Poll::Ready(Ok(None)) => {
                    self.body_ended = true;
                    self.decoder.finish();
                }
                Poll::Ready(Err(e)) => {
                    tracing::debug!(error = %e, "stream failed");
                    self.span.record("error", e.kind_str());
                    return Poll::Ready(Some(Err(e)));
                }
                // 4. Nothing to read: wait for data or the next deadline.
                Poll::Pending => {
                    return match self.poll_deadline(cx) {
                        Ok(()) => Poll::Pending,
                        Err(t) => Poll::Ready(Some(Err(self.timed_out(t)))),
                    };
                }
            }
        }
    }

    /// After `Done`: reads the end of the body, then pools the connection. Bytes after the
    /// final object go through the decoder only to be logged; the stream has already ended.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        // Each turn consumes one body frame or finishes.
        loop {
            if self.body_ended {
                self.give_back();
                return Poll::Ready(());
            }
            let Some(body) = self.body.as_mut() else {
                return Poll::Ready(());
            };
            match body.poll_chunk(cx, &self.origin) {
                Poll::Ready(Ok(Some(data))) => {
                    self.deadlines.on_progress(Instant::now());
                    self.drained += data.len() as u64;
                    let _ = self.decoder.feed(data);
                    if let Some(Err(e)) = self.decoder.poll_event() {
                        tracing::warn!(error = %e, "data after the final object");
                    }
                    if self.drained > MAX_DRAIN_BYTES {
                        return Poll::Ready(()); // not worth reusing: close it
                    }
                }
                Poll::Ready(Ok(None)) => self.body_ended = true,
                Poll::Ready(Err(_)) => return Poll::Ready(()),
                Poll::Pending => {
                    return match self.poll_deadline(cx) {
                        Ok(()) => Poll::Pending,
                        Err(_) => Poll::Ready(()),
                    };
                }
            }
        }
    }

    /// Arms the timer for the next deadline; `Err` once one has passed.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Result<(), TimedOut> {
        // Two turns suffice: a timer only fires at or after its instant, and then `check` fails.
        for _ in 0..4 {
            let Some(at) = self.deadlines.poll_timeout() else {
                return Ok(());
            };
            if self.timer_at != Some(at) {
                self.timer.set_at(at);
                self.timer_at = Some(at);
            }
            if Pin::new(&mut self.timer).poll(cx).is_pending() {
                return Ok(());
            }
            self.timer_at = None;
            self.deadlines.check(Instant::now())?;
        }
        Ok(())
    }

    fn timed_out(&mut self, t: TimedOut) -> Error {
        let e = Error::Timeout(t);
        tracing::debug!(error = %e, "stream timed out");
        self.span.record("error", e.kind_str());
        e
    }

    fn on_done(&mut self, completion: &Completion) {
        self.done = true;
        let m = &completion.metrics;
        self.span
            .record("duration_ms", self.started.elapsed().as_millis() as u64);
        record_metrics(&self.span, m);
        tracing::debug!(
            eval_count = m.eval_count,
            prompt_eval_count = m.prompt_eval_count,
            tokens_per_second = m.tokens_per_second(),
            "stream done"
        );
    }

    fn record_error(&self, e: &ollama_proto::Error) {
        self.span
            .record("duration_ms", self.started.elapsed().as_millis() as u64);
        self.span.record("error", e.kind().as_str());
    }

    /// The body was read to its end: the connection can carry another request.
    fn give_back(&mut self) {
        if let Some(conn) = self.body.take().and_then(Body::into_reusable) {
            self.pool.checkin(&self.origin, conn);
        }
    }
}

/// Records the eval count and tokens/s of a final object (or a chat/generate answer) on a
/// request span.
pub(crate) fn record_metrics(span: &tracing::Span, metrics: &Metrics) {
    if let Some(n) = metrics.eval_count {
        span.record("eval_count", n);
    }
    if let Some(tps) = metrics.tokens_per_second() {
        span.record("tokens_per_second", tps);
    }
}

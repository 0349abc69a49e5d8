//! [`EventStream`]: the drain / check-deadline / read loop over a streaming response body.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};
use ollama_proto::deadline::{Deadlines, TimedOut};
use ollama_proto::types::Metrics;
use ollama_proto::{Decoder, DecoderState, Event, OwnedEvent};
use tokio::sync::mpsc;
use tokio::time::Sleep;
use tracing::Span;

use crate::Error;
use crate::exchange::now;

/// Body chunks the reader task may read ahead of the consumer (back-pressure beyond that).
const CHANNEL_CHUNKS: usize = 16;
/// After the final object, how long a reader task whose consumer left keeps reading to the
/// end of the body so the connection can go back to the pool, and how many bytes at most.
const DRAIN_TIME: Duration = Duration::from_secs(2);
const DRAIN_BYTES: usize = 64 * 1024;

/// How a stream's body is read. The default is [`ReadStrategy::Task`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[doc(hidden)] // a measurement knob for the benches, not a stable option
pub enum ReadStrategy {
    /// A spawned task reads hyper's body and feeds a bounded channel; the stream decodes.
    #[default]
    Task,
    /// The stream polls hyper's body itself inside `poll_next`.
    Inline,
}

/// A stream of decoded events from a streaming call (chat, generate, pull, push, create).
///
/// It implements [`futures_core::Stream`] with `Item = Result<OwnedEvent, Error>`, and has
/// [`next_event`](Self::next_event) so no extension trait is needed. It ends (`None`) after
/// [`OwnedEvent::Done`] and the end of the body, or after the first error (errors are final).
///
/// Dropping it before the end closes the connection, which makes Ollama stop generating. A
/// stream read to its end returns its connection to the pool.
pub struct EventStream {
    decoder: Decoder,
    source: Source,
    deadlines: Deadlines,
    sleep: Option<Pin<Box<Sleep>>>,
    /// The body ended and `finish` was called.
    eof: bool,
    /// Nothing more will be yielded.
    ended: bool,
    /// Scheduler turns still to give hyper's pool after a clean end of body.
    yields_left: usize,
    received: u64,
    target: Arc<str>,
    span: Span,
    started: Instant,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("kind", &self.decoder.kind())
            .field("state", &self.decoder.state())
            .field("received", &self.received)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// Where body chunks come from.
enum Source {
    Inline(Incoming),
    Task {
        chunks: mpsc::Receiver<Result<Bytes, hyper::Error>>,
        /// Set once the final object was decoded: the reader may then drain the body to its
        /// end after the consumer left, so the connection is reused.
        finished: Arc<AtomicBool>,
    },
}

impl Source {
    fn new(body: Incoming, strategy: ReadStrategy) -> Self {
        match strategy {
            ReadStrategy::Inline => Self::Inline(body),
            ReadStrategy::Task => {
                let (tx, chunks) = mpsc::channel(CHANNEL_CHUNKS);
                let finished = Arc::new(AtomicBool::new(false));
                tokio::spawn(pump(body, tx, Arc::clone(&finished)));
                Self::Task { chunks, finished }
            }
        }
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, hyper::Error>>> {
        match self {
            Self::Inline(body) => poll_data(body, cx),
            Self::Task { chunks, .. } => chunks.poll_recv(cx),
        }
    }

    fn mark_finished(&self) {
        if let Self::Task { finished, .. } = self {
            finished.store(true, Ordering::Relaxed);
        }
    }
}

/// The next non-empty data frame of `body` (trailers are skipped).
fn poll_data(
    body: &mut Incoming,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Bytes, hyper::Error>>> {
    // Bounded by the body: each round consumes one frame.
    loop {
        match ready!(Pin::new(&mut *body).poll_frame(cx)) {
            None => return Poll::Ready(None),
            Some(Err(e)) => return Poll::Ready(Some(Err(e))),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) if !data.is_empty() => return Poll::Ready(Some(Ok(data))),
                _ => {}
            },
        }
    }
}

/// The reader task: body frames into the channel until the body ends, fails, or the consumer
/// leaves. Returning drops the body: mid-stream, that closes the connection.
async fn pump(
    mut body: Incoming,
    tx: mpsc::Sender<Result<Bytes, hyper::Error>>,
    finished: Arc<AtomicBool>,
) {
    let consumer_left = {
        let mut closed = pin!(tx.closed());
        // Bounded by the body: each round forwards one chunk or ends.
        loop {
            let next = poll_fn(|cx| {
                if let Poll::Ready(chunk) = poll_data(&mut body, cx) {
                    return Poll::Ready(Some(chunk));
                }
                // The consumer left while the server is quiet: stop now, not at the next chunk.
                if closed.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                Poll::Pending
            })
            .await;
            match next {
                None => break true,
                Some(None) => break false,
                Some(Some(chunk)) => {
                    let failed = chunk.is_err();
                    if tx.send(chunk).await.is_err() {
                        break true;
                    }
                    if failed {
                        break false;
                    }
                }
            }
        }
    };
    if consumer_left && finished.load(Ordering::Relaxed) {
        let mut left = DRAIN_BYTES;
        let drain = async {
            while let Some(Ok(frame)) = body.frame().await {
                let n = frame.data_ref().map_or(0, Bytes::len);
                left = left.saturating_sub(n);
                if left == 0 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
    }
}

impl EventStream {
    pub(crate) fn new(
        decoder: Decoder,
        body: Incoming,
        strategy: ReadStrategy,
        deadlines: Deadlines,
        target: Arc<str>,
        span: Span,
        started: Instant,
    ) -> Self {
        Self {
            decoder,
            source: Source::new(body, strategy),
            deadlines,
            sleep: None,
            eof: false,
            ended: false,
            yields_left: crate::exchange::YIELDS_AFTER_BODY,
            received: 0,
            target,
            span,
            started,
        }
    }

    /// The next event, `None` at the end. Cancel-safe: dropping the future loses nothing.
    pub async fn next_event(&mut self) -> Option<Result<OwnedEvent, Error>> {
        poll_fn(|cx| self.poll_event(cx)).await
    }

    ollama_proto::event_stream_collect_methods!();

    /// The run loop: drain the decoder, then the body, then the deadlines.
    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<OwnedEvent, Error>>> {
        let span = self.span.clone();
        let _entered = span.enter();
        // Bounded: every round yields, returns Pending, or consumes a chunk or the end of body.
        loop {
            if self.ended {
                return Poll::Ready(None);
            }
            // 1. Drain every event before reading more.
            if let Some(event) = self.decoder.poll_event() {
                let event = match event {
                    Ok(event) => event,
                    Err(e) => return Poll::Ready(Some(Err(self.fail(e.into())))),
                };
                let owned = event.to_owned();
                if let Event::Done(completion) = event {
                    let metrics = completion.metrics;
                    self.on_done(&metrics, cx);
                }
                return Poll::Ready(Some(Ok(owned)));
            }
            if self.eof && self.yields_left > 0 {
                // Let hyper put the connection back in the pool before the caller's next call
                // (see `exchange::YIELDS_AFTER_BODY`).
                self.yields_left -= 1;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            if self.eof || self.decoder.state() == DecoderState::Failed {
                self.ended = true;
                self.record_duration();
                return Poll::Ready(None);
            }
            // 2. Read.
            match self.source.poll_chunk(cx) {
                Poll::Ready(Some(Ok(bytes))) => {
                    if let Err(timed_out) = self.feed(&bytes) {
                        return Poll::Ready(Some(Err(self.fail(timed_out.into()))));
                    }
                    continue;
                }
                Poll::Ready(None) => {
                    self.decoder.finish();
                    self.eof = true;
                    continue;
                }
                Poll::Ready(Some(Err(e))) => {
                    let context = format!("after {} body bytes", self.received);
                    let error = Error::io(&self.target, context, e);
                    return Poll::Ready(Some(Err(self.fail(error))));
                }
                Poll::Pending => {}
            }
            // 3. Deadlines: nothing to read, so sleep until the next one (re-armed each time).
            let Some(at) = self.deadlines.poll_timeout() else {
                return Poll::Pending;
            };
            if let Err(timed_out) = self.deadlines.check(now()) {
                return Poll::Ready(Some(Err(self.fail(timed_out.into()))));
            }
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at.into())));
            if sleep.deadline() != at.into() {
                sleep.as_mut().reset(at.into());
            }
            ready!(sleep.as_mut().poll(cx));
        }
    }

    /// Hands a chunk to the decoder. With any timeout set, restarts the idle clock and checks
    /// the total one (a stream that never pauses must still meet it); with none, reads no clock.
    fn feed(&mut self, bytes: &[u8]) -> Result<(), TimedOut> {
        self.received += bytes.len() as u64;
        // `feed` fails only after `finish`, which comes after the last chunk.
        let _ = self.decoder.feed(bytes);
        if self.deadlines.is_armed() {
            let now = now();
            self.deadlines.on_progress(now);
            self.deadlines.check(now)?;
        }
        Ok(())
    }

    /// The final object: record its metrics, and pick up the end of the body if it is already
    /// here, so a consumer that stops at `Done` still leaves a reusable connection.
    fn on_done(&mut self, metrics: &Metrics, cx: &mut Context<'_>) {
        record_metrics(&self.span, metrics);
        self.source.mark_finished();
        match self.source.poll_chunk(cx) {
            // The answer is complete: a timeout expiring now no longer matters.
            Poll::Ready(Some(Ok(bytes))) => {
                let _ = self.feed(&bytes);
            }
            Poll::Ready(None) => {
                self.decoder.finish();
                self.eof = true;
            }
            // An error or nothing yet: the next poll sees it again.
            Poll::Ready(Some(Err(_))) | Poll::Pending => {}
        }
    }

    fn fail(&mut self, error: Error) -> Error {
        self.ended = true;
        self.span.record("error", error.kind_str());
        self.record_duration();
        error
    }

    fn record_duration(&self) {
        record_duration(&self.span, self.started);
    }
}

impl futures_core::Stream for EventStream {
    type Item = Result<OwnedEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        if !self.ended {
            self.span.record("cancelled", true);
            self.record_duration();
        }
    }
}

/// Records eval counts and tokens/s on a request span.
pub(crate) fn record_metrics(span: &Span, metrics: &Metrics) {
    if let Some(n) = metrics.eval_count {
        span.record("eval_count", n);
    }
    if let Some(n) = metrics.prompt_eval_count {
        span.record("prompt_eval_count", n);
    }
    if let Some(tps) = metrics.tokens_per_second() {
        span.record("tokens_per_second", (tps * 10.0).round() / 10.0);
    }
}

pub(crate) fn record_duration(span: &Span, started: Instant) {
    let ms = now().saturating_duration_since(started).as_secs_f64() * 1000.0;
    span.record("duration_ms", (ms * 10.0).round() / 10.0);
}

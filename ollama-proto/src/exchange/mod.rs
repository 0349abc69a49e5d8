//! [`Exchange`]: one call, decided here from start to end, driven by any transport.
//!
//! A transport tells the exchange what happened (a connection is ready, a response head
//! arrived, body bytes, the end of the body, an IO failure, time passed) and asks it what to
//! do next ([`Exchange::poll_action`]) and when to wake up ([`Exchange::poll_timeout`]). The
//! exchange makes every decision of the call: attempts and retries, the four deadlines,
//! status routing, body limits, and when the answer is complete. Its outputs are the events
//! of a stream ([`Exchange::poll_event`]) or the typed answer of a single call
//! ([`Exchange::output`]), and typed errors.
//!
//! ```text
//!            ┌──────────── Retry(at) ◀──── 429*/502/503, lost connection (if safe) ─┐
//!            ▼                                                                       │
//!  Connect ──on_connected──▶ SendRequest ──on_head──▶ ReadBody ──on_body/on_end──▶ Finish
//!     │  on_connect_failed       │ on_send_failed        │ on_body_failed
//!     └──────────────────────────┴───────────────────────┴──▶ Finish (error)
//! ```
//!
//! \* A 429's body is read first: a spent cloud quota ([`usage_limit`](crate::usage_limit)) is
//! the call's error, never retried; any other 429 is a rate limit.
//!
//! # The run loop
//!
//! After every input, drain [`Exchange::poll_event`] (streams), then ask
//! [`Exchange::poll_action`]. While an action waits on IO, also wait for
//! [`Exchange::poll_timeout`] and call [`Exchange::handle_timeout`] when it passes. A complete
//! blocking client over `std::net` is `ollama-proto/examples/blocking_client.rs`.
//!
//! ```
//! use std::time::Instant;
//! use ollama_proto::exchange::{Action, Exchange};
//! use ollama_proto::{ClientConfig, Event, Streaming};
//! use ollama_proto::types::{ChatRequest, Message};
//!
//! let config = ClientConfig::default();
//! let request = Streaming(ChatRequest::new("qwen3", [Message::user("hi")]));
//! let now = Instant::now(); // the transport's clock, passed in
//! let mut ex = Exchange::stream(&config, &request, now)?;
//! assert_eq!(ex.poll_action(), Action::Connect { fresh: false });
//! ex.on_connected(now, false);
//! assert_eq!(ex.poll_action(), Action::SendRequest);
//! assert_eq!(ex.request().uri().path(), "/api/chat");
//! ex.on_head(200, &http::HeaderMap::new(), now);
//! assert_eq!(ex.poll_action(), Action::ReadBody);
//! ex.on_body(b"{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":true}\n", now);
//! let mut text = String::new();
//! while let Some(event) = ex.poll_event() {
//!     if let Event::Content(c) = event? {
//!         text.push_str(c);
//!     }
//! }
//! assert_eq!(text, "Hi");
//! // The final object arrived: the answer is complete whatever the body does next.
//! assert_eq!(ex.poll_action(), Action::Finish { body_ended: false });
//! # Ok::<(), ollama_proto::ClientError>(())
//! ```

mod state;
pub(crate) mod status;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::HeaderMap;

use crate::accumulate::Accumulator;
use crate::client_config::ClientConfig;
use crate::client_error::{BoxError, ClientError};
use crate::connect::ConnectError;
use crate::deadline::{CallPhase, CallSite, Deadlines, TimedOut, TimeoutKind};
use crate::decoder::{Decoder, DecoderConfig};
use crate::error::{Error, UsageError};
use crate::event::Event;
use crate::keepalive::is_os_timeout;
use crate::pool::AllBusy;
use crate::proxy::{ProxyError, ProxyUrl, Route};
use crate::reasoning::{ReasoningApplied, ReasoningCall};
use crate::request::{Endpoint, SingleCall, StreamCall, SuccessBody, build_request};
use crate::retry::{Failure, RetryPolicy};
use crate::think::{ThinkMode, ThinkPolicy};
use crate::types::Metrics;

use state::{Outcome, Read, Reading, State, TAKEN, merge};
pub use status::{StatusRoute, route_status};

/// How long an error body may stall before the status is reported with what arrived, when no
/// idle timeout (or a longer one) is configured: an error page must never hang a call.
pub const ERROR_BODY_STALL: Duration = Duration::from_secs(5);

/// After a complete answer, at most this many more body bytes are read to reuse the connection
/// (the end of the chunked encoding is 5); past that, close it.
pub const DRAIN_MAX_BYTES: usize = 64 * 1024;

/// After a complete answer, reading the rest of the body to reuse the connection stops after
/// this long; then the connection is closed.
pub const DRAIN_MAX_TIME: Duration = Duration::from_secs(2);

/// What the transport should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Get a connection to the base URL: an idle pooled one, or a new one when `fresh` (a
    /// pooled connection was found closed). Report [`Exchange::on_connected`] or
    /// [`Exchange::on_connect_failed`].
    Connect {
        /// Open a new connection; do not take one from the pool.
        fresh: bool,
    },
    /// Write [`Exchange::request`] and read the response head. Report [`Exchange::on_head`] or
    /// [`Exchange::on_send_failed`]. A transport that sees the response start while it is
    /// still writing the request body (a 413 during an upload) stops writing and reads it.
    SendRequest,
    /// Read the body: [`Exchange::on_body`], [`Exchange::on_end`] or
    /// [`Exchange::on_body_failed`].
    ReadBody,
    /// Drop the current response and its connection (if any), wait until the instant, then
    /// call [`Exchange::handle_timeout`]: the call is retried.
    Retry(Instant),
    /// The call is over: release the connection (to the pool when `body_ended`; otherwise
    /// close it, or drain at most [`DRAIN_MAX_BYTES`] for [`DRAIN_MAX_TIME`] first), then take
    /// the result ([`Exchange::poll_event`] or [`Exchange::output`]).
    Finish {
        /// The HTTP body was read to its end, so the connection is between messages.
        body_ended: bool,
    },
}

/// One call: request, attempts, deadlines, status routing, body limits and the answer.
#[derive(Debug)]
pub struct Exchange {
    request: Arc<http::Request<Bytes>>,
    started: Instant,
    info: CallInfo,
    read: Read,
    /// Whether the call declared a status an answer ([`SingleCall::status_answer`]).
    declared: fn(u16) -> bool,
    safe: bool,
    retry: RetryPolicy,
    deadlines: Deadlines,
    max_body: usize,
    max_error_body: usize,
    decoder_config: DecoderConfig,
    state: State,
    /// Retries made so far (not counting the one free retry on a stale pooled connection).
    retries: u32,
    stale_retry_used: bool,
    /// Set by [`Exchange::through_forwarding_proxy`]: its own 401/407 is a proxy error.
    forward_proxy: Option<ProxyUrl>,
    /// `host:port` of the server, for located errors.
    server: Arc<str>,
    /// The proxy connections go to (forwarding or tunnel), for located errors.
    proxy: Option<Arc<str>>,
    /// With TCP keepalive on: the silence after which the OS declares the peer dead.
    keepalive_dead_after: Option<Duration>,
    /// The call's resolved reasoning intent: its output policy, and the one fallback retry.
    reasoning: Option<ReasoningCall>,
}

fn declares_none(_: u16) -> bool {
    false
}

fn declares<C: SingleCall + ?Sized>(status: u16) -> bool {
    C::status_answer(status).is_some()
}

/// What a call is and how it went, for logs and tracing spans: the same fields, in the same
/// units, whatever the transport.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallInfo {
    /// `GET`, `POST`, `HEAD` or `DELETE`.
    pub method: http::Method,
    /// The API path (`/api/chat`), without the base URL's prefix.
    pub path: String,
    /// The model the request names, if any.
    pub model: Option<String>,
    /// `scheme://host:port` of the server: what error messages name (no path, no secret).
    pub origin: Arc<str>,
    /// The status of the last response head.
    pub status: Option<u16>,
    /// Attempts made (1 without retries).
    pub attempts: u32,
    /// The metrics of the final object (chat and generate).
    pub metrics: Option<Metrics>,
    /// What the call's reasoning intent applied (see [`crate::reasoning`]), if it had one.
    pub reasoning: Option<ReasoningApplied>,
}

impl Exchange {
    /// A streaming call (chat, generate, pull, push, create with `"stream":true`).
    ///
    /// # Errors
    /// [`ClientError::Usage`] when the request cannot be built (empty model name, …).
    pub fn stream<S: StreamCall + ?Sized>(
        config: &ClientConfig,
        call: &S,
        now: Instant,
    ) -> Result<Self, ClientError> {
        Self::new(config, call, Read::Stream(S::KIND), declares_none, now)
    }

    /// A call answered by one body; take the answer with [`Exchange::output`].
    ///
    /// # Errors
    /// [`ClientError::Usage`] when the request cannot be built.
    pub fn single<C: SingleCall + ?Sized>(
        config: &ClientConfig,
        call: &C,
        now: Instant,
    ) -> Result<Self, ClientError> {
        let read = match C::SUCCESS {
            SuccessBody::Whole(_) => Read::Whole,
            SuccessBody::Merged(kind, _) => Read::Merged(kind),
        };
        Self::new(config, call, read, declares::<C>, now)
    }

    /// The answer `call` gets for a complete response (`status`, no particular header, `body`
    /// in one piece), through the same steps a transport drives: for replaying recordings in
    /// tests and benches.
    ///
    /// # Errors
    /// As [`Exchange::output`].
    pub fn answer_of<C: SingleCall + ?Sized>(
        config: &ClientConfig,
        call: &C,
        status: u16,
        body: &[u8],
        now: Instant,
    ) -> Result<C::Output, ClientError> {
        let mut ex = Self::single(config, call, now)?;
        ex.on_connected(now, false);
        ex.on_head(status, &HeaderMap::new(), now);
        ex.on_body(body, now);
        ex.on_end(now);
        ex.output::<C>().unwrap_or_else(|| {
            Err(ClientError::Usage(UsageError::InvalidRequest(
                "the response did not answer the call".to_owned(),
            )))
        })
    }

    fn new<E: Endpoint + ?Sized>(
        config: &ClientConfig,
        endpoint: &E,
        read: Read,
        declared: fn(u16) -> bool,
        now: Instant,
    ) -> Result<Self, ClientError> {
        let request = build_request(&config.request, endpoint)?;
        let info = CallInfo {
            method: endpoint.method(),
            path: endpoint.path().into_owned(),
            model: endpoint.model().map(str::to_owned),
            origin: config.request.base_url.origin().into(),
            status: None,
            attempts: 1,
            metrics: None,
            reasoning: None,
        };
        Ok(Self {
            request: Arc::new(request),
            started: now,
            info,
            read,
            declared,
            safe: endpoint.safe_to_repeat(),
            retry: config.retry,
            deadlines: Deadlines::new(config.timeouts, now),
            max_body: config.max_body,
            max_error_body: config.decoder.max_error_body,
            decoder_config: config.decoder.clone(),
            state: State::Connect {
                fresh: false,
                waiting: None,
            },
            retries: 0,
            stale_retry_used: false,
            forward_proxy: None,
            server: config.request.base_url.authority().into(),
            proxy: None,
            keepalive_dead_after: config.tcp_keepalive.map(|k| k.dead_after()),
            reasoning: None,
        })
    }

    /// Sends the call the way `route` says: through a forwarding proxy as
    /// [`Exchange::through_forwarding_proxy`] does, and with the proxy (forwarding or tunnel)
    /// named in timeout errors, since the connection goes to it.
    #[must_use]
    pub fn through_route(mut self, route: &Route) -> Self {
        self.proxy = route.proxy().map(|p| p.to_string().into());
        self.through_forwarding_proxy(route.forward_proxy())
    }

    /// Sends the call through the forwarding `proxy` (an `http://` server behind a proxy):
    /// the request carries the proxy's `Proxy-Authorization`, and the proxy's own demand for
    /// credentials (407, or its 401) is a [`ClientError::Proxy`], not the server's answer. The
    /// transport writes the request target in absolute form. `None` leaves the call as it is.
    #[must_use]
    pub fn through_forwarding_proxy(mut self, proxy: Option<&ProxyUrl>) -> Self {
        if let Some(proxy) = proxy {
            self.proxy = Some(proxy.to_string().into());
            if let Some(auth) = proxy.authorization() {
                let mut request = http::Request::clone(&self.request);
                request
                    .headers_mut()
                    .insert(http::header::PROXY_AUTHORIZATION, auth);
                self.request = Arc::new(request);
            }
            self.forward_proxy = Some(proxy.clone());
        }
        self
    }

    /// Carries the call's resolved reasoning intent: its reasoning is hidden when the intent
    /// says so (else separated, inline tags and harmony included, whatever the client's
    /// [`ThinkConfig`](crate::think::ThinkConfig) policy), and a 400 about `think` is answered by the one fallback retry it chooses
    /// ([`ReasoningCall::on_rejected`]), before any byte reaches the caller. `None` leaves the
    /// call as it is.
    #[must_use]
    pub fn with_reasoning(mut self, call: Option<ReasoningCall>) -> Self {
        if let Some(call) = call {
            let think = &mut self.decoder_config.think;
            if call.applied().reasoning_hidden {
                think.policy = ThinkPolicy::Hide;
            } else {
                // Reasoning asked for is delivered apart, whatever form the model uses.
                think.policy = ThinkPolicy::Separate;
                if think.mode == ThinkMode::Server {
                    think.mode = ThinkMode::Auto;
                }
            }
            self.info.reasoning = Some(call.applied().clone());
            self.reasoning = Some(call);
        }
        self
    }

    /// The call's reasoning intent as resolved so far (after a fallback retry, with it).
    pub fn reasoning(&self) -> Option<&ReasoningCall> {
        self.reasoning.as_ref()
    }

    /// The request to write on every attempt (absolute URI, headers, body).
    pub fn request(&self) -> &http::Request<Bytes> {
        &self.request
    }

    /// The request, shared: a transport can hold it across an await while feeding the exchange.
    pub fn shared_request(&self) -> Arc<http::Request<Bytes>> {
        Arc::clone(&self.request)
    }

    /// When the call started (the instant it was created with).
    pub fn started(&self) -> Instant {
        self.started
    }

    /// What the call is and how it went so far.
    pub fn info(&self) -> &CallInfo {
        &self.info
    }

    /// What to do next. Drain [`Exchange::poll_event`] first on a stream: once its final object
    /// is decoded, this says [`Action::Finish`].
    pub fn poll_action(&self) -> Action {
        match self.state {
            State::Connect { fresh, .. } => Action::Connect { fresh },
            State::SendRequest { .. } => Action::SendRequest,
            State::Backoff(at) => Action::Retry(at),
            State::Body {
                reading: Reading::Stream { over: true, .. },
                ..
            } => Action::Finish { body_ended: false },
            State::Body { .. } | State::ErrorBody { .. } => Action::ReadBody,
            State::Finished { body_ended, .. } => Action::Finish { body_ended },
        }
    }

    /// `true` once a success head arrived on a streaming call: its events can be handed out as
    /// they are decoded. Before that (or for an error status) the call is still deciding.
    pub fn is_streaming(&self) -> bool {
        matches!(
            self.state,
            State::Body {
                reading: Reading::Stream { over: false, .. },
                ..
            }
        )
    }

    /// `true` when [`Exchange::on_body`] needs the real time: a timeout is set, or an error
    /// body is being read (its stall bound). When `false`, a transport may pass any instant
    /// and skip reading the clock for every chunk.
    pub fn needs_time(&self) -> bool {
        matches!(self.state, State::ErrorBody { .. }) || self.deadlines.is_armed()
    }

    /// The earliest instant at which [`Exchange::handle_timeout`] must be called, or `None`.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let deadline = self.deadlines.poll_timeout();
        let own = match self.state {
            State::Backoff(at) => Some(at),
            State::ErrorBody { progress, .. } => progress.checked_add(ERROR_BODY_STALL),
            _ => None,
        };
        match (deadline, own) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Time passed: applies whatever deadline or backoff is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_finished() {
            return;
        }
        match self.state {
            State::Backoff(at) if now >= at => {
                if let Err(t) = self.deadlines.check(now) {
                    return self.fail(self.located(t));
                }
                self.start_attempt(now, false);
            }
            State::ErrorBody { progress, .. } => {
                let stalled = progress
                    .checked_add(ERROR_BODY_STALL)
                    .is_some_and(|at| at <= now);
                if stalled || self.deadlines.check(now).is_err() {
                    // The status is the answer; the rest of its body does not matter.
                    self.finish_error_body(false, now);
                }
            }
            _ => {
                if let Err(t) = self.deadlines.check(now) {
                    self.on_timed_out(t, now);
                }
            }
        }
    }

    /// The client's connection limit is reached ([`ConnectionLimit::try_acquire`](crate::pool::ConnectionLimit::try_acquire)
    /// said `all`): the call waits for a place, first come first served, within its
    /// response-head and total timeouts (not the connect timeout: nothing is connecting). A
    /// timeout while waiting names the wait and how many connections were busy
    /// ([`CallPhase::WaitingForConnection`]).
    pub fn on_waiting_for_connection(&mut self, all: AllBusy, now: Instant) {
        if let State::Connect { waiting, .. } = &mut self.state {
            *waiting = Some(all);
            self.deadlines.queued(now);
        }
    }

    /// The call that waited got its place under the limit and starts connecting.
    pub fn on_connection_free(&mut self, now: Instant) {
        if let State::Connect { waiting, .. } = &mut self.state
            && waiting.take().is_some()
        {
            self.deadlines.dequeued(now);
        }
    }

    /// The connection is ready (`reused`: it came from a pool).
    pub fn on_connected(&mut self, now: Instant, reused: bool) {
        if let State::Connect { .. } = self.state {
            self.deadlines.connected(now);
            self.state = State::SendRequest { reused };
        }
    }

    /// No connection could be made (refused, DNS, TLS handshake, proxy…).
    pub fn on_connect_failed(&mut self, error: ConnectError, now: Instant) {
        if let State::Connect { .. } = self.state {
            let error = ClientError::connect(&self.info.origin, error);
            self.retry_or_fail(error, now);
        }
    }

    /// Writing the request or reading the head failed. `response_began`: the server sent bytes
    /// that are not a valid response head (then the call is not retried: it answered, badly).
    /// A connection closed or reset before a whole head is not an answer.
    pub fn on_send_failed(&mut self, error: BoxError, response_began: bool, now: Instant) {
        let State::SendRequest { reused } = self.state else {
            return;
        };
        let context = if response_began {
            "invalid response head"
        } else {
            "before the response head"
        };
        let error = self
            .keepalive_death(&error)
            .unwrap_or_else(|| ClientError::io(&self.info.origin, context, error));
        if response_began {
            return self.fail(error);
        }
        // A pooled connection the server closed while it sat idle fails before any byte of a
        // response: a call that is safe to repeat goes once more on a new connection, at once.
        if reused && self.safe && !self.stale_retry_used {
            self.stale_retry_used = true;
            self.info.attempts = self.info.attempts.saturating_add(1);
            return self.start_attempt(now, true);
        }
        self.retry_or_fail(error, now);
    }

    /// The response head arrived. 100 Continue and other interim heads the HTTP layer skipped
    /// are not reported; any status below 200 that is reported is not an answer.
    ///
    /// This is the one place a status is decided: a success is read as the call's answer; a
    /// status the call declared an answer ([`SingleCall::status_answer`]) is that answer; 429, 502
    /// and 503 may be retried (a 429 only once its body shows it is not a spent cloud quota,
    /// [`Error::UsageLimit`], which is never retried); anything else becomes the call's [`StatusError`](crate::StatusError)
    /// (with its `Retry-After`) once its body, bounded by `max_error_body`, is read.
    pub fn on_head(&mut self, status: u16, headers: &HeaderMap, now: Instant) {
        if !matches!(self.state, State::SendRequest { .. }) {
            return;
        }
        self.deadlines.head_received(now);
        self.info.status = Some(status);
        if let Some(e) = self
            .forward_proxy
            .as_ref()
            .and_then(|p| ProxyError::from_forwarded(p, status, headers))
        {
            return self.fail(ClientError::Proxy(e));
        }
        let retry_after = status::retry_after(headers);
        let expects_body = !matches!(self.read, Read::Whole) || self.request_expects_body();
        match route_status(status, expects_body) {
            StatusRoute::Answer => {
                if let Err(e) = crate::response::check_content_encoding(headers) {
                    return self.fail(e.into());
                }
                let reading = match self.read {
                    Read::Stream(kind) => Reading::Stream {
                        decoder: Decoder::new(kind, self.decoder_config.clone()),
                        over: false,
                    },
                    Read::Whole => Reading::Whole(Vec::new()),
                    Read::Merged(kind) => {
                        // A whole answer is bounded by max_body, not by the line limit.
                        let line = self.decoder_config.max_line_len.max(self.max_body);
                        let config = self.decoder_config.clone().max_line_len(line);
                        Reading::Merged {
                            decoder: Decoder::new(kind, config),
                            merged: Ok(Accumulator::default()),
                        }
                    }
                };
                self.state = State::Body {
                    reading,
                    received: 0,
                };
            }
            _ if (self.declared)(status) => {
                self.read_error_body(status, retry_after, true, None, now);
            }
            StatusRoute::Retryable => match self.retry_delay(status, retry_after, now) {
                // A 429 is a rate limit or a spent quota: only its message tells, so its body
                // is read before deciding (a spent quota is never retried).
                Some(at) if status == 429 && self.fits_total(at) => {
                    let wait = at.saturating_duration_since(now);
                    self.read_error_body(status, retry_after, false, Some(wait), now);
                }
                Some(at) if self.fits_total(at) => self.backoff_until(at, now),
                // No retry, or waiting would outlive the call: report what the server said.
                _ => self.read_error_body(status, retry_after, false, None, now),
            },
            StatusRoute::Error => self.read_error_body(status, retry_after, false, None, now),
        }
    }

    /// Body bytes arrived (de-framed: no chunk sizes, no trailers).
    pub fn on_body(&mut self, bytes: &[u8], now: Instant) {
        if self.is_finished() {
            return;
        }
        let max_body = self.max_body;
        let max_error_body = self.max_error_body;
        match &mut self.state {
            State::Body { reading, received } => {
                *received = received.saturating_add(bytes.len() as u64);
                if self.deadlines.is_armed() {
                    self.deadlines.on_progress(now);
                    if let Err(t) = self.deadlines.check(now) {
                        return self.fail(self.located(t));
                    }
                }
                if !matches!(reading, Reading::Stream { .. }) && *received > max_body as u64 {
                    return self.fail(Error::BodyTooLarge { limit: max_body }.into());
                }
                match reading {
                    // `feed` fails only after `finish`, which ends the body state.
                    Reading::Stream { decoder, .. } => {
                        let _ = decoder.feed(bytes);
                    }
                    Reading::Whole(body) => body.extend_from_slice(bytes),
                    Reading::Merged { decoder, merged } => {
                        let _ = decoder.feed(bytes);
                        merge(decoder, merged);
                    }
                }
            }
            State::ErrorBody { body, progress, .. } => {
                *progress = now;
                self.deadlines.on_progress(now);
                let room = max_error_body.saturating_sub(body.len());
                body.extend_from_slice(&bytes[..room.min(bytes.len())]);
                if body.len() >= max_error_body {
                    // Enough of an error page: stop reading, do not just stop keeping.
                    self.finish_error_body(false, now);
                }
            }
            _ => {}
        }
    }

    /// The body ended where its HTTP framing says.
    pub fn on_end(&mut self, now: Instant) {
        if self.is_finished() {
            return;
        }
        match &self.state {
            State::Body { .. } => {
                let State::Body { reading, .. } = std::mem::replace(&mut self.state, TAKEN) else {
                    return;
                };
                let outcome = match reading {
                    // The decoder reports a missing final object (`Truncated`) through
                    // `poll_event`.
                    Reading::Stream { mut decoder, over } => {
                        decoder.finish();
                        Outcome::Stream { decoder, over }
                    }
                    Reading::Whole(body) => Outcome::Whole(body),
                    Reading::Merged {
                        mut decoder,
                        mut merged,
                    } => {
                        decoder.finish();
                        merge(&mut decoder, &mut merged);
                        Outcome::Merged(merged)
                    }
                };
                self.state = State::Finished {
                    body_ended: true,
                    outcome,
                };
            }
            State::ErrorBody { .. } => self.finish_error_body(true, now),
            _ => {}
        }
    }

    /// Reading the body failed (reset, closed before the framing's end, bad framing). An error
    /// status is still reported with what arrived of its body.
    pub fn on_body_failed(&mut self, error: BoxError, now: Instant) {
        if self.is_finished() {
            return;
        }
        match self.state {
            State::Body { received, .. } => {
                let error = self.keepalive_death(&error).unwrap_or_else(|| {
                    let context = format!("after {received} body bytes");
                    ClientError::io(&self.info.origin, context, error)
                });
                self.fail(error);
            }
            State::ErrorBody { .. } => self.finish_error_body(false, now),
            _ => {}
        }
    }

    /// The next event of a stream, or its error, or `None` (more input needed, or the stream
    /// is over). After the final object nothing more is handed out: bytes that follow it do
    /// not change the answer. An error is returned once.
    #[must_use = "events must be drained after every input"]
    pub fn poll_event(&mut self) -> Option<Result<Event<'_>, ClientError>> {
        match &mut self.state {
            State::Body {
                reading: Reading::Stream { decoder, over },
                ..
            }
            | State::Finished {
                outcome: Outcome::Stream { decoder, over },
                ..
            } => {
                if *over {
                    return None;
                }
                let event = decoder.poll_event()?;
                let last = match &event {
                    Ok(Event::Done(completion)) => {
                        self.info.metrics = Some(completion.metrics);
                        true
                    }
                    Ok(_) => false,
                    Err(_) => true,
                };
                *over = last;
                Some(event.map_err(ClientError::from))
            }
            State::Finished {
                outcome: Outcome::Failed(error),
                ..
            } => error.take().map(Err),
            _ => None,
        }
    }

    /// The answer of a single call, once [`Action::Finish`] was reached (`None` before, and
    /// after it was taken). `C` is the call the exchange was made for.
    pub fn output<C: SingleCall + ?Sized>(&mut self) -> Option<Result<C::Output, ClientError>> {
        let State::Finished { outcome, .. } = &mut self.state else {
            return None;
        };
        let result = match (std::mem::replace(outcome, Outcome::Taken), C::SUCCESS) {
            (Outcome::Taken | Outcome::Failed(None), _) => return None,
            (Outcome::Failed(Some(e)), _) => return Some(Err(e)),
            (Outcome::Whole(body), SuccessBody::Whole(decode)) => decode(&body),
            (Outcome::Merged(merged), SuccessBody::Merged(_, make)) => merged.map(make),
            (Outcome::StatusAnswer(status), _) => {
                C::status_answer(status).ok_or_else(|| crate::response::status_error(status, b""))
            }
            _ => {
                return Some(Err(ClientError::Usage(UsageError::InvalidRequest(
                    "output() asked for the answer of another call type".to_owned(),
                ))));
            }
        };
        if let Ok(output) = &result {
            self.info.metrics = C::output_metrics(output).copied();
        }
        Some(result.map_err(ClientError::from))
    }

    /// `true` once the call is over ([`Exchange::poll_action`] says [`Action::Finish`]): a
    /// stream handed out its final object or its error, a body ended, or the call failed. The
    /// answer (or the error) may still be waiting to be taken.
    pub fn is_finished(&self) -> bool {
        matches!(
            self.state,
            State::Finished { .. }
                | State::Body {
                    reading: Reading::Stream { over: true, .. },
                    ..
                }
        )
    }

    fn request_expects_body(&self) -> bool {
        // A HEAD's answer never has a body; copy and delete answer with an empty 200.
        self.request.method() != http::Method::HEAD
    }

    fn start_attempt(&mut self, now: Instant, fresh: bool) {
        self.deadlines.connecting(now);
        self.state = State::Connect {
            fresh,
            waiting: None,
        };
    }

    /// When the next attempt may start after a retryable status, or `None` to report it.
    fn retry_delay(
        &self,
        status: u16,
        retry_after: Option<Duration>,
        now: Instant,
    ) -> Option<Instant> {
        let retry = self.retries.saturating_add(1);
        let failure = Failure::Status {
            status,
            retry_after,
        };
        let wait = self.retry.next_delay(retry, self.safe, failure)?;
        now.checked_add(wait)
    }

    fn retry_or_fail(&mut self, error: ClientError, now: Instant) {
        if let ClientError::Proxy(proxy) = &error
            && !proxy.is_transient()
        {
            // Another attempt meets the same proxy with the same credentials.
            return self.fail(error);
        }
        let retry = self.retries.saturating_add(1);
        let at = self
            .retry
            .next_delay(retry, self.safe, Failure::BeforeResponse)
            .and_then(|delay| now.checked_add(delay));
        match at {
            Some(at) if self.fits_total(at) => self.backoff_until(at, now),
            _ => self.fail(error),
        }
    }

    /// Waits until `at` (which fits the total deadline) before the next attempt.
    fn backoff_until(&mut self, at: Instant, now: Instant) {
        self.retries = self.retries.saturating_add(1);
        self.info.attempts = self.info.attempts.saturating_add(1);
        self.deadlines.backoff(now);
        self.state = State::Backoff(at);
    }

    fn fits_total(&self, at: Instant) -> bool {
        // During a backoff only the total deadline applies.
        let mut probe = self.deadlines.clone();
        probe.backoff(at);
        probe.check(at).is_ok()
    }

    fn read_error_body(
        &mut self,
        status: u16,
        retry_after: Option<Duration>,
        declared: bool,
        retry: Option<Duration>,
        now: Instant,
    ) {
        self.state = State::ErrorBody {
            status,
            retry_after,
            body: Vec::new(),
            progress: now,
            declared,
            retry,
        };
        if !self.request_expects_body() {
            self.finish_error_body(true, now);
        }
    }

    /// The status, with what arrived of its body, is the call's result (the one place a
    /// [`StatusError`](crate::StatusError) is made), or, for a 429 that may be retried and is
    /// not a spent quota, the wait before the next attempt.
    fn finish_error_body(&mut self, body_ended: bool, now: Instant) {
        let State::ErrorBody {
            status,
            retry_after,
            body,
            declared,
            retry,
            ..
        } = std::mem::replace(&mut self.state, TAKEN)
        else {
            return;
        };
        let outcome = if declared {
            Outcome::StatusAnswer(status)
        } else {
            let mut error = crate::response::status_error(status, &body);
            if let Some(at) = retry.and_then(|wait| now.checked_add(wait))
                && !matches!(error, Error::UsageLimit(_))
                && self.fits_total(at)
            {
                return self.backoff_until(at, now);
            }
            if let (400, Some(call), Error::Status(s)) = (status, &mut self.reasoning, &error)
                && let Some(retry_body) = call.on_rejected(&s.message)
            {
                // The one fallback retry: the same request with the `think` the message allows,
                // at once (the backoff instant is already past).
                let mut request = http::Request::clone(&self.request);
                *request.body_mut() = retry_body;
                self.request = Arc::new(request);
                self.info.attempts = self.info.attempts.saturating_add(1);
                self.info.reasoning = Some(call.applied().clone());
                self.state = State::Backoff(self.started);
                return;
            }
            match &mut error {
                Error::Status(s) | Error::Unauthorized(s) => s.retry_after = retry_after,
                Error::UsageLimit(e) => e.status.retry_after = retry_after,
                Error::ModelRetired(e) => e.status.retry_after = retry_after,
                _ => {}
            }
            Outcome::Failed(Some(error.into()))
        };
        self.state = State::Finished {
            body_ended,
            outcome,
        };
    }

    fn on_timed_out(&mut self, t: TimedOut, now: Instant) {
        let kind = t.kind;
        let error = self.located(t);
        match kind {
            // Nothing reached the server yet: a connect timeout may be retried.
            TimeoutKind::Connect => self.retry_or_fail(error, now),
            // Not a response-head timeout (the model may be loading), nor anything later.
            _ => self.fail(error),
        }
    }

    /// Where the call is now: the server, the proxy, the phase.
    fn site(&self) -> CallSite {
        let phase = match &self.state {
            State::Connect {
                waiting: Some(all), ..
            } => CallPhase::WaitingForConnection {
                busy: all.busy,
                max: all.max,
            },
            State::Connect { .. } => CallPhase::Connect,
            State::SendRequest { .. } => CallPhase::ResponseHead,
            State::Backoff(_) => CallPhase::Backoff,
            State::Body { received, .. } => CallPhase::Body {
                received: *received,
            },
            State::ErrorBody { body, .. } => CallPhase::Body {
                received: body.len() as u64,
            },
            State::Finished { .. } => CallPhase::Body { received: 0 },
        };
        CallSite::new(Arc::clone(&self.server), self.proxy.clone(), phase)
    }

    /// `t`, naming where the call is.
    fn located(&self, t: TimedOut) -> ClientError {
        ClientError::Timeout(t.at(self.site()))
    }

    /// With keepalive on, an established connection the OS closed with `ETIMEDOUT`: the peer
    /// stopped answering keepalive probes. A typed, located [`TimeoutKind::Keepalive`].
    fn keepalive_death(&self, error: &BoxError) -> Option<ClientError> {
        let dead_after = self.keepalive_dead_after?;
        is_os_timeout(&**error)
            .then(|| self.located(TimedOut::new(TimeoutKind::Keepalive, dead_after)))
    }

    /// The call ends with `error`, unless it already ended.
    fn fail(&mut self, error: ClientError) {
        if let State::Finished { .. } = self.state {
            return;
        }
        self.state = State::Finished {
            body_ended: false,
            outcome: Outcome::Failed(Some(error)),
        };
    }
}

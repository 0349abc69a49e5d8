//! One request/response exchange: prepare the request from the core, get a connection, send,
//! wait for the head, retry when the core's policy says so. Everything here is IO and waiting;
//! what to send, when to give up and what the bytes mean are decided by `ollama-proto` (and the
//! HTTP framing by ureq-proto).

use std::future::Future;
use std::time::{Instant, SystemTime};

use async_io::Timer;
use bytes::Bytes;
use futures_lite::FutureExt;
use http::header::{CONTENT_LENGTH, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, Uri};
use ollama_proto::deadline::{Deadlines, TimedOut, TimeoutKind, Timeouts};
use ollama_proto::retry::{self, is_safe_to_repeat};
use ollama_proto::{ClientConfig, Endpoint, build_request};

use crate::Error;
use crate::http1::{self, Body, Connection, HeadError};
use crate::net::Target;
use crate::pool::Pool;

/// A request ready to be sent, possibly several times.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    /// Absolute: ureq-proto writes the origin-form target and derives `Host` from it.
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    pub(crate) target: Target,
    /// The API path, for retry decisions and the tracing span.
    pub(crate) path: String,
    /// The call may be sent twice ([`is_safe_to_repeat`]).
    safe: bool,
}

impl Prepared {
    pub(crate) fn new<E: Endpoint + ?Sized>(
        config: &ClientConfig,
        endpoint: &E,
    ) -> Result<Self, Error> {
        let request = build_request(&config.request, endpoint)?;
        let target = Target::new(&config.request.base_url);
        let (mut parts, body) = request.into_parts();
        // The body is sized up front: Content-Length, never chunked (Ollama reads either).
        if parts.method != Method::GET && parts.method != Method::HEAD {
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        let path = endpoint.path().into_owned();
        Ok(Self {
            safe: is_safe_to_repeat(&parts.method, &path),
            method: parts.method,
            path,
            uri: parts.uri,
            headers: parts.headers,
            body,
            target,
        })
    }

    fn head(&self) -> http::Request<()> {
        let mut request = http::Request::new(());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// A response head with its still unread body (which owns the connection).
#[derive(Debug)]
pub(crate) struct Exchange {
    pub(crate) status: u16,
    /// The raw `Retry-After` header, for retry decisions.
    retry_after: Option<String>,
    pub(crate) body: Body,
    /// The call's deadlines, now in the body phase.
    pub(crate) deadlines: Deadlines,
}

/// Sends `prepared` and waits for the response head, retrying as the configured
/// [`RetryPolicy`](ollama_proto::retry::RetryPolicy) decides: only calls that are safe to
/// repeat, only failures before the response or statuses 429/502/503. A returned error status
/// is left for the caller to read.
pub(crate) async fn open(
    config: &ClientConfig,
    pool: &Pool,
    prepared: &Prepared,
) -> Result<Exchange, Error> {
    let mut deadlines = Deadlines::new(config.timeouts, Instant::now());
    let mut retry = 0u32;
    loop {
        let outcome = attempt(config, pool, prepared, &mut deadlines).await;
        retry += 1;
        let now = SystemTime::now();
        let delay = match &outcome {
            Ok(ex) if ex.status >= 400 => {
                let failure = retry::Failure::Status {
                    status: ex.status,
                    retry_after: ex.retry_after.as_deref(),
                };
                config.retry.next_delay(retry, prepared.safe, failure, now)
            }
            Ok(_) => return outcome,
            Err(Error::Timeout(t)) if t.kind == TimeoutKind::Total => return outcome,
            Err(Error::Usage(_)) => return outcome,
            Err(_) => {
                let failure = retry::Failure::BeforeResponse;
                config.retry.next_delay(retry, prepared.safe, failure, now)
            }
        };
        // `next_delay` gives up after `max_retries`: the loop is bounded by the policy.
        let Some(delay) = delay else { return outcome };
        let why = match &outcome {
            Ok(ex) => format!("status {}", ex.status),
            Err(e) => e.to_string(),
        };
        drop(outcome);
        tracing::debug!(retry, ?delay, %why, "retrying");
        let now = Instant::now();
        deadlines.backoff(now);
        let wake = now + delay;
        let until = deadlines.poll_timeout().map_or(wake, |t| t.min(wake));
        Timer::at(until).await;
        deadlines.check(Instant::now())?;
    }
}

/// One attempt: a pooled or new connection, the request, the response head.
async fn attempt(
    config: &ClientConfig,
    pool: &Pool,
    prepared: &Prepared,
    deadlines: &mut Deadlines,
) -> Result<Exchange, Error> {
    // The connect timeout of this attempt; `deadlines` is in its connect phase only on the first
    // attempt (later ones start from a backoff, where only the total timeout applies).
    let mut connect_timeout = Timeouts::default();
    connect_timeout.connect = config.timeouts.connect;
    let connect_deadline = Deadlines::new(connect_timeout, Instant::now());
    let origin = prepared.target.origin.as_str();
    // Twice at most: a pooled connection the server closed while it sat idle fails before any
    // response byte; a call that is safe to repeat then goes once more on a new connection.
    let mut fresh_only = false;
    for _ in 0..2 {
        let conn = get_conn(pool, prepared, deadlines, &connect_deadline, fresh_only).await?;
        let reused = conn.reused;
        let id = conn.id;
        deadlines.connected(Instant::now());
        let head = within(exchange_head(conn, prepared), deadlines, None).await?;
        match head {
            Ok((response, body)) => {
                deadlines.head_received(Instant::now());
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                return Ok(Exchange {
                    status: response.status().as_u16(),
                    retry_after,
                    body,
                    deadlines: deadlines.clone(),
                });
            }
            Err(HeadError::ClosedBeforeResponse(e)) if reused && prepared.safe && !fresh_only => {
                tracing::debug!(conn = id, error = %e, "stale pooled connection");
                fresh_only = true;
            }
            Err(HeadError::ClosedBeforeResponse(e) | HeadError::Other(e)) => return Err(e),
        }
    }
    Err(Error::io(
        origin,
        "before the response head",
        "the connection closed before the response",
    ))
}

async fn exchange_head(
    mut conn: Connection,
    prepared: &Prepared,
) -> Result<(http::Response<()>, Body), HeadError> {
    let origin = prepared.target.origin.as_str();
    let call = http1::send_request(&mut conn, prepared.head(), &prepared.body, origin)
        .await
        .map_err(|e| match e {
            Error::Io(_) => HeadError::ClosedBeforeResponse(e),
            other => HeadError::Other(other),
        })?;
    http1::recv_response(conn, call, origin).await
}

/// An idle pooled connection that is still open, else a new one.
async fn get_conn(
    pool: &Pool,
    prepared: &Prepared,
    deadlines: &Deadlines,
    connect_deadline: &Deadlines,
    fresh_only: bool,
) -> Result<Connection, Error> {
    if !fresh_only {
        if let Some(conn) = pool.checkout(&prepared.target.origin) {
            return Ok(conn);
        }
    }
    within(
        pool.connect(&prepared.target),
        deadlines,
        Some(connect_deadline),
    )
    .await?
}

/// Runs `future` until it finishes or a deadline of `deadlines` (or of `extra`) expires.
pub(crate) async fn within<F: Future>(
    future: F,
    deadlines: &Deadlines,
    extra: Option<&Deadlines>,
) -> Result<F::Output, TimedOut> {
    let mut future = std::pin::pin!(future);
    // Each turn either finishes or sleeps until a deadline that `check` then reports; the
    // bound only guards against a timer that fires early.
    for _ in 0..1000 {
        let at = [
            deadlines.poll_timeout(),
            extra.and_then(Deadlines::poll_timeout),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(at) = at else {
            return Ok(future.await);
        };
        let done = async { Some(future.as_mut().await) }
            .or(async {
                Timer::at(at).await;
                None
            })
            .await;
        if let Some(output) = done {
            return Ok(output);
        }
        let now = Instant::now();
        deadlines.check(now)?;
        if let Some(extra) = extra {
            extra.check(now)?;
        }
    }
    Ok(future.await)
}

/// The next piece of `body`, or `None` at its end, within the idle and total deadlines;
/// progress restarts the idle clock.
pub(crate) async fn next_chunk(
    body: &mut Body,
    deadlines: &mut Deadlines,
    origin: &str,
) -> Result<Option<Vec<u8>>, Error> {
    let piece = within(body.chunk(origin), deadlines, None).await??;
    if piece.is_some() {
        deadlines.on_progress(Instant::now());
    }
    Ok(piece)
}

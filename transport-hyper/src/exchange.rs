//! One call on the wire: send the request (retrying when the core says so), wait for the
//! response head, and read single-object bodies. Streams continue in [`crate::stream`].

use std::future::Future;
use std::pin::pin;
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http::header::RETRY_AFTER;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use ollama_proto::deadline::{Deadlines, TimedOut};
use ollama_proto::request::Call;
use ollama_proto::response::{BodyCollector, is_success};
use ollama_proto::retry::{Failure, is_safe_to_repeat};
use ollama_proto::{ClientConfig, Endpoint, build_request};
use tracing::Span;

use crate::Error;
use crate::connector::{ConnectTimedOut, Http};

/// The clock, read only here (tokio's, so paused-time tests stay consistent).
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// A response head with a status that is not retried, and the call's deadlines.
pub(crate) struct Exchange {
    pub(crate) response: http::Response<Incoming>,
    pub(crate) deadlines: Deadlines,
}

/// Sends `endpoint`, retrying per `config.retry` (failures before any response byte, and
/// 429/502/503, on calls safe to repeat), and returns the first response head that is not
/// retried. Any status is returned; the caller decides what an error status means.
pub(crate) async fn send<E: Endpoint + ?Sized>(
    http: &Http,
    config: &ClientConfig,
    target: &str,
    endpoint: &E,
    span: &Span,
) -> Result<Exchange, Error> {
    let request = build_request(&config.request, endpoint)?;
    let safe = is_safe_to_repeat(request.method(), request.uri().path());
    let mut deadlines = Deadlines::new(config.timeouts, now());
    let mut retry = 0u32;
    // Bounded: `next_delay` gives up after `max_retries`.
    loop {
        retry = retry.saturating_add(1);
        deadlines.connected(now());
        let pending = http.request(copy_request(&request));
        let delay = match until(&deadlines, pending).await? {
            Ok(response) => {
                deadlines.head_received(now());
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok());
                let failure = Failure::Status {
                    status,
                    retry_after,
                };
                let delay = (status >= 400)
                    .then(|| {
                        config
                            .retry
                            .next_delay(retry, safe, failure, SystemTime::now())
                    })
                    .flatten();
                let Some(delay) = delay else {
                    span.record("status", status);
                    return Ok(Exchange {
                        response,
                        deadlines,
                    });
                };
                tracing::debug!(status, retry, ?delay, "retrying after status");
                // Dropping the head closes that connection; the retry takes a fresh one.
                drop(response);
                delay
            }
            Err(e) => {
                // Connect failures (a connect timeout included) and connections closed before
                // the head: nothing was answered. A response-head timeout returned above.
                let error = classify(e, target);
                let failure = Failure::BeforeResponse;
                let Some(delay) = config
                    .retry
                    .next_delay(retry, safe, failure, SystemTime::now())
                else {
                    return Err(error);
                };
                tracing::debug!(error = %error, retry, ?delay, "retrying after failure");
                delay
            }
        };
        deadlines.backoff(now());
        let wake = now() + delay;
        let at = deadlines.poll_timeout().map_or(wake, |d| d.min(wake));
        tokio::time::sleep_until(at.into()).await;
        deadlines.check(now())?;
    }
}

/// `request` again, for another attempt (cheap: the body is a `Bytes`).
fn copy_request(request: &http::Request<Bytes>) -> http::Request<Full<Bytes>> {
    let mut copy = http::Request::new(Full::new(request.body().clone()));
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// A failure before the response head: connect (or its timeout), else the connection broke.
fn classify(e: hyper_util::client::legacy::Error, target: &str) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    for _ in 0..16 {
        let Some(s) = source else { break };
        if let Some(t) = s.downcast_ref::<ConnectTimedOut>() {
            return Error::Timeout(t.0);
        }
        source = s.source();
    }
    if e.is_connect() {
        Error::connect(target, e)
    } else {
        Error::io(target, "before the response head", e)
    }
}

/// Runs `future` until it completes or a deadline of `deadlines` passes (re-armed until
/// [`Deadlines::check`] confirms it, so a timer that fires early never reports a timeout).
pub(crate) async fn until<F: Future>(
    deadlines: &Deadlines,
    future: F,
) -> Result<F::Output, TimedOut> {
    let mut future = pin!(future);
    // Bounded: each round ends in the output, a timeout, or a later deadline.
    loop {
        let Some(at) = deadlines.poll_timeout() else {
            return Ok(future.await);
        };
        match tokio::time::timeout_at(at.into(), future.as_mut()).await {
            Ok(output) => return Ok(output),
            Err(_) => deadlines.check(now())?,
        }
    }
}

/// Reads a single-object body into a [`BodyCollector`] and decodes it as `C`'s answer. A
/// success body over `config.max_body` fails; an error body is kept up to
/// `config.decoder.max_error_body` (the rest is not read: the connection is closed).
pub(crate) async fn read_call<C: Call + ?Sized>(
    exchange: Exchange,
    config: &ClientConfig,
    target: &str,
) -> Result<C::Output, Error> {
    let Exchange {
        response,
        mut deadlines,
    } = exchange;
    let status = response.status().as_u16();
    let success = is_success(status);
    let limit = if success {
        config.max_body
    } else {
        config.decoder.max_error_body
    };
    let mut collector = BodyCollector::new(status, limit);
    let mut body = response.into_body();
    let mut received = 0u64;
    // Bounded by the body: every round reads one frame or ends.
    loop {
        let frame = until(&deadlines, body.frame()).await?;
        match frame {
            None => break,
            Some(Err(e)) => {
                let context = format!("after {received} body bytes");
                return Err(Error::io(target, context, e));
            }
            Some(Ok(frame)) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                deadlines.on_progress(now());
                received += data.len() as u64;
                collector.feed(&data)?;
                if !success && collector.len() >= limit {
                    break;
                }
            }
        }
    }
    // hyper-util returns the connection to the pool from a task of its own once the
    // connection is idle; a next call that checks out before that happens races a new
    // connect against it. Letting those tasks run first keeps sequential calls on one
    // connection.
    for _ in 0..YIELDS_AFTER_BODY {
        tokio::task::yield_now().await;
    }
    Ok(collector.finish::<C>(&config.decoder)?)
}

/// Scheduler turns given to hyper's connection tasks after a body was read to its end.
pub(crate) const YIELDS_AFTER_BODY: usize = 2;

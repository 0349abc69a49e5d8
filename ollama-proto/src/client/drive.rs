//! The one run loop every transport shares: it feeds the [`Exchange`] what the [`Runtime`]
//! reports and does what the exchange asks. No decision is taken here.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Instant;

use super::runtime::Runtime;
use crate::exchange::{Action, Exchange};
use crate::pool::ConnectionPermit;

/// Drives `ex` until a stream's answer starts ([`Exchange::is_streaming`]) or the call is over
/// ([`Action::Finish`], after which the connection has been released). `permit` is the
/// connection's place under the runtime's limit, held from before the connect until the body
/// is released.
pub(super) async fn drive<R: Runtime>(
    rt: &R,
    ex: &mut Exchange,
    timer: &mut R::Timer,
    body: &mut Option<R::Body>,
    permit: &mut Option<ConnectionPermit>,
) {
    let mut connection: Option<R::Connection> = None;
    // Bounded by the exchange: every turn gives it an input, and its attempts are bounded by
    // the retry policy.
    loop {
        match ex.poll_action() {
            Action::Connect { fresh } => {
                if permit.is_none() {
                    let Some(place) = take_place(rt, ex, timer).await else {
                        continue;
                    };
                    *permit = Some(place);
                }
                // Boxed, here and for the send: a call's future is as large as its largest
                // step, and the runtime's connect (TCP, tunnel, TLS handshake) and send futures
                // were 5 KiB of every open stream's task (measured by `benches/scale.sh`);
                // boxed, they cost one short-lived allocation each instead.
                let connect = Box::pin(rt.connect(fresh, ex.poll_timeout()));
                let outcome = race(rt, ex, timer, connect).await;
                match outcome {
                    Some(Ok((conn, reused))) => {
                        connection = Some(conn);
                        ex.on_connected(rt.now(), reused);
                    }
                    Some(Err(e)) => ex.on_connect_failed(e, rt.now()),
                    None => {}
                }
            }
            Action::SendRequest => {
                let Some(conn) = connection.take() else {
                    // Unreachable: `SendRequest` follows `on_connected`.
                    ex.on_send_failed("no connection to send on".into(), false, rt.now());
                    continue;
                };
                let request = ex.shared_request();
                let send = Box::pin(rt.send(conn, &request, ex.poll_timeout()));
                match race(rt, ex, timer, send).await {
                    Some(Ok(head)) => {
                        *body = Some(head.body);
                        ex.on_head(head.status, &head.headers, rt.now());
                    }
                    Some(Err(e)) => ex.on_send_failed(e.error, e.response_began, rt.now()),
                    None => {}
                }
            }
            Action::ReadBody => {
                if ex.is_streaming() {
                    return;
                }
                let Some(b) = body.as_mut() else {
                    ex.on_body_failed("no body to read".into(), rt.now());
                    continue;
                };
                poll_fn(|cx| poll_read(rt, ex, b, timer, cx)).await;
            }
            Action::Retry(_) => {
                if let Some(b) = body.take() {
                    hand_back(rt, b, false, permit);
                }
                // A call waiting to retry holds no place: the next call may have it.
                *permit = None;
                poll_fn(|cx| poll_deadline(rt, ex, timer, cx)).await;
            }
            Action::Finish { body_ended } => {
                if let Some(b) = body.take() {
                    release(rt, b, body_ended, permit);
                }
                *permit = None;
                return;
            }
        }
    }
}

/// A place under the runtime's connection limit: at once when one is free, else after waiting
/// in line (the exchange knows it waits, so its deadlines and errors say so). `None` when a
/// deadline ended the wait.
async fn take_place<R: Runtime>(
    rt: &R,
    ex: &mut Exchange,
    timer: &mut R::Timer,
) -> Option<ConnectionPermit> {
    let limit = rt.connection_limit();
    let all = match limit.try_acquire() {
        Ok(permit) => return Some(permit),
        Err(all) => all,
    };
    tracing::debug!(
        busy = all.busy,
        max = all.max,
        waiting = all.waiting,
        "waiting for a connection"
    );
    ex.on_waiting_for_connection(all, rt.now());
    let permit = race(rt, ex, timer, limit.acquire()).await?;
    ex.on_connection_free(rt.now());
    Some(permit)
}

/// Runs `future` until it completes (`Some`) or a deadline changes what the exchange wants
/// (`None`; the future is then dropped, which closes whatever it opened).
async fn race<R: Runtime, F: Future>(
    rt: &R,
    ex: &mut Exchange,
    timer: &mut R::Timer,
    future: F,
) -> Option<F::Output> {
    let mut future = pin!(future);
    poll_fn(|cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        match poll_deadline(rt, ex, timer, cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Reads one piece of the body into the exchange, or applies a deadline: `Ready` once the
/// exchange got an input.
pub(super) fn poll_read<R: Runtime>(
    rt: &R,
    ex: &mut Exchange,
    body: &mut R::Body,
    timer: &mut R::Timer,
    cx: &mut Context<'_>,
) -> Poll<()> {
    match rt.poll_body(body, ex.poll_timeout(), cx) {
        Poll::Ready(Some(Ok(bytes))) => {
            let now = now_if_needed(rt, ex);
            ex.on_body(bytes, now);
            Poll::Ready(())
        }
        Poll::Ready(None) => {
            ex.on_end(rt.now());
            Poll::Ready(())
        }
        Poll::Ready(Some(Err(e))) => {
            ex.on_body_failed(e, rt.now());
            Poll::Ready(())
        }
        Poll::Pending => poll_deadline(rt, ex, timer, cx),
    }
}

/// `Ready` once a deadline passed and changed what the exchange wants; `Pending` with the
/// timer armed otherwise (or with no deadline at all).
fn poll_deadline<R: Runtime>(
    rt: &R,
    ex: &mut Exchange,
    timer: &mut R::Timer,
    cx: &mut Context<'_>,
) -> Poll<()> {
    let action = ex.poll_action();
    // A timer fires at or after its instant, and the exchange then moves on; the bound only
    // guards against a clock that disagrees with the timer.
    for _ in 0..8 {
        let Some(at) = ex.poll_timeout() else {
            return Poll::Pending;
        };
        if rt.poll_timer(timer, at, cx).is_pending() {
            return Poll::Pending;
        }
        ex.handle_timeout(rt.now());
        if ex.poll_action() != action {
            return Poll::Ready(());
        }
    }
    cx.waker().wake_by_ref();
    Poll::Pending
}

/// The clock, read only when the exchange needs it for this chunk (a timeout is set, or an
/// error body's stall bound runs): the common case reads no clock per chunk.
fn now_if_needed<R: Runtime>(rt: &R, ex: &Exchange) -> Instant {
    if ex.needs_time() {
        rt.now()
    } else {
        ex.started()
    }
}

/// Hands `body` back to the runtime. After a complete answer whose body goes on, first reads
/// what is already buffered, without waiting (the end of a chunked body is 5 bytes), so the
/// connection is reusable more often; the runtime then pools, drains or closes it.
pub(super) fn release<R: Runtime>(
    rt: &R,
    mut body: R::Body,
    body_ended: bool,
    permit: &mut Option<ConnectionPermit>,
) {
    let mut ended = body_ended;
    if !ended {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        // A deadline already due: a blocking runtime reads only what has arrived.
        let now = Some(rt.now());
        // Bounded: a few pieces at most.
        for _ in 0..4 {
            match rt.poll_body(&mut body, now, &mut cx) {
                Poll::Ready(None) => {
                    ended = true;
                    break;
                }
                Poll::Ready(Some(Ok(_))) => {}
                Poll::Ready(Some(Err(_))) | Poll::Pending => break,
            }
        }
    }
    hand_back(rt, body, ended, permit);
}

/// Gives `body` and its place under the limit to the runtime (a body always has one; without
/// it, the body is dropped, which closes its connection).
fn hand_back<R: Runtime>(
    rt: &R,
    body: R::Body,
    body_ended: bool,
    permit: &mut Option<ConnectionPermit>,
) {
    match permit.take() {
        Some(p) => rt.release(body, body_ended, p),
        None => drop(body),
    }
}

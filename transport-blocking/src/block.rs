//! [`block`]: runs one future to its end on the calling thread.
//!
//! Not an executor: no task queue, no reactor, no timers. The futures of the [`Blocking`]
//! runtime do their IO inside `poll` (each wait a socket wait, bounded by the core's deadline)
//! and complete on their first poll. Only a future of your own (an async tool handler) can
//! return `Pending`; the thread then parks until that future's waker unparks it.
//!
//! [`Blocking`]: crate::Blocking

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// Wakes a parked thread.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

thread_local! {
    /// This thread's waker, made once (a call allocates nothing for it).
    static WAKER: Waker = Waker::from(Arc::new(Unpark(thread::current())));
}

/// Polls `future` on this thread until it completes, parking while it is `Pending`.
pub(crate) fn block<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    WAKER.with(|waker| {
        let mut cx = Context::from_waker(waker);
        // Bounded by the future: the client's futures end (every wait has the core's
        // deadlines), a handler's by whatever it waits for. A spurious unpark only polls again.
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
            thread::park();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn ready_futures_complete_at_once() {
        assert_eq!(block(async { 6 * 7 }), 42);
    }

    /// A future woken from another thread parks this one meanwhile, and completes.
    #[test]
    fn a_pending_future_parks_until_woken() {
        let mut spawned = None;
        let started = Instant::now();
        let mut polls = 0;
        let out = block(std::future::poll_fn(|cx| {
            polls += 1;
            if spawned.is_some() {
                return Poll::Ready("woken");
            }
            let waker = cx.waker().clone();
            spawned = Some(thread::spawn(move || {
                thread::sleep(Duration::from_millis(50));
                waker.wake();
            }));
            Poll::Pending
        }));
        assert_eq!(out, "woken");
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert!(polls <= 3, "parked, not spinning: {polls} polls");
        spawned.unwrap().join().unwrap();
    }
}

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

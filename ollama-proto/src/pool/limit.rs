//! [`ConnectionLimit`]: at most [`PoolOptions::max_connections`](super::PoolOptions) connections
//! in use at once for one server; calls beyond it wait in a first-in, first-out queue.
//!
//! The decisions are all here, the same for every transport: who may open or take a
//! connection, who is next when one is released (the oldest waiter), how many are busy. A
//! transport holds nothing: a waiting call is a future ([`Acquire`]) that stores its task's
//! [`Waker`] in the queue, and releasing a [`ConnectionPermit`] (dropping it) hands the slot to
//! the first waiter and wakes it. A blocking transport's waker unparks its thread.
//!
//! A permit covers one connection from before it is opened (or taken from the idle pool) until
//! it is closed or back in the pool: connecting, writing, reading, and a transport's bounded
//! drain after a complete answer. Idle connections hold no permit; a call takes an idle
//! connection before it opens one, so the sockets open to a server stay at the limit (plus,
//! briefly, a connection a retry replaced).
//!
//! How long a call waits is bounded by its own deadlines (the response-head and total
//! timeouts, [`crate::deadline`]): the [`Exchange`](crate::exchange::Exchange) enters its
//! queued phase when [`ConnectionLimit::try_acquire`] says the limit is reached, and a timeout
//! there is reported as a wait for a connection, with how many were busy.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// The connections in use for one server, and the calls waiting for one. Cheap to clone;
/// clones share the count and the queue.
#[derive(Clone)]
pub struct ConnectionLimit {
    shared: Arc<Mutex<Slots>>,
    max: usize,
}

#[derive(Default)]
struct Slots {
    /// Permits out (connections in use, and slots handed to a waiter not polled yet).
    busy: usize,
    /// Waiters, oldest first: a ticket and the waker of its task.
    waiting: VecDeque<(u64, Waker)>,
    /// Tickets handed a slot by a release, not yet picked up by their future.
    granted: Vec<u64>,
    next_ticket: u64,
}

/// The limit was reached: what [`ConnectionLimit::try_acquire`] says instead of a permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllBusy {
    /// Connections in use when the call asked.
    pub busy: usize,
    /// The limit ([`PoolOptions::max_connections`](super::PoolOptions)).
    pub max: usize,
    /// Calls already waiting ahead of this one.
    pub waiting: usize,
}

impl fmt::Debug for ConnectionLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = self.lock();
        f.debug_struct("ConnectionLimit")
            .field("max", &self.max)
            .field("busy", &slots.busy)
            .field("waiting", &slots.waiting.len())
            .finish()
    }
}

impl ConnectionLimit {
    /// At most `max` connections in use at once (0 counts as 1: a limit no call could pass
    /// would only hang).
    pub fn new(max: usize) -> Self {
        Self {
            shared: Arc::default(),
            max: max.max(1),
        }
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Connections in use now (permits out).
    pub fn busy(&self) -> usize {
        self.lock().busy
    }

    /// Calls waiting for a connection now.
    pub fn waiting(&self) -> usize {
        self.lock().waiting.len()
    }

    /// A permit at once, when a connection is free and nobody waits (waiters go first: the
    /// queue is fair); else how many are busy.
    ///
    /// # Errors
    /// [`AllBusy`] when the call has to wait ([`ConnectionLimit::acquire`]).
    pub fn try_acquire(&self) -> Result<ConnectionPermit, AllBusy> {
        let mut slots = self.lock();
        if slots.waiting.is_empty() && slots.busy < self.max {
            slots.busy += 1;
            return Ok(self.permit());
        }
        Err(AllBusy {
            busy: slots.busy,
            max: self.max,
            waiting: slots.waiting.len(),
        })
    }

    /// Waits for a permit, behind every call that waited before it. Dropping the future
    /// leaves the queue (and passes on a slot it was handed meanwhile).
    pub fn acquire(&self) -> Acquire {
        Acquire {
            limit: self.clone(),
            ticket: None,
        }
    }

    fn permit(&self) -> ConnectionPermit {
        ConnectionPermit {
            shared: Arc::clone(&self.shared),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Slots> {
        lock(&self.shared)
    }
}

fn lock(shared: &Mutex<Slots>) -> MutexGuard<'_, Slots> {
    // The counts are updated in single statements under the lock: a panic elsewhere while it
    // was held leaves them consistent, so keep using them.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A slot is free: it goes to the oldest waiter (woken after the lock is released), or back
/// to the count.
fn release(shared: &Mutex<Slots>) {
    let waker = {
        let mut slots = lock(shared);
        match slots.waiting.pop_front() {
            Some((ticket, waker)) => {
                slots.granted.push(ticket);
                Some(waker)
            }
            None => {
                slots.busy = slots.busy.saturating_sub(1);
                None
            }
        }
    };
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// One connection's place under the limit; dropping it frees the place for the next call.
#[must_use = "dropping a permit frees its connection's place at once"]
pub struct ConnectionPermit {
    shared: Arc<Mutex<Slots>>,
}

impl fmt::Debug for ConnectionPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConnectionPermit")
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        release(&self.shared);
    }
}

/// A call waiting for a [`ConnectionPermit`] ([`ConnectionLimit::acquire`]).
#[must_use = "a call waits for a connection only while this is polled"]
pub struct Acquire {
    limit: ConnectionLimit,
    /// Its place in the queue, once it had to wait.
    ticket: Option<u64>,
}

impl fmt::Debug for Acquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("queued", &self.ticket.is_some())
            .finish()
    }
}

impl Future for Acquire {
    type Output = ConnectionPermit;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ConnectionPermit> {
        let this = self.get_mut();
        let mut slots = this.limit.lock();
        let Some(ticket) = this.ticket else {
            if slots.waiting.is_empty() && slots.busy < this.limit.max {
                slots.busy += 1;
                drop(slots);
                return Poll::Ready(this.limit.permit());
            }
            let ticket = slots.next_ticket;
            slots.next_ticket = ticket.wrapping_add(1);
            slots.waiting.push_back((ticket, cx.waker().clone()));
            this.ticket = Some(ticket);
            return Poll::Pending;
        };
        if let Some(at) = slots.granted.iter().position(|&t| t == ticket) {
            slots.granted.swap_remove(at);
            this.ticket = None;
            drop(slots);
            return Poll::Ready(this.limit.permit());
        }
        // Polled again before its turn: keep the newest waker.
        if let Some((_, waker)) = slots.waiting.iter_mut().find(|(t, _)| *t == ticket)
            && !waker.will_wake(cx.waker())
        {
            waker.clone_from(cx.waker());
        }
        Poll::Pending
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket else {
            return;
        };
        let handed = {
            let mut slots = self.limit.lock();
            if let Some(at) = slots.granted.iter().position(|&t| t == ticket) {
                slots.granted.swap_remove(at);
                true
            } else {
                slots.waiting.retain(|(t, _)| *t != ticket);
                false
            }
        };
        // A slot handed to a call that left: the next waiter gets it.
        if handed {
            release(&self.limit.shared);
        }
    }
}

#[cfg(test)]
#[path = "limit_tests.rs"]
mod tests;

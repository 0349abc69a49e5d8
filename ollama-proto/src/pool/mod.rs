//! [`IdlePool`]: which idle connection a call reuses, decided without IO or a clock of its own.
//!
//! A transport only holds sockets: it hands a connection back with
//! [`IdlePool::checkin`] once its response was read to the end (and the HTTP layer allows
//! reuse), and asks [`IdlePool::checkout`] for one before connecting. The policy is here, the
//! same for every transport:
//!
//! - **Keyed** by the connect plan ([`ConnectPlan::pool_key`](crate::connect::ConnectPlan::pool_key)):
//!   a connection is reused only for the same server over the same route.
//! - **Last in, first out**: the most recently used connection is the likeliest still open.
//! - **At most [`PoolOptions::max_idle`] per key**: a check-in beyond it closes the oldest.
//! - **Idle expiry on the runtime's clock**: a connection idle for longer than
//!   [`PoolOptions::idle_expiry`] (strictly) is closed, never reused. `now` is always passed
//!   in ([`Runtime::now`](crate::Runtime::now)), so paused-time tests agree with the timers.
//! - **Stale discard**: nothing watches an idle connection; when one is taken out, the
//!   transport's cheap probe (a non-blocking read, or its HTTP layer's readiness) says whether
//!   the server closed it meanwhile, and a closed one is dropped for the next.
//!
//! Connections the policy drops are dropped (closed) after the lock is released.
//!
//! The pool also holds the client's [`ConnectionLimit`] ([`PoolOptions::max_connections`]):
//! how many connections may be in use at once, and the queue of calls waiting for one.

mod limit;
mod options;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

pub use limit::{Acquire, AllBusy, ConnectionLimit, ConnectionPermit};
pub use options::PoolOptions;

/// Idle connections of type `C` by key. Cheap to clone; clones share the connections.
pub struct IdlePool<C> {
    idle: Arc<Mutex<HashMap<String, Vec<Idle<C>>>>>,
    options: PoolOptions,
    limit: ConnectionLimit,
}

struct Idle<C> {
    conn: C,
    since: Instant,
}

impl<C> Clone for IdlePool<C> {
    fn clone(&self) -> Self {
        Self {
            idle: Arc::clone(&self.idle),
            options: self.options.clone(),
            limit: self.limit.clone(),
        }
    }
}

impl<C> fmt::Debug for IdlePool<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdlePool")
            .field("idle", &self.idle_count())
            .field("options", &self.options)
            .field("limit", &self.limit)
            .finish()
    }
}

impl<C> IdlePool<C> {
    /// An empty pool with these bounds.
    pub fn new(options: &PoolOptions) -> Self {
        Self {
            idle: Arc::default(),
            options: options.clone(),
            limit: ConnectionLimit::new(options.max_connections),
        }
    }

    /// The limit on connections in use, shared by this pool's clones.
    pub fn limit(&self) -> &ConnectionLimit {
        &self.limit
    }

    /// The most recently checked-in connection for `key` that is not expired at `now` and
    /// that `still_open` accepts; the expired and closed ones met on the way are dropped.
    pub fn checkout(
        &self,
        key: &str,
        now: Instant,
        mut still_open: impl FnMut(&mut C) -> bool,
    ) -> Option<C> {
        let mut dropped = Vec::new();
        let found = {
            let mut idle = self.lock();
            let list = idle.get_mut(key)?;
            let mut found = None;
            // Bounded by the list, which shrinks every turn.
            while let Some(mut entry) = list.pop() {
                if self.is_expired(&entry, now) || !still_open(&mut entry.conn) {
                    dropped.push(entry);
                    continue;
                }
                found = Some(entry.conn);
                break;
            }
            found
        };
        if !dropped.is_empty() {
            tracing::debug!(closed = dropped.len(), "dropped idle connections");
        }
        found
    }

    /// Keeps `conn` for reuse under `key`, idle from `now`: the expired ones are dropped, and
    /// the oldest beyond [`PoolOptions::max_idle`].
    pub fn checkin(&self, key: &str, conn: C, now: Instant) {
        let _dropped = {
            let mut idle = self.lock();
            let list = idle.entry(key.to_owned()).or_default();
            let mut dropped: Vec<Idle<C>> = Vec::new();
            let (keep, expired): (Vec<_>, Vec<_>) = std::mem::take(list)
                .into_iter()
                .partition(|e| !self.is_expired(e, now));
            *list = keep;
            dropped.extend(expired);
            list.push(Idle { conn, since: now });
            let excess = list.len().saturating_sub(self.options.max_idle);
            dropped.extend(list.drain(..excess));
            if list.is_empty() {
                idle.remove(key);
            }
            dropped
        };
    }

    /// How many idle connections are kept, all keys together.
    pub fn idle_count(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    fn is_expired(&self, entry: &Idle<C>, now: Instant) -> bool {
        now.saturating_duration_since(entry.since) > self.options.idle_expiry
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<Idle<C>>>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep using it.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

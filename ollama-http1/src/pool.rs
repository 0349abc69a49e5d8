//! The connection pool: idle HTTP/1.1 connections kept per origin for reuse.
//!
//! A connection goes back to the pool only after its response body was read to the end and
//! the protocol allows reuse (no `Connection: close`, not close-delimited), so a pooled
//! connection is always between messages. It is a plain socket: nothing runs while it is idle,
//! and whether the server closed it meanwhile is checked with one non-blocking read when it is
//! taken out.
//!
//! Bounds ([`PoolOptions`](ollama_proto::client::PoolOptions)): at most `max_idle` idle
//! connections per origin (the oldest are closed first) and none older than `idle_expiry`. Expired or closed connections are dropped when the pool is next used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::{Connection, Io};

#[derive(Debug)]
struct Idle<S> {
    conn: Connection<S>,
    since: Instant,
}

/// Idle connections by origin (`scheme://host:port`). Cheap to clone; clones share the pool.
pub struct Pool<S> {
    idle: Arc<Mutex<HashMap<String, Vec<Idle<S>>>>>,
    max_idle: usize,
    expiry: Duration,
}

impl<S> Clone for Pool<S> {
    fn clone(&self) -> Self {
        Self {
            idle: Arc::clone(&self.idle),
            max_idle: self.max_idle,
            expiry: self.expiry,
        }
    }
}

impl<S> std::fmt::Debug for Pool<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let idle: usize = self.lock().values().map(Vec::len).sum();
        f.debug_struct("Pool").field("idle", &idle).finish()
    }
}

impl<S> Pool<S> {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<Idle<S>>>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep using it.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S: Io> Pool<S> {
    /// An empty pool keeping at most `max_idle` connections per origin, each at most `expiry`.
    pub fn new(max_idle: usize, expiry: Duration) -> Self {
        Self {
            idle: Arc::default(),
            max_idle,
            expiry,
        }
    }

    /// The most recently used idle connection to `origin` that is still open, if any.
    pub fn checkout(&self, origin: &str) -> Option<Connection<S>> {
        let now = Instant::now();
        let mut dead = Vec::new();
        let found = {
            let mut idle = self.lock();
            let list = idle.get_mut(origin)?;
            let mut found = None;
            while let Some(mut entry) = list.pop() {
                if now.saturating_duration_since(entry.since) > self.expiry
                    || !entry.conn.is_idle_alive()
                {
                    dead.push(entry);
                    continue;
                }
                found = Some(entry.conn);
                break;
            }
            found
        };
        if !dead.is_empty() {
            tracing::debug!(closed = dead.len(), "dropped idle connections");
        }
        drop(dead); // closes them, outside the lock
        found
    }

    /// Puts a connection whose last response was read to the end back for reuse.
    pub fn checkin(&self, origin: &str, conn: Connection<S>) {
        tracing::trace!(conn = conn.id, "connection back in the pool");
        let now = Instant::now();
        let evicted = {
            let mut idle = self.lock();
            let list = idle.entry(origin.to_owned()).or_default();
            list.retain(|e| now.saturating_duration_since(e.since) <= self.expiry);
            list.push(Idle { conn, since: now });
            let excess = list.len().saturating_sub(self.max_idle);
            list.drain(..excess).collect::<Vec<_>>()
        };
        drop(evicted);
    }
}

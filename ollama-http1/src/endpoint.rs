//! [`Endpoint`]: the server a runtime talks to — the core's [`ConnectPlan`] and an
//! [`IdlePool`] of its connections — and the pool half of a runtime's `connect` and `release`.

use std::sync::Arc;
use std::time::Instant;

use ollama_proto::connect::{ConnectPlan, TargetForm};
use ollama_proto::pool::{ConnectionLimit, IdlePool, PoolOptions};

use crate::{Body, Connection, Io};

/// The plan and the idle connections of one client (and its clones). Cheap to clone.
#[derive(Debug)]
pub struct Endpoint<S> {
    /// How to connect, decided by the core.
    pub plan: Arc<ConnectPlan>,
    pool: IdlePool<Connection<S>>,
}

impl<S> Clone for Endpoint<S> {
    fn clone(&self) -> Self {
        Self {
            plan: Arc::clone(&self.plan),
            pool: self.pool.clone(),
        }
    }
}

impl<S: Io> Endpoint<S> {
    /// The endpoint of `plan`, with `options`' pool.
    pub fn new(plan: &Arc<ConnectPlan>, options: &PoolOptions) -> Self {
        Self {
            plan: Arc::clone(plan),
            pool: IdlePool::new(options),
        }
    }

    /// An idle connection that is still open at `now`, unless `fresh` asks for a new one.
    pub fn checkout(&self, fresh: bool, now: Instant) -> Option<Connection<S>> {
        if fresh {
            return None;
        }
        let key = self.plan.pool_key();
        self.pool.checkout(key, now, Connection::is_idle_alive)
    }

    /// The limit on connections in use to this server, with its queue of waiting calls.
    pub fn limit(&self) -> &ConnectionLimit {
        self.pool.limit()
    }

    /// A new connection over `io`, logged.
    pub fn connected(&self, io: S) -> Connection<S> {
        let conn = Connection::new(io);
        tracing::debug!(conn = conn.id, to = self.plan.pool_key(), "connected");
        conn
    }

    /// Requests go out with the absolute URI as their target (to a forwarding proxy).
    pub fn absolute_form(&self) -> bool {
        self.plan.target_form() == TargetForm::Absolute
    }

    /// The call is done with `body` at `now`: its connection goes back to the pool when the
    /// body was read to its end and HTTP allows reuse; otherwise it is closed (the core already
    /// read what had arrived; neither runtime keeps a task to drain the rest).
    pub fn release(&self, body: Body<S>, body_ended: bool, now: Instant) {
        if body_ended {
            if let Some(conn) = body.into_reusable() {
                tracing::trace!(conn = conn.id, "connection back in the pool");
                self.pool.checkin(self.plan.pool_key(), conn, now);
            }
        }
    }
}

//! [`Endpoint`]: the server a runtime talks to — where and how to connect ([`Target`]) and its
//! idle connections ([`Pool`]) — and the pool half of a runtime's `connect` and `release`.

use std::sync::Arc;

use ollama_proto::client::PoolOptions;
use ollama_proto::client_config::{ClientConfig, Network};

use crate::{Body, Connection, Io, Pool, Target};

/// The target and the pool of one client (and its clones). Cheap to clone.
#[derive(Debug)]
pub struct Endpoint<S> {
    /// Where to connect and how.
    pub target: Arc<Target>,
    pool: Pool<S>,
}

impl<S> Clone for Endpoint<S> {
    fn clone(&self) -> Self {
        Self {
            target: Arc::clone(&self.target),
            pool: self.pool.clone(),
        }
    }
}

impl<S: Io> Endpoint<S> {
    /// The endpoint of `config`, reached as `network` says, with `options`' pool.
    pub fn new(config: &ClientConfig, network: &Network, options: &PoolOptions) -> Self {
        Self {
            target: Arc::new(Target::new(config, network)),
            pool: Pool::new(options.max_idle, options.idle_expiry),
        }
    }

    /// An idle connection that is still open, unless `fresh` asks for a new one.
    pub fn checkout(&self, fresh: bool) -> Option<Connection<S>> {
        if fresh {
            return None;
        }
        self.pool.checkout(&self.target.origin)
    }

    /// A new connection over `io`, logged.
    pub fn connected(&self, io: S) -> Connection<S> {
        let conn = Connection::new(io);
        tracing::debug!(conn = conn.id, origin = %self.target.origin, "connected");
        conn
    }

    /// The call is done with `body`: its connection goes back to the pool when the body was
    /// read to its end and HTTP allows reuse; otherwise it is closed (the core already read
    /// what had arrived; neither runtime keeps a task to drain the rest).
    pub fn release(&self, body: Body<S>, body_ended: bool) {
        if body_ended {
            if let Some(conn) = body.into_reusable() {
                self.pool.checkin(&self.target.origin, conn);
            }
        }
    }
}

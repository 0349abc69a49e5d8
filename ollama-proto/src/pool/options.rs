//! [`PoolOptions`]: how many connections a client uses at once, how many idle ones it keeps,
//! and for how long (the knobs of [`IdlePool`](super::IdlePool) and its
//! [`ConnectionLimit`](super::ConnectionLimit), the one policy every transport uses).

use std::time::Duration;

/// Idle-connection pool settings, the `Options` of both bundled runtimes
/// ([`Runtime::Options`](crate::Runtime::Options)).
///
/// ```
/// use std::time::Duration;
/// use ollama_proto::client::PoolOptions;
///
/// let options = PoolOptions::default().max_idle(2).idle_expiry(Duration::from_secs(30));
/// assert_eq!(options.max_idle, 2);
/// assert_eq!(options.max_connections, 512);
/// // A gateway holding 10,000 streams open to one server:
/// let gateway = PoolOptions::default().max_connections(10_000);
/// assert_eq!(gateway.max_connections, 10_000);
/// assert_eq!(PoolOptions::default().idle_expiry, PoolOptions::DEFAULT_IDLE_EXPIRY);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolOptions {
    /// Most connections in use at once to the server (connecting, sending, reading a body);
    /// a call beyond it waits, first come first served, within its own response-head and
    /// total timeouts ([`ConnectionLimit`](super::ConnectionLimit)). Default
    /// [`DEFAULT_MAX_CONNECTIONS`](Self::DEFAULT_MAX_CONNECTIONS).
    pub max_connections: usize,
    /// Most idle connections kept (a client talks to one server); the oldest go first.
    pub max_idle: usize,
    /// How long an idle connection is kept before it is closed instead of reused.
    pub idle_expiry: Duration,
}

impl PoolOptions {
    /// The default [`max_connections`](Self::max_connections): 512.
    ///
    /// Unbounded is no default for a gateway: a burst then opens as many sockets as it has
    /// calls, until the process runs out of file descriptors and every call fails at once
    /// (new and old alike share the process's descriptors). 512, because:
    ///
    /// - **An Ollama server does no more with more.** It runs `OLLAMA_NUM_PARALLEL` requests
    ///   per model (1 to 4 by default) and queues at most `OLLAMA_MAX_QUEUE` more (default
    ///   512); beyond that it answers `503 server busy`. Calls waiting here instead keep their
    ///   place in order and their deadlines, rather than failing on a status.
    /// - **It fits the default descriptor limit.** The soft `RLIMIT_NOFILE` is 1024 on most
    ///   Linux systems: 512 sockets leave half for everything else the process opens, so the
    ///   default client alone never meets `EMFILE`.
    ///
    /// A gateway that holds thousands of streams to one server (or to a proxy in front of a
    /// farm) raises it, with the descriptor limit to match (README, "Running a gateway").
    pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
    /// The default [`max_idle`](Self::max_idle): 8.
    pub const DEFAULT_MAX_IDLE: usize = 8;
    /// The default [`idle_expiry`](Self::idle_expiry): 90 s, as Go's `http.DefaultTransport`.
    pub const DEFAULT_IDLE_EXPIRY: Duration = Duration::from_secs(90);

    /// Sets the most connections in use at once to the server (0 counts as 1; `usize::MAX`
    /// is no limit).
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Sets the most idle connections kept (0 keeps none: every call connects).
    #[must_use]
    pub fn max_idle(mut self, n: usize) -> Self {
        self.max_idle = n;
        self
    }

    /// Sets how long an idle connection is kept.
    #[must_use]
    pub fn idle_expiry(mut self, d: Duration) -> Self {
        self.idle_expiry = d;
        self
    }
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            max_idle: Self::DEFAULT_MAX_IDLE,
            idle_expiry: Self::DEFAULT_IDLE_EXPIRY,
        }
    }
}

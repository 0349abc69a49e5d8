//! [`PoolOptions`]: how many idle connections a client keeps, and for how long (the knobs of
//! [`IdlePool`](super::IdlePool), the one policy every transport uses).

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
/// assert_eq!(PoolOptions::default().idle_expiry, PoolOptions::DEFAULT_IDLE_EXPIRY);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolOptions {
    /// Most idle connections kept (a client talks to one server); the oldest go first.
    pub max_idle: usize,
    /// How long an idle connection is kept before it is closed instead of reused.
    pub idle_expiry: Duration,
}

impl PoolOptions {
    /// The default [`max_idle`](Self::max_idle): 8.
    pub const DEFAULT_MAX_IDLE: usize = 8;
    /// The default [`idle_expiry`](Self::idle_expiry): 90 s, as Go's `http.DefaultTransport`.
    pub const DEFAULT_IDLE_EXPIRY: Duration = Duration::from_secs(90);

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
            max_idle: Self::DEFAULT_MAX_IDLE,
            idle_expiry: Self::DEFAULT_IDLE_EXPIRY,
        }
    }
}

//! [`TcpKeepalive`]: the TCP keepalive every connection gets, as numbers only (sans-IO: each
//! transport applies them to its socket), and how the OS reports a peer it found dead.
//!
//! A server that vanishes without a word (power loss, a cable pulled, a NAT or load balancer
//! that forgot the connection) sends neither a FIN nor a reset: without keepalive, a call
//! waiting for its answer waits forever. With it, the OS probes a connection that has been
//! silent for `idle`, then every `interval`; after `probes` unanswered probes it closes the
//! connection and the next read fails with `ETIMEDOUT`, which the
//! [`Exchange`](crate::exchange::Exchange) reports as a
//! [`TimeoutKind::Keepalive`](crate::deadline::TimeoutKind::Keepalive) naming the server.
//!
//! Probes are answered by the peer's kernel, not by Ollama: a server busy loading a model or
//! evaluating a long prompt answers them, so keepalive never cuts slow work, however long.
//!
//! The OS sends no probe while data it sent waits for an acknowledgement (a request written
//! to a server that has just vanished, or on a pooled connection whose server vanished less
//! than a minute ago); it retransmits instead, for about 15 minutes on Linux. So on Linux the
//! transports also set `TCP_USER_TIMEOUT` to [`TcpKeepalive::dead_after`]: unacknowledged
//! data ends the connection after the same silence (as gRPC does with its keepalive).
//! Ollama reads a request whole before it starts working, so this cuts no slow work either.
//!
//! ```
//! use std::time::Duration;
//! use ollama_proto::keepalive::TcpKeepalive;
//!
//! let k = TcpKeepalive::default();
//! assert_eq!(k, TcpKeepalive::DEFAULT);
//! assert_eq!((k.idle(), k.interval(), k.probes()), (Duration::from_secs(30), Duration::from_secs(10), 3));
//! assert_eq!(k.dead_after(), Duration::from_secs(60));
//! // The OS counts whole seconds: sub-second values round up, zero becomes one.
//! let short = TcpKeepalive::new(Duration::from_millis(1500), Duration::ZERO, 0);
//! assert_eq!((short.idle(), short.interval(), short.probes()), (Duration::from_secs(2), Duration::from_secs(1), 1));
//! ```

use std::time::Duration;

/// TCP keepalive settings: silence before the first probe, time between probes, and how many
/// unanswered probes mean the peer is gone. Values are whole seconds within what every OS
/// accepts (see [`TcpKeepalive::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TcpKeepalive {
    idle: Duration,
    interval: Duration,
    probes: u32,
}

/// Largest idle and interval Linux accepts (`TCP_KEEPIDLE`, `TCP_KEEPINTVL`), in seconds.
const MAX_SECS: u64 = 32_767;
/// Largest probe count Linux accepts (`TCP_KEEPCNT`).
const MAX_PROBES: u32 = 127;

impl TcpKeepalive {
    /// The default: first probe after 30 s of silence, then every 10 s, dead after 3
    /// unanswered probes, so a vanished peer is found within a minute of its last byte.
    ///
    /// Why these numbers: Go's `http.DefaultTransport` also probes after 30 s (then every 30 s,
    /// 9 times on Linux: 5 minutes); the OS default (2 hours, then 9 probes 75 s apart) is
    /// useless for a client. Three probes 10 s apart tolerate 20 s of total packet loss on a
    /// live path, and a probe every 30 s on a silent connection is about 60 bytes: nothing.
    /// Probing that often also keeps NAT and load-balancer mappings of a long, silent call
    /// (a model loading) alive.
    pub const DEFAULT: Self = Self {
        idle: Duration::from_secs(30),
        interval: Duration::from_secs(10),
        probes: 3,
    };

    /// Settings as the OS will apply them: `idle` and `interval` rounded up to whole seconds
    /// from 1 to 32767, `probes` from 1 to 127.
    pub fn new(idle: Duration, interval: Duration, probes: u32) -> Self {
        Self {
            idle: whole_secs(idle),
            interval: whole_secs(interval),
            probes: probes.clamp(1, MAX_PROBES),
        }
    }

    /// Silence before the first probe (`TCP_KEEPIDLE`).
    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// Time between unanswered probes (`TCP_KEEPINTVL`).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Unanswered probes after which the connection is closed (`TCP_KEEPCNT`).
    pub fn probes(&self) -> u32 {
        self.probes
    }

    /// How long a silent peer takes to be declared dead: `idle + interval × probes`; also the
    /// longest sent data may stay unacknowledged (`TCP_USER_TIMEOUT`, on Linux).
    pub fn dead_after(&self) -> Duration {
        self.idle
            .saturating_add(self.interval.saturating_mul(self.probes))
    }
}

impl Default for TcpKeepalive {
    /// [`TcpKeepalive::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Rounds up to whole seconds, from 1 to [`MAX_SECS`].
fn whole_secs(d: Duration) -> Duration {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    Duration::from_secs(secs.clamp(1, MAX_SECS))
}

/// `true` when `error` or one of its sources is an [`std::io::Error`] of kind
/// [`TimedOut`](std::io::ErrorKind::TimedOut): on a connection that was established, the OS
/// closed it because the peer stopped answering (`ETIMEDOUT`: keepalive probes, or
/// retransmissions, went unanswered).
pub fn is_os_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    // Bounded: error chains are short.
    for _ in 0..8 {
        let Some(e) = next else { return false };
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
            // An io::Error wrapping another error: look inside.
            if let Some(inner) = io.get_ref() {
                next = Some(inner);
                continue;
            }
        }
        next = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_whole_seconds_the_os_accepts() {
        let k = TcpKeepalive::new(Duration::from_secs(100_000), Duration::from_nanos(1), 1000);
        assert_eq!(k.idle(), Duration::from_secs(MAX_SECS));
        assert_eq!(k.interval(), Duration::from_secs(1));
        assert_eq!(k.probes(), MAX_PROBES);
        let k = TcpKeepalive::new(Duration::from_secs(1), Duration::from_secs(1), 2);
        assert_eq!(k.dead_after(), Duration::from_secs(3));
        assert_eq!(TcpKeepalive::DEFAULT.dead_after(), Duration::from_secs(60));
    }

    #[derive(Debug)]
    struct Wrapper(std::io::Error);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("wrapped")
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn os_timeouts_are_found_anywhere_in_the_chain() {
        use std::io::{Error, ErrorKind};
        let timed_out = || Error::from(ErrorKind::TimedOut);
        assert!(is_os_timeout(&timed_out()));
        assert!(is_os_timeout(&Wrapper(timed_out())));
        assert!(is_os_timeout(&Error::other(Wrapper(timed_out()))));
        assert!(!is_os_timeout(&Error::from(ErrorKind::ConnectionReset)));
        assert!(!is_os_timeout(&Wrapper(Error::from(
            ErrorKind::UnexpectedEof
        ))));
        let text: Box<dyn std::error::Error + Send + Sync> = "timed out".into();
        assert!(!is_os_timeout(&*text));
    }
}

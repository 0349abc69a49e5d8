//! [`TimedOut`]: a timeout that expired, and where ([`CallSite`]): the server, the proxy,
//! what the call was doing. Its message names the setting that fired and how to raise it.
//! A submodule of [`crate::deadline`] (which re-exports it and computes the deadlines).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::TimeoutKind;

/// A timeout expired: which, its length, and (in every error a client returns) where.
///
/// ```
/// use std::time::Duration;
/// use ollama_proto::deadline::{CallPhase, CallSite, TimedOut, TimeoutKind};
///
/// let t = TimedOut::new(TimeoutKind::Connect, Duration::from_secs(30))
///     .at(CallSite::new("10.0.0.1:11434", None, CallPhase::Connect));
/// assert_eq!(
///     t.to_string(),
///     "connect to 10.0.0.1:11434 timed out after 30s \
///      (connect timeout; raise it with ClientBuilder::connect_timeout; a server whose \
///      listen backlog is full leaves connects unanswered too: raise its backlog, \
///      net.core.somaxconn)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TimedOut {
    /// Which one.
    pub kind: TimeoutKind,
    /// Its configured length (for [`TimeoutKind::Keepalive`]: the silence after which the OS
    /// gave up, [`TcpKeepalive::dead_after`](crate::keepalive::TcpKeepalive::dead_after)).
    pub limit: Duration,
    /// The server, the proxy and what the call was doing; set by the
    /// [`Exchange`](crate::exchange::Exchange) on every timeout it reports.
    pub site: Option<CallSite>,
}

impl TimedOut {
    /// `kind` expired after `limit`, not located yet.
    pub fn new(kind: TimeoutKind, limit: Duration) -> Self {
        Self {
            kind,
            limit,
            site: None,
        }
    }

    /// The same timeout, located at `site`.
    #[must_use]
    pub fn at(mut self, site: CallSite) -> Self {
        self.site = Some(site);
        self
    }
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, limit) = (self.kind, self.limit);
        let Some(site) = &self.site else {
            return write!(f, "{} timeout of {limit:?} expired", kind.as_str());
        };
        let server = &site.server;
        let via = Via(site.proxy.as_deref());
        let phase = site.phase;
        let setting = kind.setting();
        if let CallPhase::WaitingForConnection { busy, max } = phase {
            return write!(
                f,
                "timed out waiting for a connection to {server}{via}: {busy} of at most {max} \
                 were busy for {limit:?} ({} timeout; raise it with {setting}, or allow more \
                 connections with PoolOptions::max_connections)",
                kind.as_str()
            );
        }
        match kind {
            TimeoutKind::Connect => write!(
                f,
                "connect to {server}{via} timed out after {limit:?} \
                 (connect timeout; raise it with {setting}; a server whose listen backlog \
                 is full leaves connects unanswered too: raise its backlog, \
                 net.core.somaxconn)"
            ),
            TimeoutKind::ResponseHead => write!(
                f,
                "no response head from {server}{via} within {limit:?} of sending the request \
                 (response_head timeout; raise it with {setting})"
            ),
            TimeoutKind::Idle => write!(
                f,
                "no body bytes from {server}{via} for {limit:?}, {phase} \
                 (idle timeout; raise it with {setting})"
            ),
            TimeoutKind::Total => write!(
                f,
                "the call to {server}{via} reached its total timeout of {limit:?} {phase} \
                 (raise it with {setting})"
            ),
            TimeoutKind::Keepalive => {
                match &site.proxy {
                    None => write!(f, "the server {server}")?,
                    Some(proxy) => write!(f, "the proxy {proxy} (on the way to {server})")?,
                }
                write!(
                    f,
                    " stopped answering {phase}: the OS closed the connection after {limit:?} \
                     without an answer (TCP keepalive), so the peer or the network path to it \
                     is gone (change or remove keepalive with {setting})"
                )
            }
        }
    }
}

impl std::error::Error for TimedOut {}

/// Where a call was when a limit fired: what a [`TimedOut`] names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CallSite {
    /// The server, `host:port`.
    pub server: Arc<str>,
    /// The proxy the connection goes to (`http://host:port`, never its credentials), if any.
    pub proxy: Option<Arc<str>>,
    /// What the call was doing.
    pub phase: CallPhase,
}

impl CallSite {
    /// The server `server` (`host:port`), through `proxy` if any, in `phase`.
    pub fn new(server: impl Into<Arc<str>>, proxy: Option<Arc<str>>, phase: CallPhase) -> Self {
        Self {
            server: server.into(),
            proxy,
            phase,
        }
    }
}

/// What a call was doing when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallPhase {
    /// Opening the connection (TCP, the proxy's tunnel, TLS).
    Connect,
    /// The request was sent; the response head had not arrived.
    ResponseHead,
    /// Reading the body, after `received` body bytes.
    Body {
        /// Body bytes received before the failure.
        received: u64,
    },
    /// Waiting before the next attempt.
    Backoff,
    /// Waiting for a connection: the client's limit
    /// ([`PoolOptions::max_connections`](crate::pool::PoolOptions::max_connections)) was
    /// reached.
    WaitingForConnection {
        /// Connections in use when the call started waiting.
        busy: usize,
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for CallPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect => f.write_str("while connecting"),
            Self::ResponseHead => f.write_str("while waiting for the response head"),
            Self::Body { received } => write!(f, "after {received} body bytes"),
            Self::Backoff => f.write_str("while waiting to retry"),
            Self::WaitingForConnection { busy, max } => write!(
                f,
                "while waiting for a connection ({busy} of at most {max} busy)"
            ),
        }
    }
}

/// ` through the proxy <url>`, or nothing.
struct Via<'a>(Option<&'a str>);

impl fmt::Display for Via<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(proxy) => write!(f, " through the proxy {proxy}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn located_timeouts_name_server_phase_and_setting() {
        let site = |proxy: Option<&str>, phase| CallSite::new("h:1", proxy.map(Arc::from), phase);
        let body = CallPhase::Body { received: 42 };
        let cases = [
            (
                TimeoutKind::Connect,
                site(Some("http://p:3128"), CallPhase::Connect),
                "connect to h:1 through the proxy http://p:3128 timed out after 2s \
                 (connect timeout; raise it with ClientBuilder::connect_timeout; a server whose \
                 listen backlog is full leaves connects unanswered too: raise its backlog, \
                 net.core.somaxconn)",
            ),
            (
                TimeoutKind::ResponseHead,
                site(None, CallPhase::ResponseHead),
                "no response head from h:1 within 2s of sending the request \
                 (response_head timeout; raise it with ClientBuilder::response_head_timeout)",
            ),
            (
                TimeoutKind::Idle,
                site(None, body),
                "no body bytes from h:1 for 2s, after 42 body bytes \
                 (idle timeout; raise it with ClientBuilder::idle_timeout)",
            ),
            (
                TimeoutKind::Total,
                site(None, CallPhase::Backoff),
                "the call to h:1 reached its total timeout of 2s while waiting to retry \
                 (raise it with ClientBuilder::total_timeout)",
            ),
            (
                TimeoutKind::Keepalive,
                site(None, body),
                "the server h:1 stopped answering after 42 body bytes: the OS closed the \
                 connection after 2s without an answer (TCP keepalive), so the peer or the \
                 network path to it is gone (change or remove keepalive with \
                 ClientBuilder::tcp_keepalive)",
            ),
            (
                TimeoutKind::Keepalive,
                site(Some("http://p:3128"), CallPhase::ResponseHead),
                "the proxy http://p:3128 (on the way to h:1) stopped answering while waiting \
                 for the response head: the OS closed the connection after 2s without an \
                 answer (TCP keepalive), so the peer or the network path to it is gone \
                 (change or remove keepalive with ClientBuilder::tcp_keepalive)",
            ),
        ];
        for (kind, site, want) in cases {
            let t = TimedOut::new(kind, secs(2)).at(site);
            assert_eq!(t.to_string(), want);
        }
        assert_eq!(
            TimedOut::new(TimeoutKind::Keepalive, secs(60)).to_string(),
            "keepalive timeout of 60s expired"
        );
    }
}

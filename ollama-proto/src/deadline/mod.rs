//! Sans-IO timeouts: the core computes deadlines from times the transport passes in; the
//! transport only arms a timer for [`Deadlines::poll_timeout`].
//!
//! Four separate, optional timeouts, because one total timeout kills long streams:
//! - **connect**: establishing the connection (TCP + TLS); **30 s by default**;
//! - **response head**: from the request being sent to the status line and headers (the model
//!   may be loading: minutes for a large model); unset by default;
//! - **idle**: between two body chunks (a stalled server or network); unset by default;
//! - **total**: the whole call, only when the caller asks for it; unset by default.
//!
//! Why only connect has a default: a server that is alive may legitimately send nothing for
//! minutes (loading a model, evaluating a long prompt, quantizing during `create`, a
//! non-streamed `pull`), so any default head or idle limit would cut real work. A server that
//! is *gone* is found by TCP keepalive instead ([`crate::keepalive`], on by default), which the
//! peer's kernel answers however busy Ollama is. A connect, by contrast, is answered by the
//! kernel within a round trip; 30 s (as Go's `net/http`) leaves room for four lost SYNs
//! (retransmitted after 1, 3, 7 and 15 s) and a TLS handshake, and ends a black-holed connect
//! (a full listen backlog, a firewall that drops, a wrong LAN address) long before the OS
//! would (about 2 minutes on Linux).
//!
//! The [`Exchange`](crate::exchange::Exchange) locates every expired timeout ([`CallSite`]):
//! the error names the server, what the call was doing, the setting that fired and how to
//! raise it.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use ollama_proto::deadline::{Deadlines, TimeoutKind, Timeouts};
//!
//! let t0 = Instant::now(); // the transport reads the clock, never the core
//! let mut d = Deadlines::new(Timeouts::default().idle(Duration::from_secs(30)), t0);
//! d.connected(t0);
//! d.head_received(t0);
//! assert_eq!(d.poll_timeout(), Some(t0 + Duration::from_secs(30)));
//! d.on_progress(t0 + Duration::from_secs(10)); // a chunk arrived: the idle clock restarts
//! let late = t0 + Duration::from_secs(41);
//! assert_eq!(d.check(late).unwrap_err().kind, TimeoutKind::Idle);
//! ```

use std::time::{Duration, Instant};

mod timed_out;

pub use timed_out::{CallPhase, CallSite, TimedOut};

/// The four optional timeouts. By default only `connect` is set
/// ([`Timeouts::DEFAULT_CONNECT`], 30 s): a stream may run as long as the model produces
/// tokens, and a vanished server is found by TCP keepalive ([`crate::keepalive`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timeouts {
    /// Limit for establishing the connection (default [`Timeouts::DEFAULT_CONNECT`]).
    pub connect: Option<Duration>,
    /// Limit from sending the request to receiving the response head (default: none).
    pub response_head: Option<Duration>,
    /// Limit between two body chunks (default: none).
    pub idle: Option<Duration>,
    /// Limit for the whole call (default: none).
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    /// A 30 s connect timeout ([`Timeouts::DEFAULT_CONNECT`]), nothing else.
    fn default() -> Self {
        Self::none().connect(Self::DEFAULT_CONNECT)
    }
}

impl Timeouts {
    /// The default connect timeout: 30 s, as Go's `net/http` (see the [module](self) for why).
    pub const DEFAULT_CONNECT: Duration = Duration::from_secs(30);

    /// No timeout at all, not even the default connect timeout: a connect that is never
    /// answered then waits for the OS to give up (about 2 minutes on Linux).
    pub const fn none() -> Self {
        Self {
            connect: None,
            response_head: None,
            idle: None,
            total: None,
        }
    }

    /// Sets the connect timeout.
    pub fn connect(mut self, d: Duration) -> Self {
        self.connect = Some(d);
        self
    }

    /// Sets the response-head timeout.
    pub fn response_head(mut self, d: Duration) -> Self {
        self.response_head = Some(d);
        self
    }

    /// Sets the idle (between chunks) timeout.
    pub fn idle(mut self, d: Duration) -> Self {
        self.idle = Some(d);
        self
    }

    /// Sets the total timeout.
    pub fn total(mut self, d: Duration) -> Self {
        self.total = Some(d);
        self
    }
}

/// Which timeout expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// [`Timeouts::connect`].
    Connect,
    /// [`Timeouts::response_head`].
    ResponseHead,
    /// [`Timeouts::idle`].
    Idle,
    /// [`Timeouts::total`].
    Total,
    /// The OS closed an established connection whose peer stopped answering TCP keepalive
    /// probes ([`crate::keepalive`]): the server, or the path to it, is gone.
    Keepalive,
}

impl TimeoutKind {
    /// snake_case name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::ResponseHead => "response_head",
            Self::Idle => "idle",
            Self::Total => "total",
            Self::Keepalive => "keepalive",
        }
    }

    /// The builder method that sets this limit (`ClientBuilder::connect_timeout`, …).
    pub fn setting(self) -> &'static str {
        match self {
            Self::Connect => "ClientBuilder::connect_timeout",
            Self::ResponseHead => "ClientBuilder::response_head_timeout",
            Self::Idle => "ClientBuilder::idle_timeout",
            Self::Total => "ClientBuilder::total_timeout",
            Self::Keepalive => "ClientBuilder::tcp_keepalive",
        }
    }
}

/// Where a call is, for choosing which timeouts apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a connection under the client's limit
    /// ([`ConnectionLimit`](crate::pool::ConnectionLimit)).
    Queued,
    Connecting,
    AwaitingHead,
    Body,
    Backoff,
}

/// Deadline tracker for one call. Feed it the times things happened; ask it when to wake up.
#[derive(Debug, Clone)]
pub struct Deadlines {
    timeouts: Timeouts,
    started: Instant,
    phase: Phase,
    phase_started: Instant,
    last_progress: Instant,
    /// When this attempt started waiting for a connection, if it had to: the response-head
    /// timeout runs from there (the wait counts against it).
    queued_at: Option<Instant>,
}

impl Deadlines {
    /// Starts tracking a call at `now` (connecting).
    pub fn new(timeouts: Timeouts, now: Instant) -> Self {
        Self {
            timeouts,
            started: now,
            phase: Phase::Connecting,
            phase_started: now,
            last_progress: now,
            queued_at: None,
        }
    }

    /// The attempt waits for a connection (the client's limit is reached): until it gets one,
    /// the connect timeout does not run (nothing is being connected); the response-head
    /// timeout does, from now, and keeps running through the connect until the head
    /// arrives; the total timeout as always.
    pub fn queued(&mut self, now: Instant) {
        self.enter(Phase::Queued, now);
        self.queued_at = Some(now);
    }

    /// The queued attempt got its place and starts connecting: the connect timeout runs from
    /// `now`, the response-head timeout still from when the wait began.
    pub fn dequeued(&mut self, now: Instant) {
        let queued_at = self.queued_at;
        self.enter(Phase::Connecting, now);
        self.queued_at = queued_at;
    }

    /// A new attempt starts getting a connection: the connect timeout applies again (after a
    /// backoff, or for a fresh connection after a stale pooled one).
    pub fn connecting(&mut self, now: Instant) {
        self.enter(Phase::Connecting, now);
    }

    /// The connection is ready and the request is being sent.
    pub fn connected(&mut self, now: Instant) {
        let from = self.queued_at.unwrap_or(now);
        self.enter(Phase::AwaitingHead, now);
        self.phase_started = from;
    }

    /// The status line and headers arrived.
    pub fn head_received(&mut self, now: Instant) {
        self.enter(Phase::Body, now);
    }

    /// An attempt failed and the transport waits before retrying: until the next
    /// [`connected`](Self::connected), only the total timeout applies (a backoff is neither
    /// a slow connect, a slow head nor an idle body).
    pub fn backoff(&mut self, now: Instant) {
        self.enter(Phase::Backoff, now);
    }

    /// Body bytes arrived: restarts the idle clock.
    pub fn on_progress(&mut self, now: Instant) {
        self.last_progress = now;
    }

    /// `false` when no timeout applies in the current phase (e.g. reading a body with neither
    /// an idle nor a total timeout, whatever the connect timeout): a transport can then skip
    /// reading the clock for every chunk.
    pub fn is_armed(&self) -> bool {
        let t = &self.timeouts;
        let queued_head = self.queued_at.and(t.response_head);
        let phase = match self.phase {
            Phase::Queued => t.response_head,
            Phase::Connecting => t.connect.or(queued_head),
            Phase::AwaitingHead => t.response_head,
            Phase::Body => t.idle,
            Phase::Backoff => None,
        };
        phase.is_some() || t.total.is_some()
    }

    /// The earliest instant at which a timeout can expire, or `None` when none applies.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending().map(|(at, _)| at).min()
    }

    /// `Err` with the first expired timeout at `now`.
    ///
    /// # Errors
    /// [`TimedOut`] naming the timeout whose deadline is at or before `now`.
    pub fn check(&self, now: Instant) -> Result<(), TimedOut> {
        match self
            .pending()
            .filter(|&(at, _)| at <= now)
            .min_by_key(|&(at, _)| at)
        {
            Some((_, t)) => Err(t),
            None => Ok(()),
        }
    }

    fn enter(&mut self, phase: Phase, now: Instant) {
        self.phase = phase;
        self.phase_started = now;
        self.last_progress = now;
        self.queued_at = None;
    }

    fn pending(&self) -> impl Iterator<Item = (Instant, TimedOut)> + '_ {
        let t = &self.timeouts;
        let queued_head = self
            .queued_at
            .zip(t.response_head)
            .map(|(from, d)| (from, d, TimeoutKind::ResponseHead));
        let phase = match self.phase {
            Phase::Queued => queued_head,
            Phase::Connecting => t
                .connect
                .map(|d| (self.phase_started, d, TimeoutKind::Connect)),
            Phase::AwaitingHead => t
                .response_head
                .map(|d| (self.phase_started, d, TimeoutKind::ResponseHead)),
            Phase::Body => t.idle.map(|d| (self.last_progress, d, TimeoutKind::Idle)),
            Phase::Backoff => None,
        };
        let total = t.total.map(|d| (self.started, d, TimeoutKind::Total));
        // Connecting after a wait: the head timeout that runs from the wait applies too.
        let head_after_wait = (self.phase == Phase::Connecting)
            .then_some(queued_head)
            .flatten();
        phase
            .into_iter()
            .chain(head_after_wait)
            .chain(total)
            .filter_map(|(from, limit, kind)| {
                from.checked_add(limit)
                    .map(|at| (at, TimedOut::new(kind, limit)))
            })
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // tests need some origin instant; the code under test never reads it
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn nothing_set_means_no_deadline() {
        let t0 = Instant::now();
        let mut d = Deadlines::new(Timeouts::none(), t0);
        assert!(!d.is_armed());
        d.connected(t0);
        d.head_received(t0);
        assert_eq!(d.poll_timeout(), None);
        assert_eq!(d.check(t0 + secs(1_000_000)), Ok(()));
        assert!(!d.is_armed());
        assert!(Deadlines::new(Timeouts::none().total(secs(1)), t0).is_armed());
    }

    #[test]
    fn the_default_is_a_connect_timeout_only() {
        let t0 = Instant::now();
        let t = Timeouts::default();
        assert_eq!(t, Timeouts::none().connect(secs(30)));
        let mut d = Deadlines::new(t, t0);
        assert!(d.is_armed());
        assert_eq!(d.poll_timeout(), Some(t0 + secs(30)));
        assert_eq!(
            d.check(t0 + secs(30)).unwrap_err(),
            TimedOut::new(TimeoutKind::Connect, secs(30))
        );
        // Once connected, nothing applies: no clock per chunk, no deadline however long.
        d.connected(t0 + secs(1));
        assert!(!d.is_armed());
        d.head_received(t0 + secs(600));
        assert!(!d.is_armed());
        assert_eq!(d.poll_timeout(), None);
        assert_eq!(d.check(t0 + secs(1_000_000)), Ok(()));
        // A new attempt connects again: the connect timeout applies again.
        d.connecting(t0 + secs(700));
        assert_eq!(d.poll_timeout(), Some(t0 + secs(730)));
    }

    #[test]
    fn each_phase_has_its_own_timeout() {
        let t0 = Instant::now();
        let t = Timeouts::none()
            .connect(secs(1))
            .response_head(secs(60))
            .idle(secs(5));
        let mut d = Deadlines::new(t, t0);
        assert_eq!(d.poll_timeout(), Some(t0 + secs(1)));
        assert_eq!(
            d.check(t0 + secs(1)).unwrap_err().kind,
            TimeoutKind::Connect
        );
        d.connected(t0 + secs(1));
        assert_eq!(d.poll_timeout(), Some(t0 + secs(61)));
        assert_eq!(d.check(t0 + secs(30)), Ok(()));
        d.head_received(t0 + secs(40));
        assert_eq!(d.poll_timeout(), Some(t0 + secs(45)));
        // A stream that keeps producing is never killed by the idle timeout.
        for i in 41..1000 {
            d.on_progress(t0 + secs(i));
            assert_eq!(d.check(t0 + secs(i) + Duration::from_millis(4999)), Ok(()));
        }
        let err = d.check(t0 + secs(999 + 5)).unwrap_err();
        assert_eq!(err, TimedOut::new(TimeoutKind::Idle, secs(5)));
        assert_eq!(err.to_string(), "idle timeout of 5s expired");
    }

    #[test]
    fn backoff_between_attempts_is_bounded_by_total_only() {
        let t0 = Instant::now();
        let t = Timeouts::none()
            .response_head(secs(2))
            .idle(secs(1))
            .total(secs(60));
        let mut d = Deadlines::new(t, t0);
        d.connected(t0);
        d.head_received(t0 + secs(1)); // a 503 head
        d.backoff(t0 + secs(1));
        assert_eq!(d.poll_timeout(), Some(t0 + secs(60)));
        assert_eq!(d.check(t0 + secs(30)), Ok(()));
        d.connected(t0 + secs(31)); // the retry: its own head deadline, same total
        assert_eq!(d.poll_timeout(), Some(t0 + secs(33)));
        let mut no_total = Deadlines::new(Timeouts::none().idle(secs(1)), t0);
        no_total.backoff(t0);
        assert_eq!(no_total.poll_timeout(), None);
    }

    #[test]
    fn total_applies_in_every_phase_and_wins_when_earlier() {
        let t0 = Instant::now();
        let t = Timeouts::none().idle(secs(5)).total(secs(12));
        let mut d = Deadlines::new(t, t0);
        d.connected(t0);
        d.head_received(t0 + secs(1));
        d.on_progress(t0 + secs(10));
        assert_eq!(d.poll_timeout(), Some(t0 + secs(12)));
        assert_eq!(d.check(t0 + secs(12)).unwrap_err().kind, TimeoutKind::Total);
    }

    #[test]
    fn a_wait_for_a_connection_counts_against_head_and_total_not_connect() {
        let t0 = Instant::now();
        let t = Timeouts::none()
            .connect(secs(1))
            .response_head(secs(10))
            .total(secs(60));
        let mut d = Deadlines::new(t, t0);
        d.queued(t0);
        // Waiting is not connecting: 5 s in line is no connect timeout.
        assert_eq!(d.poll_timeout(), Some(t0 + secs(10)));
        assert_eq!(d.check(t0 + secs(5)), Ok(()));
        assert_eq!(
            d.check(t0 + secs(10)).unwrap_err().kind,
            TimeoutKind::ResponseHead
        );
        // A place after 8 s: the connect timeout from now, the head one still from t0.
        d.dequeued(t0 + secs(8));
        assert_eq!(d.poll_timeout(), Some(t0 + secs(9)));
        d.connected(t0 + secs(8));
        assert_eq!(d.poll_timeout(), Some(t0 + secs(10)));
        assert_eq!(
            d.check(t0 + secs(10)).unwrap_err(),
            TimedOut::new(TimeoutKind::ResponseHead, secs(10))
        );
        // The next attempt that does not wait: the head timeout from its send again.
        d.connecting(t0 + secs(20));
        d.connected(t0 + secs(20));
        assert_eq!(d.poll_timeout(), Some(t0 + secs(30)));
        // Only a total timeout: it bounds the wait.
        let mut only_total = Deadlines::new(Timeouts::none().total(secs(3)), t0);
        only_total.queued(t0);
        assert_eq!(
            only_total.check(t0 + secs(3)).unwrap_err().kind,
            TimeoutKind::Total
        );
    }
}

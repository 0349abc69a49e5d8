//! [`ClientError`]: everything a call through a transport can fail with, the same type for
//! every transport (each re-exports it as its `Error`).
//!
//! Eight of the ten variants come from this crate ([`Error`], [`UsageError`], [`TimedOut`],
//! [`ConfigError`], [`DecodeError`], [`EmptyAnswer`], [`ToolLoopError`], [`ProxyError`]); the
//! other two (`Connect`, `Io`) carry the transport's own IO error. Those are type-erased ([`BoxError`]), so this crate still
//! depends on no runtime, socket or TLS crate: walk [`std::error::Error::source`] to reach the
//! underlying `hyper`, `rustls` or `std::io` error.
//!
//! ```
//! use ollama_proto::ClientError;
//! use ollama_proto::connect::ConnectError;
//!
//! let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
//! let e = ClientError::connect("http://127.0.0.1:1", ConnectError::server(refused));
//! assert!(e.is_connect());
//! assert_eq!(e.kind_str(), "connect");
//! assert_eq!(e.to_string(), "cannot connect to http://127.0.0.1:1: refused");
//! ```

use std::fmt;

use crate::config_error::ConfigError;
use crate::connect::{ConnectError, Exhausted};
use crate::deadline::{TimedOut, TimeoutKind};
use crate::host::{EnvError, HostError};
use crate::proxy::ProxyError;
use crate::tools::{DecodeError, EmptyAnswer, ToolLoopError};
use crate::{Error, StatusError, UsageError};

/// Re-exported from [`crate::error`], its home, so `client_error::BoxError` keeps working.
pub use crate::error::BoxError;

/// Everything a call can fail with.
///
/// Every variant but `Connect` and `Io` comes from this crate and means the same for every
/// transport; `Connect` and `Io` carry the transport's own
/// error as their source (walk [`std::error::Error::source`] for the underlying `hyper`,
/// `ureq-proto`, `rustls` or `std::io` error).
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The server or the bytes it sent were wrong: an HTTP status ≥ 400 (with what the server
    /// said), an `{"error":…}` line mid-stream, a body that ended before its final object
    /// (`Truncated`), bad JSON or UTF-8, a line over the limit, data after the final object.
    Protocol(Error),
    /// The request was invalid before anything was sent (empty model name, bad header value…).
    Usage(UsageError),
    /// One of the four timeouts expired (connect, response head, idle, total), or TCP
    /// keepalive found the server gone ([`TimeoutKind::Keepalive`]). The message names the
    /// server (and the proxy), what the call was doing, the setting that fired and how to
    /// raise it.
    Timeout(TimedOut),
    /// No connection could be made: refused, DNS failure, TLS handshake failure, or an
    /// `https://` URL the transport was built without TLS for. Nothing reached the server.
    Connect(BoxError),
    /// The connection broke after it was made: closed before the response head, reset, or
    /// closed in the middle of an HTTP body (the framing promised more bytes). A body that ends
    /// cleanly before the final NDJSON object is [`Error::Truncated`] instead.
    Io(BoxError),
    /// The client could not be built: a bad base URL given to the builder, or an invalid
    /// `OLLAMA_HOST` for `from_env`. Only building fails with this, never a call.
    Config(ConfigError),
    /// A structured answer (`Client::chat_structured`, feature `schemars`) that
    /// does not fit its type: what, where, and the raw text. (A body or stream that does not
    /// decode at all is [`ClientError::Protocol`].)
    Structured(DecodeError),
    /// A structured answer (`Client::chat_structured`) that came back empty because all the
    /// model's output went to reasoning: says so, with the thinking's length, instead of a JSON
    /// error on an empty string.
    EmptyAnswer(EmptyAnswer),
    /// A tool run that stopped without an answer (the bound on rounds).
    Tools(ToolLoopError),
    /// A proxy failed the call: unreachable, wants credentials (or rejected them), refused the
    /// CONNECT tunnel, or answered it with something that is not HTTP. Says which proxy.
    Proxy(ProxyError),
}

impl ClientError {
    /// A [`ClientError::Connect`] that says which server (`target`: scheme, host and port
    /// only, never a path, query or credential) could not be reached, and why; a proxy's
    /// failure ([`ConnectError::Proxy`]) is [`ClientError::Proxy`].
    pub fn connect(target: &str, error: ConnectError) -> Self {
        let source = match error {
            ConnectError::Proxy(proxy) => return Self::Proxy(proxy),
            ConnectError::Server(e) | ConnectError::Tunnel(e) | ConnectError::Tls(e) => e,
            ConnectError::Exhausted(e) => Box::new(e),
        };
        Self::Connect(Box::new(Located {
            target: target.to_owned(),
            context: String::new(),
            source,
        }))
    }

    /// For transports: a [`ClientError::Io`] that says which server (`target`, as for
    /// [`ClientError::connect`]), at what point (`context`, e.g. `after 10 body bytes`), and
    /// the runtime's error.
    pub fn io(target: &str, context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Io(Box::new(Located {
            target: target.to_owned(),
            context: context.into(),
            source: source.into(),
        }))
    }

    /// The proxy error, for [`ClientError::Proxy`].
    pub fn as_proxy(&self) -> Option<&ProxyError> {
        match self {
            Self::Proxy(e) => Some(e),
            _ => None,
        }
    }

    /// `true` for [`ClientError::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }

    /// Which timeout expired, for [`ClientError::Timeout`].
    pub fn timeout_kind(&self) -> Option<TimeoutKind> {
        match self {
            Self::Timeout(t) => Some(t.kind),
            _ => None,
        }
    }

    /// What ran out, for a [`ClientError::Connect`] that failed because the client's machine
    /// had no file descriptor or local port left ([`Exhausted`], the error's source).
    pub fn exhausted(&self) -> Option<&Exhausted> {
        match self {
            Self::Connect(e) => e.downcast_ref::<Located>()?.source.downcast_ref(),
            _ => None,
        }
    }

    /// For a [`ClientError::Timeout`] that expired while the call waited for a connection
    /// (the client's [`PoolOptions::max_connections`](crate::pool::PoolOptions::max_connections)
    /// was reached): how many were busy, and the limit.
    pub fn waited_for_connection(&self) -> Option<(usize, usize)> {
        match self {
            Self::Timeout(TimedOut {
                site: Some(site), ..
            }) => match site.phase {
                crate::deadline::CallPhase::WaitingForConnection { busy, max } => Some((busy, max)),
                _ => None,
            },
            _ => None,
        }
    }

    /// `true` for [`ClientError::Connect`].
    pub fn is_connect(&self) -> bool {
        matches!(self, Self::Connect(_))
    }

    /// The protocol error, for [`ClientError::Protocol`].
    pub fn as_protocol(&self) -> Option<&Error> {
        match self {
            Self::Protocol(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status error (any status ≥ 400, 401 included).
    pub fn status(&self) -> Option<&StatusError> {
        self.as_protocol().and_then(Error::status)
    }

    /// The sign-in URL of a 401 (or of an error line) from a server that needs an ollama.com
    /// account.
    pub fn signin_url(&self) -> Option<&str> {
        self.as_protocol().and_then(Error::signin_url)
    }

    /// `true` for a 400 saying the model does not support thinking (retry without `think`).
    pub fn is_thinking_unsupported(&self) -> bool {
        self.as_protocol()
            .is_some_and(Error::is_thinking_unsupported)
    }

    /// A short stable name for logs and metrics: `protocol.<kind>`, `usage`, `timeout.<kind>`,
    /// `connect`, `io`, `config`, `structured`, `empty_answer`, `tools` or `proxy`.
    pub fn kind_str(&self) -> String {
        match self {
            Self::Protocol(e) => format!("protocol.{}", e.kind().as_str()),
            Self::Usage(_) => "usage".to_owned(),
            Self::Timeout(t) => format!("timeout.{}", t.kind.as_str()),
            Self::Connect(_) => "connect".to_owned(),
            Self::Io(_) => "io".to_owned(),
            Self::Config(_) => "config".to_owned(),
            Self::Structured(_) => "structured".to_owned(),
            Self::EmptyAnswer(_) => "empty_answer".to_owned(),
            Self::Tools(_) => "tools".to_owned(),
            Self::Proxy(_) => "proxy".to_owned(),
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Protocol(e) => e.fmt(f),
            Self::Usage(e) => e.fmt(f),
            Self::Timeout(t) => t.fmt(f),
            Self::Connect(e) => write!(f, "cannot connect to {e}"),
            Self::Io(e) => write!(f, "connection failed: {e}"),
            Self::Config(e) => e.fmt(f),
            Self::Structured(e) => e.fmt(f),
            Self::EmptyAnswer(e) => e.fmt(f),
            Self::Tools(e) => e.fmt(f),
            Self::Proxy(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Protocol(e) => Some(e),
            Self::Usage(e) => Some(e),
            Self::Timeout(t) => Some(t),
            Self::Connect(e) | Self::Io(e) => Some(&**e),
            Self::Config(e) => Some(e),
            Self::Structured(e) => Some(e),
            Self::EmptyAnswer(e) => Some(e),
            Self::Tools(e) => Some(e),
            Self::Proxy(e) => Some(e),
        }
    }
}

impl From<Error> for ClientError {
    fn from(e: Error) -> Self {
        Self::Protocol(e)
    }
}

impl From<UsageError> for ClientError {
    fn from(e: UsageError) -> Self {
        Self::Usage(e)
    }
}

impl From<ConfigError> for ClientError {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

/// [`ClientError::Config`] of [`ConfigError::Env`], for `Client::from_env`.
impl From<EnvError> for ClientError {
    fn from(e: EnvError) -> Self {
        Self::Config(e.into())
    }
}

/// [`ClientError::Config`] of [`ConfigError::BaseUrl`].
impl From<HostError> for ClientError {
    fn from(e: HostError) -> Self {
        Self::Config(e.into())
    }
}

impl From<DecodeError> for ClientError {
    fn from(e: DecodeError) -> Self {
        Self::Structured(e)
    }
}

impl From<EmptyAnswer> for ClientError {
    fn from(e: EmptyAnswer) -> Self {
        Self::EmptyAnswer(e)
    }
}

impl From<ToolLoopError> for ClientError {
    fn from(e: ToolLoopError) -> Self {
        Self::Tools(e)
    }
}

impl From<TimedOut> for ClientError {
    fn from(t: TimedOut) -> Self {
        Self::Timeout(t)
    }
}

/// What failed and where, as the source of [`ClientError::Connect`] and [`ClientError::Io`]:
/// the server's address, a short context, and the runtime's error.
#[derive(Debug)]
struct Located {
    target: String,
    context: String,
    source: BoxError,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.target)?;
        if !self.context.is_empty() {
            write!(f, " ({})", self.context)?;
        }
        write!(f, ": {}", Chain(&*self.source))
    }
}

impl std::error::Error for Located {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// An error and its sources on one line, `a: b: c`, skipping repeats (hyper's errors often
/// repeat their source's text).
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = self.0.to_string();
        f.write_str(&last)?;
        let mut next = self.0.source();
        // Bounded: error chains are short, and a cycle would be a bug elsewhere.
        for _ in 0..8 {
            let Some(e) = next else { break };
            let text = e.to_string();
            if !last.contains(&text) {
                write!(f, ": {text}")?;
            }
            last = text;
            next = e.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::time::Duration;

    use super::*;
    use crate::response::status_error;

    fn io_error(kind: std::io::ErrorKind, text: &str) -> std::io::Error {
        std::io::Error::new(kind, text)
    }

    #[test]
    fn display_says_what_and_where() {
        let refused = io_error(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = ClientError::connect("http://127.0.0.1:1", ConnectError::server(refused));
        assert_eq!(
            e.to_string(),
            "cannot connect to http://127.0.0.1:1: refused"
        );
        let reset = io_error(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let e = ClientError::io("http://h:2", "after 10 body bytes", reset);
        assert_eq!(
            e.to_string(),
            "connection failed: http://h:2 (after 10 body bytes): reset by peer"
        );
        // The runtime's error stays reachable.
        let located = e.source().unwrap();
        let io = located.source().unwrap();
        assert!(io.downcast_ref::<std::io::Error>().is_some());
    }

    /// An error whose text repeats its source's, as hyper's do.
    #[derive(Debug)]
    struct Wrapper(std::io::Error);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "client error: {}", self.0)
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn chains_skip_repeated_text() {
        let inner = io_error(std::io::ErrorKind::ConnectionReset, "reset");
        let e = ClientError::io("http://h:2", "", Wrapper(inner));
        assert_eq!(
            e.to_string(),
            "connection failed: http://h:2: client error: reset"
        );
    }

    /// (error, kind_str, is_timeout, is_connect, status, signin_url, is_thinking_unsupported)
    type Row = (
        ClientError,
        &'static str,
        bool,
        bool,
        Option<u16>,
        Option<&'static str>,
        bool,
    );

    #[test]
    fn helpers_by_variant() {
        let timed_out = TimedOut::new(TimeoutKind::Idle, Duration::from_secs(1));
        let unsupported = status_error(400, br#"{"error":"\"qwen\" does not support thinking"}"#);
        let signin = status_error(
            401,
            br#"{"error":"unauthorized","signin_url":"https://ollama.com/connect"}"#,
        );
        let usage = UsageError::InvalidRequest("model must not be empty".to_owned());
        let io = || io_error(std::io::ErrorKind::Other, "x");
        let table: Vec<Row> = vec![
            (
                timed_out.into(),
                "timeout.idle",
                true,
                false,
                None,
                None,
                false,
            ),
            (
                ClientError::connect("t", ConnectError::server(io())),
                "connect",
                false,
                true,
                None,
                None,
                false,
            ),
            (
                ClientError::io("t", "", io()),
                "io",
                false,
                false,
                None,
                None,
                false,
            ),
            (usage.into(), "usage", false, false, None, None, false),
            (
                crate::BaseUrl::parse("h:x").unwrap_err().into(),
                "config",
                false,
                false,
                None,
                None,
                false,
            ),
            (
                unsupported.into(),
                "protocol.status",
                false,
                false,
                Some(400),
                None,
                true,
            ),
            (
                signin.into(),
                "protocol.status",
                false,
                false,
                Some(401),
                Some("https://ollama.com/connect"),
                false,
            ),
        ];
        for (e, kind, timeout, connect, status, signin_url, thinking) in table {
            assert_eq!(e.kind_str(), kind, "{e:?}");
            assert_eq!(e.is_timeout(), timeout, "{e:?}");
            assert_eq!(e.timeout_kind().is_some(), timeout, "{e:?}");
            assert_eq!(e.is_connect(), connect, "{e:?}");
            assert_eq!(e.status().map(|s| s.status), status, "{e:?}");
            assert_eq!(e.as_protocol().is_some(), status.is_some(), "{e:?}");
            assert_eq!(e.signin_url(), signin_url, "{e:?}");
            assert_eq!(e.is_thinking_unsupported(), thinking, "{e:?}");
            assert!(e.source().is_some(), "{e:?}");
        }
    }
}

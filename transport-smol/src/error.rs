//! The transport's error: the core's protocol and usage errors, plus what only IO can cause.

use std::fmt;

use ollama_proto::deadline::{TimedOut, TimeoutKind};
use ollama_proto::{StatusError, UsageError};

/// A boxed error source, as kept by [`Error::Connect`] and [`Error::Io`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything a call can fail with.
///
/// The first three variants come from the core and are the same for every transport; the last
/// two carry the runtime's own error as their source (walk [`std::error::Error::source`] for
/// the underlying `ureq-proto`, `rustls` or `std::io` error).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server or the bytes it sent were wrong: an HTTP status ≥ 400 (with what the server
    /// said), an `{"error":…}` line mid-stream, a body that ended before its final object
    /// (`Truncated`), bad JSON or UTF-8, a line over the limit, data after the final object.
    Protocol(ollama_proto::Error),
    /// The request was invalid before anything was sent (empty model name, bad header value…).
    Usage(UsageError),
    /// One of the four timeouts expired (connect, response head, idle, total).
    Timeout(TimedOut),
    /// No connection could be made: refused, DNS failure, TLS handshake failure, or an
    /// `https://` URL without the `rustls` feature. Nothing reached the server.
    Connect(BoxError),
    /// The connection broke after it was made: closed before the response head, reset, or
    /// closed in the middle of an HTTP body (the framing promised more bytes). A body that ends
    /// cleanly before the final NDJSON object is [`ollama_proto::Error::Truncated`] instead.
    Io(BoxError),
}

impl Error {
    /// `true` for [`Error::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }

    /// Which timeout expired, for [`Error::Timeout`].
    pub fn timeout_kind(&self) -> Option<TimeoutKind> {
        match self {
            Self::Timeout(t) => Some(t.kind),
            _ => None,
        }
    }

    /// `true` for [`Error::Connect`].
    pub fn is_connect(&self) -> bool {
        matches!(self, Self::Connect(_))
    }

    /// The protocol error, for [`Error::Protocol`].
    pub fn as_protocol(&self) -> Option<&ollama_proto::Error> {
        match self {
            Self::Protocol(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status error (any status ≥ 400, 401 included).
    pub fn status(&self) -> Option<&StatusError> {
        self.as_protocol().and_then(ollama_proto::Error::status)
    }

    /// The sign-in URL of a 401 (or of an error line) from a server that needs an ollama.com
    /// account.
    pub fn signin_url(&self) -> Option<&str> {
        self.as_protocol().and_then(ollama_proto::Error::signin_url)
    }

    /// `true` for a 400 saying the model does not support thinking (retry without `think`).
    pub fn is_thinking_unsupported(&self) -> bool {
        self.as_protocol()
            .is_some_and(ollama_proto::Error::is_thinking_unsupported)
    }

    /// A short stable name for logs and metrics: `protocol.<kind>`, `usage`, `timeout.<kind>`,
    /// `connect` or `io`.
    pub fn kind_str(&self) -> String {
        match self {
            Self::Protocol(e) => format!("protocol.{}", e.kind().as_str()),
            Self::Usage(_) => "usage".to_owned(),
            Self::Timeout(t) => format!("timeout.{}", t.kind.as_str()),
            Self::Connect(_) => "connect".to_owned(),
            Self::Io(_) => "io".to_owned(),
        }
    }

    pub(crate) fn connect(target: &str, source: impl Into<BoxError>) -> Self {
        Self::Connect(Box::new(Located {
            target: target.to_owned(),
            context: String::new(),
            source: source.into(),
        }))
    }

    pub(crate) fn io(
        target: &str,
        context: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        Self::Io(Box::new(Located {
            target: target.to_owned(),
            context: context.into(),
            source: source.into(),
        }))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Protocol(e) => e.fmt(f),
            Self::Usage(e) => e.fmt(f),
            Self::Timeout(t) => t.fmt(f),
            Self::Connect(e) => write!(f, "cannot connect to {e}"),
            Self::Io(e) => write!(f, "connection failed: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Protocol(e) => Some(e),
            Self::Usage(e) => Some(e),
            Self::Timeout(t) => Some(t),
            Self::Connect(e) | Self::Io(e) => Some(&**e),
        }
    }
}

impl From<ollama_proto::Error> for Error {
    fn from(e: ollama_proto::Error) -> Self {
        Self::Protocol(e)
    }
}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        Self::Usage(e)
    }
}

impl From<TimedOut> for Error {
    fn from(t: TimedOut) -> Self {
        Self::Timeout(t)
    }
}

/// What failed and where, as the source of [`Error::Connect`] and [`Error::Io`]: the server's
/// address (scheme, host and port only: never a path, query or credential), a short context,
/// and the runtime's error.
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
    use super::*;

    #[test]
    fn display_says_what_and_where() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::connect("http://127.0.0.1:1", refused);
        assert_eq!(
            e.to_string(),
            "cannot connect to http://127.0.0.1:1: refused"
        );
        assert_eq!(e.kind_str(), "connect");
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let e = Error::io("http://h:2", "after 10 body bytes", reset);
        assert_eq!(
            e.to_string(),
            "connection failed: http://h:2 (after 10 body bytes): reset by peer"
        );
    }
}

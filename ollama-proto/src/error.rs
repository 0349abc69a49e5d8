//! The error model: what went wrong, who is at fault, and where.
//!
//! [`Error`] is everything the *server* (or the bytes on the wire) can do wrong; [`UsageError`]
//! is everything the *caller* can do wrong with this crate's API. They never mix: a bad server
//! never produces a `UsageError`, and a misused decoder never blames the server.

use std::fmt;

/// A boxed, type-erased error source: a transport's own error (whatever its crate), as kept by
/// [`ClientError::Connect`](crate::ClientError::Connect) and [`ClientError::Io`](crate::ClientError::Io).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where in a response body something happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Position {
    /// 1-based line number (NDJSON object number, counting blank lines).
    pub line: u64,
    /// 0-based byte offset from the start of the body.
    pub offset: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, byte {}", self.line, self.offset)
    }
}

/// What an HTTP error body looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyKind {
    /// `{"error": "..."}` (the server's own errors).
    Json,
    /// Plain text, e.g. gin's `404 page not found`.
    Text,
    /// An HTML page, typically from a proxy in front of the server.
    Html,
    /// No body at all, e.g. the 403 of the server's host check.
    Empty,
}

/// An HTTP status that is not an answer (400 or more, or a 1xx/3xx/204 where a body was
/// expected), with what the server said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusError {
    /// The HTTP status code.
    pub status: u16,
    /// The server's message: the JSON `error` field, else the (trimmed, bounded) body text.
    pub message: String,
    /// Where to sign in, on a 401 from a server that needs an ollama.com account.
    pub signin_url: Option<String>,
    /// The shape of the body the message was taken from.
    pub body: BodyKind,
    /// The server's `Retry-After`, when it sent one that parses (429, 503): how long it asked
    /// the client to wait. Set when the call was not retried because that wait would pass the
    /// call's total timeout, or because retries are off.
    pub retry_after: Option<std::time::Duration>,
}

impl StatusError {
    /// `true` for a 400 whose message says the model cannot think, so an application can retry
    /// the request without `think`.
    pub fn is_thinking_unsupported(&self) -> bool {
        self.status == 400 && self.message.contains("does not support thinking")
    }

    /// `true` for the statuses worth retrying on a call that is safe to repeat (429, 502, 503).
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 429 | 502 | 503)
    }
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(reason) = http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            write!(f, " {reason}")?;
        }
        match self.body {
            BodyKind::Empty => f.write_str(" (empty body)")?,
            _ => write!(f, ": {}", self.message)?,
        }
        if let Some(url) = &self.signin_url {
            write!(f, " (sign in at {url})")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (the server asks to retry after {}s)", wait.as_secs())?;
        }
        Ok(())
    }
}

/// A JSON syntax or type error, without exposing the JSON back-end's own type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub(crate) message: String,
}

impl JsonError {
    pub(crate) fn new(e: &serde_json::Error) -> Self {
        // serde_json appends " at line L column C"; we report our own position instead.
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        Self { message }
    }

    /// The parser's description of the problem.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Something the server sent that this crate cannot accept. Every variant says where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an HTTP error status (≥ 400). A 401 is [`Error::Unauthorized`].
    Status(StatusError),
    /// HTTP 401: the server (or ollama.com behind it) wants authorization; `signin_url` says
    /// where to get it.
    Unauthorized(StatusError),
    /// The stream carried an `{"error": …}` line at HTTP 200: the server failed mid-stream.
    Server {
        /// The server's message.
        message: String,
        /// The sign-in URL, when the error line carried one.
        signin_url: Option<String>,
        /// Where the error line started.
        at: Position,
    },
    /// The body ended before the terminal object (`done: true`, or `status: "success"` for
    /// progress streams): the server died, the connection dropped, or the runner's
    /// repeated-token guard fired.
    Truncated {
        /// Complete lines seen.
        lines: u64,
        /// Body bytes seen.
        bytes: u64,
    },
    /// A line grew past the configured limit; decoding stopped there (memory stays bounded).
    LineTooLong {
        /// Where the line started.
        at: Position,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// A line is not the JSON object this endpoint sends.
    Json {
        /// Where the parser stopped.
        at: Position,
        /// Up to 80 bytes of the line around that point (lossy UTF-8).
        excerpt: String,
        /// What the parser said.
        source: JsonError,
    },
    /// A line is not valid UTF-8.
    Utf8 {
        /// Where the first invalid byte is.
        at: Position,
    },
    /// Bytes other than whitespace arrived after the terminal object.
    TrailingData {
        /// Where they start.
        at: Position,
    },
    /// A single-object body grew past the configured limit (`max_body`); reading stopped there.
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The body came with a `Content-Encoding` this client does not decode (it asks for
    /// `identity`; a proxy compressed it anyway).
    ContentEncoding {
        /// The `Content-Encoding` header as sent.
        encoding: String,
    },
    /// A number in an embedding vector does not fit the vector's float type (`1e39` is
    /// infinite as an `f32`): it is reported, never turned into an infinity.
    EmbeddingOutOfRange {
        /// Where the number starts in the body.
        at: Position,
        /// Which vector, 0-based (0 for the single vector of `/api/embeddings`).
        vector: usize,
        /// Which element of that vector, 0-based.
        index: usize,
        /// The number as sent (at most 40 bytes).
        number: String,
        /// The element type: `f32` (`/api/embed`) or `f64` (`/api/embeddings`).
        float: &'static str,
    },
}

/// Stable names of the [`Error`] variants, for logs, metrics and tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Status`] or [`Error::Unauthorized`].
    Status,
    /// [`Error::Server`].
    Server,
    /// [`Error::Truncated`].
    Truncated,
    /// [`Error::LineTooLong`].
    LineTooLong,
    /// [`Error::Json`].
    Json,
    /// [`Error::Utf8`].
    Utf8,
    /// [`Error::TrailingData`].
    TrailingData,
    /// [`Error::BodyTooLarge`].
    BodyTooLarge,
    /// [`Error::ContentEncoding`].
    ContentEncoding,
    /// [`Error::EmbeddingOutOfRange`].
    EmbeddingOutOfRange,
}

impl ErrorKind {
    /// The snake_case name (`status`, `server`, `truncated`, `line_too_long`, `json`, `utf8`,
    /// `trailing_data`, `body_too_large`, `content_encoding`, `embedding_out_of_range`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Server => "server",
            Self::Truncated => "truncated",
            Self::LineTooLong => "line_too_long",
            Self::Json => "json",
            Self::Utf8 => "utf8",
            Self::TrailingData => "trailing_data",
            Self::BodyTooLarge => "body_too_large",
            Self::ContentEncoding => "content_encoding",
            Self::EmbeddingOutOfRange => "embedding_out_of_range",
        }
    }
}

impl Error {
    /// Which kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Status(_) | Self::Unauthorized(_) => ErrorKind::Status,
            Self::Server { .. } => ErrorKind::Server,
            Self::Truncated { .. } => ErrorKind::Truncated,
            Self::LineTooLong { .. } => ErrorKind::LineTooLong,
            Self::Json { .. } => ErrorKind::Json,
            Self::Utf8 { .. } => ErrorKind::Utf8,
            Self::TrailingData { .. } => ErrorKind::TrailingData,
            Self::BodyTooLarge { .. } => ErrorKind::BodyTooLarge,
            Self::ContentEncoding { .. } => ErrorKind::ContentEncoding,
            Self::EmbeddingOutOfRange { .. } => ErrorKind::EmbeddingOutOfRange,
        }
    }

    /// The HTTP status error, for [`Error::Status`] and [`Error::Unauthorized`].
    pub fn status(&self) -> Option<&StatusError> {
        match self {
            Self::Status(s) | Self::Unauthorized(s) => Some(s),
            _ => None,
        }
    }

    /// The sign-in URL the server sent, if any.
    pub fn signin_url(&self) -> Option<&str> {
        match self {
            Self::Status(s) | Self::Unauthorized(s) => s.signin_url.as_deref(),
            Self::Server { signin_url, .. } => signin_url.as_deref(),
            _ => None,
        }
    }

    /// `true` for a 400 saying the model does not support thinking (retry without `think`).
    pub fn is_thinking_unsupported(&self) -> bool {
        self.status()
            .is_some_and(StatusError::is_thinking_unsupported)
    }
}

impl Error {
    /// Classifies a failed parse of `line` (which starts at `at` in the body): invalid UTF-8
    /// becomes [`Error::Utf8`] at the first bad byte, anything else [`Error::Json`] with the
    /// parser's position and a short excerpt.
    pub(crate) fn from_json_line(line: &[u8], at: Position, e: &serde_json::Error) -> Self {
        if let Err(u) = std::str::from_utf8(line) {
            return Self::Utf8 {
                at: Position {
                    line: at.line
                        + line[..u.valid_up_to()]
                            .iter()
                            .filter(|&&b| b == b'\n')
                            .count() as u64,
                    offset: at.offset + u.valid_up_to() as u64,
                },
            };
        }
        let local = byte_index(line, e.line(), e.column());
        Self::Json {
            at: Position {
                line: at.line + e.line().saturating_sub(1) as u64,
                offset: at.offset + local as u64,
            },
            excerpt: excerpt(line, local),
            source: JsonError::new(e),
        }
    }
}

impl Error {
    /// [`Error::Json`] for a problem found by a hand-written scanner rather than serde_json:
    /// `message` about byte `index` of `text`, where `text` starts at `at` in the body.
    pub(crate) fn json_message(text: &[u8], at: Position, index: usize, message: &str) -> Self {
        let index = index.min(text.len());
        Self::Json {
            at: Position {
                line: at.line + memchr::memchr_iter(b'\n', &text[..index]).count() as u64,
                offset: at.offset + index as u64,
            },
            excerpt: excerpt(text, index),
            source: JsonError {
                message: message.to_owned(),
            },
        }
    }
}

/// Byte index in `text` of serde_json's 1-based line and column (column 0 = before the line).
fn byte_index(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &text[start..]) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}

/// Up to 80 bytes of `text` around `index`, cut on character boundaries.
fn excerpt(text: &[u8], index: usize) -> String {
    let lossy = String::from_utf8_lossy(text);
    let index = index.min(lossy.len());
    let mut from = index.saturating_sub(40);
    while !lossy.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (from + 80).min(lossy.len());
    while !lossy.is_char_boundary(to) {
        to -= 1;
    }
    lossy[from..to].to_owned()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(s) => s.fmt(f),
            Self::Unauthorized(s) => write!(f, "unauthorized: {s}"),
            Self::Server { message, at, .. } => write!(f, "server error at {at}: {message}"),
            Self::Truncated { lines, bytes } => write!(
                f,
                "stream ended before its final object ({lines} lines, {bytes} bytes received)"
            ),
            Self::LineTooLong { at, limit } => {
                write!(f, "line at {at} is longer than the {limit}-byte limit")
            }
            Self::Json {
                at,
                excerpt,
                source,
            } => {
                write!(f, "invalid JSON at {at}: {source} (near `{excerpt}`)")
            }
            Self::Utf8 { at } => write!(f, "invalid UTF-8 at {at}"),
            Self::TrailingData { at } => write!(f, "data after the final object at {at}"),
            Self::BodyTooLarge { limit } => {
                write!(
                    f,
                    "the response body is larger than the {limit}-byte body limit (max_body)"
                )
            }
            Self::ContentEncoding { encoding } => write!(
                f,
                "the response body is Content-Encoding: {encoding}, which this client does not \
                 decode (it asks for identity; a proxy may have compressed it)"
            ),
            Self::EmbeddingOutOfRange {
                at,
                vector,
                index,
                number,
                float,
            } => write!(
                f,
                "embedding {vector}, element {index} at {at} is out of the {float} range: {number}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// The caller used this crate's API in a way it does not allow. Never caused by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsageError {
    /// `feed` was called after `finish`.
    FeedAfterFinish,
    /// A request could not be serialised (e.g. a non-finite float in options).
    Encode(String),
    /// A request value is invalid before it reaches the server (empty model name, bad digest…).
    InvalidRequest(String),
    /// The base URL could not be joined with the endpoint path.
    InvalidUrl(String),
    /// An ollama.com account call (`/api/balance`, `/api/usage`, `/api/me`) was refused before
    /// sending: the base URL is not `https://ollama.com` and the configuration did not opt in
    /// with [`RequestConfig::relay_account_calls`](crate::request::RequestConfig::relay_account_calls),
    /// or it is ollama.com and no API key is set.
    AccountCallHost {
        /// The call, e.g. `GET /api/balance`.
        call: String,
        /// The base URL's origin (`scheme://host:port`).
        origin: String,
        /// Why it was refused.
        reason: AccountCallRefusal,
    },
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FeedAfterFinish => f.write_str("feed() called after finish()"),
            Self::Encode(m) => write!(f, "request could not be encoded: {m}"),
            Self::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Self::InvalidUrl(m) => write!(f, "invalid URL: {m}"),
            Self::AccountCallHost {
                call,
                origin,
                reason: AccountCallRefusal::NoApiKey,
            } => write!(
                f,
                "{call} is an ollama.com account call and needs an API key \
                 (OLLAMA_API_KEY, or the builder's api_key) for {origin}"
            ),
            Self::AccountCallHost { call, origin, .. } => write!(
                f,
                "{call} is an ollama.com account call: not sent to {origin}, which is not \
                 https://ollama.com (the API key would go elsewhere); use https://ollama.com, or \
                 relay_account_calls(true) for a local server that relays it"
            ),
        }
    }
}

impl std::error::Error for UsageError {}

/// Why an ollama.com account call was refused ([`UsageError::AccountCallHost`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccountCallRefusal {
    /// The base URL is not `https://ollama.com` and relaying was not allowed.
    NotOllamaCom,
    /// The base URL is ollama.com but no API key (nor an `Authorization` header) is set.
    NoApiKey,
}

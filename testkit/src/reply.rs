//! [`Reply`]: a scripted response (status, headers, body) plus the faults to inject while sending.

use std::time::Duration;

use serde_json::json;

use crate::body::{Body, ENDLESS_STREAM_MAX_LINES};
use crate::faults::{Cut, Faults, WriteSizes};
use crate::recording::Recording;

/// Content type of NDJSON streams.
pub const NDJSON: &str = "application/x-ndjson";
/// Content type of single JSON bodies (Go's `c.JSON`).
pub const JSON_UTF8: &str = "application/json; charset=utf-8";
/// Content type of errors written before a stream starts (set by hand, so no charset).
pub const JSON: &str = "application/json";

/// How the body is delimited on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Transfer-Encoding: chunked`: local Ollama's streams (and its pre-stream errors).
    Chunked,
    /// `Content-Length`, the whole body sized up front: single bodies, and ollama.com's streams.
    ContentLength,
}

/// One scripted response. Build with a body constructor, then chain faults:
///
/// ```
/// use std::time::Duration;
/// use testkit::{Reply, WriteSizes};
///
/// let reply = Reply::recording("lcg-chat-stream-gemma3-hello.ndjson")
///     .write_sizes(WriteSizes::Random { min: 1, max: 5, seed: 7 })
///     .delay_between_writes(Duration::from_millis(1))
///     .for_path("/api/chat");
/// # drop(reply);
/// ```
#[derive(Clone, Debug)]
pub struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Body,
    pub(crate) framing: Option<Framing>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) faults: Faults,
    pub(crate) path_filter: Option<String>,
    pub(crate) times: usize,
    pub(crate) close_connection: bool,
}

/// Body constructors.
impl Reply {
    fn new(status: u16, content_type: Option<&str>, body: Body) -> Self {
        Self {
            status,
            content_type: content_type.map(str::to_owned),
            body,
            framing: None,
            headers: Vec::new(),
            faults: Faults::default(),
            path_filter: None,
            times: 1,
            close_connection: false,
        }
    }

    /// The recorded file `name` with its status; streams as chunked NDJSON, single bodies as JSON.
    ///
    /// # Panics
    /// If the recording cannot be loaded (a bug in the test's setup).
    pub fn recording(name: &str) -> Self {
        Self::from_recording(&Recording::load(name))
    }

    /// Like [`Reply::recording`], from an already loaded recording.
    pub fn from_recording(recording: &Recording) -> Self {
        if recording.stream {
            Self::new(
                recording.status,
                Some(NDJSON),
                Body::Lines(recording.body.clone()),
            )
        } else {
            let content_type = if recording.status == 200 {
                JSON_UTF8
            } else {
                JSON
            };
            Self::new(
                recording.status,
                Some(content_type),
                Body::Single(recording.body.clone()),
            )
        }
    }

    /// A 200 NDJSON stream of `lines`; a `\n` is added to each line that lacks one.
    pub fn ndjson<I>(lines: I) -> Self
    where
        I: IntoIterator,
        I::Item: ToString,
    {
        let mut body = Vec::new();
        for line in lines {
            body.extend_from_slice(line.to_string().as_bytes());
            if body.last() != Some(&b'\n') {
                body.push(b'\n');
            }
        }
        Self::new(200, Some(NDJSON), Body::Lines(body))
    }

    /// Any single body with this status and content type.
    pub fn body(status: u16, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        Self::new(status, Some(content_type), Body::Single(bytes.into()))
    }

    /// Ollama's error shape: `{"error":"<message>"}` as `application/json`, no trailing newline.
    pub fn status_json(status: u16, message: &str) -> Self {
        let body = json!({ "error": message }).to_string();
        Self::body(status, JSON, body)
    }

    /// The cloud 401 shape: `{"error":"<message>","signin_url":"<url>"}`.
    pub fn status_json_signin(status: u16, message: &str, signin_url: &str) -> Self {
        let body = json!({ "error": message, "signin_url": signin_url }).to_string();
        Self::body(status, JSON, body)
    }

    /// A `text/plain; charset=utf-8` body, like gin's `404 page not found`.
    pub fn status_text(status: u16, text: &str) -> Self {
        Self::body(status, "text/plain; charset=utf-8", text)
    }

    /// A `text/html; charset=utf-8` body, like a proxy's error page.
    pub fn status_html(status: u16, html: &str) -> Self {
        Self::body(status, "text/html; charset=utf-8", html)
    }

    /// No body and no content type (`Content-Length: 0`).
    pub fn status_empty(status: u16) -> Self {
        Self::new(status, None, Body::Single(Vec::new()))
    }

    /// A 200 NDJSON stream of one chat-shaped line that never ends: `max_bytes` body bytes without
    /// a `\n`, then a clean end of body (unless the client left first). For line-cap tests.
    pub fn endless_line(max_bytes: usize) -> Self {
        Self::new(200, Some(NDJSON), Body::EndlessLine { max_bytes })
    }

    /// A 200 NDJSON stream repeating `line` (a valid `done:false` chunk; `\n` added if missing)
    /// every `interval` until the client disconnects, at most [`ENDLESS_STREAM_MAX_LINES`] times.
    pub fn endless_stream(line: &str, interval: Duration) -> Self {
        let mut line = line.as_bytes().to_vec();
        if line.last() != Some(&b'\n') {
            line.push(b'\n');
        }
        Self::new(
            200,
            Some(NDJSON),
            Body::EndlessStream {
                line,
                interval,
                max_lines: ENDLESS_STREAM_MAX_LINES,
            },
        )
    }
}

/// Faults and reply options.
impl Reply {
    /// How the body is cut into writes (default [`WriteSizes::PerLine`]).
    pub fn write_sizes(mut self, sizes: WriteSizes) -> Self {
        self.faults.write_sizes = sizes;
        self
    }

    /// Pause between body writes, so the client reads each one separately.
    pub fn delay_between_writes(mut self, delay: Duration) -> Self {
        self.faults.delay_between_writes = Some(delay);
        self
    }

    /// Pause after the request is read, before the status line (for header timeouts).
    pub fn delay_before_head(mut self, delay: Duration) -> Self {
        self.faults.delay_before_head = Some(delay);
        self
    }

    /// Keep the status 200 and the first `n_lines` lines, then send `{"error":"<message>"}\n` and
    /// end the body cleanly, with no `done` line.
    pub fn error_line_after(mut self, n_lines: usize, message: &str) -> Self {
        self.faults.error_line_after = Some((n_lines, message.to_owned()));
        self
    }

    /// End the body cleanly (terminal chunk) after `n_lines` lines: a truncated stream.
    pub fn close_after_lines(mut self, n_lines: usize) -> Self {
        self.faults.close_after_lines = Some(n_lines);
        self
    }

    /// After `n` body bytes, close the socket (FIN) without finishing the body: for chunked
    /// framing the last chunk's size line promises more than is sent.
    pub fn abort_after_bytes(mut self, n: u64) -> Self {
        self.faults.cut = Some(Cut {
            after_bytes: n,
            reset: false,
        });
        self
    }

    /// Like [`abort_after_bytes`](Self::abort_after_bytes) but with SO_LINGER 0, so the close
    /// sends a TCP RST.
    pub fn reset_after_bytes(mut self, n: u64) -> Self {
        self.faults.cut = Some(Cut {
            after_bytes: n,
            reset: true,
        });
        self
    }

    /// After `n_lines` lines stop writing for `how_long` with the connection open, then go on.
    pub fn stall_after_lines(mut self, n_lines: u64, how_long: Duration) -> Self {
        self.faults.stall_after_lines = Some((n_lines, how_long));
        self
    }

    /// Add a `Retry-After: <secs>` header (for 429 / 503).
    pub fn retry_after(self, secs: u64) -> Self {
        self.header("Retry-After", &secs.to_string())
    }

    /// Add a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replace the content type (`None` sends no `Content-Type` header).
    pub fn content_type(mut self, content_type: Option<&str>) -> Self {
        self.content_type = content_type.map(str::to_owned);
        self
    }

    /// Choose the framing; default chunked for streams, Content-Length for single bodies.
    pub fn framing(mut self, framing: Framing) -> Self {
        self.framing = Some(framing);
        self
    }

    /// Answer with `Connection: close` and close the connection after this reply.
    pub fn close_connection(mut self) -> Self {
        self.close_connection = true;
        self
    }

    /// Only serve this reply to a request for `path` (query string ignored); other requests pass
    /// it by in the queue.
    pub fn for_path(mut self, path: &str) -> Self {
        self.path_filter = Some(path.to_owned());
        self
    }

    /// Serve this reply to the next `n` matching requests instead of one (`0` counts as 1).
    pub fn times(mut self, n: usize) -> Self {
        self.times = n.max(1);
        self
    }

    /// The status code this reply answers with.
    pub fn status(&self) -> u16 {
        self.status
    }
}

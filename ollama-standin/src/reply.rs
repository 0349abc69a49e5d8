//! [`Reply`]: a scripted response (status, headers, body) plus the faults to inject while sending.

use std::time::Duration;

use serde_json::json;

use crate::body::{Body, ENDLESS_STREAM_MAX_LINES};
use crate::faults::{Cut, Faults, WriteSizes};
use crate::recording::Recording;

/// Content type of NDJSON streams.
///
/// ```
/// assert_eq!(ollama_standin::NDJSON, "application/x-ndjson");
/// ```
pub const NDJSON: &str = "application/x-ndjson";
/// Content type of single JSON bodies (Go's `c.JSON`).
///
/// ```
/// assert_eq!(ollama_standin::JSON_UTF8, "application/json; charset=utf-8");
/// ```
pub const JSON_UTF8: &str = "application/json; charset=utf-8";
/// Content type of errors written before a stream starts (set by hand, so no charset).
///
/// ```
/// assert_eq!(ollama_standin::JSON, "application/json");
/// ```
pub const JSON: &str = "application/json";

/// How the body is delimited on the wire.
///
/// ```
/// use ollama_standin::{Framing, Reply};
/// let reply = Reply::ndjson([r#"{"done":true}"#]).framing(Framing::ContentLength);
/// # drop(reply);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Transfer-Encoding: chunked`: local Ollama's streams (and its pre-stream errors).
    Chunked,
    /// `Content-Length`, the whole body sized up front: single bodies, and ollama.com's streams.
    ContentLength,
}

/// Which requests a [`Reply`] answers: every condition set must hold (all unset: any request).
///
/// ```
/// use ollama_standin::{Match, Reply};
/// let reply = Reply::status_json(500, "boom").matching(Match { path: Some("/api/chat".into()), ..Match::default() });
/// assert_eq!(reply.status(), 500);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Match {
    /// The request path, query string ignored.
    pub path: Option<String>,
    /// The `model` (or legacy `name`) of the JSON body.
    pub model: Option<String>,
    /// Text the request's prompt, or any of its messages' `content`, contains.
    pub text: Option<String>,
}

impl Match {
    /// Whether a request for `path` with the JSON `body` (if any) matches.
    ///
    /// ```
    /// use ollama_standin::Match;
    /// use serde_json::json;
    ///
    /// let matcher = Match { model: Some("m".into()), text: Some("boom".into()), ..Match::default() };
    /// let body = json!({"model": "m", "messages": [{"role": "user", "content": "go boom"}]});
    /// assert!(matcher.matches("/api/chat", Some(&body)));
    /// assert!(!matcher.matches("/api/chat", None));
    /// ```
    pub fn matches(&self, path: &str, body: Option<&serde_json::Value>) -> bool {
        if self.path.as_deref().is_some_and(|p| p != path) {
            return false;
        }
        if let Some(model) = &self.model {
            if body.and_then(crate::recording::model_of).as_ref() != Some(model) {
                return false;
            }
        }
        if let Some(needle) = &self.text {
            let Some(body) = body else { return false };
            let prompt = body.get("prompt").and_then(serde_json::Value::as_str);
            let messages = body
                .get("messages")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|m| m.get("content").and_then(serde_json::Value::as_str));
            if !prompt
                .into_iter()
                .chain(messages)
                .any(|t| t.contains(needle.as_str()))
            {
                return false;
            }
        }
        true
    }
}

/// The message of the cloud's spent-quota 429 for account `name`, per session or per week.
///
/// ```
/// assert_eq!(
///     ollama_standin::quota_message("ana", false),
///     "you (ana) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade"
/// );
/// ```
pub fn quota_message(name: &str, weekly: bool) -> String {
    let span = if weekly { "weekly" } else { "session" };
    format!(
        "you ({name}) have reached your {span} usage limit, upgrade for higher limits: https://ollama.com/upgrade"
    )
}

/// One scripted response. Build with a body constructor, then chain faults and a matcher:
///
/// ```
/// use std::time::Duration;
/// use ollama_standin::{Reply, WriteSizes};
///
/// let reply = Reply::model_default()
///     .write_sizes(WriteSizes::Random { min: 1, max: 5, seed: 7 })
///     .delay_between_writes(Duration::from_millis(1))
///     .error_line_after(2, "model runner crashed")
///     .for_path("/api/chat")
///     .for_model("echo");
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
    pub(crate) matcher: Match,
    pub(crate) times: usize,
    /// The body is the model's own answer (with this reply's faults and headers).
    pub(crate) from_default: bool,
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
            matcher: Match::default(),
            times: 1,
            from_default: false,
            close_connection: false,
        }
    }

    /// The recorded file `name` with its status; streams as chunked NDJSON, single bodies as JSON.
    ///
    /// # Panics
    /// If the recording cannot be loaded (a bug in the test's setup).
    ///
    /// ```
    /// // Needs the recordings directory: `$OLLAMA_FIXTURES_DIR` or the repository's `../shared`.
    /// let reply = ollama_standin::Reply::recording("lcg-chat-stream-gemma3-hello.ndjson");
    /// assert_eq!(reply.status(), 200);
    /// ```
    pub fn recording(name: &str) -> Self {
        Self::from_recording(&Recording::load(name))
    }

    /// Like [`Reply::recording`], from an already loaded recording.
    ///
    /// ```
    /// let dir = ollama_standin::fixtures_dir();
    /// let recording = ollama_standin::Recording::load_from(&dir, "lcg-embed-nomic.json").unwrap();
    /// assert_eq!(ollama_standin::Reply::from_recording(&recording).status(), 200);
    /// ```
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

    /// The answer the server would give anyway (the model's own, or the recording), carrying
    /// this reply's faults, headers and matcher: for a fault in the middle of a real answer.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::model_default().stall_after_lines(2, std::time::Duration::from_secs(1));
    /// assert_eq!(reply.status(), 200);
    /// ```
    pub fn model_default() -> Self {
        let mut reply = Self::new(200, None, Body::Single(Vec::new()));
        reply.from_default = true;
        reply
    }

    /// The cloud's spent-quota answer: 429 `{"error":"you (NAME) have reached your session usage
    /// limit, …"}` (`weekly` for the weekly limit), without `Retry-After` as the cloud sends it.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::quota_exceeded("ana", true).status(), 429);
    /// ```
    pub fn quota_exceeded(name: &str, weekly: bool) -> Self {
        Self::status_json(429, &quota_message(name, weekly))
    }

    /// A 200 NDJSON stream of `lines`; a `\n` is added to each line that lacks one.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::ndjson([r#"{"status":"pulling manifest"}"#, r#"{"status":"success"}"#]);
    /// assert_eq!(reply.status(), 200);
    /// ```
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

    /// The same reply with another status.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::ndjson(["{}"]).with_status(500).status(), 500);
    /// ```
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Any single body with this status and content type.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::body(200, "application/json", r#"{"ok":true}"#);
    /// assert_eq!(reply.status(), 200);
    /// ```
    pub fn body(status: u16, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        Self::new(status, Some(content_type), Body::Single(bytes.into()))
    }

    /// Ollama's error shape: `{"error":"<message>"}` as `application/json`, no trailing newline.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::status_json(404, "model 'x' not found").status(), 404);
    /// ```
    pub fn status_json(status: u16, message: &str) -> Self {
        let body = json!({ "error": message }).to_string();
        Self::body(status, JSON, body)
    }

    /// The cloud 401 shape: `{"error":"<message>","signin_url":"<url>"}`.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::status_json_signin(401, "unauthorized", "https://ollama.com/connect");
    /// assert_eq!(reply.status(), 401);
    /// ```
    pub fn status_json_signin(status: u16, message: &str, signin_url: &str) -> Self {
        let body = json!({ "error": message, "signin_url": signin_url }).to_string();
        Self::body(status, JSON, body)
    }

    /// A `text/plain; charset=utf-8` body, like gin's `404 page not found`.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::status_text(404, "404 page not found").status(), 404);
    /// ```
    pub fn status_text(status: u16, text: &str) -> Self {
        Self::body(status, "text/plain; charset=utf-8", text)
    }

    /// A `text/html; charset=utf-8` body, like a proxy's error page.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::status_html(502, "<h1>Bad Gateway</h1>").status(), 502);
    /// ```
    pub fn status_html(status: u16, html: &str) -> Self {
        Self::body(status, "text/html; charset=utf-8", html)
    }

    /// No body and no content type (`Content-Length: 0`).
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::status_empty(204).status(), 204);
    /// ```
    pub fn status_empty(status: u16) -> Self {
        Self::new(status, None, Body::Single(Vec::new()))
    }

    /// A 200 NDJSON stream of one chat-shaped line that never ends: `max_bytes` body bytes without
    /// a `\n`, then a clean end of body (unless the client left first). For line-cap tests.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::endless_line(1 << 20).status(), 200);
    /// ```
    pub fn endless_line(max_bytes: usize) -> Self {
        Self::new(200, Some(NDJSON), Body::EndlessLine { max_bytes })
    }

    /// A 200 NDJSON stream repeating `line` (a valid `done:false` chunk; `\n` added if missing)
    /// every `interval` until the client disconnects, at most [`ENDLESS_STREAM_MAX_LINES`] times.
    ///
    /// ```
    /// let line = r#"{"model":"m","message":{"role":"assistant","content":"."},"done":false}"#;
    /// let reply = ollama_standin::Reply::endless_stream(line, std::time::Duration::from_millis(10));
    /// assert_eq!(reply.status(), 200);
    /// ```
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
    ///
    /// ```
    /// use ollama_standin::{Reply, WriteSizes};
    /// let reply = Reply::model_default().write_sizes(WriteSizes::Fixed(3));
    /// # drop(reply);
    /// ```
    pub fn write_sizes(mut self, sizes: WriteSizes) -> Self {
        self.faults.write_sizes = sizes;
        self
    }

    /// Pause between body writes, so the client reads each one separately.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::model_default().delay_between_writes(std::time::Duration::from_millis(20));
    /// # drop(reply);
    /// ```
    pub fn delay_between_writes(mut self, delay: Duration) -> Self {
        self.faults.delay_between_writes = Some(delay);
        self
    }

    /// Pause after the request is read, before the status line (for header timeouts).
    ///
    /// ```
    /// let slow = ollama_standin::Reply::model_default().delay_before_head(std::time::Duration::from_secs(2));
    /// # drop(slow);
    /// ```
    pub fn delay_before_head(mut self, delay: Duration) -> Self {
        self.faults.delay_before_head = Some(delay);
        self
    }

    /// Keep the status 200 and the first `n_lines` lines, then send `{"error":"<message>"}\n` and
    /// end the body cleanly, with no `done` line.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::model_default().error_line_after(3, "an error was encountered while running the model");
    /// # drop(reply);
    /// ```
    pub fn error_line_after(mut self, n_lines: usize, message: &str) -> Self {
        self.faults.error_line_after = Some((n_lines, message.to_owned()));
        self
    }

    /// End the body cleanly (terminal chunk) after `n_lines` lines: a truncated stream.
    ///
    /// ```
    /// let truncated = ollama_standin::Reply::model_default().close_after_lines(2);
    /// # drop(truncated);
    /// ```
    pub fn close_after_lines(mut self, n_lines: usize) -> Self {
        self.faults.close_after_lines = Some(n_lines);
        self
    }

    /// After `n` body bytes, close the socket (FIN) without finishing the body: for chunked
    /// framing the last chunk's size line promises more than is sent.
    ///
    /// ```
    /// let cut = ollama_standin::Reply::model_default().abort_after_bytes(100);
    /// # drop(cut);
    /// ```
    pub fn abort_after_bytes(mut self, n: u64) -> Self {
        self.faults.cut = Some(Cut {
            after_bytes: n,
            reset: false,
        });
        self
    }

    /// Like [`abort_after_bytes`](Self::abort_after_bytes) but with SO_LINGER 0, so the close
    /// sends a TCP RST.
    ///
    /// ```
    /// let reset = ollama_standin::Reply::model_default().reset_after_bytes(0);
    /// # drop(reset);
    /// ```
    pub fn reset_after_bytes(mut self, n: u64) -> Self {
        self.faults.cut = Some(Cut {
            after_bytes: n,
            reset: true,
        });
        self
    }

    /// After `n_lines` lines stop writing for `how_long` with the connection open, then go on.
    ///
    /// ```
    /// let stall = ollama_standin::Reply::model_default().stall_after_lines(1, std::time::Duration::from_secs(30));
    /// # drop(stall);
    /// ```
    pub fn stall_after_lines(mut self, n_lines: u64, how_long: Duration) -> Self {
        self.faults.stall_after_lines = Some((n_lines, how_long));
        self
    }

    /// Add a `Retry-After: <secs>` header (for 429 / 503).
    ///
    /// ```
    /// let busy = ollama_standin::Reply::status_json(503, "server busy").retry_after(5);
    /// assert_eq!(busy.status(), 503);
    /// ```
    pub fn retry_after(self, secs: u64) -> Self {
        self.header("Retry-After", &secs.to_string())
    }

    /// Add a response header.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::status_empty(200).header("X-Request-Id", "42");
    /// # drop(reply);
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replace the content type (`None` sends no `Content-Type` header).
    ///
    /// ```
    /// let bare = ollama_standin::Reply::body(200, "text/plain", "hi").content_type(None);
    /// # drop(bare);
    /// ```
    pub fn content_type(mut self, content_type: Option<&str>) -> Self {
        self.content_type = content_type.map(str::to_owned);
        self
    }

    /// Choose the framing; default chunked for streams, Content-Length for single bodies.
    ///
    /// ```
    /// use ollama_standin::{Framing, Reply};
    /// let cloud_style = Reply::model_default().framing(Framing::ContentLength);
    /// # drop(cloud_style);
    /// ```
    pub fn framing(mut self, framing: Framing) -> Self {
        self.framing = Some(framing);
        self
    }

    /// Answer with `Connection: close` and close the connection after this reply.
    ///
    /// ```
    /// let once = ollama_standin::Reply::status_empty(200).close_connection();
    /// # drop(once);
    /// ```
    pub fn close_connection(mut self) -> Self {
        self.close_connection = true;
        self
    }

    /// Only serve this reply to a request for `path` (query string ignored); other requests pass
    /// it by in the queue.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::status_json(500, "boom").for_path("/api/embed");
    /// # drop(reply);
    /// ```
    pub fn for_path(mut self, path: &str) -> Self {
        self.matcher.path = Some(path.to_owned());
        self
    }

    /// Only serve this reply to a request whose body names `model`.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::status_json(404, "model 'x' not found").for_model("x");
    /// # drop(reply);
    /// ```
    pub fn for_model(mut self, model: &str) -> Self {
        self.matcher.model = Some(model.to_owned());
        self
    }

    /// Only serve this reply to a request whose prompt or a message contains `text`.
    ///
    /// ```
    /// let reply = ollama_standin::Reply::model_default().error_line_after(1, "boom").for_text("crash");
    /// # drop(reply);
    /// ```
    pub fn for_text(mut self, text: &str) -> Self {
        self.matcher.text = Some(text.to_owned());
        self
    }

    /// Replace the matcher.
    ///
    /// ```
    /// use ollama_standin::{Match, Reply};
    /// let reply = Reply::status_empty(500).matching(Match { model: Some("m".into()), ..Match::default() });
    /// # drop(reply);
    /// ```
    pub fn matching(mut self, matcher: Match) -> Self {
        self.matcher = matcher;
        self
    }

    /// Serve this reply to every matching request, never using it up.
    ///
    /// ```
    /// let down = ollama_standin::Reply::status_text(502, "bad gateway").always();
    /// # drop(down);
    /// ```
    pub fn always(mut self) -> Self {
        self.times = usize::MAX;
        self
    }

    /// Serve this reply to the next `n` matching requests instead of one (`0` counts as 1).
    ///
    /// ```
    /// let flaky = ollama_standin::Reply::status_json(503, "busy").times(2);
    /// # drop(flaky);
    /// ```
    pub fn times(mut self, n: usize) -> Self {
        self.times = n.max(1);
        self
    }

    /// This reply's faults, headers and connection handling applied to `base`, the answer it
    /// stands for (see [`model_default`](Self::model_default)); faults it sets win.
    pub(crate) fn onto(self, mut base: Self) -> Self {
        let mine = self.faults;
        let theirs = &mut base.faults;
        if mine.write_sizes != WriteSizes::PerLine {
            theirs.write_sizes = mine.write_sizes;
        }
        theirs.delay_between_writes = mine.delay_between_writes.or(theirs.delay_between_writes);
        theirs.delay_before_head = mine.delay_before_head.or(theirs.delay_before_head);
        theirs.error_line_after = mine.error_line_after.or(theirs.error_line_after.take());
        theirs.close_after_lines = mine.close_after_lines.or(theirs.close_after_lines);
        theirs.cut = mine.cut.or(theirs.cut);
        theirs.stall_after_lines = mine.stall_after_lines.or(theirs.stall_after_lines);
        base.headers.extend(self.headers);
        base.close_connection |= self.close_connection;
        if let Some(framing) = self.framing {
            base.framing = Some(framing);
        }
        base
    }

    /// The length of a fixed body (before faults reshape it); `None` for the generated endless
    /// ones and for [`model_default`](Self::model_default), whose body is decided per request.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::status_json(500, "x").body_len(), Some(13));
    /// assert_eq!(ollama_standin::Reply::endless_line(10).body_len(), None);
    /// ```
    pub fn body_len(&self) -> Option<usize> {
        match &self.body {
            _ if self.from_default => None,
            Body::Single(bytes) | Body::Lines(bytes) => Some(bytes.len()),
            Body::EndlessLine { .. } | Body::EndlessStream { .. } => None,
        }
    }

    /// The status code this reply answers with.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Reply::status_empty(201).status(), 201);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }
}

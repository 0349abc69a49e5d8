//! What the server saw: requests received and replies the client walked away from.

use std::collections::VecDeque;

use serde_json::Value;

/// Most entries of each kind kept; the oldest are dropped past this.
///
/// ```
/// assert_eq!(ollama_standin::LOG_LIMIT, 4096);
/// ```
pub const LOG_LIMIT: usize = 4096;

/// One complete request as the server parsed it.
///
/// ```
/// let request = ollama_standin::ReceivedRequest {
///     method: "POST".into(),
///     path: "/api/chat?x=1".into(),
///     headers: vec![("content-type".into(), "application/json".into())],
///     body: br#"{"model":"m"}"#.to_vec(),
///     connection_id: 1,
/// };
/// assert_eq!(request.header("Content-Type"), Some("application/json"));
/// assert_eq!(request.json().unwrap()["model"], "m");
/// assert_eq!(request.path_only(), "/api/chat");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// Request method, e.g. `POST`.
    pub method: String,
    /// Request target as sent: path including any query string.
    pub path: String,
    /// Headers in arrival order, names lower-cased, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body after de-chunking.
    pub body: Vec<u8>,
    /// Which accepted TCP connection carried it (1 for the first), to observe pool reuse.
    pub connection_id: u64,
}

impl ReceivedRequest {
    /// The first header called `name` (case-insensitive).
    ///
    /// ```
    /// # let request = ollama_standin::ReceivedRequest { method: "GET".into(), path: "/".into(), headers: vec![("user-agent".into(), "x/1".into())], body: vec![], connection_id: 1 };
    /// assert_eq!(request.header("User-Agent"), Some("x/1"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    ///
    /// ```
    /// # let request = ollama_standin::ReceivedRequest { method: "POST".into(), path: "/".into(), headers: vec![], body: b"[1]".to_vec(), connection_id: 1 };
    /// assert_eq!(request.json(), Some(serde_json::json!([1])));
    /// ```
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The path without its query string.
    ///
    /// ```
    /// # let request = ollama_standin::ReceivedRequest { method: "GET".into(), path: "/api/tags?a=b".into(), headers: vec![], body: vec![], connection_id: 1 };
    /// assert_eq!(request.path_only(), "/api/tags");
    /// ```
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }
}

/// A reply that could not be finished because the client went away.
///
/// ```
/// let server = ollama_standin::Server::start().unwrap();
/// let gone: Vec<ollama_standin::Disconnect> = server.disconnects();
/// assert!(gone.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disconnect {
    /// The connection the reply was written on.
    pub connection_id: u64,
    /// Request path (with query) of the reply being written.
    pub path: String,
    /// Complete NDJSON lines (body bytes up to a `\n`) written before the failure.
    pub lines_written: u64,
    /// Body bytes (excluding HTTP chunk framing) written before the failure.
    pub bytes_written: u64,
}

/// Bounded in-memory log shared by the connection threads.
#[derive(Debug, Default)]
pub(crate) struct Log {
    requests: VecDeque<ReceivedRequest>,
    disconnects: VecDeque<Disconnect>,
    /// How many disconnects `wait_for_disconnect` has already handed out (counted from the start,
    /// including any dropped by the limit).
    disconnects_taken: u64,
    disconnects_dropped: u64,
}

impl Log {
    pub(crate) fn push_request(&mut self, request: ReceivedRequest) {
        if self.requests.len() == LOG_LIMIT {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }

    pub(crate) fn push_disconnect(&mut self, disconnect: Disconnect) {
        if self.disconnects.len() == LOG_LIMIT {
            self.disconnects.pop_front();
            self.disconnects_dropped += 1;
        }
        self.disconnects.push_back(disconnect);
    }

    pub(crate) fn requests(&self) -> Vec<ReceivedRequest> {
        self.requests.iter().cloned().collect()
    }

    pub(crate) fn disconnects(&self) -> Vec<Disconnect> {
        self.disconnects.iter().cloned().collect()
    }

    /// The oldest disconnect not yet taken, marking it taken.
    pub(crate) fn take_next_disconnect(&mut self) -> Option<Disconnect> {
        let index = self
            .disconnects_taken
            .saturating_sub(self.disconnects_dropped);
        let found = self
            .disconnects
            .get(usize::try_from(index).ok()?)
            .cloned()?;
        self.disconnects_taken = self.disconnects_dropped + index + 1;
        Some(found)
    }
}

//! Just enough HTTP/1.1: parse one request at a time from a kept-alive socket (with `httparse`),
//! write heads and chunks. Every read is bounded in size and time; bad input becomes a status
//! code, never a panic. Public for test servers of your own that need a hand-made reply (a peer
//! that vanishes mid-stream, say):
//!
//! ```
//! let head = ollama_standin::http::head(200, &[("Content-Length".into(), "0".into())]);
//! assert_eq!(head, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
//! assert_eq!(ollama_standin::http::chunk(b"hi"), b"2\r\nhi\r\n");
//! ```

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Largest request body accepted (after de-chunking); larger gets 413.
///
/// ```
/// assert_eq!(ollama_standin::MAX_REQUEST_BODY, 64 << 20);
/// ```
pub const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;
/// Largest request line plus headers; larger gets 431.
///
/// ```
/// assert_eq!(ollama_standin::MAX_REQUEST_HEAD, 64 << 10);
/// ```
pub const MAX_REQUEST_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 128;
const MAX_CHUNK_LINE: usize = 4096;
/// How long a request may take to arrive, counted from its first wait.
const REQUEST_DEADLINE: Duration = Duration::from_secs(60);
/// How long one write may stay blocked (client not reading) before the client counts as gone.
const WRITE_STALL_LIMIT: Duration = Duration::from_secs(30);
const READ_SIZE: usize = 64 * 1024;

/// A parsed request.
///
/// ```
/// # use std::{io::Write, net::{TcpListener, TcpStream}, sync::atomic::AtomicBool};
/// # let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// # let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
/// # client.write_all(b"GET /api/tags HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
/// # let (stream, _) = listener.accept().unwrap();
/// let stop = AtomicBool::new(false);
/// let request: ollama_standin::http::Request = ollama_standin::http::Input::new(&stream, &stop).read_request().unwrap();
/// # drop(request);
/// ```
#[derive(Debug)]
pub struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) http10: bool,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(key, _)| key == name)
            .flat_map(|(_, value)| value.split(','))
            .any(|item| item.trim().eq_ignore_ascii_case(token))
    }

    /// Whether the connection should close after this exchange (HTTP/1.1 default is keep-alive).
    pub(crate) fn wants_close(&self) -> bool {
        if self.http10 {
            !self.has_token("connection", "keep-alive")
        } else {
            self.has_token("connection", "close")
        }
    }

    /// The path without its query string.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// Why no request came out of the socket.
///
/// ```
/// # use std::{net::{TcpListener, TcpStream}, sync::atomic::AtomicBool};
/// # let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// # let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
/// # let (stream, _) = listener.accept().unwrap();
/// drop(client); // the peer leaves before sending anything
/// let stop = AtomicBool::new(false);
/// let err = ollama_standin::http::Input::new(&stream, &stop).read_request().unwrap_err();
/// assert!(matches!(err, ollama_standin::http::ReadError::Closed));
/// ```
#[derive(Debug)]
pub enum ReadError {
    /// Clean end: EOF between requests, shutdown, idle timeout, or a broken socket.
    Closed,
    /// The peer sent something we refuse; answer with this status and close.
    Rejected {
        /// The status to answer with.
        status: u16,
        /// Why.
        message: &'static str,
    },
}

impl ReadError {
    fn rejected(status: u16, message: &'static str) -> Self {
        Self::Rejected { status, message }
    }
}

/// Buffered reader over one connection, kept across requests so pipelined bytes are not lost.
///
/// ```
/// # use std::{io::Write, net::{TcpListener, TcpStream}, sync::atomic::AtomicBool};
/// # let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// # let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
/// # client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
/// # let (stream, _) = listener.accept().unwrap();
/// let stop = AtomicBool::new(false);
/// let mut input = ollama_standin::http::Input::new(&stream, &stop);
/// assert!(input.read_request().is_ok());
/// assert!(input.read_request().is_ok()); // the pipelined second request
/// ```
#[derive(Debug)]
pub struct Input<'a> {
    stream: &'a TcpStream,
    shutdown: &'a AtomicBool,
    buf: Vec<u8>,
    pos: usize,
    deadline: Instant,
}

impl<'a> Input<'a> {
    /// `stream` must have a short read timeout so shutdown is noticed.
    ///
    /// ```
    /// # use std::{net::{TcpListener, TcpStream}, sync::atomic::AtomicBool};
    /// # let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// # let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// # let (stream, _) = listener.accept().unwrap();
    /// let stop = AtomicBool::new(false);
    /// let input = ollama_standin::http::Input::new(&stream, &stop);
    /// # drop(input);
    /// ```
    pub fn new(stream: &'a TcpStream, shutdown: &'a AtomicBool) -> Self {
        Self {
            stream,
            shutdown,
            buf: Vec::new(),
            pos: 0,
            deadline: Instant::now() + REQUEST_DEADLINE,
        }
    }

    /// Reads the next request. `Closed` on EOF before its first byte.
    ///
    /// # Errors
    /// [`ReadError::Closed`] when the connection ends, [`ReadError::Rejected`] for a request
    /// to refuse.
    ///
    /// ```
    /// # use std::{io::Write, net::{TcpListener, TcpStream}, sync::atomic::AtomicBool};
    /// # let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// # let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// # client.write_all(b"BAD\r\n\r\n").unwrap();
    /// # let (stream, _) = listener.accept().unwrap();
    /// let stop = AtomicBool::new(false);
    /// let err = ollama_standin::http::Input::new(&stream, &stop).read_request().unwrap_err();
    /// assert!(matches!(err, ollama_standin::http::ReadError::Rejected { status: 400, .. }));
    /// ```
    pub fn read_request(&mut self) -> Result<Request, ReadError> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        self.deadline = Instant::now() + REQUEST_DEADLINE;
        // httparse skips stray CRLFs before the request line (RFC 9112 §2.2); they count
        // against the head budget like the rest.
        let mut searched = 0;
        let mut request = 'head: loop {
            // Parse only once a blank line has arrived, so a trickle of bytes is not re-parsed
            // from the start each time. A blank line may be a stray one before the request line.
            while let Some(end) = find_blank_line(&self.buf[self.pos..], searched) {
                if end > MAX_REQUEST_HEAD {
                    return Err(ReadError::rejected(431, "request head too large"));
                }
                if let Some(request) = self.parse_head()? {
                    break 'head request;
                }
                searched = end - 1;
            }
            let buffered = self.buf.len() - self.pos;
            if buffered > MAX_REQUEST_HEAD {
                return Err(ReadError::rejected(431, "request head too large"));
            }
            // Search the last two bytes again: `\n\r` + `\n` may straddle two reads.
            searched = searched.max(buffered.saturating_sub(2));
            self.fill()?;
        };
        request.body = self.read_body(&request)?;
        Ok(request)
    }

    /// The request head at `pos`, consumed; `None` if it is not complete yet.
    fn parse_head(&mut self) -> Result<Option<Request>, ReadError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        let used = match parsed.parse(&self.buf[self.pos..]) {
            Ok(httparse::Status::Complete(used)) => used,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(httparse::Error::TooManyHeaders) => {
                return Err(ReadError::rejected(431, "too many headers"));
            }
            Err(httparse::Error::Version) => return Err(version_error(&self.buf[self.pos..])),
            Err(httparse::Error::HeaderName | httparse::Error::HeaderValue) => {
                return Err(ReadError::rejected(400, "malformed header"));
            }
            Err(_) => return Err(ReadError::rejected(400, "malformed request line")),
        };
        if used > MAX_REQUEST_HEAD {
            return Err(ReadError::rejected(431, "request head too large"));
        }
        let bad_line = || ReadError::rejected(400, "malformed request line");
        let (Some(method), Some(target), Some(version)) =
            (parsed.method, parsed.path, parsed.version)
        else {
            return Err(bad_line());
        };
        if !is_method(method.as_bytes()) || !is_target(target.as_bytes()) {
            return Err(bad_line());
        }
        let mut fields = Vec::with_capacity(parsed.headers.len());
        for header in parsed.headers.iter() {
            let value = std::str::from_utf8(header.value)
                .map_err(|_| ReadError::rejected(400, "malformed header"))?;
            fields.push((header.name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        let request = Request {
            method: method.to_owned(),
            target: target.to_owned(),
            http10: version == 0,
            headers: fields,
            body: Vec::new(),
        };
        self.pos += used;
        Ok(Some(request))
    }

    fn read_body(&mut self, request: &Request) -> Result<Vec<u8>, ReadError> {
        let chunked = match request.header("transfer-encoding") {
            None => false,
            Some(te) if te.rsplit(',').next().map(str::trim) == Some("chunked") => true,
            Some(_) => return Err(ReadError::rejected(501, "unsupported transfer-encoding")),
        };
        let lengths: Vec<&str> = request
            .headers
            .iter()
            .filter(|(key, _)| key == "content-length")
            .map(|(_, value)| value.as_str())
            .collect();
        if chunked && !lengths.is_empty() {
            return Err(ReadError::rejected(400, "both content-length and chunked"));
        }
        let length = match lengths.first() {
            None => 0,
            Some(first) => {
                if lengths.iter().any(|other| other != first) {
                    return Err(ReadError::rejected(400, "conflicting content-length"));
                }
                let valid = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
                let parsed: Option<u64> = if valid { first.parse().ok() } else { None };
                match parsed {
                    None => return Err(ReadError::rejected(400, "invalid content-length")),
                    Some(n) if n > MAX_REQUEST_BODY as u64 => {
                        return Err(ReadError::rejected(413, "request body too large"));
                    }
                    Some(n) => n as usize,
                }
            }
        };
        let expects_body = chunked || length > 0;
        if expects_body && request.has_token("expect", "100-continue") {
            write_all(self.stream, b"HTTP/1.1 100 Continue\r\n\r\n", self.shutdown)
                .map_err(|_| ReadError::Closed)?;
        }
        if chunked {
            self.read_chunked()
        } else {
            self.take(length)
        }
    }

    fn read_chunked(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        // Each round consumes at least one byte of body or ends, so MAX_REQUEST_BODY bounds it.
        loop {
            let size = loop {
                let pending = &self.buf[self.pos..];
                match httparse::parse_chunk_size(pending) {
                    Ok(httparse::Status::Complete((used, size))) if used <= MAX_CHUNK_LINE => {
                        self.pos += used;
                        break size;
                    }
                    Ok(httparse::Status::Partial) if pending.len() <= MAX_CHUNK_LINE => {
                        self.fill()?;
                    }
                    Ok(_) => return Err(ReadError::rejected(400, "line too long")),
                    Err(httparse::InvalidChunkSize) => {
                        return Err(ReadError::rejected(400, "bad chunk size"));
                    }
                }
            };
            if size == 0 {
                break;
            }
            let room = (MAX_REQUEST_BODY - body.len()) as u64;
            let Some(size) = usize::try_from(size).ok().filter(|_| size <= room) else {
                return Err(ReadError::rejected(413, "request body too large"));
            };
            body.extend_from_slice(&self.take(size)?);
            self.expect_crlf()?;
        }
        // Trailer section: parsed and dropped, bounded like a head.
        loop {
            let mut trailers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let pending = &self.buf[self.pos..];
            match httparse::parse_headers(pending, &mut trailers) {
                Ok(httparse::Status::Complete((used, _))) if used <= MAX_REQUEST_HEAD => {
                    self.pos += used;
                    return Ok(body);
                }
                Ok(httparse::Status::Partial) if pending.len() <= MAX_REQUEST_HEAD => {
                    self.fill()?;
                }
                Ok(_) => return Err(ReadError::rejected(431, "line too long")),
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(ReadError::rejected(431, "too many trailers"));
                }
                Err(_) => return Err(ReadError::rejected(400, "malformed trailer")),
            }
        }
    }

    /// The CRLF (or bare LF) after a chunk's data.
    fn expect_crlf(&mut self) -> Result<(), ReadError> {
        loop {
            match &self.buf[self.pos..] {
                [b'\n', ..] => {
                    self.pos += 1;
                    return Ok(());
                }
                [b'\r', b'\n', ..] => {
                    self.pos += 2;
                    return Ok(());
                }
                [] | [b'\r'] => self.fill()?,
                _ => return Err(ReadError::rejected(400, "chunk not followed by CRLF")),
            }
        }
    }

    fn take(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        while self.buf.len() - self.pos < n {
            self.fill()?;
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }

    /// Appends at least one byte, or fails with `Closed` on EOF, shutdown, deadline or IO error.
    fn fill(&mut self) -> Result<(), ReadError> {
        let mut chunk = [0u8; READ_SIZE];
        loop {
            if self.shutdown.load(Ordering::Relaxed) || Instant::now() > self.deadline {
                return Err(ReadError::Closed);
            }
            match (&*self.stream).read(&mut chunk) {
                Ok(0) => return Err(ReadError::Closed),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(err) if is_timeout(&err) => {}
                Err(_) => return Err(ReadError::Closed),
            }
        }
    }
}

// Stricter than httparse: upper-case methods, origin-form or `*` targets.
fn is_method(method: &[u8]) -> bool {
    !method.is_empty() && method.iter().all(u8::is_ascii_uppercase)
}

fn is_target(target: &[u8]) -> bool {
    target.starts_with(b"/") || target == b"*"
}

/// httparse stops at a version it does not know: 505 if the rest of the request line is
/// well formed (`GET / HTTP/2.0`), else 400 (`this is not http`).
fn version_error(head: &[u8]) -> ReadError {
    let line = head
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .find(|line| !line.is_empty())
        .unwrap_or_default();
    let mut parts = line.split(|&b| b == b' ');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(method), Some(target), Some(_), None) if is_method(method) && is_target(target) => {
            ReadError::rejected(505, "unsupported HTTP version")
        }
        _ => ReadError::rejected(400, "malformed request line"),
    }
}

/// Where the head in `buf` ends (just past its blank line), searching from `from`.
fn find_blank_line(buf: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(offset) = memchr_lf(&buf[at..]) {
        let lf = at + offset;
        match &buf[lf + 1..] {
            [b'\n', ..] => return Some(lf + 2),
            [b'\r', b'\n', ..] => return Some(lf + 3),
            _ => at = lf + 1,
        }
    }
    None
}

fn memchr_lf(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Writes all of `bytes`, retrying while the socket's write timeout fires, up to a stall limit.
///
/// # Errors
/// The socket's error, or `ConnectionAborted` once `shutdown` is set.
///
/// ```
/// # use std::net::{TcpListener, TcpStream};
/// # let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// # let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
/// # let (stream, _) = listener.accept().unwrap();
/// let stop = std::sync::atomic::AtomicBool::new(false);
/// ollama_standin::http::write_all(&stream, b"HTTP/1.1 204 No Content\r\n\r\n", &stop).unwrap();
/// ```
pub fn write_all(stream: &TcpStream, bytes: &[u8], shutdown: &AtomicBool) -> io::Result<()> {
    let mut rest = bytes;
    let mut stalled_since: Option<Instant> = None;
    while !rest.is_empty() {
        if shutdown.load(Ordering::Relaxed) {
            return Err(io::ErrorKind::ConnectionAborted.into());
        }
        match (&*stream).write(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                rest = &rest[n..];
                stalled_since = None;
            }
            Err(err) if is_timeout(&err) => {
                let since = *stalled_since.get_or_insert_with(Instant::now);
                if since.elapsed() > WRITE_STALL_LIMIT {
                    return Err(err);
                }
            }
            Err(err) => return Err(err),
        }
    }
    (&*stream).flush()
}

/// Status line and headers, ending with the blank line.
///
/// ```
/// assert!(ollama_standin::http::head(404, &[]).starts_with(b"HTTP/1.1 404 Not Found\r\n"));
/// ```
pub fn head(status: u16, headers: &[(String, String)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// One chunk of a chunked body: size line, data, CRLF.
///
/// ```
/// assert_eq!(ollama_standin::http::chunk(b"{}\n"), b"3\r\n{}\n\r\n");
/// ```
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// The zero-size chunk that ends a chunked body (no trailers).
///
/// ```
/// assert_eq!(ollama_standin::http::LAST_CHUNK, b"0\r\n\r\n");
/// ```
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// Whether a response with this status never has a body (RFC 9110 §6.4.1).
pub(crate) fn status_has_no_body(status: u16) -> bool {
    (100..200).contains(&status) || status == 204 || status == 304
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        499 => "Client Closed Request",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

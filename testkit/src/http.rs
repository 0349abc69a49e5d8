//! Just enough HTTP/1.1: parse one request at a time from a kept-alive socket, write heads and
//! chunks. Every read is bounded in size and time; bad input becomes a status code, never a panic.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Largest request body accepted (after de-chunking); larger gets 413.
pub const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;
/// Largest request line plus headers; larger gets 431.
pub const MAX_REQUEST_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 128;
const MAX_CHUNK_LINE: usize = 4096;
/// How long a request may take to arrive, counted from its first wait.
const REQUEST_DEADLINE: Duration = Duration::from_secs(60);
/// How long one write may stay blocked (client not reading) before the client counts as gone.
const WRITE_STALL_LIMIT: Duration = Duration::from_secs(30);
const READ_SIZE: usize = 64 * 1024;

/// A parsed request.
#[derive(Debug)]
pub(crate) struct Request {
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
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Clean end: EOF between requests, shutdown, idle timeout, or a broken socket.
    Closed,
    /// The peer sent something we refuse; answer with this status and close.
    Rejected { status: u16, message: &'static str },
}

impl ReadError {
    fn rejected(status: u16, message: &'static str) -> Self {
        Self::Rejected { status, message }
    }
}

/// Buffered reader over one connection, kept across requests so pipelined bytes are not lost.
pub(crate) struct Input<'a> {
    stream: &'a TcpStream,
    shutdown: &'a AtomicBool,
    buf: Vec<u8>,
    pos: usize,
    deadline: Instant,
}

impl<'a> Input<'a> {
    /// `stream` must have a short read timeout so shutdown is noticed.
    pub(crate) fn new(stream: &'a TcpStream, shutdown: &'a AtomicBool) -> Self {
        Self {
            stream,
            shutdown,
            buf: Vec::new(),
            pos: 0,
            deadline: Instant::now() + REQUEST_DEADLINE,
        }
    }

    /// Reads the next request. `Closed` on EOF before its first byte.
    pub(crate) fn read_request(&mut self) -> Result<Request, ReadError> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        self.deadline = Instant::now() + REQUEST_DEADLINE;
        let mut head_budget = MAX_REQUEST_HEAD;

        // Tolerate stray CRLFs between requests (RFC 9112 §2.2), within the head budget.
        let request_line = loop {
            let line = self.read_line(&mut head_budget, 431)?;
            if !line.is_empty() {
                break line;
            }
        };
        let (method, target, http10) = parse_request_line(&request_line)?;

        let mut headers = Vec::new();
        loop {
            let line = self.read_line(&mut head_budget, 431)?;
            if line.is_empty() {
                break;
            }
            if headers.len() == MAX_HEADERS {
                return Err(ReadError::rejected(431, "too many headers"));
            }
            headers.push(parse_header(&line)?);
        }
        let mut request = Request {
            method,
            target,
            http10,
            headers,
            body: Vec::new(),
        };
        request.body = self.read_body(&request)?;
        Ok(request)
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
            let mut budget = MAX_CHUNK_LINE;
            let line = self.read_line(&mut budget, 400)?;
            let size_text = line.split(|&b| b == b';').next().unwrap_or_default();
            let size_text = std::str::from_utf8(size_text)
                .map_err(|_| ReadError::rejected(400, "bad chunk size"))?
                .trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| ReadError::rejected(400, "bad chunk size"))?;
            if size == 0 {
                break;
            }
            if size > MAX_REQUEST_BODY - body.len() {
                return Err(ReadError::rejected(413, "request body too large"));
            }
            body.extend_from_slice(&self.take(size)?);
            let mut crlf_budget = 2;
            if !self.read_line(&mut crlf_budget, 400)?.is_empty() {
                return Err(ReadError::rejected(400, "chunk not followed by CRLF"));
            }
        }
        // Trailer section: skipped, bounded like a head.
        let mut budget = MAX_REQUEST_HEAD;
        for _ in 0..=MAX_HEADERS {
            if self.read_line(&mut budget, 431)?.is_empty() {
                return Ok(body);
            }
        }
        Err(ReadError::rejected(431, "too many trailers"))
    }

    /// One line without its `\n` (and `\r`), charging `budget`; over budget → `over_status`.
    fn read_line(&mut self, budget: &mut usize, over_status: u16) -> Result<Vec<u8>, ReadError> {
        let mut searched = self.pos;
        loop {
            if let Some(offset) = self.buf[searched..].iter().position(|&b| b == b'\n') {
                let end = searched + offset;
                let used = end + 1 - self.pos;
                if used > *budget {
                    return Err(ReadError::rejected(over_status, "line too long"));
                }
                *budget -= used;
                let mut line = self.buf[self.pos..end].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.pos = end + 1;
                return Ok(line);
            }
            searched = self.buf.len();
            if searched - self.pos > *budget {
                return Err(ReadError::rejected(over_status, "line too long"));
            }
            self.fill()?;
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

fn parse_request_line(line: &[u8]) -> Result<(String, String, bool), ReadError> {
    let bad = || ReadError::rejected(400, "malformed request line");
    let text = std::str::from_utf8(line).map_err(|_| bad())?;
    let mut parts = text.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad());
    }
    if !(target.starts_with('/') || target == "*") || target.bytes().any(|b| b <= b' ') {
        return Err(bad());
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(ReadError::rejected(505, "unsupported HTTP version")),
    };
    Ok((method.to_owned(), target.to_owned(), http10))
}

fn parse_header(line: &[u8]) -> Result<(String, String), ReadError> {
    let bad = || ReadError::rejected(400, "malformed header");
    let colon = line.iter().position(|&b| b == b':').ok_or_else(bad)?;
    let name = &line[..colon];
    let is_token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    if name.is_empty() || !name.iter().all(is_token) {
        return Err(bad());
    }
    let value = std::str::from_utf8(&line[colon + 1..]).map_err(|_| bad())?;
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    Ok((name, value.trim().to_owned()))
}

pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Writes all of `bytes`, retrying while the socket's write timeout fires, up to a stall limit.
pub(crate) fn write_all(stream: &TcpStream, bytes: &[u8], shutdown: &AtomicBool) -> io::Result<()> {
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
pub(crate) fn head(status: u16, headers: &[(String, String)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// One chunk of a chunked body: size line, data, CRLF.
pub(crate) fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// The zero-size chunk that ends a chunked body (no trailers).
pub(crate) const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

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

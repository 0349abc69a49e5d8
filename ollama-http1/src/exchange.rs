//! One request and its response on one connection: ureq-proto's sans-IO state machine decides
//! every byte (request line and headers, body framing, response parsing, chunked decoding,
//! keep-alive); this module only moves bytes between it and the [`Io`].

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker, ready};
use std::time::Instant;

use bytes::Bytes;
use ollama_proto::BoxError;
use ollama_proto::client::{Head, SendError};
use ureq_proto::BodyMode;
use ureq_proto::client::state::{RecvBody, RecvResponse};
use ureq_proto::client::{Call, RecvBodyResult, RecvResponseResult, SendRequestResult};

use crate::Io;

/// Initial size of a connection's read buffer (and of its decoded-body buffer, which follows
/// it): a response head and a paced token line (150 to 300 bytes with their chunk framing) fit.
/// Small because it is per open stream: at 16 KiB each, the two buffers were 32 KiB of every
/// open stream's 44 KiB of client heap in the scale bench (`benches/scale.sh`).
const READ_INITIAL: usize = 1024;
/// The read buffer doubles, up to this, each time a read fills it: a body that arrives faster
/// than it is paced (an unpaced stream, a large answer) is read in 16 KiB pieces after three
/// reads, as before.
const READ_CHUNK: usize = 16 * 1024;
/// Small reads in a row after which a grown read buffer is halved: a burst (a client that
/// fell behind for a moment) does not leave every open stream with 16 KiB for good.
const SHRINK_AFTER: u8 = 4;
/// Largest response head (status line and headers), and longest chunk-size line, accepted.
const MAX_HEAD: usize = 64 * 1024;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A socket and the bytes read from it that the protocol has not consumed yet.
#[derive(Debug)]
pub struct Connection<S> {
    io: S,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Reads in a row that filled less than a quarter of the buffer: after
    /// [`SHRINK_AFTER`], an empty buffer is halved (towards [`READ_INITIAL`]).
    small_reads: u8,
    /// A process-wide number, for logs.
    pub id: u64,
}

impl<S: Io> Connection<S> {
    /// A new connection over `io`, with a process-wide [`id`](Self::id).
    pub fn new(io: S) -> Self {
        Self {
            io,
            buf: vec![0; READ_INITIAL],
            start: 0,
            end: 0,
            small_reads: 0,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    fn input(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn has_input(&self) -> bool {
        self.start < self.end
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            if self.small_reads >= SHRINK_AFTER && self.buf.len() > READ_INITIAL {
                self.buf.truncate(self.buf.len() / 2);
                self.buf.shrink_to_fit();
                self.small_reads = 0;
            }
        }
    }

    /// Reads more bytes after the unconsumed ones, waiting at most until `deadline`; `Ok(0)` at
    /// the end of the stream.
    fn poll_fill(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        if self.end == self.buf.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= MAX_HEAD {
                return Poll::Ready(Err(io::Error::other(format!(
                    "an HTTP head or chunk-size line longer than {MAX_HEAD} bytes"
                ))));
            }
            self.buf.resize((self.buf.len() * 2).min(MAX_HEAD), 0);
        }
        let end = self.end;
        let n = ready!(self.io.poll_read(cx, deadline, &mut self.buf[end..]))?;
        self.end += n;
        // The read filled the buffer: more is coming than it holds, read more at a time.
        if self.end == self.buf.len() && self.buf.len() < READ_CHUNK {
            self.buf.resize(self.buf.len() * 2, 0);
            self.small_reads = 0;
        } else if n < self.buf.len() / 4 {
            self.small_reads = self.small_reads.saturating_add(1);
        } else {
            self.small_reads = 0;
        }
        Poll::Ready(Ok(n))
    }

    /// Whether an idle connection can carry another request: no end of stream and no stray
    /// bytes waiting. Checked with one read that does not wait.
    pub fn is_idle_alive(&mut self) -> bool {
        if self.has_input() {
            return false;
        }
        let mut cx = Context::from_waker(Waker::noop());
        let mut probe = [0u8; 1];
        let now = Some(Instant::now());
        self.io.poll_read(&mut cx, now, &mut probe).is_pending()
    }
}

/// Writes `request` (absolute URI: ureq-proto sends the origin-form target and `Host`;
/// through a forwarding proxy, `absolute_form`, the absolute URI) and reads the response
/// head. The response is read while the request is still being written, so a server that
/// answers early (a 413 during an upload) is heard. A blocking [`Io`] waits at most until
/// `deadline` (see [`Io`]).
///
/// # Errors
/// The request cannot be written (socket error, or a request ureq-proto refuses), or the
/// response head is not read (closed or reset: `response_began` is `false`; bytes that are not
/// a valid head: `true`).
pub async fn exchange<S: Io>(
    mut conn: Connection<S>,
    request: &http::Request<Bytes>,
    absolute_form: bool,
    deadline: Option<Instant>,
) -> Result<Head<Body<S>>, SendError> {
    let (wire, call) = encode(request, absolute_form).map_err(|e| SendError::new(e, false))?;
    let mut written = 0;
    // Write until done or until the server speaks first.
    let write = std::future::poll_fn(|cx| {
        // Bounded: every turn writes bytes, or returns.
        while written < wire.len() {
            match conn.io.poll_write(cx, deadline, &wire[written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => break,
            }
        }
        if written == wire.len() {
            ready!(conn.io.poll_flush(cx, deadline))?;
            return Poll::Ready(Ok(true));
        }
        // The server answered (or closed) while the request was still going out.
        match conn.poll_fill(cx, deadline) {
            Poll::Ready(Ok(_)) => Poll::Ready(Ok(false)),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await;
    let complete = match write {
        Ok(complete) => complete,
        // A write that failed after the server answered: the answer counts.
        Err(e) => {
            let mut cx = Context::from_waker(Waker::noop());
            let _ = conn.poll_fill(&mut cx, Some(Instant::now()));
            if !conn.has_input() {
                return Err(SendError::new(e, false));
            }
            false
        }
    };
    let mut head = recv_head(conn, call, deadline).await?;
    if !complete {
        // The request body was not all sent: the connection is out of step.
        head.body.reusable = false;
        head.body.keep = false;
    }
    Ok(head)
}

/// The whole request on the wire, and the call waiting for its response.
fn encode(
    request: &http::Request<Bytes>,
    absolute_form: bool,
) -> Result<(Vec<u8>, Call<RecvResponse>), BoxError> {
    let mut head = http::Request::new(());
    *head.method_mut() = request.method().clone();
    *head.uri_mut() = request.uri().clone();
    *head.headers_mut() = request.headers().clone();
    let body = request.body();
    if request.method() != http::Method::GET && request.method() != http::Method::HEAD {
        // The body is sized up front: Content-Length, never chunked (Ollama reads either).
        head.headers_mut()
            .insert(http::header::CONTENT_LENGTH, body.len().into());
    }
    let mut call = Call::new(head)?.proceed();
    let mut wire = Vec::with_capacity(1024 + body.len());
    let mut scratch = vec![0u8; READ_CHUNK];
    // Bounded: every write emits at least one header row (else `OutputOverflow`).
    while !call.can_proceed() {
        let n = call.write(&mut scratch)?;
        wire.extend_from_slice(&scratch[..n]);
    }
    if absolute_form {
        // Absolute form: `scheme://authority` before the origin-form target ureq-proto wrote.
        let uri = request.uri();
        if let (Some(scheme), Some(authority), Some(at)) = (
            uri.scheme_str(),
            uri.authority(),
            wire.iter().position(|&b| b == b' '),
        ) {
            let prefix = format!("{scheme}://{authority}");
            wire.splice(at + 1..at + 1, prefix.bytes());
        }
    }
    let call = match call.proceed()? {
        Some(SendRequestResult::RecvResponse(call)) => call,
        Some(SendRequestResult::SendBody(mut call)) => {
            let mut input = &body[..];
            // Bounded: every write consumes input until it is empty, then ends the body.
            while !input.is_empty() {
                let (used, n) = call.write(input, &mut scratch)?;
                wire.extend_from_slice(&scratch[..n]);
                input = &input[used..];
            }
            let (_, n) = call.write(&[], &mut scratch)?;
            wire.extend_from_slice(&scratch[..n]);
            call.proceed()
                .ok_or(ureq_proto::Error::BodyContentAfterFinish)?
        }
        // We never send `Expect: 100-continue`.
        Some(SendRequestResult::Await100(_)) | None => {
            return Err(ureq_proto::Error::OutputOverflow.into());
        }
    };
    Ok((wire, call))
}

/// Reads the response head; the body is left in the returned [`Body`]. Interim 1xx heads are
/// skipped by ureq-proto.
async fn recv_head<S: Io>(
    mut conn: Connection<S>,
    mut call: Call<RecvResponse>,
    deadline: Option<Instant>,
) -> Result<Head<Body<S>>, SendError> {
    let response = loop {
        if conn.has_input() {
            let (used, response) = call
                .try_response(conn.input(), false)
                .map_err(|e| SendError::new(e, true))?;
            conn.consume(used);
            if let Some(response) = response {
                break response;
            }
            if used > 0 {
                continue; // an informational 1xx was skipped
            }
        }
        // Bounded by MAX_HEAD: `fill` fails once the buffer is full. A connection that closes
        // or resets before a whole head is not an answer (as in hyper): only a head that does
        // not parse is.
        match std::future::poll_fn(|cx| conn.poll_fill(cx, deadline)).await {
            Ok(0) => {
                let what = if conn.has_input() {
                    "closed in the middle of the response head"
                } else {
                    "closed before the response head"
                };
                let eof = io::Error::new(io::ErrorKind::UnexpectedEof, what);
                return Err(SendError::new(eof, false));
            }
            Ok(_) => {}
            Err(e) => return Err(SendError::new(e, false)),
        }
    };
    let (call, reusable) = match call.proceed() {
        Some(RecvResponseResult::RecvBody(call)) => (Some(call), false),
        Some(RecvResponseResult::Redirect(call)) => (None, !call.proceed().must_close_connection()),
        Some(RecvResponseResult::Cleanup(call)) => (None, !call.must_close_connection()),
        None => (None, false),
    };
    let (parts, ()) = response.into_parts();
    let body = Body {
        conn,
        call,
        out: Vec::new(),
        reusable,
        keep: true,
    };
    Ok(Head::new(parts.status.as_u16(), parts.headers, body))
}

/// A response body being received, and the connection under it.
#[derive(Debug)]
pub struct Body<S> {
    conn: Connection<S>,
    /// `None` once the body is over (or when there was none).
    call: Option<Call<RecvBody>>,
    /// Decoded body bytes handed out by the last `poll_chunk`.
    out: Vec<u8>,
    /// The connection may carry another request (set when the body ends).
    reusable: bool,
    /// `false` when the request was not sent whole: never reuse.
    keep: bool,
}

impl<S: Io> Body<S> {
    /// The next piece of the body, or `None` at its end. A body that ends before its framing
    /// says (content length not reached, chunked encoding cut off), a reset, or invalid framing
    /// is an error; a close-delimited body ends at the close. A blocking [`Io`] waits at most
    /// until `deadline`.
    pub fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<Option<Result<&[u8], BoxError>>> {
        // As large as the read buffer (decoded bytes are never more than the bytes read),
        // following it up and down.
        let size = self.conn.buf.len();
        if self.out.len() < size {
            self.out.resize(size, 0);
        } else if self.out.len() > size {
            self.out.truncate(size);
            self.out.shrink_to_fit();
        }
        // Each turn decodes buffered input, ends, or reads from the socket.
        loop {
            let Some(call) = self.call.as_mut() else {
                return Poll::Ready(None);
            };
            let mut used = 0;
            if self.conn.has_input() {
                let (consumed, n) = match call.read(self.conn.input(), &mut self.out) {
                    Ok(r) => r,
                    Err(e) => {
                        self.call = None;
                        return Poll::Ready(Some(Err(e.into())));
                    }
                };
                self.conn.consume(consumed);
                if n > 0 {
                    return Poll::Ready(Some(Ok(&self.out[..n])));
                }
                used = consumed;
            }
            let close_delimited = call.body_mode() == BodyMode::CloseDelimited;
            if call.can_proceed() && !close_delimited {
                self.finish();
                return Poll::Ready(None);
            }
            if used > 0 {
                continue;
            }
            let n = match ready!(self.conn.poll_fill(cx, deadline)) {
                Ok(n) => n,
                Err(e) => {
                    self.call = None;
                    return Poll::Ready(Some(Err(e.into())));
                }
            };
            if n == 0 {
                let complete = close_delimited || call.is_ended_chunked();
                self.call = None;
                self.reusable = false;
                if complete {
                    return Poll::Ready(None);
                }
                let eof = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed before the end of the HTTP body",
                );
                return Poll::Ready(Some(Err(eof.into())));
            }
        }
    }

    /// The connection, if the body was read to its end and the connection can be reused.
    pub fn into_reusable(self) -> Option<Connection<S>> {
        (self.call.is_none() && self.reusable && self.keep && !self.conn.has_input())
            .then_some(self.conn)
    }

    fn finish(&mut self) {
        self.reusable = match self.call.take().and_then(Call::<RecvBody>::proceed) {
            Some(RecvBodyResult::Cleanup(call)) => !call.must_close_connection(),
            Some(RecvBodyResult::Redirect(call)) => !call.proceed().must_close_connection(),
            None => false,
        };
    }
}

#[cfg(test)]
#[path = "exchange_tests.rs"]
mod tests;

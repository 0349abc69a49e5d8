//! HTTP/1.1 on one connection: ureq-proto's sans-IO state machine decides every byte (request
//! line and headers, body framing, response parsing, chunked decoding, keep-alive); this module
//! only moves bytes between it and the socket.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use futures_lite::io::{AsyncRead, AsyncWriteExt};
use futures_lite::ready;
use ureq_proto::BodyMode;
use ureq_proto::client::state::{RecvBody, RecvResponse};
use ureq_proto::client::{Call, RecvBodyResult, RecvResponseResult, SendRequestResult};

use crate::Error;
use crate::net::Stream;

/// Initial size of a connection's read buffer and of the decoded-body buffer.
const READ_CHUNK: usize = 16 * 1024;
/// Largest response head (status line and headers), and longest chunk-size line, accepted.
const MAX_HEAD: usize = 64 * 1024;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A socket and the bytes read from it that the protocol has not consumed yet.
#[derive(Debug)]
pub(crate) struct Connection {
    io: Stream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// A process-wide number, for logs.
    pub(crate) id: u64,
    /// Set when the connection came from the pool.
    pub(crate) reused: bool,
}

impl Connection {
    pub(crate) fn new(io: Stream) -> Self {
        Self {
            io,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            reused: false,
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
        }
    }

    /// Reads more bytes after the unconsumed ones; `Ok(0)` at the end of the stream.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
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
        let n = ready!(Pin::new(&mut self.io).poll_read(cx, &mut self.buf[end..]))?;
        self.end += n;
        Poll::Ready(Ok(n))
    }

    async fn fill(&mut self) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.poll_fill(cx)).await
    }

    /// Whether an idle connection can carry another request: no end of stream and no stray
    /// bytes waiting. Checked with one non-blocking read, without waiting.
    pub(crate) fn is_idle_alive(&mut self) -> bool {
        if self.has_input() {
            return false;
        }
        let mut cx = Context::from_waker(Waker::noop());
        let mut probe = [0u8; 1];
        Pin::new(&mut self.io)
            .poll_read(&mut cx, &mut probe)
            .is_pending()
    }
}

/// Writes `request` (its URI absolute: ureq-proto sends the origin-form target and `Host`)
/// with `body`, and returns the call waiting for its response.
pub(crate) async fn send_request(
    conn: &mut Connection,
    request: http::Request<()>,
    body: &[u8],
    origin: &str,
) -> Result<Call<RecvResponse>, Error> {
    let usage = |e: ureq_proto::Error| {
        Error::Usage(ollama_proto::UsageError::InvalidRequest(format!(
            "cannot encode the HTTP request: {e}"
        )))
    };
    let mut call = Call::new(request).map_err(usage)?.proceed();
    let mut wire = Vec::with_capacity(1024 + body.len());
    let mut scratch = vec![0u8; READ_CHUNK];
    // Bounded: every write emits at least one header row (else `OutputOverflow`).
    while !call.can_proceed() {
        let n = call.write(&mut scratch).map_err(usage)?;
        wire.extend_from_slice(&scratch[..n]);
    }
    let call = match call.proceed().map_err(usage)? {
        Some(SendRequestResult::RecvResponse(call)) => call,
        Some(SendRequestResult::SendBody(mut call)) => {
            let mut input = body;
            // Bounded: every write consumes input until it is empty, then ends the body.
            while !input.is_empty() {
                let (used, n) = call.write(input, &mut scratch).map_err(usage)?;
                wire.extend_from_slice(&scratch[..n]);
                input = &input[used..];
            }
            let (_, n) = call.write(&[], &mut scratch).map_err(usage)?;
            wire.extend_from_slice(&scratch[..n]);
            call.proceed()
                .ok_or_else(|| usage(ureq_proto::Error::BodyContentAfterFinish))?
        }
        // We never send `Expect: 100-continue`.
        Some(SendRequestResult::Await100(_)) | None => {
            return Err(usage(ureq_proto::Error::OutputOverflow));
        }
    };
    let io = &mut conn.io;
    let written = async {
        io.write_all(&wire).await?;
        io.flush().await
    };
    written
        .await
        .map_err(|e| Error::io(origin, "while sending the request", e))?;
    Ok(call)
}

/// Why no response head arrived.
#[derive(Debug)]
pub(crate) enum HeadError {
    /// The server closed the connection before sending any byte of a response.
    ClosedBeforeResponse(Error),
    /// Anything else (a reset, a partial head, an unparsable head).
    Other(Error),
}

/// Reads the response head; the body is left in the returned [`Body`].
pub(crate) async fn recv_response(
    mut conn: Connection,
    mut call: Call<RecvResponse>,
    origin: &str,
) -> Result<(http::Response<()>, Body), HeadError> {
    let response = loop {
        if conn.has_input() {
            let (used, response) = call
                .try_response(conn.input(), false)
                .map_err(|e| HeadError::Other(Error::io(origin, "invalid response head", e)))?;
            conn.consume(used);
            if let Some(response) = response {
                break response;
            }
            if used > 0 {
                continue; // an informational 1xx was skipped
            }
        }
        // Bounded by MAX_HEAD: `fill` fails once the buffer is full.
        match conn.fill().await {
            Ok(0) if conn.has_input() => {
                return Err(HeadError::Other(Error::io(
                    origin,
                    "closed in the middle of the response head",
                    io::Error::from(io::ErrorKind::UnexpectedEof),
                )));
            }
            Ok(0) => {
                return Err(HeadError::ClosedBeforeResponse(Error::io(
                    origin,
                    "closed before the response head",
                    io::Error::from(io::ErrorKind::UnexpectedEof),
                )));
            }
            Ok(_) => {}
            Err(e) => {
                let e = Error::io(origin, "before the response head", e);
                return Err(if conn.has_input() {
                    HeadError::Other(e)
                } else {
                    HeadError::ClosedBeforeResponse(e)
                });
            }
        }
    };
    let body = match call.proceed() {
        Some(RecvResponseResult::RecvBody(call)) => Body::new(conn, Some(call), false),
        Some(RecvResponseResult::Redirect(call)) => {
            let reusable = !call.proceed().must_close_connection();
            Body::new(conn, None, reusable)
        }
        Some(RecvResponseResult::Cleanup(call)) => {
            let reusable = !call.must_close_connection();
            Body::new(conn, None, reusable)
        }
        None => Body::new(conn, None, false),
    };
    Ok((response, body))
}

/// A response body being received, and the connection under it.
#[derive(Debug)]
pub(crate) struct Body {
    conn: Connection,
    /// `None` once the body is over (or when there was none).
    call: Option<Call<RecvBody>>,
    /// Decoded body bytes handed out by the last `poll_chunk`.
    out: Vec<u8>,
    /// The connection may carry another request (set when the body ends).
    reusable: bool,
    /// Body bytes handed out so far.
    seen: u64,
}

impl Body {
    fn new(conn: Connection, call: Option<Call<RecvBody>>, reusable: bool) -> Self {
        Self {
            conn,
            call,
            out: Vec::new(),
            reusable,
            seen: 0,
        }
    }

    /// Body bytes received so far.
    pub(crate) fn seen(&self) -> u64 {
        self.seen
    }

    /// The next piece of the body, or `None` at its end.
    ///
    /// A body that ends before its framing says (content length not reached, chunked encoding
    /// cut off) or a reset is [`Error::Io`]; a close-delimited body ends at the close.
    pub(crate) fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
        origin: &str,
    ) -> Poll<Result<Option<&[u8]>, Error>> {
        if self.out.is_empty() {
            self.out = vec![0; READ_CHUNK];
        }
        // Each turn decodes buffered input, ends, or reads from the socket.
        loop {
            let Some(call) = self.call.as_mut() else {
                return Poll::Ready(Ok(None));
            };
            let mut used = 0;
            if self.conn.has_input() {
                let (consumed, n) = call
                    .read(self.conn.input(), &mut self.out)
                    .map_err(|e| Error::io(origin, "invalid HTTP body framing", e))?;
                self.conn.consume(consumed);
                if n > 0 {
                    self.seen += n as u64;
                    return Poll::Ready(Ok(Some(&self.out[..n])));
                }
                used = consumed;
            }
            let close_delimited = call.body_mode() == BodyMode::CloseDelimited;
            if call.can_proceed() && !close_delimited {
                self.finish();
                return Poll::Ready(Ok(None));
            }
            if used > 0 {
                continue;
            }
            let n = match ready!(self.conn.poll_fill(cx)) {
                Ok(n) => n,
                Err(e) => {
                    self.call = None;
                    return Poll::Ready(Err(self.broken(origin, e)));
                }
            };
            if n == 0 {
                let complete = close_delimited || call.is_ended_chunked();
                self.call = None;
                self.reusable = false;
                if complete {
                    return Poll::Ready(Ok(None));
                }
                let eof = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed before the end of the HTTP body",
                );
                return Poll::Ready(Err(self.broken(origin, eof)));
            }
        }
    }

    /// [`Body::poll_chunk`] as a future, copying the piece out.
    pub(crate) async fn chunk(&mut self, origin: &str) -> Result<Option<Vec<u8>>, Error> {
        std::future::poll_fn(|cx| {
            self.poll_chunk(cx, origin)
                .map(|r| r.map(|piece| piece.map(<[u8]>::to_vec)))
        })
        .await
    }

    /// The connection, if the body was read to its end and the connection can be reused.
    pub(crate) fn into_reusable(self) -> Option<Connection> {
        (self.call.is_none() && self.reusable && !self.conn.has_input()).then_some(self.conn)
    }

    fn finish(&mut self) {
        self.reusable = match self.call.take().and_then(Call::<RecvBody>::proceed) {
            Some(RecvBodyResult::Cleanup(call)) => !call.must_close_connection(),
            Some(RecvBodyResult::Redirect(call)) => !call.proceed().must_close_connection(),
            None => false,
        };
    }

    fn broken(&self, origin: &str, e: io::Error) -> Error {
        Error::io(origin, format!("after {} body bytes", self.seen), e)
    }
}

//! One HTTP/1.1 connection on hyper's `client::conn::http1`, driven by whoever reads it: no
//! spawned connection task, so a body chunk goes from the socket to the decoder on the
//! consumer's own task, with no cross-thread wake-up.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::http1;
use ollama_proto::BoxError;
use ollama_proto::client::{Head, SendError};
use ollama_proto::connect::TargetForm;

use crate::net::Io;

/// A connection: the request sender and the connection future that moves its bytes.
#[derive(Debug)]
pub struct Conn {
    sender: http1::SendRequest<Full<Bytes>>,
    driver: Pin<Box<http1::Connection<Io, Full<Bytes>>>>,
    /// The connection future finished (closed, or failed).
    closed: bool,
}

impl Conn {
    /// An HTTP/1.1 connection over `io` (no IO happens until it is driven).
    pub(crate) async fn handshake(io: Io) -> Result<Self, BoxError> {
        let (sender, driver) = http1::Builder::new().handshake(io).await?;
        Ok(Self {
            sender,
            driver: Box::pin(driver),
            closed: false,
        })
    }

    /// Moves the connection's bytes; notes when it is over.
    fn drive(&mut self, cx: &mut Context<'_>) {
        if !self.closed && self.driver.as_mut().poll(cx).is_ready() {
            self.closed = true;
        }
    }

    /// Whether an idle connection can carry another request, checked without waiting.
    pub(crate) fn is_idle_ready(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        self.drive(&mut cx);
        !self.closed && matches!(self.sender.poll_ready(&mut cx), Poll::Ready(Ok(())))
    }

    /// Writes `request` with its target in `form`, and reads the response head.
    pub(crate) async fn send(
        mut self,
        request: &http::Request<Bytes>,
        form: TargetForm,
    ) -> Result<Head<Body>, SendError> {
        let request = request_form(request, form);
        let result = {
            let mut response = std::pin::pin!(self.sender.send_request(request));
            let driver = &mut self.driver;
            let closed = &mut self.closed;
            poll_fn(|cx| {
                if !*closed && driver.as_mut().poll(cx).is_ready() {
                    *closed = true;
                }
                response.as_mut().poll(cx)
            })
            .await
        };
        match result {
            Ok(response) => {
                let (parts, incoming) = response.into_parts();
                let body = Body {
                    conn: self,
                    incoming,
                    current: Bytes::new(),
                };
                Ok(Head::new(parts.status.as_u16(), parts.headers, body))
            }
            // A head that does not parse means the server answered.
            Err(e) => {
                let began = e.is_parse() || e.is_parse_status();
                Err(SendError::new(e, began))
            }
        }
    }
}

/// The request as written: the target in the plan's form and a `Host` header (hyper's
/// connection writes the URI as given and adds no `Host`).
fn request_form(request: &http::Request<Bytes>, form: TargetForm) -> http::Request<Full<Bytes>> {
    let mut copy = http::Request::new(Full::new(request.body().clone()));
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = form.uri(request.uri());
    *copy.headers_mut() = request.headers().clone();
    let authority = request.uri().authority().map(http::uri::Authority::as_str);
    if let Some(Ok(host)) = authority.map(http::HeaderValue::from_str) {
        copy.headers_mut().insert(http::header::HOST, host);
    }
    copy
}

/// A response body and the connection under it.
#[derive(Debug)]
pub struct Body {
    conn: Conn,
    incoming: Incoming,
    /// The data frame handed out last.
    current: Bytes,
}

impl Body {
    /// The next data frame (trailers skipped), `None` at the end.
    pub(crate) fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<&[u8], BoxError>>> {
        // The frame handed out last was decoded: let it go before hyper reads again, so
        // that its read buffer can reuse its block instead of allocating a second one (8 KiB
        // of every open stream otherwise, measured by `benches/scale.sh`).
        self.current = Bytes::new();
        // Bounded by the body: each turn consumes a frame or returns.
        loop {
            self.conn.drive(cx);
            match Pin::new(&mut self.incoming).poll_frame(cx) {
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            self.current = data;
                            return Poll::Ready(Some(Ok(&self.current)));
                        }
                    }
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// The connection, for the pool.
    pub(crate) fn into_conn(self) -> Conn {
        self.conn
    }
}

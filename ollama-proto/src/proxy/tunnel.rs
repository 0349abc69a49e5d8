//! [`Tunnel`]: the CONNECT handshake with a proxy, sans IO.

use crate::host::BaseUrl;

use super::{ProxyError, ProxyErrorKind, ProxyUrl};

/// Longest proxy answer to CONNECT (status line and headers) accepted.
pub const MAX_TUNNEL_HEAD: usize = 16 * 1024;

/// Opens a CONNECT tunnel through a proxy: write [`Tunnel::request`] to the proxy, then
/// [`Tunnel::feed`] what it answers until the tunnel is open (`Ok(true)`) or an error. After
/// that, the connection carries the TLS handshake with the server.
///
/// ```
/// use ollama_proto::BaseUrl;
/// use ollama_proto::proxy::{ProxyUrl, Tunnel};
///
/// let proxy = ProxyUrl::parse("http://u:p@proxy:3128")?;
/// let mut tunnel = Tunnel::new(&proxy, &BaseUrl::ollama_com());
/// assert_eq!(
///     tunnel.request(),
///     b"CONNECT ollama.com:443 HTTP/1.1\r\nHost: ollama.com:443\r\n\
///       Proxy-Authorization: Basic dTpw\r\n\r\n"
/// );
/// assert!(!tunnel.feed(b"HTTP/1.1 200 Connection established\r\n")?);
/// assert!(tunnel.feed(b"\r\n")?);
///
/// let mut denied = Tunnel::new(&proxy, &BaseUrl::ollama_com());
/// let e = denied.feed(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").unwrap_err();
/// assert_eq!(e.to_string(), "proxy http://proxy:3128: credentials rejected (407)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Tunnel {
    proxy: ProxyUrl,
    request: Vec<u8>,
    head: Vec<u8>,
    /// The tunnel opened or failed: nothing more may be fed.
    done: bool,
}

impl Tunnel {
    /// The handshake with `proxy` for a tunnel to `target`'s host and port.
    pub fn new(proxy: &ProxyUrl, target: &BaseUrl) -> Self {
        let authority = target.authority();
        let mut request =
            format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").into_bytes();
        if let Some(auth) = proxy.authorization() {
            request.extend_from_slice(b"Proxy-Authorization: ");
            request.extend_from_slice(auth.as_bytes());
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"\r\n");
        Self {
            proxy: proxy.clone(),
            request,
            head: Vec::new(),
            done: false,
        }
    }

    /// The bytes to write to the proxy.
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    /// Bytes read from the proxy. `Ok(false)`: read more; `Ok(true)`: the tunnel is open.
    /// Feeding after `Ok(true)` or an error is an [`ProxyErrorKind::InvalidAnswer`].
    ///
    /// # Errors
    /// [`ProxyError`]: 407 ([`ProxyErrorKind::AuthRequired`]), another status
    /// ([`ProxyErrorKind::Refused`]), an answer that is not HTTP, longer than
    /// [`MAX_TUNNEL_HEAD`], or followed by more bytes ([`ProxyErrorKind::InvalidAnswer`]).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<bool, ProxyError> {
        let invalid = |what: &str| {
            ProxyError::new(&self.proxy, ProxyErrorKind::InvalidAnswer(what.to_owned()))
        };
        if self.done {
            return Err(invalid("bytes after the CONNECT answer"));
        }
        if self.head.len().saturating_add(bytes.len()) > MAX_TUNNEL_HEAD {
            return Err(invalid(&format!("longer than {MAX_TUNNEL_HEAD} bytes")));
        }
        self.head.extend_from_slice(bytes);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let len = match response.parse(&self.head) {
            Ok(httparse::Status::Partial) => return Ok(false),
            Ok(httparse::Status::Complete(len)) => len,
            Err(e) => {
                self.done = true;
                return Err(invalid(&e.to_string()));
            }
        };
        let status = response.code.unwrap_or(0);
        let kind = match status {
            200..=299 if len == self.head.len() => {
                self.done = true;
                self.head = Vec::new();
                return Ok(true);
            }
            200..=299 => ProxyErrorKind::InvalidAnswer("bytes after the CONNECT answer".to_owned()),
            // A CONNECT answer is always the proxy's own: tinyproxy rejects credentials with 401.
            401 | 407 => ProxyErrorKind::AuthRequired {
                status,
                sent_credentials: self.proxy.credentials().is_some(),
            },
            _ => ProxyErrorKind::Refused {
                status,
                reason: response.reason.unwrap_or("").to_owned(),
            },
        };
        self.done = true;
        Err(ProxyError::new(&self.proxy, kind))
    }

    /// [`Tunnel::feed`] for what one read of the proxy connection returned: an empty read (the
    /// end of the stream) is the proxy closing the connection before answering.
    ///
    /// # Errors
    /// As [`Tunnel::feed`], and [`ProxyErrorKind::Closed`] for an empty read.
    pub fn on_read(&mut self, bytes: &[u8]) -> Result<bool, ProxyError> {
        if bytes.is_empty() {
            self.done = true;
            return Err(self.closed());
        }
        self.feed(bytes)
    }

    /// The error for a proxy that closed the connection before answering.
    pub fn closed(&self) -> ProxyError {
        ProxyError::new(&self.proxy, ProxyErrorKind::Closed)
    }
}

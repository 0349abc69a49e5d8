//! [`ConnectError`]: which step of a [`ConnectPlan`](super::ConnectPlan) failed, typed, so the
//! client routes a proxy's failure to [`ClientError::Proxy`](crate::ClientError::Proxy) and
//! the rest to [`ClientError::Connect`](crate::ClientError::Connect) without a downcast.

use std::fmt;

use crate::error::BoxError;
use crate::proxy::ProxyError;

use super::Exhausted;

/// A connection could not be opened; the variant is the step of the plan that failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectError {
    /// TCP to the server (refused, DNS failure, unreachable), or the HTTP layer's setup on the
    /// new connection.
    Server(BoxError),
    /// The proxy: TCP to it failed, or its answer to CONNECT refused the tunnel, asked for
    /// credentials, was not HTTP, or never came.
    Proxy(ProxyError),
    /// Reading or writing the proxy connection failed during the CONNECT handshake.
    Tunnel(BoxError),
    /// TLS with the server: the client configuration (an extra CA:
    /// [`TlsError`](crate::tls::TlsError)), the server name, the handshake
    /// ([`TlsHandshakeError`](crate::tls::TlsHandshakeError)), or a transport built without TLS.
    Tls(BoxError),
    /// The client's machine ran out of file descriptors or local ports before anything was
    /// sent ([`Exhausted`]: what ran out and what to raise).
    Exhausted(Exhausted),
}

impl ConnectError {
    /// [`ConnectError::Tunnel`], for `map_err`.
    pub fn tunnel(error: impl Into<BoxError>) -> Self {
        Self::Tunnel(error.into())
    }

    /// [`ConnectError::Tls`], for `map_err`.
    pub fn tls(error: impl Into<BoxError>) -> Self {
        Self::Tls(error.into())
    }

    /// [`ConnectError::Server`], for `map_err`.
    pub fn server(error: impl Into<BoxError>) -> Self {
        Self::Server(error.into())
    }
}

impl From<ProxyError> for ConnectError {
    fn from(e: ProxyError) -> Self {
        Self::Proxy(e)
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(e) | Self::Tunnel(e) | Self::Tls(e) => e.fmt(f),
            Self::Proxy(e) => e.fmt(f),
            Self::Exhausted(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Server(e) | Self::Tunnel(e) | Self::Tls(e) => e.source(),
            Self::Proxy(e) => e.source(),
            Self::Exhausted(e) => e.source(),
        }
    }
}

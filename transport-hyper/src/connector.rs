//! Opening a connection: TCP (nodelay), then rustls for `https://` (ring, webpki roots).

use std::sync::Arc;

use hyper_util::client::legacy::connect::HttpConnector;
use ollama_proto::ClientConfig;
use ollama_proto::client_error::{BoxError, ClientError};
use tower_service::Service;

#[cfg(feature = "rustls")]
type Tls = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "rustls"))]
type Tls = HttpConnector;

/// A connected byte stream, plain or TLS.
#[cfg(feature = "rustls")]
pub(crate) type Io = hyper_rustls::MaybeHttpsStream<hyper_util::rt::TokioIo<tokio::net::TcpStream>>;
#[cfg(not(feature = "rustls"))]
pub(crate) type Io = hyper_util::rt::TokioIo<tokio::net::TcpStream>;

/// Opens connections to the base URL.
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    inner: Arc<Tls>,
}

impl Connector {
    pub(crate) fn new(_config: &ClientConfig) -> Result<Self, ClientError> {
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        tcp.enforce_http(!cfg!(feature = "rustls"));
        Ok(Self {
            inner: Arc::new(tls(tcp)?),
        })
    }

    /// A new connection to the server `uri` names.
    pub(crate) async fn open(&self, uri: http::Uri) -> Result<Io, BoxError> {
        let mut service = Tls::clone(&self.inner);
        service.call(uri).await
    }
}

#[cfg(feature = "rustls")]
fn tls(tcp: HttpConnector) -> Result<Tls, ClientError> {
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| ClientError::connect("TLS setup", e))?;
    Ok(builder.https_or_http().enable_http1().wrap_connector(tcp))
}

#[cfg(not(feature = "rustls"))]
fn tls(tcp: HttpConnector) -> Result<Tls, ClientError> {
    Ok(tcp)
}

//! Opening a byte stream to the server: TCP through async-net (DNS on its blocking pool), then
//! TLS through futures-rustls for `https`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_net::TcpStream;
use futures_lite::io::{AsyncRead, AsyncWrite};

use ollama_proto::client_error::BoxError;

/// Where to connect, taken from the base URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Target {
    /// `http` or `https` (anything else fails to connect).
    pub(crate) scheme: String,
    /// Host name or IP address (IPv6 without brackets).
    pub(crate) host: String,
    /// TCP port.
    pub(crate) port: u16,
    /// `scheme://authority`: the pool key and the name in error messages.
    pub(crate) origin: String,
}

impl Target {
    pub(crate) fn new(base: &ollama_proto::BaseUrl) -> Self {
        Self {
            scheme: base.scheme().to_owned(),
            host: base.host().to_owned(),
            port: base.port(),
            origin: format!("{}://{}", base.scheme(), base.authority()),
        }
    }
}

/// A connected socket, plain or TLS.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    #[cfg(feature = "rustls")]
    Tls(Box<futures_rustls::client::TlsStream<TcpStream>>),
}

/// Connects to `target`: resolves, tries each address in turn, then the TLS handshake.
pub(crate) async fn connect(target: &Target) -> Result<Stream, BoxError> {
    let tls = match target.scheme.as_str() {
        "http" => false,
        "https" => true,
        other => return Err(format!("unsupported scheme `{other}` (use http or https)").into()),
    };
    let tcp = TcpStream::connect((target.host.as_str(), target.port)).await?;
    // Requests are written in one go and streams are read line by line: no Nagle delay.
    tcp.set_nodelay(true)?;
    if !tls {
        return Ok(Stream::Plain(tcp));
    }
    tls_handshake(target, tcp).await
}

#[cfg(feature = "rustls")]
async fn tls_handshake(target: &Target, tcp: TcpStream) -> Result<Stream, BoxError> {
    use futures_rustls::pki_types::ServerName;

    let name = ServerName::try_from(target.host.clone())?;
    let config = tls_config()?;
    let stream = futures_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await?;
    Ok(Stream::Tls(Box::new(stream)))
}

#[cfg(not(feature = "rustls"))]
async fn tls_handshake(target: &Target, tcp: TcpStream) -> Result<Stream, BoxError> {
    let _ = (target, tcp);
    Err("https needs the `rustls` feature of ollama-smol".into())
}

/// One rustls configuration for the process: ring, the webpki roots, HTTP/1.1 by ALPN.
#[cfg(feature = "rustls")]
fn tls_config() -> Result<std::sync::Arc<futures_rustls::rustls::ClientConfig>, String> {
    use std::sync::{Arc, OnceLock};

    use futures_rustls::rustls::{self, RootCertStore};

    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(Arc::new(config))
        })
        .clone()
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(feature = "rustls")]
            Self::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(feature = "rustls")]
            Self::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            #[cfg(feature = "rustls")]
            Self::Tls(s) => Pin::new(&mut **s).poll_write_vectored(cx, bufs),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "rustls")]
            Self::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_close(cx),
            #[cfg(feature = "rustls")]
            Self::Tls(s) => Pin::new(&mut **s).poll_close(cx),
        }
    }
}

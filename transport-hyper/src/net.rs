//! Opening a connection: TCP to the server or to its proxy (nodelay), the CONNECT handshake
//! for a tunnel ([`Tunnel`], the core's), then rustls for `https://` (ring; roots and extra
//! CAs as the core's [`TlsPlan`] says, built on the first `https://` connection).

use std::sync::Arc;

use hyper_util::rt::TokioIo;
use ollama_proto::client_config::Network;
use ollama_proto::client_error::BoxError;
use ollama_proto::proxy::{ProxyError, ProxyUrl, Route, Tunnel};
use ollama_proto::tls::TlsPlan;
use ollama_proto::{BaseUrl, ClientConfig};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// TCP, or TLS over TCP.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Unpin + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + std::fmt::Debug> Stream for T {}

/// A connected byte stream, plain or TLS, for hyper.
pub(crate) type Io = TokioIo<Box<dyn Stream>>;

/// Opens connections to the base URL, directly or through its proxy.
#[derive(Clone, Debug)]
pub(crate) struct Connector(pub(crate) Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    target: BaseUrl,
    https: bool,
    /// Direct, forwarding proxy or tunnel.
    pub(crate) route: Route,
    keepalive: Option<ollama_proto::keepalive::TcpKeepalive>,
    #[cfg_attr(not(feature = "rustls"), allow(dead_code))]
    tls: TlsPlan,
    #[cfg(feature = "rustls")]
    rustls: std::sync::OnceLock<Arc<rustls::ClientConfig>>,
}

impl Connector {
    pub(crate) fn new(config: &ClientConfig, network: &Network) -> Self {
        Self(Arc::new(Inner {
            target: config.request.base_url.clone(),
            https: network.https,
            route: network.route.clone(),
            keepalive: config.tcp_keepalive,
            tls: network.tls.clone(),
            #[cfg(feature = "rustls")]
            rustls: std::sync::OnceLock::new(),
        }))
    }

    /// A new connection to the server (through the tunnel, if any).
    pub(crate) async fn open(&self) -> Result<Io, BoxError> {
        let target = &self.0.target;
        let mut tcp = match self.0.route.proxy() {
            None => tcp(target.host(), target.port()).await?,
            Some(p) => tcp(p.host(), p.port())
                .await
                .map_err(|e| ProxyError::unreachable(p, e))?,
        };
        crate::keepalive::set_keepalive(&tcp, self.0.keepalive.as_ref())?;
        if let Route::Tunnel(proxy) = &self.0.route {
            tunnel(&mut tcp, proxy, target).await?;
        }
        if !self.0.https {
            return Ok(TokioIo::new(Box::new(tcp)));
        }
        self.tls_handshake(tcp).await
    }

    #[cfg(feature = "rustls")]
    async fn tls_handshake(&self, tcp: TcpStream) -> Result<Io, BoxError> {
        use ollama_proto::tls::TlsHandshakeError;
        use rustls::pki_types::ServerName;

        let config = match self.0.rustls.get() {
            Some(config) => Arc::clone(config),
            // Not cached on failure: a CA file created later is picked up.
            None => {
                let config = rustls_config(&self.0.tls)?;
                Arc::clone(self.0.rustls.get_or_init(|| Arc::new(config)))
            }
        };
        let host = self.0.target.host();
        let stream = tokio_rustls::TlsConnector::from(config)
            .connect(ServerName::try_from(host.to_owned())?, tcp)
            .await
            .map_err(|e| TlsHandshakeError::new(host, e))?;
        Ok(TokioIo::new(Box::new(stream)))
    }

    #[cfg(not(feature = "rustls"))]
    async fn tls_handshake(&self, _: TcpStream) -> Result<Io, BoxError> {
        Err("https needs the `rustls` feature of ollama-hyper".into())
    }
}

/// TCP to `host:port` (each resolved address in turn), without Nagle's delay.
async fn tcp(host: &str, port: u16) -> std::io::Result<TcpStream> {
    TcpStream::connect((host, port))
        .await
        .and_then(|t| t.set_nodelay(true).map(|()| t))
}

/// Asks `proxy` for a tunnel to `target`; the core reads its answer.
async fn tunnel(tcp: &mut TcpStream, proxy: &ProxyUrl, target: &BaseUrl) -> Result<(), BoxError> {
    let mut handshake = Tunnel::new(proxy, target);
    tcp.write_all(handshake.request()).await?;
    let mut buf = [0u8; 1024];
    // Bounded by the core's MAX_TUNNEL_HEAD.
    loop {
        let n = tcp.read(&mut buf).await?;
        if n == 0 {
            return Err(handshake.closed().into());
        }
        if handshake.feed(&buf[..n])? {
            return Ok(());
        }
    }
}

/// The rustls configuration: ring, the roots and extra CAs of `plan`, HTTP/1.1 by ALPN.
#[cfg(feature = "rustls")]
fn rustls_config(plan: &TlsPlan) -> Result<rustls::ClientConfig, BoxError> {
    use ollama_proto::tls::TlsError;

    let mut roots = rustls::RootCertStore::empty();
    if plan.roots.webpki() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if plan.roots.platform() {
        let native = rustls_native_certs::load_native_certs();
        if let (true, Some(e)) = (native.certs.is_empty(), native.errors.first()) {
            return Err(TlsError::new("TlsRoots::Platform", e.to_string()).into());
        }
        roots.add_parsable_certificates(native.certs);
    }
    for (source, cert) in plan.extra_certificates(|path| std::fs::read(path))? {
        roots
            .add(cert)
            .map_err(|e| TlsError::new(source, e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

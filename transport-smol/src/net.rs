//! Opening a byte stream to the server: TCP through async-net (DNS on its blocking pool), to
//! the server or to its proxy, the CONNECT handshake for a tunnel (the core's [`Tunnel`]),
//! then TLS through futures-rustls for `https` (roots and extra CAs as the core's
//! [`TlsPlan`] says, built on the first `https` connection).

use std::io;
use std::pin::Pin;
#[cfg(feature = "rustls")]
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use async_net::TcpStream;
use futures_lite::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use ollama_proto::client_config::Network;
use ollama_proto::client_error::BoxError;
use ollama_proto::proxy::{ProxyError, ProxyUrl, Route, Tunnel};
use ollama_proto::tls::TlsPlan;
use ollama_proto::{BaseUrl, ClientConfig};

/// Where to connect and how, from the client's configuration.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) base: BaseUrl,
    /// `scheme://authority`: the pool key and the name in error messages.
    pub(crate) origin: String,
    pub(crate) route: Route,
    keepalive: Option<ollama_proto::keepalive::TcpKeepalive>,
    https: bool,
    #[cfg_attr(not(feature = "rustls"), allow(dead_code))]
    tls: TlsPlan,
    #[cfg(feature = "rustls")]
    rustls: OnceLock<Arc<futures_rustls::rustls::ClientConfig>>,
}

impl Target {
    pub(crate) fn new(config: &ClientConfig, network: &Network) -> Self {
        let base = config.request.base_url.clone();
        Self {
            origin: base.origin(),
            base,
            route: network.route.clone(),
            keepalive: config.tcp_keepalive,
            https: network.https,
            tls: network.tls.clone(),
            #[cfg(feature = "rustls")]
            rustls: OnceLock::new(),
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

/// Connects to `target`, directly or through its proxy: resolves, tries each address in
/// turn, the CONNECT handshake for a tunnel, then the TLS handshake.
pub(crate) async fn connect(target: &Target) -> Result<Stream, BoxError> {
    let mut tcp = match target.route.proxy() {
        None => tcp(target.base.host(), target.base.port()).await?,
        Some(p) => tcp(p.host(), p.port())
            .await
            .map_err(|e| ProxyError::unreachable(p, e))?,
    };
    crate::keepalive::set_keepalive(&tcp, target.keepalive.as_ref())?;
    if let Route::Tunnel(proxy) = &target.route {
        tunnel(&mut tcp, proxy, &target.base).await?;
    }
    if !target.https {
        return Ok(Stream::Plain(tcp));
    }
    tls_handshake(target, tcp).await
}

/// TCP to `host:port`; requests are written in one go and streams read line by line: no
/// Nagle delay.
async fn tcp(host: &str, port: u16) -> io::Result<TcpStream> {
    let tcp = TcpStream::connect((host, port)).await?;
    tcp.set_nodelay(true)?;
    Ok(tcp)
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

#[cfg(feature = "rustls")]
async fn tls_handshake(target: &Target, tcp: TcpStream) -> Result<Stream, BoxError> {
    use futures_rustls::pki_types::ServerName;
    use ollama_proto::tls::TlsHandshakeError;

    let config = match target.rustls.get() {
        Some(config) => Arc::clone(config),
        // Not cached on failure: a CA file created later is picked up.
        None => {
            let config = rustls_config(&target.tls)?;
            Arc::clone(target.rustls.get_or_init(|| Arc::new(config)))
        }
    };
    let host = target.base.host();
    let name = ServerName::try_from(host.to_owned())?;
    let stream = futures_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| TlsHandshakeError::new(host, e))?;
    Ok(Stream::Tls(Box::new(stream)))
}

#[cfg(not(feature = "rustls"))]
async fn tls_handshake(target: &Target, tcp: TcpStream) -> Result<Stream, BoxError> {
    let _ = (target, tcp);
    Err("https needs the `rustls` feature of ollama-smol".into())
}

/// The rustls configuration: ring, the roots and extra CAs of `plan`, HTTP/1.1 by ALPN.
#[cfg(feature = "rustls")]
fn rustls_config(plan: &TlsPlan) -> Result<futures_rustls::rustls::ClientConfig, BoxError> {
    use futures_rustls::rustls;
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

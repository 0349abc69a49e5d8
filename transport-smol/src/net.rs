//! Opening a byte stream to the server: TCP through async-net (DNS on its blocking pool), to
//! the server or to its proxy, the CONNECT handshake for a tunnel (the core's [`Tunnel`]),
//! then TLS through futures-rustls for `https` (roots and extra CAs as the core's
//! [`TlsPlan`] says, built on the first `https` connection).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use async_net::TcpStream;
use futures_lite::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use ollama_http1::Target;
use ollama_proto::BaseUrl;
use ollama_proto::client_error::BoxError;
use ollama_proto::proxy::{ProxyError, ProxyUrl, Route, Tunnel};

/// A connected socket, plain or TLS: the byte stream under a [`Body`](crate::runtime::Body).
#[derive(Debug)]
pub struct Stream(Socket);

#[derive(Debug)]
enum Socket {
    Plain(TcpStream),
    #[cfg(feature = "rustls")]
    Tls(Box<futures_rustls::client::TlsStream<TcpStream>>),
}

/// The async socket as ollama-http1 reads and writes it (deadlines are the run loop's timer's).
impl ollama_http1::Io for Stream {
    fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        _deadline: Option<Instant>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        _deadline: Option<Instant>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
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
    if let Route::Tunnel(proxy) = &target.route {
        tunnel(&mut tcp, proxy, &target.base).await?;
    }
    if !target.https {
        return Ok(Stream(Socket::Plain(tcp)));
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

    let config = target.rustls_config()?;
    let host = target.base.host();
    let name = ServerName::try_from(host.to_owned())?;
    let stream = futures_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| TlsHandshakeError::new(host, e))?;
    Ok(Stream(Socket::Tls(Box::new(stream))))
}

#[cfg(not(feature = "rustls"))]
async fn tls_handshake(target: &Target, tcp: TcpStream) -> Result<Stream, BoxError> {
    let _ = (target, tcp);
    Err("https needs the `rustls` feature of ollama-smol".into())
}

impl AsyncRead for Socket {
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

impl AsyncWrite for Socket {
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

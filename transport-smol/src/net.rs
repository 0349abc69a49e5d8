//! Opening a byte stream as the core's [`ConnectPlan`] says: TCP through async-net (DNS on its
//! blocking pool, no Nagle delay) to the address it names, the CONNECT handshake when it has a
//! tunnel (the core's `Tunnel` reads the proxy's answer), then TLS when it has a TLS step
//! (futures-rustls, configured by `ollama-net`). Nothing is decided here.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use async_net::TcpStream;
use futures_lite::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use ollama_net::{Connector, Tls};
use ollama_proto::connect::ConnectError;

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

/// A new connection to the server, opened step by step as `connector`'s plan says.
pub(crate) async fn open(connector: &Connector) -> Result<Stream, ConnectError> {
    let plan = &connector.plan;
    let (host, port) = plan.dial();
    let mut tcp = TcpStream::connect((host, port))
        .await
        .map_err(|e| plan.dial_failed(e))?;
    ollama_net::set_socket_options(&tcp, plan)?;
    if let Some(tunnel) = plan.tunnel() {
        let write = async |t: &mut TcpStream, b: &[u8]| t.write_all(b).await;
        ollama_net::open_tunnel(tunnel, &mut tcp, write, async |t, b| t.read(b).await).await?;
    }
    match &connector.tls {
        None => Ok(Stream(Socket::Plain(tcp))),
        Some(tls) => handshake(tls, tcp).await,
    }
}

#[cfg(feature = "rustls")]
async fn handshake(tls: &Tls, tcp: TcpStream) -> Result<Stream, ConnectError> {
    let (config, name) = tls.connector()?;
    let stream = futures_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| tls.handshake_failed(e))?;
    Ok(Stream(Socket::Tls(Box::new(stream))))
}

/// Without the `rustls` feature: an `https://` plan cannot be carried out.
#[cfg(not(feature = "rustls"))]
async fn handshake(_: &Tls, _: TcpStream) -> Result<Stream, ConnectError> {
    Err(ConnectError::tls(
        "https needs the `rustls` feature of ollama-smol",
    ))
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

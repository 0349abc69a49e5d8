//! Opening a connection as the core's [`ConnectPlan`] says: TCP (no Nagle delay) to the address
//! it names, the CONNECT handshake when it has a tunnel (the core's `Tunnel` reads the
//! proxy's answer), then TLS when it has a TLS step (tokio-rustls, configured by
//! `ollama-net`). Nothing is decided here.

use hyper_util::rt::TokioIo;
use ollama_net::{Connector, Tls};
use ollama_proto::connect::ConnectError;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// TCP, or TLS over TCP.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Unpin + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + std::fmt::Debug> Stream for T {}

/// A connected byte stream, plain or TLS, for hyper.
pub(crate) type Io = TokioIo<Box<dyn Stream>>;

/// A new connection to the server, opened step by step as `connector`'s plan says.
pub(crate) async fn open(connector: &Connector) -> Result<Io, ConnectError> {
    let plan = &connector.plan;
    let mut tcp = TcpStream::connect(plan.dial())
        .await
        .map_err(|e| plan.dial_failed(e))?;
    ollama_net::set_socket_options(&tcp, plan)?;
    if let Some(tunnel) = plan.tunnel() {
        let write = async |t: &mut TcpStream, b: &[u8]| t.write_all(b).await;
        ollama_net::open_tunnel(tunnel, &mut tcp, write, async |t, b| t.read(b).await).await?;
    }
    match &connector.tls {
        None => Ok(TokioIo::new(Box::new(tcp))),
        Some(tls) => handshake(tls, tcp).await,
    }
}

#[cfg(feature = "rustls")]
async fn handshake(tls: &Tls, tcp: TcpStream) -> Result<Io, ConnectError> {
    let (config, name) = tls.connector()?;
    let stream = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| tls.handshake_failed(e))?;
    Ok(TokioIo::new(Box::new(stream)))
}

/// Without the `rustls` feature: an `https://` plan cannot be carried out.
#[cfg(not(feature = "rustls"))]
async fn handshake(_: &Tls, _: TcpStream) -> Result<Io, ConnectError> {
    Err(ConnectError::tls(
        "https needs the `rustls` feature of ollama-hyper",
    ))
}

//! The CONNECT handshake's IO, written once for every transport: the core's [`Tunnel`] writes
//! the request and reads the proxy's answer; this only moves its bytes, through the
//! transport's own `write_all` and `read` (tokio's, futures-io's, or `std::io`'s wrapped in a
//! future that is ready at once), since the three IO trait families have no common trait.

use std::io;

use ollama_proto::connect::ConnectError;
use ollama_proto::proxy::Tunnel;

/// Opens `tunnel` over `io`: writes its CONNECT request with `write_all`, then reads with
/// `read` until the core has the proxy's whole answer. `Ok` once the tunnel is open.
///
/// # Errors
/// [`ConnectError::Tunnel`] when the IO fails, [`ConnectError::Proxy`] when the proxy refuses,
/// closes, or answers with something that is not HTTP (the core's [`Tunnel::on_read`]).
pub async fn open_tunnel<S>(
    mut tunnel: Tunnel,
    io: &mut S,
    mut write_all: impl AsyncFnMut(&mut S, &[u8]) -> io::Result<()>,
    mut read: impl AsyncFnMut(&mut S, &mut [u8]) -> io::Result<usize>,
) -> Result<(), ConnectError> {
    write_all(io, tunnel.request())
        .await
        .map_err(ConnectError::tunnel)?;
    let mut buf = [0u8; 1024];
    // Bounded by the core's MAX_TUNNEL_HEAD; an empty read is the proxy closing.
    loop {
        let n = read(io, &mut buf).await.map_err(ConnectError::tunnel)?;
        if tunnel.on_read(&buf[..n])? {
            return Ok(());
        }
    }
}

//! TCP keepalive on a new connection: the core's numbers ([`TcpKeepalive`]) through socket2,
//! since tokio's `TcpStream` has no keepalive setter. (`ollama-smol` has the same few lines
//! for its socket type: shorter than a shared crate.)

use ollama_proto::keepalive::TcpKeepalive;
use tokio::net::TcpStream;

/// Turns on TCP keepalive with `keepalive`'s idle time, interval and probe count; nothing
/// when `None` (keepalive off).
pub(crate) fn set_keepalive(
    tcp: &TcpStream,
    keepalive: Option<&TcpKeepalive>,
) -> std::io::Result<()> {
    let Some(k) = keepalive else { return Ok(()) };
    let params = socket2::TcpKeepalive::new().with_time(k.idle());
    // Where the OS has no interval or count setting, its own are used.
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "windows"
    ))]
    let params = params.with_interval(k.interval()).with_retries(k.probes());
    socket2::SockRef::from(tcp).set_tcp_keepalive(&params)
}

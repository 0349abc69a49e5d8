//! TCP keepalive on a new connection: the core's numbers ([`TcpKeepalive`]) through socket2,
//! since neither async-net's nor std's `TcpStream` has the setters (ollama-smol and
//! ollama-blocking; `ollama-hyper` has the same few lines for tokio's socket).

use ollama_proto::keepalive::TcpKeepalive;
use socket2::SockRef;

/// Turns on TCP keepalive with `keepalive`'s idle time, interval and probe count, and on
/// Linux bounds unacknowledged data by the same [`TcpKeepalive::dead_after`]
/// (`TCP_USER_TIMEOUT`); nothing when `None` (keepalive off).
///
/// # Errors
/// The socket refused an option.
pub fn set_keepalive(socket: SockRef<'_>, keepalive: Option<&TcpKeepalive>) -> std::io::Result<()> {
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
    socket.set_tcp_keepalive(&params)?;
    // Keepalive does not probe while sent data waits for its acknowledgement (a request
    // written to a server that just vanished): bound that wait the same way (Linux).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    socket.set_tcp_user_timeout(Some(k.dead_after()))?;
    Ok(())
}

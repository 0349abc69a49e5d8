//! The options of a new TCP connection: no Nagle delay (a request is one write, and a chunk
//! should leave at once), and TCP keepalive with the core's numbers ([`TcpKeepalive`]) through
//! socket2, since none of tokio's, async-net's and std's `TcpStream` has all the setters.

use ollama_proto::connect::{ConnectError, ConnectPlan};
use ollama_proto::keepalive::TcpKeepalive;
use socket2::SockRef;

/// Sets the options every transport gives a socket it just connected as `plan` says: no Nagle
/// delay, and the plan's keepalive ([`set_keepalive`]). A refused option fails the connection
/// like the connect itself ([`ConnectPlan::dial_failed`]: the server, or the proxy).
///
/// # Errors
/// The socket refused an option.
pub fn set_socket_options<'s, S>(socket: &'s S, plan: &ConnectPlan) -> Result<(), ConnectError>
where
    SockRef<'s>: From<&'s S>,
{
    let socket = SockRef::from(socket);
    socket
        .set_tcp_nodelay(true)
        .and_then(|()| set_keepalive(&socket, plan.tcp_keepalive()))
        .map_err(|e| plan.dial_failed(e))
}

/// Turns on TCP keepalive with `keepalive`'s idle time, interval and probe count, and on
/// Linux bounds unacknowledged data by the same [`TcpKeepalive::dead_after`]
/// (`TCP_USER_TIMEOUT`); nothing when `None` (keepalive off).
///
/// # Errors
/// The socket refused an option.
pub fn set_keepalive(
    socket: &SockRef<'_>,
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
    socket.set_tcp_keepalive(&params)?;
    // Keepalive does not probe while sent data waits for its acknowledgement (a request
    // written to a server that just vanished): bound that wait the same way (Linux).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    socket.set_tcp_user_timeout(Some(k.dead_after()))?;
    Ok(())
}

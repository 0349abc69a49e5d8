//! Opening a byte stream as the core's [`ConnectPlan`] says, with `std::net`: TCP to the
//! address it names, the CONNECT handshake when it has a tunnel (the core's `Tunnel` reads the
//! proxy's answer), then TLS when it has a TLS step (`rustls::StreamOwned`, configured by
//! `ollama-net`). Every wait is a socket wait bounded by the core's deadline (socket
//! timeouts). Nothing is decided here.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ollama_http1::Io;
use ollama_net::{Connector, Tls};
use ollama_proto::connect::ConnectError;

/// A connected socket, plain or TLS, with the timeouts last set on it.
#[derive(Debug)]
pub struct Stream {
    socket: Socket,
    /// The read and write timeout the socket has (`None`: none; the default).
    armed: Option<Duration>,
}

#[derive(Debug)]
enum Socket {
    Plain(TcpStream),
    #[cfg(feature = "rustls")]
    Tls(Box<ollama_net::rustls::StreamOwned<ollama_net::rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn new(socket: Socket) -> Self {
        Self {
            socket,
            armed: None,
        }
    }

    fn tcp(&self) -> &TcpStream {
        match &self.socket {
            Socket::Plain(s) => s,
            #[cfg(feature = "rustls")]
            Socket::Tls(s) => &s.sock,
        }
    }

    /// Runs `op`, waiting on the socket at most until `deadline` (not at all when it is due):
    /// `Pending` when it passed with nothing to read or no room to write.
    fn wait<T>(
        &mut self,
        deadline: Option<Instant>,
        mut op: impl FnMut(&mut Socket) -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        let wait = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let due = wait == Some(Duration::ZERO);
        let armed = if due {
            self.tcp().set_nonblocking(true)
        } else {
            self.arm(wait)
        };
        if let Err(e) = armed {
            return Poll::Ready(Err(e));
        }
        let mut result = op(&mut self.socket);
        // Bounded: a signal interrupts a call a few times at most.
        for _ in 0..8 {
            match &result {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => result = op(&mut self.socket),
                _ => break,
            }
        }
        if due {
            if let Err(e) = self.tcp().set_nonblocking(false) {
                return Poll::Ready(Err(e));
            }
        }
        match result {
            // A socket timeout (or nothing there without waiting): the deadline passed.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && deadline.is_some() => Poll::Pending,
            other => Poll::Ready(other),
        }
    }

    /// Sets the socket's read and write timeouts to `wait` (unless they are already).
    fn arm(&mut self, wait: Option<Duration>) -> io::Result<()> {
        if self.armed != wait {
            self.tcp().set_read_timeout(wait)?;
            self.tcp().set_write_timeout(wait)?;
            self.armed = wait;
        }
        Ok(())
    }

    /// A blocking read or write that reports a passed deadline as `TimedOut`.
    fn until<T>(
        &mut self,
        deadline: Option<Instant>,
        op: impl FnMut(&mut Socket) -> io::Result<T>,
    ) -> io::Result<T> {
        match self.wait(deadline, op) {
            Poll::Ready(r) => r,
            Poll::Pending => Err(io::ErrorKind::TimedOut.into()),
        }
    }
}

/// The blocking socket as ollama-http1 reads and writes it: it never wakes `cx`, it waits.
impl Io for Stream {
    fn poll_read(
        &mut self,
        _cx: &mut Context<'_>,
        deadline: Option<Instant>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.wait(deadline, |s| s.rw().read(buf))
    }

    fn poll_write(
        &mut self,
        _cx: &mut Context<'_>,
        deadline: Option<Instant>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.wait(deadline, |s| s.rw().write(buf))
    }

    fn poll_flush(
        &mut self,
        _cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        self.wait(deadline, |s| s.rw().flush())
    }
}

/// Reads and writes, plain or TLS.
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

impl Socket {
    fn rw(&mut self) -> &mut dyn ReadWrite {
        match self {
            Self::Plain(s) => s,
            #[cfg(feature = "rustls")]
            Self::Tls(s) => &mut **s,
        }
    }
}

/// A new connection, opened step by step as `connector`'s plan says (the system resolver, not
/// bounded by the deadline; then each address in turn, the CONNECT handshake, TLS), each wait
/// at most until `deadline`.
pub(crate) fn open(
    connector: &Connector,
    deadline: Option<Instant>,
) -> Result<Stream, ConnectError> {
    let plan = &connector.plan;
    let (host, port) = plan.dial();
    let tcp = tcp(host, port, deadline).map_err(|e| plan.dial_failed(e))?;
    ollama_net::set_socket_options(&tcp, plan)?;
    let mut stream = Stream::new(Socket::Plain(tcp));
    if let Some(tunnel) = plan.tunnel() {
        // Ready at once: every wait is the socket's, bounded by `deadline`.
        crate::block::block(ollama_net::open_tunnel(
            tunnel,
            &mut stream,
            async |s: &mut Stream, b: &[u8]| s.until(deadline, |s| s.rw().write_all(b)),
            async |s, b| s.until(deadline, |s| s.rw().read(b)),
        ))?;
    }
    match &connector.tls {
        None => Ok(stream),
        Some(tls) => handshake(tls, stream, deadline),
    }
}

/// TCP to `host:port`, each address in turn; requests are written in one go and streams read
/// line by line: no Nagle delay.
fn tcp(host: &str, port: u16, deadline: Option<Instant>) -> io::Result<TcpStream> {
    let mut last = None;
    for addr in (host, port).to_socket_addrs()? {
        let attempt = match deadline.map(|d| d.saturating_duration_since(Instant::now())) {
            None => TcpStream::connect(addr),
            Some(Duration::ZERO) => Err(io::ErrorKind::TimedOut.into()),
            Some(wait) => TcpStream::connect_timeout(&addr, wait),
        };
        match attempt {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address")))
}

#[cfg(feature = "rustls")]
fn handshake(tls: &Tls, stream: Stream, deadline: Option<Instant>) -> Result<Stream, ConnectError> {
    use ollama_net::rustls::{ClientConnection, StreamOwned};

    let Socket::Plain(tcp) = stream.socket else {
        return Err(ConnectError::tls("TLS over TLS"));
    };
    let (config, name) = tls.connector()?;
    let conn = ClientConnection::new(config, name).map_err(|e| tls.handshake_failed(e))?;
    let mut stream = Stream::new(Socket::Tls(Box::new(StreamOwned::new(conn, tcp))));
    // Bounded: every round moves handshake records or fails (an early close is an error).
    for _ in 0..64 {
        let Socket::Tls(s) = &mut stream.socket else {
            break;
        };
        if !s.conn.is_handshaking() {
            return Ok(stream);
        }
        stream
            .until(deadline, |s| match s {
                Socket::Tls(s) => s.conn.complete_io(&mut s.sock).map(drop),
                Socket::Plain(_) => Ok(()),
            })
            .map_err(|e| tls.handshake_failed(e))?;
    }
    Err(tls.handshake_failed("the handshake did not finish"))
}

/// Without the `rustls` feature: an `https://` plan cannot be carried out.
#[cfg(not(feature = "rustls"))]
fn handshake(_: &Tls, _: Stream, _: Option<Instant>) -> Result<Stream, ConnectError> {
    Err(ConnectError::tls(
        "https needs the `rustls` feature of ollama-blocking",
    ))
}

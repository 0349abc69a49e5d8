//! Opening a byte stream to the server with `std::net`: TCP to the server or to its proxy,
//! the CONNECT handshake for a tunnel (the core's [`Tunnel`]), then TLS through rustls for
//! `https` (roots and extra CAs as the core decided, [`Target::rustls_config`]). Every wait is
//! a socket wait bounded by the deadline the core gave (socket timeouts).

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ollama_http1::{Io, Target};
use ollama_proto::BaseUrl;
use ollama_proto::client_error::BoxError;
use ollama_proto::proxy::{ProxyError, ProxyUrl, Route, Tunnel};

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
    Tls(Box<ollama_http1::rustls::StreamOwned<ollama_http1::rustls::ClientConnection, TcpStream>>),
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

/// Connects to `target`, directly or through its proxy: resolves (the system resolver; not
/// bounded by the deadline), tries each address in turn, the CONNECT handshake for a tunnel,
/// then the TLS handshake, each wait at most until `deadline`.
pub(crate) fn connect(target: &Target, deadline: Option<Instant>) -> Result<Stream, BoxError> {
    let tcp = match target.route.proxy() {
        None => tcp(target.base.host(), target.base.port(), deadline)?,
        Some(p) => tcp(p.host(), p.port(), deadline).map_err(|e| ProxyError::unreachable(p, e))?,
    };
    let mut stream = Stream::new(Socket::Plain(tcp));
    if let Route::Tunnel(proxy) = &target.route {
        tunnel(&mut stream, proxy, &target.base, deadline)?;
    }
    if !target.https {
        return Ok(stream);
    }
    tls_handshake(target, stream, deadline)
}

/// TCP to `host:port`; requests are written in one go and streams read line by line: no
/// Nagle delay.
fn tcp(host: &str, port: u16, deadline: Option<Instant>) -> io::Result<TcpStream> {
    let mut last = None;
    for addr in (host, port).to_socket_addrs()? {
        let attempt = match deadline.map(|d| d.saturating_duration_since(Instant::now())) {
            None => TcpStream::connect(addr),
            Some(Duration::ZERO) => Err(io::ErrorKind::TimedOut.into()),
            Some(wait) => TcpStream::connect_timeout(&addr, wait),
        };
        match attempt {
            Ok(tcp) => {
                tcp.set_nodelay(true)?;
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"))
    }))
}

/// Asks `proxy` for a tunnel to `target`; the core reads its answer.
fn tunnel(
    stream: &mut Stream,
    proxy: &ProxyUrl,
    target: &BaseUrl,
    deadline: Option<Instant>,
) -> Result<(), BoxError> {
    let mut handshake = Tunnel::new(proxy, target);
    stream.until(deadline, |s| s.rw().write_all(handshake.request()))?;
    let mut buf = [0u8; 1024];
    // Bounded by the core's MAX_TUNNEL_HEAD.
    loop {
        let n = stream.until(deadline, |s| s.rw().read(&mut buf))?;
        if n == 0 {
            return Err(handshake.closed().into());
        }
        if handshake.feed(&buf[..n])? {
            return Ok(());
        }
    }
}

#[cfg(feature = "rustls")]
fn tls_handshake(
    target: &Target,
    stream: Stream,
    deadline: Option<Instant>,
) -> Result<Stream, BoxError> {
    use ollama_http1::rustls::pki_types::ServerName;
    use ollama_http1::rustls::{ClientConnection, StreamOwned};
    use ollama_proto::tls::TlsHandshakeError;

    let Socket::Plain(tcp) = stream.socket else {
        return Err("TLS over TLS".into());
    };
    let host = target.base.host();
    let name = ServerName::try_from(host.to_owned())?;
    let tls = ClientConnection::new(target.rustls_config()?, name)?;
    let mut stream = Stream::new(Socket::Tls(Box::new(StreamOwned::new(tls, tcp))));
    // Bounded: every round moves handshake records or fails (an early close is an error).
    for _ in 0..64 {
        let Socket::Tls(s) = &stream.socket else {
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
            .map_err(|e| TlsHandshakeError::new(host, e))?;
    }
    Err(TlsHandshakeError::new(host, "the handshake did not finish").into())
}

#[cfg(not(feature = "rustls"))]
fn tls_handshake(
    target: &Target,
    stream: Stream,
    deadline: Option<Instant>,
) -> Result<Stream, BoxError> {
    let _ = (target, stream, deadline);
    Err("https needs the `rustls` feature of ollama-blocking".into())
}

//! Peers that never answer: a server that vanishes (its network namespace's loopback taken
//! down: no FIN, no reset, as after a power loss or a dropped NAT mapping) and a connect nobody
//! answers (a full listen backlog). Each scenario runs in a network namespace of its own
//! ([`crate::netns`]); the expansion in [`conformance_tests!`](crate::conformance_tests) takes
//! care of that.
//!
//! The bounds on elapsed time are generous (a busy 2-core machine); what is asserted exactly is
//! the typed error and its text: the server, the phase, the setting that fired.

use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::thread::JoinHandle;

use ollama_proto::deadline::Timeouts;
use ollama_proto::keepalive::TcpKeepalive;

use super::support::*;
use super::*;
use crate::{NDJSON, netns};

/// The one line the vanishing server sends before it goes silent.
const FIRST_LINE: &str = "{\"model\":\"m\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n";

/// Keepalive short enough for a test: the peer is declared dead 3 s after its last packet.
fn short_keepalive() -> TcpKeepalive {
    TcpKeepalive::new(Duration::from_secs(1), Duration::from_secs(1), 2)
}

/// When the vanishing server goes silent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Vanish {
    /// After reading the request, before any response byte.
    BeforeHead,
    /// After the head and [`FIRST_LINE`].
    AfterFirstLine,
}

/// A server that answers one request up to `when`, then vanishes: the namespace's loopback
/// goes down once everything sent was acknowledged (so nothing is left to retransmit).
struct VanishingServer {
    port: u16,
    /// Gives the client's socket as `ss` showed it just before the loopback went down, and
    /// the server's end, kept open (no FIN) until the scenario is over.
    saboteur: JoinHandle<(String, TcpStream)>,
}

impl VanishingServer {
    fn start(when: Vanish) -> Self {
        netns::loopback(true);
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (sent, got) = mpsc::channel::<TcpStream>();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let shutdown = AtomicBool::new(false);
            crate::http::Input::new(&stream, &shutdown)
                .read_request()
                .unwrap();
            if when == Vanish::AfterFirstLine {
                let headers = [
                    ("Content-Type".to_owned(), NDJSON.to_owned()),
                    ("Transfer-Encoding".to_owned(), "chunked".to_owned()),
                ];
                let mut bytes = crate::http::head(200, &headers);
                bytes.extend(crate::http::chunk(FIRST_LINE.as_bytes()));
                crate::http::write_all(&stream, &bytes, &shutdown).unwrap();
            }
            // The socket stays open (no FIN) for as long as the test runs.
            let _ = sent.send(stream);
        });
        let saboteur = std::thread::spawn(move || {
            let stream = got
                .recv_timeout(Duration::from_secs(20))
                .expect("the client's request reached the server");
            netns::wait_acked(port);
            let client = netns::client_socket(port);
            netns::loopback(false);
            (client, stream)
        });
        Self { port, saboteur }
    }

    fn config(&self) -> ClientConfig {
        ClientConfig::new(format!("http://127.0.0.1:{}", self.port).parse().unwrap())
    }

    /// The client's socket as `ss -o` showed it before the loopback went down.
    fn client_socket(self) -> String {
        self.saboteur.join().unwrap().0
    }
}

/// A listener whose backlog is full and that never accepts: a connect to it is never
/// answered (its SYNs are dropped), as with a firewall that drops or a wrong address.
struct FullBacklog {
    addr: SocketAddr,
    _listener: socket2::Socket,
    _queued: Vec<TcpStream>,
}

impl FullBacklog {
    fn start() -> Self {
        netns::loopback(true);
        use socket2::{Domain, Socket, Type};
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        let any: SocketAddr = ([127, 0, 0, 1], 0).into();
        listener.bind(&any.into()).unwrap();
        listener.listen(0).unwrap();
        let addr = listener.local_addr().unwrap().as_socket().unwrap();
        let mut queued = Vec::new();
        // Bounded: the queue of a backlog-0 listener holds one connection.
        for _ in 0..16 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
                Ok(stream) => queued.push(stream),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    return Self {
                        addr,
                        _listener: listener,
                        _queued: queued,
                    };
                }
                Err(e) => panic!("filling the backlog of {addr}: {e}"),
            }
        }
        panic!("the backlog of {addr} never filled");
    }

    fn config(&self) -> ClientConfig {
        ClientConfig::new(format!("http://{}", self.addr).parse().unwrap())
    }
}

/// The keepalive message for a server on `port` declared dead after `dead_after`.
fn keepalive_message(port: u16, phase: &str, dead_after: &str) -> String {
    format!(
        "the server 127.0.0.1:{port} stopped answering {phase}: the OS closed the connection \
         after {dead_after} without an answer (TCP keepalive), so the peer or the network \
         path to it is gone (change or remove keepalive with ClientBuilder::tcp_keepalive)"
    )
}

/// A stream whose server vanishes after the first line ends, within seconds with short
/// keepalive settings and no timeout at all, in a typed keepalive error that names the
/// server and the bytes received; the client's socket had keepalive on.
pub fn vanished_server_mid_stream_is_a_keepalive_error<T: Transport>(t: &T) {
    let server = VanishingServer::start(Vanish::AfterFirstLine);
    // The total timeout only stops a transport that does not apply keepalive.
    let config = server
        .config()
        .timeouts(Timeouts::none().total(Duration::from_secs(60)))
        .tcp_keepalive(Some(short_keepalive()));
    let client = t.client(config);
    let started = Instant::now();
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    let elapsed = started.elapsed();
    let port = server.port;
    let socket = server.client_socket();
    assert!(
        socket.contains("timer:(keepalive,"),
        "keepalive on: {socket}"
    );
    assert_eq!(texts(&events).1, "Hi");
    let phase = format!("after {} body bytes", FIRST_LINE.len());
    assert_eq!(
        failure,
        Failure::Timeout(
            TimeoutKind::Keepalive,
            keepalive_message(port, &phase, "3s")
        )
    );
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

/// A server that vanishes after reading the request (a model "loading" forever) is found by
/// keepalive too: the error says the call was waiting for the response head.
pub fn vanished_server_before_the_head_is_a_keepalive_error<T: Transport>(t: &T) {
    let server = VanishingServer::start(Vanish::BeforeHead);
    let config = server
        .config()
        .timeouts(Timeouts::none().total(Duration::from_secs(60)))
        .tcp_keepalive(Some(short_keepalive()));
    let client = t.client(config);
    let started = Instant::now();
    let failure = t.chat_stream(&client, hello(), None).unwrap_err();
    let elapsed = started.elapsed();
    let port = server.port;
    let socket = server.client_socket();
    assert!(
        socket.contains("timer:(keepalive,"),
        "keepalive on: {socket}"
    );
    let phase = "while waiting for the response head";
    assert_eq!(
        failure,
        Failure::Timeout(TimeoutKind::Keepalive, keepalive_message(port, phase, "3s"))
    );
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

/// A pooled connection whose server vanished while it sat idle: the next request is written
/// but never acknowledged, and keepalive does not probe while data waits; the OS still gives up
/// after the keepalive's silence (`TCP_USER_TIMEOUT` on Linux), not after 15 minutes of
/// retransmissions. A call that is not safe to repeat reports it, naming the head it waited
/// for.
pub fn vanished_server_of_a_pooled_connection_is_a_keepalive_error<T: Transport>(t: &T) {
    netns::loopback(true);
    let server = TestServer::start();
    let config = config_for(&server)
        .timeouts(Timeouts::none().total(Duration::from_secs(60)))
        .tcp_keepalive(Some(short_keepalive()));
    let client = t.client(config);
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    let port = server.addr().port();
    netns::wait_acked(port);
    assert!(netns::client_socket(port).contains("timer:(keepalive,"));
    netns::loopback(false);
    let started = Instant::now();
    let failure = t.delete(&client, DeleteRequest::new("m")).unwrap_err();
    let elapsed = started.elapsed();
    let phase = "while waiting for the response head";
    assert_eq!(
        failure,
        Failure::Timeout(TimeoutKind::Keepalive, keepalive_message(port, phase, "3s"))
    );
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    assert_eq!(
        server.connections_accepted(),
        1,
        "the pooled connection was used"
    );
}

/// With keepalive off, the connection has no keepalive timer, and the explicit idle (or
/// response-head) timeout is what ends a call whose server vanished, naming the server.
pub fn vanished_server_without_keepalive_hits_the_idle_timeout<T: Transport>(t: &T) {
    let server = VanishingServer::start(Vanish::AfterFirstLine);
    let config = server
        .config()
        .idle_timeout(Duration::from_secs(2))
        .tcp_keepalive(None);
    let client = t.client(config);
    let started = Instant::now();
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    let elapsed = started.elapsed();
    let port = server.port;
    let socket = server.client_socket();
    assert!(!socket.contains("keepalive"), "keepalive off: {socket}");
    assert_eq!(texts(&events).1, "Hi");
    assert_eq!(
        failure,
        Failure::Timeout(
            TimeoutKind::Idle,
            format!(
                "no body bytes from 127.0.0.1:{port} for 2s, after {} body bytes \
                 (idle timeout; raise it with ClientBuilder::idle_timeout)",
                FIRST_LINE.len()
            )
        )
    );
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");

    let server = VanishingServer::start(Vanish::BeforeHead);
    let config = server
        .config()
        .response_head_timeout(Duration::from_secs(2))
        .tcp_keepalive(None);
    let failure = t.chat_stream(&t.client(config), hello(), None).unwrap_err();
    let port = server.port;
    assert!(!server.client_socket().contains("keepalive"));
    assert_eq!(
        failure,
        Failure::Timeout(
            TimeoutKind::ResponseHead,
            format!(
                "no response head from 127.0.0.1:{port} within 2s of sending the request \
                 (response_head timeout; raise it with ClientBuilder::response_head_timeout)"
            )
        )
    );
}

/// A connect nobody answers (a full backlog drops the SYNs) ends with the connect timeout,
/// naming the server and the setting, with keepalive on or off.
pub fn unanswered_connect_is_a_connect_timeout<T: Transport>(t: &T) {
    let backlog = FullBacklog::start();
    for keepalive in [Some(TcpKeepalive::DEFAULT), None] {
        let config = backlog
            .config()
            .connect_timeout(Duration::from_secs(1))
            .tcp_keepalive(keepalive);
        let started = Instant::now();
        let failure = t.version(&t.client(config)).unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(
            failure,
            Failure::Timeout(
                TimeoutKind::Connect,
                format!(
                    "connect to {} timed out after 1s \
                     (connect timeout; raise it with ClientBuilder::connect_timeout; a server whose \
                     listen backlog is full leaves connects unanswered too: raise its backlog, \
                     net.core.somaxconn)",
                    backlog.addr
                )
            ),
            "keepalive {keepalive:?}"
        );
        assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    }
}

/// Measures (not a bound the suite runs: 2 to 3 minutes) how long a client built from the
/// defaults takes to end each dead call, and checks that each ends in its typed error: a
/// connect nobody answers (the 30 s connect timeout), and a server that vanishes mid-stream or
/// before the head (TCP keepalive: 30 s idle, then 3 probes 10 s apart). Run with
/// `cargo test -p <transport> --test conformance defaults_end_dead_calls -- --ignored --nocapture`.
pub fn defaults_end_dead_calls<T: Transport>(t: &T) {
    let backlog = FullBacklog::start();
    let started = Instant::now();
    let failure = t.version(&t.client(backlog.config())).unwrap_err();
    let connect = started.elapsed();
    assert!(
        matches!(&failure, Failure::Timeout(TimeoutKind::Connect, m) if m.contains("after 30s")),
        "{failure:?}"
    );
    drop(backlog);

    // A backstop only: the defaults themselves set no timeout once connected.
    let backstop = |config: ClientConfig| config.total_timeout(Duration::from_secs(150));
    let server = VanishingServer::start(Vanish::AfterFirstLine);
    let started = Instant::now();
    let (_, failure) =
        stream_failure(t.chat_stream(&t.client(backstop(server.config())), hello(), None));
    let mid_stream = started.elapsed();
    let port = server.port;
    let socket = server.client_socket();
    let phase = format!("after {} body bytes", FIRST_LINE.len());
    assert_eq!(
        failure,
        Failure::Timeout(
            TimeoutKind::Keepalive,
            keepalive_message(port, &phase, "60s")
        ),
        "{socket}"
    );

    let server = VanishingServer::start(Vanish::BeforeHead);
    let started = Instant::now();
    let failure = t
        .chat_stream(&t.client(backstop(server.config())), hello(), None)
        .unwrap_err();
    let before_head = started.elapsed();
    let port = server.port;
    drop(server.client_socket());
    let phase = "while waiting for the response head";
    assert_eq!(
        failure,
        Failure::Timeout(
            TimeoutKind::Keepalive,
            keepalive_message(port, phase, "60s")
        )
    );
    println!(
        "MEASURED with the defaults: unanswered connect {connect:.1?}, server vanished \
         mid-stream {mid_stream:.1?}, server vanished before the head {before_head:.1?}"
    );
    assert!(connect < Duration::from_secs(45), "{connect:?}");
    assert!(mid_stream < Duration::from_secs(100), "{mid_stream:?}");
    assert!(before_head < Duration::from_secs(100), "{before_head:?}");
}

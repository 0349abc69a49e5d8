//! Resource exhaustion is a typed, clear error, never a panic or a hang: no file descriptor
//! left (`EMFILE`), no local port left (`EADDRNOTAVAIL`), a server whose listen backlog is
//! full. The streams already running go on; the client works again once the resource is back.
//!
//! The first two change the whole process (its descriptor limit, its network namespace's port
//! range), so they run each in a child process of its own ([`crate::netns::run_isolated`]).

use std::net::{SocketAddr, TcpStream};
use std::thread;

use ollama_proto::connect::Resource;
use socket2::{Domain, Socket, Type};

use super::support::*;
use super::*;

/// A stream paced by the server (about a second), and the time to let it start.
fn running_stream<T>(t: &T, client: &T::Client, server: &TestServer) -> StreamOutcome
where
    T: Transport,
{
    let out = t
        .chat_stream(client, recorded_chat(GEMMA_HELLO), None)
        .unwrap();
    assert!(server.requests().iter().any(|r| r.path == "/api/chat"));
    out
}

/// The process has no descriptor left: a call that needs a new connection fails at once with
/// [`Resource::ProcessFileDescriptors`], naming `EMFILE`, `RLIMIT_NOFILE` and the pool limit;
/// a stream already running finishes; with descriptors back, calls work again.
pub fn out_of_descriptors_is_a_clear_error_and_other_streams_go_on<T>(t: &T)
where
    T: Transport + Sync,
    T::Client: Sync,
{
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    // Runtimes and reactors open their descriptors on first use: before the limit bites.
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    server.push_reply(slow_stream(Duration::from_millis(15)));
    thread::scope(|s| {
        let stream = s.spawn(|| running_stream(t, &client, &server));
        wait_for_requests(&server, 2);
        let full = crate::rlimit::exhaust_descriptors();
        let started = Instant::now();
        let Err(Failure::Exhausted(resource, message)) = t.version(&client) else {
            panic!("a connect without a descriptor is Failure::Exhausted");
        };
        assert!(started.elapsed() < Duration::from_secs(10), "no hang");
        assert_eq!(resource, Resource::ProcessFileDescriptors);
        let origin = server.url();
        assert!(
            message.starts_with(&format!(
                "cannot connect to {origin}: the process has no file descriptor left (EMFILE): \
                 raise the process's open-file limit (RLIMIT_NOFILE: `ulimit -n`, systemd's \
                 LimitNOFILE=), or lower PoolOptions::max_connections below it; connections \
                 already open are not affected"
            )),
            "{message}"
        );
        let out = stream.join().unwrap();
        drop(full);
        assert_eq!(out.failure, None, "the running stream went on");
        assert!(matches!(out.events.last(), Some(OwnedEvent::Done(_))));
    });
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
}

/// Every local port of the (narrowed) ephemeral range is in use towards the server: a new
/// connection fails at once with [`Resource::LocalPorts`], naming `EADDRNOTAVAIL` and the
/// port range; the stream on one of those ports finishes.
pub fn out_of_local_ports_is_a_clear_error_and_other_streams_go_on<T>(t: &T)
where
    T: Transport + Sync,
    T::Client: Sync,
{
    let server = TestServer::start();
    // Two local ports in this namespace (the server's port was taken before).
    std::fs::write("/proc/sys/net/ipv4/ip_local_port_range", "40000 40001")
        .expect("narrowing ip_local_port_range in the test's network namespace");
    let client = t.client(config_for(&server));
    server.push_reply(slow_stream(Duration::from_millis(15)));
    thread::scope(|s| {
        let stream = s.spawn(|| running_stream(t, &client, &server));
        wait_for_requests(&server, 1);
        // The other port, held by a plain connection.
        let other = TcpStream::connect(server.addr()).expect("the second local port");
        let started = Instant::now();
        let Err(Failure::Exhausted(resource, message)) = t.version(&client) else {
            panic!("a connect without a local port is Failure::Exhausted");
        };
        assert!(started.elapsed() < Duration::from_secs(10), "no hang");
        assert_eq!(resource, Resource::LocalPorts);
        assert!(
            message.contains(
                "no local port left to connect from (EADDRNOTAVAIL): widen the ephemeral \
                 port range (sysctl net.ipv4.ip_local_port_range)"
            ),
            "{message}"
        );
        let out = stream.join().unwrap();
        drop(other);
        assert_eq!(out.failure, None, "the running stream went on");
        assert!(matches!(out.events.last(), Some(OwnedEvent::Done(_))));
    });
}

/// A server that does not accept, with a full listen backlog, leaves a new connect unanswered
/// (Linux drops the SYN): the call ends at its connect timeout, whose message names the
/// backlog as a cause; nothing hangs.
pub fn a_full_listen_backlog_is_a_connect_timeout_naming_it<T: Transport>(t: &T) {
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    listener.bind(&any.into()).unwrap();
    listener.listen(1).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    // Fill the accept queue until a connect goes unanswered (bounded).
    let mut queued = Vec::new();
    let full =
        (0..16).any(
            |_| match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(c) => {
                    queued.push(c);
                    false
                }
                Err(_) => true,
            },
        );
    assert!(full, "16 connects to a backlog of 1 were all answered");
    let url = format!("http://{addr}");
    let config =
        ClientConfig::new(url.parse().unwrap()).connect_timeout(Duration::from_millis(300));
    let client = t.client(config);
    let started = Instant::now();
    let Err(Failure::Timeout(kind, message)) = t.version(&client) else {
        panic!("a connect into a full backlog is a connect timeout");
    };
    assert_eq!(kind, TimeoutKind::Connect);
    assert!(started.elapsed() < Duration::from_secs(10), "no hang");
    assert_eq!(
        message,
        format!(
            "connect to {addr} timed out after 300ms (connect timeout; raise it with \
             ClientBuilder::connect_timeout; a server whose listen backlog is full leaves \
             connects unanswered too: raise its backlog, net.core.somaxconn)"
        )
    );
    drop(queued);
}

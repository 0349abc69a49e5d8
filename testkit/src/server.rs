//! [`TestServer`]: the accept loop and one blocking thread per connection.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::http::{Input, ReadError, Request};
use crate::log::{Disconnect, Log, ReceivedRequest};
use crate::recording::Recording;
use crate::reply::Reply;
use crate::respond::{self, Outcome};
use crate::routes::{self, Context, Index};

/// Most connections served at once; more are closed on accept.
pub const MAX_CONNECTIONS: usize = 256;
/// Most requests served on one connection before it is closed.
const MAX_REQUESTS_PER_CONNECTION: usize = 10_000;
/// Socket read timeout: how often a blocked read looks at the shutdown flag. Also the peek step
/// while waiting inside a reply, so it must stay small.
const READ_POLL: Duration = Duration::from_millis(10);
/// Socket write timeout: how often a blocked write looks at the shutdown flag.
const WRITE_POLL: Duration = Duration::from_millis(100);
const ACCEPT_POLL: Duration = Duration::from_millis(5);
/// How long `shutdown` waits for connection threads to notice.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// After a 413, how long the rest of the too-large body is read and dropped so the client can
/// finish sending and read the answer instead of getting a reset.
const DRAIN_TIME: Duration = Duration::from_secs(1);
const DRAIN_MAX: usize = 128 * 1024 * 1024;

/// A loopback Ollama stand-in on `127.0.0.1:<ephemeral port>`.
///
/// Requests are answered from the queue of [`Reply`]s pushed with [`push_reply`](Self::push_reply),
/// else from the recordings (see the crate docs for the matching rules). Dropping it stops the
/// accept loop and closes every connection.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    shutdown: AtomicBool,
    index: Index,
    queue: Mutex<VecDeque<Reply>>,
    log: Mutex<Log>,
    blobs: Mutex<HashSet<String>>,
    /// A clone of every open connection, to close them on shutdown.
    conns: Mutex<HashMap<u64, TcpStream>>,
    accepted: AtomicU64,
    active: AtomicUsize,
    any_model: AtomicBool,
    /// Set by [`TestServer::emulate`]: answers version, show, chat and generate.
    emulation: Mutex<Option<crate::thinking_emulation::Emulation>>,
}

/// A poisoned lock only means a connection thread panicked; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TestServer {
    /// Binds `127.0.0.1:0`, indexes the recordings and starts serving.
    ///
    /// # Panics
    /// If binding fails or the recordings cannot be read: the test environment is broken.
    pub fn start() -> Self {
        match Self::try_start() {
            Ok(server) => server,
            Err(err) => panic!("testkit server failed to start: {err}"),
        }
    }

    /// Like [`start`](Self::start), reporting failures as errors.
    pub fn try_start() -> io::Result<Self> {
        let index = Index::new(Recording::try_all()?);
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            index,
            queue: Mutex::new(VecDeque::new()),
            log: Mutex::new(Log::default()),
            blobs: Mutex::new(HashSet::new()),
            conns: Mutex::new(HashMap::new()),
            accepted: AtomicU64::new(0),
            active: AtomicUsize::new(0),
            any_model: AtomicBool::new(true),
            emulation: Mutex::new(None),
        });
        let accept_shared = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name(format!("testkit-accept-{}", addr.port()))
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(Self {
            addr,
            shared,
            accept: Mutex::new(Some(accept)),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues `reply` for the next request it matches (FIFO among matching replies).
    pub fn push_reply(&self, reply: Reply) {
        lock(&self.shared.queue).push_back(reply);
    }

    /// Answers `/api/version`, `/api/show`, `/api/chat` and `/api/generate` as the emulated
    /// server would (see [`thinking_emulation`](crate::thinking_emulation)); queued replies
    /// still come first.
    pub fn emulate(&self, emulation: crate::thinking_emulation::Emulation) {
        *lock(&self.shared.emulation) = Some(emulation);
    }

    /// Drops every queued reply.
    pub fn clear_replies(&self) {
        lock(&self.shared.queue).clear();
    }

    /// How many queued replies (counting `times`) are still unserved.
    pub fn pending_replies(&self) -> usize {
        lock(&self.shared.queue).iter().map(|r| r.times).sum()
    }

    /// When on (the default), a model with no recording of its own is answered with another
    /// model's recording for the route; when off it gets 404 `model '<name>' not found`.
    pub fn set_model_fallback(&self, on: bool) {
        self.shared.any_model.store(on, Ordering::Relaxed);
    }

    /// Every request received so far (the most recent [`LOG_LIMIT`](crate::LOG_LIMIT)), in order.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.log).requests()
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::Relaxed)
    }

    /// Replies the client walked away from, in order.
    pub fn disconnects(&self) -> Vec<Disconnect> {
        lock(&self.shared.log).disconnects()
    }

    /// The next disconnect this method has not returned before, waiting up to `timeout`.
    pub fn wait_for_disconnect(&self, timeout: Duration) -> Option<Disconnect> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = lock(&self.shared.log).take_next_disconnect() {
                return Some(found);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Stops accepting, closes every connection and waits briefly for their threads. Idempotent;
    /// also done on drop.
    pub fn shutdown(&self) {
        self.shared.shutdown.store(true, Ordering::Relaxed);
        for stream in lock(&self.shared.conns).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        if let Some(handle) = lock(&self.accept).take() {
            let _ = handle.join();
        }
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while self.shared.active.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    while !shared.shutdown.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                let id = shared.accepted.fetch_add(1, Ordering::Relaxed) + 1;
                if shared.active.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
                    continue;
                }
                shared.active.fetch_add(1, Ordering::Relaxed);
                let conn_shared = Arc::clone(shared);
                let spawned = thread::Builder::new()
                    .name(format!("testkit-conn-{id}"))
                    .spawn(move || {
                        serve_connection(&conn_shared, stream, id);
                        conn_shared.active.fetch_sub(1, Ordering::Relaxed);
                    });
                if spawned.is_err() {
                    shared.active.fetch_sub(1, Ordering::Relaxed);
                }
            }
            Err(_) => thread::sleep(ACCEPT_POLL),
        }
    }
}

/// How a connection ends.
enum Close {
    Normal,
    Reset,
}

fn serve_connection(shared: &Shared, stream: TcpStream, id: u64) {
    let setup = stream
        .set_nonblocking(false)
        .and_then(|()| stream.set_nodelay(true))
        .and_then(|()| stream.set_read_timeout(Some(READ_POLL)))
        .and_then(|()| stream.set_write_timeout(Some(WRITE_POLL)));
    let Ok(clone) = setup.and_then(|()| stream.try_clone()) else {
        return;
    };
    lock(&shared.conns).insert(id, clone);
    if shared.shutdown.load(Ordering::Relaxed) {
        let _ = stream.shutdown(Shutdown::Both);
    }
    let close = serve_requests(shared, &stream, id);
    // Drop our clone first: a reset only happens when the last descriptor closes.
    drop(lock(&shared.conns).remove(&id));
    if let Close::Reset = close {
        let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    }
    drop(stream);
}

fn serve_requests(shared: &Shared, stream: &TcpStream, id: u64) -> Close {
    let mut input = Input::new(stream, &shared.shutdown);
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        let request = match input.read_request() {
            Ok(request) => request,
            Err(ReadError::Closed) => return Close::Normal,
            Err(ReadError::Rejected { status, message }) => {
                let reply = Reply::status_json(status, message);
                let _ = respond::send(stream, &shared.shutdown, &reply, false, true);
                if status == 413 {
                    drain(stream);
                }
                return Close::Normal;
            }
        };
        lock(&shared.log).push_request(ReceivedRequest {
            method: request.method.clone(),
            path: request.target.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
            connection_id: id,
        });
        let reply = next_reply(shared, &request);
        let close = request.wants_close() || reply.close_connection;
        let head_only = request.method == "HEAD";
        match respond::send(stream, &shared.shutdown, &reply, head_only, close) {
            Outcome::Finished if close => return Close::Normal,
            Outcome::Finished => {}
            Outcome::PeerGone(sent) => {
                lock(&shared.log).push_disconnect(Disconnect {
                    connection_id: id,
                    path: request.target,
                    lines_written: sent.lines,
                    bytes_written: sent.bytes,
                });
                return Close::Normal;
            }
            Outcome::Abort => {
                let _ = stream.shutdown(Shutdown::Both);
                return Close::Normal;
            }
            Outcome::Reset => return Close::Reset,
            Outcome::Shutdown => return Close::Normal,
        }
    }
    Close::Normal
}

/// The first queued reply for this path, else the default one.
fn next_reply(shared: &Shared, request: &Request) -> Reply {
    {
        let mut queue = lock(&shared.queue);
        let path = request.path();
        let position = queue
            .iter()
            .position(|r| r.path_filter.as_deref().is_none_or(|p| p == path));
        if let Some(position) = position {
            let entry = &mut queue[position];
            if entry.times > 1 {
                entry.times -= 1;
                return entry.clone();
            }
            if let Some(reply) = queue.remove(position) {
                return reply;
            }
        }
    }
    if let Some(emulation) = lock(&shared.emulation).as_ref() {
        let method = request.method.as_str();
        if let Some(reply) = emulation.reply(method, request.path(), &request.body) {
            return reply;
        }
    }
    let mut blobs = lock(&shared.blobs);
    let cx = Context {
        index: &shared.index,
        blobs: &mut blobs,
        any_model: shared.any_model.load(Ordering::Relaxed),
    };
    routes::default_reply(request, cx)
}

/// Reads and drops what the client is still sending, bounded in time and bytes.
fn drain(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + DRAIN_TIME;
    let mut buf = [0u8; 64 * 1024];
    let mut total = 0;
    while Instant::now() < deadline && total < DRAIN_MAX {
        match (&*stream).read(&mut buf) {
            Ok(0) => return,
            Ok(n) => total += n,
            Err(err) if crate::http::is_timeout(&err) => {}
            Err(_) => return,
        }
    }
}

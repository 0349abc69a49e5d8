//! [`Server`]: the accept loop and one blocking thread per connection; [`Builder`] configures it.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::http::{Input, ReadError, Request};
use crate::log::{Disconnect, Log, ReceivedRequest};
use crate::model::Model;
use crate::recording::Recording;
use crate::reply::Reply;
use crate::respond::{self, Outcome};
use crate::routes::{self, Context, Index};

/// Most connections served at once; more are closed on accept.
///
/// ```
/// assert_eq!(ollama_standin::MAX_CONNECTIONS, 256);
/// ```
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

/// A running stand-in Ollama server on std threads.
///
/// Requests are answered by the first queued [`Reply`] whose matcher fits (see
/// [`push_reply`](Self::push_reply)), else by the configured [`Model`] of that name, else from
/// the recordings directory if one was given (see the crate docs), else 404. Dropping it stops
/// the accept loop and closes every connection.
///
/// ```
/// use ollama_standin::{Model, Server};
///
/// let server = Server::builder().model(Model::text("m", "Hi!")).start().unwrap();
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// assert!(server.requests().is_empty());
/// ```
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

/// How to start a [`Server`]: address, models, server version, recordings.
///
/// ```
/// use ollama_standin::{Model, Server, ThinkingStyle};
///
/// let server = Server::builder()
///     .model(Model::echo("echo"))
///     .model(Model::text("qwen3:8b", "Paris.").family("qwen3").thinking(ThinkingStyle::Field))
///     .model(Model::embedding("nomic-embed-text", 768))
///     .version("0.12.0")
///     .start()
///     .unwrap();
/// # drop(server);
/// ```
#[derive(Clone, Debug)]
pub struct Builder {
    listen: SocketAddr,
    models: Vec<Model>,
    version: String,
    recordings: Option<PathBuf>,
    replies: Vec<Reply>,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            models: Vec::new(),
            version: crate::VERSION.to_owned(),
            recordings: None,
            replies: Vec::new(),
        }
    }
}

impl Builder {
    /// Where to listen (default `127.0.0.1:0`, an ephemeral port).
    ///
    /// ```
    /// let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    /// let server = ollama_standin::Server::builder().listen(addr).start().unwrap();
    /// assert_ne!(server.addr().port(), 0);
    /// ```
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Serves `model` by its name (the first of a name wins).
    ///
    /// ```
    /// let builder = ollama_standin::Server::builder().model(ollama_standin::Model::echo("echo"));
    /// # drop(builder);
    /// ```
    pub fn model(mut self, model: Model) -> Self {
        self.models.push(model);
        self
    }

    /// Serves every model of `models`.
    ///
    /// ```
    /// use ollama_standin::{Model, Server};
    /// let builder = Server::builder().models([Model::echo("a"), Model::embedding("e", 8)]);
    /// # drop(builder);
    /// ```
    pub fn models(mut self, models: impl IntoIterator<Item = Model>) -> Self {
        self.models.extend(models);
        self
    }

    /// The version `/api/version` reports and the thinking behaviour follows (default
    /// [`VERSION`](crate::VERSION)).
    ///
    /// ```
    /// let server = ollama_standin::Server::builder().version("0.9.0").start().unwrap();
    /// assert_eq!(server.version(), "0.9.0");
    /// ```
    pub fn version(mut self, version: &str) -> Self {
        version.clone_into(&mut self.version);
        self
    }

    /// Also answer from the recordings in `dir` (see the crate docs for how one is chosen).
    /// Recordings are data you bring: the crate ships none.
    ///
    /// ```
    /// let server = ollama_standin::Server::builder()
    ///     .recordings(ollama_standin::fixtures_dir())
    ///     .start()
    ///     .unwrap();
    /// # drop(server);
    /// ```
    pub fn recordings(mut self, dir: impl Into<PathBuf>) -> Self {
        self.recordings = Some(dir.into());
        self
    }

    /// Queues `reply` from the start (see [`Server::push_reply`]).
    ///
    /// ```
    /// let server = ollama_standin::Server::builder()
    ///     .reply(ollama_standin::Reply::status_json(503, "warming up"))
    ///     .start()
    ///     .unwrap();
    /// assert_eq!(server.pending_replies(), 1);
    /// ```
    pub fn reply(mut self, reply: Reply) -> Self {
        self.replies.push(reply);
        self
    }

    /// Binds and starts serving.
    ///
    /// # Errors
    /// If binding fails, or the recordings directory cannot be read.
    ///
    /// ```
    /// let server = ollama_standin::Server::builder().start().unwrap();
    /// # drop(server);
    /// ```
    pub fn start(self) -> io::Result<Server> {
        let recordings = match &self.recordings {
            Some(dir) => Recording::try_all_in(dir)?,
            None => Vec::new(),
        };
        let listener = TcpListener::bind(self.listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            index: Index::new(recordings),
            has_recordings: self.recordings.is_some(),
            models: self.models,
            version: self.version,
            loaded: Mutex::new(BTreeSet::new()),
            queue: Mutex::new(self.replies.into()),
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
            .name(format!("standin-accept-{}", addr.port()))
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(Server {
            addr,
            shared,
            accept: Mutex::new(Some(accept)),
        })
    }
}

struct Shared {
    shutdown: AtomicBool,
    index: Index,
    has_recordings: bool,
    models: Vec<Model>,
    version: String,
    /// Models answered so far, by position in `models` (what `/api/ps` lists).
    loaded: Mutex<BTreeSet<usize>>,
    queue: Mutex<VecDeque<Reply>>,
    log: Mutex<Log>,
    blobs: Mutex<HashSet<String>>,
    /// A clone of every open connection, to close them on shutdown.
    conns: Mutex<HashMap<u64, TcpStream>>,
    accepted: AtomicU64,
    active: AtomicUsize,
    any_model: AtomicBool,
    /// Set by [`Server::emulate`]: answers version, show, chat and generate.
    emulation: Mutex<Option<crate::thinking_emulation::Emulation>>,
}

/// A poisoned lock only means a connection thread panicked; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Server {
    /// A [`Builder`] with no models, no recordings and version [`VERSION`](crate::VERSION).
    ///
    /// ```
    /// let server = ollama_standin::Server::builder().version("0.30.0").start().unwrap();
    /// # drop(server);
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Starts on `127.0.0.1:<ephemeral port>` with no models configured: any model name is
    /// answered as an echo model that reasons like its family ([`Model::named`]).
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// assert_eq!(server.addr().ip().to_string(), "127.0.0.1");
    /// ```
    ///
    /// # Errors
    /// If binding fails.
    pub fn start() -> io::Result<Self> {
        Builder::default().start()
    }

    /// The version `/api/version` reports.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// assert_eq!(server.version(), ollama_standin::VERSION);
    /// ```
    pub fn version(&self) -> &str {
        &self.shared.version
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// assert_eq!(server.url(), format!("http://{}", server.addr()));
    /// ```
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// assert!(server.addr().ip().is_loopback());
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues `reply` for the next request it matches: the first queued reply whose matcher
    /// fits wins and is used up (after [`times`](Reply::times), never with
    /// [`always`](Reply::always)); a request nothing matches gets the model's own answer.
    ///
    /// ```
    /// use ollama_standin::{Reply, Server};
    /// let server = Server::start().unwrap();
    /// server.push_reply(Reply::status_json(429, "rate limit exceeded").for_path("/api/chat"));
    /// server.push_reply(Reply::model_default().error_line_after(2, "boom").for_text("crash"));
    /// assert_eq!(server.pending_replies(), 2);
    /// ```
    pub fn push_reply(&self, reply: Reply) {
        lock(&self.shared.queue).push_back(reply);
    }

    /// Answers `/api/version`, `/api/show`, `/api/chat` and `/api/generate` as the emulated
    /// server would (see [`thinking_emulation`](crate::thinking_emulation)); queued replies
    /// still come first.
    ///
    /// ```
    /// use ollama_standin::{Server, thinking_emulation::Emulation};
    ///
    /// let server = Server::start().unwrap();
    /// server.emulate(Emulation::new("0.10.0"));
    /// ```
    pub fn emulate(&self, emulation: crate::thinking_emulation::Emulation) {
        *lock(&self.shared.emulation) = Some(emulation);
    }

    /// Drops every queued reply.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// server.push_reply(ollama_standin::Reply::status_empty(500));
    /// server.clear_replies();
    /// assert_eq!(server.pending_replies(), 0);
    /// ```
    pub fn clear_replies(&self) {
        lock(&self.shared.queue).clear();
    }

    /// How many queued replies (counting `times`) are still unserved.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// server.push_reply(ollama_standin::Reply::status_empty(500).times(3));
    /// assert_eq!(server.pending_replies(), 3);
    /// ```
    pub fn pending_replies(&self) -> usize {
        lock(&self.shared.queue)
            .iter()
            .fold(0usize, |sum, r| sum.saturating_add(r.times))
    }

    /// When on (the default), a model with no recording of its own is answered with another
    /// model's recording for the route; when off it gets 404 `model '<name>' not found`.
    ///
    /// ```
    /// let server = ollama_standin::Server::builder().recordings(ollama_standin::fixtures_dir()).start().unwrap();
    /// server.set_model_fallback(false);
    /// ```
    pub fn set_model_fallback(&self, on: bool) {
        self.shared.any_model.store(on, Ordering::Relaxed);
    }

    /// Every request received so far (the most recent [`LOG_LIMIT`](crate::LOG_LIMIT)), in order.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// std::net::TcpStream::connect(server.addr()).and_then(|mut s| {
    ///     std::io::Write::write_all(&mut s, b"GET /api/tags HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
    ///     std::io::Read::read_to_end(&mut s, &mut Vec::new())
    /// }).unwrap();
    /// assert_eq!(server.requests()[0].path, "/api/tags");
    /// ```
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.log).requests()
    }

    /// TCP connections accepted so far.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// assert_eq!(server.connections_accepted(), 0);
    /// ```
    pub fn connections_accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::Relaxed)
    }

    /// Replies the client walked away from, in order.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// assert!(server.disconnects().is_empty());
    /// ```
    pub fn disconnects(&self) -> Vec<Disconnect> {
        lock(&self.shared.log).disconnects()
    }

    /// The next disconnect this method has not returned before, waiting up to `timeout`.
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// assert_eq!(server.wait_for_disconnect(std::time::Duration::from_millis(10)), None);
    /// ```
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
    ///
    /// ```
    /// let server = ollama_standin::Server::start().unwrap();
    /// let addr = server.addr();
    /// server.shutdown();
    /// assert!(std::net::TcpStream::connect(addr).is_err());
    /// ```
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

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
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
                    .name(format!("standin-conn-{id}"))
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

/// The first queued reply that matches, else the default one.
fn next_reply(shared: &Shared, request: &Request) -> Reply {
    let path = request.path();
    let body: Option<serde_json::Value> = serde_json::from_slice(&request.body).ok();
    let scripted = {
        let mut queue = lock(&shared.queue);
        let position = queue
            .iter()
            .position(|r| r.matcher.matches(path, body.as_ref()));
        match position {
            Some(position) if queue[position].times > 1 => {
                let entry = &mut queue[position];
                if entry.times != usize::MAX {
                    entry.times -= 1;
                }
                Some(entry.clone())
            }
            Some(position) => queue.remove(position),
            None => None,
        }
    };
    match scripted {
        Some(reply) if reply.from_default => reply.onto(default_reply(shared, request)),
        Some(reply) => reply,
        None => default_reply(shared, request),
    }
}

fn default_reply(shared: &Shared, request: &Request) -> Reply {
    if let Some(emulation) = lock(&shared.emulation).as_ref() {
        let method = request.method.as_str();
        if let Some(reply) = emulation.reply(method, request.path(), &request.body) {
            return reply;
        }
    }
    let mut blobs = lock(&shared.blobs);
    let mut loaded = lock(&shared.loaded);
    let cx = Context {
        index: &shared.index,
        blobs: &mut blobs,
        any_model: shared.any_model.load(Ordering::Relaxed),
        models: &shared.models,
        echo_any: shared.models.is_empty() && !shared.has_recordings,
        version: &shared.version,
        loaded: &mut loaded,
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

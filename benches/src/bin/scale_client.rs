//! One client process of the scale bench (`benches/scale.sh`): `--streams` concurrent paced
//! streams through one client, against `stream_server` in another process.
//!
//! ```text
//! scale_client --kind hyper|smol|blocking|ollama-rs --port P --streams N
//!              [--chunks C] [--interval-us U] [--server-pid PID] [--clk-tck HZ]
//! ```
//!
//! Prints one JSON object:
//! - memory per open stream: the client's RSS and live heap (a process-wide counting
//!   allocator, `benches::heap_counter`) at the plateau (the sample, every 20 ms, with the
//!   most streams open: all N when the last opened before the first ended) minus the idle
//!   client (built, its runtime started, nothing sent), divided by the streams open then;
//!   streams open at most 1,000 at a time (`OPENING_AT_ONCE`); the kernel's TCP buffer memory
//!   (`/proc/net/sockstat`, both ends of every loopback connection) apart;
//! - added latency: receive time minus the send stamp the server puts in each line
//!   (p50/p99/max);
//! - CPU µs per chunk (`getrusage` of this process, from the first call to the last chunk),
//!   and the server's CPU over the same window (`/proc/PID/stat`);
//! - whether every chunk of every stream arrived, in order, and ended with `Done`.
//!
//! The bench's own bookkeeping is allocated before the idle sample: one `u32` slot per chunk
//! for its latency, written in place. What a stream costs is then the client's state plus the
//! task (or thread) that reads it, as in any program that holds streams open.
//!
//! Bounded: it gives up after `--chunks` × `--interval-us` plus 120 s.
#![allow(missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use benches::e2e::{self, MODEL, Params};
use benches::heap_counter::{self, HeapCounter};
use ollama_proto::OwnedEvent;
use ollama_proto::pool::PoolOptions;
use ollama_proto::types::{ChatRequest, Message};
use serde_json::json;

#[global_allocator]
static HEAP: HeapCounter = HeapCounter;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    kind: String,
    port: u16,
    streams: usize,
    chunks: u64,
    interval_us: u64,
    server_pid: Option<u32>,
    clk_tck: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        kind: String::new(),
        port: 0,
        streams: 100,
        chunks: 100,
        interval_us: 50_000,
        server_pid: None,
        clk_tck: 100,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || -> Result<u64, String> {
            value
                .parse()
                .map_err(|_| format!("{flag} needs a number, not {value}"))
        };
        match flag.as_str() {
            "--kind" => args.kind = value.clone(),
            "--port" => args.port = number()? as u16,
            "--streams" => args.streams = number()? as usize,
            "--chunks" => args.chunks = number()?,
            "--interval-us" => args.interval_us = number()?,
            "--server-pid" => args.server_pid = Some(number()? as u32),
            "--clk-tck" => args.clk_tck = number()?.max(1),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.port == 0 || args.kind.is_empty() {
        return Err("--kind and --port are required".into());
    }
    Ok(args)
}

/// What every stream writes into, allocated before the idle sample.
struct Board {
    chunks: u64,
    /// Latency of chunk k of stream i at `i * chunks + k`, in µs (0: not received).
    latency_us: Vec<AtomicU32>,
    /// Streams whose response head arrived (open).
    opened: AtomicUsize,
    /// Streams that received their first chunk.
    started: AtomicUsize,
    /// Streams that ended (with `Done` or an error).
    ended: AtomicUsize,
    /// Streams that ended with `Done` after exactly `chunks` chunks, in order.
    complete: AtomicUsize,
    failed: AtomicUsize,
    first_error: std::sync::Mutex<Option<String>>,
}

impl Board {
    fn new(streams: usize, chunks: u64) -> Self {
        Self {
            chunks,
            latency_us: (0..streams as u64 * chunks)
                .map(|_| AtomicU32::new(0))
                .collect(),
            opened: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
            ended: AtomicUsize::new(0),
            complete: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            first_error: std::sync::Mutex::new(None),
        }
    }

    /// One stream's reader: chunk `k` arrived with `content` (its send stamp).
    fn on_content(&self, stream: usize, k: u64, content: &str) -> Result<(), String> {
        if k == 0 {
            self.started.fetch_add(1, Ordering::Relaxed);
        }
        if k >= self.chunks {
            return Err(format!("stream {stream}: more than {} chunks", self.chunks));
        }
        let now = e2e::unix_nanos();
        let sent: u64 = content
            .parse()
            .map_err(|_| format!("stream {stream}: not a stamp: {content:?}"))?;
        let us = u32::try_from(now.saturating_sub(sent) / 1_000).unwrap_or(u32::MAX);
        self.latency_us[stream * self.chunks as usize + k as usize]
            .store(us.max(1), Ordering::Relaxed);
        Ok(())
    }

    fn on_end(&self, result: Result<u64, String>) {
        match result {
            Ok(n) if n == self.chunks => {
                self.complete.fetch_add(1, Ordering::Relaxed);
            }
            Ok(n) => self.fail(format!("{n} chunks of {}", self.chunks)),
            Err(e) => self.fail(e),
        }
        self.ended.fetch_add(1, Ordering::Relaxed);
    }

    fn fail(&self, e: String) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        let mut first = self
            .first_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        first.get_or_insert(e);
    }
}

/// Reads one stream's events: `Ok(chunks)` at `Done`.
fn on_event(board: &Board, i: usize, k: &mut u64, event: OwnedEvent) -> Result<bool, String> {
    match event {
        OwnedEvent::Content(c) => {
            board.on_content(i, *k, &c)?;
            *k += 1;
        }
        OwnedEvent::Done(_) => return Ok(true),
        _ => {}
    }
    Ok(false)
}

/// The request of stream `i`: its first line at `start_ms` plus its phase (streams spread
/// evenly over one pacing interval, as independent streams are).
fn chat_request(params: &Params, start_ms: u64, i: usize) -> ChatRequest {
    ChatRequest::new(MODEL, vec![Message::user(prompt(params, start_ms, i))])
}

/// The user message of stream `i`'s request.
fn prompt(params: &Params, start_ms: u64, i: usize) -> String {
    let interval_ms = (params.interval_us / 1000).max(1);
    let start = start_ms + i as u64 % interval_ms;
    format!("{} start_ms={start}", params.prompt())
}

/// When the first lines go: after the time it takes to open every stream (about 0.6 ms
/// each on this 2-core machine, plus a second), so that all are open before any ends and the
/// plateau is every stream.
fn start_ms(streams: usize) -> u64 {
    e2e::unix_nanos() / 1_000_000 + 1_000 + streams as u64 * 6 / 10
}

/// The memory figures of one moment.
#[derive(Debug, Clone, Copy)]
struct Sample {
    rss_kib: u64,
    heap_bytes: i64,
    /// Live heap by size class at the same moment (`heap_counter::live_by_size`).
    by_size: [i64; 48],
    /// `/proc/net/sockstat` TCP `mem`, in pages (the whole machine's TCP buffers).
    tcp_mem_pages: u64,
}

fn sample() -> Sample {
    let mut by_size = [0; 48];
    for (slot, (_, live)) in by_size.iter_mut().zip(heap_counter::live_by_size()) {
        *slot = live;
    }
    Sample {
        rss_kib: e2e::proc_status_kib("VmRSS"),
        heap_bytes: heap_counter::live_bytes(),
        by_size,
        tcp_mem_pages: tcp_mem_pages(),
    }
}

fn tcp_mem_pages() -> u64 {
    let stat = std::fs::read_to_string("/proc/net/sockstat").unwrap_or_default();
    stat.lines()
        .find_map(|l| l.strip_prefix("TCP:"))
        .and_then(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            fields
                .windows(2)
                .find(|w| w[0] == "mem")
                .and_then(|w| w[1].parse().ok())
        })
        .unwrap_or(0)
}

/// The server's user + system CPU so far, in µs (`/proc/PID/stat`, fields 14 and 15).
fn server_cpu_us(pid: Option<u32>, clk_tck: u64) -> u64 {
    let Some(pid) = pid else { return 0 };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name in parentheses: field 3 onwards.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    ticks * 1_000_000 / clk_tck
}

/// Samples memory every 20 ms; the plateau is the samples with the most streams open (all
/// of them, when the last opened before the first ended); of those, the one with the median
/// heap (the steady state, not the burst when every stream sends its first line). Returns it
/// with how many streams were open then.
fn plateau(board: &Board, stop: &AtomicBool) -> Option<(Sample, usize)> {
    let mut best: Vec<Sample> = Vec::with_capacity(4096);
    let mut most = 0;
    let began = Instant::now();
    let mut tick = 0;
    // Bounded by `stop`, set when the run ends.
    while !stop.load(Ordering::Relaxed) {
        let ended = board.ended.load(Ordering::Relaxed);
        tick += 1;
        if tick % 50 == 0 {
            // Progress, once a second, on stderr (the script keeps it in client.log).
            eprintln!(
                "{:>5.1}s opened {} started {} ended {}",
                began.elapsed().as_secs_f64(),
                board.opened.load(Ordering::Relaxed),
                board.started.load(Ordering::Relaxed),
                ended
            );
        }
        let open = board.opened.load(Ordering::Relaxed).saturating_sub(ended);
        if open > 0 && open >= most {
            if open > most {
                best.clear();
                most = open;
            }
            if best.len() < best.capacity() {
                best.push(sample());
            }
        }
        thread::sleep(Duration::from_millis(20));
    }
    best.sort_by_key(|s| s.heap_bytes);
    best.get(best.len() / 2).map(|s| (*s, most))
}

/// Opens at most this many streams at a time whose response head has not arrived: a
/// gateway's streams arrive over time, and 10,000 connects at once overflow the server's
/// listen backlog (SYNs dropped, retried a second later), which would spread the opening
/// over more than a stream's life and leave no moment with every stream open.
const OPENING_AT_ONCE: usize = 1_000;

/// Whether stream `i` may start now.
fn may_open(board: &Board, i: usize) -> bool {
    i < board.opened.load(Ordering::Relaxed)
        + board.failed.load(Ordering::Relaxed)
        + OPENING_AT_ONCE
}

/// Heap per stream by allocation size class (plateau minus idle), the classes over 64 bytes
/// per stream: where the memory of an open stream goes.
fn heap_by_size(peak: &Sample, idle: &Sample, streams: usize) -> serde_json::Value {
    let classes = heap_counter::live_by_size();
    let mut out = serde_json::Map::new();
    for (b, (from, _)) in classes.iter().enumerate() {
        let per = (peak.by_size[b] - idle.by_size[b]) / streams.max(1) as i64;
        if per.abs() >= 64 {
            out.insert(format!(">={from}"), json!(per));
        }
    }
    serde_json::Value::Object(out)
}

fn pool(streams: usize) -> PoolOptions {
    // One connection per stream (the default limit, 512, would queue the rest).
    PoolOptions::default().max_connections(streams)
}

fn run_hyper(
    args: &Args,
    board: &Arc<Board>,
    params: Params,
    ready: impl FnOnce(),
) -> Result<(), BoxError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let config = ollama_hyper::ClientBuilder::default()
        .base_url(format!("http://127.0.0.1:{}", args.port))
        .into_config()?;
    let client = ollama_hyper::Client::with_transport_options(config, &pool(args.streams))?;
    let mut tasks = Vec::with_capacity(args.streams);
    ready();
    let start = start_ms(args.streams);
    rt.block_on(async {
        for i in 0..args.streams {
            // Bounded by the streams opening (or failing).
            while !may_open(board, i) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let (client, board) = (client.clone(), Arc::clone(board));
            tasks.push(tokio::spawn(async move {
                let result = async {
                    let mut stream = client
                        .chat_stream(chat_request(&params, start, i))
                        .await
                        .map_err(|e| e.to_string())?;
                    board.opened.fetch_add(1, Ordering::Relaxed);
                    let mut k = 0;
                    while let Some(event) = stream.next_event().await {
                        if on_event(&board, i, &mut k, event.map_err(|e| e.to_string())?)? {
                            return Ok(k);
                        }
                    }
                    Err("ended without Done".to_owned())
                }
                .await;
                board.on_end(result);
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    Ok(())
}

fn run_smol(
    args: &Args,
    board: &Arc<Board>,
    params: Params,
    ready: impl FnOnce(),
) -> Result<(), BoxError> {
    let config = ollama_smol::ClientBuilder::default()
        .base_url(format!("http://127.0.0.1:{}", args.port))
        .into_config()?;
    let client = ollama_smol::Client::with_transport_options(config, &pool(args.streams))?;
    let ex = async_executor::LocalExecutor::new();
    let mut tasks = Vec::with_capacity(args.streams);
    // The reactor starts on first use: start it before the idle sample.
    async_io::block_on(async_io::Timer::after(Duration::from_millis(1)));
    ready();
    let start = start_ms(args.streams);
    async_io::block_on(ex.run(async {
        for i in 0..args.streams {
            // Bounded by the streams opening (or failing).
            while !may_open(board, i) {
                async_io::Timer::after(Duration::from_millis(1)).await;
            }
            let (client, board) = (client.clone(), Arc::clone(board));
            tasks.push(ex.spawn(async move {
                let result = async {
                    let mut stream = client
                        .chat_stream(chat_request(&params, start, i))
                        .await
                        .map_err(|e| e.to_string())?;
                    board.opened.fetch_add(1, Ordering::Relaxed);
                    let mut k = 0;
                    while let Some(event) = stream.next_event().await {
                        if on_event(&board, i, &mut k, event.map_err(|e| e.to_string())?)? {
                            return Ok(k);
                        }
                    }
                    Err("ended without Done".to_owned())
                }
                .await;
                board.on_end(result);
            }));
        }
        for t in tasks {
            t.await;
        }
    }));
    Ok(())
}

fn run_blocking(
    args: &Args,
    board: &Arc<Board>,
    params: Params,
    ready: impl FnOnce(),
) -> Result<(), BoxError> {
    let config = ollama_blocking::Client::builder()
        .base_url(format!("http://127.0.0.1:{}", args.port))
        .into_config()?;
    let client = ollama_blocking::Client::with_pool_options(config, &pool(args.streams))?;
    let args_board = Arc::clone(board);
    let mut threads = Vec::with_capacity(args.streams);
    ready();
    let start = start_ms(args.streams);
    for i in 0..args.streams {
        // Bounded by the streams opening (or failing).
        while !may_open(board, i) {
            thread::sleep(Duration::from_millis(1));
        }
        let (client, board) = (client.clone(), Arc::clone(board));
        let spawned = thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let result = (|| {
                    let stream = client
                        .chat_stream(chat_request(&params, start, i))
                        .map_err(|e| e.to_string())?;
                    board.opened.fetch_add(1, Ordering::Relaxed);
                    let mut k = 0;
                    for event in stream {
                        if on_event(&board, i, &mut k, event.map_err(|e| e.to_string())?)? {
                            return Ok(k);
                        }
                    }
                    Err("ended without Done".to_owned())
                })();
                board.on_end(result);
            });
        match spawned {
            Ok(t) => threads.push(t),
            Err(e) => Arc::clone(&args_board).on_end(Err(format!("spawning a thread: {e}"))),
        }
    }
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}

#[cfg(feature = "ollama-rs")]
fn run_ollama_rs(
    args: &Args,
    board: &Arc<Board>,
    params: Params,
    ready: impl FnOnce(),
) -> Result<(), BoxError> {
    use futures_lite::StreamExt;
    use ollama_rs::Ollama;
    use ollama_rs::generation::chat::ChatMessage;
    use ollama_rs::generation::chat::request::ChatMessageRequest;

    // Its default: a multi-thread tokio runtime (both cores).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let ollama = Ollama::builder()
        .host("http://127.0.0.1")
        .port(args.port)
        .build();
    let mut tasks = Vec::with_capacity(args.streams);
    ready();
    let start = start_ms(args.streams);
    rt.block_on(async {
        for i in 0..args.streams {
            // Bounded by the streams opening (or failing).
            while !may_open(board, i) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let (ollama, board) = (ollama.clone(), Arc::clone(board));
            tasks.push(tokio::spawn(async move {
                let result = async {
                    let request = ChatMessageRequest::new(
                        MODEL.to_owned(),
                        vec![ChatMessage::user(prompt(&params, start, i))],
                    );
                    let mut stream = ollama
                        .send_chat_messages_stream(request)
                        .await
                        .map_err(|e| e.to_string())?;
                    board.opened.fetch_add(1, Ordering::Relaxed);
                    let mut k = 0;
                    while let Some(item) = stream.next().await {
                        let response = item.map_err(|()| "ollama-rs stream error".to_owned())?;
                        if response.done {
                            return Ok(k);
                        }
                        let content = &response.message.content;
                        if !content.is_empty() {
                            board.on_content(i, k, content)?;
                            k += 1;
                        }
                    }
                    Err("ended without done".to_owned())
                }
                .await;
                board.on_end(result);
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    Ok(())
}

#[cfg(not(feature = "ollama-rs"))]
fn run_ollama_rs(_: &Args, _: &Arc<Board>, _: Params, _: impl FnOnce()) -> Result<(), BoxError> {
    Err("built without the ollama-rs feature".into())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("scale_client: {e}");
            std::process::exit(2);
        }
    };
    let params = Params {
        chunks: args.chunks,
        interval_us: args.interval_us,
        stamp: true,
    };
    let board = Arc::new(Board::new(args.streams, args.chunks));
    let stop = Arc::new(AtomicBool::new(false));
    let bound = Duration::from_micros(args.chunks * args.interval_us) + Duration::from_secs(120);
    {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let started = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                if started.elapsed() > bound {
                    eprintln!("scale_client: still running after {bound:?}, giving up");
                    std::process::exit(3);
                }
                thread::sleep(Duration::from_millis(100));
            }
        });
    }
    // The sampler thread exists before the idle sample, so its stack is in both.
    let (idle_tx, idle_rx) = std::sync::mpsc::channel::<(Sample, u64, u64, Instant)>();
    let sampler = {
        let (board, stop) = (Arc::clone(&board), Arc::clone(&stop));
        thread::spawn(move || {
            let idle = idle_rx.recv().ok();
            (idle, plateau(&board, &stop))
        })
    };
    let (server_pid, clk_tck) = (args.server_pid, args.clk_tck);
    let ready = move || {
        let idle = sample();
        let cpu = e2e::cpu_time_us();
        let server = server_cpu_us(server_pid, clk_tck);
        let _ = idle_tx.send((idle, cpu, server, Instant::now()));
    };
    let run = match args.kind.as_str() {
        "hyper" => run_hyper(&args, &board, params, ready),
        "smol" => run_smol(&args, &board, params, ready),
        "blocking" => run_blocking(&args, &board, params, ready),
        "ollama-rs" => run_ollama_rs(&args, &board, params, ready),
        other => Err(format!("unknown kind {other}").into()),
    };
    let (cpu_end, server_end, end) = (
        e2e::cpu_time_us(),
        server_cpu_us(args.server_pid, args.clk_tck),
        Instant::now(),
    );
    stop.store(true, Ordering::Relaxed);
    let (idle, peak) = sampler.join().unwrap_or((None, None));
    if let Err(e) = run {
        println!(
            "{}",
            json!({"kind": args.kind, "streams": args.streams, "ok": false, "error": e.to_string()})
        );
        std::process::exit(1);
    }
    let Some((idle, cpu_start, server_start, start)) = idle else {
        println!(
            "{}",
            json!({"kind": args.kind, "ok": false, "error": "no idle sample"})
        );
        std::process::exit(1);
    };
    let mut lat: Vec<u32> = board
        .latency_us
        .iter()
        .map(|a| a.load(Ordering::Relaxed))
        .filter(|&v| v > 0)
        .collect();
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        f64::from(lat[((lat.len() - 1) as f64 * p).round() as usize]) / 1000.0
    };
    let n = peak.map_or(1, |(_, open)| open.max(1)) as f64;
    let peak = peak.map(|(p, _)| p);
    let chunks = lat.len() as u64;
    let expected = args.chunks * args.streams as u64;
    let complete = board.complete.load(Ordering::Relaxed);
    let per_stream = |a: f64, b: f64| (a - b) / n;
    let first_error = board
        .first_error
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let report = json!({
        "kind": args.kind,
        "streams": args.streams,
        "chunks_per_stream": args.chunks,
        "interval_us": args.interval_us,
        "ok": chunks == expected && complete == args.streams,
        "chunks": chunks,
        "expected_chunks": expected,
        "complete_streams": complete,
        "failed_streams": board.failed.load(Ordering::Relaxed),
        "first_error": first_error,
        "plateau_open_streams": n as u64,
        "idle_rss_kib": idle.rss_kib,
        "idle_heap_bytes": idle.heap_bytes,
        "rss_per_stream_bytes": peak.map_or(0.0, |p| per_stream(p.rss_kib as f64 * 1024.0, idle.rss_kib as f64 * 1024.0)),
        "heap_per_stream_bytes": peak.map_or(0.0, |p| per_stream(p.heap_bytes as f64, idle.heap_bytes as f64)),
        "tcp_mem_per_stream_bytes": peak.map_or(0.0, |p| per_stream(p.tcp_mem_pages as f64 * 4096.0, idle.tcp_mem_pages as f64 * 4096.0)),
        "heap_per_stream_by_size": peak.map(|p| heap_by_size(&p, &idle, n as usize)),
        "lat_p50_ms": pct(0.50),
        "lat_p99_ms": pct(0.99),
        "lat_max_ms": lat.last().map_or(0.0, |&v| f64::from(v) / 1000.0),
        "cpu_us": cpu_end - cpu_start,
        "cpu_us_per_chunk": (cpu_end - cpu_start) as f64 / chunks.max(1) as f64,
        "server_cpu_us": server_end - server_start,
        "server_cpu_us_per_chunk": (server_end - server_start) as f64 / chunks.max(1) as f64,
        "wall_ms": (end - start).as_millis() as u64,
        "allocations": heap_counter::allocations(),
    });
    println!("{report}");
}

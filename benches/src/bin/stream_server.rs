//! A loopback stand-in for Ollama's `/api/chat` streaming, for the end-to-end benchmark.
//!
//! ```text
//! stream_server [--chunks N] [--max-secs S] [--max-conns C] [--backlog B]
//! ```
//!
//! Binds `127.0.0.1:0`, prints the port on the first line of stdout, and answers every
//! `POST /api/chat` with a chunked NDJSON stream of [`Params::chunks`] chat lines (thinking,
//! then content, then the final `done` line with metrics), **one HTTP chunk per line, each
//! written with its own `write` as soon as it is made** (TCP_NODELAY), as Ollama flushes every
//! token. The request's user message may set `chunks=`, `interval_us=` (pause before each
//! line), `stamp=1` (content = send time in ns, for latency) and `start_ms=` (the wall-clock
//! time of the first line, for the scale bench); `--chunks` is the default.
//! Connections are kept alive.
//!
//! One thread (a current-thread tokio runtime) serves every connection: a thread per
//! connection made a thousand paced streams a thousand runnable threads every few
//! milliseconds, and the kernel's per-thread fairness then starved the client being measured
//! (p99 latencies of 50–180 ms that were the scheduler's, not the client's). The listen
//! backlog is 4,096 by default (`--backlog`; the kernel caps it at `net.core.somaxconn`), since
//! std's 128 drops the SYNs of a thousand simultaneous connects. An accept that fails (out of
//! descriptors) is reported once a second and retried after 10 ms, never in a busy loop.
//!
//! Bounded: at most `--max-conns` connections at once (default 2,000; more are closed at
//! once) and the process exits by itself after `--max-secs` (default 1,800).
#![allow(missing_docs)]

use std::cell::Cell;
use std::io::Write as _;
use std::net::TcpListener;
use std::rc::Rc;
use std::time::Duration;

use benches::e2e::{Lines, Params};
use benches::synth::LineGen;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::Instant;

struct Args {
    default: Params,
    max_secs: u64,
    max_conns: usize,
    backlog: i32,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        default: Params {
            chunks: 200_000,
            interval_us: 0,
            stamp: false,
        },
        max_secs: 1_800,
        max_conns: 2_000,
        backlog: 4096,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--chunks" => args.default.chunks = value()?,
            "--max-secs" => args.max_secs = value()?,
            "--max-conns" => args.max_conns = value()? as usize,
            "--backlog" => args.backlog = value()? as i32,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("stream_server: {e}");
            std::process::exit(2);
        }
    };
    let listener = listen(args.backlog).expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    println!("{port}");
    let _ = std::io::stdout().flush();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let local = tokio::task::LocalSet::new();
    let serving = local.run_until(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
        let open = Rc::new(Cell::new(0usize));
        let mut last_accept_error: Option<Instant> = None;
        // Bounded by --max-secs (the timeout below).
        loop {
            let conn = match listener.accept().await {
                Ok((conn, _)) => conn,
                // Out of descriptors (EMFILE/ENFILE) or another accept error: the connection
                // waits in the backlog; say so once a second, never spin, keep serving.
                Err(e) => {
                    accept_failed(&e, &mut last_accept_error);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            if open.get() >= args.max_conns {
                continue; // dropped: closed
            }
            open.set(open.get() + 1);
            let open = Rc::clone(&open);
            let default = args.default;
            tokio::task::spawn_local(async move {
                let _ = serve(conn, default).await;
                open.set(open.get() - 1);
            });
        }
    });
    let max = Duration::from_secs(args.max_secs);
    if rt
        .block_on(async { tokio::time::timeout(max, serving).await })
        .is_err()
    {
        eprintln!(
            "stream_server: --max-secs {} reached, exiting",
            args.max_secs
        );
    }
}

fn e2e_now() -> u64 {
    benches::e2e::unix_nanos()
}

/// Reports a failed accept on stderr, at most once a second, naming the limit for the
/// descriptor errors.
fn accept_failed(e: &std::io::Error, last: &mut Option<Instant>) {
    if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
        return;
    }
    *last = Some(Instant::now());
    let hint = match e.raw_os_error() {
        Some(libc::EMFILE) => ": out of file descriptors (raise RLIMIT_NOFILE, `ulimit -n`)",
        Some(libc::ENFILE) => ": the system's file table is full (raise fs.file-max)",
        _ => "",
    };
    eprintln!("stream_server: accept failed: {e}{hint}");
}

/// `127.0.0.1:0` with a backlog of 4,096, non-blocking for tokio.
fn listen(backlog: i32) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
    socket.listen(backlog)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// Requests on one keep-alive connection until the client closes it.
async fn serve(conn: TcpStream, default: Params) -> std::io::Result<()> {
    conn.set_nodelay(true)?;
    let mut conn = BufReader::with_capacity(8 * 1024, conn);
    let mut head = String::new();
    let mut body = Vec::new();
    let (mut line, mut chunk) = (Vec::with_capacity(512), Vec::with_capacity(512));
    // Bounded by the client: each round serves one request or returns.
    loop {
        // Request line and headers.
        head.clear();
        let mut content_length = 0usize;
        let mut close = false;
        let mut first = true;
        let mut target = String::new();
        loop {
            let before = head.len();
            if conn.read_line(&mut head).await? == 0 {
                return Ok(()); // closed between requests
            }
            let l = head[before..].trim_end();
            if l.is_empty() {
                break;
            }
            if head.len() > 64 * 1024 {
                return Ok(());
            }
            if first {
                target = l.split(' ').take(2).collect::<Vec<_>>().join(" ");
                first = false;
            } else if let Some((name, value)) = l.split_once(':') {
                let (name, value) = (name.trim(), value.trim());
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                }
            }
        }
        body.resize(content_length.min(1 << 20), 0);
        conn.read_exact(&mut body).await?;

        let out = conn.get_mut();
        if target != "POST /api/chat" {
            out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\
                  Content-Length: 21\r\n\r\n{\"error\":\"not found\"}",
            )
            .await?;
        } else {
            let params = Params::find(&body, default);
            let start = benches::e2e::find_start_ms(&body);
            stream(out, &params, start, &mut line, &mut chunk).await?;
        }
        if close {
            return Ok(());
        }
    }
}

/// One streamed response: each line framed as its own HTTP chunk and written at once.
async fn stream(
    out: &mut TcpStream,
    params: &Params,
    start_ms: Option<u64>,
    line: &mut Vec<u8>,
    chunk: &mut Vec<u8>,
) -> std::io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n\
          Transfer-Encoding: chunked\r\n\r\n",
    )
    .await?;
    let mut lines = Lines::new(params);
    let interval = Duration::from_micros(params.interval_us);
    let mut next = Instant::now();
    if let Some(ms) = start_ms {
        // The first line at `start_ms` (wall clock), the next ones paced from there.
        let wait = Duration::from_millis(ms).saturating_sub(Duration::from_nanos(e2e_now()));
        next = (next + wait).checked_sub(interval).unwrap_or(next);
    }
    // Bounded by `params.chunks` + 1 lines.
    loop {
        if !interval.is_zero() {
            next += interval;
            tokio::time::sleep_until(next).await;
        }
        line.clear();
        if !lines.write_line(line) {
            break;
        }
        chunk.clear();
        let _ = write!(chunk, "{:x}\r\n", line.len());
        chunk.extend_from_slice(line);
        chunk.extend_from_slice(b"\r\n");
        out.write_all(chunk).await?;
    }
    out.write_all(b"0\r\n\r\n").await
}

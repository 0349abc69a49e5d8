//! Writes one [`Reply`] to a socket, applying its faults write by write.

use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::body::Step;
use crate::faults::SizePlan;
use crate::http::{self, LAST_CHUNK};
use crate::reply::{Framing, Reply};

/// Granularity of every wait: how fast a disconnect or shutdown is noticed.
const WAIT_STEP: Duration = Duration::from_millis(10);

/// Body progress so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sent {
    pub(crate) bytes: u64,
    pub(crate) lines: u64,
}

/// How sending a reply ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Complete; the connection may be reused.
    Finished,
    /// The client went away (write failed or it closed) after this much.
    PeerGone(Sent),
    /// `abort_after_bytes`: close the socket now (FIN).
    Abort,
    /// `reset_after_bytes`: close the socket now with SO_LINGER 0 (RST).
    Reset,
    /// The server is shutting down.
    Shutdown,
}

/// Sends `reply`. `head_only` for HEAD requests; `close` adds `Connection: close`.
pub(crate) fn send(
    stream: &TcpStream,
    shutdown: &AtomicBool,
    reply: &Reply,
    head_only: bool,
    close: bool,
) -> Outcome {
    let mut out = Sender {
        stream,
        shutdown,
        sent: Sent::default(),
    };
    if let Some(delay) = reply.faults.delay_before_head {
        if let Err(outcome) = out.wait(delay) {
            return outcome;
        }
    }
    let faults = &reply.faults;
    let mut cursor = reply.body.cursor(faults);
    let has_body = !http::status_has_no_body(reply.status);
    let framing = match reply.framing {
        Some(framing) => framing,
        None if reply.body.is_stream() => Framing::Chunked,
        None => Framing::ContentLength,
    };

    let mut headers = Vec::new();
    if let Some(content_type) = &reply.content_type {
        headers.push(("Content-Type".to_owned(), content_type.clone()));
    }
    if has_body {
        match framing {
            Framing::Chunked => {
                headers.push(("Transfer-Encoding".to_owned(), "chunked".to_owned()));
            }
            Framing::ContentLength => {
                headers.push(("Content-Length".to_owned(), cursor.total_len().to_string()));
            }
        }
    }
    headers.extend(reply.headers.iter().cloned());
    if close {
        headers.push(("Connection".to_owned(), "close".to_owned()));
    }
    if let Err(outcome) = out.write(&http::head(reply.status, &headers)) {
        return outcome;
    }
    if head_only || !has_body {
        return Outcome::Finished;
    }

    let chunked = framing == Framing::Chunked;
    let mut sizes = SizePlan::new(faults.write_sizes);
    let mut stall = faults.stall_after_lines;
    let mut piece = Vec::new();
    // Each round sends at least one byte or ends: the cursor's bounded length bounds the loop.
    loop {
        if let Some((lines, how_long)) = stall {
            if out.sent.lines >= lines {
                stall = None;
                if let Err(outcome) = out.wait(how_long) {
                    return outcome;
                }
            }
        }
        let mut max_lines = if sizes.per_line() { 1 } else { usize::MAX };
        if let Some((lines, _)) = stall {
            let left = usize::try_from(lines - out.sent.lines).unwrap_or(usize::MAX);
            max_lines = max_lines.min(left);
        }
        piece.clear();
        let step = cursor.fill(&mut piece, sizes.next_size(), max_lines);

        if let Some(cut) = faults.cut {
            let room = cut.after_bytes.saturating_sub(out.sent.bytes);
            if room <= piece.len() as u64 {
                // Promise the whole piece, deliver only part of it, then cut.
                let part = &piece[..room as usize];
                let mut bytes = if chunked {
                    format!("{:x}\r\n", piece.len()).into_bytes()
                } else {
                    Vec::new()
                };
                bytes.extend_from_slice(part);
                if let Err(outcome) = out.write(&bytes) {
                    return outcome;
                }
                out.count(part);
                return if cut.reset {
                    Outcome::Reset
                } else {
                    Outcome::Abort
                };
            }
        }

        let last = matches!(step, Step::Done);
        if !piece.is_empty() || (last && chunked) {
            let mut framed = if !chunked {
                piece.clone()
            } else if piece.is_empty() {
                Vec::new()
            } else {
                http::chunk(&piece)
            };
            // The end of a chunked body goes out with its last piece, as one write (a server
            // that flushes them apart is covered by the faults).
            if last && chunked {
                framed.extend_from_slice(LAST_CHUNK);
            }
            if let Err(outcome) = out.write(&framed) {
                return outcome;
            }
            out.count(&piece);
        }
        let pause = match step {
            Step::Done => break,
            Step::More => faults.delay_between_writes,
            Step::Wait(interval) => {
                Some(interval.max(faults.delay_between_writes.unwrap_or_default()))
            }
        };
        if let Some(pause) = pause {
            if let Err(outcome) = out.wait(pause) {
                return outcome;
            }
        }
    }
    Outcome::Finished
}

struct Sender<'a> {
    stream: &'a TcpStream,
    shutdown: &'a AtomicBool,
    sent: Sent,
}

impl Sender<'_> {
    fn write(&self, bytes: &[u8]) -> Result<(), Outcome> {
        match http::write_all(self.stream, bytes, self.shutdown) {
            Ok(()) => Ok(()),
            Err(_) if self.shutdown.load(Ordering::Relaxed) => Err(Outcome::Shutdown),
            Err(_) => Err(Outcome::PeerGone(self.sent)),
        }
    }

    fn count(&mut self, body_bytes: &[u8]) {
        self.sent.bytes += body_bytes.len() as u64;
        self.sent.lines += body_bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    }

    /// Sleeps `how_long` in small steps, watching for the peer closing and for shutdown.
    fn wait(&self, how_long: Duration) -> Result<(), Outcome> {
        let end = Instant::now() + how_long;
        let mut probe = [0u8; 1];
        loop {
            if self.shutdown.load(Ordering::Relaxed) {
                return Err(Outcome::Shutdown);
            }
            let now = Instant::now();
            if now >= end {
                return Ok(());
            }
            let step = (end - now).min(WAIT_STEP);
            // The socket's read timeout is WAIT_STEP at most; peek sees EOF or a reset at once
            // and otherwise returns after the timeout (or at once if request bytes are pending).
            match self.stream.peek(&mut probe) {
                Ok(0) => return Err(Outcome::PeerGone(self.sent)),
                Ok(_) => thread::sleep(step),
                Err(err) if http::is_timeout(&err) => {}
                Err(_) => return Err(Outcome::PeerGone(self.sent)),
            }
        }
    }
}

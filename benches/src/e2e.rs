//! Shared by the end-to-end pair `src/bin/stream_server.rs` and `src/bin/e2e_client.rs`: the
//! request parameters, the lines the server writes, what a client must receive, and the
//! process measurements (CPU time of all threads, peak RSS).
//!
//! Parameters travel in the text of the user message (`"chunks=200000"`,
//! `"chunks=200 interval_us=20000 stamp=1"`), so every client sends them through its own
//! public API, unchanged.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::baseline::{self, Text};
use crate::synth::{ChatGen, LineGen};

/// The model name every request uses and the server echoes.
pub const MODEL: &str = "qwen3:8b";

/// What a request asks the server for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Token lines before the final `done` line.
    pub chunks: u64,
    /// Pause before each line (0: write as fast as the socket takes them).
    pub interval_us: u64,
    /// Token lines carry the server's send time (ns since the Unix epoch) as their content,
    /// instead of [`ChatGen`]'s realistic text.
    pub stamp: bool,
}

impl Params {
    /// The text of the user message that asks for these parameters.
    pub fn prompt(&self) -> String {
        format!(
            "chunks={} interval_us={} stamp={}",
            self.chunks,
            self.interval_us,
            u8::from(self.stamp)
        )
    }

    /// Parameters found anywhere in a request body (missing ones: `default`).
    pub fn find(body: &[u8], default: Self) -> Self {
        Self {
            chunks: find_number(body, b"chunks=").unwrap_or(default.chunks),
            interval_us: find_number(body, b"interval_us=").unwrap_or(default.interval_us),
            stamp: find_number(body, b"stamp=").map_or(default.stamp, |v| v != 0),
        }
    }
}

/// `start_ms=` in a request body: the wall-clock time (ms since the Unix epoch) at which the
/// server sends the first line, so that every stream of a scale run starts its paced lines
/// once all are open (each at its own phase, chosen by the client).
pub fn find_start_ms(body: &[u8]) -> Option<u64> {
    find_number(body, b"start_ms=")
}

fn find_number(haystack: &[u8], key: &[u8]) -> Option<u64> {
    let at = memchr::memmem::find(haystack, key)? + key.len();
    let digits = haystack[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    std::str::from_utf8(&haystack[at..at + digits])
        .ok()?
        .parse()
        .ok()
}

/// The lines of one response, one at a time.
#[derive(Debug)]
pub enum Lines {
    /// [`ChatGen`] with thinking: realistic text (~133-byte lines, some escapes, non-ASCII).
    Realistic(ChatGen),
    /// Content lines whose text is the send time in ns, then [`ChatGen`]'s final line.
    Stamped {
        /// Token lines left.
        left: u64,
        /// The final line.
        last: ChatGen,
    },
}

impl Lines {
    /// The lines `params` ask for.
    pub fn new(params: &Params) -> Self {
        if params.stamp {
            Self::Stamped {
                left: params.chunks,
                last: ChatGen::new(0, false),
            }
        } else {
            Self::Realistic(ChatGen::new(params.chunks, true))
        }
    }
}

impl LineGen for Lines {
    fn write_line(&mut self, out: &mut Vec<u8>) -> bool {
        match self {
            Self::Realistic(g) => g.write_line(out),
            Self::Stamped { left, last } => {
                if *left == 0 {
                    return last.write_line(out);
                }
                *left -= 1;
                let _ = writeln!(
                    out,
                    "{{\"model\":\"{MODEL}\",\"created_at\":\"2026-08-01T10:00:00.123456789Z\",\
                     \"message\":{{\"role\":\"assistant\",\"content\":\"{}\"}},\"done\":false}}",
                    unix_nanos()
                );
                true
            }
        }
    }
}

/// Nanoseconds since the Unix epoch: the one clock both processes read.
pub fn unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// What a client must have received from a [`Lines::Realistic`] response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected {
    /// Body bytes (NDJSON lines with their `\n`).
    pub body_bytes: u64,
    /// Lines with a non-empty `thinking` or `content` (each is one event).
    pub tokens: u64,
    /// Bytes of decoded `thinking` plus `content` text (escapes resolved).
    pub text_bytes: u64,
}

impl Expected {
    /// Regenerates the body of `chunks` realistic lines and counts it (with serde_json, so
    /// independently of the decoder under test). Run it after the measurement.
    pub fn realistic(chunks: u64) -> Self {
        let mut g = ChatGen::new(chunks, true);
        let mut line = Vec::new();
        let mut e = Self::default();
        loop {
            line.clear();
            if !g.write_line(&mut line) {
                return e;
            }
            e.body_bytes += line.len() as u64;
            let parsed: baseline::Line<'_> =
                serde_json::from_slice(&line).expect("generated lines are valid");
            let (tokens, text) = text_of(&parsed);
            e.tokens += tokens;
            e.text_bytes += text;
        }
    }
}

/// Token events (0 or 1 per non-final line) and decoded text bytes of one parsed line.
pub fn text_of(line: &baseline::Line<'_>) -> (u64, u64) {
    let Some(m) = &line.message else {
        return (0, 0);
    };
    let thinking = m.thinking.as_ref().map_or(0, Text::len) as u64;
    let content = m.content.as_ref().map_or(0, Text::len) as u64;
    (
        u64::from(thinking > 0) + u64::from(content > 0),
        thinking + content,
    )
}

/// User plus system CPU time of the whole process (every thread, live or exited), in µs.
pub fn cpu_time_us() -> u64 {
    let (user, sys) = cpu_times_us();
    user + sys
}

/// User and system CPU time of the whole process (every thread, live or exited), in µs.
pub fn cpu_times_us() -> (u64, u64) {
    rusage_us()
}

// Reviewed exception to the `unsafe_code` ban (see `alloc_counter`): one `getrusage` call on a
// zeroed, properly sized and aligned `rusage` that lives on this stack frame.
#[allow(unsafe_code)]
fn rusage_us() -> (u64, u64) {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is valid for writes of one `rusage`; RUSAGE_SELF is always valid.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage failed");
    // SAFETY: zero-initialised (all-zero is a valid `rusage`) and filled by the kernel.
    let usage = unsafe { usage.assume_init() };
    let us = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    (us(usage.ru_utime), us(usage.ru_stime))
}

/// Peak resident set size of this process (`VmHWM` in `/proc/self/status`), in KiB.
pub fn vm_hwm_kib() -> u64 {
    proc_status_kib("VmHWM")
}

/// A `kB` field of `/proc/self/status` (`VmHWM`, `RssAnon`, `RssFile`…), in KiB; 0 if absent.
pub fn proc_status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

//! Synthetic response bodies shaped like real Ollama traffic, generated in memory.
//!
//! Every generator writes one NDJSON line at a time into a caller's buffer ([`LineGen`]), so a
//! body can be built whole ([`body`]) or streamed in fixed-size pieces without ever holding it
//! ([`Pieces`], used by the allocation report to feed a million chunks in constant memory).
//! The output is deterministic: the same arguments give the same bytes.

use std::io::Write;

/// Writes one line at a time.
pub trait LineGen {
    /// Appends the next line (with its `\n`) to `out`; `false` when the stream is over.
    fn write_line(&mut self, out: &mut Vec<u8>) -> bool;
}

/// The whole body of a generator.
pub fn body<G: LineGen>(mut g: G) -> Vec<u8> {
    let mut out = Vec::new();
    while g.write_line(&mut out) {}
    out
}

/// Text pieces as a model's tokenizer emits them, already escaped the way Go's `encoding/json`
/// writes them (`<`, `>`, `&` as `\u003c`…, newlines as `\n`), with some non-ASCII.
const TOKENS: [&str; 48] = [
    " the",
    " model",
    " token",
    "ization",
    ",",
    " and",
    " a",
    " of",
    " to",
    " is",
    " that",
    " in",
    " we",
    " answer",
    " should",
    " consider",
    ".",
    ".\\n\\n",
    "\\n",
    " **",
    "Step",
    " 1",
    "**:",
    " 42",
    " x",
    " =",
    " 3",
    ".14",
    " \\\"",
    "quoted",
    "\\\"",
    " caf\u{e9}",
    " \u{2014}",
    " \\u003cb\\u003e",
    " \\u0026",
    " Let",
    " me",
    " think",
    " about",
    " this",
    " carefully",
    " because",
    " it",
    " matters",
    " \u{1f642}",
    " \u{4f60}\u{597d}",
    "```",
    "rust",
];

/// [`TOKENS`] without the escaped ones: a stream of plain text.
const PLAIN_TOKENS: [&str; 42] = [
    " the",
    " model",
    " token",
    "ization",
    ",",
    " and",
    " a",
    " of",
    " to",
    " is",
    " that",
    " in",
    " we",
    " answer",
    " should",
    " consider",
    ".",
    " **",
    "Step",
    " 1",
    "**:",
    " 42",
    " x",
    " =",
    " 3",
    ".14",
    "quoted",
    " caf\u{e9}",
    " \u{2014}",
    " Let",
    " me",
    " think",
    " about",
    " this",
    " carefully",
    " because",
    " it",
    " matters",
    " \u{1f642}",
    " \u{4f60}\u{597d}",
    "```",
    "rust",
];

/// A small deterministic pseudo-random sequence (64-bit LCG, high bits out).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// A sequence from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 32) as u32
    }

    /// A uniform value in `0.0..1.0`.
    pub fn next_f64(&mut self) -> f64 {
        f64::from(self.next_u32()) / 4_294_967_296.0
    }
}

/// An RFC 3339 timestamp with nanoseconds, as Ollama writes `created_at`.
fn write_timestamp(out: &mut Vec<u8>, nanos_since_start: u64) {
    let secs = nanos_since_start / 1_000_000_000;
    let nanos = nanos_since_start % 1_000_000_000 + 123_456_789;
    let (secs, nanos) = (secs + nanos / 1_000_000_000, nanos % 1_000_000_000);
    let (h, m, s) = (10 + secs / 3600 % 14, secs / 60 % 60, secs % 60);
    let _ = write!(out, "2026-08-01T{h:02}:{m:02}:{s:02}.{nanos:09}Z");
}

fn write_metrics(out: &mut Vec<u8>, eval_count: u64) {
    let _ = writeln!(
        out,
        ",\"total_duration\":{},\"load_duration\":48512334,\"prompt_eval_count\":26,\
         \"prompt_eval_duration\":91823000,\"eval_count\":{eval_count},\"eval_duration\":{}}}",
        5_123_456_789 + eval_count * 25_000_000,
        eval_count * 24_871_113,
    );
}

/// `/api/chat` streaming with `think: true`: a thinking phase (`message.thinking`, empty
/// `content`), then the answer (`message.content`), then the final `done: true` line with
/// metrics. Lines are ~130 bytes, like `{"model":"qwen3:8b","created_at":"…","message":
/// {"role":"assistant","content":" token"},"done":false}`.
#[derive(Debug, Clone)]
pub struct ChatGen {
    tokens: &'static [&'static str],
    chunks: u64,
    thinking_chunks: u64,
    i: u64,
    rng: Lcg,
}

impl ChatGen {
    /// `chunks` token lines (the first 30% thinking when `thinking`), plus the final line.
    /// One token in eight has a JSON escape (`\n`, `\"`, `\u003c`…), as in real streams.
    pub fn new(chunks: u64, thinking: bool) -> Self {
        Self {
            tokens: &TOKENS,
            chunks,
            thinking_chunks: if thinking { chunks * 3 / 10 } else { 0 },
            i: 0,
            rng: Lcg::new(1),
        }
    }
}

impl ChatGen {
    /// Like [`ChatGen::new`] with no escaped token: strings are plain UTF-8.
    pub fn plain(chunks: u64, thinking: bool) -> Self {
        Self {
            tokens: &PLAIN_TOKENS,
            ..Self::new(chunks, thinking)
        }
    }
}

impl LineGen for ChatGen {
    fn write_line(&mut self, out: &mut Vec<u8>) -> bool {
        if self.i > self.chunks {
            return false;
        }
        out.extend_from_slice(b"{\"model\":\"qwen3:8b\",\"created_at\":\"");
        write_timestamp(out, self.i * 25_130_417);
        out.extend_from_slice(b"\",\"message\":{\"role\":\"assistant\",\"content\":\"");
        if self.i == self.chunks {
            out.extend_from_slice(b"\"},\"done\":true,\"done_reason\":\"stop\"");
            write_metrics(out, self.chunks);
        } else {
            let token = self.tokens[self.rng.next_u32() as usize % self.tokens.len()].as_bytes();
            if self.i < self.thinking_chunks {
                out.extend_from_slice(b"\",\"thinking\":\"");
            }
            out.extend_from_slice(token);
            out.extend_from_slice(b"\"},\"done\":false}\n");
        }
        self.i += 1;
        true
    }
}

/// `/api/generate` streaming from a model that writes its reasoning inline: `response` carries
/// `\u003cthink\u003e`, the reasoning tokens, `\u003c/think\u003e`, then the answer; the final
/// line has metrics and the `context` token array (one id per token, capped at a 32k window).
#[derive(Debug, Clone)]
pub struct GenerateGen {
    chunks: u64,
    think_end: u64,
    i: u64,
    rng: Lcg,
}

impl GenerateGen {
    /// `chunks` token lines (30% of them reasoning), plus the final line.
    pub fn new(chunks: u64) -> Self {
        Self {
            chunks,
            think_end: (chunks * 3 / 10).max(1),
            i: 0,
            rng: Lcg::new(2),
        }
    }
}

impl LineGen for GenerateGen {
    fn write_line(&mut self, out: &mut Vec<u8>) -> bool {
        if self.i > self.chunks {
            return false;
        }
        out.extend_from_slice(b"{\"model\":\"deepseek-r1:8b\",\"created_at\":\"");
        write_timestamp(out, self.i * 31_002_777);
        out.extend_from_slice(b"\",\"response\":\"");
        if self.i == self.chunks {
            out.extend_from_slice(b"\",\"done\":true,\"done_reason\":\"stop\",\"context\":[");
            let n = (26 + self.chunks).min(32_768);
            for k in 0..n {
                if k > 0 {
                    out.push(b',');
                }
                let _ = write!(out, "{}", 100 + (k * 7_919) % 151_000);
            }
            out.push(b']');
            write_metrics(out, self.chunks);
        } else {
            let token: &[u8] = match self.i {
                0 => b"\\u003cthink\\u003e",
                i if i == self.think_end => b"\\u003c/think\\u003e\\n\\n",
                _ => TOKENS[self.rng.next_u32() as usize % TOKENS.len()].as_bytes(),
            };
            out.extend_from_slice(token);
            out.extend_from_slice(b"\",\"done\":false}\n");
        }
        self.i += 1;
        true
    }
}

/// `/api/pull` progress: `pulling manifest`, many `pulling <digest>` lines with growing
/// `completed` over three layers, then `verifying sha256 digest`, `writing manifest`, `success`.
#[derive(Debug, Clone)]
pub struct PullGen {
    lines: u64,
    i: u64,
}

impl PullGen {
    /// About `lines` lines in all.
    pub fn new(lines: u64) -> Self {
        Self {
            lines: lines.max(6),
            i: 0,
        }
    }
}

const LAYERS: [(&str, u64); 3] = [
    (
        "a3de86cd1c132c822487ededd47a324c50491393e6565cd14bafa40d0b8e686f",
        5_225_376_768,
    ),
    (
        "eb4402837c7829a690fa845de4d7f3fd842c2adee476d5341da8a46ea9255175",
        1_479,
    ),
    (
        "d18a5cc71b84bc4af394a31116bd3932b42241de70c77d2b76d69a314ec8aa12",
        487,
    ),
];

impl LineGen for PullGen {
    fn write_line(&mut self, out: &mut Vec<u8>) -> bool {
        let progress_lines = self.lines - 4;
        let i = self.i;
        self.i += 1;
        match i {
            0 => out.extend_from_slice(b"{\"status\":\"pulling manifest\"}\n"),
            i if i <= progress_lines => {
                let k = i - 1;
                // Nearly all lines report the big layer; the last two are the small ones.
                let big_lines = progress_lines - 2;
                let (layer, completed) = if k < big_lines {
                    (0, LAYERS[0].1 / big_lines * (k + 1))
                } else {
                    let layer = (k - big_lines + 1) as usize;
                    (layer, LAYERS[layer].1)
                };
                let (digest, total) = LAYERS[layer];
                let _ = writeln!(
                    out,
                    "{{\"status\":\"pulling {}\",\"digest\":\"sha256:{digest}\",\"total\":{total},\"completed\":{completed}}}",
                    &digest[..12],
                );
            }
            i if i == progress_lines + 1 => {
                out.extend_from_slice(b"{\"status\":\"verifying sha256 digest\"}\n");
            }
            i if i == progress_lines + 2 => {
                out.extend_from_slice(b"{\"status\":\"writing manifest\"}\n");
            }
            i if i == progress_lines + 3 => out.extend_from_slice(b"{\"status\":\"success\"}\n"),
            _ => return false,
        }
        true
    }
}

/// The first `lines` lines of another generator (e.g. a stream without its terminal line).
#[derive(Debug, Clone)]
pub struct Take<G> {
    source: G,
    left: u64,
}

impl<G> Take<G> {
    /// At most `lines` lines of `inner`.
    pub fn new(inner: G, lines: u64) -> Self {
        Self {
            source: inner,
            left: lines,
        }
    }
}

impl<G: LineGen> LineGen for Take<G> {
    fn write_line(&mut self, out: &mut Vec<u8>) -> bool {
        if self.left == 0 {
            return false;
        }
        self.left -= 1;
        self.source.write_line(out)
    }
}

/// Hands out a generated body in pieces of a fixed size, holding at most one piece plus one
/// line: a million-line stream is fed without being built.
#[derive(Debug)]
pub struct Pieces<G> {
    source: G,
    buf: Vec<u8>,
    piece: usize,
    /// Bytes of `buf` already handed out.
    taken: usize,
    exhausted: bool,
}

impl<G: LineGen> Pieces<G> {
    /// Pieces of `piece` bytes (the last one may be shorter).
    pub fn new(source: G, piece: usize) -> Self {
        let piece = piece.max(1);
        Self {
            source,
            // Room for a piece and one more line, so writing never reallocates after this.
            buf: Vec::with_capacity(piece + 64 * 1024),
            piece,
            taken: 0,
            exhausted: false,
        }
    }

    /// The next piece, or `None` at the end of the body.
    pub fn next_piece(&mut self) -> Option<&[u8]> {
        let rest = self.buf.len() - self.taken;
        self.buf.copy_within(self.taken.., 0);
        self.buf.truncate(rest);
        self.taken = 0;
        while !self.exhausted && self.buf.len() < self.piece {
            self.exhausted = !self.source.write_line(&mut self.buf);
        }
        if self.buf.is_empty() {
            return None;
        }
        self.taken = self.piece.min(self.buf.len());
        Some(&self.buf[..self.taken])
    }
}

/// A `/api/embed` body with `rows` vectors of `dims` floats, written the way the server writes
/// float32 values (shortest round-trip decimal, like Go's `strconv.FormatFloat(f, 'g', -1, 32)`,
/// which is what `serde_json` does for `f32` too). Values look like normalised embeddings.
pub fn embed_body(rows: usize, dims: usize) -> Vec<u8> {
    let mut rng = Lcg::new(3);
    let embeddings: Vec<Vec<f32>> = (0..rows)
        .map(|_| {
            (0..dims)
                .map(|_| {
                    // Roughly normal around 0 with sd ~0.04, some tiny magnitudes.
                    let u: f64 = (0..4).map(|_| rng.next_f64()).sum::<f64>() - 2.0;
                    let scale = if rng.next_u32() % 16 == 0 { 1e-3 } else { 0.07 };
                    (u * scale) as f32
                })
                .collect()
        })
        .collect();
    // A typed struct, not `json!`: `Value` would widen the f32s to f64 and print 17 digits.
    #[derive(serde::Serialize)]
    struct Body {
        model: &'static str,
        embeddings: Vec<Vec<f32>>,
        total_duration: u64,
        load_duration: u64,
        prompt_eval_count: usize,
    }
    let value = Body {
        model: "mxbai-embed-large",
        embeddings,
        total_duration: 14_143_917,
        load_duration: 1_019_500,
        prompt_eval_count: 8 * rows,
    };
    serde_json::to_vec(&value).unwrap_or_default()
}

/// Number of non-blank lines of `body`.
pub fn count_lines(body: &[u8]) -> u64 {
    body.split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_rebuild_the_body() {
        let whole = body(ChatGen::new(500, true));
        for size in [1, 7, 8192] {
            let mut p = Pieces::new(ChatGen::new(500, true), size);
            let mut joined = Vec::new();
            while let Some(piece) = p.next_piece() {
                assert!(piece.len() <= size);
                joined.extend_from_slice(piece);
            }
            assert_eq!(joined, whole);
        }
    }

    #[test]
    fn lines_are_json_and_realistic() {
        for body in [
            body(ChatGen::new(1000, true)),
            body(GenerateGen::new(1000)),
            body(PullGen::new(1000)),
        ] {
            let mut n = 0;
            for line in body.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let _: serde_json::Value = serde_json::from_slice(line).expect("valid JSON");
                n += 1;
            }
            assert!(n >= 1000);
        }
        let chat = body(ChatGen::new(10_000, true));
        let avg = chat.len() as f64 / 10_001.0;
        assert!((125.0..140.0).contains(&avg), "average chat line {avg}");
    }
}

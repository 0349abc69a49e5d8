//! The reference the decoder is measured against: what a straightforward client would write.
//!
//! `memchr` finds the lines, `serde_json::from_slice` parses each into a struct that borrows
//! every string it can ([`Line`]); for chunked input a plain growable buffer collects partial
//! lines and remembers how far it searched ([`LineBuffer`]). [`validate_lines`] is the upper
//! reference: serde_json checking the syntax of every line and building nothing
//! (`IgnoredAny`).

use std::borrow::Cow;

use memchr::memchr_iter;
use ollama_proto::types::ToolCall;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// One line of any streaming endpoint, borrowing from the input where serde_json can.
#[derive(Debug, Deserialize)]
pub struct Line<'a> {
    /// `model`.
    #[serde(borrow, default)]
    pub model: Option<Text<'a>>,
    /// `created_at`.
    #[serde(borrow, default)]
    pub created_at: Option<Text<'a>>,
    /// Chat: `message`.
    #[serde(borrow, default)]
    pub message: Option<Msg<'a>>,
    /// Generate: `response`.
    #[serde(borrow, default)]
    pub response: Option<Text<'a>>,
    /// Generate: `thinking`.
    #[serde(borrow, default)]
    pub thinking: Option<Text<'a>>,
    /// `done`.
    #[serde(default)]
    pub done: bool,
    /// `done_reason`.
    #[serde(borrow, default)]
    pub done_reason: Option<Text<'a>>,
    /// Metrics (nanoseconds and counts).
    #[serde(default)]
    pub total_duration: Option<u64>,
    /// See `total_duration`.
    #[serde(default)]
    pub load_duration: Option<u64>,
    /// See `total_duration`.
    #[serde(default)]
    pub prompt_eval_count: Option<u64>,
    /// See `total_duration`.
    #[serde(default)]
    pub prompt_eval_duration: Option<u64>,
    /// See `total_duration`.
    #[serde(default)]
    pub eval_count: Option<u64>,
    /// See `total_duration`.
    #[serde(default)]
    pub eval_duration: Option<u64>,
    /// Generate: `context`.
    #[serde(default)]
    pub context: Option<Vec<i64>>,
    /// Generate: `tool_calls`.
    #[serde(default)]
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Progress: `status`.
    #[serde(borrow, default)]
    pub status: Option<Text<'a>>,
    /// Progress: `digest`.
    #[serde(borrow, default)]
    pub digest: Option<Text<'a>>,
    /// Progress: `total`.
    #[serde(default)]
    pub total: Option<u64>,
    /// Progress: `completed`.
    #[serde(default)]
    pub completed: Option<u64>,
    /// A mid-stream error.
    #[serde(borrow, default)]
    pub error: Option<Text<'a>>,
}

/// A string that borrows from the input unless it has escapes.
///
/// `Option<Cow<'a, str>>` with `#[serde(borrow)]` would *always* allocate: serde's derive only
/// borrows a `Cow` that is the field's type itself, so the `Cow` goes in a newtype.
#[derive(Debug, Deserialize)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Text<'_> {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` for an empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `message` of a chat line.
#[derive(Debug, Deserialize)]
pub struct Msg<'a> {
    /// `role`.
    #[serde(borrow, default)]
    pub role: Option<Text<'a>>,
    /// `content`.
    #[serde(borrow, default)]
    pub content: Option<Text<'a>>,
    /// `thinking`.
    #[serde(borrow, default)]
    pub thinking: Option<Text<'a>>,
    /// `tool_calls`.
    #[serde(default)]
    pub tool_calls: Option<Vec<ToolCall>>,
}

/// What a consumer of [`Line`]s touches: text lengths and a count (so nothing is optimised
/// away and both sides of a comparison do comparable work).
pub fn consume(line: &Line<'_>) -> u64 {
    let mut n = 1;
    if let Some(m) = &line.message {
        n += m.content.as_ref().map_or(0, Text::len) as u64;
        n += m.thinking.as_ref().map_or(0, Text::len) as u64;
    }
    n += line.response.as_ref().map_or(0, Text::len) as u64;
    n += line.thinking.as_ref().map_or(0, Text::len) as u64;
    n += line.status.as_ref().map_or(0, Text::len) as u64;
    n + u64::from(line.done)
}

/// Parses one line into [`Line`] and consumes it; panics on invalid input (benchmarks only
/// feed valid bodies).
pub fn parse_line(line: &[u8]) -> u64 {
    let parsed: Line<'_> = serde_json::from_slice(line).expect("baseline: valid line");
    consume(&parsed)
}

/// Checks the JSON syntax of one line and builds nothing.
pub fn validate_line(line: &[u8]) -> u64 {
    let _: IgnoredAny = serde_json::from_slice(line).expect("baseline: valid JSON");
    1
}

/// Runs `per_line` on every non-blank line of a whole body.
pub fn for_each_line(body: &[u8], mut per_line: impl FnMut(&[u8]) -> u64) -> u64 {
    let mut start = 0;
    let mut n = 0;
    for nl in memchr_iter(b'\n', body) {
        let line = &body[start..nl];
        start = nl + 1;
        if !is_blank(line) {
            n += per_line(line);
        }
    }
    if !is_blank(&body[start..]) {
        n += per_line(&body[start..]);
    }
    n
}

/// Whole body parsed into [`Line`]s.
pub fn parse_lines(body: &[u8]) -> u64 {
    for_each_line(body, parse_line)
}

/// Whole body validated only.
pub fn validate_lines(body: &[u8]) -> u64 {
    for_each_line(body, validate_line)
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// The usual line buffer for chunked input: append, split off complete lines, keep the rest.
/// It remembers how far it searched, so tiny feeds stay linear.
#[derive(Debug, Default)]
pub struct LineBuffer {
    buf: Vec<u8>,
    searched: usize,
}

impl LineBuffer {
    /// Appends `data` and runs `per_line` on each line it completes.
    pub fn feed(&mut self, data: &[u8], per_line: &mut impl FnMut(&[u8]) -> u64) -> u64 {
        self.buf.extend_from_slice(data);
        let mut start = 0;
        let mut n = 0;
        for nl in memchr_iter(b'\n', &self.buf[self.searched..]) {
            let nl = self.searched + nl;
            let line = &self.buf[start..nl];
            if !is_blank(line) {
                n += per_line(line);
            }
            start = nl + 1;
        }
        if start > 0 {
            self.buf.drain(..start);
        }
        self.searched = self.buf.len();
        n
    }

    /// End of body: the last line without a newline.
    pub fn finish(&mut self, per_line: &mut impl FnMut(&[u8]) -> u64) -> u64 {
        let n = if is_blank(&self.buf) {
            0
        } else {
            per_line(&self.buf)
        };
        self.buf.clear();
        self.searched = 0;
        n
    }
}

/// `body` fed in `piece`-byte pieces through a [`LineBuffer`], each line through `per_line`.
pub fn chunked(body: &[u8], piece: usize, mut per_line: impl FnMut(&[u8]) -> u64) -> u64 {
    let mut lines = LineBuffer::default();
    let mut n = 0;
    for p in body.chunks(piece.max(1)) {
        n += lines.feed(p, &mut per_line);
    }
    n + lines.finish(&mut per_line)
}

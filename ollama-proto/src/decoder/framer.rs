//! `LineFramer`: splits a byte stream fed in any chunking into newline-terminated lines.
//!
//! Every byte is copied once into the buffer and searched at most twice: once backwards when it
//! arrives (to find where the complete lines end, so an over-long partial line is caught while
//! buffering) and once forwards when its line is taken. A trickle of 1-byte feeds is linear.

use memchr::{memchr, memrchr};

use crate::error::{Error, Position};

/// One line handed out by [`LineFramer::next_line`]: a range into the framer's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineSpan {
    /// Buffer range of the line, without `\n` and without a trailing `\r`.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Where the line starts in the body.
    pub(crate) at: Position,
    /// `false` for a last line that ended with the body rather than with `\n`.
    pub(crate) terminated: bool,
}

/// Splits bytes into lines with a bounded buffer.
#[derive(Debug)]
pub(crate) struct LineFramer {
    buf: Vec<u8>,
    /// Start of the first line not yet handed out.
    start: usize,
    /// End of the last complete line in `buf` (just past its `\n`); `<= start` when none.
    complete_end: usize,
    /// Body offset of `buf[0]`.
    base_offset: u64,
    /// Lines handed out or skipped so far (for 1-based line numbers).
    lines: u64,
    max_line_len: usize,
    /// Set once a partial line exceeds the limit; reported after the complete lines before it.
    overflow: Option<Position>,
    finished: bool,
    /// `finish` has handed out the final unterminated line.
    tail_taken: bool,
}

impl LineFramer {
    pub(crate) fn new(max_line_len: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            complete_end: 0,
            base_offset: 0,
            lines: 0,
            max_line_len,
            overflow: None,
            finished: false,
            tail_taken: false,
        }
    }

    /// Appends bytes. At most `max_line_len` bytes of an unfinished line are kept: whatever
    /// is fed, the buffer holds at most the limit plus one fed chunk.
    #[inline]
    pub(crate) fn feed(&mut self, data: &[u8]) {
        if self.overflow.is_some() || data.is_empty() {
            return;
        }
        self.compact();
        let old_len = self.buf.len();
        // A trickle of tiny pieces (an SSE-like proxy, a slow link) costs per call, not per
        // byte: no library calls for them.
        if let [byte] = data {
            self.buf.push(*byte);
        } else {
            self.buf.extend_from_slice(data);
        }
        if let Some(i) = last_newline(data) {
            self.complete_end = old_len + i + 1;
        }
        let partial_start = self.complete_end.max(self.start);
        if self.buf.len() - partial_start > self.max_line_len {
            self.buf.truncate(partial_start + self.max_line_len);
            self.overflow = Some(self.position_of_partial(partial_start));
        }
    }

    /// Marks the end of the body: a last line without a newline becomes available.
    pub(crate) fn finish(&mut self) {
        self.finished = true;
    }

    /// Bytes received so far.
    pub(crate) fn bytes_seen(&self) -> u64 {
        self.base_offset + self.buf.len() as u64
    }

    /// Lines completed so far (including blank ones).
    pub(crate) fn lines_seen(&self) -> u64 {
        self.lines
    }

    /// The buffer that [`LineSpan`]s index into.
    pub(crate) fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// `true` when [`next_line`](Self::next_line) may return something: a complete line, an
    /// over-long-line error, or the unterminated last line after `finish`.
    #[inline]
    pub(crate) fn has_work(&self) -> bool {
        self.start < self.complete_end
            || self.overflow.is_some()
            || (self.finished && !self.tail_taken)
    }

    /// The next complete non-blank line, an over-long-line error, or `None` when more input
    /// (or `finish`) is needed.
    pub(crate) fn next_line(&mut self) -> Option<Result<LineSpan, Error>> {
        loop {
            if self.start < self.complete_end {
                let rel = memchr(b'\n', &self.buf[self.start..self.complete_end]);
                // `complete_end` is just past a newline, so the search always succeeds.
                let nl = self.start + rel.unwrap_or(self.complete_end - self.start - 1);
                let span = self.span(self.start, nl);
                self.start = nl + 1;
                self.lines += 1;
                if span.end - span.start > self.max_line_len {
                    self.overflow = Some(span.at);
                    return Some(Err(self.overflow_error(span.at)));
                }
                if is_blank(&self.buf[span.start..span.end]) {
                    continue;
                }
                return Some(Ok(span));
            }
            if let Some(at) = self.overflow {
                return Some(Err(self.overflow_error(at)));
            }
            if self.finished && !self.tail_taken {
                self.tail_taken = true;
                if self.start < self.buf.len() {
                    let mut span = self.span(self.start, self.buf.len());
                    span.terminated = false;
                    self.start = self.buf.len();
                    self.lines += 1;
                    if !is_blank(&self.buf[span.start..span.end]) {
                        return Some(Ok(span));
                    }
                }
            }
            return None;
        }
    }

    /// Where the next unread byte is (for errors about data that follows).
    pub(crate) fn position(&self) -> Position {
        Position {
            line: self.lines + 1,
            offset: self.base_offset + self.start as u64,
        }
    }

    fn span(&self, start: usize, mut end: usize) -> LineSpan {
        let at = Position {
            line: self.lines + 1,
            offset: self.base_offset + start as u64,
        };
        if end > start && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        LineSpan {
            start,
            end,
            at,
            terminated: true,
        }
    }

    fn position_of_partial(&self, partial_start: usize) -> Position {
        let complete_lines = self.buf[self.start..partial_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        Position {
            line: self.lines + complete_lines + 1,
            offset: self.base_offset + partial_start as u64,
        }
    }

    fn overflow_error(&self, at: Position) -> Error {
        Error::LineTooLong {
            at,
            limit: self.max_line_len,
        }
    }

    /// Drops handed-out bytes so the buffer holds only what is still needed.
    #[inline]
    fn compact(&mut self) {
        if self.start != 0 {
            self.shift_out_taken();
        }
    }

    fn shift_out_taken(&mut self) {
        self.base_offset += self.start as u64;
        if self.start == self.buf.len() {
            self.buf.clear();
        } else {
            self.buf.drain(..self.start);
        }
        self.complete_end = self.complete_end.saturating_sub(self.start);
        self.start = 0;
    }
}

/// Index of the last `\n` in `data`: a plain loop for short pieces, where `memrchr`'s setup
/// costs more than the search.
#[inline]
fn last_newline(data: &[u8]) -> Option<usize> {
    if data.len() < 16 {
        data.iter().rposition(|&b| b == b'\n')
    } else {
        memrchr(b'\n', data)
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(
        input: &[u8],
        chunk: usize,
        limit: usize,
    ) -> Vec<Result<(String, u64, u64), Error>> {
        let mut f = LineFramer::new(limit);
        let mut out = Vec::new();
        let drain = |f: &mut LineFramer, out: &mut Vec<_>| {
            while let Some(r) = f.next_line() {
                let failed = r.is_err();
                out.push(r.map(|s| {
                    let text = String::from_utf8_lossy(&f.buffer()[s.start..s.end]).into_owned();
                    (text, s.at.line, s.at.offset)
                }));
                if failed {
                    return true;
                }
            }
            false
        };
        for piece in input.chunks(chunk.max(1)) {
            f.feed(piece);
            if drain(&mut f, &mut out) {
                return out;
            }
        }
        f.finish();
        drain(&mut f, &mut out);
        out
    }

    fn ok(text: &str, line: u64, offset: u64) -> Result<(String, u64, u64), Error> {
        Ok((text.to_owned(), line, offset))
    }

    #[test]
    fn table() {
        type Case<'a> = (&'a [u8], Vec<Result<(String, u64, u64), Error>>);
        let cases: Vec<Case<'_>> = vec![
            (b"a\nb\n", vec![ok("a", 1, 0), ok("b", 2, 2)]),
            (b"a\r\nb", vec![ok("a", 1, 0), ok("b", 2, 3)]),
            (b"\n\n  \na\n\r\n", vec![ok("a", 4, 5)]),
            (b"{\"x\":1}", vec![ok("{\"x\":1}", 1, 0)]),
            (b"", vec![]),
            (b"   ", vec![]),
        ];
        for (input, want) in cases {
            for chunk in [1, 2, 3, 7, 64, 4096] {
                assert_eq!(lines_of(input, chunk, 100), want, "{input:?} chunk {chunk}");
            }
        }
    }

    #[test]
    fn over_long_line_is_caught_while_buffering() {
        let mut f = LineFramer::new(8);
        f.feed(b"ok\n0123");
        f.feed(b"45678");
        // Nothing past the limit is stored.
        assert!(f.buffer().len() <= 3 + 8);
        assert!(matches!(f.next_line(), Some(Ok(_))));
        let err = f.next_line().unwrap().unwrap_err();
        assert_eq!(
            err,
            Error::LineTooLong {
                at: Position { line: 2, offset: 3 },
                limit: 8
            }
        );
    }

    #[test]
    fn over_long_line_in_one_chunk_with_newline() {
        for chunk in [1, 3, 100] {
            let out = lines_of(b"a\n0123456789\nb\n", chunk, 8);
            assert_eq!(out[0], ok("a", 1, 0), "chunk {chunk}");
            assert_eq!(
                out[1],
                Err(Error::LineTooLong {
                    at: Position { line: 2, offset: 2 },
                    limit: 8
                }),
                "chunk {chunk}"
            );
            assert_eq!(out.len(), 2);
        }
    }

    #[test]
    fn exactly_the_limit_is_fine() {
        assert_eq!(lines_of(b"12345678\n", 1, 8), vec![ok("12345678", 1, 0)]);
        assert_eq!(lines_of(b"12345678", 3, 8), vec![ok("12345678", 1, 0)]);
    }

    #[test]
    fn buffer_stays_small_for_a_long_stream() {
        let mut f = LineFramer::new(64);
        for _ in 0..10_000 {
            f.feed(b"{\"a\":1}\n{\"b\"");
            while let Some(r) = f.next_line() {
                r.unwrap();
            }
            f.feed(b":2}\n");
            while let Some(r) = f.next_line() {
                r.unwrap();
            }
            assert!(f.buffer().len() < 64);
        }
        assert_eq!(f.lines_seen(), 20_000);
        assert_eq!(f.bytes_seen(), 10_000 * 16);
    }
}

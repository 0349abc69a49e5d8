//! Reply bodies and the cursor that hands them out piece by piece, including the generated
//! (bounded) endless ones.

use std::time::Duration;

use crate::faults::{Faults, error_line};

/// Most lines an [`endless_stream`](crate::Reply::endless_stream) writes before ending cleanly.
///
/// ```
/// assert_eq!(ollama_standin::ENDLESS_STREAM_MAX_LINES, 10_000);
/// ```
pub const ENDLESS_STREAM_MAX_LINES: usize = 10_000;

/// Start of the line [`endless_line`](crate::Reply::endless_line) writes; `a`s follow forever.
const ENDLESS_LINE_PREFIX: &[u8] = br#"{"model":"standin","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""#;

/// Biggest piece the cursor produces at once, so generated bodies never sit in memory whole.
const MAX_PIECE: usize = 64 * 1024;

/// What a reply sends after its head.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    /// One JSON (or other) body; Content-Length framing by default.
    Single(Vec<u8>),
    /// NDJSON lines; chunked framing, one chunk per line, by default.
    Lines(Vec<u8>),
    /// One line that never ends, stopped after `max_bytes`.
    EndlessLine { max_bytes: usize },
    /// The same line every `interval`, at most `max_lines` times.
    EndlessStream {
        line: Vec<u8>,
        interval: Duration,
        max_lines: usize,
    },
}

impl Body {
    pub(crate) fn is_stream(&self) -> bool {
        !matches!(self, Self::Single(_))
    }

    /// A cursor over this body with the line-shaping faults applied.
    pub(crate) fn cursor(&self, faults: &Faults) -> Cursor {
        match self {
            Self::Single(bytes) | Self::Lines(bytes) => Cursor::Bytes {
                data: faults.shape_body(bytes),
                pos: 0,
            },
            Self::EndlessLine { max_bytes } => Cursor::EndlessLine {
                pos: 0,
                max_bytes: *max_bytes,
            },
            Self::EndlessStream {
                line,
                interval,
                max_lines,
            } => {
                let mut lines = (*max_lines).min(ENDLESS_STREAM_MAX_LINES);
                if let Some(close) = faults.close_after_lines {
                    lines = lines.min(close);
                }
                let mut tail = Vec::new();
                if let Some((after, message)) = &faults.error_line_after {
                    if *after <= lines {
                        lines = *after;
                        tail = error_line(message);
                    }
                }
                Cursor::EndlessStream {
                    line: line.clone(),
                    interval: *interval,
                    lines_left: lines,
                    pos_in_line: 0,
                    tail,
                    tail_pos: 0,
                }
            }
        }
    }
}

/// What to do after a piece.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// More to send right away.
    More,
    /// More to send after this pause.
    Wait(Duration),
    /// The body is complete.
    Done,
}

/// Position in a body being sent.
#[derive(Debug)]
pub(crate) enum Cursor {
    Bytes {
        data: Vec<u8>,
        pos: usize,
    },
    EndlessLine {
        pos: usize,
        max_bytes: usize,
    },
    EndlessStream {
        line: Vec<u8>,
        interval: Duration,
        lines_left: usize,
        pos_in_line: usize,
        tail: Vec<u8>,
        tail_pos: usize,
    },
}

impl Cursor {
    /// Total body length, for Content-Length framing.
    pub(crate) fn total_len(&self) -> u64 {
        match self {
            Self::Bytes { data, .. } => data.len() as u64,
            Self::EndlessLine { max_bytes, .. } => *max_bytes as u64,
            Self::EndlessStream {
                line,
                lines_left,
                tail,
                ..
            } => (line.len() * *lines_left + tail.len()) as u64,
        }
    }

    /// Appends up to `max` bytes to `out`, stopping after `max_lines` complete lines (at least
    /// one byte unless the body is done), and says what comes next.
    pub(crate) fn fill(&mut self, out: &mut Vec<u8>, max: usize, max_lines: usize) -> Step {
        let max = max.clamp(1, MAX_PIECE);
        match self {
            Self::Bytes { data, pos } => {
                let rest = &data[*pos..];
                let mut take = rest.len().min(max);
                if let Some(end) = nth_line_end(&rest[..take], max_lines) {
                    take = end;
                }
                out.extend_from_slice(&rest[..take]);
                *pos += take;
                if *pos == data.len() {
                    Step::Done
                } else {
                    Step::More
                }
            }
            Self::EndlessLine { pos, max_bytes } => {
                let take = (*max_bytes - *pos).min(max);
                for i in *pos..*pos + take {
                    out.push(ENDLESS_LINE_PREFIX.get(i).copied().unwrap_or(b'a'));
                }
                *pos += take;
                if *pos == *max_bytes {
                    Step::Done
                } else {
                    Step::More
                }
            }
            Self::EndlessStream {
                line,
                interval,
                lines_left,
                pos_in_line,
                tail,
                tail_pos,
            } => {
                if *lines_left == 0 {
                    let take = (tail.len() - *tail_pos).min(max);
                    out.extend_from_slice(&tail[*tail_pos..*tail_pos + take]);
                    *tail_pos += take;
                    return if *tail_pos == tail.len() {
                        Step::Done
                    } else {
                        Step::More
                    };
                }
                // Never more than the current line: the pause comes after each one.
                let take = (line.len() - *pos_in_line).min(max);
                out.extend_from_slice(&line[*pos_in_line..*pos_in_line + take]);
                *pos_in_line += take;
                if *pos_in_line < line.len() {
                    return Step::More;
                }
                *pos_in_line = 0;
                *lines_left -= 1;
                if *lines_left == 0 && tail.is_empty() {
                    Step::Done
                } else if *lines_left == 0 {
                    Step::More
                } else {
                    Step::Wait(*interval)
                }
            }
        }
    }
}

/// Offset just past the `n`th `\n` in `bytes`, if there are that many.
fn nth_line_end(bytes: &[u8], n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(n - 1)
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::{Body, Cursor, Step};
    use crate::faults::Faults;
    use std::time::Duration;

    fn drain(cursor: &mut Cursor, max: usize, max_lines: usize) -> Vec<Vec<u8>> {
        let mut pieces = Vec::new();
        for _ in 0..10_000 {
            let mut piece = Vec::new();
            let step = cursor.fill(&mut piece, max, max_lines);
            pieces.push(piece);
            if step == Step::Done {
                return pieces;
            }
        }
        panic!("cursor did not finish");
    }

    #[test]
    fn bytes_cut_per_line_and_by_size() {
        let body = Body::Lines(b"ab\ncd\nef".to_vec());
        let per_line = drain(&mut body.cursor(&Faults::default()), usize::MAX, 1);
        assert_eq!(per_line, [&b"ab\n"[..], b"cd\n", b"ef"]);
        let sized = drain(&mut body.cursor(&Faults::default()), 4, usize::MAX);
        assert_eq!(sized, [&b"ab\nc"[..], b"d\nef"]);
    }

    #[test]
    fn endless_line_is_bounded() {
        let mut cursor = Body::EndlessLine { max_bytes: 200 }.cursor(&Faults::default());
        assert_eq!(cursor.total_len(), 200);
        let all: Vec<u8> = drain(&mut cursor, 7, 1).concat();
        assert_eq!(all.len(), 200);
        assert!(all.starts_with(b"{\"model\""));
        assert!(!all.contains(&b'\n'));
    }

    #[test]
    fn endless_stream_ends_with_error_line() {
        let faults = Faults {
            error_line_after: Some((2, "x".into())),
            ..Faults::default()
        };
        let body = Body::EndlessStream {
            line: b"{}\n".to_vec(),
            interval: Duration::ZERO,
            max_lines: 5,
        };
        let mut cursor = body.cursor(&faults);
        assert_eq!(cursor.total_len(), 6 + 14);
        let all = drain(&mut cursor, usize::MAX, usize::MAX).concat();
        assert_eq!(all, b"{}\n{}\n{\"error\":\"x\"}\n");
    }
}

//! Fault settings a [`Reply`](crate::Reply) can carry, and the pieces of them that are pure data:
//! how body bytes are cut into writes and how a body is truncated or ends in an error line.

use std::time::Duration;

use crate::recording::split_lines;

/// How the body is cut into socket writes. Each write is flushed on its own (TCP_NODELAY is set),
/// and for chunked framing each write is also its own HTTP chunk, so the client's body stream sees
/// exactly these pieces: split JSON, split UTF-8, several lines in one piece.
///
/// ```
/// use ollama_standin::{Reply, WriteSizes};
/// let reply = Reply::model_default().write_sizes(WriteSizes::Random { min: 1, max: 7, seed: 42 });
/// # drop(reply);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WriteSizes {
    /// One write per NDJSON line (a whole single body in one write), as Ollama flushes per line.
    #[default]
    PerLine,
    /// Writes of exactly `n` bytes (the last may be shorter); `0` counts as 1.
    Fixed(usize),
    /// Writes of a pseudo-random size in `min..=max`, reproducible from `seed`.
    Random {
        /// Smallest write (0 counts as 1).
        min: usize,
        /// Largest write (raised to `min` if smaller).
        max: usize,
        /// Seed; the same seed gives the same cuts.
        seed: u64,
    },
}

/// Yields the size of each write for one reply.
#[derive(Debug)]
pub(crate) struct SizePlan {
    sizes: WriteSizes,
    state: u64,
}

impl SizePlan {
    pub(crate) fn new(sizes: WriteSizes) -> Self {
        let state = match sizes {
            WriteSizes::Random { seed, .. } => seed,
            _ => 0,
        };
        Self { sizes, state }
    }

    /// Whether every write ends at a line end.
    pub(crate) fn per_line(&self) -> bool {
        self.sizes == WriteSizes::PerLine
    }

    /// Bytes for the next write; `usize::MAX` when writes follow lines instead.
    pub(crate) fn next_size(&mut self) -> usize {
        match self.sizes {
            WriteSizes::PerLine => usize::MAX,
            WriteSizes::Fixed(n) => n.max(1),
            WriteSizes::Random { min, max, .. } => {
                let min = min.max(1);
                let span = (max.max(min) - min) as u64 + 1;
                min + (self.next_random() % span) as usize
            }
        }
    }

    /// splitmix64: tiny, good enough for cut points, and needs no dependency.
    fn next_random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Where the socket is cut short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cut {
    /// Body bytes written before the cut.
    pub(crate) after_bytes: u64,
    /// `true`: SO_LINGER 0 then close (TCP RST); `false`: orderly close (FIN) mid-body.
    pub(crate) reset: bool,
}

/// Every fault a reply can carry; all off by default.
#[derive(Clone, Debug, Default)]
pub(crate) struct Faults {
    pub(crate) write_sizes: WriteSizes,
    pub(crate) delay_between_writes: Option<Duration>,
    pub(crate) delay_before_head: Option<Duration>,
    pub(crate) error_line_after: Option<(usize, String)>,
    pub(crate) close_after_lines: Option<usize>,
    pub(crate) cut: Option<Cut>,
    pub(crate) stall_after_lines: Option<(u64, Duration)>,
}

impl Faults {
    /// The body after `close_after_lines` / `error_line_after`: both keep the first `n` lines; the
    /// second then adds `{"error":"..."}\n`. The smaller `n` wins when both are set.
    pub(crate) fn shape_body(&self, body: &[u8]) -> Vec<u8> {
        let keep = match (self.close_after_lines, &self.error_line_after) {
            (None, None) => return body.to_vec(),
            (Some(close), Some((error, _))) => close.min(*error),
            (Some(close), None) => close,
            (None, Some((error, _))) => *error,
        };
        let lines = split_lines(body);
        let mut out: Vec<u8> = lines
            .iter()
            .take(keep)
            .flat_map(|l| l.iter().copied())
            .collect();
        if let Some((after, message)) = &self.error_line_after {
            if *after <= keep {
                if out.last().is_some_and(|&b| b != b'\n') {
                    out.push(b'\n');
                }
                out.extend_from_slice(&error_line(message));
            }
        }
        out
    }
}

/// `{"error":"<message>"}\n`, as Ollama writes a mid-stream failure.
pub(crate) fn error_line(message: &str) -> Vec<u8> {
    let mut line = serde_json::json!({ "error": message })
        .to_string()
        .into_bytes();
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::{Faults, SizePlan, WriteSizes};

    #[test]
    fn random_sizes_stay_in_range_and_repeat_per_seed() {
        let sizes = WriteSizes::Random {
            min: 1,
            max: 7,
            seed: 42,
        };
        let mut a = SizePlan::new(sizes);
        let mut b = SizePlan::new(sizes);
        for _ in 0..1000 {
            let n = a.next_size();
            assert!((1..=7).contains(&n));
            assert_eq!(n, b.next_size());
        }
    }

    #[test]
    fn shaping_table() {
        let body = b"a\nb\nc\n";
        let table: [(Option<usize>, Option<usize>, &[u8]); 5] = [
            (None, None, b"a\nb\nc\n"),
            (Some(2), None, b"a\nb\n"),
            (None, Some(1), b"a\n{\"error\":\"boom\"}\n"),
            (Some(1), Some(2), b"a\n"),
            (Some(9), None, b"a\nb\nc\n"),
        ];
        for (close, error, want) in table {
            let faults = Faults {
                close_after_lines: close,
                error_line_after: error.map(|n| (n, "boom".to_owned())),
                ..Faults::default()
            };
            assert_eq!(faults.shape_body(body), want, "{close:?} {error:?}");
        }
    }
}

//! The splitter's output buffer and the small text helpers its parsers share.

use crate::types::ToolCall;

/// Text separated by a [`ThinkSplitter`](super::ThinkSplitter). Every call *appends* here; clear
/// it (keeping its capacity) between lines.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SplitOutput {
    /// Reasoning text.
    pub thinking: String,
    /// Answer text.
    pub content: String,
    /// Tool calls decoded from harmony markup (complete calls only).
    pub tool_calls: Vec<ToolCall>,
}

impl SplitOutput {
    /// Empties all three parts, keeping their allocations.
    pub fn clear(&mut self) {
        self.thinking.clear();
        self.content.clear();
        self.tool_calls.clear();
    }

    /// `true` when nothing has been appended since the last [`clear`](Self::clear).
    pub fn is_empty(&self) -> bool {
        self.thinking.is_empty() && self.content.is_empty() && self.tool_calls.is_empty()
    }
}

/// Where the parsers write: applies the [`Hide`](super::ThinkPolicy::Hide) policy in one place.
pub(super) struct Sink<'a> {
    pub(super) out: &'a mut SplitOutput,
    pub(super) hide_thinking: bool,
}

impl Sink<'_> {
    pub(super) fn thinking(&mut self, text: &str) {
        if !self.hide_thinking {
            self.out.thinking.push_str(text);
        }
    }

    pub(super) fn content(&mut self, text: &str) {
        self.out.content.push_str(text);
    }
}

/// Runs `step` over the held-back text followed by `delta`, then keeps what `step` did not
/// consume. `step` returns how many bytes (a char boundary) it consumed; the rest is a short
/// tail that could still become a marker. The held text is only copied when there is some, so
/// the common case (nothing held) works on `delta` in place.
pub(super) fn feed_held(held: &mut String, delta: &str, mut step: impl FnMut(&str) -> usize) {
    if held.is_empty() {
        let used = step(delta);
        held.push_str(delta.get(used..).unwrap_or_default());
    } else {
        held.push_str(delta);
        let buf = std::mem::take(held);
        let used = step(&buf);
        *held = buf;
        if held.is_char_boundary(used) {
            held.drain(..used);
        } else {
            debug_assert!(false, "step consumed up to a non-boundary");
            held.clear();
        }
    }
}

/// Length of the longest suffix of `text` that is a proper prefix of `marker` (0 if none): the
/// part that must be held back because the next delta could complete the marker.
pub(super) fn overlap(text: &str, marker: &str) -> usize {
    let max = text.len().min(marker.len().saturating_sub(1));
    (1..=max)
        .rev()
        .find(|&k| {
            let start = text.len() - k;
            text.is_char_boundary(start) && marker.as_bytes().starts_with(&text.as_bytes()[start..])
        })
        .unwrap_or(0)
}

/// `true` when `text` is non-empty and a proper prefix of `marker`.
pub(super) fn is_proper_prefix(text: &str, marker: &str) -> bool {
    !text.is_empty() && text.len() < marker.len() && marker.as_bytes().starts_with(text.as_bytes())
}

/// Length of the leading whitespace of `text`.
pub(super) fn leading_ws(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_table() {
        let cases: &[(&str, &str, usize)] = &[
            ("abc", "</think>", 0),
            ("abc<", "</think>", 1),
            ("abc</th", "</think>", 4),
            ("</think", "</think>", 7),
            ("</think>", "</think>", 0),
            ("é<", "</think>", 1),
            ("", "</think>", 0),
            ("<|en", "<|end|>", 4),
        ];
        for &(text, marker, want) in cases {
            assert_eq!(overlap(text, marker), want, "{text:?} / {marker:?}");
        }
    }

    #[test]
    fn feed_held_keeps_the_tail() {
        let mut held = String::new();
        let mut seen = Vec::new();
        feed_held(&mut held, "abc<", |t| {
            seen.push(t.to_owned());
            3
        });
        assert_eq!(held, "<");
        feed_held(&mut held, "/x", |t| {
            seen.push(t.to_owned());
            t.len()
        });
        assert_eq!(held, "");
        assert_eq!(seen, ["abc<", "</x"]);
    }
}

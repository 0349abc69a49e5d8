//! Inline `<think>…</think>` blocks: the server's generic tag parser (§6.3), incremental, plus a
//! flush at the end so that no byte is lost.

use super::config::TagPair;
use super::output::{Sink, feed_held, is_proper_prefix, leading_ws, overlap};

/// Where the tag parser is. The names follow the server's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before anything but whitespace: waiting for the opening tag.
    LookingForOpening,
    /// Prefilled: already inside the block, but a redundant opening tag may still come.
    PrefilledStart,
    /// Just after the opening tag: whitespace is dropped.
    EatingOpenWhitespace,
    /// Inside the block.
    Thinking,
    /// Just after the closing tag: whitespace is dropped.
    EatingCloseWhitespace,
    /// After the block (or there was none): everything is content.
    Done,
}

/// Incremental splitter for one inline reasoning block.
///
/// Rules (the server's, §6.3): the opening tag counts only at the start, after optional
/// whitespace; whitespace after either tag is dropped; the first closing tag ends the block and
/// later ones are literal content; an unclosed block is reasoning to the end.
///
/// At [`finish`](Self::finish), what the server would silently drop is flushed instead: leading
/// whitespace and a partial opening tag come out as content (no block was opened), a partial
/// closing tag comes out as reasoning (the block was still open).
#[derive(Debug, Clone)]
pub(super) struct TagParser {
    open: String,
    close: String,
    state: State,
    /// Leading whitespace seen while looking for the opening tag (content if no tag follows).
    lead: String,
    /// A short tail that could still become a tag.
    held: String,
}

impl TagParser {
    pub(super) fn new(tags: &TagPair) -> Self {
        let state = if tags.is_prefilled() || tags.open().is_empty() {
            State::PrefilledStart
        } else {
            State::LookingForOpening
        };
        Self {
            open: tags.open().to_owned(),
            close: tags.close().to_owned(),
            state,
            lead: String::new(),
            held: String::new(),
        }
    }

    pub(super) fn push(&mut self, delta: &str, sink: &mut Sink<'_>) {
        if self.state == State::Done {
            sink.content(delta);
            return;
        }
        let Self {
            open,
            close,
            state,
            lead,
            held,
        } = self;
        feed_held(held, delta, |text| {
            step(open, close, state, lead, text, sink)
        });
    }

    pub(super) fn finish(&mut self, sink: &mut Sink<'_>) {
        match self.state {
            State::LookingForOpening => {
                sink.content(&self.lead);
                sink.content(&self.held);
            }
            State::PrefilledStart | State::Thinking => sink.thinking(&self.held),
            State::EatingOpenWhitespace | State::EatingCloseWhitespace | State::Done => {}
        }
        self.lead.clear();
        self.held.clear();
    }
}

/// Consumes as much of `text` as can be decided; returns the bytes consumed.
fn step(
    open: &str,
    close: &str,
    state: &mut State,
    lead: &mut String,
    text: &str,
    sink: &mut Sink<'_>,
) -> usize {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        match *state {
            State::LookingForOpening => {
                let ws = leading_ws(rest);
                lead.push_str(&rest[..ws]);
                at += ws;
                let rest = &rest[ws..];
                if rest.is_empty() {
                    return at;
                }
                if rest.starts_with(open) {
                    lead.clear();
                    at += open.len();
                    *state = State::EatingOpenWhitespace;
                } else if is_proper_prefix(rest, open) {
                    return at;
                } else {
                    // No block: the whitespace we held is content after all.
                    sink.content(lead);
                    lead.clear();
                    *state = State::Done;
                }
            }
            State::PrefilledStart => {
                at += leading_ws(rest);
                let rest = &text[at..];
                if rest.is_empty() {
                    return at;
                }
                if !open.is_empty() && rest.starts_with(open) {
                    at += open.len();
                    *state = State::EatingOpenWhitespace;
                } else if is_proper_prefix(rest, open) {
                    return at;
                } else {
                    *state = State::Thinking;
                }
            }
            State::EatingOpenWhitespace | State::EatingCloseWhitespace => {
                at += leading_ws(rest);
                if at == text.len() {
                    return at;
                }
                *state = if *state == State::EatingOpenWhitespace {
                    State::Thinking
                } else {
                    State::Done
                };
            }
            State::Thinking => {
                if let Some(pos) = (!close.is_empty()).then(|| rest.find(close)).flatten() {
                    sink.thinking(&rest[..pos]);
                    at += pos + close.len();
                    *state = State::EatingCloseWhitespace;
                } else {
                    let keep = overlap(rest, close);
                    sink.thinking(&rest[..rest.len() - keep]);
                    return text.len() - keep;
                }
            }
            State::Done => {
                sink.content(rest);
                return text.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::think::SplitOutput;

    /// Feeds `deltas` then finishes; returns (thinking, content).
    fn run(tags: &TagPair, deltas: &[&str]) -> (String, String) {
        let mut parser = TagParser::new(tags);
        let mut out = SplitOutput::default();
        let mut sink = Sink {
            out: &mut out,
            hide_thinking: false,
        };
        for d in deltas {
            parser.push(d, &mut sink);
        }
        parser.finish(&mut sink);
        (out.thinking, out.content)
    }

    #[test]
    fn server_rules_table() {
        let t = TagPair::default();
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], &str, &str)] = &[
            ("simple", &["<think>abc</think>def"], "abc", "def"),
            ("tags as own deltas", &["<think>", "\n", "abc", "\n", "</think>", "\n\n", "Hi"], "abc\n", "Hi"),
            ("partial open across deltas", &["<th", "ink>ab", "c</th", "ink>d"], "abc", "d"),
            ("one byte at a time", &["<", "t", "h", "i", "n", "k", ">", "x", "<", "/", "t", "h", "i", "n", "k", ">", "y"], "x", "y"),
            ("leading whitespace before tag dropped", &["  \n", " <think>a</think>b"], "a", "b"),
            ("whitespace after tags eaten", &["<think> \n\t a </think>\n \n b "], "a ", "b "),
            ("newline before close kept", &["<think>a\n</think>b"], "a\n", "b"),
            ("no tag keeps leading whitespace", &["  ", "hello"], "", "  hello"),
            ("partial open that is not a tag", &["<thi", "s is html"], "", "<this is html"),
            ("html at start", &["<b>bold</b>"], "", "<b>bold</b>"),
            ("tag mentioned mid-answer stays content", &["The <think> tag ", "and </think> too"], "", "The <think> tag and </think> too"),
            ("literal close after thinking done", &["<think>a</think>b</think>c"], "a", "b</think>c"),
            ("second block is content", &["<think>a</think>b<think>c</think>"], "a", "b<think>c</think>"),
            ("unclosed block is all thinking", &["<think>abc", " def"], "abc def", ""),
            ("partial close flushed as thinking", &["<think>abc</thi"], "abc</thi", ""),
            ("partial close that is not a tag", &["<think>a</thi", "s</think>b"], "a</this", "b"),
            ("whitespace-only output flushed", &["\n", "  "], "", "\n  "),
            ("prefix of opening tag flushed", &["  <thi"], "", "  <thi"),
            ("only the opening tag", &["<think>", "\n"], "", ""),
            ("empty block", &["<think></think>answer"], "", "answer"),
            ("multi-byte next to tags", &["<think>é", "ü</think>", "ß"], "éü", "ß"),
            ("multi-byte right after partial", &["<thé"], "", "<thé"),
            ("unicode whitespace is whitespace", &["\u{3000}<think>\u{a0}x</think>\u{2003}y"], "x", "y"),
            ("close split as '<' + rest", &["<think>a<", "/think>b"], "a", "b"),
            ("lone '<' inside thinking", &["<think>a < b", "</think>c"], "a < b", "c"),
            ("no deltas", &[], "", ""),
            ("empty deltas", &["", "", ""], "", ""),
        ];
        for &(name, deltas, thinking, content) in cases {
            let got = run(&t, deltas);
            assert_eq!(got, (thinking.to_owned(), content.to_owned()), "{name}");
        }
    }

    #[test]
    fn prefilled_table() {
        let t = TagPair::default().prefilled(true);
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], &str, &str)] = &[
            ("starts inside", &["\nabc\n</think>\n\nHi"], "abc\n", "Hi"),
            ("redundant opening tag stripped", &["<think>\nabc</think>Hi"], "abc", "Hi"),
            ("redundant tag split", &["  <thi", "nk>abc</think>Hi"], "abc", "Hi"),
            ("second opening tag is thinking", &["<think><think>a</think>b"], "<think>a", "b"),
            ("partial opening flushed as thinking", &["\n<thi"], "<thi", ""),
            ("not a tag", &["<thing>", "</think>x"], "<thing>", "x"),
            ("never closed", &["abc"], "abc", ""),
        ];
        for &(name, deltas, thinking, content) in cases {
            let got = run(&t, deltas);
            assert_eq!(got, (thinking.to_owned(), content.to_owned()), "{name}");
        }
    }

    #[test]
    fn custom_and_degenerate_tags() {
        let t = TagPair::new("[THINK]", "[/THINK]");
        assert_eq!(
            run(&t, &["[THI", "NK]plan[/TH", "INK] done"]),
            ("plan".to_owned(), "done".to_owned())
        );
        // Empty opening tag: the block is always open.
        let t = TagPair::new("", "</r>");
        assert_eq!(run(&t, &[" a</r> b"]), ("a".to_owned(), "b".to_owned()));
        // Empty closing tag never matches.
        let t = TagPair::new("<r>", "");
        assert_eq!(run(&t, &["<r>a", "b"]), ("ab".to_owned(), String::new()));
    }
}

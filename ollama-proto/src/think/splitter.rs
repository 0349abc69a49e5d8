//! [`ThinkSplitter`]: one object per stream that routes each delta to the right parser.

use super::config::{TagPair, ThinkConfig, ThinkMode, ThinkPolicy};
use super::harmony::HarmonyParser;
use super::output::{Sink, SplitOutput, is_proper_prefix, leading_ws};
use super::tags::TagParser;

/// Harmony markers that, at the very start of the text, switch [`ThinkMode::Auto`] to harmony.
const HARMONY_OPENERS: [&str; 3] = ["<|start|>", "<|channel|>", "<|message|>"];

/// Sans-IO streaming separator of reasoning and answer text.
///
/// Feed it, for every line of a chat/generate stream, the `thinking` delta (if any) with
/// [`push_thinking`](Self::push_thinking), then the `content`/`response` delta with
/// [`push_content`](Self::push_content); call [`finish`](Self::finish) at the `done` line.
/// Output is appended to a caller-owned [`SplitOutput`]. Deltas may be cut anywhere: the
/// concatenated output is the same for every split of the same text.
#[derive(Debug, Clone)]
pub struct ThinkSplitter {
    hide_thinking: bool,
    engine: Engine,
}

#[derive(Debug, Clone)]
enum Engine {
    /// Content passes straight through.
    Plain,
    Tags(TagParser),
    Harmony(HarmonyParser),
    /// [`ThinkMode::Auto`] before the start of the text is known.
    Detect(Detector),
}

impl ThinkSplitter {
    /// A splitter for one stream.
    pub fn new(config: ThinkConfig) -> Self {
        let engine = match (config.policy, config.mode) {
            (ThinkPolicy::Raw, _) | (_, ThinkMode::Server) => Engine::Plain,
            (_, ThinkMode::Tags(tags)) => Engine::Tags(TagParser::new(&tags)),
            (_, ThinkMode::Harmony) => Engine::Harmony(HarmonyParser::new()),
            (_, ThinkMode::Auto) => Engine::Detect(Detector::default()),
        };
        Self {
            hide_thinking: config.policy == ThinkPolicy::Hide,
            engine,
        }
    }

    /// A delta of the server's separate `thinking` field.
    ///
    /// It is reasoning in every mode (dropped under [`ThinkPolicy::Hide`]). In
    /// [`ThinkMode::Auto`], once the server separates reasoning itself, content that has not yet
    /// shown markup is taken as plain answer text.
    pub fn push_thinking(&mut self, delta: &str, out: &mut SplitOutput) {
        if delta.is_empty() {
            return;
        }
        let mut sink = self.sink(out);
        sink.thinking(delta);
        if let Engine::Detect(detector) = &mut self.engine {
            sink.content(&detector.buf);
            self.engine = Engine::Plain;
        }
    }

    /// A delta of `content` (chat) / `response` (generate).
    pub fn push_content(&mut self, delta: &str, out: &mut SplitOutput) {
        let hide_thinking = self.hide_thinking;
        let mut sink = Sink { out, hide_thinking };
        match &mut self.engine {
            Engine::Plain => sink.content(delta),
            Engine::Tags(parser) => parser.push(delta, &mut sink),
            Engine::Harmony(parser) => parser.push(delta, &mut sink),
            Engine::Detect(detector) => {
                let Some(decided) = detector.push(delta) else {
                    return;
                };
                let text = std::mem::take(&mut detector.buf);
                self.engine = decided;
                match &mut self.engine {
                    Engine::Tags(parser) => parser.push(&text, &mut sink),
                    Engine::Harmony(parser) => parser.push(&text, &mut sink),
                    Engine::Plain | Engine::Detect(_) => sink.content(&text),
                }
            }
        }
    }

    /// End of the text (the `done` line was seen): flushes everything held back.
    ///
    /// Nothing is lost: a partial tag or marker, or leading whitespace held while waiting for a
    /// tag, comes out as content when no reasoning block was open, and as reasoning when one was.
    pub fn finish(&mut self, out: &mut SplitOutput) {
        let mut sink = self.sink(out);
        match &mut self.engine {
            Engine::Plain => {}
            Engine::Tags(parser) => parser.finish(&mut sink),
            Engine::Harmony(parser) => parser.finish(&mut sink),
            Engine::Detect(detector) => {
                sink.content(&detector.buf);
                detector.buf.clear();
                detector.ws = 0;
            }
        }
    }

    fn sink<'a>(&self, out: &'a mut SplitOutput) -> Sink<'a> {
        Sink {
            out,
            hide_thinking: self.hide_thinking,
        }
    }
}

/// The start of the text in [`ThinkMode::Auto`], held until it shows what it is.
#[derive(Debug, Clone, Default)]
struct Detector {
    /// Everything seen so far: leading whitespace, then at most a partial marker.
    buf: String,
    /// Length of the leading whitespace of `buf` (so a long run of it is scanned once).
    ws: usize,
}

impl Detector {
    /// Adds `delta`; returns the engine to switch to once the start of the text is decided.
    ///
    /// - harmony markup (`<|start|>`, `<|channel|>`, `<|message|>`) at the very start: harmony;
    /// - `<think>` after optional whitespace: inline tags;
    /// - while the text could still become one of those: wait;
    /// - anything else: plain content.
    fn push(&mut self, delta: &str) -> Option<Engine> {
        let all_ws = self.ws == self.buf.len();
        self.buf.push_str(delta);
        if all_ws {
            self.ws += leading_ws(&self.buf[self.ws..]);
        }
        let rest = &self.buf[self.ws..];
        if rest.is_empty() {
            return None;
        }
        let at_start = self.ws == 0;
        let tags = TagPair::default();
        if at_start && HARMONY_OPENERS.iter().any(|m| rest.starts_with(m)) {
            Some(Engine::Harmony(HarmonyParser::new()))
        } else if rest.starts_with(tags.open()) {
            Some(Engine::Tags(TagParser::new(&tags)))
        } else if is_proper_prefix(rest, tags.open())
            || (at_start && HARMONY_OPENERS.iter().any(|m| is_proper_prefix(rest, m)))
        {
            None
        } else {
            Some(Engine::Plain)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One line of a stream: (thinking delta, content delta).
    type Line<'a> = (&'a str, &'a str);
    /// (name, mode, policy, input lines, expected thinking, expected content).
    type Case<'a> = (
        &'a str,
        ThinkMode,
        ThinkPolicy,
        &'a [Line<'a>],
        &'a str,
        &'a str,
    );

    fn run(mode: ThinkMode, policy: ThinkPolicy, lines: &[Line<'_>]) -> (String, String) {
        let mut splitter = ThinkSplitter::new(ThinkConfig::new(mode, policy));
        let mut out = SplitOutput::default();
        let mut all = SplitOutput::default();
        for &(thinking, content) in lines {
            out.clear();
            splitter.push_thinking(thinking, &mut out);
            splitter.push_content(content, &mut out);
            all.thinking.push_str(&out.thinking);
            all.content.push_str(&out.content);
        }
        out.clear();
        splitter.finish(&mut out);
        all.thinking.push_str(&out.thinking);
        all.content.push_str(&out.content);
        (all.thinking, all.content)
    }

    #[test]
    fn modes_and_policies_table() {
        use ThinkPolicy::{Hide, Raw, Separate};
        let tags = || ThinkMode::Tags(TagPair::default());
        let tag_text: &[Line<'_>] = &[
            ("", "<think>"),
            ("", "plan"),
            ("", "</think>"),
            ("", "\n\nanswer"),
        ];
        let field: &[Line<'_>] = &[("pl", ""), ("an", ""), ("", "ans"), ("", "wer")];
        let harmony: &[Line<'_>] = &[
            ("", "<|channel|>analysis<|message|>plan<|end|>"),
            ("", "<|start|>assistant<|channel|>final<|message|>answer"),
        ];
        #[rustfmt::skip]
        let cases: Vec<Case<'_>> = vec![
            ("server field", ThinkMode::Server, Separate, field, "plan", "answer"),
            ("server ignores tags", ThinkMode::Server, Separate, tag_text, "", "<think>plan</think>\n\nanswer"),
            ("server hide", ThinkMode::Server, Hide, field, "", "answer"),
            ("tags", tags(), Separate, tag_text, "plan", "answer"),
            ("tags hide", tags(), Hide, tag_text, "", "answer"),
            ("tags raw", tags(), Raw, tag_text, "", "<think>plan</think>\n\nanswer"),
            ("tags still take the field", tags(), Separate, field, "plan", "answer"),
            ("harmony", ThinkMode::Harmony, Separate, harmony, "plan", "answer"),
            ("harmony hide", ThinkMode::Harmony, Hide, harmony, "", "answer"),
            ("harmony raw", ThinkMode::Harmony, Raw, harmony, "", "<|channel|>analysis<|message|>plan<|end|><|start|>assistant<|channel|>final<|message|>answer"),
            ("auto tags", ThinkMode::Auto, Separate, tag_text, "plan", "answer"),
            ("auto field", ThinkMode::Auto, Separate, field, "plan", "answer"),
            ("auto harmony", ThinkMode::Auto, Separate, harmony, "plan", "answer"),
            ("auto hide field", ThinkMode::Auto, Hide, field, "", "answer"),
            ("auto hide harmony", ThinkMode::Auto, Hide, harmony, "", "answer"),
            ("auto raw", ThinkMode::Auto, Raw, tag_text, "", "<think>plan</think>\n\nanswer"),
            ("auto raw field", ThinkMode::Auto, Raw, field, "plan", "answer"),
            ("auto plain", ThinkMode::Auto, Separate, &[("", "Hello"), ("", " <think> world")], "", "Hello <think> world"),
            ("auto leading whitespace then tag", ThinkMode::Auto, Separate, &[("", "\n "), ("", "<thi"), ("", "nk>a</think>b")], "a", "b"),
            ("auto whitespace-only flushed", ThinkMode::Auto, Separate, &[("", " \n")], "", " \n"),
            ("auto partial tag flushed", ThinkMode::Auto, Separate, &[("", "<thi")], "", "<thi"),
            ("auto partial harmony flushed", ThinkMode::Auto, Separate, &[("", "<|chan")], "", "<|chan"),
            ("auto harmony needs the very start", ThinkMode::Auto, Separate, &[("", " <|channel|>final<|message|>x")], "", " <|channel|>final<|message|>x"),
            ("auto: field decides plain", ThinkMode::Auto, Separate, &[("", "<th"), ("t", "ink>x</think>")], "t", "<think>x</think>"),
            ("auto: unicode", ThinkMode::Auto, Separate, &[("", "é<think>")], "", "é<think>"),
            ("auto: empty", ThinkMode::Auto, Separate, &[("", ""), ("", "")], "", ""),
        ];
        for (name, mode, policy, lines, thinking, content) in cases {
            let got = run(mode, policy, lines);
            assert_eq!(got, (thinking.to_owned(), content.to_owned()), "{name}");
        }
    }

    #[test]
    fn output_is_per_call_and_plain_content_is_immediate() {
        let mut s = ThinkSplitter::new(ThinkConfig::default());
        let mut out = SplitOutput::default();
        s.push_content("<th", &mut out);
        assert!(out.is_empty(), "held while it could be a tag");
        s.push_content("e>x", &mut out);
        assert_eq!(out.content, "<the>x");
        out.clear();
        s.push_content("y", &mut out);
        assert_eq!(out.content, "y");
        out.clear();
        s.finish(&mut out);
        assert!(out.is_empty());
    }
}

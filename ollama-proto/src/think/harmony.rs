//! gpt-oss "harmony" markup (§6.5): `<|start|>` header `<|message|>` body `<|end|>`.
//!
//! Why it works the way it does:
//! - The server's template ends the prompt with `<|start|>assistant`, so the model's text
//!   begins *inside* a header (`<|channel|>analysis<|message|>…`). The parser starts
//!   [`State::Seeded`]: if the text continues a header, the implicit seed is that header's
//!   start; if not, the text is plain content and no markup is assumed.
//! - Deltas are cut anywhere, also inside a marker (`<|mess` + `age|>`). A tail that could
//!   still become a marker is held back (`held`) until the next delta decides it, so the split
//!   never depends on the chunking; [`HarmonyParser::finish`] releases what is held as text.
//! - The channel routes a body: `analysis` is reasoning, `final` is the answer, and a message
//!   with a recipient (`to=functions.x`) is a tool call whose body is its JSON arguments. A
//!   tool body that is not a JSON object is given back as content: text is never dropped.

use serde_json::{Map, Value};

use super::output::{Sink, feed_held, is_proper_prefix, overlap};
use crate::types::ToolCall;

const START: &str = "<|start|>";
const MESSAGE: &str = "<|message|>";
const CHANNEL: &str = "<|channel|>";
const CONSTRAIN: &str = "<|constrain|>";
/// Tokens that end a message body: `<|end|>`, and the end-of-generation tokens.
const ENDS: [&str; 3] = ["<|end|>", "<|return|>", "<|call|>"];
/// The recipient of a message to the model itself (a tool's answer): never a tool call.
const ASSISTANT: &str = "assistant";
/// What may follow the implicit `<|start|>assistant` seed for the text to count as harmony.
const SEED_CONTINUATIONS: [&str; 5] = [START, CHANNEL, CONSTRAIN, MESSAGE, " to="];

/// Where a message body goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Thinking,
    Content,
    /// Collected, then decoded as a tool call's JSON arguments when the message ends.
    Tool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing yet: deciding whether the text continues the implicit `<|start|>assistant`.
    Seeded,
    /// Between messages: text is content until a `<|start|>`.
    Outside,
    /// Reading a header up to `<|message|>`. `explicit`: opened by a `<|start|>` in the text
    /// (rather than the implicit seed).
    Header { explicit: bool },
    /// Reading a message body up to an end token.
    Body(Route),
}

/// Incremental harmony parser.
///
/// Differences from the server, all so that no text is lost:
/// - text outside any message (no markup at all, or between `<|end|>` and `<|start|>`) is
///   content, where the server drops it;
/// - a header still open at [`finish`](Self::finish) is flushed verbatim as content (with its
///   `<|start|>` when that was in the text);
/// - every message with a recipient (`to=…`, except on the `final` channel) becomes its own tool
///   call when it ends (`<|end|>`, `<|call|>`, `<|return|>` or the end of the text), named
///   without the `functions.` prefix. A message to `assistant` (a tool's answer) is not a call:
///   its body is thinking or content by its channel. Its body must be a JSON object (empty means `{}`); any
///   other body is kept as content, verbatim.
#[derive(Debug, Clone)]
pub(super) struct HarmonyParser {
    state: State,
    /// Header text read so far (without `<|start|>` and without the seed).
    header: String,
    /// Recipient of the current message, for tool calls.
    recipient: String,
    /// Body of the current tool-call message.
    tool_body: String,
    /// Tool calls emitted so far (for `index`).
    calls: u32,
    /// A short tail that could still become a marker.
    held: String,
}

impl HarmonyParser {
    pub(super) fn new() -> Self {
        Self {
            state: State::Seeded,
            header: String::new(),
            recipient: String::new(),
            tool_body: String::new(),
            calls: 0,
            held: String::new(),
        }
    }

    pub(super) fn push(&mut self, delta: &str, sink: &mut Sink<'_>) {
        let mut held = std::mem::take(&mut self.held);
        feed_held(&mut held, delta, |text| self.step(text, sink));
        self.held = held;
    }

    pub(super) fn finish(&mut self, sink: &mut Sink<'_>) {
        let held = std::mem::take(&mut self.held);
        match self.state {
            State::Seeded | State::Outside => sink.content(&held),
            State::Header { explicit } => {
                if explicit {
                    sink.content(START);
                }
                sink.content(&self.header);
                sink.content(&held);
            }
            State::Body(route) => {
                self.body(route, &held, sink);
                self.end_message(route, sink);
            }
        }
        self.held = held;
        self.held.clear();
        self.header.clear();
        self.state = State::Outside;
    }

    /// Consumes as much of `text` as can be decided; returns the bytes consumed.
    fn step(&mut self, text: &str, sink: &mut Sink<'_>) -> usize {
        let mut at = 0;
        loop {
            let rest = &text[at..];
            match self.state {
                State::Seeded => {
                    if rest.is_empty() {
                        return at;
                    }
                    if let Some(after) = rest.strip_prefix(START) {
                        at = text.len() - after.len();
                        self.open_header(true);
                    } else if SEED_CONTINUATIONS.iter().any(|m| rest.starts_with(m)) {
                        self.open_header(false);
                    } else if SEED_CONTINUATIONS.iter().any(|m| is_proper_prefix(rest, m)) {
                        return at;
                    } else {
                        self.state = State::Outside;
                    }
                }
                State::Outside => {
                    if let Some(pos) = rest.find(START) {
                        sink.content(&rest[..pos]);
                        at += pos + START.len();
                        self.open_header(true);
                    } else {
                        let keep = overlap(rest, START);
                        sink.content(&rest[..rest.len() - keep]);
                        return text.len() - keep;
                    }
                }
                State::Header { explicit } => {
                    if let Some(pos) = rest.find(MESSAGE) {
                        self.header.push_str(&rest[..pos]);
                        at += pos + MESSAGE.len();
                        let route = self.parse_header(explicit);
                        self.header.clear();
                        self.tool_body.clear();
                        self.state = State::Body(route);
                    } else {
                        let keep = overlap(rest, MESSAGE);
                        self.header.push_str(&rest[..rest.len() - keep]);
                        return text.len() - keep;
                    }
                }
                State::Body(route) => {
                    let found = ENDS
                        .iter()
                        .filter_map(|m| rest.find(m).map(|pos| (pos, m.len())))
                        .min();
                    if let Some((pos, len)) = found {
                        self.body(route, &rest[..pos], sink);
                        at += pos + len;
                        self.end_message(route, sink);
                        self.state = State::Outside;
                    } else {
                        let keep = ENDS.iter().map(|m| overlap(rest, m)).max().unwrap_or(0);
                        self.body(route, &rest[..rest.len() - keep], sink);
                        return text.len() - keep;
                    }
                }
            }
        }
    }

    fn open_header(&mut self, explicit: bool) {
        self.header.clear();
        self.state = State::Header { explicit };
    }

    fn body(&mut self, route: Route, text: &str, sink: &mut Sink<'_>) {
        match route {
            Route::Thinking => sink.thinking(text),
            Route::Content => sink.content(text),
            Route::Tool => self.tool_body.push_str(text),
        }
    }

    /// Ends a message: a tool-call body becomes a call (or, if it is not a JSON object, content).
    fn end_message(&mut self, route: Route, sink: &mut Sink<'_>) {
        if route != Route::Tool {
            return;
        }
        let body = self.tool_body.trim();
        let arguments = if body.is_empty() {
            Some(Map::new())
        } else {
            match serde_json::from_str::<Value>(body) {
                Ok(Value::Object(map)) => Some(map),
                _ => None,
            }
        };
        match arguments {
            Some(arguments) => {
                let name = self
                    .recipient
                    .strip_prefix("functions.")
                    .unwrap_or(&self.recipient);
                let mut call = ToolCall::new(name, arguments);
                call.function.index = Some(self.calls);
                self.calls = self.calls.saturating_add(1);
                sink.out.tool_calls.push(call);
            }
            None => sink.content(&self.tool_body),
        }
        self.tool_body.clear();
    }

    /// Reads channel and recipient from the header; returns where the body goes.
    ///
    /// A message addressed `to=assistant` (a tool's answer, `<|start|>functions.x
    /// to=assistant<|message|>…`) is not a tool call: it is routed by its channel like a message
    /// without a recipient.
    fn parse_header(&mut self, explicit: bool) -> Route {
        let fields = HeaderFields::parse(&self.header, !explicit);
        let recipient = match fields.recipient {
            ASSISTANT => "",
            other => other,
        };
        self.recipient.clear();
        self.recipient.push_str(recipient);
        let has_recipient = !recipient.is_empty();
        match fields.channel {
            "final" => Route::Content,
            "analysis" if !has_recipient => Route::Thinking,
            _ if has_recipient => Route::Tool,
            _ => Route::Content,
        }
    }
}

/// The parts of a header the splitter needs.
#[derive(Debug, Default, PartialEq, Eq)]
struct HeaderFields<'a> {
    role: &'a str,
    channel: &'a str,
    recipient: &'a str,
}

impl<'a> HeaderFields<'a> {
    /// Header grammar: whitespace-separated words; `<|channel|>NAME` and `<|constrain|>TYPE` may
    /// be glued to neighbours. The first plain word is the role; the first word `to=X` (the role
    /// itself or a later word) names the recipient. `seeded`: the role `assistant` came from
    /// the implicit seed.
    fn parse(header: &'a str, seeded: bool) -> Self {
        let mut fields = Self::default();
        if seeded {
            fields.role = "assistant";
        }
        let mut rest = header;
        let mut pending_marker: Option<&str> = None;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            if let Some(marker) = [CHANNEL, CONSTRAIN]
                .into_iter()
                .find(|m| rest.starts_with(m))
            {
                rest = &rest[marker.len()..];
                pending_marker = Some(marker);
                continue;
            }
            let mut end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if let Some((glued, _)) = rest[..end].match_indices("<|").find(|&(i, _)| i > 0) {
                end = glued;
            }
            let word = &rest[..end];
            rest = &rest[end..];
            match pending_marker.take() {
                Some(CHANNEL) => fields.channel = word,
                Some(_) => {} // a constraint such as `json`
                None => {
                    if let Some(to) = word.strip_prefix("to=") {
                        if fields.recipient.is_empty() {
                            fields.recipient = to;
                        }
                        if fields.role.is_empty() {
                            fields.role = "tool";
                        }
                    } else if fields.role.is_empty() {
                        fields.role = word;
                    }
                }
            }
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::think::SplitOutput;
    use serde_json::json;

    fn run(deltas: &[&str]) -> SplitOutput {
        let mut parser = HarmonyParser::new();
        let mut out = SplitOutput::default();
        let mut sink = Sink {
            out: &mut out,
            hide_thinking: false,
        };
        for d in deltas {
            parser.push(d, &mut sink);
        }
        parser.finish(&mut sink);
        out
    }

    fn call(name: &str, index: u32, args: Value) -> ToolCall {
        let Value::Object(map) = args else {
            panic!("arguments must be an object")
        };
        let mut c = ToolCall::new(name, map);
        c.function.index = Some(index);
        c
    }

    #[test]
    fn text_table() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], &str, &str)] = &[
            ("analysis then final (raw gpt-oss)",
             &["<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>Answer."],
             "Think.", "Answer."),
            ("explicit start",
             &["<|start|>assistant<|channel|>analysis<|message|>a<|end|>"], "a", ""),
            ("one byte at a time",
             &["<", "|", "c", "h", "a", "n", "n", "e", "l", "|", ">", "analysis", "<|mess", "age|>", "x", "<|e", "nd|", ">", "<|st", "art|>", "assistant<|channel|>final", "<|message|>", "y"],
             "x", "y"),
            ("partial <|end|> held then completed", &["<|channel|>final<|message|>ok<|en", "d|>"], "", "ok"),
            ("partial <|end|> that is not one", &["<|channel|>final<|message|>a<|en", "try"], "", "a<|entry"),
            ("partial <|end|> flushed at finish", &["<|channel|>analysis<|message|>a<|en"], "a<|en", ""),
            ("<|return|> ends", &["<|channel|>final<|message|>done<|return|>"], "", "done"),
            ("commentary without recipient is content", &["<|channel|>commentary<|message|>Let me check.<|end|>"], "", "Let me check."),
            ("no channel is content", &["<|message|>hi<|end|>"], "", "hi"),
            ("no markup at all", &["Just ", "text."], "", "Just text."),
            ("text outside messages kept", &["<|channel|>final<|message|>a<|end|> between <|start|>assistant<|channel|>final<|message|>b"], "", "a between b"),
            ("text before first start kept", &["pre<|start|>assistant<|channel|>analysis<|message|>t<|end|>"], "t", "pre"),
            ("partial start at finish", &["hello <|sta"], "", "hello <|sta"),
            ("open header at finish", &["<|channel|>final<|message|>a<|end|><|start|>assistant<|chan"], "", "a<|start|>assistant<|chan"),
            ("implicit header at finish", &["<|channel|>analys"], "", "<|channel|>analys"),
            ("constrain tolerated", &["<|channel|>final <|constrain|>json<|message|>{\"a\":1}"], "", "{\"a\":1}"),
            ("multi-byte next to markers", &["<|channel|>analysis<|message|>é", "<|end|>ü<|start|>assistant<|channel|>final<|message|>ß", "<|e"], "é", "üß<|e"),
            ("stray end marker outside is content", &["<|end|>x"], "", "<|end|>x"),
            ("analysis markup looks like a tag", &["<|channel|>analysis<|message|>use <think> here<|end|>"], "use <think> here", ""),
        ];
        for &(name, deltas, thinking, content) in cases {
            let out = run(deltas);
            assert_eq!(
                (out.thinking.as_str(), out.content.as_str()),
                (thinking, content),
                "{name}"
            );
            assert!(out.tool_calls.is_empty(), "{name}");
        }
    }

    #[test]
    fn tool_calls() {
        // Recipient after the channel, constrained JSON, `<|call|>` end.
        let out = run(&[
            "<|channel|>analysis<|message|>Need weather.<|end|>",
            "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>",
            "{\"location\":",
            "\"Paris\"}<|ca",
            "ll|>",
        ]);
        assert_eq!(out.thinking, "Need weather.");
        assert_eq!(out.content, "");
        assert_eq!(
            out.tool_calls,
            [call("get_weather", 0, json!({"location": "Paris"}))]
        );

        // Recipient in role position, analysis channel, ended by the end of the text.
        let out = run(&["<|start|>to=browser.search<|channel|>analysis<|message|>{\"q\":\"x\"}"]);
        assert_eq!(
            out.tool_calls,
            [call("browser.search", 0, json!({"q": "x"}))]
        );
        assert_eq!((out.thinking.as_str(), out.content.as_str()), ("", ""));

        // Recipient right after the implicit seed; two calls get indices 0 and 1; empty body = {}.
        let out = run(&[
            " to=functions.a<|channel|>commentary json<|message|>{}<|call|>",
            "<|start|>assistant to=functions.b<|channel|>commentary<|message|> <|end|>",
        ]);
        assert_eq!(
            out.tool_calls,
            [call("a", 0, json!({})), call("b", 1, json!({}))]
        );

        // Invalid or non-object JSON is kept verbatim as content.
        let out = run(&["<|channel|>commentary to=functions.f<|message|>{oops<|call|>"]);
        assert_eq!(out.content, "{oops");
        assert!(out.tool_calls.is_empty());
        let out = run(&["<|channel|>commentary to=functions.f<|message|>[1, 2]"]);
        assert_eq!(out.content, "[1, 2]");

        // Issue 10: a tool's answer after `<|call|>` is addressed to the assistant. It is not a
        // second call named `assistant`; its body is content (commentary) or thinking
        // (analysis), by channel.
        let out = run(&[
            "<|channel|>commentary to=functions.x<|message|>{\"a\":1}<|call|>",
            "<|start|>functions.x to=assistant<|message|>{\"r\":2}<|end|>",
            "<|start|>functions.x to=assistant<|channel|>analysis<|message|>{\"r\":3}<|end|>",
            "<|start|>functions.x to=assistant<|channel|>commentary<|message|>{\"r\":4}",
        ]);
        assert_eq!(out.tool_calls, [call("x", 0, json!({"a": 1}))]);
        assert_eq!(out.content, "{\"r\":2}{\"r\":4}");
        assert_eq!(out.thinking, "{\"r\":3}");
        // Only the exact recipient `assistant`: a function of that name keeps its prefix path.
        let out = run(&["<|channel|>commentary to=functions.assistant<|message|>{}"]);
        assert_eq!(out.tool_calls, [call("assistant", 0, json!({}))]);

        // A recipient on the final channel is ignored: final is the answer.
        let out = run(&["<|channel|>final to=functions.f<|message|>{\"a\":1}"]);
        assert_eq!(out.content, "{\"a\":1}");
        assert!(out.tool_calls.is_empty());
    }

    #[test]
    fn header_fields_table() {
        #[rustfmt::skip]
        let cases: &[(&str, bool, (&str, &str, &str))] = &[
            ("assistant<|channel|>analysis", false, ("assistant", "analysis", "")),
            ("<|channel|>final", true, ("assistant", "final", "")),
            ("assistant<|channel|>commentary to=functions.get_weather <|constrain|>json", false, ("assistant", "commentary", "functions.get_weather")),
            ("assistant to=functions.x<|channel|>commentary<|constrain|>json", false, ("assistant", "commentary", "functions.x")),
            ("to=functions.x<|channel|>commentary", false, ("tool", "commentary", "functions.x")),
            ("", false, ("", "", "")),
            ("  assistant  ", false, ("assistant", "", "")),
        ];
        for &(header, seeded, (role, channel, recipient)) in cases {
            let f = HeaderFields::parse(header, seeded);
            assert_eq!(
                (f.role, f.channel, f.recipient),
                (role, channel, recipient),
                "{header:?}"
            );
        }
    }
}

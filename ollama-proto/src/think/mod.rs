//! Separating reasoning from answers.
//!
//! Reasoning models show their work in one of three ways, and a [`ThinkSplitter`] turns all of
//! them into the same two strings, `thinking` and `content`:
//!
//! - the server splits it and sends a separate `thinking` field ([`ThinkMode::Server`]);
//! - the text carries inline `<think>…</think>` tags: older servers, `raw: true`, or a request
//!   that did not enable thinking ([`ThinkMode::Tags`]);
//! - gpt-oss with `raw: true` emits its "harmony" markup ([`ThinkMode::Harmony`]).
//!
//! [`ThinkMode::Auto`], the default, handles all three. The splitter is sans-IO: it only sees
//! the text deltas of each stream line, holds back no more than a possible partial tag, and
//! appends its result to a caller-owned [`SplitOutput`] that is cleared and reused per line.
//!
//! ```text
//! line ──► push_thinking(thinking delta) ─┐
//!      └─► push_content(content delta) ───┼─► SplitOutput { thinking, content, tool_calls }
//! done ──► finish() ──────────────────────┘
//! ```
//!
//! # Modes
//!
//! Inline tags, cut anywhere between deltas:
//!
//! ```
//! use ollama_proto::think::{SplitOutput, TagPair, ThinkConfig, ThinkMode, ThinkPolicy, ThinkSplitter};
//!
//! let mode = ThinkMode::Tags(TagPair::default());
//! let mut splitter = ThinkSplitter::new(ThinkConfig::new(mode, ThinkPolicy::Separate));
//! let mut out = SplitOutput::default();
//! for delta in ["<thi", "nk>\nThe user", " greets.\n</th", "ink>\n\nHello!"] {
//!     splitter.push_content(delta, &mut out);
//! }
//! splitter.finish(&mut out);
//! assert_eq!(out.thinking, "The user greets.\n");
//! assert_eq!(out.content, "Hello!");
//! ```
//!
//! A template that pre-opens the block (qwen3 with thinking on) makes the model start inside it:
//!
//! ```
//! # use ollama_proto::think::{SplitOutput, TagPair, ThinkConfig, ThinkMode, ThinkPolicy, ThinkSplitter};
//! let mode = ThinkMode::Tags(TagPair::default().prefilled(true));
//! let mut splitter = ThinkSplitter::new(ThinkConfig::new(mode, ThinkPolicy::Separate));
//! let mut out = SplitOutput::default();
//! splitter.push_content("Short question.\n</think>\n\n4", &mut out);
//! splitter.finish(&mut out);
//! assert_eq!((out.thinking.as_str(), out.content.as_str()), ("Short question.\n", "4"));
//! ```
//!
//! The server's own `thinking` field:
//!
//! ```
//! # use ollama_proto::think::{SplitOutput, ThinkConfig, ThinkMode, ThinkPolicy, ThinkSplitter};
//! let mut splitter = ThinkSplitter::new(ThinkConfig::new(ThinkMode::Server, ThinkPolicy::Separate));
//! let mut out = SplitOutput::default();
//! splitter.push_thinking("Simple sum.", &mut out);
//! splitter.push_content("", &mut out);
//! splitter.push_content("2 + 2 = 4", &mut out);
//! splitter.finish(&mut out);
//! assert_eq!((out.thinking.as_str(), out.content.as_str()), ("Simple sum.", "2 + 2 = 4"));
//! ```
//!
//! gpt-oss harmony markup, including a tool call:
//!
//! ```
//! # use ollama_proto::think::{SplitOutput, ThinkConfig, ThinkMode, ThinkPolicy, ThinkSplitter};
//! let mut splitter = ThinkSplitter::new(ThinkConfig::new(ThinkMode::Harmony, ThinkPolicy::Separate));
//! let mut out = SplitOutput::default();
//! splitter.push_content("<|channel|>analysis<|message|>Need the weather.<|end|>", &mut out);
//! splitter.push_content("<|start|>assistant<|channel|>commentary to=functions.get_weather", &mut out);
//! splitter.push_content(" <|constrain|>json<|message|>{\"city\":\"Paris\"}<|call|>", &mut out);
//! splitter.finish(&mut out);
//! assert_eq!(out.thinking, "Need the weather.");
//! assert_eq!(out.tool_calls[0].function.name, "get_weather");
//! assert_eq!(out.tool_calls[0].function.arguments["city"], "Paris");
//! ```
//!
//! `Auto` (the default) looks at the start of the text; plain text comes out at once:
//!
//! ```
//! # use ollama_proto::think::{SplitOutput, ThinkConfig, ThinkSplitter};
//! let mut splitter = ThinkSplitter::new(ThinkConfig::default());
//! let mut out = SplitOutput::default();
//! splitter.push_content("<", &mut out);
//! assert!(out.is_empty()); // could still become `<think>`
//! splitter.push_content("b>Bold</b>", &mut out);
//! assert_eq!(out.content, "<b>Bold</b>");
//! ```
//!
//! # Policies
//!
//! ```
//! # use ollama_proto::think::{SplitOutput, TagPair, ThinkConfig, ThinkMode, ThinkPolicy, ThinkSplitter};
//! let run = |policy| {
//!     let mode = ThinkMode::Tags(TagPair::default());
//!     let mut splitter = ThinkSplitter::new(ThinkConfig::new(mode, policy));
//!     let mut out = SplitOutput::default();
//!     splitter.push_thinking("From the field. ", &mut out);
//!     splitter.push_content("<think>Inline.</think>Yes.", &mut out);
//!     splitter.finish(&mut out);
//!     (out.thinking, out.content)
//! };
//! // Separate (default): reasoning apart from the answer.
//! assert_eq!(run(ThinkPolicy::Separate), ("From the field. Inline.".into(), "Yes.".into()));
//! // Hide: the answer alone, whether reasoning came as a field or inline.
//! assert_eq!(run(ThinkPolicy::Hide), ("".into(), "Yes.".into()));
//! // Raw: the field still goes to `thinking`, but content is not split at all.
//! assert_eq!(
//!     run(ThinkPolicy::Raw),
//!     ("From the field. ".into(), "<think>Inline.</think>Yes.".into())
//! );
//! ```
//!
//! # Rules the splitter decides
//!
//! - **Nothing is lost at `done`.** The server drops a held-back partial tag, whitespace-only
//!   output and a prefix of the opening tag; [`ThinkSplitter::finish`] emits them instead: as
//!   content when no reasoning block was open (leading whitespace, `<thi`), as thinking when one
//!   was (a partial `</thi`, or a partial `<think>` in prefilled mode). Whitespace dropped by the
//!   tag rules (right after `<think>` and after `</think>`) stays dropped.
//! - **Auto detection.** Harmony when the content starts, at its very first byte, with
//!   `<|start|>`, `<|channel|>` or `<|message|>`; tags when it starts with `<think>` after optional
//!   whitespace; plain otherwise, decided at the first byte that rules the others out. Only
//!   `<think>`/`</think>` are recognised (use [`ThinkMode::Tags`] for other pairs or a prefilled
//!   block; a bare `</think>` without an opening tag stays content). Once a `thinking` field
//!   arrives, content not yet decided is plain: the server is separating reasoning itself.
//! - **Harmony** keeps text the server would drop (outside any message, or an unfinished header
//!   at the end) as content, and turns each message with a recipient into a tool call when it
//!   ends; a body that is not a JSON object stays content, verbatim.
//!
//! # Think request values
//!
//! To have the client choose all of the below for each model and server version, set a
//! [`Reasoning`](crate::reasoning::Reasoning) intent on the request instead of `think`.
//!
//! The request's `think` field (the `crate::types::Think` type) is a bool, a level string, or
//! (upstream PR 17566) a token budget:
//!
//! - `true`/`false` turn thinking on or off on most models (qwen3, deepseek-r1, …); a level
//!   string there simply means "on". Leaving it unset lets the server turn thinking **on** for
//!   models that can think.
//! - Levels `"low"`, `"medium"`, `"high"` matter only for gpt-oss (and a few effort-aware
//!   renderers). On gpt-oss `true` means `"medium"`, `"max"` is mapped to `"high"`, and `false`
//!   is ignored: gpt-oss always reasons, so use [`ThinkPolicy::Hide`] to get the answer alone.
//! - `"max"` is only accepted by servers newer than v0.22 (older ones reply 400
//!   `invalid think value`); v0.9–v0.11 servers accept only a bool (a string is a 400 JSON type
//!   error); servers before v0.9 ignore `think` and put `<think>` tags inline, which
//!   [`ThinkMode::Auto`] handles.
//! - A model without the thinking capability answers an enabled `think` with 400
//!   `"<model>" does not support thinking`; `crate::Error::is_thinking_unsupported()` recognises
//!   it. Retry the same request with `think` unset (or `false`, always accepted); keep
//!   [`ThinkMode::Auto`] so inline tags are still split if the model emits them anyway.
//!
//! The request side lives in [`crate::request`]: Qwen3's prompt-level soft switch is
//! [`apply_soft_switch`](crate::types::soft_switch::apply_soft_switch), and dropping old reasoning from
//! history is [`strip_think_blocks`](crate::types::soft_switch::strip_think_blocks).

mod config;
mod harmony;
mod output;
mod splitter;
mod tags;

pub use config::{TagPair, ThinkConfig, ThinkMode, ThinkPolicy};
pub use output::SplitOutput;
pub use splitter::ThinkSplitter;

//! `POST /api/chat`: the request and the (final or streamed) response object.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{DoneReason, Format, KeepAlive, Logprob, Message, Metrics, Options, Think, Tool};

/// A chat request (reference §3.2).
///
/// There is no `stream` field: sending the request itself asks for one JSON object
/// (`"stream":false`), sending [`Streaming`](crate::request::Streaming)`(request)` asks for an
/// NDJSON stream (`"stream":true`). Unset fields are left out of the JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatRequest {
    /// Model name, e.g. `qwen3:8b`. Must not be empty.
    pub model: String,
    /// The conversation so far. Always sent (an empty list only loads the model).
    #[serde(default, deserialize_with = "super::models::null_as_default")]
    pub messages: Vec<Message>,
    /// Tools the model may call.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tools: Vec<Tool>,
    /// Structured output (`"json"` or a JSON Schema). `""` on the wire reads as unset.
    #[serde(
        default,
        deserialize_with = "super::format::optional::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub format: Option<Format>,
    /// Runtime options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
    /// Thinking switch or level (see [`Think`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub think: Option<Think>,
    /// A reasoning intent, resolved by the client for the model and server at hand when `think`
    /// is unset (see [`crate::reasoning`]). Never sent as such.
    #[serde(skip)]
    pub reasoning: Option<crate::reasoning::Reasoning>,
    /// How long to keep the model loaded afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive: Option<KeepAlive>,
    /// Drop the oldest messages when the prompt is too long (server default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncate: Option<bool>,
    /// Shift the context at its limit instead of stopping (server default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<bool>,
    /// Return token log-probabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<bool>,
    /// How many alternatives per token (0–20) with `logprobs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
    /// Debug: render the prompt only, run no inference (servers ≥ v0.11.5).
    #[serde(
        default,
        rename = "_debug_render_only",
        skip_serializing_if = "Option::is_none"
    )]
    pub debug_render_only: Option<bool>,
}

impl ChatRequest {
    /// A request for `model` with a conversation.
    pub fn new(model: impl Into<String>, messages: impl IntoIterator<Item = Message>) -> Self {
        Self {
            model: model.into(),
            messages: messages.into_iter().collect(),
            tools: Vec::new(),
            format: None,
            options: None,
            think: None,
            reasoning: None,
            keep_alive: None,
            truncate: None,
            shift: None,
            logprobs: None,
            top_logprobs: None,
            debug_render_only: None,
        }
    }

    /// The model name.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The conversation.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The conversation, to append the assistant's answer and the next user turn.
    pub fn messages_mut(&mut self) -> &mut Vec<Message> {
        &mut self.messages
    }

    /// Appends a message.
    pub fn message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    /// Adds a tool.
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Replaces the tools.
    pub fn tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        self.tools = tools.into_iter().collect();
        self
    }

    /// Sets the output format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Sets the runtime options.
    pub fn options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }

    /// Sets `think` (`true`/`false` or a [`ThinkLevel`](super::ThinkLevel)).
    pub fn think(mut self, think: impl Into<Think>) -> Self {
        self.think = Some(think.into());
        self
    }

    /// Sets a reasoning intent: the client chooses `think` (or the soft switch) for the model
    /// and server, and hides or separates the reasoning (see [`crate::reasoning`]). An explicit
    /// [`think`](Self::think) wins over it.
    pub fn reasoning(mut self, intent: crate::reasoning::Reasoning) -> Self {
        self.reasoning = Some(intent);
        self
    }

    /// Qwen3 soft switch: puts `/think` or `/no_think` on the latest system or user message
    /// (replacing an earlier switch there) **and** sets `think` to match, which is what keeps
    /// the switch reliable mid-conversation. See [`apply_soft_switch`](super::soft_switch::apply_soft_switch).
    ///
    /// ```
    /// use ollama_proto::types::{ChatRequest, Message, Think};
    ///
    /// let req = ChatRequest::new("qwen3:8b", vec![Message::user("Hi")])
    ///     .qwen3_soft_switch(false)
    ///     .qwen3_soft_switch(false);
    /// assert_eq!(req.messages[0].content, "Hi /no_think");
    /// assert_eq!(req.think, Some(Think::Enabled(false)));
    /// ```
    pub fn qwen3_soft_switch(mut self, enable: bool) -> Self {
        super::soft_switch::apply_soft_switch(&mut self.messages, enable);
        self.think = Some(Think::Enabled(enable));
        self
    }

    /// Sets `keep_alive` (a [`KeepAlive`] or a [`std::time::Duration`]).
    pub fn keep_alive(mut self, keep_alive: impl Into<KeepAlive>) -> Self {
        self.keep_alive = Some(keep_alive.into());
        self
    }

    /// Sets `truncate`.
    pub fn truncate(mut self, truncate: bool) -> Self {
        self.truncate = Some(truncate);
        self
    }

    /// Sets `shift`.
    pub fn shift(mut self, shift: bool) -> Self {
        self.shift = Some(shift);
        self
    }

    /// Sets `logprobs`.
    pub fn logprobs(mut self, logprobs: bool) -> Self {
        self.logprobs = Some(logprobs);
        self
    }

    /// Sets `top_logprobs` (0–20; the server rejects more).
    pub fn top_logprobs(mut self, n: u32) -> Self {
        self.top_logprobs = Some(n);
        self
    }

    /// Sets `_debug_render_only`.
    pub fn debug_render_only(mut self, on: bool) -> Self {
        self.debug_render_only = Some(on);
        self
    }
}

/// A chat response: the whole answer (`stream:false`) or one chunk of a stream.
///
/// Lenient: unknown fields are ignored and everything but `message` has a default, because the
/// server omits zero values and ollama.com reports fewer metrics than a local server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatResponse {
    /// The model name as requested.
    #[serde(default)]
    pub model: String,
    /// RFC 3339 timestamp with 0–9 fraction digits, kept as sent.
    #[serde(default)]
    pub created_at: String,
    /// The assistant message (a delta when streaming): content, thinking, tool calls.
    pub message: Message,
    /// `true` on the final object.
    #[serde(default)]
    pub done: bool,
    /// Why generation stopped (final object only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_reason: Option<DoneReason>,
    /// Timings and counts (final object only).
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Token log-probabilities, when requested.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub logprobs: Vec<Logprob>,
    /// The thinking budget as sent (`think` or `options.think_budget`), echoed on the final
    /// object by servers with budgets (upstream PR 17566; absent elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub think_budget: Option<Think>,
    /// The thinking budget in tokens the server resolved it to (a level becomes a share of the
    /// output window), on the final object (PR 17566).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub think_budget_tokens: Option<u64>,
    /// The upstream model, for remote stub models proxied by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_model: Option<String>,
    /// The upstream host, for remote stub models proxied by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_host: Option<String>,
    /// What the client did with the call's reasoning intent (set by the client, never
    /// decoded or sent).
    #[serde(skip)]
    pub reasoning: Option<crate::reasoning::ReasoningApplied>,
    /// Debug-render output (`_debug_info`), kept as JSON.
    #[serde(
        default,
        rename = "_debug_info",
        skip_serializing_if = "Option::is_none"
    )]
    pub debug_info: Option<Value>,
}

impl ChatResponse {
    /// A response carrying `message`, everything else empty.
    pub fn new(message: Message) -> Self {
        Self {
            model: String::new(),
            created_at: String::new(),
            message,
            done: false,
            done_reason: None,
            metrics: Metrics::default(),
            logprobs: Vec::new(),
            think_budget: None,
            think_budget_tokens: None,
            reasoning: None,
            remote_model: None,
            remote_host: None,
            debug_info: None,
        }
    }
}

//! `POST /api/generate`: raw completion with a prompt.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{DoneReason, Format, Image, KeepAlive, Logprob, Metrics, Options, Think, ToolCall};

/// A generate request (reference §3.1). Like [`ChatRequest`](super::ChatRequest) it has no
/// `stream` field: wrap it in [`Streaming`](crate::request::Streaming) to stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GenerateRequest {
    /// Model name. Must not be empty.
    pub model: String,
    /// The prompt. Empty (with no other input) only loads the model. Always sent.
    #[serde(default)]
    pub prompt: String,
    /// Text after the insertion point (fill-in-the-middle; needs the `insert` capability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Replaces the Modelfile's system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Replaces the Modelfile's template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Deprecated: the `context` of an earlier response, to continue it.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub context: Vec<i64>,
    /// Skip templating (incompatible with `template`, `system` and `context`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<bool>,
    /// Structured output. `""` on the wire reads as unset.
    #[serde(
        default,
        deserialize_with = "super::format::optional::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub format: Option<Format>,
    /// Images for vision models.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub images: Vec<Image>,
    /// Runtime options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
    /// Thinking switch or level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub think: Option<Think>,
    /// A reasoning intent, resolved by the client for the model and server at hand when `think`
    /// is unset (see [`crate::reasoning`]). Never sent as such.
    #[serde(skip)]
    pub reasoning: Option<crate::reasoning::Reasoning>,
    /// How long to keep the model loaded afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive: Option<KeepAlive>,
    /// Trim the prompt when it exceeds the context (server default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncate: Option<bool>,
    /// Shift the context at its limit (server default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<bool>,
    /// Return token log-probabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<bool>,
    /// Alternatives per token (0–20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
    /// Debug: render the prompt only.
    #[serde(
        default,
        rename = "_debug_render_only",
        skip_serializing_if = "Option::is_none"
    )]
    pub debug_render_only: Option<bool>,
}

macro_rules! opt_setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = Some(value);
                self
            }
        )*
    };
}

impl GenerateRequest {
    /// A request for `model` with a prompt.
    pub fn new(model: impl Into<String>, prompt: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            prompt: prompt.into(),
            suffix: None,
            system: None,
            template: None,
            context: Vec::new(),
            raw: None,
            format: None,
            images: Vec::new(),
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

    /// Sets the suffix.
    pub fn suffix(mut self, suffix: impl Into<String>) -> Self {
        self.suffix = Some(suffix.into());
        self
    }

    /// Sets the system prompt.
    pub fn system(mut self, system: impl Into<String>) -> Self {
        self.system = Some(system.into());
        self
    }

    /// Sets the template.
    pub fn template(mut self, template: impl Into<String>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// Sets the (deprecated) context of an earlier response.
    pub fn context(mut self, context: impl Into<Vec<i64>>) -> Self {
        self.context = context.into();
        self
    }

    /// Adds an image.
    pub fn image(mut self, image: Image) -> Self {
        self.images.push(image);
        self
    }

    /// Sets `think` (`true`/`false` or a level).
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

    /// Sets `keep_alive` (a [`KeepAlive`] or a [`std::time::Duration`]).
    pub fn keep_alive(mut self, keep_alive: impl Into<KeepAlive>) -> Self {
        self.keep_alive = Some(keep_alive.into());
        self
    }

    opt_setters! {
        /// Sets `raw`.
        raw: bool;
        /// Sets the output format.
        format: Format;
        /// Sets the runtime options.
        options: Options;
        /// Sets `truncate`.
        truncate: bool;
        /// Sets `shift`.
        shift: bool;
        /// Sets `logprobs`.
        logprobs: bool;
        /// Sets `top_logprobs` (0–20).
        top_logprobs: u32;
        /// Sets `_debug_render_only`.
        debug_render_only: bool;
    }
}

/// A generate response: the whole answer or one stream chunk. Lenient like
/// [`ChatResponse`](super::ChatResponse).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GenerateResponse {
    /// The model name as requested.
    #[serde(default)]
    pub model: String,
    /// RFC 3339 timestamp, kept as sent.
    #[serde(default)]
    pub created_at: String,
    /// Answer text (a delta when streaming). The final chunk can carry text too.
    #[serde(default)]
    pub response: String,
    /// Reasoning text, for thinking models the server splits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<String>,
    /// `true` on the final object.
    #[serde(default)]
    pub done: bool,
    /// Why generation stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_reason: Option<DoneReason>,
    /// Token context (final object, not in raw mode). Deprecated by the server.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub context: Vec<i64>,
    /// Timings and counts (final object only).
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Tool calls found by a built-in parser (rare on generate).
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tool_calls: Vec<ToolCall>,
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
    /// The upstream model, for remote stub models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_model: Option<String>,
    /// The upstream host, for remote stub models.
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

//! Telemetry that dashboards understand: one span per call in the OpenTelemetry GenAI semantic
//! conventions, streaming latency measured on the runtime's clock, and (feature `otel-metrics`)
//! the GenAI client metrics.
//!
//! Every call made through a [`Client`](crate::Client), on every transport, opens one `tracing`
//! span named `ollama_request` whose `otel.name` is `{gen_ai.operation.name} {model}` (what
//! `tracing-opentelemetry` exports as the span name), of kind `client`. It carries the
//! attributes below when they are known; an attribute that does not apply is not recorded.
//! When no subscriber listens to the span, nothing below runs: no request parsing, no clock
//! reads, no allocation.
//!
//! | Attribute | Value |
//! | --- | --- |
//! | `gen_ai.operation.name` | `chat`, `text_completion` (generate), `embeddings`; model management: `pull`, `push`, `create`, `copy`, `delete`, `show`, `list_models`, `list_running`, `version`, `blob`, `web_search`, `web_fetch` |
//! | `gen_ai.provider.name` | `ollama` |
//! | `gen_ai.request.model`, `gen_ai.response.model` | the model asked for, the model that answered |
//! | `gen_ai.request.stream` | whether the answer was streamed (chat, generate) |
//! | `gen_ai.request.temperature`, `top_p`, `top_k`, `seed`, `frequency_penalty`, `presence_penalty` | the request's options, when set |
//! | `gen_ai.request.max_tokens` | `num_predict`, when set |
//! | `gen_ai.request.stop_sequences` | `stop`, as a JSON array text |
//! | `gen_ai.output.type` | `json` when a `format` is asked for |
//! | `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens` | `prompt_eval_count`, `eval_count` |
//! | `gen_ai.response.finish_reasons` | `done_reason`, as a JSON array text (`["stop"]`, `["length"]` when the answer was cut) |
//! | `gen_ai.response.time_to_first_chunk` | streams: seconds from the call's start to the first content or thinking text |
//! | `gen_ai.embeddings.dimension.count` | embed: the length of a vector |
//! | `server.address`, `server.port` | the server of the base URL (behind any proxy) |
//! | `http.response.status_code` | the last response status |
//! | `error.type` | the status code of an error status (`"500"`), else the error's kind (`timeout.idle`, `connect`, `protocol.truncated`, …); `otel.status_code` is then `ERROR` |
//! | `ollama.time_per_output_token` | streams: seconds from the first content or thinking text to the final object, over the output tokens after the first |
//! | `ollama.tokens_per_second` | the server's own generation speed (`eval_count / eval_duration`) |
//! | `ollama.attempts` | attempts made (retries included) |
//! | `ollama.cancelled` | `true` when a stream was dropped before its end (no `error.type`: the caller chose to stop) |
//! | `ollama.reasoning.think` | with a [`Reasoning`](crate::reasoning::Reasoning) intent: the `think` the answer was made with (`none`: left out) |
//! | `ollama.reasoning.hidden` | with an intent: reasoning was filtered out of the output |
//! | `ollama.reasoning.fallback` | with an intent: a 400 about `think` was answered by the one fallback retry |
//! | `gen_ai.input.messages`, `gen_ai.system_instructions`, `gen_ai.output.messages` | only with [`TelemetryConfig::capture_content`]: the conventions' JSON message format, every text cut to the configured bound |
//!
//! The conventions followed are the GenAI semantic conventions as of semantic-conventions
//! v1.41 (the latest experimental version): this crate never emitted an older version, so by
//! the conventions' own transition rules it starts at the latest. When the conventions change
//! again, the version emitted by default stays and the newer one is emitted when
//! `OTEL_SEMCONV_STABILITY_OPT_IN` lists `gen_ai_latest_experimental`.

mod answer;
mod content;
#[cfg(feature = "otel-metrics")]
mod metrics;
mod operation;
mod request_view;
pub(crate) mod span;

pub(crate) use answer::Answer;
#[cfg(feature = "otel-metrics")]
pub use metrics::GenAiMetrics;
pub use operation::operation_name;

/// The longest text kept of one captured message by default, in bytes.
pub const DEFAULT_MAX_CONTENT_BYTES: usize = 4096;

/// What the telemetry of a client records beyond the default attributes.
///
/// By default no prompt or answer text is ever recorded. [`TelemetryConfig::capture_content`]
/// opts in; every text is then cut at [`TelemetryConfig::max_content_bytes`] (at a character
/// boundary, marked with `…`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TelemetryConfig {
    /// Record `gen_ai.input.messages`, `gen_ai.system_instructions` and
    /// `gen_ai.output.messages` (prompt and answer text). Off by default.
    pub capture_content: bool,
    /// The longest text kept of one message part when capturing content, in bytes.
    pub max_content_bytes: usize,
    /// The GenAI client metrics are recorded here (no global meter provider is used).
    #[cfg(feature = "otel-metrics")]
    pub metrics: Option<GenAiMetrics>,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            capture_content: false,
            max_content_bytes: DEFAULT_MAX_CONTENT_BYTES,
            #[cfg(feature = "otel-metrics")]
            metrics: None,
        }
    }
}

impl TelemetryConfig {
    /// The defaults: no content, no metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records prompt and answer text, each text cut at `max_bytes`.
    #[must_use]
    pub fn capture_content(mut self, max_bytes: usize) -> Self {
        self.capture_content = true;
        self.max_content_bytes = max_bytes;
        self
    }

    /// Records the GenAI client metrics into `metrics`.
    #[cfg(feature = "otel-metrics")]
    #[must_use]
    pub fn metrics(mut self, metrics: GenAiMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Whether anything is recorded without a span listening (metrics).
    pub(crate) fn always_on(&self) -> bool {
        #[cfg(feature = "otel-metrics")]
        {
            self.metrics.is_some()
        }
        #[cfg(not(feature = "otel-metrics"))]
        {
            false
        }
    }
}

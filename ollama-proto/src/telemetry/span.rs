//! [`CallSpan`]: the span of one call and what it records, the same on every transport. All
//! times come from the runtime's clock, passed in.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tracing::Span;
use tracing::field::Empty;

use super::answer::Answer;
use super::content::{self, Captured};
use super::operation::operation_name;
use super::request_view::{RequestText, RequestView};
use crate::client_config::ClientConfig;
use crate::client_error::ClientError;
use crate::event::Event;
use crate::exchange::CallInfo;
use crate::types::DoneReason;

/// The span of one call, with the streaming timings and the answer's facts gathered until it
/// ends. Inert (no clock read, no parsing) when no subscriber listens and no metrics are on.
#[derive(Debug)]
pub(crate) struct CallSpan {
    span: Span,
    /// A subscriber listens to the span.
    listening: bool,
    /// The span listens or metrics are on: timings are taken.
    active: bool,
    operation: &'static str,
    started: Instant,
    first_chunk: Option<Instant>,
    done_at: Option<Instant>,
    done_reason: Option<DoneReason>,
    response_model: Option<String>,
    error_type: Option<String>,
    /// Embeddings: input tokens from the answer (chat and generate: the call's metrics).
    input_tokens: Option<u64>,
    captured: Option<Captured>,
    max_content: usize,
    ended: bool,
    #[cfg(feature = "otel-metrics")]
    metrics: Option<super::metrics::Recorder>,
}

impl CallSpan {
    /// Opens the span of the call `info`, sending `request`, started at `started`.
    pub(crate) fn start(
        config: &ClientConfig,
        info: &CallInfo,
        request: &http::Request<Bytes>,
        started: Instant,
    ) -> Self {
        let operation = operation_name(&info.path);
        let span = tracing::info_span!(
            "ollama_request",
            otel.name = Empty,
            otel.kind = "client",
            otel.status_code = Empty,
            gen_ai.operation.name = operation,
            gen_ai.provider.name = "ollama",
            gen_ai.request.model = Empty,
            gen_ai.request.stream = Empty,
            gen_ai.request.temperature = Empty,
            gen_ai.request.top_p = Empty,
            gen_ai.request.top_k = Empty,
            gen_ai.request.max_tokens = Empty,
            gen_ai.request.seed = Empty,
            gen_ai.request.stop_sequences = Empty,
            gen_ai.request.frequency_penalty = Empty,
            gen_ai.request.presence_penalty = Empty,
            gen_ai.output.type = Empty,
            gen_ai.response.model = Empty,
            gen_ai.response.finish_reasons = Empty,
            gen_ai.response.time_to_first_chunk = Empty,
            gen_ai.usage.input_tokens = Empty,
            gen_ai.usage.output_tokens = Empty,
            gen_ai.embeddings.dimension.count = Empty,
            server.address = Empty,
            server.port = Empty,
            error.type = Empty,
            ollama.time_per_output_token = Empty,
            ollama.tokens_per_second = Empty,
            ollama.attempts = Empty,
            ollama.cancelled = Empty,
            ollama.reasoning.think = Empty,
            ollama.reasoning.hidden = Empty,
            ollama.reasoning.fallback = Empty,
            gen_ai.input.messages = Empty,
            gen_ai.system_instructions = Empty,
            gen_ai.output.messages = Empty,
        );
        let listening = !span.is_disabled();
        let telemetry = &config.telemetry;
        let mut this = Self {
            span,
            listening,
            active: listening || telemetry.always_on(),
            operation,
            started,
            first_chunk: None,
            done_at: None,
            done_reason: None,
            response_model: None,
            error_type: None,
            input_tokens: None,
            captured: None,
            max_content: telemetry.max_content_bytes,
            ended: false,
            #[cfg(feature = "otel-metrics")]
            metrics: None,
        };
        #[cfg(feature = "otel-metrics")]
        if let Some(m) = &telemetry.metrics {
            this.metrics = Some(m.recorder(operation, info, &config.request.base_url));
        }
        if listening {
            this.describe(config, info, request.body());
        }
        this
    }

    /// The request's side: name, model, server, options, and (opted in) its text.
    fn describe(&mut self, config: &ClientConfig, info: &CallInfo, body: &[u8]) {
        let span = &self.span;
        match &info.model {
            Some(model) => {
                span.record("otel.name", format!("{} {model}", self.operation));
                span.record("gen_ai.request.model", model.as_str());
            }
            None => {
                span.record("otel.name", self.operation);
            }
        }
        let base = &config.request.base_url;
        span.record("server.address", base.host());
        span.record("server.port", i64::from(base.port()));
        let view = RequestView::parse(body);
        if let Some(stream) = view.stream {
            span.record("gen_ai.request.stream", stream);
        }
        if view.format.is_some() {
            span.record("gen_ai.output.type", "json");
        }
        if let Some(o) = view.options {
            record_some(span, "gen_ai.request.temperature", o.temperature);
            record_some(span, "gen_ai.request.top_p", o.top_p);
            record_some(span, "gen_ai.request.top_k", o.top_k);
            record_some(span, "gen_ai.request.max_tokens", o.num_predict);
            record_some(span, "gen_ai.request.seed", o.seed);
            record_some(
                span,
                "gen_ai.request.frequency_penalty",
                o.frequency_penalty,
            );
            record_some(span, "gen_ai.request.presence_penalty", o.presence_penalty);
            if let Some(stop) = o.stop {
                let text = serde_json::Value::from(stop).to_string();
                span.record("gen_ai.request.stop_sequences", text);
            }
        }
        if config.telemetry.capture_content {
            let (messages, system) = content::input(&RequestText::parse(body), self.max_content);
            if let Some(m) = messages {
                span.record("gen_ai.input.messages", m);
            }
            if let Some(s) = system {
                span.record("gen_ai.system_instructions", s);
            }
            self.captured = Some(Captured::default());
        }
    }

    /// The span, to instrument the call's IO with.
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// An event of a stream was handed out; `now` reads the runtime's clock (only when needed).
    pub(crate) fn on_event(&mut self, event: &Event<'_>, now: impl FnOnce() -> Instant) {
        if !self.active {
            return;
        }
        match event {
            Event::Content(text) | Event::Thinking(text) if !text.is_empty() => {
                if self.first_chunk.is_none() {
                    let at = now();
                    self.first_chunk = Some(at);
                    if self.listening {
                        let ttfc = at.saturating_duration_since(self.started).as_secs_f64();
                        self.span
                            .record("gen_ai.response.time_to_first_chunk", ttfc);
                    }
                }
                if let Some(c) = &mut self.captured {
                    let buffer = match event {
                        Event::Thinking(_) => &mut c.reasoning,
                        _ => &mut c.content,
                    };
                    Captured::push(buffer, text, self.max_content);
                }
            }
            Event::Done(completion) => {
                self.done_at = Some(now());
                self.done_reason = completion.done_reason.clone();
                if !completion.model.is_empty() {
                    self.response_model = Some(completion.model.clone());
                }
            }
            _ => {}
        }
    }

    /// A stream failed with `error` (the span ends later, with [`CallSpan::finish`]).
    pub(crate) fn on_stream_error(&mut self, error: &ClientError) {
        if self.error_type.is_none() {
            self.error_type = Some(error_type(error));
        }
        tracing::debug!(parent: &self.span, error = %error, "stream failed");
    }

    /// The decoded answer of a single call.
    pub(crate) fn on_answer(&mut self, answer: &Answer<'_>) {
        if !self.active {
            return;
        }
        self.done_reason = answer.done_reason.cloned();
        self.response_model = answer.model.map(str::to_owned);
        self.input_tokens = answer.input_tokens;
        if let (true, Some(n)) = (self.listening, answer.dimensions) {
            self.span
                .record("gen_ai.embeddings.dimension.count", int(n as u64));
        }
        if let Some(c) = &mut self.captured {
            Captured::push(&mut c.content, answer.content, self.max_content);
            Captured::push(&mut c.reasoning, answer.reasoning, self.max_content);
        }
    }

    /// The stream was dropped before its end.
    pub(crate) fn cancel(&mut self, info: &CallInfo, now: Instant) {
        self.span.record("ollama.cancelled", true);
        self.done_reason = None;
        self.finish(info, None, now);
    }

    /// The call ended at `now`, with `error` or not: records how, once.
    pub(crate) fn finish(&mut self, info: &CallInfo, error: Option<&ClientError>, now: Instant) {
        if self.ended {
            return;
        }
        self.ended = true;
        if let Some(e) = error {
            if self.error_type.is_none() {
                self.error_type = Some(error_type(e));
            }
            tracing::debug!(parent: &self.span, error = %e, "request failed");
        }
        if !self.active {
            return;
        }
        let usage = Usage {
            input: (info.metrics.as_ref())
                .and_then(|m| m.prompt_eval_count)
                .or(self.input_tokens),
            output: info.metrics.as_ref().and_then(|m| m.eval_count),
        };
        let time_per_token = self.time_per_output_token(usage.output);
        if self.listening {
            self.record_end(info, usage, time_per_token);
        }
        #[cfg(feature = "otel-metrics")]
        if let Some(m) = &self.metrics {
            m.record(&super::metrics::Ended {
                duration: now.saturating_duration_since(self.started),
                time_to_first_chunk: self
                    .first_chunk
                    .map(|at| at.saturating_duration_since(self.started)),
                time_per_output_chunk: time_per_token,
                input_tokens: usage.input,
                output_tokens: usage.output,
                response_model: self.response_model.as_deref(),
                error_type: self.error_type.as_deref(),
            });
        }
        #[cfg(not(feature = "otel-metrics"))]
        let _ = now;
    }

    fn record_end(&self, info: &CallInfo, usage: Usage, time_per_token: Option<Duration>) {
        let span = &self.span;
        span.record("ollama.attempts", i64::from(info.attempts));
        if let Some(r) = &info.reasoning {
            let think = r
                .think
                .as_ref()
                .map_or_else(|| "none".to_owned(), ToString::to_string);
            span.record("ollama.reasoning.think", think);
            span.record("ollama.reasoning.hidden", r.reasoning_hidden);
            span.record("ollama.reasoning.fallback", r.fallback.is_some());
        }
        if let Some(model) = &self.response_model {
            span.record("gen_ai.response.model", model.as_str());
        }
        record_some(span, "gen_ai.usage.input_tokens", usage.input.map(int));
        record_some(span, "gen_ai.usage.output_tokens", usage.output.map(int));
        if let Some(m) = &info.metrics {
            if let Some(tps) = m.tokens_per_second() {
                span.record("ollama.tokens_per_second", (tps * 10.0).round() / 10.0);
            }
        }
        if let Some(d) = time_per_token {
            span.record("ollama.time_per_output_token", d.as_secs_f64());
        }
        let reason = self.done_reason.as_ref().map(DoneReason::as_str);
        if let Some(reason) = reason {
            let text = serde_json::Value::from(vec![reason]).to_string();
            span.record("gen_ai.response.finish_reasons", text);
        }
        if let Some(c) = &self.captured {
            if self.error_type.is_none() && !(c.content.is_empty() && c.reasoning.is_empty()) {
                let out = content::output(&c.content, &c.reasoning, reason, self.max_content);
                span.record("gen_ai.output.messages", out);
            }
        }
        if let Some(t) = &self.error_type {
            span.record("error.type", t.as_str());
            span.record("otel.status_code", "ERROR");
        }
    }

    /// From the first content or thinking text to the final object, per output token after
    /// the first.
    fn time_per_output_token(&self, output_tokens: Option<u64>) -> Option<Duration> {
        let (first, done) = (self.first_chunk?, self.done_at?);
        let after_first = u32::try_from(output_tokens?.checked_sub(1)?).ok()?;
        if after_first == 0 {
            return None;
        }
        Some(done.saturating_duration_since(first) / after_first)
    }
}

/// Input and output tokens of a call.
#[derive(Debug, Clone, Copy)]
struct Usage {
    input: Option<u64>,
    output: Option<u64>,
}

fn record_some<V: tracing::Value>(span: &Span, field: &str, value: Option<V>) {
    if let Some(v) = value {
        span.record(field, v);
    }
}

/// Integers are recorded as `i64`: `tracing-opentelemetry` exports an `i64` as an integer
/// attribute, a `u64` as text.
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `error.type`: the status code of an error status (as the conventions suggest), else the
/// error's kind.
fn error_type(error: &ClientError) -> String {
    match error.status() {
        Some(s) => s.status.to_string(),
        None => error.kind_str(),
    }
}

//! Merging a stream's events into the value a non-streaming call returns.
//!
//! Mirrors the server's own non-stream merge: content, thinking and logprobs are concatenated,
//! tool calls are collected from every chunk (the final one included), and `done_reason`,
//! metrics and `context` come from the final chunk.

use crate::event::{Completion, Event, OwnedEvent, OwnedProgress};
use crate::types::{ChatResponse, GenerateResponse, Logprob, Message, ProgressResponse, ToolCall};

/// Collects a stream's events; feed it every event, then read the merged result.
///
/// ```
/// use ollama_proto::{Accumulator, Decoder, DecoderConfig, StreamKind};
///
/// let body = br#"{"response":"4","thinking":"2+2","done":false}
/// {"response":"2","done":true,"done_reason":"stop","eval_count":2}"#;
/// let mut decoder = Decoder::new(StreamKind::Generate, DecoderConfig::default());
/// let mut acc = Accumulator::default();
/// decoder.feed(body).unwrap();
/// decoder.finish();
/// while let Some(event) = decoder.poll_event() {
///     acc.push(&event.unwrap());
/// }
/// assert_eq!(acc.content(), "42");
/// assert_eq!(acc.thinking(), "2+2");
/// assert_eq!(acc.completion().unwrap().metrics.eval_count, Some(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accumulator {
    content: String,
    thinking: String,
    tool_calls: Vec<ToolCall>,
    logprobs: Vec<Logprob>,
    progress: Option<OwnedProgress>,
    completion: Option<Completion>,
    events: u64,
}

impl Accumulator {
    /// Adds one borrowed event.
    pub fn push(&mut self, event: &Event<'_>) {
        self.events += 1;
        match *event {
            Event::Thinking(s) => self.thinking.push_str(s),
            Event::Content(s) => self.content.push_str(s),
            Event::ToolCalls(c) => self.tool_calls.extend_from_slice(c),
            Event::Logprobs(l) => self.logprobs.extend_from_slice(l),
            Event::Progress(p) => self.progress = Some(p.into_owned()),
            Event::Done(c) => self.completion = Some(c.clone()),
        }
    }

    /// Adds one owned event.
    pub fn push_owned(&mut self, event: OwnedEvent) {
        self.events += 1;
        match event {
            OwnedEvent::Thinking(s) => self.thinking.push_str(&s),
            OwnedEvent::Content(s) => self.content.push_str(&s),
            OwnedEvent::ToolCalls(c) => self.tool_calls.extend(c),
            OwnedEvent::Logprobs(l) => self.logprobs.extend(l),
            OwnedEvent::Progress(p) => self.progress = Some(p),
            OwnedEvent::Done(c) => self.completion = Some(*c),
        }
    }

    /// The answer so far.
    pub fn content(&self) -> &str {
        &self.content
    }

    /// The reasoning so far.
    pub fn thinking(&self) -> &str {
        &self.thinking
    }

    /// Every tool call so far, in arrival order.
    pub fn tool_calls(&self) -> &[ToolCall] {
        &self.tool_calls
    }

    /// Every logprob so far.
    pub fn logprobs(&self) -> &[Logprob] {
        &self.logprobs
    }

    /// The latest progress line (pull/push/create).
    pub fn progress(&self) -> Option<&OwnedProgress> {
        self.progress.as_ref()
    }

    /// The completion, once the terminal object was seen.
    pub fn completion(&self) -> Option<&Completion> {
        self.completion.as_ref()
    }

    /// Number of events pushed.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// `true` once the terminal object was seen.
    pub fn is_done(&self) -> bool {
        self.completion.is_some()
    }
}

impl Accumulator {
    /// The merged chat answer, as `/api/chat` with `stream: false` returns it.
    pub fn into_chat_response(self) -> ChatResponse {
        let mut message = Message::assistant(self.content);
        message.thinking = (!self.thinking.is_empty()).then_some(self.thinking);
        message.tool_calls = self.tool_calls;
        let mut r = ChatResponse::new(message);
        r.logprobs = self.logprobs;
        if let Some(c) = self.completion {
            r.done = true;
            r.model = c.model;
            r.created_at = c.created_at;
            r.done_reason = c.done_reason;
            r.metrics = c.metrics;
            r.think_budget = c.think_budget;
            r.think_budget_tokens = c.think_budget_tokens;
        }
        r
    }

    /// The merged generate answer, as `/api/generate` with `stream: false` returns it.
    pub fn into_generate_response(self) -> GenerateResponse {
        let mut r = GenerateResponse {
            response: self.content,
            thinking: (!self.thinking.is_empty()).then_some(self.thinking),
            tool_calls: self.tool_calls,
            logprobs: self.logprobs,
            ..GenerateResponse::default()
        };
        if let Some(c) = self.completion {
            r.done = true;
            r.model = c.model;
            r.created_at = c.created_at;
            r.done_reason = c.done_reason;
            r.metrics = c.metrics;
            r.context = c.context.unwrap_or_default();
            r.think_budget = c.think_budget;
            r.think_budget_tokens = c.think_budget_tokens;
        }
        r
    }

    /// The last progress object (`{"status":"success"}` on success), as `/api/pull`, `/api/push`
    /// and `/api/create` with `stream: false` return it.
    pub fn into_progress_response(self) -> ProgressResponse {
        let last = self.progress.unwrap_or_default();
        let mut r = ProgressResponse::new(last.status);
        r.digest = last.digest;
        r.total = last.total;
        r.completed = last.completed;
        r
    }
}

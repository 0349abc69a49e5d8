//! What the decoder hands out: borrowed events for the hot loop, owned ones for convenience.

use crate::types::{DoneReason, Logprob, Metrics, ToolCall};

/// One decoded event, borrowing from the decoder's reused buffers.
///
/// Valid until the next call on the decoder. Call [`Event::into_owned`] to keep it longer (or to
/// send it across an `.await` or a channel). One NDJSON line yields its events in this order:
/// `Thinking`, `Content`, `ToolCalls`, `Logprobs`, `Progress`, `Done`; empty parts are skipped.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A piece of the model's reasoning (after thinking separation).
    Thinking(&'a str),
    /// A piece of the answer (after thinking separation).
    Content(&'a str),
    /// Complete tool calls (the server never splits one call across lines).
    ToolCalls(&'a [ToolCall]),
    /// Log-probabilities of the tokens of this line.
    Logprobs(&'a [Logprob]),
    /// A pull/push/create progress line (including the final `success`).
    Progress(Progress<'a>),
    /// The stream finished normally. Always the last event.
    Done(&'a Completion),
}

impl Event<'_> {
    /// Copies the event into an [`OwnedEvent`] (another type: not [`ToOwned`], whose
    /// `to_owned` of this `Copy` type would give back an `Event`).
    pub fn into_owned(self) -> OwnedEvent {
        match self {
            Self::Thinking(s) => OwnedEvent::Thinking(s.to_owned()),
            Self::Content(s) => OwnedEvent::Content(s.to_owned()),
            Self::ToolCalls(c) => OwnedEvent::ToolCalls(c.to_vec()),
            Self::Logprobs(l) => OwnedEvent::Logprobs(l.to_vec()),
            Self::Progress(p) => OwnedEvent::Progress(p.into_owned()),
            Self::Done(c) => OwnedEvent::Done(Box::new(c.clone())),
        }
    }
}

/// An [`Event`] that owns its data.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum OwnedEvent {
    /// See [`Event::Thinking`].
    Thinking(String),
    /// See [`Event::Content`].
    Content(String),
    /// See [`Event::ToolCalls`].
    ToolCalls(Vec<ToolCall>),
    /// See [`Event::Logprobs`].
    Logprobs(Vec<Logprob>),
    /// See [`Event::Progress`].
    Progress(OwnedProgress),
    /// See [`Event::Done`].
    Done(Box<Completion>),
}

/// One progress line of `/api/pull`, `/api/push` or `/api/create`.
///
/// Match on `status == "success"` only (the decoder does it for you and then emits
/// [`Event::Done`]); other statuses are informational and change between server versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress<'a> {
    /// What the server is doing (`pulling manifest`, `pulling 1a2b3c4d5e6f`, `success`…).
    pub status: &'a str,
    /// The layer being transferred.
    pub digest: Option<&'a str>,
    /// Layer size in bytes.
    pub total: Option<u64>,
    /// Bytes done so far (absent until some bytes were counted).
    pub completed: Option<u64>,
}

impl Progress<'_> {
    /// Copies into an [`OwnedProgress`].
    pub fn into_owned(self) -> OwnedProgress {
        OwnedProgress {
            status: self.status.to_owned(),
            digest: self.digest.map(str::to_owned),
            total: self.total,
            completed: self.completed,
        }
    }

    /// Completed fraction in `0.0..=1.0`, when both sizes are known.
    pub fn fraction(&self) -> Option<f64> {
        fraction(self.completed, self.total)
    }
}

/// A [`Progress`] that owns its data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OwnedProgress {
    /// See [`Progress::status`].
    pub status: String,
    /// See [`Progress::digest`].
    pub digest: Option<String>,
    /// See [`Progress::total`].
    pub total: Option<u64>,
    /// See [`Progress::completed`].
    pub completed: Option<u64>,
}

impl OwnedProgress {
    /// Completed fraction in `0.0..=1.0`, when both sizes are known.
    pub fn fraction(&self) -> Option<f64> {
        fraction(self.completed, self.total)
    }
}

fn fraction(completed: Option<u64>, total: Option<u64>) -> Option<f64> {
    match (completed, total) {
        (Some(c), Some(t)) if t > 0 => Some((c as f64 / t as f64).min(1.0)),
        _ => None,
    }
}

/// How a stream finished: the fields of its terminal object.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Completion {
    /// Why generation stopped (absent on progress streams and on old servers).
    pub done_reason: Option<DoneReason>,
    /// Timings and token counts.
    pub metrics: Metrics,
    /// `/api/generate` only: token context for a follow-up call (deprecated by the server).
    pub context: Option<Vec<i64>>,
    /// The model name as echoed by the server.
    pub model: String,
    /// Timestamp of the final object (RFC 3339, as sent).
    pub created_at: String,
    /// Progress streams: the final status (`success`).
    pub status: Option<String>,
    /// Chat and generate: the thinking budget as sent, echoed by servers with budgets.
    pub think_budget: Option<crate::types::Think>,
    /// Chat and generate: the budget in tokens the server resolved it to.
    pub think_budget_tokens: Option<u64>,
}

//! [`ReasoningCall`]: one call's resolved reasoning, carried by its
//! [`Exchange`](crate::exchange::Exchange), and [`ReasoningApplied`], what it did.

use std::sync::Arc;

use bytes::Bytes;

use super::facts::{ModelFamily, ServerVersion};
use super::intent::Reasoning;
use super::resolve::{Lessons, fallback};
use crate::request::{Endpoint, Streaming};
use crate::types::soft_switch::apply_soft_switch;
use crate::types::{ChatRequest, GenerateRequest, Think};

/// What the client did with a call's [`Reasoning`] intent: shown on the answer
/// (`ChatResponse::reasoning`), on the stream (`EventStream::reasoning`) and on the request
/// span (`ollama.reasoning.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReasoningApplied {
    /// The intent.
    pub intent: Reasoning,
    /// The `think` value the answer was made with (after a fallback, the fallback's); `None`:
    /// the field was left out.
    pub think: Option<Think>,
    /// The Qwen3 soft switch put on the prompt, if any (`Some(false)`: `/no_think`).
    pub soft_switch: Option<bool>,
    /// Reasoning was filtered out of the output (field and inline markup alike).
    pub reasoning_hidden: bool,
    /// The one automatic retry, when the server rejected the first `think`.
    pub fallback: Option<FallbackRetry>,
    /// The server version the decision used (`None`: unknown, taken as current).
    pub server_version: Option<ServerVersion>,
    /// The model family the decision used.
    pub family: ModelFamily,
    /// Whether the model's capabilities were known (from `/api/show`).
    pub capability_known: bool,
}

/// The automatic retry after a 400 that rejected `think`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FallbackRetry {
    /// What the first attempt sent.
    pub rejected: Think,
    /// The server's message.
    pub message: String,
}

type Rebuild = Arc<dyn Fn(Option<&Think>) -> Option<Bytes> + Send + Sync>;

/// One call's resolved reasoning: changes the request ([`apply_chat`](Self::apply_chat),
/// [`apply_generate`](Self::apply_generate)), then rides along with the
/// [`Exchange`](crate::exchange::Exchange), which asks it for the one fallback retry on a 400
/// about `think` ([`on_rejected`](Self::on_rejected)) before any byte reaches the caller.
#[derive(Clone)]
pub struct ReasoningCall {
    model: String,
    applied: ReasoningApplied,
    rebuild: Option<Rebuild>,
    lessons: Option<Lessons>,
}

impl std::fmt::Debug for ReasoningCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReasoningCall")
            .field("model", &self.model)
            .field("applied", &self.applied)
            .field("lessons", &self.lessons)
            .finish_non_exhaustive()
    }
}

/// The requests whose `think` a [`ReasoningCall`] sets.
pub trait ThinkField: Endpoint + Clone + Send + Sync + 'static {
    /// Sets `think`.
    fn set_think(&mut self, think: Option<Think>);
}

impl ThinkField for ChatRequest {
    fn set_think(&mut self, think: Option<Think>) {
        self.think = think;
    }
}

impl ThinkField for GenerateRequest {
    fn set_think(&mut self, think: Option<Think>) {
        self.think = think;
    }
}

impl<R: ThinkField> ThinkField for Streaming<R>
where
    Self: Endpoint + Clone,
{
    fn set_think(&mut self, think: Option<Think>) {
        self.0.set_think(think);
    }
}

impl ReasoningCall {
    pub(super) fn new(model: &str, applied: ReasoningApplied) -> Self {
        Self {
            model: model.to_owned(),
            applied,
            rebuild: None,
            lessons: None,
        }
    }

    /// The model the call is for.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// What was applied so far.
    pub fn applied(&self) -> &ReasoningApplied {
        &self.applied
    }

    /// What a rejection taught (after [`on_rejected`](Self::on_rejected) chose a retry).
    pub fn lessons(&self) -> Option<Lessons> {
        self.lessons
    }

    /// Sets `think` on a chat request and puts the soft switch on its latest system or user
    /// message.
    pub fn apply_chat(&self, request: &mut ChatRequest) {
        request.think = self.applied.think.clone();
        if let Some(enable) = self.applied.soft_switch {
            apply_soft_switch(&mut request.messages, enable);
        }
    }

    /// Sets `think` on a generate request and puts the soft switch at the end of its prompt.
    pub fn apply_generate(&self, request: &mut GenerateRequest) {
        request.think = self.applied.think.clone();
        if let Some(enable) = self.applied.soft_switch {
            let switch = if enable { "/think" } else { "/no_think" };
            if !request.prompt.split_whitespace().any(|w| w == switch) {
                if !request.prompt.is_empty() {
                    request.prompt.push(' ');
                }
                request.prompt.push_str(switch);
            }
        }
    }

    /// Arms the fallback retry: `request` (already changed by `apply_*`) is re-encoded with
    /// another `think` when the server rejects the first.
    #[must_use]
    pub fn with_retry<E: ThinkField>(mut self, request: &E) -> Self {
        if self.applied.think.is_some() {
            let request = request.clone();
            self.rebuild = Some(Arc::new(move |think: Option<&Think>| {
                let mut request = request.clone();
                request.set_think(think.cloned());
                request.body().ok().flatten().map(|b| b.bytes)
            }));
        }
        self
    }

    /// A 400 with `message` rejected the first attempt: the body of the one retry, or `None`
    /// (not about `think`, already retried, or nothing to change). Records the fallback.
    pub fn on_rejected(&mut self, message: &str) -> Option<Bytes> {
        if self.applied.fallback.is_some() {
            return None;
        }
        let sent = self.applied.think.clone()?;
        let rebuild = self.rebuild.clone()?;
        let (next, lessons) = fallback(&sent, message, self.applied.family)?;
        let body = rebuild(next.as_ref())?;
        self.lessons = Some(lessons);
        self.applied.think = next;
        self.applied.fallback = Some(FallbackRetry {
            rejected: sent,
            message: message.to_owned(),
        });
        Some(body)
    }
}

//! [`Reasoning`]: what the caller wants from a model's reasoning, whatever the model and server.

use crate::types::ThinkLevel;

/// A per-call reasoning intent. The client turns it, for the model and the server at hand,
/// into the right `think` value (or none, or the Qwen3 soft switch) and the right output
/// policy; see the [module](super) for the table. An explicit `think` on the request wins: it
/// is sent exactly as set, and the intent is ignored.
///
/// ```
/// use ollama_proto::reasoning::Reasoning;
/// use ollama_proto::types::{ChatRequest, Message, ThinkLevel};
///
/// let quiet = ChatRequest::new("gpt-oss:20b", [Message::user("Hi")]).reasoning(Reasoning::Off);
/// let deep = ChatRequest::new("qwen3:8b", [Message::user("Why?")])
///     .reasoning(Reasoning::Effort(ThinkLevel::High));
/// assert_eq!(quiet.think, None); // decided when the call is made
/// # drop(deep);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reasoning {
    /// No reasoning in the answer: turned off where the model allows it, hidden where it
    /// does not (gpt-oss), and never leaking into the content.
    Off,
    /// Reasoning on, delivered apart from the answer (thinking events / `thinking`).
    On,
    /// Reasoning on at this effort, as near as the model and server allow.
    Effort(ThinkLevel),
    /// Reasoning on within about this many tokens: a budget where the server takes budgets,
    /// else the level whose share of the output window covers it.
    Budget(u32),
}

impl Reasoning {
    /// `false` only for [`Reasoning::Off`].
    pub fn wants_reasoning(&self) -> bool {
        !matches!(self, Self::Off)
    }
}

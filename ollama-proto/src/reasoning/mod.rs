//! Reasoning that just works: one per-call intent ([`Reasoning`]) that the client turns, for
//! the model and the server at hand, into the right request and the right output policy.
//!
//! ```ignore
//! let answer = client
//!     .chat(ChatRequest::new("gpt-oss:20b", [Message::user("Hi")]).reasoning(Reasoning::Off))
//!     .await?;
//! assert!(answer.message.thinking.is_none());     // hidden: gpt-oss reasons anyway
//! println!("{:?}", answer.reasoning);             // what was sent, hidden, retried
//! ```
//!
//! An explicit `think` on the request keeps meaning "send exactly this": the intent is then
//! ignored, nothing is fetched and nothing is retried.
//!
//! # What the client learns, and what it costs
//!
//! The resolution reads the server's version (`GET /api/version`) and the model's family and
//! capabilities (`POST /api/show`). A client learns them lazily, on the first call with an
//! intent, and keeps them in a [`ReasoningCache`] shared by its clones: the version once per
//! client, each model's facts once per model (at most [`MAX_MODELS`], oldest forgotten first).
//! When both are missing the two requests go out **at once** (on the async transports; one after
//! the other on the blocking one), so a call waits for at most one extra round trip per model,
//! and a later call to the same model for none. Nothing is fetched on a stream's hot path: the
//! plan is made before the request is sent, from memory. A 404 from a call forgets the model;
//! a 400 about `think` teaches the model's entry what not to send again.
//!
//! **Negotiation is on by default** for calls that carry an intent (it is what the intent asks
//! for, and a call without an intent costs nothing). Turn it off with
//! [`ClientBuilder::negotiate_reasoning(false)`](crate::ClientBuilder::negotiate_reasoning):
//! the intent is then resolved from the model's name alone, for a current server, and the
//! fallback retry still covers an older one.
//!
//! # The resolution table
//!
//! | intent | model / server | sent | output |
//! |---|---|---|---|
//! | `Off` | thinking model, v0.9+ | `think: false` | reasoning hidden (defensive) |
//! | `Off` | gpt-oss (v0.11+) | `think: "low"`: its lowest level, since it cannot stop reasoning | reasoning hidden |
//! | `Off` | qwen3 before v0.9 | no `think` (ignored there), `/no_think` on the prompt | inline tags hidden |
//! | `Off` | deepseek-r1 before v0.9 | no `think` | inline tags hidden |
//! | `Off` | a model without the thinking capability | no `think` (v0.12.4 rejected even `false`) | hidden if any appears |
//! | `On` | thinking model, v0.9+ | `think: true` | thinking events |
//! | `On`/`Effort`/`Budget` | before v0.9 | no `think` | inline tags split into thinking events |
//! | `On`/`Effort`/`Budget` | a model without the thinking capability | no `think` (an enabled value is a 400) | the plain answer |
//! | `Effort(l)` | gpt-oss, or any thinking model on v0.17.7+ | the level; `max` → `high` before v0.22; `minimal` → `low` and `xhigh` → `max` without budgets | thinking events |
//! | `Effort(l)` | other models before v0.17.7 (a level was a 400 there), v0.9–v0.10 (booleans only) | `think: true` | thinking events |
//! | `Budget(n)` | server with budgets (assumed v0.35+, PR 17566) | `think: n` | thinking events |
//! | `Budget(n)` | elsewhere | the level whose share of the output window covers `n` ([`ThinkLevel::for_budget`](crate::types::ThinkLevel::for_budget)), then as `Effort` | thinking events |
//!
//! Why: `false` is honoured by every thinking model but gpt-oss, which parses its analysis
//! channel as thinking whatever it is sent, so the least it can be asked for is `low` and the
//! rest is filtered. Servers before v0.9 ignore `think`, so only Qwen3's prompt switch reaches
//! the model, and inline `<think>` blocks are split (or hidden) by the client's
//! [`ThinkSplitter`](crate::think::ThinkSplitter). A value a server would reject is never
//! sent when the version says so; an unknown version is taken as current.
//!
//! # The one fallback retry
//!
//! When a 400 `invalid think value`, `think must be a boolean or string`, `cannot unmarshal …
//! think of type bool`, `think value "…" is not supported for this model` or `does not support
//! thinking` slips through (an unknown version, stale facts, an assumption that was wrong),
//! the [`Exchange`](crate::exchange::Exchange) retries **once**, before any byte reaches the
//! caller, with the nearest value the message allows ([`fallback`]): no `think` for a model that
//! cannot think, `high` for a rejected `max`, `low` for `minimal`, a boolean otherwise. The
//! lesson is kept for the model; a second rejection is reported as it is.
//!
//! # Visible
//!
//! [`ReasoningApplied`] says what was sent, whether reasoning was hidden and whether a fallback
//! retry happened; it is on the answer (`ChatResponse::reasoning`,
//! `GenerateResponse::reasoning`), on the stream (`EventStream::reasoning`), and on the request
//! span (`ollama.reasoning.think`, `ollama.reasoning.hidden`, `ollama.reasoning.fallback`).

mod cache;
mod call;
mod facts;
mod intent;
mod resolve;
#[cfg(test)]
mod tests;

pub use cache::{MAX_MODELS, Needs, ReasoningCache};
pub use call::{FallbackRetry, ReasoningApplied, ReasoningCall, ThinkField};
pub use facts::{ModelFacts, ModelFamily, ServerVersion};
pub use intent::Reasoning;
pub use resolve::{Facts, Lessons, Resolution, fallback, resolve};

/// The output window a budget is measured against when the request sets none: the smaller of
/// positive `num_predict` and `num_ctx`, else 4096 tokens.
pub fn output_window(options: Option<&crate::types::Options>) -> u32 {
    const DEFAULT: u32 = 4096;
    let positive = |v: Option<i64>| v.filter(|&n| n > 0).and_then(|n| u32::try_from(n).ok());
    let Some(options) = options else {
        return DEFAULT;
    };
    match (positive(options.num_predict), positive(options.num_ctx)) {
        (Some(p), Some(c)) => p.min(c),
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => DEFAULT,
    }
}

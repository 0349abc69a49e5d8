//! The one place that decides what a request's `think` does for a model: [`decide`], from the
//! server version, the model (its thinking style gives its family) and the request to either
//! the error the server answers or how the reasoning is shown. The per-version rules are
//! [`crate::thinking_emulation::emulate`]'s (the reference's
//! thinking history, exact upstream error texts); this module maps a [`Model`] onto them.

use serde_json::Value;

use crate::model::{Model, ThinkingStyle};
use crate::thinking_emulation::{self, Family, Outcome, ReasoningForm};

/// How an answer's reasoning is shown.
///
/// ```
/// use ollama_standin::{Model, thinking::{Shown, decide}};
/// let shown = decide("0.30.0", &Model::echo("g"), &serde_json::json!({}), false).unwrap().shown;
/// assert_eq!(shown, Shown::Off);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// No reasoning in the answer.
    Off,
    /// In the `thinking` field (chat: `message.thinking`; generate: `thinking`).
    Field,
    /// Inline, as `<think>…</think>` before the content.
    InlineTags,
    /// An empty inline block `<think>\n\n</think>\n\n` (qwen3 obeying `/no_think` on servers
    /// that ran no parser).
    EmptyInlineTags,
    /// GPT-OSS harmony markup in the content (`raw: true`): the analysis channel, then the
    /// final one.
    Harmony,
}

/// What the server does: how the reasoning is shown, and the budget a budget server echoes.
///
/// ```
/// use ollama_standin::{Model, ThinkingStyle, thinking::decide};
/// let qwen = Model::echo("qwen3").thinking(ThinkingStyle::Field);
/// let decision = decide("0.30.0", &qwen, &serde_json::json!({"think": "high"}), false).unwrap();
/// assert_eq!(decision.budget, None);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// How the reasoning is shown.
    pub shown: Shown,
    /// `think_budget` and `think_budget_tokens` of the final object, on servers with budgets.
    pub budget: Option<(Value, u64)>,
}

/// The error a server answers instead.
///
/// ```
/// use ollama_standin::{Model, thinking::decide};
/// let refused = decide("0.30.0", &Model::echo("gemma3"), &serde_json::json!({"think": true}), false);
/// assert_eq!(refused.unwrap_err().status, 400);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The HTTP status.
    pub status: u16,
    /// The `error` text.
    pub error: String,
}

/// The emulation's family for a model: from its thinking style (a model without the
/// capability, a parsed thinker, a tag thinker, gpt-oss).
///
/// ```
/// use ollama_standin::{Model, thinking::family_of, thinking_emulation::Family};
/// assert_eq!(family_of(&Model::echo("gpt-oss").family("gpt-oss")), Family::GptOss);
/// ```
pub fn family_of(model: &Model) -> Family {
    match model.thinking {
        ThinkingStyle::None => Family::NoThinking,
        ThinkingStyle::Field => Family::Qwen3,
        ThinkingStyle::InlineTags => Family::DeepSeekR1,
        ThinkingStyle::Harmony => Family::GptOss,
    }
}

/// What a server of `version` does with `request` (a chat, or a generate when `generate`) for
/// `model`: reads `think`, `raw` and the prompt (generate) or last user message (chat).
///
/// A model of style [`ThinkingStyle::InlineTags`] is one whose reasoning no parser takes
/// apart: where the server would fill the `thinking` field, it keeps the tags in the content.
///
/// ```
/// use ollama_standin::{Model, ThinkingStyle, thinking::{Shown, decide}};
/// use serde_json::json;
///
/// let qwen = Model::echo("qwen3").thinking(ThinkingStyle::Field);
/// let gpt_oss = Model::echo("gpt-oss:20b").family("gpt-oss");
/// let shown = |version: &str, model: &Model, request: serde_json::Value| {
///     decide(version, model, &request, false).map(|d| d.shown).map_err(|r| r.error)
/// };
/// assert_eq!(shown("0.30.0", &qwen, json!({})), Ok(Shown::Field));
/// assert_eq!(shown("0.30.0", &qwen, json!({"think": false})), Ok(Shown::Off));
/// assert_eq!(shown("0.30.0", &gpt_oss, json!({"think": false})), Ok(Shown::Field));
/// assert_eq!(shown("0.8.0", &qwen, json!({"think": true})), Ok(Shown::InlineTags));
/// assert_eq!(
///     shown("0.30.0", &Model::echo("gemma3"), json!({"think": true})),
///     Err("\"gemma3\" does not support thinking".to_owned())
/// );
/// ```
///
/// # Errors
/// The [`Rejection`] the server answers with.
pub fn decide(
    version: &str,
    model: &Model,
    request: &Value,
    generate: bool,
) -> Result<Decision, Rejection> {
    let think = request.get("think").filter(|value| !value.is_null());
    let raw = generate && request.get("raw").and_then(Value::as_bool) == Some(true);
    let prompt = if generate {
        request.get("prompt").and_then(Value::as_str)
    } else {
        request
            .get("messages")
            .and_then(Value::as_array)
            .and_then(|messages| {
                messages
                    .iter()
                    .rev()
                    .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            })
            .and_then(|m| m.get("content"))
            .and_then(Value::as_str)
    };
    let outcome = thinking_emulation::emulate(
        version,
        family_of(model),
        &model.name,
        think,
        prompt.unwrap_or_default(),
        generate,
        raw,
    );
    let (form, budget) = match outcome {
        Outcome::Reject { status, error } => return Err(Rejection { status, error }),
        Outcome::Reply { form, budget } => (form, budget),
    };
    let shown = match form {
        ReasoningForm::Field if model.thinking == ThinkingStyle::InlineTags => Shown::InlineTags,
        ReasoningForm::Field => Shown::Field,
        ReasoningForm::InlineTags => Shown::InlineTags,
        ReasoningForm::EmptyInlineTags => Shown::EmptyInlineTags,
        ReasoningForm::Harmony => Shown::Harmony,
        ReasoningForm::None => Shown::Off,
    };
    Ok(Decision { shown, budget })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shown(version: &str, model: &Model, request: Value) -> Result<Shown, String> {
        decide(version, model, &request, false)
            .map(|d| d.shown)
            .map_err(|r| r.error)
    }

    #[test]
    fn think_values_table() {
        let field = Model::echo("q").thinking(ThinkingStyle::Field);
        let table = [
            ("0.30.0", json!("max"), Ok(Shown::Field)),
            ("0.21.0", json!("max"), Err(r#"invalid think value: "max" (must be "high", "medium", "low", true, or false)"#.to_owned())),
            ("0.30.0", json!("x"), Err(r#"invalid think value: "x" (must be "high", "medium", "low", "max", true, or false)"#.to_owned())),
            ("0.30.0", json!(512), Err(r#"think must be a boolean or string ("high", "medium", "low", "max", true, or false)"#.to_owned())),
            ("0.30.0", json!("low"), Ok(Shown::Field)),
            ("0.30.0", Value::Null, Ok(Shown::Field)),
            ("0.10.0", json!("high"), Err("json: cannot unmarshal string into Go struct field ChatRequest.think of type bool".to_owned())),
        ];
        for (version, think, want) in table {
            assert_eq!(
                shown(version, &field, json!({ "think": think })),
                want,
                "{version} {think}"
            );
        }
        let plain = Model::echo("g");
        assert_eq!(
            shown("0.30.0", &plain, json!({"think": false})),
            Ok(Shown::Off)
        );
        assert_eq!(
            shown("0.30.0", &plain, json!({"think": "high"})),
            Err("\"g\" does not support thinking".to_owned())
        );
        let no_think = json!({"messages": [{"role": "user", "content": "hi /no_think"}]});
        assert_eq!(shown("0.9.0", &field, no_think), Ok(Shown::EmptyInlineTags));
        let old_gpt_oss = decide(
            "0.10.0",
            &Model::echo("gpt-oss").family("gpt-oss"),
            &json!({}),
            false,
        );
        assert_eq!(old_gpt_oss.map_err(|r| r.status), Err(404));
    }
}

//! The one place that decides what a `think` value does: from the server version, the model
//! (its family and thinking style) and the request's `think` to either an error the server
//! answers or how the reasoning is shown.
//!
//! This implements today's server (v0.22 and later, see the Ollama API reference §6) plus the
//! two oldest differences (before v0.9 `think` is ignored and reasoning stays inline; before
//! v0.22 `"max"` is refused); per-version detail lives behind [`decide`] alone.

use serde_json::Value;

use crate::model::{Model, ThinkingStyle};

/// How an answer's reasoning is shown.
///
/// ```
/// use ollama_standin::{Model, thinking::{Shown, decide}};
/// assert_eq!(decide("0.30.0", &Model::echo("g"), None, false), Ok(Shown::Off));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// No reasoning in the answer.
    Off,
    /// In the `thinking` field (chat: `message.thinking`; generate: `thinking`).
    Field,
    /// Inline, as `<think>…</think>` before the content.
    InlineTags,
    /// GPT-OSS harmony markup in the content (`raw: true`): the analysis channel, then the
    /// final one.
    Harmony,
}

/// A server version as `(major, minor, patch)`; unparsable parts count as 0, a missing version
/// (or one that does not start with a number) as the newest.
///
/// ```
/// assert_eq!(ollama_standin::thinking::parse_version("0.12.4-rc1"), (0, 12, 4));
/// ```
pub fn parse_version(version: &str) -> (u64, u64, u64) {
    let core = version.trim_start_matches('v');
    let mut parts = core
        .split(['.', '-', '+'])
        .map(|part| part.parse::<u64>().ok());
    match (parts.next().flatten(), parts.next(), parts.next()) {
        (Some(major), minor, patch) => (
            major,
            minor.flatten().unwrap_or(0),
            patch.flatten().unwrap_or(0),
        ),
        _ => (u64::MAX, 0, 0),
    }
}

/// What a server of `version` does with `think` for `model` (`raw`: a generate request with
/// `raw: true`, where no parser runs): `Err` is the message of the 400 it answers, `Ok` how the
/// reasoning is shown.
///
/// ```
/// use ollama_standin::{Model, ThinkingStyle, thinking::{Shown, decide}};
/// use serde_json::json;
///
/// let qwen = Model::echo("qwen3").thinking(ThinkingStyle::Field);
/// let gpt_oss = Model::echo("gpt-oss:20b").family("gpt-oss");
/// let gemma = Model::echo("gemma3");
/// assert_eq!(decide("0.30.0", &qwen, None, false), Ok(Shown::Field));
/// assert_eq!(decide("0.30.0", &qwen, Some(&json!(false)), false), Ok(Shown::Off));
/// assert_eq!(decide("0.30.0", &gpt_oss, Some(&json!(false)), false), Ok(Shown::Field));
/// assert_eq!(decide("0.30.0", &gemma, Some(&json!(true)), false), Err("\"gemma3\" does not support thinking".into()));
/// assert_eq!(decide("0.8.0", &qwen, Some(&json!(true)), false), Ok(Shown::InlineTags));
/// // `raw: true` (generate): no parser runs, the markup stays in the text.
/// assert_eq!(decide("0.30.0", &qwen, None, true), Ok(Shown::InlineTags));
/// assert_eq!(decide("0.30.0", &gpt_oss, None, true), Ok(Shown::Harmony));
/// ```
pub fn decide(
    version: &str,
    model: &Model,
    think: Option<&Value>,
    raw: bool,
) -> Result<Shown, String> {
    let version = parse_version(version);
    let think = think.filter(|value| !value.is_null());
    if version < (0, 9, 0) {
        // No thinking field yet: `think` is an unknown field, reasoning stays in the content.
        return Ok(if model.can_think() {
            Shown::InlineTags
        } else {
            Shown::Off
        });
    }
    let max_allowed = version >= (0, 22, 0);
    let enabled = match think {
        None => None,
        Some(Value::Bool(on)) => Some(*on),
        Some(Value::String(level)) => {
            let known = matches!(level.as_str(), "high" | "medium" | "low")
                || (max_allowed && level == "max");
            if !known {
                let choices = if max_allowed {
                    r#""high", "medium", "low", "max", true, or false"#
                } else {
                    r#""high", "medium", "low", true, or false"#
                };
                return Err(format!(
                    "invalid think value: {level:?} (must be {choices})"
                ));
            }
            Some(true)
        }
        Some(_) => {
            return Err(
                r#"think must be a boolean or string ("high", "medium", "low", "max", true, or false)"#
                    .to_owned(),
            );
        }
    };
    let shown = match model.thinking {
        ThinkingStyle::None if enabled == Some(true) => {
            Err(format!("{:?} does not support thinking", model.name))
        }
        ThinkingStyle::None => Ok(Shown::Off),
        ThinkingStyle::Harmony => Ok(Shown::Field),
        ThinkingStyle::Field | ThinkingStyle::InlineTags if enabled == Some(false) => {
            Ok(Shown::Off)
        }
        ThinkingStyle::Field => Ok(Shown::Field),
        ThinkingStyle::InlineTags => Ok(Shown::InlineTags),
    }?;
    // Without a parser the model's own markup stays in the text.
    Ok(match (shown, model.thinking) {
        (Shown::Field, ThinkingStyle::Harmony) if raw => Shown::Harmony,
        (Shown::Field, _) if raw => Shown::InlineTags,
        (shown, _) => shown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("0.33.0-standin"), (0, 33, 0));
        assert_eq!(parse_version("v0.9"), (0, 9, 0));
        assert_eq!(parse_version("dev"), (u64::MAX, 0, 0));
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
        ];
        for (version, think, want) in table {
            assert_eq!(
                decide(version, &field, Some(&think), false),
                want,
                "{version} {think}"
            );
        }
        let plain = Model::echo("g");
        assert_eq!(
            decide("0.30.0", &plain, Some(&json!(false)), false),
            Ok(Shown::Off)
        );
        assert_eq!(
            decide("0.30.0", &plain, Some(&json!("high")), false),
            Err("\"g\" does not support thinking".to_owned())
        );
    }
}

//! The `think` request field: a switch, an effort level or a token budget, and an open value.
//!
//! How servers and models read it (reference §6.1, and `ollama-api-since-v033.md`):
//!
//! | value | most models (qwen3, deepseek-r1, …) | gpt-oss (harmony) |
//! |---|---|---|
//! | `false` | thinking off | **ignored**: gpt-oss always reasons |
//! | `true` | thinking on | level `medium` |
//! | `"low"` / `"medium"` / `"high"` | thinking on (the level is just "on") | that level |
//! | `"max"` (v0.22+) | thinking on | mapped to `high` |
//! | `"minimal"`, `"xhigh"` (PR 17566) | thinking on | `low`, `high` |
//! | `1024` (a token budget, PR 17566) | at most that many thinking tokens | the same |
//!
//! Version notes: servers v0.9–v0.10 accept only booleans, level strings arrive with v0.11
//! (gpt-oss; other models answer a level with 400 until v0.17.7), `"max"` needs v0.22, and
//! budgets, `"minimal"` and `"xhigh"` are only in an open upstream pull request. When a server
//! rejects a value, retry with [`Think::as_bool_fallback`], or let the client choose with a
//! [`Reasoning`](crate::reasoning::Reasoning) intent. A model without the `thinking` capability
//! answers 400 `"<model>" does not support thinking` to any enabled value; `false` is accepted.
//!
//! **Open value.** A string this crate does not know is kept as [`ThinkLevel::Other`], a
//! positive integer is a [`Think::Budget`], and any other JSON value is kept verbatim as
//! [`Think::Other`]: nothing a newer server (or a newer peer) sends for `think` fails a decode,
//! and every value is sent back exactly as it was read.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The `think` field: `true`/`false`, a level string, a token budget, or any other JSON value.
///
/// ```
/// use ollama_proto::types::{Think, ThinkLevel};
///
/// let table = [
///     ("true", Think::Enabled(true)),
///     (r#""high""#, Think::Level(ThinkLevel::High)),
///     (r#""xhigh""#, Think::Level(ThinkLevel::XHigh)),
///     (r#""turbo""#, Think::Level(ThinkLevel::Other("turbo".into()))),
///     ("2048", Think::Budget(2048)),
///     ("0.5", Think::Other(serde_json::json!(0.5))),
/// ];
/// for (json, value) in table {
///     assert_eq!(serde_json::from_str::<Think>(json)?, value);
///     assert_eq!(serde_json::to_string(&value)?, json);
/// }
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Think {
    /// `true` or `false`.
    Enabled(bool),
    /// An effort level (thinking on).
    Level(ThinkLevel),
    /// A thinking token budget (a positive JSON integer; PR 17566, see [`Think`]'s module).
    Budget(u32),
    /// Any other JSON value (`0`, a fraction, an object…), kept and sent back verbatim.
    /// Servers answer these with 400 today.
    Other(Value),
}

/// A reasoning effort level for [`Think::Level`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThinkLevel {
    /// `"minimal"` (PR 17566; models that take levels read it as `low`).
    Minimal,
    /// `"low"`.
    Low,
    /// `"medium"` (what gpt-oss uses for `true`).
    Medium,
    /// `"high"`.
    High,
    /// `"max"`: servers ≥ v0.22 only; gpt-oss maps it to `high`.
    Max,
    /// `"xhigh"` (PR 17566: an alias of `max`).
    XHigh,
    /// A level this crate does not know yet, kept as sent (exact spelling).
    Other(String),
}

impl ThinkLevel {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Minimal => "minimal",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Max => "max",
            Self::XHigh => "xhigh",
            Self::Other(s) => s,
        }
    }

    /// Parses the wire spelling: exact and lowercase, as the server does; any other string is
    /// [`ThinkLevel::Other`].
    pub fn parse(s: &str) -> Self {
        match s {
            "minimal" => Self::Minimal,
            "low" => Self::Low,
            "medium" => Self::Medium,
            "high" => Self::High,
            "max" => Self::Max,
            "xhigh" => Self::XHigh,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The share of the output window (`min(num_predict, num_ctx)`) this level grants to
    /// thinking where budgets exist (PR 17566): `(numerator, denominator)`. `None` for
    /// [`ThinkLevel::Other`].
    pub fn budget_share(&self) -> Option<(u32, u32)> {
        match self {
            Self::Minimal => Some((1, 16)),
            Self::Low => Some((1, 8)),
            Self::Medium => Some((1, 4)),
            Self::High => Some((1, 2)),
            Self::Max | Self::XHigh => Some((4, 5)),
            Self::Other(_) => None,
        }
    }

    /// The smallest level whose [`budget_share`](Self::budget_share) of `window` tokens covers
    /// `tokens` (`Max` when none does): how a budget is spoken to a server without budgets.
    ///
    /// ```
    /// use ollama_proto::types::ThinkLevel;
    /// assert_eq!(ThinkLevel::for_budget(200, 4096), ThinkLevel::Minimal);
    /// assert_eq!(ThinkLevel::for_budget(1024, 4096), ThinkLevel::Medium);
    /// assert_eq!(ThinkLevel::for_budget(1025, 4096), ThinkLevel::High);
    /// assert_eq!(ThinkLevel::for_budget(100_000, 4096), ThinkLevel::Max);
    /// ```
    pub fn for_budget(tokens: u32, window: u32) -> Self {
        let levels = [Self::Minimal, Self::Low, Self::Medium, Self::High];
        levels
            .into_iter()
            .find(|level| {
                level.budget_share().is_some_and(|(n, d)| {
                    u64::from(tokens) * u64::from(d) <= u64::from(window) * u64::from(n)
                })
            })
            .unwrap_or(Self::Max)
    }
}

impl fmt::Display for ThinkLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Think {
    /// `true` for `Enabled(true)`, every level, a budget and any other value (the server's own
    /// rule: only `false` turns thinking off).
    pub fn is_enabled(&self) -> bool {
        !matches!(self, Self::Enabled(false))
    }

    /// The boolean form of this value: a level or a budget becomes `true`. Use it to retry on
    /// servers older than v0.11, which accept only booleans.
    pub fn as_bool_fallback(&self) -> Self {
        Self::Enabled(self.is_enabled())
    }

    /// This value as JSON, as it is sent.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Enabled(b) => Value::Bool(*b),
            Self::Level(l) => Value::String(l.as_str().to_owned()),
            Self::Budget(n) => Value::from(*n),
            Self::Other(v) => v.clone(),
        }
    }

    /// Reads any JSON value the way the deserializer does (`null` is `Other(null)`).
    pub fn from_json(value: &Value) -> Self {
        match value {
            Value::Bool(b) => Self::Enabled(*b),
            Value::String(s) => Self::Level(ThinkLevel::parse(s)),
            Value::Number(n) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) if n > 0 => Self::Budget(n),
                _ => Self::Other(value.clone()),
            },
            other => Self::Other(other.clone()),
        }
    }
}

impl fmt::Display for Think {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Enabled(b) => write!(f, "{b}"),
            Self::Level(l) => write!(f, "{l:?}", l = l.as_str()),
            Self::Budget(n) => write!(f, "{n}"),
            Self::Other(v) => write!(f, "{v}"),
        }
    }
}

impl From<bool> for Think {
    fn from(b: bool) -> Self {
        Self::Enabled(b)
    }
}

impl From<ThinkLevel> for Think {
    fn from(l: ThinkLevel) -> Self {
        Self::Level(l)
    }
}

impl Serialize for Think {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Enabled(b) => s.serialize_bool(*b),
            Self::Level(l) => s.serialize_str(l.as_str()),
            Self::Budget(n) => s.serialize_u32(*n),
            Self::Other(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Think {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ThinkVisitor)
    }
}

struct ThinkVisitor;

impl<'de> Visitor<'de> for ThinkVisitor {
    type Value = Think;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, a level string, a token budget or any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Think, E> {
        Ok(Think::Enabled(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Think, E> {
        Ok(Think::Level(ThinkLevel::parse(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Think, E> {
        Ok(Think::from_json(&Value::from(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Think, E> {
        Ok(Think::from_json(&Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Think, E> {
        Ok(Think::Other(Value::from(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Think, E> {
        Ok(Think::Other(Value::Null))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Think, A::Error> {
        let v = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Think::Other(v))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Think, A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Think::Other(v))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn wire_forms_round_trip() {
        let table = [
            (Think::Enabled(true), "true"),
            (Think::Enabled(false), "false"),
            (Think::Level(ThinkLevel::Minimal), r#""minimal""#),
            (Think::Level(ThinkLevel::Low), r#""low""#),
            (Think::Level(ThinkLevel::Medium), r#""medium""#),
            (Think::Level(ThinkLevel::High), r#""high""#),
            (Think::Level(ThinkLevel::Max), r#""max""#),
            (Think::Level(ThinkLevel::XHigh), r#""xhigh""#),
            (Think::Level(ThinkLevel::Other("High".into())), r#""High""#),
            (Think::Level(ThinkLevel::Other("".into())), r#""""#),
            (Think::Budget(1), "1"),
            (Think::Budget(512), "512"),
            (Think::Budget(u32::MAX), "4294967295"),
            (Think::Other(json!(0)), "0"),
            (Think::Other(json!(-5)), "-5"),
            (Think::Other(json!(1.5)), "1.5"),
            (Think::Other(json!(4_294_967_296u64)), "4294967296"),
            (Think::Other(json!([1, "a"])), r#"[1,"a"]"#),
            (Think::Other(json!({"tokens": 10})), r#"{"tokens":10}"#),
        ];
        for (value, wire) in table {
            assert_eq!(serde_json::to_string(&value).unwrap(), wire, "{value:?}");
            assert_eq!(
                serde_json::from_str::<Think>(wire).unwrap(),
                value,
                "{wire}"
            );
            assert_eq!(Think::from_json(&value.to_json()), value, "{wire}");
        }
    }

    #[test]
    fn a_request_field_never_fails_and_null_is_unset() {
        #[derive(Deserialize)]
        struct Req {
            #[serde(default)]
            think: Option<Think>,
        }
        let table = [
            (r#"{"think":null}"#, None),
            (r#"{}"#, None),
            (
                r#"{"think":"any-future-level"}"#,
                Some(Think::Level(ThinkLevel::Other("any-future-level".into()))),
            ),
            (
                r#"{"think":{"budget":1}}"#,
                Some(Think::Other(json!({"budget": 1}))),
            ),
            (r#"{"think":-1}"#, Some(Think::Other(json!(-1)))),
        ];
        for (body, want) in table {
            let req: Req = serde_json::from_str(body).unwrap();
            assert_eq!(req.think, want, "{body}");
        }
    }

    #[test]
    fn upstream_documented_examples() {
        // The request examples of docs/capabilities/thinking.mdx and PR 17566, as sent.
        let table = [
            (r#"{"model":"qwen3","think":true}"#, Think::Enabled(true)),
            (
                r#"{"model":"gpt-oss","think":"low"}"#,
                Think::Level(ThinkLevel::Low),
            ),
            (
                r#"{"model":"gpt-oss","think":"max"}"#,
                Think::Level(ThinkLevel::Max),
            ),
            (r#"{"model":"qwen3","think":1024}"#, Think::Budget(1024)),
            (
                r#"{"model":"qwen3","think":"minimal"}"#,
                Think::Level(ThinkLevel::Minimal),
            ),
        ];
        for (body, want) in table {
            let value: Value = serde_json::from_str(body).unwrap();
            let think: Think = serde_json::from_value(value["think"].clone()).unwrap();
            assert_eq!(think, want, "{body}");
        }
    }

    #[test]
    fn enabled_and_fallback() {
        assert!(!Think::Enabled(false).is_enabled());
        assert!(Think::Enabled(true).is_enabled());
        assert!(Think::Level(ThinkLevel::Low).is_enabled());
        assert!(Think::Budget(8).is_enabled());
        assert_eq!(
            Think::Level(ThinkLevel::Max).as_bool_fallback(),
            Think::Enabled(true)
        );
        assert_eq!(Think::Budget(8).as_bool_fallback(), Think::Enabled(true));
        assert_eq!(
            Think::Enabled(false).as_bool_fallback(),
            Think::Enabled(false)
        );
    }

    #[test]
    fn budget_to_level_table() {
        // Shares of the window: minimal 1/16, low 1/8, medium 1/4, high 1/2, max 4/5.
        let table = [
            (1, 4096, ThinkLevel::Minimal),
            (256, 4096, ThinkLevel::Minimal),
            (257, 4096, ThinkLevel::Low),
            (512, 4096, ThinkLevel::Low),
            (2048, 4096, ThinkLevel::High),
            (2049, 4096, ThinkLevel::Max),
            (u32::MAX, 1, ThinkLevel::Max),
            (1, 0, ThinkLevel::Max),
        ];
        for (tokens, window, want) in table {
            assert_eq!(
                ThinkLevel::for_budget(tokens, window),
                want,
                "{tokens}/{window}"
            );
        }
    }
}

//! The `think` request field: a switch or an effort level.
//!
//! How servers and models read it (reference §6.1):
//!
//! | value | most models (qwen3, deepseek-r1, …) | gpt-oss (harmony) |
//! |---|---|---|
//! | `false` | thinking off | **ignored**: gpt-oss always reasons |
//! | `true` | thinking on | level `medium` |
//! | `"low"` / `"medium"` / `"high"` | thinking on (the level is just "on") | that level |
//! | `"max"` | thinking on | mapped to `high` |
//!
//! Version notes: servers v0.9–v0.11 accept only booleans, level strings arrive with v0.11.x
//! (gpt-oss), and `"max"` needs a server ≥ v0.22 (older ones answer 400). When a server rejects a
//! level, retry with [`Think::as_bool_fallback`]. A model without the `thinking` capability answers
//! 400 `"<model>" does not support thinking` to any enabled value; `false` is always accepted.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `think` field: JSON `true`/`false` or `"low"|"medium"|"high"|"max"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Think {
    /// `true` or `false`.
    Enabled(bool),
    /// An effort level (thinking on).
    Level(ThinkLevel),
}

/// A reasoning effort level for [`Think::Level`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ThinkLevel {
    /// `"low"`.
    Low,
    /// `"medium"` (what gpt-oss uses for `true`).
    Medium,
    /// `"high"`.
    High,
    /// `"max"`: servers ≥ v0.22 only; gpt-oss maps it to `high`.
    Max,
}

impl ThinkLevel {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Max => "max",
        }
    }

    /// Parses the wire spelling (exact, lowercase, as the server does).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "max" => Some(Self::Max),
            _ => None,
        }
    }
}

impl fmt::Display for ThinkLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Think {
    /// `true` for `Enabled(true)` and every level (the server's own rule).
    pub fn is_enabled(self) -> bool {
        !matches!(self, Self::Enabled(false))
    }

    /// The boolean form of this value: a level becomes `true`. Use it to retry on servers older
    /// than v0.11, which accept only booleans.
    pub fn as_bool_fallback(self) -> Self {
        Self::Enabled(self.is_enabled())
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
        }
    }
}

impl<'de> Deserialize<'de> for Think {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ThinkVisitor)
    }
}

struct ThinkVisitor;

impl Visitor<'_> for ThinkVisitor {
    type Value = Think;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a boolean or one of "low", "medium", "high", "max""#)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Think, E> {
        Ok(Think::Enabled(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Think, E> {
        ThinkLevel::parse(v)
            .map(Think::Level)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_forms() {
        let table = [
            (Think::Enabled(true), "true"),
            (Think::Enabled(false), "false"),
            (Think::Level(ThinkLevel::Low), r#""low""#),
            (Think::Level(ThinkLevel::Medium), r#""medium""#),
            (Think::Level(ThinkLevel::High), r#""high""#),
            (Think::Level(ThinkLevel::Max), r#""max""#),
        ];
        for (value, json) in table {
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
            assert_eq!(serde_json::from_str::<Think>(json).unwrap(), value);
        }
        for bad in [r#""x""#, r#""High""#, "1", "null", "[]"] {
            assert!(serde_json::from_str::<Think>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn enabled_and_fallback() {
        assert!(!Think::Enabled(false).is_enabled());
        assert!(Think::Enabled(true).is_enabled());
        assert!(Think::Level(ThinkLevel::Low).is_enabled());
        assert_eq!(
            Think::Level(ThinkLevel::Max).as_bool_fallback(),
            Think::Enabled(true)
        );
        assert_eq!(
            Think::Enabled(false).as_bool_fallback(),
            Think::Enabled(false)
        );
    }
}

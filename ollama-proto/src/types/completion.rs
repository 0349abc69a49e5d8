//! What the final (`done: true`) chunk of a generate or chat stream reports.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why generation stopped. An open set: unknown values are kept in [`DoneReason::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DoneReason {
    /// The model finished (end token or a stop sequence).
    Stop,
    /// `num_predict` or the context limit was reached.
    Length,
    /// An empty request loaded the model.
    Load,
    /// An empty request with `keep_alive: 0` unloaded the model.
    Unload,
    /// A value this version does not know.
    Other(String),
}

impl DoneReason {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::Load => "load",
            Self::Unload => "unload",
            Self::Other(s) => s,
        }
    }

    /// Parses the wire spelling; never fails.
    pub fn parse(s: &str) -> Self {
        match s {
            "stop" => Self::Stop,
            "length" => Self::Length,
            "load" => Self::Load,
            "unload" => Self::Unload,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for DoneReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DoneReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DoneReason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Self::parse(&s))
    }
}

/// Timings and token counts of a finished generation.
///
/// Every field is optional: local servers send all six, ollama.com sends only
/// `total_duration`, `prompt_eval_count` and `eval_count`, and zero values are omitted on the wire.
///
/// On the wire these are six top-level keys of the final chunk (durations as integer
/// nanoseconds); response types embed them with `#[serde(flatten)]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Metrics {
    /// From request arrival to the end of generation.
    #[serde(default, with = "nanos", skip_serializing_if = "Option::is_none")]
    pub total_duration: Option<Duration>,
    /// Time until a runner was ready (includes queueing).
    #[serde(default, with = "nanos", skip_serializing_if = "Option::is_none")]
    pub load_duration: Option<Duration>,
    /// Prompt tokens evaluated (cached tokens included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_eval_count: Option<u64>,
    /// Time spent evaluating the prompt.
    #[serde(default, with = "nanos", skip_serializing_if = "Option::is_none")]
    pub prompt_eval_duration: Option<Duration>,
    /// Tokens generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_count: Option<u64>,
    /// Time spent generating.
    #[serde(default, with = "nanos", skip_serializing_if = "Option::is_none")]
    pub eval_duration: Option<Duration>,
}

impl Metrics {
    /// Generation speed in tokens per second (`eval_count / eval_duration`), when both are known
    /// and the duration is not zero.
    pub fn tokens_per_second(&self) -> Option<f64> {
        rate(self.eval_count?, self.eval_duration?)
    }

    /// Prompt processing speed in tokens per second, when both values are known.
    pub fn prompt_tokens_per_second(&self) -> Option<f64> {
        rate(self.prompt_eval_count?, self.prompt_eval_duration?)
    }
}

fn rate(count: u64, d: Duration) -> Option<f64> {
    let secs = d.as_secs_f64();
    (secs > 0.0).then(|| count as f64 / secs)
}

/// The nanosecond integers of the wire, as `Option<Duration>` (absent or 0 → `None`).
pub(crate) mod nanos {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_u64(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        let v = Option::<i64>::deserialize(d)?;
        Ok(v.and_then(|n| u64::try_from(n).ok())
            .filter(|&n| n > 0)
            .map(Duration::from_nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_reason_is_open() {
        for s in ["stop", "length", "load", "unload", "tool_calls"] {
            assert_eq!(DoneReason::parse(s).as_str(), s);
        }
        assert_eq!(DoneReason::parse("x"), DoneReason::Other("x".into()));
    }

    #[test]
    fn tokens_per_second() {
        let m = Metrics {
            eval_count: Some(57),
            eval_duration: Some(Duration::from_millis(800)),
            ..Metrics::default()
        };
        assert_eq!(m.tokens_per_second(), Some(71.25));
        assert_eq!(Metrics::default().tokens_per_second(), None);
        let zero = Metrics {
            eval_count: Some(3),
            eval_duration: Some(Duration::ZERO),
            ..m
        };
        assert_eq!(zero.tokens_per_second(), None);
    }
}

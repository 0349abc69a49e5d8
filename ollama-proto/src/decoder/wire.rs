//! Parsing one NDJSON line into reusable scratch buffers.
//!
//! Every streaming endpoint's line is one JSON object; only a handful of keys steer decoding.
//! The visitor below copies strings into buffers owned by the decoder and reused line after
//! line, so a steady stream parses with no heap allocation. Unknown keys are skipped (the
//! server adds fields over time); a known key of the wrong type is a JSON error.
//!
//! A key that appears twice keeps its last value, as Go's decoder and serde's derive do: every
//! seed below replaces what its buffer holds (a `null` replaces it with nothing), never appends
//! to it.

use std::fmt;
use std::time::Duration;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::types::{Logprob, Metrics, Think, ToolCall};

/// The fields of one line that decoding uses. Cleared (not freed) before each line.
#[derive(Debug, Default)]
pub(crate) struct LineScratch {
    /// `message.content` (chat) or `response` (generate).
    pub(crate) text: String,
    /// `message.thinking` (chat) or `thinking` (generate).
    pub(crate) thinking: String,
    pub(crate) has_thinking: bool,
    pub(crate) tool_calls: Vec<ToolCall>,
    pub(crate) logprobs: Vec<Logprob>,
    pub(crate) done: bool,
    pub(crate) done_reason: String,
    pub(crate) has_done_reason: bool,
    pub(crate) metrics: Metrics,
    pub(crate) context: Vec<i64>,
    pub(crate) has_context: bool,
    pub(crate) model: String,
    pub(crate) created_at: String,
    pub(crate) status: String,
    pub(crate) has_status: bool,
    pub(crate) digest: String,
    pub(crate) has_digest: bool,
    pub(crate) total: Option<u64>,
    pub(crate) completed: Option<u64>,
    pub(crate) error: String,
    pub(crate) has_error: bool,
    pub(crate) signin_url: Option<String>,
    /// `think_budget` (PR 17566), kept as the open [`Think`] value.
    pub(crate) think_budget: Option<Think>,
    pub(crate) think_budget_tokens: Option<u64>,
}

impl LineScratch {
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.thinking.clear();
        self.has_thinking = false;
        self.tool_calls.clear();
        self.logprobs.clear();
        self.done = false;
        self.done_reason.clear();
        self.has_done_reason = false;
        self.metrics = Metrics::default();
        self.context.clear();
        self.has_context = false;
        self.model.clear();
        self.created_at.clear();
        self.status.clear();
        self.has_status = false;
        self.digest.clear();
        self.has_digest = false;
        self.total = None;
        self.completed = None;
        self.error.clear();
        self.has_error = false;
        self.signin_url = None;
        self.think_budget = None;
        self.think_budget_tokens = None;
    }

    /// Parses `line` into `self` (which must be cleared first).
    ///
    /// Why a hand-written visitor and not `#[derive(Deserialize)]` into a struct: the derive
    /// allocates fresh `String`s and `Vec`s for every line, which is the cost of a stream
    /// (thousands of one-token lines). The seeds below write into this scratch's buffers,
    /// whose capacity survives from line to line; `de.end()` then rejects anything after the
    /// object on the same line (two objects on one line are an error).
    pub(crate) fn parse(&mut self, line: &[u8]) -> Result<(), serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(line);
        TopLevel(self).deserialize(&mut de)?;
        de.end()
    }
}

/// Seed for the top-level object of a line.
struct TopLevel<'s>(&'s mut LineScratch);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let s = self.0;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Message => map.next_value_seed(MessageSeed(s))?,
                Key::Response => map.next_value_seed(StrInto(&mut s.text))?,
                Key::Thinking => {
                    s.has_thinking = map.next_value_seed(OptStrInto(&mut s.thinking))?;
                }
                Key::Done => s.done = map.next_value::<Option<bool>>()?.unwrap_or(false),
                Key::DoneReason => {
                    s.has_done_reason = map.next_value_seed(OptStrInto(&mut s.done_reason))?;
                }
                Key::TotalDuration => s.metrics.total_duration = nanos(map.next_value()?),
                Key::LoadDuration => s.metrics.load_duration = nanos(map.next_value()?),
                Key::PromptEvalCount => s.metrics.prompt_eval_count = count(map.next_value()?),
                Key::PromptEvalDuration => {
                    s.metrics.prompt_eval_duration = nanos(map.next_value()?);
                }
                Key::EvalCount => s.metrics.eval_count = count(map.next_value()?),
                Key::EvalDuration => s.metrics.eval_duration = nanos(map.next_value()?),
                Key::Context => {
                    s.has_context = true;
                    map.next_value_seed(IntsInto(&mut s.context))?;
                }
                Key::ToolCalls => map.next_value_seed(ToolCallsInto(&mut s.tool_calls))?,
                Key::Logprobs => {
                    s.logprobs.clear();
                    if let Some(v) = map.next_value::<Option<Vec<Logprob>>>()? {
                        s.logprobs.extend(v);
                    }
                }
                Key::Model => map.next_value_seed(StrInto(&mut s.model))?,
                Key::CreatedAt => map.next_value_seed(StrInto(&mut s.created_at))?,
                Key::Status => s.has_status = map.next_value_seed(OptStrInto(&mut s.status))?,
                Key::Digest => s.has_digest = map.next_value_seed(OptStrInto(&mut s.digest))?,
                Key::Total => s.total = count(map.next_value()?),
                Key::Completed => s.completed = count(map.next_value()?),
                Key::Error => map.next_value_seed(ErrorValue(s))?,
                Key::SigninUrl => s.signin_url = map.next_value()?,
                Key::ThinkBudget => s.think_budget = map.next_value()?,
                Key::ThinkBudgetTokens => {
                    // Lenient: a value that is not a count is ignored, never a failed line.
                    let v: Option<serde_json::Value> = map.next_value()?;
                    s.think_budget_tokens = v.as_ref().and_then(serde_json::Value::as_u64);
                }
                Key::Content | Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Seed for `message` on chat lines.
struct MessageSeed<'s>(&'s mut LineScratch);

impl<'de> DeserializeSeed<'de> for MessageSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for MessageSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message object")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let s = self.0;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Content => map.next_value_seed(StrInto(&mut s.text))?,
                Key::Thinking => {
                    s.has_thinking = map.next_value_seed(OptStrInto(&mut s.thinking))?;
                }
                Key::ToolCalls => map.next_value_seed(ToolCallsInto(&mut s.tool_calls))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The keys that steer decoding; everything else is [`Key::Other`].
enum Key {
    Message,
    Content,
    Response,
    Thinking,
    Done,
    DoneReason,
    TotalDuration,
    LoadDuration,
    PromptEvalCount,
    PromptEvalDuration,
    EvalCount,
    EvalDuration,
    Context,
    ToolCalls,
    Logprobs,
    Model,
    CreatedAt,
    Status,
    Digest,
    Total,
    Completed,
    Error,
    SigninUrl,
    ThinkBudget,
    ThinkBudgetTokens,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "message" => Key::Message,
            "content" => Key::Content,
            "response" => Key::Response,
            "thinking" => Key::Thinking,
            "done" => Key::Done,
            "done_reason" => Key::DoneReason,
            "total_duration" => Key::TotalDuration,
            "load_duration" => Key::LoadDuration,
            "prompt_eval_count" => Key::PromptEvalCount,
            "prompt_eval_duration" => Key::PromptEvalDuration,
            "eval_count" => Key::EvalCount,
            "eval_duration" => Key::EvalDuration,
            "context" => Key::Context,
            "tool_calls" => Key::ToolCalls,
            "logprobs" => Key::Logprobs,
            "model" => Key::Model,
            "created_at" => Key::CreatedAt,
            "status" => Key::Status,
            "digest" => Key::Digest,
            "total" => Key::Total,
            "completed" => Key::Completed,
            "error" => Key::Error,
            "signin_url" => Key::SigninUrl,
            "think_budget" => Key::ThinkBudget,
            "think_budget_tokens" => Key::ThinkBudgetTokens,
            _ => Key::Other,
        })
    }
}

fn nanos(v: Option<i64>) -> Option<Duration> {
    v.and_then(|n| u64::try_from(n).ok())
        .filter(|&n| n > 0)
        .map(Duration::from_nanos)
}

fn count(v: Option<i64>) -> Option<u64> {
    v.and_then(|n| u64::try_from(n).ok())
}

/// Replaces a reused buffer's text with a string (null allowed, meaning empty).
struct StrInto<'s>(&'s mut String);

impl<'de> DeserializeSeed<'de> for StrInto<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        OptStrInto(self.0).deserialize(d).map(drop)
    }
}

/// Like [`StrInto`], reporting whether a string (not null) was present.
struct OptStrInto<'s>(&'s mut String);

impl<'de> DeserializeSeed<'de> for OptStrInto<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        self.0.clear();
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptStrInto<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.0.push_str(v);
        Ok(true)
    }
}

/// Reads an integer array (the `context` tokens) into a reused vector, replacing its content.
struct IntsInto<'s>(&'s mut Vec<i64>);

impl<'de> DeserializeSeed<'de> for IntsInto<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.clear();
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for IntsInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of integers")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<i64>()? {
            self.0.push(v);
        }
        Ok(())
    }
}

/// Replaces the tool calls (null allowed, meaning none).
struct ToolCallsInto<'s>(&'s mut Vec<ToolCall>);

impl<'de> DeserializeSeed<'de> for ToolCallsInto<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.clear();
        if let Some(calls) = <Option<Vec<ToolCall>> as de::Deserialize>::deserialize(d)? {
            self.0.extend(calls);
        }
        Ok(())
    }
}

/// `error` is a string from Ollama, or an object with `message` from OpenAI-style proxies.
struct ErrorValue<'s>(&'s mut LineScratch);

impl<'de> DeserializeSeed<'de> for ErrorValue<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.error.clear();
        self.0.has_error = false;
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ErrorValue<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an error message")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.error.push_str(v);
        self.0.has_error = true;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut message = None;
        while let Some(k) = map.next_key::<String>()? {
            if k == "message" {
                message = map.next_value::<Option<String>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        self.0.error.push_str(message.as_deref().unwrap_or("error"));
        self.0.has_error = true;
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        if v {
            self.0.error.push_str("error");
            self.0.has_error = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> LineScratch {
        let mut s = LineScratch::default();
        s.parse(line.as_bytes()).unwrap();
        s
    }

    #[test]
    fn chat_line() {
        let s = parse(
            r#"{"model":"qwen3","created_at":"2026-08-01T10:00:00.1Z","message":{"role":"assistant","content":"4\u003c2","thinking":"hm","images":null,"extra":[1,{"a":2}]},"done":false}"#,
        );
        assert_eq!(s.text, "4<2");
        assert_eq!(s.thinking, "hm");
        assert!(s.has_thinking);
        assert!(!s.done);
        assert_eq!(s.model, "qwen3");
    }

    #[test]
    fn final_generate_line() {
        let s = parse(
            r#"{"response":"","done":true,"done_reason":"stop","context":[1,2,3],"total_duration":912000000,"eval_count":57,"eval_duration":800000000,"future_field":{"x":null}}"#,
        );
        assert!(s.done);
        assert_eq!(s.done_reason, "stop");
        assert_eq!(s.context, vec![1, 2, 3]);
        assert_eq!(s.metrics.eval_count, Some(57));
        assert_eq!(s.metrics.total_duration, Some(Duration::from_millis(912)));
        assert_eq!(s.metrics.load_duration, None);
    }

    #[test]
    fn error_shapes() {
        let s = parse(r#"{"error":"boom","signin_url":"https://x"}"#);
        assert_eq!((s.error.as_str(), s.has_error), ("boom", true));
        assert_eq!(s.signin_url.as_deref(), Some("https://x"));
        let s = parse(r#"{"error":{"message":"Unauthorized","type":"api_error"}}"#);
        assert_eq!(s.error, "Unauthorized");
        assert!(!parse(r#"{"error":null}"#).has_error);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        // Issue 10: `"content":"WRONG","content":"right"` was `WRONGright`.
        let s = parse(
            r#"{"model":"a","model":"b","created_at":"1","created_at":"2","message":{"content":"WRONG","thinking":"t1","tool_calls":[{"function":{"name":"f","arguments":{}}}],"content":"right","thinking":"t2","tool_calls":[{"function":{"name":"g","arguments":{"x":1}}}]},"done":true,"done":false,"done_reason":"length","done_reason":"stop","total_duration":1,"total_duration":2,"load_duration":3,"load_duration":4,"prompt_eval_count":5,"prompt_eval_count":6,"prompt_eval_duration":7,"prompt_eval_duration":8,"eval_count":9,"eval_count":10,"eval_duration":11,"eval_duration":12,"context":[1,2],"context":[3],"logprobs":[{"token":"a","logprob":-1.0}],"logprobs":[{"token":"b","logprob":-2.0}]}"#,
        );
        assert_eq!(s.text, "right");
        assert_eq!(s.thinking, "t2");
        assert_eq!(s.tool_calls.len(), 1);
        assert_eq!(s.tool_calls[0].function.name, "g");
        assert_eq!(
            serde_json::to_string(&s.tool_calls[0].function.arguments).unwrap(),
            r#"{"x":1}"#
        );
        assert!(!s.done);
        assert_eq!(s.done_reason, "stop");
        assert_eq!((s.model.as_str(), s.created_at.as_str()), ("b", "2"));
        let ns = Duration::from_nanos;
        let m = s.metrics;
        assert_eq!(
            (
                m.total_duration,
                m.load_duration,
                m.prompt_eval_duration,
                m.eval_duration
            ),
            (Some(ns(2)), Some(ns(4)), Some(ns(8)), Some(ns(12)))
        );
        assert_eq!((m.prompt_eval_count, m.eval_count), (Some(6), Some(10)));
        assert_eq!(s.context, [3]);
        assert_eq!(s.logprobs.len(), 1);
        assert_eq!(s.logprobs[0].token, "b");

        // Top-level fields of generate and progress lines, and the second `message` object.
        let s = parse(
            r#"{"response":"WRONG","response":"right","thinking":"x","thinking":"y","status":"a","status":"b","digest":"d1","digest":"d2","total":1,"total":2,"completed":3,"completed":4,"error":"e1","error":"e2","signin_url":"u1","signin_url":"u2"}"#,
        );
        assert_eq!((s.text.as_str(), s.thinking.as_str()), ("right", "y"));
        assert_eq!((s.status.as_str(), s.digest.as_str()), ("b", "d2"));
        assert_eq!((s.total, s.completed), (Some(2), Some(4)));
        assert_eq!((s.error.as_str(), s.has_error), ("e2", true));
        assert_eq!(s.signin_url.as_deref(), Some("u2"));
        let s = parse(r#"{"message":{"content":"a"},"message":{"content":"b"}}"#);
        assert_eq!(s.text, "b");
        let s = parse(r#"{"message":{"content":"a","content":"b","content":"c"}}"#);
        assert_eq!(s.text, "c");
    }

    #[test]
    fn a_repeated_key_whose_last_value_is_null_is_empty() {
        let s = parse(
            r#"{"message":{"content":"a","content":null,"thinking":"t","thinking":null,"tool_calls":[{"function":{"name":"f","arguments":{}}}],"tool_calls":null},"done_reason":"stop","done_reason":null,"context":[1],"context":null,"logprobs":[{"token":"a","logprob":-1.0}],"logprobs":null,"status":"s","status":null,"digest":"d","digest":null,"total":1,"total":null,"eval_count":3,"eval_count":null,"error":"e","error":null}"#,
        );
        assert_eq!((s.text.as_str(), s.thinking.as_str()), ("", ""));
        assert!(!s.has_thinking);
        assert!(s.tool_calls.is_empty());
        assert_eq!((s.done_reason.as_str(), s.has_done_reason), ("", false));
        assert!(s.context.is_empty());
        assert!(s.logprobs.is_empty());
        assert_eq!((s.status.as_str(), s.has_status), ("", false));
        assert_eq!((s.digest.as_str(), s.has_digest), ("", false));
        assert_eq!((s.total, s.metrics.eval_count), (None, None));
        assert_eq!((s.error.as_str(), s.has_error), ("", false));
    }

    #[test]
    fn wrong_types_are_errors() {
        let mut s = LineScratch::default();
        assert!(s.parse(br#"{"done":"yes"}"#).is_err());
        s.clear();
        assert!(s.parse(br#"{"message":{"content":5}}"#).is_err());
        s.clear();
        assert!(s.parse(br#"[1]"#).is_err());
        s.clear();
        assert!(s.parse(br#"{"a":1} x"#).is_err());
    }
}

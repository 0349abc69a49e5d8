//! [`EmptyAnswer`]: a structured answer that came back empty because the model spent all its
//! output on reasoning. With `format` and thinking on, a model may think until its output
//! budget (`num_predict`) or context runs out and never write the JSON; decoding `""` would
//! only say `expected value at line 1 column 1`.

use std::fmt;

use crate::types::{ChatResponse, DoneReason};

/// The answer's content is empty (or whitespace) while the model's reasoning is not: every
/// token went to thinking.
///
/// ```
/// use ollama_proto::tools::EmptyAnswer;
/// use ollama_proto::types::{ChatResponse, DoneReason, Message};
///
/// let mut message = Message::assistant("");
/// message.thinking = Some("The user wants JSON. First, ".repeat(40));
/// let mut reply = ChatResponse::new(message);
/// reply.done_reason = Some(DoneReason::Length);
/// let e = EmptyAnswer::of(&reply).unwrap();
/// assert_eq!(e.thinking_chars, 1120);
/// assert!(e.to_string().starts_with("the structured answer is empty: all output went to the \
///     model's reasoning (1120 characters of thinking, done_reason length)"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmptyAnswer {
    /// Length of the reasoning that was produced instead, in characters.
    pub thinking_chars: usize,
    /// Why generation stopped (`length`: the output budget ran out while thinking).
    pub done_reason: Option<DoneReason>,
    /// Tokens generated, when the server reported them.
    pub eval_count: Option<u64>,
}

impl EmptyAnswer {
    /// `Some` when `reply`'s content is empty or whitespace and its thinking is not.
    pub fn of(reply: &ChatResponse) -> Option<Self> {
        let thinking = reply.message.thinking.as_deref()?;
        if !reply.message.content.trim().is_empty() || thinking.trim().is_empty() {
            return None;
        }
        Some(Self {
            thinking_chars: thinking.chars().count(),
            done_reason: reply.done_reason.clone(),
            eval_count: reply.metrics.eval_count,
        })
    }
}

impl fmt::Display for EmptyAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the structured answer is empty: all output went to the model's reasoning ({} \
             characters of thinking",
            self.thinking_chars
        )?;
        if let Some(n) = self.eval_count {
            write!(f, ", {n} tokens")?;
        }
        if let Some(reason) = &self.done_reason {
            write!(f, ", done_reason {}", reason.as_str())?;
        }
        f.write_str(
            "); turn thinking off (`think: false`) or give it more room (`num_predict`, \
             `num_ctx`)",
        )
    }
}

impl std::error::Error for EmptyAnswer {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Message;

    fn reply(content: &str, thinking: Option<&str>) -> ChatResponse {
        let mut m = Message::assistant(content);
        m.thinking = thinking.map(str::to_owned);
        ChatResponse::new(m)
    }

    #[test]
    fn only_an_empty_answer_with_reasoning() {
        let e = EmptyAnswer::of(&reply(" \n", Some("héllo"))).unwrap();
        assert_eq!(e.thinking_chars, 5);
        assert_eq!(
            e.to_string(),
            "the structured answer is empty: all output went to the model's reasoning (5 \
             characters of thinking); turn thinking off (`think: false`) or give it more room \
             (`num_predict`, `num_ctx`)"
        );
        for (content, thinking) in [
            ("{}", Some("hm")),
            ("", None),
            ("", Some("  ")),
            ("{\"a\":1}", None),
        ] {
            assert_eq!(
                EmptyAnswer::of(&reply(content, thinking)),
                None,
                "{content:?} {thinking:?}"
            );
        }
    }
}

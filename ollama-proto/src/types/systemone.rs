//! Decisions: `POST /v1/systemone` (**experimental**).
//!
//! A decision model reads a `state` (text, or any JSON) and answers named, typed questions with
//! a probability per option instead of prose: `choice` (one of named options), `score` (a
//! level on an ordered scale), `noul` (yes or no). The answer is one JSON object, never a
//! stream.
//!
//! How sure this is: the API is TypeSafe's (Jev) System One shape, served by several vendors;
//! third-party documentation says Ollama v0.35 and later serves it for decision models, but no
//! upstream Ollama source or pull request with it can be read. So every type here is lenient:
//! unknown question types and answer fields decode (into [`QuestionType::Other`] and `extra`),
//! and `criteria` and `state` are any JSON. Expect changes.
//!
//! ```
//! use ollama_proto::types::{Question, SystemOneRequest, SystemOneResponse};
//!
//! let request = SystemOneRequest::new("nimble", "Our checkout has returned 500 errors since 9am.")
//!     .question("label", Question::choice("Which label fits this ticket?", [
//!         ("billing", "Payments and refunds"),
//!         ("bug", "Software errors"),
//!     ]))
//!     .question("urgent", Question::noul("Does this need attention today?"));
//! assert_eq!(request.questions.names().collect::<Vec<_>>(), ["label", "urgent"]);
//!
//! let answer: SystemOneResponse = serde_json::from_str(r#"{"answers": {"label": {"type": "choice",
//!     "choice": "bug", "probabilities": {"billing": 0.02, "bug": 0.98}, "confidence": 0.89}},
//!     "usage": {"input_tokens": 174, "output_tokens": 1}}"#)?;
//! assert_eq!(answer.answer("label").and_then(|a| a.choice.as_deref()), Some("bug"));
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::account::{Extra, open_string_enum};
use super::image::Image;
use super::keep_alive::KeepAlive;
use super::named::Named;

/// `POST /v1/systemone`: questions about one state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemOneRequest {
    /// A decision model (e.g. `nimble`).
    pub model: String,
    /// What the questions are about: a string, or any JSON value (rendered by the server).
    pub state: Value,
    /// The questions by name, in the order given; the answers use the same names.
    pub questions: Named<Question>,
    /// Images every question sees (vision decision models), base64 on the wire.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Image>,
    /// How long the model stays loaded afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive: Option<KeepAlive>,
}

impl SystemOneRequest {
    /// Questions about `state` (a `&str`, a `String` or a `serde_json::Value`) for `model`;
    /// add them with [`question`](Self::question).
    pub fn new(model: impl Into<String>, state: impl Into<Value>) -> Self {
        Self {
            model: model.into(),
            state: state.into(),
            questions: Named::new(),
            images: Vec::new(),
            keep_alive: None,
        }
    }

    /// Adds (or replaces) the question `name`.
    pub fn question(mut self, name: impl Into<String>, question: Question) -> Self {
        self.questions.insert(name, question);
        self
    }

    /// Adds an image.
    pub fn image(mut self, image: Image) -> Self {
        self.images.push(image);
        self
    }

    /// Sets `keep_alive`.
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.keep_alive = Some(keep_alive);
        self
    }
}

open_string_enum!(
    /// A question's (and its answer's) `type`.
    QuestionType {
        /// One of named options (`criteria`: option name → description or `null`).
        Choice = "choice",
        /// Yes or no (`criteria`, optional: `{"true": …, "false": …}`).
        Noul = "noul",
        /// A level of an ordered scale (`criteria`: the levels, lowest first).
        Score = "score",
    }
);

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Question {
    /// Which kind of question.
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// The question itself.
    pub instructions: String,
    /// The options (choice), the levels (score) or what true and false mean (noul), as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Value>,
}

impl Question {
    /// A `choice` among `(option, description)` pairs, in order.
    pub fn choice<I, O, D>(instructions: impl Into<String>, options: I) -> Self
    where
        I: IntoIterator<Item = (O, D)>,
        O: Into<String>,
        D: Into<String>,
    {
        let criteria = options
            .into_iter()
            .map(|(option, description)| (option.into(), Value::String(description.into())))
            .collect();
        Self::with_criteria(QuestionType::Choice, instructions, Value::Object(criteria))
    }

    /// A `score` on `levels`, lowest first.
    pub fn score<I, L>(instructions: impl Into<String>, levels: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: Into<String>,
    {
        let levels = levels
            .into_iter()
            .map(|l| Value::String(l.into()))
            .collect();
        Self::with_criteria(QuestionType::Score, instructions, Value::Array(levels))
    }

    /// A yes-or-no (`noul`) question.
    pub fn noul(instructions: impl Into<String>) -> Self {
        Self {
            kind: QuestionType::Noul,
            instructions: instructions.into(),
            criteria: None,
        }
    }

    /// Any question type with any `criteria` (an option without a description is `null`).
    pub fn with_criteria(
        kind: QuestionType,
        instructions: impl Into<String>,
        criteria: Value,
    ) -> Self {
        Self {
            kind,
            instructions: instructions.into(),
            criteria: Some(criteria),
        }
    }
}

/// `POST /v1/systemone`'s answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemOneResponse {
    /// The model that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The answers by question name. A question the model could not answer may be missing.
    #[serde(default, deserialize_with = "super::models::null_as_default")]
    pub answers: Named<Answer>,
    /// Token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<DecisionUsage>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl SystemOneResponse {
    /// The answer to the question `name`.
    pub fn answer(&self, name: &str) -> Option<&Answer> {
        self.answers.get(name)
    }
}

/// The answer to one question; which fields are set depends on its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Answer {
    /// The question's type, echoed (`None` when a server leaves it out).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<QuestionType>,
    /// Choice: the most probable option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    /// Score: the expected level (probability-weighted, 0-based), where a server sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Noul: the probability of yes, where a server sends it as its own field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noul: Option<f64>,
    /// The probability of each option (choice), level (score) or side (noul), in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probabilities: Option<Named<f64>>,
    /// How peaked the distribution is: 1 when one option holds all of it, 0 when it is flat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Fields this client does not know (a score's `legend`, `temperature`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Answer {
    /// The probability of `option` (an option name, a level, or `true`/`false`).
    pub fn probability(&self, option: &str) -> Option<f64> {
        self.probabilities.as_ref()?.get(option).copied()
    }
}

/// A decision's token counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DecisionUsage {
    /// Tokens in the state and the questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Tokens generated (a decision writes none or one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
#[path = "systemone_tests.rs"]
mod tests;

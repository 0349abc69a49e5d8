//! `POST /api/embed` and the legacy `POST /api/embeddings`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::completion::nanos;
use super::{KeepAlive, Options};

/// The `input` of an embed request: one text or several (one vector each, in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EmbedInput {
    /// One text, a JSON string.
    One(String),
    /// Several texts, a JSON array of strings.
    Many(Vec<String>),
}

impl Default for EmbedInput {
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl EmbedInput {
    /// How many texts.
    pub fn len(&self) -> usize {
        match self {
            Self::One(_) => 1,
            Self::Many(v) => v.len(),
        }
    }

    /// `true` for no texts (an empty array).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<String> for EmbedInput {
    fn from(s: String) -> Self {
        Self::One(s)
    }
}

impl From<&str> for EmbedInput {
    fn from(s: &str) -> Self {
        Self::One(s.to_owned())
    }
}

impl From<Vec<String>> for EmbedInput {
    fn from(v: Vec<String>) -> Self {
        Self::Many(v)
    }
}

impl From<Vec<&str>> for EmbedInput {
    fn from(v: Vec<&str>) -> Self {
        Self::Many(v.into_iter().map(str::to_owned).collect())
    }
}

impl<const N: usize> From<[&str; N]> for EmbedInput {
    fn from(v: [&str; N]) -> Self {
        Self::Many(v.into_iter().map(str::to_owned).collect())
    }
}

/// An embed request (reference §3.4). Never streams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmbedRequest {
    /// Model name. Must not be empty.
    pub model: String,
    /// The text(s) to embed. Absent on the wire reads as an empty array.
    #[serde(default)]
    pub input: EmbedInput,
    /// Truncate over-long input (server default `true`; `false` makes it a 400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncate: Option<bool>,
    /// Shorten vectors to this many dimensions (then re-normalised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<u32>,
    /// `false` asks for the model's raw vectors instead of L2-normalised ones (the server
    /// normalises by default). Only in an open upstream pull request (ollama/ollama#17747); a
    /// server without it ignores the field and normalises anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
    /// How long to keep the model loaded afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive: Option<KeepAlive>,
    /// Runtime options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
}

impl EmbedRequest {
    /// A request embedding `input` with `model`.
    pub fn new(model: impl Into<String>, input: impl Into<EmbedInput>) -> Self {
        Self {
            model: model.into(),
            input: input.into(),
            truncate: None,
            dimensions: None,
            normalize: None,
            keep_alive: None,
            options: None,
        }
    }

    /// Sets `truncate`.
    pub fn truncate(mut self, truncate: bool) -> Self {
        self.truncate = Some(truncate);
        self
    }

    /// Sets `dimensions`.
    pub fn dimensions(mut self, dimensions: u32) -> Self {
        self.dimensions = Some(dimensions);
        self
    }

    /// Sets `normalize` (see [`EmbedRequest::normalize`](Self#structfield.normalize)).
    ///
    /// ```
    /// use ollama_proto::types::EmbedRequest;
    ///
    /// let request = EmbedRequest::new("all-minilm", "why is the sky blue?").normalize(false);
    /// assert_eq!(
    ///     serde_json::to_string(&request).unwrap(),
    ///     r#"{"model":"all-minilm","input":"why is the sky blue?","normalize":false}"#
    /// );
    /// ```
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.normalize = Some(normalize);
        self
    }

    /// Sets `keep_alive`.
    pub fn keep_alive(mut self, keep_alive: impl Into<KeepAlive>) -> Self {
        self.keep_alive = Some(keep_alive.into());
        self
    }

    /// Sets the runtime options.
    pub fn options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }
}

/// The embed response: one vector per input, in input order, L2-normalised (unless the
/// request said `normalize: false` to a server that supports it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmbedResponse {
    /// The model name.
    #[serde(default)]
    pub model: String,
    /// The vectors.
    #[serde(default, deserialize_with = "super::models::null_as_default")]
    pub embeddings: Vec<Vec<f32>>,
    /// Total time (servers since 2025; absent before).
    #[serde(default, with = "nanos", skip_serializing_if = "Option::is_none")]
    pub total_duration: Option<Duration>,
    /// Model load time.
    #[serde(default, with = "nanos", skip_serializing_if = "Option::is_none")]
    pub load_duration: Option<Duration>,
    /// Input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_eval_count: Option<u64>,
}

/// A legacy `/api/embeddings` request: one prompt, one (not normalised) vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmbeddingsRequest {
    /// Model name. Must not be empty.
    pub model: String,
    /// The text. Always sent; empty only loads the model.
    #[serde(default)]
    pub prompt: String,
    /// How long to keep the model loaded afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive: Option<KeepAlive>,
    /// Runtime options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
}

impl EmbeddingsRequest {
    /// A request embedding `prompt` with `model`.
    pub fn new(model: impl Into<String>, prompt: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            prompt: prompt.into(),
            keep_alive: None,
            options: None,
        }
    }

    /// Sets `keep_alive`.
    pub fn keep_alive(mut self, keep_alive: impl Into<KeepAlive>) -> Self {
        self.keep_alive = Some(keep_alive.into());
        self
    }

    /// Sets the runtime options.
    pub fn options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }
}

/// The legacy `/api/embeddings` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmbeddingsResponse {
    /// The vector (float64 on the wire).
    #[serde(default, deserialize_with = "super::models::null_as_default")]
    pub embedding: Vec<f64>,
}

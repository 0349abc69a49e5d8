//! Local models: `GET /api/tags`, `GET /api/ps`, `GET /api/version`, `POST /api/copy`,
//! `DELETE /api/delete`, and the pieces they share.
//!
//! Timestamps (`modified_at`, `expires_at`) stay `String`s exactly as sent: RFC 3339 with 0–9
//! fraction digits, `Z` or an offset, and years from `0001` to `2318` occur in real replies.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a model can do (`capabilities`). An open set: unknown values are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// Text completion.
    Completion,
    /// Tool calling.
    Tools,
    /// Fill-in-the-middle (`suffix`).
    Insert,
    /// Image input.
    Vision,
    /// Embeddings.
    Embedding,
    /// Separate reasoning (`think`).
    Thinking,
    /// Image generation.
    Image,
    /// Audio input.
    Audio,
    /// A value this version does not know.
    Other(String),
}

impl Capability {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Completion => "completion",
            Self::Tools => "tools",
            Self::Insert => "insert",
            Self::Vision => "vision",
            Self::Embedding => "embedding",
            Self::Thinking => "thinking",
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Other(s) => s,
        }
    }

    /// Parses the wire spelling; never fails.
    pub fn parse(s: &str) -> Self {
        match s {
            "completion" => Self::Completion,
            "tools" => Self::Tools,
            "insert" => Self::Insert,
            "vision" => Self::Vision,
            "embedding" => Self::Embedding,
            "thinking" => Self::Thinking,
            "image" => Self::Image,
            "audio" => Self::Audio,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Capability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Self::parse(&s))
    }
}

/// Reads `null` as the type's default (Go encodes nil slices and maps as `null`). Every `Vec`
/// and map field of a type the server (or a Go client) sends uses it.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Model metadata in tags, show and ps replies. Every field may be empty (ollama.com sends
/// `""` and `"families": null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelDetails {
    /// The model this one was created from.
    #[serde(default)]
    pub parent_model: String,
    /// File format, e.g. `gguf`.
    #[serde(default)]
    pub format: String,
    /// Architecture family, e.g. `llama`.
    #[serde(default)]
    pub family: String,
    /// All families (`null` on the wire reads as empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub families: Vec<String>,
    /// e.g. `8.2B`.
    #[serde(default)]
    pub parameter_size: String,
    /// e.g. `Q4_K_M`.
    #[serde(default)]
    pub quantization_level: String,
    /// Context length, when the server reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u64>,
    /// Embedding length, when the server reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding_length: Option<u64>,
    /// The context the server expects to give the model when it loads it here (an estimate
    /// from the memory available, today in buckets), when it reports it. Only in an open
    /// upstream pull request (ollama/ollama#17663): read leniently, anything but a
    /// non-negative integer (a float, a string, `null`) reads as `None`.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub projected_context_length: Option<u64>,
}

/// A count from a field that is not settled upstream: a non-negative integer, else `None`
/// (never a decode error).
pub(crate) fn lenient_u64<'de, D>(d: D) -> Result<Option<u64>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<serde_json::Value>::deserialize(d)?.and_then(|v| v.as_u64()))
}

/// One entry of `GET /api/tags`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelInfo {
    /// Display name, e.g. `llama3.2:latest`.
    #[serde(default)]
    pub name: String,
    /// Same as `name`.
    #[serde(default)]
    pub model: String,
    /// Upstream model of a remote stub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_model: Option<String>,
    /// Upstream host of a remote stub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_host: Option<String>,
    /// Last modification, RFC 3339 as sent.
    #[serde(default)]
    pub modified_at: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Hex digest without `sha256:` (ollama.com sends 12-character short digests).
    #[serde(default)]
    pub digest: String,
    /// Metadata.
    #[serde(default, deserialize_with = "null_as_default")]
    pub details: ModelDetails,
    /// Capabilities (newer servers only).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub capabilities: Vec<Capability>,
}

/// `GET /api/tags`: the local models, most recently modified first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListResponse {
    /// The models.
    #[serde(default, deserialize_with = "null_as_default")]
    pub models: Vec<ModelInfo>,
}

/// One loaded model in `GET /api/ps`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunningModel {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Same as `name`.
    #[serde(default)]
    pub model: String,
    /// Size in memory, bytes.
    #[serde(default)]
    pub size: u64,
    /// Hex digest.
    #[serde(default)]
    pub digest: String,
    /// Metadata.
    #[serde(default, deserialize_with = "null_as_default")]
    pub details: ModelDetails,
    /// When it will be unloaded, RFC 3339 as sent (far in the future for "forever").
    #[serde(default)]
    pub expires_at: String,
    /// Bytes in GPU memory.
    #[serde(default)]
    pub size_vram: u64,
    /// The live context size (servers ≥ v0.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u64>,
    /// Upstream model of a remote stub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_model: Option<String>,
    /// Upstream host of a remote stub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_host: Option<String>,
}

/// `GET /api/ps`: loaded models, longest remaining keep-alive first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProcessResponse {
    /// The loaded models.
    #[serde(default, deserialize_with = "null_as_default")]
    pub models: Vec<RunningModel>,
}

/// `GET /api/version`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VersionResponse {
    /// e.g. `0.33.0-rc2`; development builds say `0.0.0`.
    #[serde(default)]
    pub version: String,
}

/// `POST /api/copy`: copy a model under a new name. Answered by an empty 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CopyRequest {
    /// Existing model name.
    pub source: String,
    /// New name.
    pub destination: String,
}

impl CopyRequest {
    /// Copy `source` to `destination`.
    pub fn new(source: impl Into<String>, destination: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            destination: destination.into(),
        }
    }
}

/// `DELETE /api/delete` (with a JSON body): delete a model. Answered by an empty 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeleteRequest {
    /// Model name (the deprecated `name` key is read too).
    #[serde(alias = "name")]
    pub model: String,
}

impl DeleteRequest {
    /// Delete `model`.
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
        }
    }
}

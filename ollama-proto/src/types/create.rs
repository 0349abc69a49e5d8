//! `POST /api/create`: build a model from blobs, another model, or a remote host.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{BlobDigest, Capability, Message};

/// `license`: one text or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum License {
    /// One license text.
    One(String),
    /// Several license texts.
    Many(Vec<String>),
}

impl From<&str> for License {
    fn from(s: &str) -> Self {
        Self::One(s.to_owned())
    }
}

impl From<String> for License {
    fn from(s: String) -> Self {
        Self::One(s)
    }
}

impl From<Vec<String>> for License {
    fn from(v: Vec<String>) -> Self {
        Self::Many(v)
    }
}

/// Overrides of the model's reported metadata (`info`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateInfo {
    /// Capabilities to report.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub capabilities: Vec<Capability>,
    /// Model family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_family: Option<String>,
    /// Base model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_name: Option<String>,
    /// Quantisation level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantization_level: Option<String>,
    /// Parameter size, e.g. `8B`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_size: Option<String>,
    /// Context length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u64>,
    /// Embedding length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding_length: Option<u64>,
}

/// A create request (reference §3.8). Streams progress like pull; wrap it in
/// [`Streaming`](crate::request::Streaming) to watch it.
///
/// File maps (`files`, `adapters`, `draft_files`) go from a relative file name to a
/// `sha256:<hex>` digest of a blob uploaded first with
/// [`CreateBlob`](super::CreateBlob); they are sent sorted by file name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateRequest {
    /// Name of the new model (the deprecated `name` key is read too). Must not be empty.
    #[serde(alias = "name")]
    pub model: String,
    /// Source model (a `:cloud` source, or `remote_host`, creates a remote stub).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Model files (GGUF or safetensors).
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub files: BTreeMap<String, String>,
    /// LoRA adapter files (one supported).
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub adapters: BTreeMap<String, String>,
    /// Draft model files for speculative decoding.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub draft_files: BTreeMap<String, String>,
    /// Quantisation of the draft model (needs `draft_files`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_quantize: Option<String>,
    /// Prompt template (Go template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// System prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// License text(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    /// Modelfile parameters (`{"temperature":0.7,"stop":["…"]}`), in insertion order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Map<String, Value>>,
    /// Preamble history.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub messages: Vec<Message>,
    /// Quantise to this level, e.g. `q4_K_M` (the deprecated `quantization` key is read too).
    #[serde(
        default,
        alias = "quantization",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantize: Option<String>,
    /// Built-in renderer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renderer: Option<String>,
    /// Built-in parser name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parser: Option<String>,
    /// Minimum Ollama version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
    /// URL of an upstream Ollama, for a remote stub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_host: Option<String>,
    /// Metadata overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<CreateInfo>,
}

impl CreateRequest {
    /// Create `model` (set `from` or `files` next).
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            ..Self::default()
        }
    }

    /// Sets the source model.
    pub fn from_model(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// Adds a model file.
    pub fn file(mut self, name: impl Into<String>, digest: &BlobDigest) -> Self {
        self.files.insert(name.into(), digest.as_str().to_owned());
        self
    }

    /// Adds an adapter file.
    pub fn adapter(mut self, name: impl Into<String>, digest: &BlobDigest) -> Self {
        self.adapters
            .insert(name.into(), digest.as_str().to_owned());
        self
    }

    /// Sets the template.
    pub fn template(mut self, template: impl Into<String>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// Sets the system prompt.
    pub fn system(mut self, system: impl Into<String>) -> Self {
        self.system = Some(system.into());
        self
    }

    /// Sets the license.
    pub fn license(mut self, license: impl Into<License>) -> Self {
        self.license = Some(license.into());
        self
    }

    /// Sets one Modelfile parameter.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.parameters
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Appends a preamble message.
    pub fn message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    /// Sets the quantisation level.
    pub fn quantize(mut self, level: impl Into<String>) -> Self {
        self.quantize = Some(level.into());
        self
    }

    /// Sets the remote host.
    pub fn remote_host(mut self, host: impl Into<String>) -> Self {
        self.remote_host = Some(host.into());
        self
    }
}

//! `POST /api/show`: a model's Modelfile, template, metadata and capabilities.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::models::null_as_default;
use super::{Capability, Message, ModelDetails, Options};

/// A show request (reference §3.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShowRequest {
    /// Model name. The deprecated `name` key is read too and re-sent as `model`.
    #[serde(alias = "name")]
    pub model: String,
    /// Include large tokenizer arrays in `model_info` (otherwise `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verbose: Option<bool>,
    /// Replaces the system prompt in the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Merged into the generated `modelfile` text only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
}

impl ShowRequest {
    /// Show `model`.
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            verbose: None,
            system: None,
            options: None,
        }
    }

    /// Sets `verbose`.
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = Some(verbose);
        self
    }

    /// Sets `system`.
    pub fn system(mut self, system: impl Into<String>) -> Self {
        self.system = Some(system.into());
        self
    }

    /// Sets `options`.
    pub fn options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }
}

/// One tensor in [`ShowResponse::tensors`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tensor {
    /// Tensor name, e.g. `token_embd.weight`.
    #[serde(default)]
    pub name: String,
    /// Element type, e.g. `Q6_K`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Dimensions.
    #[serde(default, deserialize_with = "null_as_default")]
    pub shape: Vec<u64>,
}

/// The show response. Lenient: older servers lack `tensors` and `capabilities`, ollama.com
/// sends less, and `model_info` holds `null`s for large arrays unless `verbose` was set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShowResponse {
    /// License text(s), joined with newlines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The generated Modelfile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modelfile: Option<String>,
    /// Parameters, one `key value` per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<String>,
    /// The prompt template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Built-in renderer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renderer: Option<String>,
    /// Built-in parser name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parser: Option<String>,
    /// Metadata.
    #[serde(default, deserialize_with = "null_as_default")]
    pub details: ModelDetails,
    /// Modelfile `MESSAGE` history.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub messages: Vec<Message>,
    /// Upstream model of a remote stub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_model: Option<String>,
    /// Upstream host of a remote stub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_host: Option<String>,
    /// GGUF key/value metadata, in the server's order (values may be `null`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub model_info: Map<String, Value>,
    /// Vision projector metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projector_info: Option<Map<String, Value>>,
    /// Tensors (newer servers).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tensors: Vec<Tensor>,
    /// Capabilities (servers ≥ v0.6.4).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub capabilities: Vec<Capability>,
    /// Last modification, RFC 3339 as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// Minimum Ollama version the model needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

impl ShowResponse {
    /// `true` if `capabilities` lists `capability`.
    pub fn has_capability(&self, capability: &Capability) -> bool {
        self.capabilities.contains(capability)
    }

    /// The model's trained context length: `model_info["<general.architecture>.context_length"]`.
    pub fn context_length(&self) -> Option<u64> {
        let arch = self.model_info.get("general.architecture")?.as_str()?;
        self.model_info
            .get(&format!("{arch}.context_length"))?
            .as_u64()
    }
}

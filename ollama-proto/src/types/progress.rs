//! Progress streams: `POST /api/pull`, `POST /api/push` (and `/api/create`'s replies).

use serde::{Deserialize, Serialize};

/// One progress object (reference §8). The stream ends with `{"status":"success"}`; other
/// `status` strings are informational and change between versions, so never match on them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProgressResponse {
    /// What is happening (`pulling manifest`, `pulling 6995872bfe4c`, …, `success`).
    pub status: String,
    /// The layer being transferred (`sha256:<hex>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Layer size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Bytes done; absent until some bytes have been counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<u64>,
}

impl ProgressResponse {
    /// A progress object with only a status.
    pub fn new(status: impl Into<String>) -> Self {
        Self {
            status: status.into(),
            ..Self::default()
        }
    }

    /// `true` for the terminal `status: "success"`.
    pub fn is_success(&self) -> bool {
        self.status == "success"
    }
}

/// `POST /api/pull`: download a model from a registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PullRequest {
    /// Model name (the deprecated `name` key is read too).
    #[serde(alias = "name")]
    pub model: String,
    /// Allow plain-HTTP registries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
}

impl PullRequest {
    /// Pull `model`.
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            insecure: None,
        }
    }

    /// Sets `insecure`.
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = Some(insecure);
        self
    }
}

/// `POST /api/push`: upload a model (`<namespace>/<model>:<tag>`) to a registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PushRequest {
    /// Model name (the deprecated `name` key is read too).
    #[serde(alias = "name")]
    pub model: String,
    /// Allow plain-HTTP registries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
}

impl PushRequest {
    /// Push `model`.
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            insecure: None,
        }
    }

    /// Sets `insecure`.
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = Some(insecure);
        self
    }
}

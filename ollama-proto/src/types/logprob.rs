//! Token log-probabilities (`logprobs` / `top_logprobs`).

use serde::{Deserialize, Serialize};

/// Log-probability of one generated token, with its top alternatives when requested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Logprob {
    /// The token text.
    #[serde(default)]
    pub token: String,
    /// Natural-log probability.
    #[serde(default)]
    pub logprob: f64,
    /// UTF-8 bytes of the token (absent for an empty token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<Vec<u8>>,
    /// The most likely alternatives, present when `top_logprobs > 0` was requested.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub top_logprobs: Vec<TopLogprob>,
}

/// One alternative token in [`Logprob::top_logprobs`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TopLogprob {
    /// The token text.
    #[serde(default)]
    pub token: String,
    /// Natural-log probability.
    #[serde(default)]
    pub logprob: f64,
    /// UTF-8 bytes of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<Vec<u8>>,
}

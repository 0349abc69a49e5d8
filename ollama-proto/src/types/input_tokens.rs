//! Counting a request's input tokens without running it: `POST /v1/messages/count_tokens`
//! (Anthropic's shape), `/v1/chat/completions/input_tokens` and `/v1/responses/input_tokens`
//! (OpenAI's shapes), all answered `{"input_tokens": N, …}`.
//!
//! **Only in an open upstream pull request** (ollama/ollama#17478); no released server answers
//! these routes (expect a 404), and the request shapes belong to those compatibility APIs,
//! which this crate does not type: the request body is JSON as that API takes it, and the
//! answer is read leniently (an unknown field, or a count that is not a non-negative
//! integer, never fails the decode).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which compatibility route counts the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenCountApi {
    /// `POST /v1/messages/count_tokens`, a body shaped like Anthropic's Messages request.
    Messages,
    /// `POST /v1/chat/completions/input_tokens`, a body shaped like an OpenAI chat request.
    ChatCompletions,
    /// `POST /v1/responses/input_tokens`, a body shaped like an OpenAI Responses request.
    Responses,
}

impl TokenCountApi {
    /// The route's path.
    pub fn path(self) -> &'static str {
        match self {
            Self::Messages => "/v1/messages/count_tokens",
            Self::ChatCompletions => "/v1/chat/completions/input_tokens",
            Self::Responses => "/v1/responses/input_tokens",
        }
    }
}

/// A token-count request: the route and the JSON body it takes (a JSON object naming its
/// `model`).
///
/// ```
/// use ollama_proto::types::{CountInputTokens, TokenCountApi};
/// use serde_json::json;
///
/// let request = CountInputTokens::new(
///     TokenCountApi::Messages,
///     json!({"model": "qwen3:8b", "messages": [{"role": "user", "content": "Hello"}]}),
/// );
/// assert_eq!(request.api.path(), "/v1/messages/count_tokens");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CountInputTokens {
    /// Which route.
    pub api: TokenCountApi,
    /// The body, sent as it is.
    pub body: Value,
}

impl CountInputTokens {
    /// A request to `api` with `body`.
    pub fn new(api: TokenCountApi, body: Value) -> Self {
        Self { api, body }
    }
}

/// The count: `{"input_tokens": N}` (OpenAI's routes add `"object": "response.input_tokens"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputTokens {
    /// The request's input tokens; `None` when the server sent no count that is a
    /// non-negative integer.
    #[serde(
        default,
        deserialize_with = "super::models::lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub input_tokens: Option<u64>,
    /// The object type OpenAI's shapes add (`response.input_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
}

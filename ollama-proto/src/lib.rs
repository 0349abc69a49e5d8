//! Sans-IO protocol core for the Ollama HTTP API.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod decoder;
pub mod error;
pub mod host;
pub mod request;
pub mod response;
pub mod think;
pub mod types;

pub use error::{BodyKind, Error, ErrorKind, JsonError, Position, StatusError, UsageError};
pub use host::{BaseUrl, Environment};
pub use request::{
    ApiKey, Body, Call, Direct, Endpoint, RequestConfig, StreamCall, Streaming, build_request,
};
pub use types::{
    ChatRequest, ChatResponse, EmbedRequest, EmbedResponse, Format, GenerateRequest,
    GenerateResponse, KeepAlive, Message, Options, Think, ThinkLevel,
};

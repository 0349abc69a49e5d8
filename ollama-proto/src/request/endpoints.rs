//! [`Endpoint`], [`SingleCall`] and [`StreamCall`] for every request type.

use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{
    Body, Direct, Endpoint, JSON, NDJSON, OCTET_STREAM, SingleCall, StreamCall, Streaming,
    SuccessBody,
};
use crate::accumulate::Accumulator;
use crate::decoder::StreamKind;
use crate::response::decode_json;
use crate::types::{
    BlobExists, ChatRequest, ChatResponse, CopyRequest, CreateBlob, CreateRequest, DeleteRequest,
    EmbedRequest, EmbedResponse, EmbeddingsRequest, EmbeddingsResponse, GenerateRequest,
    GenerateResponse, ListResponse, Metrics, Options, ProcessResponse, ProgressResponse,
    PullRequest, PushRequest, ShowRequest, ShowResponse, VersionResponse, WebFetchRequest,
    WebFetchResponse, WebSearchRequest, WebSearchResponse,
};
use crate::{Error, UsageError};

/// `GET /api/tags`: the local models.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListModels;

/// `GET /api/ps`: the loaded models.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRunning;

/// `GET /api/version`: the server version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetVersion;

/// Checks a request before it is encoded.
trait Check {
    fn check(&self) -> Result<(), UsageError>;
}

fn require(what: &str, value: &str) -> Result<(), UsageError> {
    if value.trim().is_empty() {
        Err(UsageError::InvalidRequest(format!(
            "{what} must not be empty"
        )))
    } else {
        Ok(())
    }
}

fn check_options(options: Option<&Options>) -> Result<(), UsageError> {
    options.map_or(Ok(()), Options::check)
}

/// Requests that name a model and may carry options.
macro_rules! check_model_and_options {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Check for $ty {
                fn check(&self) -> Result<(), UsageError> {
                    require("model", &self.model)?;
                    check_options(self.options.as_ref())
                }
            }
        )*
    };
}

check_model_and_options!(
    ChatRequest,
    GenerateRequest,
    EmbedRequest,
    EmbeddingsRequest,
    ShowRequest
);

impl Check for CreateRequest {
    fn check(&self) -> Result<(), UsageError> {
        require("model", &self.model)
    }
}

impl Check for PullRequest {
    fn check(&self) -> Result<(), UsageError> {
        require("model", &self.model)
    }
}

impl Check for PushRequest {
    fn check(&self) -> Result<(), UsageError> {
        require("model", &self.model)
    }
}

impl Check for DeleteRequest {
    fn check(&self) -> Result<(), UsageError> {
        require("model", &self.model)
    }
}

impl Check for CopyRequest {
    fn check(&self) -> Result<(), UsageError> {
        require("source", &self.source)?;
        require("destination", &self.destination)
    }
}

impl Check for WebSearchRequest {
    fn check(&self) -> Result<(), UsageError> {
        require("query", &self.query)
    }
}

impl Check for WebFetchRequest {
    fn check(&self) -> Result<(), UsageError> {
        require("url", &self.url)
    }
}

/// The request's own fields followed by an explicit `stream`.
#[derive(Serialize)]
struct WithStream<'a, R> {
    #[serde(flatten)]
    request: &'a R,
    stream: bool,
}

fn json_body<T: Serialize + ?Sized>(value: &T) -> Result<Option<Body>, UsageError> {
    let bytes = serde_json::to_vec(value).map_err(|e| UsageError::Encode(e.to_string()))?;
    Ok(Some(Body {
        bytes: Bytes::from(bytes),
        content_type: JSON,
    }))
}

/// The answer of a call whose success is an empty body (whatever it holds).
fn empty(_: &[u8]) -> Result<(), Error> {
    Ok(())
}

/// A JSON success body, decoded by serde.
const fn json<T: DeserializeOwned>() -> SuccessBody<T> {
    SuccessBody::Whole(decode_json::<T>)
}

/// The `Endpoint` impl of a JSON request sent as itself (no `stream` field).
macro_rules! json_endpoint {
    ($ty:ty, $method:ident, $path:literal, safe = $safe:literal $(, $model:ident)?) => {
        impl Endpoint for $ty {
            fn safe_to_repeat(&self) -> bool {
                $safe
            }
            $(
                fn $model(&self) -> Option<&str> {
                    Some(&self.$model)
                }
            )?
            fn method(&self) -> Method {
                Method::$method
            }
            fn path(&self) -> Cow<'_, str> {
                Cow::Borrowed($path)
            }
            fn body(&self) -> Result<Option<Body>, UsageError> {
                self.check()?;
                json_body(self)
            }
            fn accept(&self) -> &'static str {
                JSON
            }
        }
    };
}

/// A JSON request answered by one JSON object, decoded by serde or by `$decoder`.
macro_rules! json_call {
    ($ty:ty, $method:ident, $path:literal, $output:ty $(, $model:ident)?; $decoder:path) => {
        json_endpoint!($ty, $method, $path, safe = true $(, $model)?);

        impl SingleCall for $ty {
            type Output = $output;
            const SUCCESS: SuccessBody<$output> = SuccessBody::Whole($decoder);
        }
    };
    ($ty:ty, $method:ident, $path:literal, $output:ty $(, $model:ident)?) => {
        json_call!($ty, $method, $path, $output $(, $model)?; decode_json);
    };
}

/// A request with a `stream` field: `"stream":false` alone, `"stream":true` in [`Streaming`].
macro_rules! stream_call {
    ($ty:ty, $path:literal, $kind:ident, $output:ty, $merge:path, $metrics:path, safe = $safe:literal) => {
        impl Endpoint for $ty {
            fn safe_to_repeat(&self) -> bool {
                $safe
            }
            fn model(&self) -> Option<&str> {
                Some(&self.model)
            }
            fn method(&self) -> Method {
                Method::POST
            }
            fn path(&self) -> Cow<'_, str> {
                Cow::Borrowed($path)
            }
            fn body(&self) -> Result<Option<Body>, UsageError> {
                self.check()?;
                json_body(&WithStream {
                    request: self,
                    stream: false,
                })
            }
            fn accept(&self) -> &'static str {
                JSON
            }
        }

        impl SingleCall for $ty {
            type Output = $output;
            const SUCCESS: SuccessBody<$output> = SuccessBody::Merged(StreamKind::$kind, $merge);
            fn output_metrics(output: &$output) -> Option<&crate::types::Metrics> {
                $metrics(output)
            }
        }

        impl Endpoint for Streaming<$ty> {
            fn safe_to_repeat(&self) -> bool {
                $safe
            }
            fn model(&self) -> Option<&str> {
                Some(&self.0.model)
            }
            fn method(&self) -> Method {
                Method::POST
            }
            fn path(&self) -> Cow<'_, str> {
                Cow::Borrowed($path)
            }
            fn body(&self) -> Result<Option<Body>, UsageError> {
                self.0.check()?;
                json_body(&WithStream {
                    request: &self.0,
                    stream: true,
                })
            }
            fn accept(&self) -> &'static str {
                NDJSON
            }
        }

        impl StreamCall for Streaming<$ty> {
            const KIND: StreamKind = StreamKind::$kind;
        }
    };
}

/// A bodiless GET answered by one JSON object.
macro_rules! get_call {
    ($ty:ty, $path:literal, $output:ty) => {
        impl Endpoint for $ty {
            fn safe_to_repeat(&self) -> bool {
                true
            }
            fn method(&self) -> Method {
                Method::GET
            }
            fn path(&self) -> Cow<'_, str> {
                Cow::Borrowed($path)
            }
            fn body(&self) -> Result<Option<Body>, UsageError> {
                Ok(None)
            }
            fn accept(&self) -> &'static str {
                JSON
            }
        }

        impl SingleCall for $ty {
            type Output = $output;
            const SUCCESS: SuccessBody<$output> = json();
        }
    };
}

fn chat_metrics(r: &ChatResponse) -> Option<&Metrics> {
    Some(&r.metrics)
}

fn generate_metrics(r: &GenerateResponse) -> Option<&Metrics> {
    Some(&r.metrics)
}

fn no_metrics<T>(_: &T) -> Option<&Metrics> {
    None
}

// Generation has no effect on the server and a pull is resumable, so both may be sent twice;
// push and create change what the server (or the registry) holds.
stream_call!(
    ChatRequest,
    "/api/chat",
    Chat,
    ChatResponse,
    Accumulator::into_chat_response,
    chat_metrics,
    safe = true
);
stream_call!(
    GenerateRequest,
    "/api/generate",
    Generate,
    GenerateResponse,
    Accumulator::into_generate_response,
    generate_metrics,
    safe = true
);
stream_call!(
    PullRequest,
    "/api/pull",
    Progress,
    ProgressResponse,
    Accumulator::into_progress_response,
    no_metrics,
    safe = true
);
stream_call!(
    PushRequest,
    "/api/push",
    Progress,
    ProgressResponse,
    Accumulator::into_progress_response,
    no_metrics,
    safe = false
);
stream_call!(
    CreateRequest,
    "/api/create",
    Progress,
    ProgressResponse,
    Accumulator::into_progress_response,
    no_metrics,
    safe = false
);

// Embeddings go through the exact float scanner, not serde (issue 10: `1e39` became `inf`).
json_call!(EmbedRequest, POST, "/api/embed", EmbedResponse, model; crate::embed_decode::decode_embed);
json_call!(
    EmbeddingsRequest,
    POST,
    "/api/embeddings",
    EmbeddingsResponse,
    model;
    crate::embed_decode::decode_embeddings
);
json_call!(ShowRequest, POST, "/api/show", ShowResponse, model);
json_call!(
    WebSearchRequest,
    POST,
    "/api/experimental/web_search",
    WebSearchResponse
);
json_call!(
    WebFetchRequest,
    POST,
    "/api/experimental/web_fetch",
    WebFetchResponse
);

/// Token counting: the route's own path, the body as given (a JSON object naming its model).
impl Endpoint for crate::types::CountInputTokens {
    fn safe_to_repeat(&self) -> bool {
        true
    }
    fn model(&self) -> Option<&str> {
        self.body.get("model").and_then(serde_json::Value::as_str)
    }
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.api.path())
    }
    fn body(&self) -> Result<Option<Body>, UsageError> {
        if !self.body.is_object() {
            return Err(UsageError::InvalidRequest(
                "a token-count request body must be a JSON object".to_owned(),
            ));
        }
        require("model", self.model().unwrap_or(""))?;
        json_body(&self.body)
    }
    fn accept(&self) -> &'static str {
        JSON
    }
}

impl SingleCall for crate::types::CountInputTokens {
    type Output = crate::types::InputTokens;
    const SUCCESS: SuccessBody<crate::types::InputTokens> = json();
}

get_call!(ListModels, "/api/tags", ListResponse);
get_call!(ListRunning, "/api/ps", ProcessResponse);
get_call!(GetVersion, "/api/version", VersionResponse);

/// A JSON request answered by an empty 200.
macro_rules! empty_call {
    ($ty:ty, $method:ident, $path:literal) => {
        // Copy and delete change what the server holds: never sent twice.
        json_endpoint!($ty, $method, $path, safe = false);

        impl SingleCall for $ty {
            type Output = ();
            const SUCCESS: SuccessBody<()> = SuccessBody::Whole(empty);
        }
    };
}

empty_call!(CopyRequest, POST, "/api/copy");
empty_call!(DeleteRequest, DELETE, "/api/delete");

/// ollama.com's direct web endpoints.
macro_rules! direct_call {
    ($ty:ty, $path:literal, $output:ty) => {
        impl Endpoint for Direct<$ty> {
            fn safe_to_repeat(&self) -> bool {
                true
            }
            fn method(&self) -> Method {
                Method::POST
            }
            fn path(&self) -> Cow<'_, str> {
                Cow::Borrowed($path)
            }
            fn body(&self) -> Result<Option<Body>, UsageError> {
                self.0.check()?;
                json_body(&self.0)
            }
            fn accept(&self) -> &'static str {
                JSON
            }
        }

        impl SingleCall for Direct<$ty> {
            type Output = $output;
            const SUCCESS: SuccessBody<$output> = json();
        }
    };
}

direct_call!(WebSearchRequest, "/api/web_search", WebSearchResponse);
direct_call!(WebFetchRequest, "/api/web_fetch", WebFetchResponse);

impl Endpoint for BlobExists {
    fn safe_to_repeat(&self) -> bool {
        true
    }
    fn method(&self) -> Method {
        Method::HEAD
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!("/api/blobs/{}", self.0))
    }
    fn body(&self) -> Result<Option<Body>, UsageError> {
        Ok(None)
    }
    fn accept(&self) -> &'static str {
        JSON
    }
}

impl SingleCall for BlobExists {
    /// `true` on 2xx, `false` on 404.
    type Output = bool;
    const SUCCESS: SuccessBody<bool> = SuccessBody::Whole(|_| Ok(true));
    fn status_answer(status: u16) -> Option<bool> {
        (status == 404).then_some(false)
    }
}

impl Endpoint for CreateBlob {
    /// Blobs are content-addressed: uploading one twice stores it once.
    fn safe_to_repeat(&self) -> bool {
        true
    }
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!("/api/blobs/{}", self.digest))
    }
    fn body(&self) -> Result<Option<Body>, UsageError> {
        Ok(Some(Body {
            bytes: self.data.clone(),
            content_type: OCTET_STREAM,
        }))
    }
    fn accept(&self) -> &'static str {
        JSON
    }
}

impl SingleCall for CreateBlob {
    /// 201 (created) and 200 (already present) are both success.
    type Output = ();
    const SUCCESS: SuccessBody<()> = SuccessBody::Whole(empty);
}

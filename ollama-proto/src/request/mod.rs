//! Turning typed requests into transport-neutral `http::Request<Bytes>`.
//!
//! Every request type implements [`Endpoint`] (method, path, body, `Accept`). Those answered
//! by one body also implement [`SingleCall`], which says how a success body becomes the answer
//! (error statuses are the exchange's); those answered by an NDJSON stream are wrapped in
//! [`Streaming`] and implement [`StreamCall`]. [`build_request`] adds the
//! base URL and the headers of a [`RequestConfig`].
//!
//! Streaming is chosen by the wrapper, never by a field: `ChatRequest` sends `"stream":false`,
//! `Streaming(ChatRequest)` sends `"stream":true`.

mod account;
mod config;
mod endpoints;

use std::borrow::Cow;

use bytes::Bytes;
use http::header::{ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Method};

pub use crate::host::ApiKey;
pub use config::{RequestConfig, default_user_agent};
pub use endpoints::{GetVersion, ListModels, ListRunning};

use crate::decoder::StreamKind;
use crate::{AccountCallRefusal, UsageError};

/// `application/json`.
pub const JSON: &str = "application/json";
/// `application/x-ndjson`.
pub const NDJSON: &str = "application/x-ndjson";
/// `application/octet-stream`.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Anything that can be sent.
pub trait Endpoint {
    /// The HTTP method.
    fn method(&self) -> Method;
    /// The API path, e.g. `/api/chat` or `/api/blobs/sha256:…` (without any base prefix).
    fn path(&self) -> Cow<'_, str>;
    /// The body, or `None` for GET and HEAD. Fails on values the server would reject anyway
    /// (empty model name, non-finite option floats).
    fn body(&self) -> Result<Option<Body>, UsageError>;
    /// The `Accept` header: [`NDJSON`] for streams, else [`JSON`].
    fn accept(&self) -> &'static str;
    /// Whether the call may be sent twice without changing its effect, so that a retry after a
    /// lost connection or a 429/502/503 is harmless. Decided by the request's type: reading
    /// calls, generation and content-addressed blob uploads are; `create`, `push`, `copy` and
    /// `delete` are not.
    fn safe_to_repeat(&self) -> bool;
    /// The model the request is about, for logs and tracing spans.
    fn model(&self) -> Option<&str> {
        None
    }
    /// Whether this is an ollama.com account call (balance, usage, me), which
    /// [`build_request`] sends only to `https://ollama.com` with a key, or to any base URL when
    /// [`RequestConfig::relay_account_calls`] is set.
    fn account_call(&self) -> bool {
        false
    }
}

/// A request body and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The bytes.
    pub bytes: Bytes,
    /// The `Content-Type`.
    pub content_type: &'static str,
}

/// How the [`Exchange`](crate::exchange::Exchange) reads the body of a success status (2xx)
/// into a call's answer. Error statuses never reach it: the exchange makes every
/// [`StatusError`](crate::StatusError) itself.
pub enum SuccessBody<T> {
    /// The whole body is collected (bounded by `max_body`), then decoded by this function.
    Whole(fn(&[u8]) -> Result<T, crate::Error>),
    /// The body is one or more NDJSON objects of this family, decoded as the bytes arrive by
    /// the same [`Decoder`](crate::Decoder) as a stream and merged by an
    /// [`Accumulator`](crate::Accumulator); the function makes the answer of the merge. The line
    /// limit does not apply (the whole body is bounded by `max_body`).
    Merged(StreamKind, fn(crate::Accumulator) -> T),
}

impl<T> std::fmt::Debug for SuccessBody<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Whole(_) => f.write_str("Whole"),
            Self::Merged(kind, _) => f.debug_tuple("Merged").field(kind).finish(),
        }
    }
}

/// A call answered by one body.
pub trait SingleCall: Endpoint {
    /// What a successful answer decodes to.
    type Output;
    /// How a success body becomes the answer.
    const SUCCESS: SuccessBody<Self::Output>;

    /// A status that is not a success but is an answer of this call, declared here (a blob's
    /// `HEAD` answered 404 is `false`). `None` (the default) for every status: it is an error.
    fn status_answer(status: u16) -> Option<Self::Output> {
        let _ = status;
        None
    }

    /// The eval counts and timings of a decoded answer, for a transport's tracing: chat and
    /// generate answers have them, other calls `None`.
    fn output_metrics(output: &Self::Output) -> Option<&crate::types::Metrics> {
        let _ = output;
        None
    }
}

/// A call answered by an NDJSON stream.
pub trait StreamCall: Endpoint {
    /// Which family of stream it is.
    const KIND: StreamKind;
}

/// Makes a request streaming: `Streaming(chat_request)` sends `"stream":true` and asks for
/// NDJSON. Implemented for chat, generate, pull, push and create.
#[derive(Debug, Clone, PartialEq)]
pub struct Streaming<R>(pub R);

/// Sends a web search or fetch request to ollama.com's own path (`/api/web_search`,
/// `/api/web_fetch`) instead of the local server's experimental proxy. Use it with
/// [`BaseUrl::ollama_com`](crate::host::BaseUrl::ollama_com) and an API key.
#[derive(Debug, Clone, PartialEq)]
pub struct Direct<R>(pub R);

/// Builds the HTTP request for `endpoint`.
///
/// - URI: the base URL's scheme, `host:port`, path prefix, then the endpoint path
///   (`https://example.com:443/ollama` + `/api/chat` → `https://example.com:443/ollama/api/chat`).
/// - Headers, in order: `content-type` (when there is a body), `accept`,
///   `accept-encoding: identity` (nothing is decompressed), `user-agent`,
///   `authorization: Bearer <key>` (when a key is set; marked sensitive), then
///   [`RequestConfig::headers`], which replace standard headers of the same name.
pub fn build_request<E: Endpoint + ?Sized>(
    config: &RequestConfig,
    endpoint: &E,
) -> Result<http::Request<Bytes>, UsageError> {
    if endpoint.account_call() {
        check_account_call(config, endpoint)?;
    }
    let body = endpoint.body()?;
    let url = config.base_url.url(&endpoint.path());
    let uri: http::Uri = url
        .parse()
        .map_err(|e| UsageError::InvalidUrl(format!("{url}: {e}")))?;

    let mut request = http::Request::new(Bytes::new());
    *request.method_mut() = endpoint.method();
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    if let Some(body) = &body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(body.content_type));
    }
    headers.insert(ACCEPT, HeaderValue::from_static(endpoint.accept()));
    // This client does not decompress: a body must come as sent.
    headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
    let user_agent = HeaderValue::from_str(&config.user_agent).map_err(|_| {
        UsageError::InvalidRequest("the user agent is not a valid header value".to_owned())
    })?;
    headers.insert(USER_AGENT, user_agent);
    if let Some(key) = &config.api_key {
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", key.expose_secret())).map_err(|_| {
                UsageError::InvalidRequest(
                    "the API key contains characters not allowed in a header".to_owned(),
                )
            })?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    for name in config.headers.keys() {
        headers.remove(name);
    }
    for (name, value) in &config.headers {
        headers.append(name.clone(), value.clone());
    }
    if let Some(body) = body {
        *request.body_mut() = body.bytes;
    }
    Ok(request)
}

/// Refuses an account call that would carry the key to a host other than ollama.com (unless
/// the configuration relays them), or that goes to ollama.com without any credential.
fn check_account_call<E: Endpoint + ?Sized>(
    config: &RequestConfig,
    endpoint: &E,
) -> Result<(), UsageError> {
    let url = &config.base_url;
    let ollama_com = url.scheme() == "https" && url.is_ollama_com();
    let has_key = config.api_key.is_some() || config.headers.contains_key(AUTHORIZATION);
    let reason = if !ollama_com && !config.relay_account_calls {
        AccountCallRefusal::NotOllamaCom
    } else if ollama_com && !has_key {
        AccountCallRefusal::NoApiKey
    } else {
        return Ok(());
    };
    let path = endpoint.path();
    Err(UsageError::AccountCallHost {
        call: format!(
            "{} {}",
            endpoint.method(),
            path.split('?').next().unwrap_or_default()
        ),
        origin: url.origin(),
        reason,
    })
}

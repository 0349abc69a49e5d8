//! [`Client`] and [`ClientBuilder`]: one pooled connection manager, every endpoint.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use ollama_proto::request::{Call, Direct, Endpoint, GetVersion, ListModels, ListRunning};
use ollama_proto::response::is_success;
use ollama_proto::retry::RetryPolicy;
use ollama_proto::think::ThinkConfig;
use ollama_proto::types::{
    BlobDigest, BlobExists, ChatRequest, ChatResponse, CopyRequest, CreateBlob, CreateRequest,
    DeleteRequest, EmbedRequest, EmbedResponse, EmbeddingsRequest, EmbeddingsResponse,
    GenerateRequest, GenerateResponse, ListResponse, ProcessResponse, ProgressResponse,
    PullRequest, PushRequest, ShowRequest, ShowResponse, VersionResponse, WebFetchRequest,
    WebFetchResponse, WebSearchRequest, WebSearchResponse,
};
use ollama_proto::{BaseUrl, ClientConfig, Decoder, StreamCall, Streaming};
use tracing::Span;
use tracing::field::Empty;

use crate::connector::{self, Http};
use crate::error::Error;
use crate::exchange::{self, now};
use crate::stream::{EventStream, ReadStrategy, record_duration, record_metrics};

/// An Ollama client on hyper + tokio.
///
/// Cheap to clone: clones share one connection pool and one configuration. Calls must run
/// inside a tokio runtime (current-thread or multi-thread).
#[derive(Clone)]
pub struct Client {
    http: Http,
    config: Arc<ClientConfig>,
    /// `scheme://host:port[/prefix]`, for error messages and spans (never a secret).
    target: Arc<str>,
    read: ReadStrategy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The config's Debug redacts the API key.
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with `config`.
    ///
    /// # Errors
    /// [`Error::Connect`] if the TLS configuration cannot be built.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        Self::with_strategy(config, ReadStrategy::default())
    }

    fn with_strategy(config: ClientConfig, read: ReadStrategy) -> Result<Self, Error> {
        let http = connector::build(&config)?;
        let target = config.request.base_url.to_string().into();
        Ok(Self {
            http,
            config: Arc::new(config),
            target,
            read,
        })
    }

    /// A client configured from `OLLAMA_HOST` and `OLLAMA_API_KEY`
    /// ([`ClientConfig::from_env`]).
    ///
    /// # Errors
    /// As for [`Client::new`].
    pub fn from_env() -> Result<Self, Error> {
        Self::new(ClientConfig::from_env())
    }

    /// A builder starting from the defaults (`http://127.0.0.1:11434`, no timeouts, no
    /// retries).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The same client (same pool) with another thinking separation.
    pub fn with_think(&self, think: ThinkConfig) -> Self {
        let mut config = ClientConfig::clone(&self.config);
        config.decoder.think = think;
        Self {
            config: Arc::new(config),
            ..self.clone()
        }
    }
}

/// Streaming calls: `Ok` once the response head arrived with a success status.
impl Client {
    /// `POST /api/chat`, streamed.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn chat_stream(&self, req: ChatRequest) -> Result<EventStream, Error> {
        self.stream(&Streaming(req)).await
    }

    /// `POST /api/generate`, streamed.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn generate_stream(&self, req: GenerateRequest) -> Result<EventStream, Error> {
        self.stream(&Streaming(req)).await
    }

    /// `POST /api/pull`, streamed progress.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn pull_stream(&self, req: PullRequest) -> Result<EventStream, Error> {
        self.stream(&Streaming(req)).await
    }

    /// `POST /api/push`, streamed progress.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn push_stream(&self, req: PushRequest) -> Result<EventStream, Error> {
        self.stream(&Streaming(req)).await
    }

    /// `POST /api/create`, streamed progress.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn create_stream(&self, req: CreateRequest) -> Result<EventStream, Error> {
        self.stream(&Streaming(req)).await
    }

    /// Sends any streaming call. The stream decodes with this client's
    /// [`DecoderConfig`](ollama_proto::DecoderConfig) (line limit, thinking separation).
    ///
    /// # Errors
    /// Before the stream starts: [`Error::Usage`] for an invalid request, [`Error::Connect`],
    /// [`Error::Io`], [`Error::Timeout`] (connect, response head, total), or
    /// [`Error::Protocol`] with the HTTP status error (the error body is read first, bounded by
    /// `max_error_body`).
    pub async fn stream<S: StreamCall>(&self, call: &S) -> Result<EventStream, Error> {
        let span = request_span(call);
        let started = now();
        let send = exchange::send(&self.http, &self.config, &self.target, call, &span);
        let result = tracing::Instrument::instrument(send, span.clone()).await;
        let exchange = match result {
            Ok(exchange) => exchange,
            Err(e) => return Err(failed(&span, started, e)),
        };
        let status = exchange.response.status().as_u16();
        if !is_success(status) && status < 400 {
            // A 1xx/3xx head (redirects are not followed): no stream to read.
            let error = ollama_proto::response::status_error(status, b"");
            return Err(failed(&span, started, error.into()));
        }
        let success = is_success(status);
        let decoder = Decoder::with_status(S::KIND, self.config.decoder.clone(), status);
        // An error body is read inline (no task), through the same loop, into the status error.
        let read = if success {
            self.read
        } else {
            ReadStrategy::Inline
        };
        let mut stream = EventStream::new(
            decoder,
            exchange.response.into_body(),
            read,
            exchange.deadlines,
            Arc::clone(&self.target),
            span,
            started,
        );
        if success {
            return Ok(stream);
        }
        match stream.next_event().await {
            Some(Err(e)) => Err(e),
            // Unreachable: the decoder reports a status ≥ 400 as its only output.
            _ => Err(ollama_proto::response::status_error(status, b"").into()),
        }
    }
}

/// Calls answered by one body.
impl Client {
    /// `POST /api/chat` with `stream: false`; reasoning is separated by this client's
    /// [`ThinkConfig`], exactly as for a stream.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        let span = request_span(&req);
        let answer = self.call_in(&req, &span).await?;
        record_metrics(&span, &answer.metrics);
        Ok(answer)
    }

    /// `POST /api/generate` with `stream: false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn generate(&self, req: GenerateRequest) -> Result<GenerateResponse, Error> {
        let span = request_span(&req);
        let answer = self.call_in(&req, &span).await?;
        record_metrics(&span, &answer.metrics);
        Ok(answer)
    }

    /// `POST /api/embed`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn embed(&self, req: EmbedRequest) -> Result<EmbedResponse, Error> {
        self.call(&req).await
    }

    /// `POST /api/embeddings` (legacy; prefer [`Client::embed`]).
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn embeddings(&self, req: EmbeddingsRequest) -> Result<EmbeddingsResponse, Error> {
        self.call(&req).await
    }

    /// `GET /api/tags`: the local models.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn list_models(&self) -> Result<ListResponse, Error> {
        self.call(&ListModels).await
    }

    /// `GET /api/ps`: the loaded models.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn list_running(&self) -> Result<ProcessResponse, Error> {
        self.call(&ListRunning).await
    }

    /// `POST /api/show`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn show(&self, req: ShowRequest) -> Result<ShowResponse, Error> {
        self.call(&req).await
    }

    /// `GET /api/version`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn version(&self) -> Result<VersionResponse, Error> {
        self.call(&GetVersion).await
    }

    /// `POST /api/copy`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn copy(&self, req: CopyRequest) -> Result<(), Error> {
        self.call(&req).await
    }

    /// `DELETE /api/delete`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn delete(&self, req: DeleteRequest) -> Result<(), Error> {
        self.call(&req).await
    }

    /// `POST /api/pull` with `stream: false`: the last progress object (`success`).
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn pull(&self, req: PullRequest) -> Result<ProgressResponse, Error> {
        self.call(&req).await
    }

    /// `POST /api/push` with `stream: false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn push(&self, req: PushRequest) -> Result<ProgressResponse, Error> {
        self.call(&req).await
    }

    /// `POST /api/create` with `stream: false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn create(&self, req: CreateRequest) -> Result<ProgressResponse, Error> {
        self.call(&req).await
    }

    /// `HEAD /api/blobs/:digest`: `true` if the server has the blob, `false` on 404.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn blob_exists(&self, digest: &BlobDigest) -> Result<bool, Error> {
        self.call(&BlobExists(digest.clone())).await
    }

    /// `POST /api/blobs/:digest` with `data` as the body.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn create_blob(&self, digest: BlobDigest, data: Bytes) -> Result<(), Error> {
        self.call(&CreateBlob::new(digest, data)).await
    }

    /// Web search: ollama.com's `/api/web_search` when the base URL is ollama.com, else the
    /// local server's `/api/experimental/web_search` proxy.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn web_search(&self, req: WebSearchRequest) -> Result<WebSearchResponse, Error> {
        if self.config.request.base_url.is_ollama_com() {
            self.call(&Direct(req)).await
        } else {
            self.call(&req).await
        }
    }

    /// Web fetch: ollama.com's `/api/web_fetch` when the base URL is ollama.com, else the local
    /// server's `/api/experimental/web_fetch` proxy.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn web_fetch(&self, req: WebFetchRequest) -> Result<WebFetchResponse, Error> {
        if self.config.request.base_url.is_ollama_com() {
            self.call(&Direct(req)).await
        } else {
            self.call(&req).await
        }
    }

    /// Sends any call answered by one body and decodes the answer.
    ///
    /// # Errors
    /// [`Error::Usage`], [`Error::Connect`], [`Error::Io`], [`Error::Timeout`], or
    /// [`Error::Protocol`]: the HTTP status error, bad JSON, a body over `max_body`…
    pub async fn call<C: Call>(&self, call: &C) -> Result<C::Output, Error> {
        self.call_in(call, &request_span(call)).await
    }

    async fn call_in<C: Call>(&self, call: &C, span: &Span) -> Result<C::Output, Error> {
        let started = now();
        let run = async {
            let exchange =
                exchange::send(&self.http, &self.config, &self.target, call, span).await?;
            exchange::read_call::<C>(exchange, &self.config, &self.target).await
        };
        let result = tracing::Instrument::instrument(run, span.clone()).await;
        match result {
            Ok(output) => {
                record_duration(span, started);
                Ok(output)
            }
            Err(e) => Err(failed(span, started, e)),
        }
    }
}

/// One span per request: method, endpoint path and model now; status, duration, error kind
/// and (chat/generate) eval counts and tokens/s when known.
fn request_span<E: Endpoint + ?Sized>(endpoint: &E) -> Span {
    let span = tracing::info_span!(
        "ollama_request",
        method = %endpoint.method(),
        path = %endpoint.path(),
        model = Empty,
        status = Empty,
        duration_ms = Empty,
        eval_count = Empty,
        prompt_eval_count = Empty,
        tokens_per_second = Empty,
        error = Empty,
        cancelled = Empty,
    );
    if let Some(model) = endpoint.model() {
        span.record("model", model);
    }
    span
}

fn failed(span: &Span, started: std::time::Instant, error: Error) -> Error {
    span.record("error", error.kind_str());
    record_duration(span, started);
    tracing::debug!(parent: span, error = %error, "request failed");
    error
}

/// Builds a [`Client`]; every setter wraps the [`ClientConfig`] setter of the same name.
///
/// ```
/// use std::time::Duration;
///
/// let client = transport_hyper::Client::builder()
///     .base_url("http://127.0.0.1:11434")
///     .connect_timeout(Duration::from_secs(5))
///     .idle_timeout(Duration::from_secs(60))
///     .build()?;
/// assert_eq!(client.config().timeouts.idle, Some(Duration::from_secs(60)));
/// # Ok::<(), transport_hyper::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    config: ClientConfig,
    read: ReadStrategy,
}

impl ClientBuilder {
    /// Starts from an existing configuration.
    pub fn from_config(config: ClientConfig) -> Self {
        Self {
            config,
            read: ReadStrategy::default(),
        }
    }

    /// The server: a [`BaseUrl`] or a string like `OLLAMA_HOST` (`localhost:11434`,
    /// `https://ollama.com`).
    pub fn base_url(mut self, url: impl Into<BaseUrl>) -> Self {
        self.config.request.base_url = url.into();
        self
    }

    /// Sends `Authorization: Bearer <key>` to the base URL (never to another host: redirects
    /// are not followed).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config = self.config.api_key(key);
        self
    }

    /// Replaces the `User-Agent`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.config = self.config.user_agent(agent);
        self
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.config = self.config.header(name, value);
        self
    }

    /// Limit for establishing a connection (TCP connect and TLS handshake).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.config = self.config.connect_timeout(d);
        self
    }

    /// Limit from sending a request to its response head (covers model loading).
    pub fn response_head_timeout(mut self, d: Duration) -> Self {
        self.config = self.config.response_head_timeout(d);
        self
    }

    /// Limit between two body chunks.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.config = self.config.idle_timeout(d);
        self
    }

    /// Limit for a whole call (retries included). Unset by default: long streams are not cut.
    pub fn total_timeout(mut self, d: Duration) -> Self {
        self.config = self.config.total_timeout(d);
        self
    }

    /// Retry policy (none by default).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config = self.config.retry(policy);
        self
    }

    /// Longest accepted NDJSON line.
    pub fn max_line_len(mut self, bytes: usize) -> Self {
        self.config = self.config.max_line_len(bytes);
        self
    }

    /// Largest accepted single-object body.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.config = self.config.max_body(bytes);
        self
    }

    /// How reasoning is separated from answers.
    pub fn think(mut self, think: ThinkConfig) -> Self {
        self.config = self.config.think(think);
        self
    }

    /// Measurement knob: read stream bodies inside `poll_next` instead of in a spawned task.
    #[doc(hidden)]
    pub fn read_inline(mut self, inline: bool) -> Self {
        self.read = if inline {
            ReadStrategy::Inline
        } else {
            ReadStrategy::Task
        };
        self
    }

    /// The configuration so far.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Builds the client.
    ///
    /// # Errors
    /// As for [`Client::new`].
    pub fn build(self) -> Result<Client, Error> {
        Client::with_strategy(self.config, self.read)
    }
}

//! [`Client`] and [`ClientBuilder`]: the typed calls, each a thin wrapper over [`Client::call`]
//! or [`Client::stream`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use ollama_proto::request::{GetVersion, ListModels, ListRunning};
use ollama_proto::response::BodyCollector;
use ollama_proto::retry::RetryPolicy;
use ollama_proto::think::ThinkConfig;
use ollama_proto::types::{
    BlobDigest, BlobExists, ChatRequest, ChatResponse, CopyRequest, CreateBlob, CreateRequest,
    DeleteRequest, EmbedRequest, EmbedResponse, EmbeddingsRequest, EmbeddingsResponse,
    GenerateRequest, GenerateResponse, ListResponse, ProcessResponse, ProgressResponse,
    PullRequest, PushRequest, ShowRequest, ShowResponse, VersionResponse, WebFetchRequest,
    WebFetchResponse, WebSearchRequest, WebSearchResponse,
};
use ollama_proto::{BaseUrl, Call, ClientConfig, Decoder, Direct, Endpoint, StreamCall, Streaming};
use tracing::Instrument;

use crate::error::Error;
use crate::exchange::{self, Prepared, next_chunk};
use crate::pool::Pool;
use crate::stream::{EventStream, StreamParts};

/// An Ollama client on smol / async-io.
///
/// Cheap to clone: clones share one configuration and one connection pool. Works from any
/// executor (smol, async-std, `futures::executor`, even tokio): sockets and timers come from
/// async-io, and connection tasks run on the crate's own executor thread.
#[derive(Debug, Clone)]
pub struct Client {
    config: Arc<ClientConfig>,
    pool: Pool,
}

impl Client {
    /// A client with `config`.
    ///
    /// # Errors
    /// None today (every setting is checked when a request is built); the `Result` leaves room
    /// for settings that cannot be used, and matches `transport-hyper`.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        Ok(Self {
            config: Arc::new(config),
            pool: Pool::default(),
        })
    }

    /// A client configured from `OLLAMA_HOST` and `OLLAMA_API_KEY` (see
    /// [`ClientConfig::from_env`]).
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn from_env() -> Result<Self, Error> {
        Self::new(ClientConfig::from_env())
    }

    /// A builder starting from the defaults (`http://127.0.0.1:11434`, no timeouts, no retries).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The same client (sharing its connection pool) with another thinking separation.
    pub fn with_think(&self, think: ThinkConfig) -> Self {
        let mut config = (*self.config).clone();
        config.decoder.think = think;
        Self {
            config: Arc::new(config),
            pool: self.pool.clone(),
        }
    }

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

    /// `POST /api/chat` with `"stream":false`; thinking is separated like in a stream.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        self.call(&req).await
    }

    /// `POST /api/generate` with `"stream":false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn generate(&self, req: GenerateRequest) -> Result<GenerateResponse, Error> {
        self.call(&req).await
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

    /// `POST /api/pull` with `"stream":false`: the final progress object.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn pull(&self, req: PullRequest) -> Result<ProgressResponse, Error> {
        self.call(&req).await
    }

    /// `POST /api/push` with `"stream":false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn push(&self, req: PushRequest) -> Result<ProgressResponse, Error> {
        self.call(&req).await
    }

    /// `POST /api/create` with `"stream":false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn create(&self, req: CreateRequest) -> Result<ProgressResponse, Error> {
        self.call(&req).await
    }

    /// `HEAD /api/blobs/<digest>`: `true` if the server has the blob, `false` on 404.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn blob_exists(&self, digest: &BlobDigest) -> Result<bool, Error> {
        self.call(&BlobExists(digest.clone())).await
    }

    /// `POST /api/blobs/<digest>` with `data` as the body (the server checks the digest).
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
    /// The body is read whole (at most [`ClientConfig::max_body`] bytes) and decoded by the core
    /// ([`BodyCollector`]); an HTTP status ≥ 400 becomes [`Error::Protocol`] with what the
    /// server said.
    ///
    /// # Errors
    /// [`Error::Usage`] before sending; [`Error::Connect`], [`Error::Io`] or [`Error::Timeout`]
    /// from the network; [`Error::Protocol`] for an error status or a body that does not
    /// decode.
    pub async fn call<C: Call>(&self, call: &C) -> Result<C::Output, Error> {
        let prepared = Prepared::new(&self.config, call)?;
        let span = request_span(&prepared, call);
        let started = Instant::now();
        let result = self
            .call_inner::<C>(&prepared)
            .instrument(span.clone())
            .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Err(e) = &result {
            span.record("error", e.kind_str());
        }
        result
    }

    async fn call_inner<C: Call>(&self, prepared: &Prepared) -> Result<C::Output, Error> {
        let origin = prepared.target.origin.as_str();
        let mut ex = exchange::open(&self.config, &self.pool, prepared).await?;
        tracing::Span::current().record("status", ex.status);
        let is_error = ex.status >= 400;
        let mut collector = BodyCollector::new(ex.status, self.config.max_body);
        // Bounded by the body, whose size `max_body` caps.
        let complete = loop {
            match next_chunk(&mut ex.body, &mut ex.deadlines, origin).await {
                Ok(Some(data)) => {
                    collector.feed(&data)?;
                    if is_error && collector.len() >= self.config.max_body {
                        break false; // enough of an error page
                    }
                }
                Ok(None) => break true,
                // An error status is reported with what arrived of its body.
                Err(e) if is_error => {
                    tracing::debug!(error = %e, "error body cut short");
                    break false;
                }
                Err(e) => return Err(e),
            }
        };
        if complete {
            if let Some(conn) = ex.body.into_reusable() {
                self.pool.checkin(origin, conn);
            }
        }
        Ok(collector.finish::<C>(&self.config.decoder)?)
    }

    /// Sends any streaming call and returns its events.
    ///
    /// An HTTP status ≥ 400 is read here (bounded by
    /// [`DecoderConfig::max_error_body`](ollama_proto::DecoderConfig::max_error_body)) and
    /// returned as [`Error::Protocol`]; otherwise the body is decoded as it arrives by the
    /// returned [`EventStream`]. Retries (when enabled) happen only before the stream starts.
    ///
    /// # Errors
    /// As [`Client::call`], for everything up to the response head.
    pub async fn stream<S: StreamCall>(&self, call: &S) -> Result<EventStream, Error> {
        let prepared = Prepared::new(&self.config, call)?;
        let span = request_span(&prepared, call);
        let started = Instant::now();
        let result = self
            .stream_inner::<S>(&prepared, span.clone(), started)
            .instrument(span.clone())
            .await;
        if let Err(e) = &result {
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            span.record("error", e.kind_str());
        }
        result
    }

    async fn stream_inner<S: StreamCall>(
        &self,
        prepared: &Prepared,
        span: tracing::Span,
        started: Instant,
    ) -> Result<EventStream, Error> {
        let origin = prepared.target.origin.as_str();
        let mut ex = exchange::open(&self.config, &self.pool, prepared).await?;
        span.record("status", ex.status);
        let mut decoder = Decoder::with_status(S::KIND, self.config.decoder.clone(), ex.status);
        if ex.status < 400 {
            return Ok(EventStream::new(StreamParts {
                decoder,
                body: ex.body,
                pool: self.pool.clone(),
                origin: origin.to_owned(),
                deadlines: ex.deadlines,
                span,
                started,
            }));
        }
        // An error status: the body is the message. Read it (bounded), let the core classify.
        let limit = self.config.decoder.max_error_body as u64;
        // Bounded by `limit`.
        let complete = loop {
            match next_chunk(&mut ex.body, &mut ex.deadlines, origin).await {
                Ok(Some(data)) => {
                    decoder.feed(&data)?;
                    if ex.body.seen() > limit {
                        break false;
                    }
                }
                Ok(None) => break true,
                Err(e) => {
                    tracing::debug!(error = %e, "error body cut short");
                    break false;
                }
            }
        };
        if complete {
            if let Some(conn) = ex.body.into_reusable() {
                self.pool.checkin(origin, conn);
            }
        }
        decoder.finish();
        // The decoder reports the status error once, after any events (there are none).
        for _ in 0..16 {
            match decoder.poll_event() {
                Some(Err(e)) => return Err(Error::Protocol(e)),
                Some(Ok(_)) => {}
                None => break,
            }
        }
        Err(Error::Protocol(ollama_proto::response::status_error(
            ex.status,
            &[],
        )))
    }
}

/// The tracing span of one request: method, path, model, then status, duration, and for
/// streams the token counts at `Done`.
fn request_span<E: Endpoint + ?Sized>(prepared: &Prepared, endpoint: &E) -> tracing::Span {
    tracing::info_span!(
        "ollama_request",
        method = %prepared.method,
        path = %prepared.path,
        model = endpoint.model().unwrap_or_default(),
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        eval_count = tracing::field::Empty,
        tokens_per_second = tracing::field::Empty,
        error = tracing::field::Empty,
    )
}

/// Builds a [`Client`]; every setting lands in the one [`ClientConfig`] both transports share.
///
/// ```
/// use std::time::Duration;
/// use transport_smol::Client;
///
/// let client = Client::builder()
///     .base_url("http://127.0.0.1:11434")
///     .connect_timeout(Duration::from_secs(5))
///     .idle_timeout(Duration::from_secs(60))
///     .build()?;
/// assert_eq!(client.config().request.base_url.port(), 11434);
/// # Ok::<(), transport_smol::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "call build() to get a client"]
pub struct ClientBuilder {
    config: ClientConfig,
}

impl ClientBuilder {
    /// The server: a URL or `OLLAMA_HOST`-style value (parsed like `OLLAMA_HOST`, see
    /// [`BaseUrl::parse`]), or a [`BaseUrl`].
    pub fn base_url(mut self, url: impl Into<BaseUrl>) -> Self {
        self.config.request.base_url = url.into();
        self
    }

    /// Sends `Authorization: Bearer <key>` (to the base URL only).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config = self.config.api_key(key);
        self
    }

    /// Replaces the `User-Agent`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.config = self.config.user_agent(agent);
        self
    }

    /// Adds a header sent with every request (replacing a standard one of the same name).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.config = self.config.header(name, value);
        self
    }

    /// Limit for establishing a connection (TCP and TLS).
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

    /// Limit for a whole call, retries included. Unset by default: long streams are not cut.
    pub fn total_timeout(mut self, d: Duration) -> Self {
        self.config = self.config.total_timeout(d);
        self
    }

    /// Opt-in retries (none by default).
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

    /// The client.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn build(self) -> Result<Client, Error> {
        Client::new(self.config)
    }
}

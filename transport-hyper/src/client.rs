//! [`Client`] and [`ClientBuilder`]: one pooled connection manager, every endpoint.

use std::sync::Arc;

use ollama_proto::request::{Call, Endpoint};
use ollama_proto::response::is_success;
use ollama_proto::think::ThinkConfig;
use ollama_proto::{BuildClient, ClientConfig, Decoder, StreamCall};
use tracing::Span;
use tracing::field::Empty;

use crate::Error;
use crate::connector::{self, Http};
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
        let http = connector::build(&config)?;
        let target = config.request.base_url.to_string().into();
        Ok(Self {
            http,
            config: Arc::new(config),
            target,
            read: ReadStrategy::default(),
        })
    }

    ollama_proto::client_constructor_methods!();

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Measurement knob: the same client (same pool) reading stream bodies inside
    /// `poll_next` (`true`) instead of in a spawned task (`false`, the default).
    #[doc(hidden)]
    pub fn read_inline(mut self, inline: bool) -> Self {
        self.read = if inline {
            ReadStrategy::Inline
        } else {
            ReadStrategy::Task
        };
        self
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

/// The typed endpoint methods (`chat`, `embed`, `list_models`, …), the same in every transport:
/// each is a [`Client::call`] or [`Client::stream`] (see [`ollama_proto::client_methods`]).
impl Client {
    ollama_proto::client_endpoint_methods!(stream: EventStream);
}

/// Streaming calls: `Ok` once the response head arrived with a success status.
impl Client {
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
    /// Sends any call answered by one body and decodes the answer.
    ///
    /// # Errors
    /// [`Error::Usage`], [`Error::Connect`], [`Error::Io`], [`Error::Timeout`], or
    /// [`Error::Protocol`]: the HTTP status error, bad JSON, a body over `max_body`…
    pub async fn call<C: Call>(&self, call: &C) -> Result<C::Output, Error> {
        self.call_in(call, &request_span(call)).await
    }

    async fn call_in<C: Call>(&self, call: &C, span: &Span) -> Result<C::Output, Error> {
        // Chat and generate answers also put their eval counts and tokens/s on the span.
        let started = now();
        let run = async {
            let exchange =
                exchange::send(&self.http, &self.config, &self.target, call, span).await?;
            exchange::read_call::<C>(exchange, &self.config, &self.target).await
        };
        let result = tracing::Instrument::instrument(run, span.clone()).await;
        match result {
            Ok(output) => {
                if let Some(metrics) = C::output_metrics(&output) {
                    record_metrics(span, metrics);
                }
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

/// Builds a [`Client`]: the core's [`ollama_proto::ClientBuilder`], whose every setter wraps
/// the [`ClientConfig`] setter of the same name (the same builder as every transport's).
///
/// ```
/// use std::time::Duration;
///
/// let client = ollama_hyper::Client::builder()
///     .base_url("http://127.0.0.1:11434")
///     .connect_timeout(Duration::from_secs(5))
///     .idle_timeout(Duration::from_secs(60))
///     .build()?;
/// assert_eq!(client.config().timeouts.idle, Some(Duration::from_secs(60)));
/// # Ok::<(), ollama_hyper::Error>(())
/// ```
pub type ClientBuilder = ollama_proto::ClientBuilder<Client>;

impl BuildClient for Client {
    type Error = Error;

    /// As [`Client::new`].
    fn from_config(config: ClientConfig) -> Result<Self, Error> {
        Self::new(config)
    }
}

//! [`Client`] and [`ClientBuilder`]: the typed calls, each a thin wrapper over [`Client::call`]
//! or [`Client::stream`].

use std::sync::Arc;
use std::time::Instant;

use ollama_proto::response::BodyCollector;
use ollama_proto::think::ThinkConfig;
use ollama_proto::{BuildClient, Call, ClientConfig, Decoder, Endpoint, StreamCall};
use tracing::Instrument;

use crate::Error;
use crate::exchange::{self, Prepared, next_chunk};
use crate::pool::Pool;
use crate::stream::{EventStream, StreamParts, record_metrics};

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
    /// for settings that cannot be used, and matches `ollama-hyper`.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        Ok(Self {
            config: Arc::new(config),
            pool: Pool::default(),
        })
    }

    ollama_proto::client_constructor_methods!();

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
}

/// The typed endpoint methods (`chat`, `embed`, `list_models`, …), the same in every transport:
/// each is a [`Client::call`] or [`Client::stream`] (see [`ollama_proto::client_methods`]).
impl Client {
    ollama_proto::client_endpoint_methods!(stream: EventStream);
}

/// The two generic calls every typed method goes through.
impl Client {
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
        match &result {
            // Chat and generate answers carry eval counts, as a stream's `Done` does.
            Ok(output) => {
                if let Some(metrics) = C::output_metrics(output) {
                    record_metrics(&span, metrics);
                }
            }
            Err(e) => {
                span.record("error", e.kind_str());
            }
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

/// Builds a [`Client`]: the core's [`ollama_proto::ClientBuilder`], whose every setting lands
/// in the one [`ClientConfig`] both transports share.
///
/// ```
/// use std::time::Duration;
/// use ollama_smol::Client;
///
/// let client = Client::builder()
///     .base_url("http://127.0.0.1:11434")
///     .connect_timeout(Duration::from_secs(5))
///     .idle_timeout(Duration::from_secs(60))
///     .build()?;
/// assert_eq!(client.config().request.base_url.port(), 11434);
/// # Ok::<(), ollama_smol::Error>(())
/// ```
pub type ClientBuilder = ollama_proto::ClientBuilder<Client>;

impl BuildClient for Client {
    type Error = Error;

    /// As [`Client::new`].
    fn from_config(config: ClientConfig) -> Result<Self, Error> {
        Self::new(config)
    }
}

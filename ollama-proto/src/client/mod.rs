//! [`Client`]: the one Ollama client, generic over a [`Runtime`] that only moves bytes.
//!
//! Every typed endpoint method (`chat`, `chat_stream`, `embed`, `list_models`, …) is written
//! here once; a transport contributes a [`Runtime`] (connect, write, read, sleep) and names
//! the result: `ollama_hyper::Client` is `Client<ollama_hyper::Hyper>`, `ollama_smol::Client`
//! is `Client<ollama_smol::Smol>`, `ollama_blocking::Client` wraps `Client<Blocking>`. Each
//! call runs an [`Exchange`], which makes every decision (retries, deadlines, status routing,
//! limits, the end of the answer), so two transports cannot disagree.
//!
//! # Write your own transport
//!
//! Implement [`Runtime`] for your IO (about 150 lines over any async socket and timer): open a
//! connection the way the core's [`ConnectPlan`] says (pool idle ones in the core's
//! [`IdlePool`](crate::pool::IdlePool)), write the request and read the response head with any
//! HTTP/1.1 implementation, hand out de-framed body bytes, and arm a timer. Then
//! `Client::<YourRuntime>::builder()` (or `Client::new(config)`) has every method below. A
//! runtime need not be async: `ollama-blocking` does its IO inside `poll`, each wait bounded
//! by the deadline it is told (see [`Runtime`]). Or drive an [`Exchange`] by hand:
//! `ollama-proto/examples/blocking_client.rs` is the smallest form.

mod account;
mod drive;
mod endpoints;
mod options;
mod reasoning;
mod runtime;
mod stream;
mod tools;

use std::sync::{Arc, Mutex};

pub use crate::pool::PoolOptions;
pub use options::CallOptions;
pub use runtime::{Head, Runtime, SendError};
pub use stream::EventStream;

use crate::client_builder::ClientBuilder;
use crate::client_config::ClientConfig;
use crate::client_error::ClientError;
use crate::connect::ConnectPlan;
use crate::exchange::{CallInfo, Exchange};
use crate::reasoning::{ReasoningApplied, ReasoningCache, ReasoningCall};
use crate::request::{SingleCall, StreamCall};
use crate::telemetry::Answer;
use crate::telemetry::span::CallSpan;

/// An Ollama client over the runtime `R`. Cheap to clone: clones share the runtime (its
/// connection pool) and the configuration.
pub struct Client<R: Runtime> {
    runtime: R,
    config: Arc<ClientConfig>,
    /// How connections are opened: the runtime executes it; calls take the forwarding proxy
    /// from it.
    plan: Arc<ConnectPlan>,
    /// What reasoning intents learned (server version, model facts, lessons), shared by clones.
    reasoning: Arc<Mutex<ReasoningCache>>,
}

impl<R: Runtime> Clone for Client<R> {
    fn clone(&self) -> Self {
        Self {
            runtime: self.runtime.clone(),
            config: Arc::clone(&self.config),
            plan: Arc::clone(&self.plan),
            reasoning: Arc::clone(&self.reasoning),
        }
    }
}

impl<R: Runtime> std::fmt::Debug for Client<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The config's Debug redacts the API key.
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Construction and configuration.
impl<R: Runtime> Client<R> {
    /// A client with `config` and the transport's default options.
    ///
    /// # Errors
    /// When the transport cannot use the configuration (e.g. a bad extra CA certificate).
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        Self::with_transport_options(config, &R::Options::default())
    }

    /// A client with `config` and the transport's own `options` (pool size, idle time…).
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn with_transport_options(
        config: ClientConfig,
        options: &R::Options,
    ) -> Result<Self, ClientError> {
        let plan = Arc::new(ConnectPlan::new(&config)?);
        Ok(Self {
            runtime: R::new(&plan, options)?,
            plan,
            config: Arc::new(config),
            reasoning: Arc::default(),
        })
    }

    /// A client configured from `OLLAMA_HOST` and `OLLAMA_API_KEY` (see
    /// [`ClientConfig::from_env`]).
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn from_env() -> Result<Self, ClientError> {
        Self::new(ClientConfig::from_env().map_err(crate::client_config::ConfigError::from)?)
    }

    /// A builder starting from the defaults (`http://127.0.0.1:11434`, no timeouts, no
    /// retries).
    pub fn builder() -> ClientBuilder<R> {
        ClientBuilder::default()
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// How connections are opened (the route, TLS, the request-target form).
    pub fn connect_plan(&self) -> &ConnectPlan {
        &self.plan
    }

    /// The transport.
    pub fn runtime(&self) -> &R {
        &self.runtime
    }

    /// The same client (same connection pool) with `options` applied to every call made
    /// through it: per-call timeouts, retry policy, thinking separation or extra headers without
    /// a second pool.
    ///
    /// ```ignore
    /// let quick = client.with_options(CallOptions::new().total_timeout(Duration::from_secs(5)));
    /// let models = quick.list_models().await?;
    /// ```
    pub fn with_options(&self, options: CallOptions) -> Self {
        let mut config = ClientConfig::clone(&self.config);
        options.apply(&mut config);
        Self {
            runtime: self.runtime.clone(),
            config: Arc::new(config),
            plan: Arc::clone(&self.plan),
            reasoning: Arc::clone(&self.reasoning),
        }
    }

    /// What this client (and its clones) learned for reasoning intents: the server version and
    /// the facts of each model asked about (see [`crate::reasoning`]).
    pub fn reasoning_cache(&self) -> ReasoningCache {
        reasoning::lock(&self.reasoning).clone()
    }
}

/// The two generic calls every typed method goes through.
impl<R: Runtime> Client<R> {
    /// Sends any call answered by one body and decodes the answer.
    ///
    /// # Errors
    /// [`ClientError::Usage`] before sending; [`ClientError::Connect`], [`ClientError::Io`] or
    /// [`ClientError::Timeout`] from the network; [`ClientError::Protocol`] for an HTTP status
    /// that is not an answer (with what the server said, bounded by `max_error_body`), a body
    /// over `max_body`, or a body that does not decode.
    pub async fn call<C: SingleCall + ?Sized>(&self, call: &C) -> Result<C::Output, ClientError> {
        self.call_observed(call, |_| None).await
    }

    /// [`Client::call`], with what the decoded answer tells the span (`answer`).
    pub(crate) async fn call_observed<C: SingleCall + ?Sized>(
        &self,
        call: &C,
        answer: fn(&C::Output) -> Option<Answer<'_>>,
    ) -> Result<C::Output, ClientError> {
        self.call_reasoned(call, answer, None).await.0
    }

    /// [`Client::call_observed`] carrying a resolved reasoning intent; also returns what it
    /// applied.
    pub(crate) async fn call_reasoned<C: SingleCall + ?Sized>(
        &self,
        call: &C,
        answer: fn(&C::Output) -> Option<Answer<'_>>,
        reasoning: Option<ReasoningCall>,
    ) -> (Result<C::Output, ClientError>, Option<ReasoningApplied>) {
        let rt = &self.runtime;
        let ex = match Exchange::single(&self.config, call, rt.now()) {
            Ok(ex) => ex,
            Err(e) => return (Err(e), None),
        };
        let mut ex = ex
            .through_route(self.plan.route())
            .with_reasoning(reasoning);
        let mut span = CallSpan::start(&self.config, ex.info(), ex.request(), ex.started());
        let mut timer = rt.timer();
        let (mut body, mut permit) = (None, None);
        let run = drive::drive(rt, &mut ex, &mut timer, &mut body, &mut permit);
        tracing::Instrument::instrument(run, span.span().clone()).await;
        let result = ex
            .output::<C>()
            .unwrap_or_else(|| Err(unanswered(ex.info())));
        if let Some(a) = result.as_ref().ok().and_then(answer) {
            span.on_answer(&a);
        }
        span.finish(ex.info(), result.as_ref().err(), rt.now());
        self.after_reasoning(ex.reasoning(), ex.info().status);
        (result, ex.info().reasoning.clone())
    }

    /// Sends any streaming call. `Ok` once a success head arrived: the events are then decoded
    /// as the body arrives, with this client's line limit and thinking separation.
    ///
    /// # Errors
    /// As [`Client::call`], for everything up to the response head; an HTTP error status is
    /// reported here, with what the server said, before any event.
    pub async fn stream<S: StreamCall + ?Sized>(
        &self,
        call: &S,
    ) -> Result<EventStream<R>, ClientError> {
        self.stream_reasoned(call, None).await
    }

    /// [`Client::stream`] carrying a resolved reasoning intent.
    pub(crate) async fn stream_reasoned<S: StreamCall + ?Sized>(
        &self,
        call: &S,
        reasoning: Option<ReasoningCall>,
    ) -> Result<EventStream<R>, ClientError> {
        let rt = &self.runtime;
        let mut ex = Exchange::stream(&self.config, call, rt.now())?
            .through_route(self.plan.route())
            .with_reasoning(reasoning);
        let mut span = CallSpan::start(&self.config, ex.info(), ex.request(), ex.started());
        let mut timer = rt.timer();
        let (mut body, mut permit) = (None, None);
        let run = drive::drive(rt, &mut ex, &mut timer, &mut body, &mut permit);
        tracing::Instrument::instrument(run, span.span().clone()).await;
        self.after_reasoning(ex.reasoning(), ex.info().status);
        match (body, permit) {
            (Some(body), Some(permit)) if ex.is_streaming() => Ok(EventStream::new(
                rt.clone(),
                ex,
                (body, permit),
                timer,
                span,
            )),
            _ => {
                let error = match ex.poll_event() {
                    Some(Err(e)) => e,
                    _ => unanswered(ex.info()),
                };
                span.finish(ex.info(), Some(&error), rt.now());
                Err(error)
            }
        }
    }
}

impl<R: Runtime> ClientBuilder<R> {
    /// Builds the client.
    ///
    /// # Errors
    /// A [`ConfigError`](crate::ConfigError) from a setter (a base URL that does not parse)
    /// or from the environment (a proxy variable that cannot be used), as
    /// [`ClientError::Config`]; else as [`Client::new`].
    pub fn build(self) -> Result<Client<R>, ClientError> {
        Client::new(self.into_config()?)
    }
}

/// The call ended without an answer or an error: a bug in a runtime (it reported nothing).
fn unanswered(info: &CallInfo) -> ClientError {
    ClientError::io(&info.origin, "", "the call ended without an answer")
}

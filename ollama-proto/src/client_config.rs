//! Everything a client is configured with, in one value both transports share: switching
//! transport keeps the same settings and the same defaults.

use std::fmt;
use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::deadline::Timeouts;
use crate::decoder::DecoderConfig;
use crate::host::{BaseUrl, EnvError, Environment, HostError};
use crate::request::{ApiKey, RequestConfig};
use crate::retry::RetryPolicy;
use crate::think::ThinkConfig;

/// Default limit for a single (non-streamed) response body: 64 MiB, enough for a batch of
/// embeddings or the largest `/api/show`.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// A client's settings: where to connect, how to authenticate, timeouts, retries, limits and
/// thinking separation.
///
/// ```
/// use std::time::Duration;
/// use ollama_proto::ClientConfig;
///
/// let config = ClientConfig::new("https://ollama.com".parse()?)
///     .api_key("secret")
///     .connect_timeout(Duration::from_secs(5))
///     .idle_timeout(Duration::from_secs(60));
/// assert_eq!(config.request.base_url.to_string(), "https://ollama.com:443");
/// assert!(!format!("{config:?}").contains("secret"));
/// # Ok::<(), ollama_proto::HostError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Base URL, API key, user agent and extra headers.
    pub request: RequestConfig,
    /// Connect, response-head, idle and total timeouts (all unset by default).
    pub timeouts: Timeouts,
    /// Retries (none by default).
    pub retry: RetryPolicy,
    /// Line limit and thinking separation for streams and chat/generate answers.
    pub decoder: DecoderConfig,
    /// Largest accepted single-object response body, in bytes.
    pub max_body: usize,
}

impl Default for ClientConfig {
    /// `http://127.0.0.1:11434`, no key, no timeouts, no retries.
    fn default() -> Self {
        Self::new(BaseUrl::default())
    }
}

impl ClientConfig {
    /// Settings for a server at `base_url`, everything else at its default.
    pub fn new(base_url: BaseUrl) -> Self {
        Self {
            request: RequestConfig::new(base_url),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            decoder: DecoderConfig::default(),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Settings from `OLLAMA_HOST` and `OLLAMA_API_KEY` (see [`Environment::from_env`]).
    ///
    /// # Errors
    /// [`EnvError`], naming the variable, when `OLLAMA_HOST` is not a valid host or a variable
    /// is not valid Unicode.
    pub fn from_env() -> Result<Self, EnvError> {
        Ok(Self::from_environment(&Environment::from_env()?))
    }

    /// Settings from an already read [`Environment`].
    pub fn from_environment(env: &Environment) -> Self {
        let mut c = Self::new(env.base_url.clone());
        c.request.api_key = env.api_key.clone();
        c
    }

    /// Sends `Authorization: Bearer <key>` (to the base URL only).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.request.api_key = Some(ApiKey::new(key));
        self
    }

    /// Replaces the `User-Agent`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.request.user_agent = agent.into();
        self
    }

    /// Adds a header sent with every request (replacing a standard one of the same name).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.request.headers.append(name, value);
        self
    }

    /// Sets all timeouts at once.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Limit for establishing a connection.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.timeouts.connect = Some(d);
        self
    }

    /// Limit from sending a request to its response head (covers model loading).
    pub fn response_head_timeout(mut self, d: Duration) -> Self {
        self.timeouts.response_head = Some(d);
        self
    }

    /// Limit between two body chunks of a response.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.timeouts.idle = Some(d);
        self
    }

    /// Limit for a whole call. Unset by default: long streams are not cut.
    pub fn total_timeout(mut self, d: Duration) -> Self {
        self.timeouts.total = Some(d);
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Longest accepted NDJSON line.
    pub fn max_line_len(mut self, bytes: usize) -> Self {
        self.decoder.max_line_len = bytes;
        self
    }

    /// Largest accepted single-object body.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How reasoning is separated from answers.
    pub fn think(mut self, think: ThinkConfig) -> Self {
        self.decoder.think = think;
        self
    }
}

/// A setting a client cannot be built with, found before any request: what
/// [`ClientBuilder::build`](crate::ClientBuilder::build) and a transport's `Client::from_env`
/// fail with (as [`ClientError::Config`](crate::ClientError::Config)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The string given to [`ClientBuilder::base_url`](crate::ClientBuilder::base_url) is not
    /// a valid host.
    BaseUrl(HostError),
    /// An environment variable (`OLLAMA_HOST`, …) cannot be used.
    Env(EnvError),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BaseUrl(e) => write!(f, "base URL: {e}"),
            Self::Env(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::BaseUrl(e) => Some(e),
            Self::Env(e) => Some(e),
        }
    }
}

impl From<HostError> for ConfigError {
    fn from(e: HostError) -> Self {
        Self::BaseUrl(e)
    }
}

impl From<EnvError> for ConfigError {
    fn from(e: EnvError) -> Self {
        Self::Env(e)
    }
}

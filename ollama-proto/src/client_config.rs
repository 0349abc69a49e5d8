//! Everything a client is configured with, in one value both transports share: switching
//! transport keeps the same settings and the same defaults.

use std::time::Duration;

use http::{HeaderName, HeaderValue};

pub use crate::config_error::ConfigError;
use crate::deadline::Timeouts;
use crate::decoder::DecoderConfig;
use crate::host::{BaseUrl, EnvError, Environment, HostError};
use crate::keepalive::TcpKeepalive;
use crate::net_env::NetEnv;
use crate::proxy::{NoProxy, ProxyConfig, ProxyUrl, Route};
use crate::request::{ApiKey, RequestConfig};
use crate::retry::RetryPolicy;
use crate::telemetry::TelemetryConfig;
use crate::think::ThinkConfig;
use crate::tls::{ExtraRoot, TlsConfig, TlsPlan, TlsRoots};

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
    /// Connect, response-head, idle and total timeouts (by default a 30 s connect timeout
    /// only: [`Timeouts::default`]).
    pub timeouts: Timeouts,
    /// TCP keepalive on every connection, which finds a server that vanished without closing
    /// (default [`TcpKeepalive::DEFAULT`]: dead within a minute of silence); `None` turns it
    /// off. Numbers only: each transport applies them to its sockets.
    pub tcp_keepalive: Option<TcpKeepalive>,
    /// Retries (none by default).
    pub retry: RetryPolicy,
    /// Line limit and thinking separation for streams and chat/generate answers.
    pub decoder: DecoderConfig,
    /// Largest accepted single-object response body, in bytes.
    pub max_body: usize,
    /// Proxy settings ([`crate::proxy`]).
    pub proxy: ProxyConfig,
    /// Trusted certificate authorities ([`crate::tls`]).
    pub tls: TlsConfig,
    /// The proxy and certificate variables; `None` (the default) reads the process
    /// environment when the transport is built.
    pub net_env: Option<NetEnv>,
    /// What the calls' spans record beyond the defaults (content capture, metrics); see
    /// [`crate::telemetry`].
    pub telemetry: TelemetryConfig,
    /// Whether a call with a [`Reasoning`](crate::reasoning::Reasoning) intent may learn the
    /// server version and the model's capabilities (one `/api/version` per client, one
    /// `/api/show` per model, cached). On by default; off, the intent is resolved from the
    /// model's name for a current server (see [`crate::reasoning`]).
    pub negotiate_reasoning: bool,
}

impl Default for ClientConfig {
    /// `http://127.0.0.1:11434`, no key, a 30 s connect timeout and TCP keepalive (no other
    /// timeout), no retries.
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
            tcp_keepalive: Some(TcpKeepalive::DEFAULT),
            retry: RetryPolicy::default(),
            decoder: DecoderConfig::default(),
            max_body: DEFAULT_MAX_BODY,
            proxy: ProxyConfig::default(),
            tls: TlsConfig::default(),
            net_env: None,
            telemetry: TelemetryConfig::default(),
            negotiate_reasoning: true,
        }
    }

    /// The route and the trusted CAs, from these settings and the environment
    /// ([`ClientConfig::net_env`], or the process's): what a transport calls once when it is
    /// built.
    ///
    /// # Errors
    /// [`ConfigError::Proxy`] or [`ConfigError::NoProxy`] naming the variable that cannot be
    /// used; [`ConfigError::BaseUrl`] for a base URL whose scheme is not `http` or `https`
    /// (possible with [`BaseUrl::new`]).
    pub fn network(&self) -> Result<Network, ConfigError> {
        let process;
        let env = match &self.net_env {
            Some(env) => env,
            None => {
                process = NetEnv::from_process();
                &process
            }
        };
        let base = &self.request.base_url;
        let https = match base.scheme() {
            "http" => false,
            "https" => true,
            // `BaseUrl::new` takes any scheme; only these two can be spoken.
            other => {
                let input = base.origin();
                return Err(ConfigError::BaseUrl(HostError::bad_scheme(&input, other)));
            }
        };
        Ok(Network {
            https,
            route: self.proxy.route(base, env)?,
            tls: self.tls.plan(env),
        })
    }

    /// Sends every request through `proxy` (loopback servers included); the environment's
    /// proxy variables are not read then.
    pub fn proxy(mut self, proxy: ProxyUrl) -> Self {
        self.proxy.proxy = Some(proxy);
        self
    }

    /// Hosts reached directly; replaces `NO_PROXY` from the environment.
    pub fn no_proxy(mut self, list: NoProxy) -> Self {
        self.proxy.no_proxy = Some(list);
        self
    }

    /// Whether `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` are used (default
    /// `true`).
    pub fn proxy_from_env(mut self, enabled: bool) -> Self {
        self.proxy.from_env = enabled;
        self
    }

    /// Reads the proxy and certificate variables from `env` instead of the process.
    pub fn net_env(mut self, env: NetEnv) -> Self {
        self.net_env = Some(env);
        self
    }

    /// Which built-in certificate authorities are trusted (default: the webpki roots).
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.tls.roots = roots;
        self
    }

    /// Also trusts the CA certificates in `pem`.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.extra_roots.push(ExtraRoot::Pem(pem.into().into()));
        self
    }

    /// Also trusts the CA certificates in the PEM file at `path` (read on the first
    /// `https://` connection).
    pub fn add_root_certificate_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.tls.extra_roots.push(ExtraRoot::File {
            path: path.into(),
            setting: "add_root_certificate_file",
        });
        self
    }

    /// Whether `SSL_CERT_FILE` adds its PEM file to the trusted CAs (default `true`).
    pub fn tls_cert_file_from_env(mut self, enabled: bool) -> Self {
        self.tls.cert_file_from_env = enabled;
        self
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

    /// Lets the ollama.com account calls (`balance`, `usage`, `me`) go to this base URL even
    /// when it is not `https://ollama.com`: a local server that relays them, or a stand-in (see
    /// [`RequestConfig::relay_account_calls`]).
    pub fn relay_account_calls(mut self, relay: bool) -> Self {
        self.request.relay_account_calls = relay;
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

    /// Sets all timeouts at once ([`Timeouts::none`] removes even the default connect
    /// timeout).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Limit for establishing a connection (default 30 s, [`Timeouts::DEFAULT_CONNECT`]).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.timeouts.connect = Some(d);
        self
    }

    /// Limit from sending a request to its response head (covers model loading). Unset by
    /// default.
    pub fn response_head_timeout(mut self, d: Duration) -> Self {
        self.timeouts.response_head = Some(d);
        self
    }

    /// Limit between two body chunks of a response. Unset by default.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.timeouts.idle = Some(d);
        self
    }

    /// TCP keepalive on every connection (default [`TcpKeepalive::DEFAULT`]); `None` turns it
    /// off.
    pub fn tcp_keepalive(mut self, keepalive: Option<TcpKeepalive>) -> Self {
        self.tcp_keepalive = keepalive;
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

    /// Whether reasoning intents may fetch the server version and model facts (default on;
    /// see [`ClientConfig::negotiate_reasoning`]).
    pub fn negotiate_reasoning(mut self, on: bool) -> Self {
        self.negotiate_reasoning = on;
        self
    }
}

/// How a client reaches its server and what it trusts: [`ClientConfig::network`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Network {
    /// Whether the server speaks TLS (`https://`): the TLS handshake follows the TCP connect
    /// (and the tunnel, if any).
    pub https: bool,
    /// Direct, forwarding proxy or CONNECT tunnel.
    pub route: Route,
    /// The trusted certificate authorities.
    pub tls: TlsPlan,
}

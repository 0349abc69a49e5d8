//! [`ClientBuilder`]: the one builder every transport's `Client::builder()` returns.
//!
//! Every setter wraps the [`ClientConfig`] setter of the same name, so switching transport
//! keeps the same settings and the same defaults; `build()` (defined with
//! [`Client`](crate::Client)) makes a `Client<R>` over the runtime `R` from the finished
//! configuration.
//!
//! [`ClientBuilder::base_url`] takes a string as well as a [`BaseUrl`](crate::BaseUrl); a
//! string that does not parse is kept as a [`ConfigError`] and returned by
//! `build()` (as reqwest's builder does), so the chain of setters needs no `?`
//! in the middle.
//!
//! ```
//! use std::time::Duration;
//! use ollama_proto::ClientBuilder;
//! # #[derive(Clone)] struct MyRuntime;
//!
//! // `ollama_hyper::Client::builder()` is `ClientBuilder::<Hyper>::default()`.
//! let config = ClientBuilder::<MyRuntime>::default()
//!     .base_url("localhost:11434")
//!     .idle_timeout(Duration::from_secs(60))
//!     .into_config()?;
//! assert_eq!(config.timeouts.idle, Some(Duration::from_secs(60)));
//!
//! let bad = ClientBuilder::<MyRuntime>::default().base_url("localhost:notaport").into_config();
//! assert_eq!(
//!     bad.err().map(|e| e.to_string()).as_deref(),
//!     Some(r#"base URL: invalid host "localhost:notaport": port "notaport" is not a number from 0 to 65535"#)
//! );
//! # Ok::<(), ollama_proto::ConfigError>(())
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::client_config::ClientConfig;
use crate::config_error::ConfigError;
use crate::deadline::Timeouts;
use crate::host::IntoBaseUrl;
use crate::keepalive::TcpKeepalive;
use crate::net_env::NetEnv;
use crate::proxy::{NoProxy, ProxyUrl};
use crate::retry::RetryPolicy;
use crate::telemetry::TelemetryConfig;
use crate::think::ThinkConfig;
use crate::tls::TlsRoots;

/// Builds a [`Client`](crate::Client) over the runtime `R`; every setter wraps the
/// [`ClientConfig`] setter of the same name. Transports name it `ClientBuilder`
/// (`ollama_proto::ClientBuilder<Hyper>`); `Client::builder()` returns it.
#[must_use = "call build() to get a client"]
pub struct ClientBuilder<R> {
    config: ClientConfig,
    /// A setting that could not be used (a base URL that does not parse), for `build()`.
    error: Option<ConfigError>,
    // `fn() -> R`: the builder neither owns an `R` nor needs `R: Send`, `Sync`, `Debug`….
    runtime: PhantomData<fn() -> R>,
}

impl<R> Default for ClientBuilder<R> {
    /// The defaults: `http://127.0.0.1:11434`, no key, a 30 s connect timeout and TCP
    /// keepalive (no other timeout), no retries.
    fn default() -> Self {
        Self::from_config(ClientConfig::default())
    }
}

impl<R> Clone for ClientBuilder<R> {
    fn clone(&self) -> Self {
        Self {
            config: self.config.clone(),
            error: self.error.clone(),
            runtime: PhantomData,
        }
    }
}

impl<R> fmt::Debug for ClientBuilder<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The config's Debug redacts the API key.
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("error", &self.error)
            .finish()
    }
}

impl<R> ClientBuilder<R> {
    /// Starts from an existing configuration.
    pub fn from_config(config: ClientConfig) -> Self {
        Self {
            config,
            error: None,
            runtime: PhantomData,
        }
    }

    /// The server: a [`BaseUrl`](crate::BaseUrl) or a string parsed like `OLLAMA_HOST` (`localhost:11434`,
    /// `https://ollama.com`; see [`BaseUrl::parse`](crate::BaseUrl::parse)). A string that does not parse makes
    /// `build()` fail with [`ConfigError::BaseUrl`], unless a later call sets a
    /// valid base URL.
    pub fn base_url(mut self, url: impl IntoBaseUrl) -> Self {
        match url.into_base_url() {
            Ok(url) => {
                self.config.request.base_url = url;
                if matches!(self.error, Some(ConfigError::BaseUrl(_))) {
                    self.error = None;
                }
            }
            Err(e) => self.error = Some(ConfigError::BaseUrl(e)),
        }
        self
    }

    /// Sends `Authorization: Bearer <key>` to the base URL (never to another host: redirects
    /// are not followed).
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.map(|c| c.api_key(key))
    }

    /// Lets the ollama.com account calls (`balance`, `usage`, `me`) go to the base URL even
    /// when it is not `https://ollama.com` (a local server relaying them, a stand-in); off by
    /// default, so they refuse to carry the key to another host.
    pub fn relay_account_calls(self, relay: bool) -> Self {
        self.map(|c| c.relay_account_calls(relay))
    }

    /// Replaces the `User-Agent`.
    pub fn user_agent(self, agent: impl Into<String>) -> Self {
        self.map(|c| c.user_agent(agent))
    }

    /// Adds a header sent with every request (replacing a standard one of the same name).
    pub fn header(self, name: HeaderName, value: HeaderValue) -> Self {
        self.map(|c| c.header(name, value))
    }

    /// Sets all four timeouts at once; [`Timeouts::none`] removes even the default connect
    /// timeout.
    pub fn timeouts(self, timeouts: Timeouts) -> Self {
        self.map(|c| c.timeouts(timeouts))
    }

    /// Limit for establishing a connection (TCP connect, a proxy's tunnel, TLS handshake).
    ///
    /// **Default: 30 s** ([`Timeouts::DEFAULT_CONNECT`], as Go's `net/http`), so a connect
    /// nobody answers (a full listen backlog, a firewall that drops, a wrong address) ends in
    /// a [`TimeoutKind::Connect`](crate::deadline::TimeoutKind::Connect) error naming the
    /// server. Lower it to fail over faster; raise it only for a very lossy network.
    pub fn connect_timeout(self, d: Duration) -> Self {
        self.map(|c| c.connect_timeout(d))
    }

    /// Limit from sending a request to its response head. **Default: none**, because the
    /// head of a chat or generate comes only once the model is loaded and the prompt
    /// evaluated, which can take minutes; a server that vanished is found by
    /// [`tcp_keepalive`](Self::tcp_keepalive). Set it when a live but stuck server must not
    /// hold a call, generously (minutes for large models).
    pub fn response_head_timeout(self, d: Duration) -> Self {
        self.map(|c| c.response_head_timeout(d))
    }

    /// Limit between two body chunks. **Default: none**: a model may think silently, and
    /// `create` or `pull` may report nothing for minutes; a server that vanished is found by
    /// [`tcp_keepalive`](Self::tcp_keepalive). Set it (e.g. 60 s) for chat streams when a
    /// live but stalled server must not hold a call.
    pub fn idle_timeout(self, d: Duration) -> Self {
        self.map(|c| c.idle_timeout(d))
    }

    /// TCP keepalive on every connection; `None` turns it off.
    ///
    /// **Default: [`TcpKeepalive::DEFAULT`]**: the first probe after 30 s of silence, then
    /// every 10 s, and after 3 unanswered probes the call fails with a
    /// [`TimeoutKind::Keepalive`](crate::deadline::TimeoutKind::Keepalive) error naming the
    /// server: a server that vanished (power loss, a cable pulled, a NAT or load balancer that
    /// dropped the connection) is found within a minute. Probes are answered by the server's
    /// kernel, so a server busy loading a model is never cut. Shorten it to find dead peers
    /// faster; turn it off only where probes are unwanted, and then set an
    /// [`idle_timeout`](Self::idle_timeout).
    pub fn tcp_keepalive(self, keepalive: Option<TcpKeepalive>) -> Self {
        self.map(|c| c.tcp_keepalive(keepalive))
    }

    /// Limit for a whole call, retries included. Unset by default: long streams are not cut.
    pub fn total_timeout(self, d: Duration) -> Self {
        self.map(|c| c.total_timeout(d))
    }

    /// Opt-in retries (none by default).
    pub fn retry(self, policy: RetryPolicy) -> Self {
        self.map(|c| c.retry(policy))
    }

    /// Longest accepted NDJSON line.
    pub fn max_line_len(self, bytes: usize) -> Self {
        self.map(|c| c.max_line_len(bytes))
    }

    /// Largest accepted single-object body.
    pub fn max_body(self, bytes: usize) -> Self {
        self.map(|c| c.max_body(bytes))
    }

    /// How reasoning is separated from answers.
    pub fn think(self, think: ThinkConfig) -> Self {
        self.map(|c| c.think(think))
    }

    /// Whether [`Reasoning`](crate::reasoning::Reasoning) intents may learn the server version
    /// and the model's capabilities, once per client and model (default on; see
    /// [`crate::reasoning`]).
    pub fn negotiate_reasoning(self, on: bool) -> Self {
        self.map(|c| c.negotiate_reasoning(on))
    }

    /// What the calls' spans record beyond the defaults: prompt and answer text (opt-in,
    /// bounded), the GenAI metrics (feature `otel-metrics`). See [`crate::telemetry`].
    pub fn telemetry(self, telemetry: TelemetryConfig) -> Self {
        self.map(|mut c| {
            c.telemetry = telemetry;
            c
        })
    }

    /// Sends every request through the HTTP proxy at `url`
    /// (`http://[user:password@]host[:port]`, see [`ProxyUrl::parse`]), loopback servers
    /// included; the environment's proxy variables are not read then. A URL that does not
    /// parse makes `build()` fail with [`ConfigError::Proxy`]. See
    /// [`crate::proxy`] for every rule.
    pub fn proxy(mut self, url: &str) -> Self {
        match ProxyUrl::parse(url) {
            Ok(proxy) => self.config = self.config.proxy(proxy),
            Err(error) => {
                self.error = Some(ConfigError::Proxy {
                    setting: "ClientBuilder::proxy",
                    error,
                });
            }
        }
        self
    }

    /// Hosts reached without the proxy (a `NO_PROXY` list, see [`NoProxy`]); replaces
    /// `NO_PROXY` from the environment. A list that does not parse makes
    /// `build()` fail with [`ConfigError::NoProxy`].
    pub fn no_proxy(mut self, list: &str) -> Self {
        match NoProxy::parse(list) {
            Ok(list) => self.config = self.config.no_proxy(list),
            Err(error) => {
                self.error = Some(ConfigError::NoProxy {
                    setting: "ClientBuilder::no_proxy",
                    error,
                });
            }
        }
        self
    }

    /// Whether `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` are used (default
    /// `true`; `false` connects directly unless [`ClientBuilder::proxy`] is set).
    pub fn proxy_from_env(self, enabled: bool) -> Self {
        self.map(|c| c.proxy_from_env(enabled))
    }

    /// Reads the proxy and certificate variables from `env` (e.g.
    /// [`NetEnv::from_lookup`]) instead of the process environment.
    pub fn net_env(self, env: NetEnv) -> Self {
        self.map(|c| c.net_env(env))
    }

    /// Which built-in certificate authorities are trusted (default [`TlsRoots::Webpki`]; see
    /// [`crate::tls`]).
    pub fn tls_roots(self, roots: TlsRoots) -> Self {
        self.map(|c| c.tls_roots(roots))
    }

    /// Also trusts the CA certificates in `pem` (PEM text), e.g. a company's own CA.
    pub fn add_root_certificate_pem(self, pem: impl Into<Vec<u8>>) -> Self {
        self.map(|c| c.add_root_certificate_pem(pem))
    }

    /// Also trusts the CA certificates in the PEM file at `path`, read on the first
    /// `https://` connection (a missing file fails that connection, naming the file).
    pub fn add_root_certificate_file(self, path: impl Into<std::path::PathBuf>) -> Self {
        self.map(|c| c.add_root_certificate_file(path))
    }

    /// Whether `SSL_CERT_FILE` adds its PEM file to the trusted CAs (default `true`).
    pub fn tls_cert_file_from_env(self, enabled: bool) -> Self {
        self.map(|c| c.tls_cert_file_from_env(enabled))
    }

    /// The configuration so far.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The configuration, without building a client.
    ///
    /// # Errors
    /// The [`ConfigError`] of a setter that could not be used (what `build()` returns first).
    pub fn into_config(self) -> Result<ClientConfig, ConfigError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.config),
        }
    }

    fn map(mut self, set: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        self.config = set(self.config);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A runtime type parameter only (the setters never touch it).
    struct Built;

    #[test]
    fn every_setter_lands_in_the_config() {
        let d = Duration::from_millis;
        let built = ClientBuilder::<Built>::default()
            .base_url("https://example.com/ollama")
            .api_key("sk-secret")
            .user_agent("agent/1")
            .header(
                HeaderName::from_static("x-a"),
                HeaderValue::from_static("1"),
            )
            .connect_timeout(d(1))
            .response_head_timeout(d(2))
            .idle_timeout(d(3))
            .total_timeout(d(4))
            .tcp_keepalive(Some(TcpKeepalive::new(d(5000), d(6000), 7)))
            .retry(RetryPolicy::retries(2))
            .max_line_len(10)
            .max_body(20)
            .relay_account_calls(true)
            .into_config()
            .unwrap();
        let want = ClientConfig::new("https://example.com/ollama".parse().unwrap())
            .api_key("sk-secret")
            .user_agent("agent/1")
            .header(
                HeaderName::from_static("x-a"),
                HeaderValue::from_static("1"),
            )
            .timeouts(
                Timeouts::default()
                    .connect(d(1))
                    .response_head(d(2))
                    .idle(d(3))
                    .total(d(4)),
            )
            .tcp_keepalive(Some(TcpKeepalive::new(d(5000), d(6000), 7)))
            .retry(RetryPolicy::retries(2))
            .max_line_len(10)
            .max_body(20)
            .relay_account_calls(true);
        assert_eq!(format!("{built:?}"), format!("{want:?}"));
        assert!(built.request.relay_account_calls);
        assert_eq!(built.request.api_key.unwrap().expose_secret(), "sk-secret");
        assert_eq!(
            built
                .tcp_keepalive
                .map(|k| (k.idle(), k.interval(), k.probes())),
            Some((d(5000), d(6000), 7))
        );
        let shown = format!(
            "{:?}",
            ClientBuilder::<Built>::default().api_key("sk-secret")
        );
        assert!(!shown.contains("sk-secret"), "{shown}");
    }

    #[test]
    fn defaults_end_dead_calls_without_cutting_slow_ones() {
        let c = ClientBuilder::<Built>::default().into_config().unwrap();
        assert_eq!(c.timeouts.connect, Some(Duration::from_secs(30)));
        assert_eq!(
            (c.timeouts.response_head, c.timeouts.idle, c.timeouts.total),
            (None, None, None)
        );
        assert_eq!(c.tcp_keepalive, Some(TcpKeepalive::DEFAULT));
        let off = ClientBuilder::<Built>::default()
            .tcp_keepalive(None)
            .timeouts(Timeouts::none())
            .into_config()
            .unwrap();
        assert_eq!((off.tcp_keepalive, off.timeouts), (None, Timeouts::none()));
    }

    #[test]
    fn a_bad_base_url_fails_build() {
        let built = ClientBuilder::<Built>::default()
            .base_url("htp://bad host")
            .idle_timeout(Duration::from_secs(1))
            .into_config();
        let Err(ConfigError::BaseUrl(e)) = built else {
            panic!("expected a base URL error")
        };
        assert!(matches!(e, crate::HostError::BadScheme { .. }), "{e:?}");
        // A later valid base URL replaces the bad one.
        let valid = String::from("h:1");
        let built = ClientBuilder::<Built>::default()
            .base_url(format!("h:{}", 70000))
            .base_url(&valid)
            .into_config()
            .unwrap();
        assert_eq!(built.request.base_url.to_string(), "http://h:1");
        let builder = ClientBuilder::<Built>::default().base_url(":-1");
        assert!(format!("{builder:?}").contains("BadPort"));
        assert!(builder.clone().into_config().is_err());
        assert!(builder.into_config().is_err());
    }
}

//! [`ConnectPlan`]: how a connection to the server is opened, decided once when the client is
//! built, so that a transport executes it and decides nothing:
//!
//! 1. TCP to [`ConnectPlan::dial`] (the server, or its proxy), with TCP keepalive as
//!    [`ConnectPlan::tcp_keepalive`] says; a failure is [`ConnectPlan::dial_failed`] (the
//!    server's, or the proxy's "unreachable").
//! 2. If [`ConnectPlan::tunnel`] gives a [`Tunnel`]: write its request, feed it what the proxy
//!    answers ([`Tunnel::on_read`]) until it is open.
//! 3. If [`ConnectPlan::tls`] is set: the TLS handshake with its server name, trusting its
//!    [`TlsPlan`] (`ollama-net` builds the rustls configuration from it).
//! 4. Requests are written with the [`ConnectPlan::target_form`] (origin form, or the absolute
//!    URI through a forwarding proxy), and idle connections are pooled under
//!    [`ConnectPlan::pool_key`] ([`crate::pool`]).
//!
//! Each step reports its failure as a [`ConnectError`] variant, so the client knows which step
//! failed without inspecting the transport's error.
//!
//! ```
//! use ollama_proto::connect::{ConnectPlan, TargetForm};
//! use ollama_proto::net_env::NetEnv;
//! use ollama_proto::ClientConfig;
//!
//! let env = NetEnv::from_lookup(|name| {
//!     (name == "HTTPS_PROXY").then(|| "http://proxy.corp:3128".to_owned())
//! });
//! let config = ClientConfig::new("https://ollama.com".parse()?).net_env(env);
//! let plan = ConnectPlan::new(&config)?;
//! assert_eq!(plan.dial(), ("proxy.corp", 3128));
//! assert!(plan.tunnel().is_some());
//! assert_eq!(plan.tls().map(|t| t.server_name.as_str()), Some("ollama.com"));
//! assert_eq!(plan.target_form(), TargetForm::Origin);
//!
//! let direct = ConnectPlan::new(&ClientConfig::default())?;
//! assert_eq!(direct.dial(), ("127.0.0.1", 11434));
//! assert!(direct.tunnel().is_none() && direct.tls().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod exhausted;

pub use error::ConnectError;
pub use exhausted::{Exhausted, Resource};

use crate::client_config::ClientConfig;
use crate::config_error::ConfigError;
use crate::host::BaseUrl;
use crate::keepalive::TcpKeepalive;
use crate::proxy::{ProxyError, ProxyUrl, Route, Tunnel};
use crate::tls::TlsPlan;

/// How every connection of a client is opened (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectPlan {
    server: BaseUrl,
    route: Route,
    tls: Option<TlsTarget>,
    pool_key: String,
    keepalive: Option<TcpKeepalive>,
}

/// TLS with the server: its name (SNI and certificate check) and what to trust.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsTarget {
    /// The server's host name (or IP address), as in the base URL.
    pub server_name: String,
    /// The trusted certificate authorities.
    pub trust: TlsPlan,
}

/// How the request target is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetForm {
    /// `/api/chat` and a `Host` header: to the server itself, or through a CONNECT tunnel.
    Origin,
    /// `http://host:port/api/chat`: to a forwarding proxy.
    Absolute,
}

impl TargetForm {
    /// The target to write for a request to `uri` (absolute, as the exchange builds it).
    pub fn uri(self, uri: &http::Uri) -> http::Uri {
        match (self, uri.path_and_query()) {
            (Self::Origin, Some(pq)) => http::Uri::from(pq.clone()),
            (Self::Origin, None) => http::Uri::from_static("/"),
            (Self::Absolute, _) => uri.clone(),
        }
    }
}

impl ConnectPlan {
    /// The plan for `config` and the environment it names (or the process's): the route
    /// ([`crate::proxy`]), TLS for `https://` ([`crate::tls`]).
    ///
    /// # Errors
    /// As [`ClientConfig::network`].
    pub fn new(config: &ClientConfig) -> Result<Self, ConfigError> {
        let network = config.network()?;
        let server = config.request.base_url.clone();
        let tls = network.https.then(|| TlsTarget {
            server_name: server.host().to_owned(),
            trust: network.tls,
        });
        let pool_key = match network.route.proxy() {
            None => server.origin(),
            Some(proxy) => format!("{} via {proxy}", server.origin()),
        };
        Ok(Self {
            server,
            route: network.route,
            tls,
            pool_key,
            keepalive: config.tcp_keepalive,
        })
    }

    /// Host and port to open TCP to: the proxy's, when there is one, else the server's.
    pub fn dial(&self) -> (&str, u16) {
        match self.route.proxy() {
            Some(proxy) => (proxy.host(), proxy.port()),
            None => (self.server.host(), self.server.port()),
        }
    }

    /// The failure of TCP to [`ConnectPlan::dial`]: [`ConnectError::Exhausted`] when the
    /// client's machine ran out of descriptors or ports (whoever it dials), else
    /// [`ConnectError::Server`], or the proxy unreachable ([`ConnectError::Proxy`]).
    pub fn dial_failed(&self, error: impl Into<crate::BoxError>) -> ConnectError {
        let error = match Exhausted::classify(error.into()) {
            Ok(exhausted) => return ConnectError::Exhausted(exhausted),
            Err(other) => other,
        };
        match self.route.proxy() {
            Some(proxy) => ConnectError::Proxy(ProxyError::unreachable(proxy, error)),
            None => ConnectError::Server(error),
        }
    }

    /// TCP keepalive to turn on for every new connection, right after the TCP connect
    /// ([`ClientConfig::tcp_keepalive`]; `None`: off). On Linux, also set `TCP_USER_TIMEOUT`
    /// to its [`TcpKeepalive::dead_after`] (see [`crate::keepalive`]).
    pub fn tcp_keepalive(&self) -> Option<&TcpKeepalive> {
        self.keepalive.as_ref()
    }

    /// A new CONNECT handshake to run on the proxy connection, when the route is a tunnel.
    pub fn tunnel(&self) -> Option<Tunnel> {
        match &self.route {
            Route::Tunnel(proxy) => Some(Tunnel::new(proxy, &self.server)),
            _ => None,
        }
    }

    /// TLS after TCP (and the tunnel), for an `https://` server.
    pub fn tls(&self) -> Option<&TlsTarget> {
        self.tls.as_ref()
    }

    /// How the request target is written.
    pub fn target_form(&self) -> TargetForm {
        match self.route {
            Route::Forward(_) => TargetForm::Absolute,
            Route::Direct | Route::Tunnel(_) => TargetForm::Origin,
        }
    }

    /// The forwarding proxy requests go through, if any: the exchange adds its
    /// `Proxy-Authorization` and recognises its own 401/407.
    pub fn forward_proxy(&self) -> Option<&ProxyUrl> {
        self.route.forward_proxy()
    }

    /// The route (direct, forwarding proxy, tunnel).
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// The server (the base URL).
    pub fn server(&self) -> &BaseUrl {
        &self.server
    }

    /// What idle connections opened by this plan are pooled under: the server's origin, and
    /// the proxy when there is one.
    pub fn pool_key(&self) -> &str {
        &self.pool_key
    }
}

#[cfg(test)]
mod tests;

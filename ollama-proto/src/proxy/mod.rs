//! Proxies, decided without IO: which route a client's connections take, and the CONNECT
//! handshake for tunnels. Both transports use this, so they follow the same rules.
//!
//! # The rules
//!
//! - **An explicit proxy** ([`ClientBuilder::proxy`](crate::ClientBuilder::proxy)) is used
//!   for every server, loopback included, except the hosts of an explicit
//!   [`ClientBuilder::no_proxy`](crate::ClientBuilder::no_proxy) list. The environment is not
//!   read for proxies then.
//! - **Otherwise the environment** ([`NetEnv`], read when the client is built) unless
//!   [`ClientBuilder::proxy_from_env`](crate::ClientBuilder::proxy_from_env)`(false)`:
//!   `http_proxy`/`HTTP_PROXY` for `http://` servers, `https_proxy`/`HTTPS_PROXY` for
//!   `https://`, `all_proxy`/`ALL_PROXY` when the scheme's own is unset (lower case first, as
//!   curl; upper-case `HTTP_PROXY` is ignored when `REQUEST_METHOD` is set). `no_proxy` /
//!   `NO_PROXY` lists the hosts reached directly ([`NoProxy`]: curl's and reqwest's rules), or
//!   an explicit `no_proxy` list replaces it.
//! - **Loopback is always direct with an environment proxy**: `localhost`, `*.localhost`,
//!   `127.0.0.0/8` and `::1`. A local Ollama is the common case, and a corporate proxy
//!   cannot reach the user's own machine. (curl would send it to the proxy; reqwest and
//!   Ollama's own Go client do not.)
//! - **`http://` servers go through a forwarding proxy**: the request line carries the
//!   absolute URL and credentials go in `Proxy-Authorization`. **`https://` servers go through
//!   a CONNECT tunnel** ([`Tunnel`]); TLS runs end to end with the server inside it, so the
//!   proxy sees only the host name and port.
//! - Proxy URLs are `http://[user:password@]host[:port]` (no scheme means `http://`, no port
//!   means 80, as reqwest and Go; user and password are percent-decoded). TLS to the proxy
//!   itself (`https://` proxies) and SOCKS are not supported: such a URL is a
//!   [`ConfigError`] when the client is built, naming the variable it came from.
//! - The `Authorization` API key is sent only to the Ollama server: through a forwarding
//!   proxy it passes the proxy in plain text, as any `http://` request does.
//!
//! Why not hyper-util's proxy matcher and tunnel: hyper-util depends on hyper (and through
//! it tokio), which neither this IO-free crate nor `ollama-smol` may depend on; one
//! implementation here keeps both transports identical.
//!
//! ```
//! use ollama_proto::{BaseUrl, ClientConfig};
//! use ollama_proto::net_env::NetEnv;
//! use ollama_proto::proxy::Route;
//!
//! let env = NetEnv::from_lookup(|name| match name {
//!     "HTTPS_PROXY" => Some("http://alice:s%40cret@proxy.corp:3128".to_owned()),
//!     "NO_PROXY" => Some(".internal.corp".to_owned()),
//!     _ => None,
//! });
//! let route = |url: &str| {
//!     let config = ClientConfig::new(url.parse().unwrap()).net_env(env.clone());
//!     config.network().map(|n| n.route)
//! };
//! let Route::Tunnel(proxy) = route("https://ollama.com")? else { panic!() };
//! assert_eq!(proxy.to_string(), "http://proxy.corp:3128"); // never the password
//! assert_eq!(proxy.credentials().map(|c| c.password()), Some("s@cret"));
//! assert_eq!(route("https://gpu.internal.corp")?, Route::Direct);
//! assert_eq!(route("http://remote:11434")?, Route::Direct); // no HTTP_PROXY
//! assert_eq!(route("https://localhost")?, Route::Direct); // loopback
//! # Ok::<(), ollama_proto::ConfigError>(())
//! ```

pub(crate) mod no_proxy;
mod tunnel;
pub(crate) mod url;

use std::fmt;

pub use no_proxy::{NoProxy, NoProxyError};
pub use tunnel::{MAX_TUNNEL_HEAD, Tunnel};
pub use url::{Credentials, ProxyUrl, ProxyUrlError};

use crate::config_error::ConfigError;
use crate::error::BoxError;
use crate::host::BaseUrl;
use crate::net_env::NetEnv;

#[cfg(test)]
mod tests;

/// How a client reaches its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Straight to the server.
    Direct,
    /// Through a forwarding proxy (`http://` servers): connect to the proxy, send the
    /// request with an absolute-form target and [`ProxyUrl::authorization`].
    Forward(ProxyUrl),
    /// Through a CONNECT tunnel (`https://` servers): connect to the proxy, run a
    /// [`Tunnel`] handshake, then TLS with the server over the same connection.
    Tunnel(ProxyUrl),
}

impl Route {
    /// The proxy connections go to (forwarding or tunnel), if any.
    pub fn proxy(&self) -> Option<&ProxyUrl> {
        match self {
            Self::Direct => None,
            Self::Forward(proxy) | Self::Tunnel(proxy) => Some(proxy),
        }
    }

    /// The forwarding proxy requests go through (absolute-form targets), if any.
    pub fn forward_proxy(&self) -> Option<&ProxyUrl> {
        match self {
            Self::Forward(proxy) => Some(proxy),
            _ => None,
        }
    }
}

/// The proxy settings of a client (see the [module docs](self) for the rules).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyConfig {
    /// A proxy for every server (loopback included); the environment is not read then.
    pub proxy: Option<ProxyUrl>,
    /// Hosts reached directly; replaces `NO_PROXY` from the environment.
    pub no_proxy: Option<NoProxy>,
    /// Whether `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` are used (default
    /// `true`).
    pub from_env: bool,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        Self {
            proxy: None,
            no_proxy: None,
            from_env: true,
        }
    }
}

impl ProxyConfig {
    /// The route to `target` given the environment `env`.
    ///
    /// # Errors
    /// [`ConfigError::Proxy`] or [`ConfigError::NoProxy`] when a variable that applies to
    /// `target` is not a valid proxy URL or host list, naming the variable.
    pub fn route(&self, target: &BaseUrl, env: &NetEnv) -> Result<Route, ConfigError> {
        let (proxy, no_proxy, from_env) = if let Some(proxy) = &self.proxy {
            (proxy.clone(), self.no_proxy.clone(), false)
        } else if self.from_env {
            let var = if target.scheme() == "https" {
                env.https_proxy.as_ref()
            } else {
                env.http_proxy.as_ref()
            };
            let Some((name, value)) = var.or(env.all_proxy.as_ref()) else {
                return Ok(Route::Direct);
            };
            let proxy = ProxyUrl::parse(value).map_err(|error| ConfigError::Proxy {
                setting: name,
                error,
            })?;
            let no_proxy = match (&self.no_proxy, &env.no_proxy) {
                (Some(list), _) => Some(list.clone()),
                (None, Some((name, value))) => {
                    Some(NoProxy::parse(value).map_err(|error| ConfigError::NoProxy {
                        setting: name,
                        error,
                    })?)
                }
                (None, None) => None,
            };
            (proxy, no_proxy, true)
        } else {
            return Ok(Route::Direct);
        };
        let (host, port) = (target.host(), target.port());
        if (from_env && is_loopback(host)) || no_proxy.is_some_and(|list| list.matches(host, port))
        {
            return Ok(Route::Direct);
        }
        Ok(if target.scheme() == "https" {
            Route::Tunnel(proxy)
        } else {
            Route::Forward(proxy)
        })
    }
}

/// `localhost`, a name under `.localhost`, `127.0.0.0/8` or `::1` (IPv6 without brackets).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A proxy failed a call: which proxy (`http://host:port`, never its credentials) and what
/// happened. Reported as [`ClientError::Proxy`](crate::ClientError::Proxy).
#[derive(Debug)]
#[non_exhaustive]
pub struct ProxyError {
    /// The proxy, as [`ProxyUrl`]'s `Display` shows it.
    pub proxy: String,
    /// What happened.
    pub kind: ProxyErrorKind,
}

/// What went wrong with a proxy.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProxyErrorKind {
    /// The proxy could not be reached (refused, DNS failure, …): nothing was sent.
    Unreachable(BoxError),
    /// The proxy wants credentials, or rejected the ones sent: 407, or a 401 that is the
    /// proxy's (see [`ProxyError::from_forwarded`]; tinyproxy answers rejected credentials
    /// with 401).
    AuthRequired {
        /// The proxy's status code.
        status: u16,
        /// Whether credentials were sent (then they were rejected).
        sent_credentials: bool,
    },
    /// The proxy refused to open a tunnel (a CONNECT answer that is not 2xx and not 407).
    Refused {
        /// The proxy's status code.
        status: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// The proxy's answer to CONNECT is not HTTP, too long, or followed by bytes before the
    /// TLS handshake began.
    InvalidAnswer(String),
    /// The proxy closed the connection before answering CONNECT.
    Closed,
}

impl ProxyError {
    /// Whether another attempt may succeed: the proxy was unreachable, closed the connection,
    /// or refused the tunnel with a 5xx (the server behind it may be down for a moment). A
    /// demand for credentials, a 4xx refusal or an answer that is not HTTP will be the same
    /// next time, so the exchange does not retry them.
    pub fn is_transient(&self) -> bool {
        match &self.kind {
            ProxyErrorKind::Unreachable(_) | ProxyErrorKind::Closed => true,
            ProxyErrorKind::Refused { status, .. } => *status >= 500,
            ProxyErrorKind::AuthRequired { .. } | ProxyErrorKind::InvalidAnswer(_) => false,
        }
    }

    /// A proxy error for `proxy`.
    pub fn new(proxy: &ProxyUrl, kind: ProxyErrorKind) -> Self {
        Self {
            proxy: proxy.to_string(),
            kind,
        }
    }

    /// [`ProxyErrorKind::Unreachable`]: connecting to `proxy` failed with `error`.
    pub fn unreachable(proxy: &ProxyUrl, error: impl Into<BoxError>) -> Self {
        Self::new(proxy, ProxyErrorKind::Unreachable(error.into()))
    }

    /// `Some` when a forwarding proxy's answer (`status`, `headers`) is its own refusal to
    /// authenticate the client rather than the server's answer: 407; 401 with a
    /// `Proxy-Authenticate` header; or, when proxy credentials were sent, 401 with a `Basic`
    /// challenge in `WWW-Authenticate` (tinyproxy answers rejected credentials that way;
    /// Ollama's own 401 asks for no Basic credentials).
    pub fn from_forwarded(
        proxy: &ProxyUrl,
        status: u16,
        headers: &http::HeaderMap,
    ) -> Option<Self> {
        let sent_credentials = proxy.credentials().is_some();
        let basic_challenge = headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .any(|v| {
                v.as_bytes()
                    .get(..6)
                    .is_some_and(|s| s.eq_ignore_ascii_case(b"basic "))
            });
        let proxy_401 = headers.contains_key(http::header::PROXY_AUTHENTICATE)
            || (sent_credentials && basic_challenge);
        (status == 407 || (status == 401 && proxy_401)).then(|| {
            Self::new(
                proxy,
                ProxyErrorKind::AuthRequired {
                    status,
                    sent_credentials,
                },
            )
        })
    }
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "proxy {}: ", self.proxy)?;
        match &self.kind {
            ProxyErrorKind::Unreachable(e) => write!(f, "cannot connect: {e}"),
            ProxyErrorKind::AuthRequired {
                status,
                sent_credentials: true,
            } => write!(f, "credentials rejected ({status})"),
            ProxyErrorKind::AuthRequired { status, .. } => {
                write!(
                    f,
                    "authentication required ({status}); give user:password in the proxy URL"
                )
            }
            ProxyErrorKind::Refused { status, reason } => {
                write!(f, "refused the tunnel: {status} {reason}")
            }
            ProxyErrorKind::InvalidAnswer(what) => write!(f, "invalid answer to CONNECT: {what}"),
            ProxyErrorKind::Closed => f.write_str("closed the connection before answering CONNECT"),
        }
    }
}

impl std::error::Error for ProxyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ProxyErrorKind::Unreachable(e) => Some(&**e),
            _ => None,
        }
    }
}

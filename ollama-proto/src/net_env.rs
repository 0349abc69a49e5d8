//! [`NetEnv`]: the proxy and certificate variables of an environment, read once.
//!
//! A client reads them when its transport is built (`Client::new`, `build()`), from the
//! process environment unless it was given a [`NetEnv`] of its own
//! ([`ClientBuilder::net_env`](crate::ClientBuilder::net_env)), which tests and embedding
//! applications build with [`NetEnv::from_lookup`] instead of changing the process
//! environment.
//!
//! ```
//! use ollama_proto::net_env::NetEnv;
//!
//! let env = NetEnv::from_lookup(|name| match name {
//!     "https_proxy" => Some("http://proxy.corp:3128".to_owned()),
//!     "HTTPS_PROXY" => Some("http://ignored:1".to_owned()), // lower case wins, as in curl
//!     "NO_PROXY" => Some("internal.corp,10.0.0.0/8".to_owned()),
//!     _ => None,
//! });
//! assert_eq!(env.https_proxy, Some(("https_proxy", "http://proxy.corp:3128".to_owned())));
//! assert_eq!(env.no_proxy, Some(("NO_PROXY", "internal.corp,10.0.0.0/8".to_owned())));
//! assert_eq!(env.http_proxy, None);
//! ```

/// The variables that decide a client's proxy and extra trusted certificates, each with the
/// name it was read from (for error messages). Empty values count as unset.
///
/// For each setting the lower-case name is read first, then the upper-case one, as curl
/// does. `HTTP_PROXY` (upper case) is ignored when `REQUEST_METHOD` is set: in a CGI program
/// it can come from a request's `Proxy:` header ("httpoxy"); curl and Go ignore it too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetEnv {
    /// Proxy for `http://` servers: `http_proxy`, `HTTP_PROXY`.
    pub http_proxy: Option<(&'static str, String)>,
    /// Proxy for `https://` servers: `https_proxy`, `HTTPS_PROXY`.
    pub https_proxy: Option<(&'static str, String)>,
    /// Proxy for both when the scheme's own is unset: `all_proxy`, `ALL_PROXY`.
    pub all_proxy: Option<(&'static str, String)>,
    /// Hosts reached directly: `no_proxy`, `NO_PROXY` (see [`NoProxy`](crate::proxy::NoProxy)).
    pub no_proxy: Option<(&'static str, String)>,
    /// A PEM file of extra trusted certificates: `SSL_CERT_FILE` (see
    /// [`TlsConfig`](crate::tls::TlsConfig)).
    pub ssl_cert_file: Option<(&'static str, String)>,
}

impl NetEnv {
    /// Reads the process environment (a value that is not Unicode counts as unset).
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup` (a name in, its value out).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |names: &[&'static str]| {
            names.iter().find_map(|&name| {
                lookup(name)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (name, v.trim().to_owned()))
            })
        };
        let cgi = lookup("REQUEST_METHOD").is_some();
        let http: &[&'static str] = if cgi {
            &["http_proxy"]
        } else {
            &["http_proxy", "HTTP_PROXY"]
        };
        Self {
            http_proxy: get(http),
            https_proxy: get(&["https_proxy", "HTTPS_PROXY"]),
            all_proxy: get(&["all_proxy", "ALL_PROXY"]),
            no_proxy: get(&["no_proxy", "NO_PROXY"]),
            ssl_cert_file: get(&["SSL_CERT_FILE"]),
        }
    }

    /// An environment with none of the variables set.
    pub fn empty() -> Self {
        Self::default()
    }
}

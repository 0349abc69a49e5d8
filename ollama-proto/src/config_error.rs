//! [`ConfigError`]: a setting a client cannot be built with. It lives below the configuration
//! and the proxy rules (both return it), and names only the error types of the settings it
//! checks.

use std::fmt;

use crate::host::{EnvError, HostError};
use crate::proxy::no_proxy::NoProxyError;
use crate::proxy::url::ProxyUrlError;

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
    /// A proxy URL cannot be used.
    Proxy {
        /// Where it came from: the variable (`HTTPS_PROXY`, …) or `ClientBuilder::proxy`.
        setting: &'static str,
        /// What is wrong.
        error: ProxyUrlError,
    },
    /// A no-proxy list cannot be used.
    NoProxy {
        /// Where it came from: the variable (`NO_PROXY`, …) or `ClientBuilder::no_proxy`.
        setting: &'static str,
        /// What is wrong.
        error: NoProxyError,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BaseUrl(e) => write!(f, "base URL: {e}"),
            Self::Env(e) => e.fmt(f),
            Self::Proxy { setting, error } => write!(f, "{setting}: {error}"),
            Self::NoProxy { setting, error } => write!(f, "{setting}: {error}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::BaseUrl(e) => Some(e),
            Self::Env(e) => Some(e),
            Self::Proxy { error, .. } => Some(error),
            Self::NoProxy { error, .. } => Some(error),
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

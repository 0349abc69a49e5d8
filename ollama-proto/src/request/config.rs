//! What every request shares: base URL, credentials, user agent, extra headers.

use http::HeaderMap;

use crate::host::{ApiKey, BaseUrl, Environment};

/// The `User-Agent` sent by default: `ollama-proto/<version> (<arch> <os>) Rust`, after the
/// pattern of the official clients.
pub fn default_user_agent() -> String {
    format!(
        "ollama-proto/{} ({} {}) Rust",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// Everything [`build_request`](super::build_request) needs besides the endpoint.
///
/// The API key, when set, is sent with every request built from this configuration; all of
/// them go to [`RequestConfig::base_url`], so it never reaches another host.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestConfig {
    /// The server.
    pub base_url: BaseUrl,
    /// Bearer key, sent as `Authorization: Bearer <key>`.
    pub api_key: Option<ApiKey>,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Added to every request after the standard headers; a name given here replaces the
    /// standard header of that name (all its values here are sent).
    pub headers: HeaderMap,
    /// Lets ollama.com account calls (`/api/balance`, `/api/usage`, `/api/me`) go to a base URL
    /// that is not `https://ollama.com`: a local server that relays them to ollama.com with its
    /// own key, or a stand-in. Off by default: [`build_request`](super::build_request) refuses
    /// them with [`UsageError::AccountCallHost`](crate::UsageError::AccountCallHost), so a key
    /// meant for ollama.com is never sent to another host by an account call.
    pub relay_account_calls: bool,
}

impl Default for RequestConfig {
    fn default() -> Self {
        Self::new(BaseUrl::default())
    }
}

impl RequestConfig {
    /// A configuration for `base_url`, no key, the default user agent, no extra headers.
    pub fn new(base_url: BaseUrl) -> Self {
        Self {
            base_url,
            api_key: None,
            user_agent: default_user_agent(),
            headers: HeaderMap::new(),
            relay_account_calls: false,
        }
    }

    /// A configuration from `OLLAMA_HOST` / `OLLAMA_API_KEY` values.
    pub fn from_environment(env: &Environment) -> Self {
        let mut config = Self::new(env.base_url.clone());
        config.api_key = env.api_key.clone();
        config
    }

    /// Sets the API key.
    pub fn api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Sets the user agent.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Adds an extra header.
    pub fn header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }
}

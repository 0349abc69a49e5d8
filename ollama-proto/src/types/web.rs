//! Web search and fetch (reference §3.17).
//!
//! By default requests go to the local server's experimental proxies
//! (`/api/experimental/web_search`, `/api/experimental/web_fetch`, servers ≥ v0.18), which sign
//! them with the server's own key. To call ollama.com directly (`/api/web_search`,
//! `/api/web_fetch` with `Authorization: Bearer <OLLAMA_API_KEY>`), wrap the request in
//! [`Direct`](crate::request::Direct) and use `https://ollama.com` as the base URL.

use serde::{Deserialize, Serialize};

/// A web search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebSearchRequest {
    /// What to search for.
    pub query: String,
    /// At most this many results (ollama.com: default 5, max 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
}

impl WebSearchRequest {
    /// Search for `query`.
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
            max_results: None,
        }
    }

    /// Sets `max_results`.
    pub fn max_results(mut self, n: u32) -> Self {
        self.max_results = Some(n);
        self
    }
}

/// One search hit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebSearchResult {
    /// Page title.
    #[serde(default)]
    pub title: String,
    /// Page URL.
    #[serde(default)]
    pub url: String,
    /// Extracted text.
    #[serde(default)]
    pub content: String,
}

/// The search response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebSearchResponse {
    /// The hits.
    #[serde(default, deserialize_with = "super::models::null_as_default")]
    pub results: Vec<WebSearchResult>,
}

/// Fetch one web page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebFetchRequest {
    /// The page URL.
    pub url: String,
}

impl WebFetchRequest {
    /// Fetch `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into() }
    }
}

/// The fetched page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebFetchResponse {
    /// Page title.
    #[serde(default)]
    pub title: String,
    /// Extracted text.
    #[serde(default)]
    pub content: String,
    /// Links found on the page.
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<String>,
}

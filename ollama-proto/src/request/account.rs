//! [`Endpoint`] and [`SingleCall`] for the ollama.com account calls and for decisions
//! (`/v1/systemone`): each answered by one JSON object, never streamed.

use std::borrow::Cow;

use http::Method;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{Body, Endpoint, JSON, SingleCall, SuccessBody};
use crate::UsageError;
use crate::response::decode_json;
use crate::types::{
    BalanceResponse, GetBalance, GetMe, GetUsage, SystemOneRequest, SystemOneResponse,
    UsageResponse, UserResponse,
};

/// A bodiless account call answered by one JSON object, its path made by `$path` from the
/// request. Account calls only read, so they are safe to send twice (a 429 with `Retry-After`
/// is retried by the policy).
macro_rules! account_call {
    ($ty:ty, $method:ident, $path:expr, $output:ty) => {
        impl Endpoint for $ty {
            fn method(&self) -> Method {
                Method::$method
            }
            fn path(&self) -> Cow<'_, str> {
                $path(self)
            }
            fn body(&self) -> Result<Option<Body>, UsageError> {
                Ok(None)
            }
            fn accept(&self) -> &'static str {
                JSON
            }
            fn safe_to_repeat(&self) -> bool {
                true
            }
            fn account_call(&self) -> bool {
                true
            }
        }

        impl SingleCall for $ty {
            type Output = $output;
            const SUCCESS: SuccessBody<$output> = SuccessBody::Whole(decode_json);
        }
    };
}

account_call!(
    GetBalance,
    GET,
    |_| Cow::Borrowed("/api/balance"),
    BalanceResponse
);
account_call!(GetUsage, GET, usage_path, UsageResponse);
// `POST` without a body, as Go's `Whoami` sends it.
account_call!(GetMe, POST, |_| Cow::Borrowed("/api/me"), UserResponse);

/// What a query value may hold unescaped: RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `/api/usage`, then `?range=…` and `&scope=…` for those set, each value percent-encoded (an
/// `Other` value is sent as written, never as extra parameters).
fn usage_path(query: &GetUsage) -> Cow<'static, str> {
    let mut path = String::from("/api/usage");
    let params = [
        ("range", query.range.as_ref().map(|r| r.as_str())),
        ("scope", query.scope.as_ref().map(|s| s.as_str())),
    ];
    for (name, value) in params {
        if let Some(value) = value {
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(name);
            path.push('=');
            path.extend(utf8_percent_encode(value, QUERY_VALUE));
        }
    }
    Cow::Owned(path)
}

/// Sent as itself (no `stream` field: a decision is never streamed). A decision changes nothing
/// on the server, so it may be repeated.
impl Endpoint for SystemOneRequest {
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1/systemone")
    }
    fn body(&self) -> Result<Option<Body>, UsageError> {
        if self.model.trim().is_empty() {
            return Err(UsageError::InvalidRequest(
                "model must not be empty".to_owned(),
            ));
        }
        if self.questions.is_empty() {
            return Err(UsageError::InvalidRequest(
                "a decision needs at least one question".to_owned(),
            ));
        }
        let bytes = serde_json::to_vec(self).map_err(|e| UsageError::Encode(e.to_string()))?;
        Ok(Some(Body {
            bytes: bytes.into(),
            content_type: JSON,
        }))
    }
    fn accept(&self) -> &'static str {
        JSON
    }
    fn safe_to_repeat(&self) -> bool {
        true
    }
    fn model(&self) -> Option<&str> {
        Some(&self.model)
    }
}

impl SingleCall for SystemOneRequest {
    type Output = SystemOneResponse;
    const SUCCESS: SuccessBody<SystemOneResponse> = SuccessBody::Whole(decode_json);
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::header::AUTHORIZATION;

    use super::*;
    use crate::request::{RequestConfig, build_request};
    use crate::types::{Question, UsageRange, UsageScope};
    use crate::{AccountCallRefusal, BaseUrl};

    fn config(url: &str) -> RequestConfig {
        RequestConfig::new(BaseUrl::parse(url).unwrap())
    }

    #[test]
    fn usage_queries_are_built_and_escaped() {
        let table: &[(GetUsage, &str)] = &[
            (GetUsage::new(), "/api/usage"),
            (
                GetUsage::new().range(UsageRange::Last24Hours),
                "/api/usage?range=24h",
            ),
            (
                GetUsage::new().scope(UsageScope::Team),
                "/api/usage?scope=team",
            ),
            (
                GetUsage::new()
                    .range(UsageRange::Last30Days)
                    .scope(UsageScope::Personal),
                "/api/usage?range=30d&scope=self",
            ),
            (
                GetUsage::new().range(UsageRange::Other("1y&scope=team #x".to_owned())),
                "/api/usage?range=1y%26scope%3Dteam%20%23x",
            ),
        ];
        for (call, path) in table {
            assert_eq!(call.path(), *path);
        }
    }

    #[test]
    fn account_calls_go_to_ollama_com_with_a_key_or_where_relaying_is_allowed() {
        let key = |c: RequestConfig| c.api_key(crate::ApiKey::new("k"));
        let calls: [&dyn Endpoint; 3] = [&GetBalance, &GetUsage::new(), &GetMe];
        for call in calls {
            let name = format!("{} {}", call.method(), call.path());
            let sent = build_request(&key(config("https://ollama.com")), call).unwrap();
            assert_eq!(sent.headers()[AUTHORIZATION], "Bearer k", "{name}");
            assert_eq!(sent.uri().host(), Some("ollama.com"), "{name}");
            assert_eq!(sent.body(), &Bytes::new(), "{name}");

            let refused = [
                (
                    "http://127.0.0.1:11434",
                    true,
                    AccountCallRefusal::NotOllamaCom,
                ),
                ("http://ollama.com", true, AccountCallRefusal::NotOllamaCom),
                (
                    "https://ollama.com.evil.example",
                    true,
                    AccountCallRefusal::NotOllamaCom,
                ),
                ("https://ollama.com", false, AccountCallRefusal::NoApiKey),
            ];
            for (url, with_key, reason) in refused {
                let c = if with_key {
                    key(config(url))
                } else {
                    config(url)
                };
                match build_request(&c, call) {
                    Err(UsageError::AccountCallHost {
                        call: what,
                        origin,
                        reason: got,
                    }) => {
                        assert_eq!((what.as_str(), got), (name.as_str(), reason), "{url}");
                        assert_eq!(origin, BaseUrl::parse(url).unwrap().origin());
                    }
                    other => panic!("{name} to {url}: expected a refusal, got {other:?}"),
                }
            }

            let mut relay = key(config("http://127.0.0.1:11434"));
            relay.relay_account_calls = true;
            let sent = build_request(&relay, call).unwrap();
            assert_eq!(sent.uri().host(), Some("127.0.0.1"), "{name}");
            assert_eq!(sent.headers()[AUTHORIZATION], "Bearer k", "{name}");
            // A relaying local server signs with its own key: none is needed here.
            let mut keyless = config("http://127.0.0.1:11434");
            keyless.relay_account_calls = true;
            let sent = build_request(&keyless, call).unwrap();
            assert!(sent.headers().get(AUTHORIZATION).is_none(), "{name}");
        }
        // A credential in an explicit header counts as a key.
        let header = config("https://ollama.com")
            .header(AUTHORIZATION, http::HeaderValue::from_static("Bearer h"));
        assert!(build_request(&header, &GetBalance).is_ok());
    }

    #[test]
    fn the_refusal_says_what_and_how_to_fix_it() {
        let err = build_request(&config("http://localhost:11434"), &GetBalance).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GET /api/balance is an ollama.com account call: not sent to \
             http://localhost:11434, which is not https://ollama.com (the API key would go \
             elsewhere); use https://ollama.com, or relay_account_calls(true) for a local \
             server that relays it"
        );
        let usage = GetUsage::new().range(UsageRange::Last7Days);
        let err = build_request(&config("https://ollama.com"), &usage).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GET /api/usage is an ollama.com account call and needs an API key \
             (OLLAMA_API_KEY, or the builder's api_key) for https://ollama.com:443"
        );
    }

    #[test]
    fn decisions_go_anywhere_and_check_their_request() {
        let ok = SystemOneRequest::new("nimble", "s").question("q", Question::noul("?"));
        let sent = build_request(&config("http://127.0.0.1:11434"), &ok).unwrap();
        assert_eq!(sent.uri().path(), "/v1/systemone");
        assert_eq!(sent.method(), Method::POST);
        let body: serde_json::Value = serde_json::from_slice(sent.body()).unwrap();
        assert_eq!(body.get("stream"), None);
        let table = [
            (
                SystemOneRequest::new(" ", "s").question("q", Question::noul("?")),
                "invalid request: model must not be empty",
            ),
            (
                SystemOneRequest::new("nimble", "s"),
                "invalid request: a decision needs at least one question",
            ),
        ];
        for (request, message) in table {
            let err = build_request(&RequestConfig::default(), &request).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
    }
}

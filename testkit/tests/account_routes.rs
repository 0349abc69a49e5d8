//! The account and decision routes seen from a raw TCP client: what a typed client cannot send
//! (no key, repeated or unknown parameters, wrong methods, malformed decisions).
#![allow(clippy::unwrap_used)]

mod support;

use support::Client;
use testkit::TestServer;

/// `(method, target, authorization, body)` → `(status, body)`.
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    u16,
    &'static str,
);

#[test]
fn account_and_decision_routes_answer_like_the_server() {
    let table: &[Case] = &[
        (
            "GET",
            "/api/balance",
            None,
            "",
            401,
            r#"{"error":"unauthorized"}"#,
        ),
        (
            "GET",
            "/api/balance",
            Some("Bearer "),
            "",
            401,
            r#"{"error":"unauthorized"}"#,
        ),
        (
            "GET",
            "/api/balance",
            Some("Basic a2V5"),
            "",
            401,
            r#"{"error":"unauthorized"}"#,
        ),
        (
            "POST",
            "/api/balance",
            Some("Bearer k"),
            "",
            405,
            "405 method not allowed",
        ),
        (
            "GET",
            "/api/me",
            Some("Bearer k"),
            "",
            405,
            "405 method not allowed",
        ),
        (
            "GET",
            "/api/usage?range=24h&range=7d",
            Some("Bearer k"),
            "",
            400,
            r#"{"error":"query parameter \"range\" given more than once"}"#,
        ),
        (
            "GET",
            "/api/usage?group=model",
            Some("Bearer k"),
            "",
            400,
            r#"{"error":"unknown query parameter \"group\""}"#,
        ),
        (
            "GET",
            "/api/usage?range=",
            Some("Bearer k"),
            "",
            400,
            r#"{"error":"invalid range \"\": use 24h, 7d or 30d"}"#,
        ),
        (
            "POST",
            "/v1/systemone",
            None,
            "{",
            400,
            r#"{"error":"invalid JSON: EOF"#,
        ),
        (
            "POST",
            "/v1/systemone",
            None,
            r#"{"questions":{"q":{"type":"noul"}}}"#,
            400,
            r#"{"error":"model is required"}"#,
        ),
        (
            "POST",
            "/v1/systemone",
            None,
            r#"{"model":"m","questions":{}}"#,
            400,
            r#"{"error":"questions are required"}"#,
        ),
        (
            "POST",
            "/v1/systemone",
            None,
            r#"{"model":"m","questions":{"q":{"type":"choice","criteria":null}}}"#,
            400,
            r#"{"error":"question \"q\": a choice needs criteria"}"#,
        ),
        (
            "GET",
            "/v1/systemone",
            None,
            "",
            405,
            "405 method not allowed",
        ),
    ];
    let server = TestServer::start();
    for (method, target, authorization, body, status, answer) in table {
        let mut client = Client::connect(&server);
        let mut headers = vec![("Connection", "close")];
        if let Some(value) = authorization {
            headers.push(("Authorization", value));
        }
        client.send(method, target, &headers, body.as_bytes());
        let response = client.read_response(false);
        let what = format!("{method} {target} {authorization:?} {body}");
        assert_eq!(response.status(), *status, "{what}");
        assert!(
            response.text().starts_with(answer),
            "{what}: {}",
            response.text()
        );
    }
}

#[test]
fn usage_echoes_range_and_scope_with_their_granularity() {
    let server = TestServer::start();
    let table = [
        ("/api/usage", "7d", "self", "day"),
        ("/api/usage?range=24h", "24h", "self", "hour"),
        ("/api/usage?scope=team&range=30d", "30d", "team", "day"),
    ];
    for (target, range, scope, granularity) in table {
        let mut client = Client::connect(&server);
        client.send(
            "GET",
            target,
            &[("Authorization", "Bearer k"), ("Connection", "close")],
            b"",
        );
        let response = client.read_response(false);
        assert_eq!(response.status(), 200, "{target}");
        let answer: serde_json::Value = serde_json::from_str(response.text()).unwrap();
        assert_eq!(
            (&answer["range"], &answer["scope"], &answer["granularity"]),
            (&range.into(), &scope.into(), &granularity.into()),
            "{target}"
        );
        assert_eq!(answer["buckets"][2]["partial"], true, "{target}");
    }
}

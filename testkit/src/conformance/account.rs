//! ollama.com account calls (`balance`, `usage`, `me`) and decisions (`systemone`): the bearer
//! key goes only where it is allowed to, the documented shapes decode, the server's 400
//! message and 429 `Retry-After` are handled like any call's.

use ollama_proto::types::{
    GetUsage, PlanKind, Question, SystemOneRequest, SystemOneResponse, UsageRange, UsageScope,
};
use ollama_proto::{AccountCallRefusal, UsageError};

use super::support::*;
use super::*;

/// A client for `server` with `key` that may send account calls to it (a relaying server).
fn relaying<T: Transport>(t: &T, server: &TestServer, key: &str) -> T::Client {
    t.client(config_for(server).api_key(key).relay_account_calls(true))
}

/// Each account call sends `Authorization: Bearer <key>` on its method and path, and decodes
/// the documented answer.
pub fn account_calls_send_the_bearer_key<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = relaying(t, &server, "k-123");

    let balance = t.balance(&client).unwrap();
    let included = balance.included.unwrap();
    assert_eq!(included.plan(), PlanKind::Credits);
    assert_eq!(
        (included.balance_usd, included.allowance_usd),
        (Some(72.5), Some(100.0))
    );
    assert_eq!(balance.purchased.unwrap().balance_usd, Some(25.0));

    let query = GetUsage::new()
        .range(UsageRange::Last24Hours)
        .scope(UsageScope::Team);
    let usage = t.usage(&client, query).unwrap();
    assert_eq!(
        (usage.range, usage.scope),
        (Some(UsageRange::Last24Hours), Some(UsageScope::Team))
    );
    assert_eq!(usage.totals.unwrap().request_count, Some(15));
    let partial: Vec<bool> = usage.buckets.iter().map(|b| b.partial).collect();
    assert_eq!(partial, [false, false, true]);

    let me = t.me(&client).unwrap();
    assert_eq!((me.name.as_str(), me.plan.as_deref()), ("ada", Some("pro")));

    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                r.header("authorization").map(str::to_owned),
            )
        })
        .collect();
    let bearer = Some("Bearer k-123".to_owned());
    assert_eq!(
        sent,
        [
            ("GET".to_owned(), "/api/balance".to_owned(), bearer.clone()),
            (
                "GET".to_owned(),
                "/api/usage?range=24h&scope=team".to_owned(),
                bearer.clone()
            ),
            ("POST".to_owned(), "/api/me".to_owned(), bearer),
        ]
    );
}

/// Without the opt-in, an account call to a host that is not ollama.com is refused before a
/// byte is sent; with it, a redirect elsewhere is reported, never followed.
pub fn account_calls_stay_on_their_host<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).api_key("k-123"));
    let refusals = [
        ("GET /api/balance", t.balance(&client).map(drop)),
        (
            "GET /api/usage",
            t.usage(&client, GetUsage::new()).map(drop),
        ),
        ("POST /api/me", t.me(&client).map(drop)),
    ];
    for (call, result) in refusals {
        match result {
            Err(Failure::Usage(UsageError::AccountCallHost {
                call: got,
                origin,
                reason,
            })) => {
                assert_eq!(got, call);
                assert_eq!(origin, server.url());
                assert_eq!(reason, AccountCallRefusal::NotOllamaCom);
            }
            other => panic!("{call}: expected a refusal, got {other:?}"),
        }
    }
    assert!(server.requests().is_empty(), "an account call was sent");

    let elsewhere = TestServer::start();
    let client = relaying(t, &server, "k-123");
    let location = format!("{}/api/balance", elsewhere.url());
    server.push_reply(Reply::status_empty(307).header("Location", &location));
    let s = status_of(t.balance(&client).unwrap_err());
    assert_eq!(s.status, 307);
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
}

/// Both balance shapes: credits (current plans) and session/weekly windows (legacy plans).
pub fn legacy_and_current_balances<T: Transport>(t: &T) {
    let server = TestServer::start();
    let legacy = t.balance(&relaying(t, &server, "legacy-key")).unwrap();
    let included = legacy.included.unwrap();
    assert_eq!(included.plan(), PlanKind::Windows);
    let session = included.session.unwrap();
    assert_eq!(session.remaining_percent, Some(75.0));
    assert_eq!(session.resets_at.as_deref(), Some("2026-10-01T07:00:00Z"));
    assert_eq!(included.weekly.unwrap().remaining_percent, Some(40.0));
    assert_eq!(included.balance_usd, None);

    let current = t.balance(&relaying(t, &server, "k")).unwrap();
    assert_eq!(current.included.unwrap().plan(), PlanKind::Credits);

    // A shape this client does not know decodes, its fields kept.
    server.push_reply(Reply::body(
        200,
        crate::JSON,
        r#"{"included":{"monthly":{"left":3}},"credits":[]}"#,
    ));
    let unknown = t.balance(&relaying(t, &server, "k")).unwrap();
    assert_eq!(unknown.included.as_ref().unwrap().plan(), PlanKind::Unknown);
    assert_eq!(unknown.extra["credits"], serde_json::json!([]));
}

/// A 400 for a bad query surfaces the server's message; a missing key is the server's 401; a
/// relaying server with cloud off is its 403.
pub fn account_errors_carry_the_servers_message<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = relaying(t, &server, "k");
    let bad = GetUsage::new().range(UsageRange::Other("1y".to_owned()));
    let s = status_of(t.usage(&client, bad).unwrap_err());
    assert_eq!(
        (s.status, s.message.as_str()),
        (400, r#"invalid range "1y": use 24h, 7d or 30d"#)
    );
    let bad = GetUsage::new().scope(UsageScope::Other("org".to_owned()));
    let s = status_of(t.usage(&client, bad).unwrap_err());
    assert_eq!(
        (s.status, s.message.as_str()),
        (400, r#"invalid scope "org": use self or team"#)
    );
    assert_eq!(server.requests()[0].path, "/api/usage?range=1y");

    let keyless = t.client(config_for(&server).relay_account_calls(true));
    let s = status_of(t.balance(&keyless).unwrap_err());
    assert_eq!((s.status, s.message.as_str()), (401, "unauthorized"));

    // A relaying local server with cloud turned off (OLLAMA_NO_CLOUD; upstream PR 17421).
    let off = "ollama cloud is disabled: usage is unavailable";
    server.push_reply(Reply::status_json(403, off));
    let s = status_of(t.usage(&client, GetUsage::new()).unwrap_err());
    assert_eq!((s.status, s.message.as_str()), (403, off));
}

/// The 10-a-minute limit: a 429 with `Retry-After` is retried after that wait (account calls
/// only read, so they are safe to repeat); without retries it is reported with the wait.
pub fn account_rate_limit_honours_retry_after<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(
        config_for(&server)
            .api_key("k")
            .relay_account_calls(true)
            .retry(quick_retries(2)),
    );
    server.push_reply(Reply::status_json(429, "too many requests").retry_after(1));
    let started = Instant::now();
    assert!(t.usage(&client, GetUsage::new()).is_ok());
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    assert_eq!(server.requests().len(), 2);

    server.push_reply(Reply::status_json(429, "too many requests").retry_after(7));
    let s = status_of(t.balance(&relaying(t, &server, "k")).unwrap_err());
    assert_eq!(
        (s.status, s.retry_after),
        (429, Some(Duration::from_secs(7)))
    );
    assert!(s.is_retryable());
}

/// The documented decision: the request goes out as documented (no `stream`), the documented
/// answer comes back typed; other question types get well-formed answers; a bad request is the
/// server's 400.
pub fn systemone_decisions<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let documented: SystemOneRequest =
        serde_json::from_str(crate::DOCUMENTED_DECISION_REQUEST).unwrap();
    let answer = t.systemone(&client, documented).unwrap();
    let want: SystemOneResponse = serde_json::from_str(crate::DOCUMENTED_DECISION_ANSWER).unwrap();
    assert_eq!(answer, want);
    let label = answer.answer("label").unwrap();
    assert_eq!(
        (label.choice.as_deref(), label.probability("bug")),
        (Some("bug"), Some(0.9781))
    );
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/systemone")
    );
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    let want: serde_json::Value = serde_json::from_str(crate::DOCUMENTED_DECISION_REQUEST).unwrap();
    assert_eq!(body, want);

    let request = SystemOneRequest::new("nimble", serde_json::json!({"ticket": 7}))
        .question(
            "urgency",
            Question::score("How urgent?", ["later", "today"]),
        )
        .question("angry", Question::noul("Angry?"));
    let answer = t.systemone(&client, request).unwrap();
    assert_eq!(
        answer.answers.names().collect::<Vec<_>>(),
        ["urgency", "angry"]
    );
    assert_eq!(
        answer.answer("urgency").unwrap().probability("1"),
        Some(0.9)
    );
    assert_eq!(answer.answer("angry").unwrap().noul, Some(0.9));

    let bad = SystemOneRequest::new("nimble", "s").question(
        "x",
        Question::with_criteria("rank".into(), "?", serde_json::json!([])),
    );
    let s = status_of(t.systemone(&client, bad).unwrap_err());
    assert_eq!(
        (s.status, s.message.as_str()),
        (400, r#"question "x": unknown type "rank""#)
    );
}

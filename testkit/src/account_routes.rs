//! ollama.com's account routes, as its documentation describes them: `GET /api/balance`,
//! `GET /api/usage?range=…&scope=…`, `POST /api/me`. Each wants `Authorization: Bearer <key>`
//! (else 401). The answers are the documented examples; a key starting with `legacy` gets the
//! legacy-plan balance (session and weekly windows). Bad, unknown or repeated query parameters
//! are 400 with a message, as ollama.com answers them.

use serde_json::{Value, json};

use crate::http::Request;
use crate::reply::{JSON_UTF8, Reply};

/// The reply for an account route, or `None` for any other path.
pub(crate) fn reply(request: &Request) -> Option<Reply> {
    let path = request.path();
    let method = match path {
        "/api/balance" | "/api/usage" => "GET",
        "/api/me" => "POST",
        _ => return None,
    };
    if request.method != method {
        return Some(Reply::status_text(405, "405 method not allowed"));
    }
    let key = request
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .filter(|key| !key.trim().is_empty());
    let Some(key) = key else {
        return Some(Reply::status_json(401, "unauthorized"));
    };
    let answer = match path {
        "/api/balance" if key.starts_with("legacy") => legacy_balance(),
        "/api/balance" => balance(),
        "/api/usage" => match usage(request.target.split_once('?').map(|(_, q)| q)) {
            Ok(answer) => answer,
            Err(message) => return Some(Reply::status_json(400, &message)),
        },
        _ => me(),
    };
    Some(Reply::body(200, JSON_UTF8, answer.to_string()))
}

fn balance() -> Value {
    json!({
        "included": {"balance_usd": 72.5, "allowance_usd": 100,
            "period": {"from": "2026-09-15T09:30:00Z", "until": "2026-10-15T09:30:00Z"}},
        "purchased": {"balance_usd": 25},
    })
}

fn legacy_balance() -> Value {
    json!({
        "included": {
            "session": {"remaining_percent": 75, "resets_at": "2026-10-01T07:00:00Z"},
            "weekly": {"remaining_percent": 40, "resets_at": "2026-10-05T00:00:00Z"},
        },
        "purchased": {"balance_usd": 25},
    })
}

fn me() -> Value {
    json!({"id": "5f1c8a52-8f0e-4b4e-9b1a-3f2d0c9e7a11", "email": "ada@example.com",
        "name": "ada", "plan": "pro"})
}

/// The documented 24-hour answer with the query's range and scope (defaults `7d`, `self`).
fn usage(query: Option<&str>) -> Result<Value, String> {
    let (mut range, mut scope) = (None, None);
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name {
            "range" => &mut range,
            "scope" => &mut scope,
            other => return Err(format!("unknown query parameter {other:?}")),
        };
        if slot.replace(value).is_some() {
            return Err(format!("query parameter {name:?} given more than once"));
        }
    }
    let range = range.unwrap_or("7d");
    if !["24h", "7d", "30d"].contains(&range) {
        return Err(format!("invalid range {range:?}: use 24h, 7d or 30d"));
    }
    let scope = scope.unwrap_or("self");
    if !["self", "team"].contains(&scope) {
        return Err(format!("invalid scope {scope:?}: use self or team"));
    }
    let granularity = if range == "24h" { "hour" } else { "day" };
    let bucket = |from: &str, until: &str, n: u64, usd: f64, input: u64, cached: u64, out: u64| {
        json!({"from": from, "until": until, "request_count": n, "usage_usd": usd,
            "input_tokens": input, "cached_input_tokens": cached, "output_tokens": out})
    };
    let mut last = bucket(
        "2026-10-01T02:00:00Z",
        "2026-10-01T02:30:00Z",
        3,
        0.00318,
        18000,
        6000,
        2400,
    );
    last["partial"] = json!(true);
    Ok(json!({
        "range": range, "scope": scope, "granularity": granularity,
        "from": "2026-09-30T02:00:00Z", "until": "2026-10-01T02:30:00Z",
        "totals": {"request_count": 15, "usage_usd": 0.01718, "input_tokens": 106000,
            "cached_input_tokens": 46000, "output_tokens": 13600},
        "buckets": [
            bucket("2026-09-30T12:00:00Z", "2026-09-30T13:00:00Z", 4, 0.0052, 24000, 0, 3200),
            bucket("2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z", 8, 0.0088, 64000, 40000, 8000),
            last,
        ],
    }))
}

//! The documented examples (docs.ollama.com `api/balance`, `api/cloud-usage`), the older usage
//! shape (PR 17421 and third-party reports) and Go's `UserResponse`, decoded and round-tripped.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::*;

/// Decodes `text`, checks that encoding and decoding again gives the same value, and that the
/// encoding means the same JSON as `text` (numbers compared by value).
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(text: &str) -> T {
    let value: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let encoded = serde_json::to_string(&value).unwrap();
    let again: T = serde_json::from_str(&encoded).unwrap();
    assert_eq!(again, value, "{encoded}");
    assert_eq!(
        as_floats(serde_json::from_str(&encoded).unwrap()),
        as_floats(serde_json::from_str(text).unwrap()),
        "{encoded}"
    );
    value
}

/// Every number as a float, so that `100` and `100.0` compare equal.
fn as_floats(value: Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map_or(Value::Null, |f| json!(f)),
        Value::Array(items) => Value::Array(items.into_iter().map(as_floats).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, as_floats(v))).collect())
        }
        other => other,
    }
}

const BALANCE_CURRENT: &str = r#"{
  "included": {
    "balance_usd": 72.5,
    "allowance_usd": 100,
    "period": {"from": "2026-09-15T09:30:00Z", "until": "2026-10-15T09:30:00Z"}
  },
  "purchased": {"balance_usd": 25}
}"#;

const BALANCE_LEGACY: &str = r#"{
  "included": {
    "session": {"remaining_percent": 75, "resets_at": "2026-10-01T07:00:00Z"},
    "weekly": {"remaining_percent": 40, "resets_at": "2026-10-05T00:00:00Z"}
  },
  "purchased": {"balance_usd": 25}
}"#;

#[test]
fn documented_balances_decode_in_both_shapes() {
    let current: BalanceResponse = round_trip(BALANCE_CURRENT);
    let included = current.included.as_ref().unwrap();
    assert_eq!(included.plan(), PlanKind::Credits);
    assert_eq!(
        (included.balance_usd, included.allowance_usd),
        (Some(72.5), Some(100.0))
    );
    let period = included.period.as_ref().unwrap();
    assert_eq!(period.from.as_deref(), Some("2026-09-15T09:30:00Z"));
    assert_eq!(period.until.as_deref(), Some("2026-10-15T09:30:00Z"));
    assert_eq!(current.purchased.unwrap().balance_usd, Some(25.0));

    let legacy: BalanceResponse = round_trip(BALANCE_LEGACY);
    let included = legacy.included.unwrap();
    assert_eq!(included.plan(), PlanKind::Windows);
    let (session, weekly) = (included.session.unwrap(), included.weekly.unwrap());
    assert_eq!(session.remaining_percent, Some(75.0));
    assert_eq!(session.resets_at.as_deref(), Some("2026-10-01T07:00:00Z"));
    assert_eq!(weekly.remaining_percent, Some(40.0));
    assert_eq!(included.balance_usd, None);
}

#[test]
fn unknown_balance_fields_and_shapes_are_kept() {
    let table: &[(&str, PlanKind)] = &[
        (r#"{}"#, PlanKind::Unknown),
        (r#"{"included":{}}"#, PlanKind::Unknown),
        (
            r#"{"included":{"monthly":{"remaining_percent":5}}}"#,
            PlanKind::Unknown,
        ),
        (
            r#"{"included":{"balance_usd":0,"currency":"EUR"},"team":true}"#,
            PlanKind::Credits,
        ),
        (
            r#"{"included":{"weekly":{"remaining_percent":0.5,"next":1}}}"#,
            PlanKind::Windows,
        ),
    ];
    for (text, plan) in table {
        let balance: BalanceResponse = round_trip(text);
        let got = balance
            .included
            .as_ref()
            .map_or(PlanKind::Unknown, IncludedBalance::plan);
        assert_eq!(got, *plan, "{text}");
    }
    let balance: BalanceResponse =
        serde_json::from_str(r#"{"included":{"balance_usd":1,"currency":"EUR"},"team":true}"#)
            .unwrap();
    assert_eq!(balance.extra["team"], json!(true));
    assert_eq!(balance.included.unwrap().extra["currency"], json!("EUR"));
}

/// docs.ollama.com `api/cloud-usage`, its three shown buckets.
const USAGE_DOCUMENTED: &str = r#"{
  "range": "24h",
  "scope": "self",
  "granularity": "hour",
  "from": "2026-09-30T02:00:00Z",
  "until": "2026-10-01T02:30:00Z",
  "totals": {"request_count": 15, "usage_usd": 0.01718, "input_tokens": 106000,
             "cached_input_tokens": 46000, "output_tokens": 13600},
  "buckets": [
    {"from": "2026-09-30T12:00:00Z", "until": "2026-09-30T13:00:00Z", "request_count": 4,
     "usage_usd": 0.0052, "input_tokens": 24000, "cached_input_tokens": 0, "output_tokens": 3200},
    {"from": "2026-10-01T00:00:00Z", "until": "2026-10-01T01:00:00Z", "request_count": 8,
     "usage_usd": 0.0088, "input_tokens": 64000, "cached_input_tokens": 40000, "output_tokens": 8000},
    {"from": "2026-10-01T02:00:00Z", "until": "2026-10-01T02:30:00Z", "partial": true,
     "request_count": 3, "usage_usd": 0.00318, "input_tokens": 18000,
     "cached_input_tokens": 6000, "output_tokens": 2400}
  ]
}"#;

#[test]
fn documented_usage_decodes() {
    let usage: UsageResponse = round_trip(USAGE_DOCUMENTED);
    assert_eq!(usage.range, Some(UsageRange::Last24Hours));
    assert_eq!(usage.scope, Some(UsageScope::Personal));
    assert_eq!(usage.granularity.as_deref(), Some("hour"));
    let totals = usage.totals.as_ref().unwrap();
    assert_eq!(totals.request_count, Some(15));
    assert_eq!(totals.usage_usd, Some(0.01718));
    assert_eq!(
        (
            totals.input_tokens,
            totals.cached_input_tokens,
            totals.output_tokens
        ),
        (Some(106_000), Some(46_000), Some(13_600))
    );
    let partial: Vec<bool> = usage.buckets.iter().map(|b| b.partial).collect();
    assert_eq!(partial, [false, false, true]);
    assert_eq!(usage.buckets[1].counts.request_count, Some(8));
    assert_eq!(
        usage.buckets[2].until.as_deref(),
        Some("2026-10-01T02:30:00Z")
    );
    assert_eq!((usage.activity, usage.limits), (None, None));
}

#[test]
fn legacy_plan_usage_has_counts_only() {
    let text = r#"{"range":"7d","scope":"team","granularity":"day","totals":{"request_count":2},
        "buckets":[{"from":"a","until":"b","request_count":2},{"from":"b","until":"c","partial":true,"request_count":0}]}"#;
    let usage: UsageResponse = round_trip(text);
    assert_eq!(usage.scope, Some(UsageScope::Team));
    let totals = usage.totals.unwrap();
    assert_eq!(
        (totals.request_count, totals.usage_usd, totals.input_tokens),
        (Some(2), None, None)
    );
    assert_eq!(usage.buckets.len(), 2);
}

#[test]
fn older_usage_shape_decodes_leniently() {
    let table = [
        // Third-party captures of ollama.com before the documented shape (models as a list).
        r#"{"activity":{"cost":"0.00000","period":{"type":"last_4_weeks","starting_at":"2026-07-01T00:00:00Z","ending_at":"2026-07-29T00:00:00Z"},"models":[]},
            "limits":{"session":{"usage":0.046,"models":[{"name":"m","request_count":3}]},"weekly":{"usage":0.051,"models":[]}}}"#,
        // … and as an object, with a `monthly` window and a free plan's absent usage.
        r#"{"limits":{"monthly":{"models":{"m":{"request_count":2}}}},"activity":{}}"#,
    ];
    for text in table {
        let usage: UsageResponse = round_trip(text);
        assert!(usage.activity.is_some(), "{text}");
        assert!(usage.range.is_none() && usage.buckets.is_empty(), "{text}");
    }
    let usage: UsageResponse = serde_json::from_str(table[0]).unwrap();
    let limits = usage.limits.unwrap();
    assert_eq!(limits.names().collect::<Vec<_>>(), ["session", "weekly"]);
    assert_eq!(limits.get("session").unwrap().usage, Some(0.046));
    assert_eq!(usage.activity.unwrap()["cost"], json!("0.00000"));
    let monthly: UsageResponse = serde_json::from_str(table[1]).unwrap();
    assert_eq!(monthly.limits.unwrap().get("monthly").unwrap().usage, None);
}

#[test]
fn ranges_and_scopes_are_open() {
    let table: &[(&str, UsageRange)] = &[
        ("24h", UsageRange::Last24Hours),
        ("7d", UsageRange::Last7Days),
        ("30d", UsageRange::Last30Days),
        ("90d", UsageRange::Other("90d".to_owned())),
        ("", UsageRange::Other(String::new())),
    ];
    for (wire, range) in table {
        assert_eq!(UsageRange::from(*wire), *range);
        assert_eq!(range.as_str(), *wire);
        assert_eq!(serde_json::to_value(range).unwrap(), json!(wire));
        assert_eq!(
            serde_json::from_value::<UsageRange>(json!(wire)).unwrap(),
            *range
        );
    }
    assert_eq!(UsageScope::from("self"), UsageScope::Personal);
    assert_eq!(UsageScope::from("org"), UsageScope::Other("org".to_owned()));
    assert_eq!(UsageScope::Team.to_string(), "team");
    // A range of another JSON type is a decode error, not a silent default.
    assert!(serde_json::from_str::<UsageResponse>(r#"{"range":24}"#).is_err());
}

#[test]
fn users_decode_as_go_sends_them() {
    let table = [
        r#"{"id":"5f1c8a52-8f0e-4b4e-9b1a-3f2d0c9e7a11","email":"ada@example.com","name":"ada","plan":"pro"}"#,
        r#"{"id":"00000000-0000-0000-0000-000000000000","email":"","name":"bo","bio":"hi","avatarurl":"https://ollama.com/a.png","firstname":"Bo","lastname":"B","plan":"free","org":"x"}"#,
    ];
    let ada: UserResponse = round_trip(table[0]);
    assert_eq!(
        (ada.name.as_str(), ada.plan.as_deref()),
        ("ada", Some("pro"))
    );
    let bo: UserResponse = round_trip(table[1]);
    assert_eq!(bo.firstname.as_deref(), Some("Bo"));
    assert_eq!(bo.extra["org"], json!("x"));
    let empty: UserResponse = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, UserResponse::default());
}

//! ollama.com account calls: `GET /api/balance`, `GET /api/usage`, `POST /api/me`.
//!
//! These read the account behind an API key, so they are **ollama.com calls**:
//! [`build_request`](crate::request::build_request) refuses them unless the base URL is
//! `https://ollama.com` (where the key is meant to go) or the configuration opts in with
//! [`RequestConfig::relay_account_calls`](crate::request::RequestConfig::relay_account_calls)
//! for a local server that relays them (the error is
//! [`UsageError::AccountCallHost`](crate::UsageError::AccountCallHost)).
//!
//! What is known and how sure it is (see each type):
//! - `/api/balance` and `/api/usage` are documented on docs.ollama.com (bearer key; 10 requests
//!   a minute per user, then 429 with `Retry-After`, which the retry policy honours; bad or
//!   repeated query parameters are 400 with the server's message). Two balance shapes exist:
//!   current plans report credits in USD, plans from before the 2026-08-31 pricing change
//!   report session and weekly windows ([`IncludedBalance::plan`] tells them apart).
//! - An older `/api/usage` shape (`activity`, `limits.session` / `limits.weekly` as 0–1
//!   fractions) is what ollama.com sent before the documented one and what open upstream
//!   PR 17421 relays from a local server; it decodes into [`UsageResponse::activity`] and
//!   [`UsageResponse::limits`].
//! - `POST /api/me` is not documented: it is the Go client's `Whoami` (released) and a route of
//!   the local server, which asks ollama.com with its own signed-in key. Typed from Go's
//!   `UserResponse`.
//!
//! Every answer type keeps fields it does not know in `extra`, so a newer server never fails
//! the decode and a round trip keeps what was sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::named::Named;

/// `GET /api/balance`: the included and purchased credit left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetBalance;

/// `GET /api/usage?range=…&scope=…`: request counts, cost and tokens over a range. Unset
/// parameters are left out (ollama.com's defaults: `7d`, `self`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetUsage {
    /// `range`: how far back.
    pub range: Option<UsageRange>,
    /// `scope`: the key's user or the whole team (team admins).
    pub scope: Option<UsageScope>,
}

impl GetUsage {
    /// The server's defaults (no query parameters).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `range`.
    pub fn range(mut self, range: UsageRange) -> Self {
        self.range = Some(range);
        self
    }

    /// Sets `scope`.
    pub fn scope(mut self, scope: UsageScope) -> Self {
        self.scope = Some(scope);
        self
    }
}

/// `POST /api/me`: the account behind the key (undocumented; see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetMe;

/// Defines an enum of known wire strings with an `Other` escape for any string a newer server
/// (or a caller) uses.
macro_rules! open_string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// Any other value, sent and received as written.
            Other(String),
        }

        impl $name {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            /// A known value, else [`Other`](Self::Other).
            fn from(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'_, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(&*s))
            }
        }
    };
}
pub(crate) use open_string_enum;

open_string_enum!(
    /// The `range` of a usage query (and of its answer).
    UsageRange {
        /// `24h`: hourly buckets from the start of the hour 24 hours ago.
        Last24Hours = "24h",
        /// `7d`: daily buckets from 00:00 UTC seven days ago (the server's default).
        Last7Days = "7d",
        /// `30d`: daily buckets from 00:00 UTC thirty days ago.
        Last30Days = "30d",
    }
);

open_string_enum!(
    /// The `scope` of a usage query (and of its answer).
    UsageScope {
        /// `self`: the key's own user (the server's default).
        Personal = "self",
        /// `team`: the whole team (team admins only).
        Team = "team",
    }
);

/// Fields a type does not know, kept as sent.
pub type Extra = Map<String, Value>;

/// `GET /api/balance`'s answer. Both parts are optional: a server may leave one out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BalanceResponse {
    /// What the plan includes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included: Option<IncludedBalance>,
    /// Credits bought on top (only those not expired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchased: Option<PurchasedBalance>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The plan's included balance, in one of two shapes: credits in USD (current plans) or
/// session and weekly windows (plans from before the 2026-08-31 pricing change). Every field
/// is optional, so either shape (or a mix a newer server sends) decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncludedBalance {
    /// Current plans: what is left of the allowance this period, in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_usd: Option<f64>,
    /// Current plans: the allowance per period, in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowance_usd: Option<f64>,
    /// Current plans: the billing period (monthly, UTC, `from` inclusive, `until` exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Legacy plans: the session window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<LimitWindow>,
    /// Legacy plans: the weekly window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly: Option<LimitWindow>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Which shape an [`IncludedBalance`] has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanKind {
    /// Credits in USD (`balance_usd`, `allowance_usd`, `period`).
    Credits,
    /// Session and weekly windows with a remaining percentage (legacy plans).
    Windows,
    /// Neither: a shape this client does not know (see `extra`).
    Unknown,
}

impl IncludedBalance {
    /// Which shape this balance has: credits if any credit field is set, else windows if a
    /// window is set.
    pub fn plan(&self) -> PlanKind {
        if self.balance_usd.is_some() || self.allowance_usd.is_some() || self.period.is_some() {
            PlanKind::Credits
        } else if self.session.is_some() || self.weekly.is_some() {
            PlanKind::Windows
        } else {
            PlanKind::Unknown
        }
    }
}

/// A time span; both ends are RFC 3339 timestamps in UTC, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Period {
    /// The start (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The end (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A legacy plan's usage window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LimitWindow {
    /// What is left, 0–100 (75 means three quarters left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_percent: Option<f64>,
    /// When the window resets (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Purchased credits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PurchasedBalance {
    /// What is left, in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_usd: Option<f64>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /api/usage`'s answer: the documented shape (`range` … `buckets`) or the older one
/// (`activity`, `limits`); whatever is absent stays `None` or empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageResponse {
    /// The range the answer covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<UsageRange>,
    /// Whose usage it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<UsageScope>,
    /// The bucket size the server chose (`hour` for `24h`, `day` otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
    /// The start of the range (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The end of the range: the time of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Sums over the whole range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<UsageCounts>,
    /// The range cut by `granularity`, oldest first, empty ones included; the last is
    /// [`partial`](UsageBucket::partial).
    #[serde(
        default,
        deserialize_with = "super::models::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub buckets: Vec<UsageBucket>,
    /// Older shape: the cost over a period (`cost` is a decimal string there), kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<Value>,
    /// Older shape: usage windows by name (`session`, `weekly`, later `monthly`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Named<LegacyLimit>>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Counts of a range or a bucket. Legacy plans report `request_count` only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageCounts {
    /// Requests made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_count: Option<u64>,
    /// What they cost, in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_usd: Option<f64>,
    /// Input tokens, cached ones included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Input tokens served from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_tokens: Option<u64>,
    /// Output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One bucket of a usage answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageBucket {
    /// The start (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The end (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The bucket's time is not over yet (its counts may still be complete so far).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Its counts.
    #[serde(flatten)]
    pub counts: UsageCounts,
}

/// A usage window of the older `/api/usage` shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LegacyLimit {
    /// The share used, 0–1 (`None`: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<f64>,
    /// Requests per model, as sent (a list or an object, depending on the server's age).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Value>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/me`'s answer (Go's `UserResponse`). The local server fills an empty `plan` with
/// `free`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserResponse {
    /// The account id (a UUID).
    #[serde(default)]
    pub id: String,
    /// The e-mail address.
    #[serde(default)]
    pub email: String,
    /// The user name.
    #[serde(default)]
    pub name: String,
    /// The profile text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// The avatar's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatarurl: Option<String>,
    /// The first name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstname: Option<String>,
    /// The last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastname: Option<String>,
    /// The plan (`free`, `pro`, `max`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
#[path = "account_tests.rs"]
mod tests;

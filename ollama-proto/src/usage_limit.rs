//! Spent cloud quotas: a 429 (or 402) whose message says a usage limit is used up is not
//! throttling, and waiting a few seconds does not fix it.
//!
//! ollama.com (and a local server relaying a cloud model, which copies the status and headers)
//! answers a spent session or weekly quota with a 429 and a message such as
//! `you (NAME) have reached your session usage limit, upgrade for higher limits: …` (variants
//! add `… or add extra usage: … (ref: …)` or say `please wait or upgrade to continue`). A plain
//! rate limit is also a 429 (`rate limit exceeded`, often with `Retry-After`) and *is* worth
//! another attempt. [`classify`] tells them apart from the message alone, leniently (case,
//! punctuation and the wording around the two words `usage limit` may change); the
//! [`Exchange`](crate::exchange::Exchange) reads a 429's body before it decides to retry and
//! never retries a spent quota: the call fails with
//! [`Error::UsageLimit`](crate::Error::UsageLimit) after one request.
//!
//! These texts are not documented by upstream (they come from third-party reports, see the
//! crate's README): the match is deliberately loose, and anything it does not recognise stays
//! an ordinary [`StatusError`].
//!
//! ```
//! use ollama_proto::usage_limit::{UsageLimit, classify};
//!
//! let text = "you (ada) have reached your weekly usage limit, upgrade for higher limits: \
//!             https://ollama.com/upgrade";
//! assert_eq!(classify(text).map(|q| q.limit), Some(UsageLimit::Weekly));
//! assert_eq!(classify("rate limit exceeded"), None);
//! ```

use std::fmt;

use crate::error::StatusError;

/// Which usage limit is spent, as the server's message names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UsageLimit {
    /// The session limit (a window of a few hours on ollama.com).
    Session,
    /// An hourly limit.
    Hourly,
    /// A daily limit.
    Daily,
    /// The weekly limit.
    Weekly,
    /// A monthly limit.
    Monthly,
    /// The message names no limit this crate knows (`you have reached your usage limit`).
    Unspecified,
}

impl UsageLimit {
    /// The lowercase name (`session`, `hourly`, `daily`, `weekly`, `monthly`, `unspecified`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Hourly => "hourly",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::Unspecified => "unspecified",
        }
    }

    fn from_word(word: &str) -> Self {
        match word {
            "session" => Self::Session,
            "hourly" | "hour" => Self::Hourly,
            "daily" | "day" => Self::Daily,
            "weekly" | "week" => Self::Weekly,
            "monthly" | "month" => Self::Monthly,
            _ => Self::Unspecified,
        }
    }
}

impl fmt::Display for UsageLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What [`classify`] read from a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quota {
    /// Which limit.
    pub limit: UsageLimit,
    /// When it resets, as the message words it (`at 2026-12-07T00:00:00Z`, `in 3 hours`), when
    /// it says so; ollama.com's current messages do not.
    pub resets: Option<String>,
}

/// A spent usage quota: the server refused the call until the limit resets or the plan
/// changes. Never retried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsageLimitError {
    /// Which limit is spent.
    pub limit: UsageLimit,
    /// When it resets, as the message words it, when it says so (see [`Quota::resets`]). A
    /// `Retry-After` header, when sent, is in [`StatusError::retry_after`].
    pub resets: Option<String>,
    /// The response: status (429, or 402), the server's whole message, `Retry-After`.
    pub status: StatusError,
}

impl fmt::Display for UsageLimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limit {
            UsageLimit::Unspecified => f.write_str("cloud usage limit reached")?,
            ref limit => write!(f, "cloud {limit} usage limit reached")?,
        }
        if let Some(resets) = &self.resets {
            write!(f, " (resets {resets})")?;
        }
        write!(f, "; not retried: {}", self.status)
    }
}

impl std::error::Error for UsageLimitError {}

/// Words that say a limit is used up.
const SPENT: [&str; 5] = ["reached", "exceeded", "exhausted", "hit", "used up"];

/// Words that, anywhere in the message, say it is only a warning.
const NOT_YET: [&str; 6] = [
    "approaching",
    "close to",
    "nearly",
    "almost",
    "will reach",
    "about to",
];

/// Longest reset text kept, in characters.
const MAX_RESET_CHARS: usize = 64;

/// Reads a spent quota out of an error message, or `None` for any other message.
///
/// Case-insensitive; `_` and `-` count as spaces and runs of spaces as one. A message is a
/// spent quota when it says `usage limit` (or `usage quota`) and one of `reached`, `exceeded`,
/// `exhausted`, `hit`, `used up` (as words), and does not say it is only approaching it. The
/// word right before `usage limit` names the limit (`session`, `weekly`…); a `resets …` or
/// `reset at …` phrase is kept as the reset time.
pub fn classify(message: &str) -> Option<Quota> {
    let text = normalise(message);
    let at = ["usage limit", "usage quota"]
        .iter()
        .filter_map(|needle| text.find(needle))
        .min()?;
    if !SPENT.iter().any(|w| contains_word(&text, w)) || NOT_YET.iter().any(|w| text.contains(w)) {
        return None;
    }
    let limit = text[..at]
        .split_whitespace()
        .next_back()
        .map_or(UsageLimit::Unspecified, UsageLimit::from_word);
    Some(Quota {
        limit,
        resets: reset_phrase(message),
    })
}

/// Lowercase, with `_`/`-` as spaces and whitespace runs collapsed (ASCII case only: the
/// phrases looked for are ASCII).
fn normalise(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut space = false;
    for c in message.chars() {
        let c = match c {
            '_' | '-' => ' ',
            c => c.to_ascii_lowercase(),
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// `word` in `text` with no letter right before or after it.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The words after `resets` / `reset at` / `reset in` in `message` (as written there), up to
/// the next `,`, `;`, `(`, `)`, or a `.` that ends a sentence.
fn reset_phrase(message: &str) -> Option<String> {
    // ASCII lowercasing keeps every byte where it was, so indices carry over to `message`.
    let lower = message.to_ascii_lowercase();
    let start = ["resets ", "reset at ", "reset in ", "reset on "]
        .iter()
        .filter_map(|k| lower.find(k).map(|i| (i, *k)))
        .min_by_key(|&(i, _)| i)
        .map(|(i, k)| {
            // `resets at x` and `reset at x` both keep `at x`.
            if k.starts_with("resets") {
                i + k.len()
            } else {
                i + "reset ".len()
            }
        })?;
    let rest = &message[start..];
    let end = rest
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, ',' | ';' | ')' | '(')
                || (c == '.' && rest[i + 1..].chars().next().is_none_or(char::is_whitespace))
        })
        .map_or(rest.len(), |(i, _)| i);
    let phrase: String = rest[..end].trim().chars().take(MAX_RESET_CHARS).collect();
    (!phrase.is_empty()).then_some(phrase)
}

/// The typed error for a status whose message is a spent quota: 429 (ollama.com, and a local
/// server relaying it) or 402 (Payment Required).
pub(crate) fn from_status(status: &StatusError) -> Option<UsageLimitError> {
    if !matches!(status.status, 429 | 402) {
        return None;
    }
    let quota = classify(&status.message)?;
    Some(UsageLimitError {
        limit: quota.limit,
        resets: quota.resets,
        status: status.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_texts_and_near_misses() {
        use UsageLimit::*;
        // (message, limit, reset) — real texts first (ollama.com via continuedev/continue,
        // Anantys-oss/koan, HomericIntelligence/Scylla, diegosouzapw/OmniRoute reports), then
        // plausible rewordings.
        let spent: &[(&str, UsageLimit, Option<&str>)] = &[
            (
                "you (ae2055838) have reached your session usage limit, upgrade for higher \
                 limits: https://ollama.com/upgrade",
                Session,
                None,
            ),
            (
                "you (ada) have reached your weekly usage limit, upgrade for higher limits: \
                 https://ollama.com/upgrade",
                Weekly,
                None,
            ),
            (
                "you (atoomic) have reached your session usage limit, upgrade for higher \
                 limits: https://ollama.com/upgrade or add extra usage: \
                 https://ollama.com/settings (ref: 5d0fb402-680e-49fb-a261-4de5249a0bda)",
                Session,
                None,
            ),
            (
                "you (keshavpandey462) have reached your session usage limit, please wait or \
                 upgrade to continue",
                Session,
                None,
            ),
            (
                "you've reached your weekly usage limit, please wait or upgrade to continue",
                Weekly,
                None,
            ),
            (
                "you've reached your hourly usage limit, please wait or upgrade to continue",
                Hourly,
                None,
            ),
            (
                "429 Too Many Requests: you've reached your weekly usage limit, please wait or \
                 upgrade to continue",
                Weekly,
                None,
            ),
            ("YOU HAVE REACHED YOUR WEEKLY USAGE LIMIT", Weekly, None),
            ("You've reached your Monthly  usage-limit.", Monthly, None),
            ("you have reached your usage limit", Unspecified, None),
            ("daily_usage_limit exceeded", Daily, None),
            (
                "you have reached your session usage limit; it resets at \
                 2026-12-07T00:00:00Z, upgrade for higher limits",
                Session,
                Some("at 2026-12-07T00:00:00Z"),
            ),
            (
                "Weekly usage limit reached. Resets on Monday.",
                Weekly,
                Some("on Monday"),
            ),
            (
                "You have exhausted your weekly usage quota (resets in 3 days)",
                Weekly,
                Some("in 3 days"),
            ),
        ];
        for &(text, ref limit, resets) in spent {
            let got = classify(text).unwrap_or_else(|| panic!("not a quota: {text:?}"));
            assert_eq!(&got.limit, limit, "{text:?}");
            assert_eq!(got.resets.as_deref(), resets, "{text:?}");
        }
        for text in [
            "rate limit exceeded",
            "Too Many Requests",
            "server busy, please try again. maximum pending requests exceeded",
            "you are approaching your weekly usage limit",
            "you have used 90% of your session usage limit",
            "nearly reached your weekly usage limit",
            "usage limit reset", // no spent word
            "your usage limits: https://ollama.com/settings",
            "you have reached the maximum context length",
            "preached about weekly usage limits", // `reached` inside another word
            "",
        ] {
            assert_eq!(classify(text), None, "{text:?}");
        }
    }

    #[test]
    fn only_429_and_402_are_quotas() {
        let status = |code| StatusError {
            status: code,
            message: "you've reached your weekly usage limit, please wait or upgrade to continue"
                .to_owned(),
            signin_url: None,
            body: crate::BodyKind::Json,
            retry_after: None,
        };
        assert_eq!(
            from_status(&status(429)).map(|e| e.limit),
            Some(UsageLimit::Weekly)
        );
        assert_eq!(
            from_status(&status(402)).map(|e| e.limit),
            Some(UsageLimit::Weekly)
        );
        assert_eq!(from_status(&status(500)), None);
        assert_eq!(from_status(&status(503)), None);
        let e = from_status(&status(429)).unwrap();
        assert_eq!(
            e.to_string(),
            "cloud weekly usage limit reached; not retried: HTTP 429 Too Many Requests: \
             you've reached your weekly usage limit, please wait or upgrade to continue"
        );
    }

    #[test]
    fn any_bytes_never_panic() {
        for text in [
            "reached usage limit resets",
            "reached usage limit resets ",
            "reached ünïcödé usage limit resets at é.",
            "hit usage quota reset at",
            "reached usage limit resets.",
            "\u{0}reached\u{0}usage limit",
        ] {
            let _ = classify(text);
        }
    }
}

//! Opt-in retry decisions, made here so every transport retries the same way.
//!
//! A call is retried only when (a) the caller enabled retries, (b) the call is safe to repeat,
//! and (c) it failed before any response byte arrived, or the server answered 429, 502 or 503
//! (overloaded, queue full, cloud rate limit). A stream that has started is never retried: the
//! caller has already seen part of it. A 429 whose message says a cloud usage quota is spent is
//! not a rate limit and is never retried: the [`Exchange`](crate::exchange::Exchange) reads a
//! 429's body and asks [`usage_limit`](crate::usage_limit) before it waits.

use std::time::{Duration, SystemTime};

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// No response byte arrived: connect refused or reset, connection closed before the head.
    BeforeResponse,
    /// The server answered with this status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The wait the response's `Retry-After` asked for, when it was readable (the exchange
        /// measures an HTTP-date form from the response's own `Date`).
        retry_after: Option<Duration>,
    },
}

/// 429 (rate limited), 502 and 503 (overloaded, queue full): the statuses another attempt may
/// fix. Every other status is the server's answer.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503)
}

/// Retry settings. [`RetryPolicy::default`] never retries (retries are opt-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each later one.
    pub initial_backoff: Duration,
    /// Longest wait between attempts, also the cap on a server's `Retry-After`.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::never()
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn never() -> Self {
        Self {
            max_retries: 0,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
        }
    }

    /// Up to `max_retries` retries with exponential backoff from 250 ms, capped at 30 s.
    pub fn retries(max_retries: u32) -> Self {
        Self {
            max_retries,
            ..Self::never()
        }
    }

    /// Sets the first backoff.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Sets the longest wait.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// How long to wait before retry number `retry` (1-based), or `None` to give up.
    ///
    /// `safe_to_repeat` says whether the call may run twice (see
    /// [`Endpoint::safe_to_repeat`](crate::Endpoint::safe_to_repeat)). A server's
    /// `Retry-After` replaces the backoff, capped at `max_backoff`.
    pub fn next_delay(
        &self,
        retry: u32,
        safe_to_repeat: bool,
        failure: Failure,
    ) -> Option<Duration> {
        if retry == 0 || retry > self.max_retries || !safe_to_repeat {
            return None;
        }
        // 2^(retry-1), saturating: from retry 33 on the factor stays at u32::MAX and the
        // product at the cap, whatever the initial backoff.
        let factor = 1u32.checked_shl(retry - 1).unwrap_or(u32::MAX);
        let backoff = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        match failure {
            Failure::BeforeResponse => Some(backoff),
            Failure::Status {
                status,
                retry_after,
            } if is_retryable_status(status) => {
                Some(retry_after.map_or(backoff, |d| d.min(self.max_backoff)))
            }
            Failure::Status { .. } => None,
        }
    }
}

/// Parses a `Retry-After` value: delay-seconds, or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) relative to `now`. Past dates give zero.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_imf_fixdate(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an HTTP date in the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`), such as a
/// response's `Date` header.
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    parse_imf_fixdate(s.trim())
}

fn parse_imf_fixdate(s: &str) -> Option<SystemTime> {
    // "Sun, 06 Nov 1994 08:49:37 GMT": RFC 9110 gives every field a fixed number of digits
    // (`day = 2DIGIT`, `year = 4DIGIT`), so no value read here can overflow what follows.
    let rest = s.split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day = fixed_digits(parts.next()?, 2)?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = fixed_digits(parts.next()?, 4)?;
    let mut hms = parts.next()?.split(':').map(|p| fixed_digits(p, 2));
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some()
        || parts.next()? != "GMT"
        || parts.next().is_some()
        || !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || sec > 60
    {
        return None;
    }
    let days = u64::try_from(days_from_civil(year, month, day)?).ok()?;
    let secs = days
        .checked_mul(86_400)?
        .checked_add(h * 3600 + m * 60 + sec)?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Exactly `n` ASCII digits (no sign, no space), as a number; `n` is at most 4 here.
fn fixed_digits(s: &str, n: usize) -> Option<u64> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (checked: `None` on overflow).
fn days_from_civil(y: u64, m: u64, d: u64) -> Option<i64> {
    let (y, m, d) = (
        i64::try_from(y).ok()?,
        i64::try_from(m).ok()?,
        i64::try_from(d).ok()?,
    );
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y.div_euclid(400);
    let yoe = y.checked_sub(era.checked_mul(400)?)?;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?
        .checked_add(doe)?
        .checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn never_by_default() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delay(1, true, Failure::BeforeResponse), None);
    }

    #[test]
    fn exponential_backoff_capped() {
        let p = RetryPolicy::retries(20).max_backoff(Duration::from_secs(2));
        let d: Vec<_> = (1..=5)
            .map(|n| p.next_delay(n, true, Failure::BeforeResponse).unwrap())
            .collect();
        assert_eq!(
            d,
            [250, 500, 1000, 2000, 2000]
                .map(Duration::from_millis)
                .to_vec()
        );
        assert_eq!(p.next_delay(21, true, Failure::BeforeResponse), None);
        assert!(p.next_delay(20, true, Failure::BeforeResponse).is_some());
    }

    #[test]
    fn backoff_saturates_at_any_retry_number() {
        let p = RetryPolicy::retries(u32::MAX)
            .initial_backoff(Duration::from_secs(u64::MAX / 2))
            .max_backoff(Duration::from_secs(9));
        for n in [1, 2, 31, 32, 33, 34, 64, 65, u32::MAX] {
            assert_eq!(
                p.next_delay(n, true, Failure::BeforeResponse),
                Some(Duration::from_secs(9)),
                "retry {n}"
            );
        }
        let p = RetryPolicy::retries(u32::MAX).max_backoff(Duration::MAX);
        let delay = |n| p.next_delay(n, true, Failure::BeforeResponse);
        assert_eq!(delay(32), Some(Duration::from_millis(250 << 31)));
        assert_eq!(
            delay(33),
            Some(Duration::from_millis(250 * u64::from(u32::MAX)))
        );
        assert_eq!(
            delay(u32::MAX),
            Some(Duration::from_millis(250 * u64::from(u32::MAX)))
        );
    }

    #[test]
    fn dates_at_the_edges() {
        assert_eq!(
            parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(at(0))
        );
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(at(253_402_300_799))
        );
        // Before the epoch: not representable as an offset from it here.
        assert_eq!(parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT"), None);
        assert_eq!(parse_http_date("Sat, 01 Jan 0000 00:00:00 GMT"), None);
        let hostile = "Sun, 06 Nov 1000000000000000 08:49:37 GMT";
        assert_eq!(parse_http_date(hostile), None);
        assert_eq!(parse_retry_after(hostile, at(784_111_777)), None);
        let p = RetryPolicy::retries(3);
        let failure = Failure::Status {
            status: 503,
            retry_after: None,
        };
        assert_eq!(
            p.next_delay(1, true, failure),
            Some(Duration::from_millis(250)),
            "an unreadable Retry-After falls back to the backoff"
        );
    }

    #[test]
    fn only_some_statuses_and_never_after_the_response() {
        let p = RetryPolicy::retries(3);
        let st = |status, ra| Failure::Status {
            status,
            retry_after: ra,
        };
        let secs = |n| Some(Duration::from_secs(n));
        assert_eq!(p.next_delay(1, true, st(503, secs(2))), secs(2));
        assert_eq!(
            p.next_delay(1, true, st(429, None)),
            Some(Duration::from_millis(250))
        );
        assert_eq!(p.next_delay(1, true, st(500, None)), None);
        assert_eq!(p.next_delay(1, true, st(400, None)), None);
        assert_eq!(p.next_delay(1, false, st(503, None)), None);
        // A huge Retry-After is capped.
        assert_eq!(p.next_delay(1, true, st(503, secs(86400))), secs(30));
    }

    #[test]
    fn retry_after_forms() {
        let now = at(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        for bad in [
            "",
            "soon",
            "-1",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            // Issue 10: a year that overflowed the seconds count (a panic in debug builds).
            "Sun, 06 Nov 1000000000000000 08:49:37 GMT",
            "Sun, 06 Nov 18446744073709551615 08:49:37 GMT",
            "Sun, 06 Nov -1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37:01 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, +6 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }
}

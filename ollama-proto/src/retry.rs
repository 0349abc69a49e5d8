//! Opt-in retry decisions, made here so every transport retries the same way.
//!
//! A call is retried only when (a) the caller enabled retries, (b) the call is safe to repeat,
//! and (c) it failed before any response byte arrived, or the server answered 429, 502 or 503
//! (overloaded, queue full, cloud rate limit). A stream that has started is never retried: the
//! caller has already seen part of it.

use std::time::{Duration, SystemTime};

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure<'a> {
    /// No response byte arrived: connect refused or reset, connection closed before the head.
    BeforeResponse,
    /// The server answered with this status and optional `Retry-After` header value.
    Status {
        /// The HTTP status.
        status: u16,
        /// The raw `Retry-After` header, if any.
        retry_after: Option<&'a str>,
    },
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
    /// [`Endpoint::safe_to_repeat`](crate::Endpoint::safe_to_repeat)); `now` is only used to
    /// read an HTTP-date `Retry-After` (the exchange passes the response's `Date`).
    pub fn next_delay(
        &self,
        retry: u32,
        safe_to_repeat: bool,
        failure: Failure<'_>,
        now: SystemTime,
    ) -> Option<Duration> {
        if retry == 0 || retry > self.max_retries || !safe_to_repeat {
            return None;
        }
        let backoff = self
            .initial_backoff
            .checked_mul(1u32.checked_shl(retry - 1).unwrap_or(u32::MAX))
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        match failure {
            Failure::BeforeResponse => Some(backoff),
            Failure::Status {
                status: 429 | 502 | 503,
                retry_after,
            } => {
                let server = retry_after.and_then(|v| parse_retry_after(v, now));
                Some(server.map_or(backoff, |d| d.min(self.max_backoff)))
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
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let rest = s.split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day: u64 = parts.next()?.parse().ok()?;
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
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + sec;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u64, d: u64) -> Option<i64> {
    let m = i64::try_from(m).ok()?;
    let d = i64::try_from(d).ok()?;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
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
        assert_eq!(p.next_delay(1, true, Failure::BeforeResponse, at(0)), None);
    }

    #[test]
    fn exponential_backoff_capped() {
        let p = RetryPolicy::retries(20).max_backoff(Duration::from_secs(2));
        let d: Vec<_> = (1..=5)
            .map(|n| {
                p.next_delay(n, true, Failure::BeforeResponse, at(0))
                    .unwrap()
            })
            .collect();
        assert_eq!(
            d,
            [250, 500, 1000, 2000, 2000]
                .map(Duration::from_millis)
                .to_vec()
        );
        assert_eq!(p.next_delay(21, true, Failure::BeforeResponse, at(0)), None);
        assert!(
            p.next_delay(20, true, Failure::BeforeResponse, at(0))
                .is_some()
        );
    }

    #[test]
    fn only_some_statuses_and_never_after_the_response() {
        let p = RetryPolicy::retries(3);
        let st = |status, ra| Failure::Status {
            status,
            retry_after: ra,
        };
        assert_eq!(
            p.next_delay(1, true, st(503, Some("2")), at(0)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            p.next_delay(1, true, st(429, None), at(0)),
            Some(Duration::from_millis(250))
        );
        assert_eq!(p.next_delay(1, true, st(500, None), at(0)), None);
        assert_eq!(p.next_delay(1, true, st(400, None), at(0)), None);
        assert_eq!(p.next_delay(1, false, st(503, None), at(0)), None);
        // A huge Retry-After is capped.
        assert_eq!(
            p.next_delay(1, true, st(503, Some("86400")), at(0)),
            Some(Duration::from_secs(30))
        );
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
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }
}

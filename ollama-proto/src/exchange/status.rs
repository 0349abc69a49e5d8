//! Status routing: which response heads are answers, which are worth another attempt, and
//! which are errors, for every class and for both streamed and single-body calls.

use std::time::Duration;

use http::HeaderMap;
use http::header::{DATE, RETRY_AFTER};

use crate::retry::{is_retryable_status, parse_http_date, parse_retry_after};

/// What a response status means for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusRoute {
    /// The body is the answer.
    Answer,
    /// 429, 502 or 503: another attempt may succeed (if the call is safe to repeat and
    /// retries are on); otherwise an error. A 429's body decides: a spent cloud quota
    /// ([`usage_limit`](crate::usage_limit)) is never retried.
    Retryable,
    /// An error: its body (bounded) is the message.
    Error,
}

/// Routes a final status. `expects_body`: the answer is a body (every call but `HEAD`).
///
/// - 2xx is an answer, except 204, 205 and 206 where a body is expected (no content, or
///   partial content, is never a whole answer);
/// - 1xx that reached the exchange (the HTTP layer skips 100 and the other interim heads;
///   101 means the connection was taken over) and every 3xx, 304 included (redirects are
///   never followed, so the bearer key stays with the base URL) are errors, never an empty
///   stream or a redirect page returned as the answer;
/// - 429, 502 and 503 may be retried; every other 4xx and 5xx is an error.
pub fn route_status(status: u16, expects_body: bool) -> StatusRoute {
    match status {
        204..=206 if expects_body => StatusRoute::Error,
        200..=299 => StatusRoute::Answer,
        s if is_retryable_status(s) => StatusRoute::Retryable,
        _ => StatusRoute::Error,
    }
}

/// The wait a response's `Retry-After` asks for: delay-seconds, or an HTTP date measured from
/// the response's own `Date` (the exchange has no wall clock). `None` when absent or invalid.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let date = headers
        .get(DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(parse_http_date);
    match date {
        Some(now) => parse_retry_after(value, now),
        // Without a `Date` only the seconds form can be read.
        None => value.trim().parse::<u64>().ok().map(Duration::from_secs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class() {
        use StatusRoute::*;
        let table: &[(u16, bool, StatusRoute)] = &[
            (100, true, Error),
            (101, true, Error),
            (103, true, Error),
            (200, true, Answer),
            (201, true, Answer),
            (204, true, Error),
            (204, false, Answer),
            (205, true, Error),
            (206, true, Error),
            (299, true, Answer),
            (301, true, Error),
            (304, true, Error),
            (307, false, Error),
            (400, true, Error),
            (404, false, Error),
            (429, true, Retryable),
            (500, true, Error),
            (502, true, Retryable),
            (503, true, Retryable),
            (504, true, Error),
            (999, true, Error),
        ];
        for &(status, body, want) in table {
            assert_eq!(route_status(status, body), want, "{status} {body}");
        }
    }

    #[test]
    fn retry_after_from_seconds_or_date() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for &(k, v) in pairs {
                h.insert(k, http::HeaderValue::from_static(v));
            }
            h
        };
        let secs = Duration::from_secs;
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[
                ("retry-after", "Sun, 06 Nov 1994 08:50:37 GMT"),
                ("date", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ])),
            Some(secs(60))
        );
        // A date without the server's `Date` cannot be measured.
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Sun, 06 Nov 1994 08:50:37 GMT"
            )])),
            None
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[])), None);
    }
}

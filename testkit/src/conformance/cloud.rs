//! Today's cloud answers through a transport: a spent usage quota is its own error after one
//! request while a plain 429 is retried (also as a local server relays them, with the status
//! and headers copied).

use ollama_proto::usage_limit::UsageLimit;

use super::support::*;
use super::*;

/// Spent-quota texts as ollama.com sends them (third-party reports; see `usage_limit`).
const QUOTAS: [(&str, UsageLimit); 3] = [
    (
        "you (ada) have reached your session usage limit, upgrade for higher limits: \
         https://ollama.com/upgrade or add extra usage: https://ollama.com/settings \
         (ref: 5d0fb402-680e-49fb-a261-4de5249a0bda)",
        UsageLimit::Session,
    ),
    (
        "you (ada) have reached your weekly usage limit, upgrade for higher limits: \
         https://ollama.com/upgrade",
        UsageLimit::Weekly,
    ),
    (
        "you've reached your weekly usage limit, please wait or upgrade to continue",
        UsageLimit::Weekly,
    ),
];

fn usage_limit(f: Failure) -> ollama_proto::usage_limit::UsageLimitError {
    match protocol(f) {
        ollama_proto::Error::UsageLimit(e) => e,
        other => panic!("expected a usage limit error, got {other:?}"),
    }
}

/// A 429 whose message says a quota is spent is [`ollama_proto::Error::UsageLimit`] after
/// exactly one request, with retries on: for a single call, a stream, and as relayed by a
/// local server (which copies headers, a `Retry-After` included).
pub fn spent_quota_is_a_usage_limit_after_one_request<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(3)));
    for (i, (message, limit)) in QUOTAS.iter().enumerate() {
        let sent = server.requests().len();
        server.push_reply(Reply::status_json(429, message).times(2));
        let e = usage_limit(t.version(&client).unwrap_err());
        assert_eq!((&e.limit, e.status.status), (limit, 429), "{message}");
        assert_eq!(e.status.message, *message);
        assert_eq!(server.requests().len(), sent + 1, "{message}: not retried");
        server.clear_replies();

        // The relayed shape, on a stream: the cloud's status and headers, copied.
        server.push_reply(
            Reply::status_json(429, message)
                .retry_after(1)
                .header("x-relay", &i.to_string())
                .times(2),
        );
        let started = Instant::now();
        let e = usage_limit(t.chat_stream(&client, hello(), None).unwrap_err());
        assert!(started.elapsed() < Duration::from_millis(900), "no wait");
        assert_eq!(e.limit, *limit);
        assert_eq!(e.status.retry_after, Some(Duration::from_secs(1)));
        assert_eq!(server.requests().len(), sent + 2, "{message}: not retried");
        server.clear_replies();
    }
    // The connection after a spent quota still serves the next call.
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
}

/// A plain 429 with `Retry-After` is a rate limit: retried after the wait it asks for, on a
/// single call and on a stream.
pub fn plain_429_with_retry_after_is_retried<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(2)));
    server.push_reply(Reply::status_json(429, "rate limit exceeded").retry_after(1));
    let started = Instant::now();
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(server.requests().len(), 2);

    server.push_reply(Reply::status_json(429, "too many requests").retry_after(0));
    let out = t
        .chat_stream(&client, recorded_chat(GEMMA_HELLO), None)
        .unwrap();
    assert_eq!(out.failure, None);
    assert_eq!(server.requests().len(), 4);

    // Out of retries, a rate limit is still a plain, retryable status.
    server.push_reply(Reply::status_json(429, "rate limit exceeded").times(3));
    let s = status_of(t.version(&client).unwrap_err());
    assert!(s.is_retryable());
    assert_eq!(server.requests().len(), 7);
}

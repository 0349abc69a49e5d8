#![allow(clippy::disallowed_methods)] // tests need an origin instant; the code never reads one

use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue};

use super::*;
use crate::OwnedEvent;
use crate::deadline::Timeouts;
use crate::request::Streaming;
use crate::types::{BlobDigest, BlobExists, ChatRequest, DeleteRequest, Message};

const LINE: &[u8] = b"{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n";
const DONE: &[u8] =
    b"{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n";

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn chat() -> Streaming<ChatRequest> {
    Streaming(ChatRequest::new("m", [Message::user("hi")]))
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for &(k, v) in pairs {
        h.insert(k, HeaderValue::from_static(v));
    }
    h
}

/// Connects, sends and receives a head with `status`.
fn to_head(ex: &mut Exchange, status: u16, h: &HeaderMap, now: Instant) {
    assert_eq!(ex.poll_action(), Action::Connect { fresh: false });
    ex.on_connected(now, false);
    assert_eq!(ex.poll_action(), Action::SendRequest);
    ex.on_head(status, h, now);
}

fn events(ex: &mut Exchange) -> Vec<Result<OwnedEvent, String>> {
    let mut out = Vec::new();
    while let Some(e) = ex.poll_event() {
        out.push(e.map(|e| e.into_owned()).map_err(|e| e.kind_str()));
    }
    out
}

fn status_of(e: &ClientError) -> &crate::StatusError {
    e.status()
        .unwrap_or_else(|| panic!("not a status error: {e:?}"))
}

#[test]
fn a_stream_ends_at_its_final_object_whatever_follows() {
    let t0 = Instant::now();
    let mut ex = Exchange::stream(&ClientConfig::default(), &chat(), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    assert!(ex.is_streaming());
    ex.on_body(LINE, t0);
    assert_eq!(events(&mut ex), [Ok(OwnedEvent::Content("Hi".into()))]);
    assert_eq!(ex.poll_action(), Action::ReadBody);
    // The final object, then garbage in the same chunk: the answer is complete.
    let mut tail = DONE.to_vec();
    tail.extend_from_slice(b"{not json\n");
    ex.on_body(&tail, t0);
    let got = events(&mut ex);
    assert!(
        matches!(got.as_slice(), [Ok(OwnedEvent::Done(_))]),
        "{got:?}"
    );
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: false });
    ex.on_body(b"more", t0);
    assert!(ex.poll_event().is_none());
}

#[test]
fn a_body_that_ends_early_is_truncated() {
    let t0 = Instant::now();
    let mut ex = Exchange::stream(&ClientConfig::default(), &chat(), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(LINE, t0);
    ex.on_end(t0);
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: true });
    let got = events(&mut ex);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1], Err("protocol.truncated".to_owned()));
}

#[test]
fn statuses_that_are_not_answers_fail_a_stream() {
    for status in [101, 204, 301, 304, 307, 400, 404, 500] {
        let t0 = Instant::now();
        let mut ex = Exchange::stream(&ClientConfig::default(), &chat(), t0).unwrap();
        to_head(&mut ex, status, &HeaderMap::new(), t0);
        assert!(!ex.is_streaming(), "{status}");
        assert_eq!(ex.poll_action(), Action::ReadBody, "{status}");
        ex.on_body(b"<html><title>moved</title></html>", t0);
        ex.on_end(t0);
        assert_eq!(ex.poll_action(), Action::Finish { body_ended: true });
        let e = ex.poll_event().unwrap().unwrap_err();
        assert_eq!(status_of(&e).status, status);
        assert!(ex.poll_event().is_none());
    }
}

#[test]
fn error_bodies_are_read_up_to_the_limit_then_reported() {
    let t0 = Instant::now();
    let mut config = ClientConfig::default();
    config.decoder.max_error_body = 10;
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    to_head(&mut ex, 500, &HeaderMap::new(), t0);
    ex.on_body(b"0123456", t0);
    assert_eq!(ex.poll_action(), Action::ReadBody);
    ex.on_body(b"789abcdef", t0);
    // Stop reading there, not just stop keeping.
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: false });
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(status_of(&e).message, "0123456789");
}

#[test]
fn a_stalled_or_broken_error_body_still_reports_the_status() {
    let t0 = Instant::now();
    // No timeout configured: the stall bound still ends it.
    let mut ex = Exchange::stream(&ClientConfig::default(), &chat(), t0).unwrap();
    to_head(&mut ex, 502, &HeaderMap::new(), t0);
    ex.on_body(b"{\"error\":\"upstream", t0);
    assert_eq!(ex.poll_timeout(), Some(t0 + ERROR_BODY_STALL));
    ex.handle_timeout(t0 + ERROR_BODY_STALL - Duration::from_millis(1));
    assert_eq!(ex.poll_action(), Action::ReadBody);
    ex.handle_timeout(t0 + ERROR_BODY_STALL);
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: false });
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(status_of(&e).status, 502);
    assert_eq!(status_of(&e).message, "{\"error\":\"upstream");

    let mut ex = Exchange::single(&ClientConfig::default(), &DeleteRequest::new("m"), t0).unwrap();
    to_head(&mut ex, 500, &HeaderMap::new(), t0);
    ex.on_body(b"{\"error\":\"boom\"}", t0);
    ex.on_body_failed("reset".into(), t0);
    let e = ex.output::<DeleteRequest>().unwrap().unwrap_err();
    assert_eq!(status_of(&e).message, "boom");
}

#[test]
fn retries_follow_the_policy_and_the_endpoint() {
    let t0 = Instant::now();
    let config = ClientConfig::default().retry(RetryPolicy::retries(2));
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    ex.on_connect_failed(ConnectError::server("refused"), t0);
    assert_eq!(
        ex.poll_action(),
        Action::Retry(t0 + Duration::from_millis(250))
    );
    ex.handle_timeout(t0 + Duration::from_millis(100));
    assert_eq!(
        ex.poll_action(),
        Action::Retry(t0 + Duration::from_millis(250))
    );
    let t1 = t0 + Duration::from_millis(250);
    ex.handle_timeout(t1);
    assert_eq!(ex.poll_action(), Action::Connect { fresh: false });
    ex.on_connected(t1, false);
    ex.on_head(503, &headers(&[("retry-after", "2")]), t1);
    assert_eq!(ex.poll_action(), Action::Retry(t1 + secs(2)));
    ex.handle_timeout(t1 + secs(2));
    ex.on_connected(t1 + secs(2), false);
    // Retries used up: the 503 is the answer.
    ex.on_head(503, &HeaderMap::new(), t1 + secs(2));
    assert_eq!(ex.poll_action(), Action::ReadBody);
    ex.on_end(t1 + secs(2));
    assert_eq!(
        status_of(&ex.poll_event().unwrap().unwrap_err()).status,
        503
    );
    assert_eq!(ex.info().attempts, 3);

    // Delete changes the server: never sent twice.
    let mut ex = Exchange::single(&config, &DeleteRequest::new("m"), t0).unwrap();
    to_head(&mut ex, 503, &HeaderMap::new(), t0);
    assert_eq!(ex.poll_action(), Action::ReadBody);
    let mut ex = Exchange::single(&config, &DeleteRequest::new("m"), t0).unwrap();
    ex.on_connect_failed(ConnectError::server("refused"), t0);
    assert!(
        ex.output::<DeleteRequest>()
            .unwrap()
            .unwrap_err()
            .is_connect()
    );
}

#[test]
fn a_retry_after_past_the_total_timeout_reports_the_status() {
    let t0 = Instant::now();
    let config = ClientConfig::default()
        .retry(RetryPolicy::retries(3))
        .total_timeout(secs(10));
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    to_head(&mut ex, 429, &headers(&[("retry-after", "3600")]), t0);
    assert_eq!(ex.poll_action(), Action::ReadBody);
    ex.on_body(b"{\"error\":\"rate limited\"}", t0);
    ex.on_end(t0);
    let e = ex.poll_event().unwrap().unwrap_err();
    let s = status_of(&e);
    assert_eq!((s.status, s.retry_after), (429, Some(secs(3600))));
    assert!(e.to_string().contains("retry after 3600s"), "{e}");
}

#[test]
fn a_hostile_retry_after_date_falls_back_to_the_backoff() {
    // Issue 10: this year overflowed the seconds count ("attempt to multiply with overflow").
    let t0 = Instant::now();
    let config = ClientConfig::default().retry(RetryPolicy::retries(3));
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    let h = headers(&[
        ("retry-after", "Sun, 06 Nov 1000000000000000 08:49:37 GMT"),
        ("date", "Sun, 06 Nov 1994 08:49:37 GMT"),
    ]);
    to_head(&mut ex, 503, &h, t0);
    assert_eq!(
        ex.poll_action(),
        Action::Retry(t0 + Duration::from_millis(250))
    );
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    let h = headers(&[
        ("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT"),
        ("date", "Sun, 06 Nov 1000000000000000 08:49:37 GMT"),
    ]);
    to_head(&mut ex, 503, &h, t0);
    assert_eq!(
        ex.poll_action(),
        Action::Retry(t0 + Duration::from_millis(250))
    );
}

#[test]
fn which_timeouts_are_retried() {
    let t0 = Instant::now();
    let t = Timeouts::default().connect(secs(1)).response_head(secs(2));
    let config = ClientConfig::default()
        .timeouts(t)
        .retry(RetryPolicy::retries(1));
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    assert_eq!(ex.poll_timeout(), Some(t0 + secs(1)));
    ex.handle_timeout(t0 + secs(1));
    assert!(
        matches!(ex.poll_action(), Action::Retry(_)),
        "connect timeout retried"
    );

    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    ex.on_connected(t0, false);
    assert_eq!(ex.poll_timeout(), Some(t0 + secs(2)));
    ex.handle_timeout(t0 + secs(2));
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: false });
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(e.kind_str(), "timeout.response_head");
}

#[test]
fn a_stale_pooled_connection_is_replaced_once() {
    let t0 = Instant::now();
    let mut ex = Exchange::stream(&ClientConfig::default(), &chat(), t0).unwrap();
    ex.on_connected(t0, true);
    ex.on_send_failed("closed".into(), false, t0);
    assert_eq!(ex.poll_action(), Action::Connect { fresh: true });
    ex.on_connected(t0, false);
    ex.on_send_failed("closed".into(), false, t0);
    assert!(matches!(ex.poll_action(), Action::Finish { .. }));
    assert_eq!(ex.poll_event().unwrap().unwrap_err().kind_str(), "io");

    // A partial head means the server answered: no second try.
    let mut ex = Exchange::stream(&ClientConfig::default(), &chat(), t0).unwrap();
    ex.on_connected(t0, true);
    ex.on_send_failed("cut".into(), true, t0);
    assert!(matches!(ex.poll_action(), Action::Finish { .. }));
}

#[test]
fn single_bodies_are_limited_and_encodings_named() {
    let t0 = Instant::now();
    let config = ClientConfig::default().max_body(8);
    let mut ex = Exchange::single(&config, &ChatRequest::new("m", []), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(b"{\"model\":", t0);
    let e = ex.output::<ChatRequest>().unwrap().unwrap_err();
    assert_eq!(e.kind_str(), "protocol.body_too_large");

    assert_eq!(
        e.to_string(),
        "the response body is larger than the 8-byte body limit (max_body)"
    );

    // A whole answer longer than the line limit but within max_body is an answer: the line
    // limit bounds stream lines, not single bodies.
    let body = br#"{"model":"m","message":{"role":"assistant","content":"a long enough answer"},"done":true}"#;
    let mut config = ClientConfig::default().max_body(body.len());
    config.decoder = config.decoder.max_line_len(16);
    let mut ex = Exchange::single(&config, &ChatRequest::new("m", []), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(body, t0);
    ex.on_end(t0);
    let r = ex.output::<ChatRequest>().unwrap().unwrap();
    assert_eq!(r.message.content, "a long enough answer");
    let config = config.max_body(body.len() - 1);
    let mut ex = Exchange::single(&config, &ChatRequest::new("m", []), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(body, t0);
    let e = ex.output::<ChatRequest>().unwrap().unwrap_err();
    assert_eq!(e.kind_str(), "protocol.body_too_large");

    let config = ClientConfig::default().max_body(8);
    let mut ex = Exchange::single(&config, &ChatRequest::new("m", []), t0).unwrap();
    to_head(&mut ex, 200, &headers(&[("content-encoding", "gzip")]), t0);
    let e = ex.output::<ChatRequest>().unwrap().unwrap_err();
    assert!(e.to_string().contains("Content-Encoding: gzip"), "{e}");
}

#[test]
fn a_head_answered_404_is_an_answer_for_blob_exists() {
    let t0 = Instant::now();
    let digest: BlobDigest = format!("sha256:{}", "0".repeat(64)).parse().unwrap();
    let mut ex = Exchange::single(&ClientConfig::default(), &BlobExists(digest), t0).unwrap();
    to_head(&mut ex, 404, &HeaderMap::new(), t0);
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: true });
    assert!(!ex.output::<BlobExists>().unwrap().unwrap());
}

#[test]
fn total_and_idle_timeouts_end_a_stream() {
    let t0 = Instant::now();
    let config = ClientConfig::default()
        .idle_timeout(secs(5))
        .total_timeout(secs(12));
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(LINE, t0 + secs(4));
    let _ = events(&mut ex);
    assert_eq!(ex.poll_timeout(), Some(t0 + secs(9)));
    // A stream that never pauses still meets its total timeout.
    ex.on_body(LINE, t0 + secs(12));
    let got = events(&mut ex);
    assert_eq!(got.last(), Some(&Err("timeout.total".to_owned())));
}

#[test]
fn a_proxy_that_wants_credentials_is_not_asked_again() {
    use crate::proxy::{ProxyError, ProxyErrorKind, ProxyUrl};
    let t0 = Instant::now();
    let config = ClientConfig::default().retry(RetryPolicy::retries(3));
    let proxy = ProxyUrl::parse("http://proxy.test:3128").unwrap();
    let auth = ProxyErrorKind::AuthRequired {
        status: 407,
        sent_credentials: false,
    };
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    ex.on_connect_failed(ProxyError::new(&proxy, auth).into(), t0);
    assert!(matches!(ex.poll_action(), Action::Finish { .. }));
    match ex.poll_event().unwrap().unwrap_err() {
        ClientError::Proxy(e) => {
            assert!(matches!(
                e.kind,
                ProxyErrorKind::AuthRequired { status: 407, .. }
            ));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ex.info().attempts, 1);

    // An unreachable proxy, or a 502 from it, may be there a moment later: retried.
    for kind in [
        ProxyErrorKind::Closed,
        ProxyErrorKind::Refused {
            status: 502,
            reason: "Bad Gateway".into(),
        },
    ] {
        let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
        ex.on_connect_failed(ProxyError::new(&proxy, kind).into(), t0);
        assert_eq!(
            ex.poll_action(),
            Action::Retry(t0 + Duration::from_millis(250))
        );
    }
    let refused = ProxyErrorKind::Refused {
        status: 403,
        reason: "Forbidden".into(),
    };
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    ex.on_connect_failed(ProxyError::new(&proxy, refused).into(), t0);
    assert!(matches!(ex.poll_action(), Action::Finish { .. }));
}

#[test]
fn a_forwarding_proxy_is_named_and_its_own_answers_are_its_errors() {
    use crate::proxy::{ProxyErrorKind, ProxyUrl};
    let t0 = Instant::now();
    let config = ClientConfig::default();
    let proxy = ProxyUrl::parse("http://alice:s3cret@proxy.test:3128").unwrap();
    let ex = Exchange::stream(&config, &chat(), t0)
        .unwrap()
        .through_forwarding_proxy(Some(&proxy));
    let auth = &ex.request().headers()[http::header::PROXY_AUTHORIZATION];
    assert_eq!(auth, "Basic YWxpY2U6czNjcmV0");
    assert!(auth.is_sensitive());

    // The proxy's 407, and tinyproxy's 401 with a Basic challenge after credentials were
    // sent, are the proxy's; they end the call at once.
    for (status, challenge) in [(407, None), (401, Some("Basic realm=\"tinyproxy\""))] {
        let mut ex = Exchange::stream(&config, &chat(), t0)
            .unwrap()
            .through_forwarding_proxy(Some(&proxy));
        let h = challenge.map_or_else(HeaderMap::new, |c| headers(&[("www-authenticate", c)]));
        to_head(&mut ex, status, &h, t0);
        assert!(matches!(ex.poll_action(), Action::Finish { .. }));
        match ex.poll_event().unwrap().unwrap_err() {
            ClientError::Proxy(e) => assert!(
                matches!(e.kind, ProxyErrorKind::AuthRequired { status: s, sent_credentials: true } if s == status)
            ),
            other => panic!("{status}: {other:?}"),
        }
    }
    // Ollama's own 401 (no Basic challenge) stays the server's answer.
    let mut ex = Exchange::stream(&config, &chat(), t0)
        .unwrap()
        .through_forwarding_proxy(Some(&proxy));
    to_head(&mut ex, 401, &HeaderMap::new(), t0);
    assert_eq!(ex.poll_action(), Action::ReadBody);
    ex.on_end(t0);
    assert_eq!(
        status_of(&ex.poll_event().unwrap().unwrap_err()).status,
        401
    );
    // Without a proxy nothing changes.
    let ex = Exchange::stream(&config, &chat(), t0)
        .unwrap()
        .through_forwarding_proxy(None);
    assert!(
        !ex.request()
            .headers()
            .contains_key(http::header::PROXY_AUTHORIZATION)
    );
}

/// The error a streamed chat and a single chat get for the same response, fed in `chunk`-byte
/// pieces.
fn both_ways(
    config: &ClientConfig,
    status: u16,
    h: &HeaderMap,
    body: &[u8],
    chunk: usize,
) -> (ClientError, ClientError) {
    let t0 = Instant::now();
    let mut stream = Exchange::stream(config, &chat(), t0).unwrap();
    let mut single = Exchange::single(config, &ChatRequest::new("m", []), t0).unwrap();
    for ex in [&mut stream, &mut single] {
        to_head(ex, status, h, t0);
        for piece in body.chunks(chunk) {
            ex.on_body(piece, t0);
        }
        ex.on_end(t0);
        assert!(ex.is_finished());
    }
    let from_stream = stream.poll_event().unwrap().unwrap_err();
    assert!(stream.poll_event().is_none(), "an error is reported once");
    let from_single = single.output::<ChatRequest>().unwrap().unwrap_err();
    assert!(single.output::<ChatRequest>().is_none(), "taken once");
    (from_stream, from_single)
}

#[test]
fn a_429_with_retry_after_is_the_same_status_error_on_a_stream_and_a_single_call() {
    let h = headers(&[("retry-after", "7")]);
    let (stream, single) = both_ways(
        &ClientConfig::default(),
        429,
        &h,
        br#"{"error":"too many requests"}"#,
        5,
    );
    let want = crate::StatusError {
        status: 429,
        message: "too many requests".to_owned(),
        signin_url: None,
        body: crate::BodyKind::Json,
        retry_after: Some(secs(7)),
    };
    assert_eq!(status_of(&stream), &want);
    assert_eq!(status_of(&single), &want);
    assert!(matches!(single, ClientError::Protocol(Error::Status(_))));

    // A date form is measured from the response's own Date.
    let h = headers(&[
        ("retry-after", "Sun, 06 Nov 1994 08:50:37 GMT"),
        ("date", "Sun, 06 Nov 1994 08:49:37 GMT"),
    ]);
    let (stream, single) = both_ways(&ClientConfig::default(), 503, &h, b"", 1);
    assert_eq!(status_of(&stream).retry_after, Some(secs(60)));
    assert_eq!(status_of(&stream), status_of(&single));
    assert_eq!(status_of(&single).body, crate::BodyKind::Empty);

    // 401 is Unauthorized both ways, with the sign-in URL.
    let body = br#"{"error":"unauthorized","signin_url":"https://ollama.com/connect?k=1"}"#;
    let (stream, single) = both_ways(&ClientConfig::default(), 401, &HeaderMap::new(), body, 3);
    for e in [&stream, &single] {
        assert!(
            matches!(e, ClientError::Protocol(Error::Unauthorized(_))),
            "{e:?}"
        );
        assert_eq!(e.signin_url(), Some("https://ollama.com/connect?k=1"));
    }
}

#[test]
fn an_error_body_is_bounded_once_at_max_error_body() {
    let mut config = ClientConfig::default();
    config.decoder.max_error_body = 16;
    let body = b"404 page not found, and a very long tail that is dropped";
    for chunk in [1, 2, 3, 7, 16, 17, body.len()] {
        let (stream, single) = both_ways(&config, 404, &HeaderMap::new(), body, chunk);
        for e in [&stream, &single] {
            let s = status_of(e);
            assert_eq!(
                (s.status, s.message.as_str(), s.body),
                (404, "404 page not fou", crate::BodyKind::Text),
                "chunk {chunk}"
            );
        }
    }
    // Reading stops at the bound: the connection is not read to its end.
    let t0 = Instant::now();
    let mut ex = Exchange::single(&config, &DeleteRequest::new("m"), t0).unwrap();
    to_head(&mut ex, 404, &HeaderMap::new(), t0);
    ex.on_body(&body[..15], t0);
    assert_eq!(ex.poll_action(), Action::ReadBody);
    ex.on_body(&body[15..], t0);
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: false });
    let e = ex.output::<DeleteRequest>().unwrap().unwrap_err();
    assert_eq!(status_of(&e).message, "404 page not fou");
}

#[test]
fn a_500_html_page_is_classified_by_its_title() {
    let body =
        b"<html>\r\n<head><title>500 Internal Server Error</title></head><body>nginx</body></html>";
    let (stream, single) = both_ways(&ClientConfig::default(), 500, &HeaderMap::new(), body, 9);
    assert_eq!(status_of(&stream), status_of(&single));
    let s = status_of(&single);
    assert_eq!(
        (s.status, s.message.as_str(), s.body, s.retry_after),
        (
            500,
            "500 Internal Server Error",
            crate::BodyKind::Html,
            None
        )
    );
}

#[test]
fn thinking_unsupported_is_told_apart_from_other_400s() {
    let body = br#"{"error":"\"gemma3:1b\" does not support thinking"}"#;
    let (stream, single) = both_ways(&ClientConfig::default(), 400, &HeaderMap::new(), body, 5);
    for e in [&stream, &single] {
        assert!(e.is_thinking_unsupported(), "{e:?}");
        assert_eq!(
            status_of(e).message,
            "\"gemma3:1b\" does not support thinking"
        );
    }
    let body = br#"{"error":"registry.ollama.ai/library/gemma3:1b does not support tools"}"#;
    let (stream, _) = both_ways(&ClientConfig::default(), 400, &HeaderMap::new(), body, 5);
    assert!(!stream.is_thinking_unsupported());
}

#[test]
fn only_a_declared_status_is_an_answer() {
    let t0 = Instant::now();
    let digest: BlobDigest = format!("sha256:{}", "0".repeat(64)).parse().unwrap();
    let answer = |status: u16| {
        let mut ex =
            Exchange::single(&ClientConfig::default(), &BlobExists(digest.clone()), t0).unwrap();
        to_head(&mut ex, status, &HeaderMap::new(), t0);
        if status == 200 {
            // The HTTP layer reports the end of a HEAD's (empty) body.
            assert_eq!(ex.poll_action(), Action::ReadBody);
            ex.on_end(t0);
        }
        // Otherwise the head is the whole answer: a HEAD has no body to read.
        assert_eq!(ex.poll_action(), Action::Finish { body_ended: true });
        ex.output::<BlobExists>().unwrap()
    };
    assert!(answer(200).unwrap());
    assert!(!answer(404).unwrap());
    let e = answer(400).unwrap_err();
    assert_eq!(status_of(&e).status, 400);
    // A 404 that no call declared is an error.
    let mut ex = Exchange::single(&ClientConfig::default(), &DeleteRequest::new("m"), t0).unwrap();
    to_head(&mut ex, 404, &HeaderMap::new(), t0);
    ex.on_body(br#"{"error":"model 'm' not found"}"#, t0);
    ex.on_end(t0);
    let e = ex.output::<DeleteRequest>().unwrap().unwrap_err();
    assert_eq!(status_of(&e).message, "model 'm' not found");
    // Asking for another call's answer is a usage error, not a wrong value.
    let mut ex = Exchange::single(&ClientConfig::default(), &DeleteRequest::new("m"), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_end(t0);
    let e = ex.output::<ChatRequest>().unwrap().unwrap_err();
    assert_eq!(e.kind_str(), "usage");
}

#[test]
fn a_non_streamed_chat_is_decoded_once_as_it_arrives() {
    let name = "ci-chat-nonstream-qwen35-thinking-parallel-toolcalls.json";
    let path = format!(
        "{}/../../shared/fixtures/recorded/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let wire: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let t0 = Instant::now();
    let answer = |pieces: &[&[u8]]| {
        let mut ex =
            Exchange::single(&ClientConfig::default(), &ChatRequest::new("m", []), t0).unwrap();
        to_head(&mut ex, 200, &HeaderMap::new(), t0);
        for piece in pieces {
            ex.on_body(piece, t0);
            assert_eq!(ex.poll_action(), Action::ReadBody);
        }
        ex.on_end(t0);
        assert_eq!(ex.poll_action(), Action::Finish { body_ended: true });
        let r = ex.output::<ChatRequest>().unwrap().unwrap();
        assert_eq!(ex.info().metrics, Some(r.metrics));
        r
    };
    let whole = answer(&[&body]);
    // Exactly the recorded answer.
    let m = &wire["message"];
    assert_eq!(whole.model, "qwen3.5:35b");
    assert_eq!(whole.message.content, "");
    assert_eq!(whole.message.thinking.as_deref(), m["thinking"].as_str());
    let calls: Vec<_> = whole
        .message
        .tool_calls
        .iter()
        .map(|c| {
            let args = serde_json::Value::Object(c.function.arguments.clone());
            (c.function.name.as_str(), args)
        })
        .collect();
    let want: Vec<_> = m["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let f = &c["function"];
            (f["name"].as_str().unwrap(), f["arguments"].clone())
        })
        .collect();
    assert_eq!(calls, want);
    assert_eq!(whole.done_reason, Some(crate::types::DoneReason::Stop));
    assert_eq!(whole.metrics.eval_count, Some(213));
    assert_eq!(whole.metrics.prompt_eval_count, Some(557));
    assert!(whole.done);
    // The same answer however the bytes arrive.
    for cut in 1..body.len() {
        assert_eq!(answer(&[&body[..cut], &body[cut..]]), whole, "cut at {cut}");
    }
}

#[test]
fn a_malformed_line_in_a_non_streamed_body_says_where() {
    let first: &[u8] = b"{\"message\":{\"role\":\"assistant\",\"content\":\"a\"},\"done\":false}\n";
    let body = [first, b"{\"done\":tru}\n"].concat();
    let t0 = Instant::now();
    for chunk in [1, 4, body.len()] {
        let mut ex =
            Exchange::single(&ClientConfig::default(), &ChatRequest::new("m", []), t0).unwrap();
        to_head(&mut ex, 200, &HeaderMap::new(), t0);
        for piece in body.chunks(chunk) {
            ex.on_body(piece, t0);
        }
        // The rest of the body is read: the connection stays reusable.
        assert_eq!(ex.poll_action(), Action::ReadBody);
        ex.on_end(t0);
        match ex.output::<ChatRequest>().unwrap().unwrap_err() {
            ClientError::Protocol(Error::Json { at, excerpt, .. }) => {
                // Line 2, at the `}` where `tru` stopped being `true`.
                let offset = first.len() as u64 + 11;
                assert_eq!((at.line, at.offset), (2, offset), "chunk {chunk}");
                assert_eq!(excerpt, "{\"done\":tru}");
            }
            other => panic!("chunk {chunk}: {other:?}"),
        }
    }
}

/// The OS's error for a connection whose peer stopped answering keepalive probes, as hyper
/// wraps it (an error whose source is the `io::Error`).
#[derive(Debug)]
struct Wrapped(std::io::Error);

impl std::fmt::Display for Wrapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error reading a body from connection: {}", self.0)
    }
}

impl std::error::Error for Wrapped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

fn etimedout() -> BoxError {
    Box::new(Wrapped(std::io::Error::from(std::io::ErrorKind::TimedOut)))
}

fn server(port: u16) -> ClientConfig {
    ClientConfig::new(format!("http://10.0.0.1:{port}").parse().unwrap())
}

#[test]
fn a_default_connect_that_is_never_answered_is_a_located_timeout() {
    let t0 = Instant::now();
    let mut ex = Exchange::stream(&server(11434), &chat(), t0).unwrap();
    assert_eq!(ex.poll_timeout(), Some(t0 + secs(30)));
    ex.handle_timeout(t0 + secs(30));
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: false });
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(e.timeout_kind(), Some(TimeoutKind::Connect));
    assert_eq!(
        e.to_string(),
        "connect to 10.0.0.1:11434 timed out after 30s \
         (connect timeout; raise it with ClientBuilder::connect_timeout; a server whose \
         listen backlog is full leaves connects unanswered too: raise its backlog, \
         net.core.somaxconn)"
    );
    // Once connected, the defaults set no deadline at all: a model may load for an hour.
    let mut ex = Exchange::stream(&server(11434), &chat(), t0).unwrap();
    ex.on_connected(t0, false);
    assert_eq!(ex.poll_timeout(), None);
    assert!(!ex.needs_time());
    ex.on_head(200, &HeaderMap::new(), t0 + secs(3600));
    assert_eq!(ex.poll_timeout(), None);
    assert!(!ex.needs_time(), "no clock read per chunk by default");
}

#[test]
fn keepalive_deaths_are_typed_and_located() {
    let t0 = Instant::now();
    // Mid-body: the bytes received so far are named.
    let mut ex = Exchange::stream(&server(1), &chat(), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(LINE, t0);
    assert_eq!(events(&mut ex), [Ok(OwnedEvent::Content("Hi".into()))]);
    ex.on_body_failed(etimedout(), t0 + secs(70));
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(e.timeout_kind(), Some(TimeoutKind::Keepalive));
    assert_eq!(e.kind_str(), "timeout.keepalive");
    assert_eq!(
        e.to_string(),
        format!(
            "the server 10.0.0.1:1 stopped answering after {} body bytes: the OS closed the \
             connection after 60s without an answer (TCP keepalive), so the peer or the \
             network path to it is gone (change or remove keepalive with \
             ClientBuilder::tcp_keepalive)",
            LINE.len()
        )
    );

    // Before the head, through a tunnel: the proxy is the peer that vanished.
    let proxy = ProxyUrl::parse("http://u:p@proxy.test:3128").unwrap();
    let short = crate::keepalive::TcpKeepalive::new(secs(1), secs(1), 2);
    let config = server(2).tcp_keepalive(Some(short));
    let mut ex = Exchange::stream(&config, &chat(), t0)
        .unwrap()
        .through_route(&Route::Tunnel(proxy));
    ex.on_connected(t0, false);
    ex.on_send_failed(etimedout(), false, t0 + secs(3));
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(
        e.to_string(),
        "the proxy http://proxy.test:3128 (on the way to 10.0.0.1:2) stopped answering while \
         waiting for the response head: the OS closed the connection after 3s without an \
         answer (TCP keepalive), so the peer or the network path to it is gone (change or \
         remove keepalive with ClientBuilder::tcp_keepalive)"
    );
    assert!(!e.to_string().contains("u:p"), "no credentials in errors");

    // With keepalive off, the OS's timeout stays an IO error (it is not keepalive's).
    let mut ex = Exchange::stream(&server(3).tcp_keepalive(None), &chat(), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body_failed(etimedout(), t0);
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(e.kind_str(), "io");
    assert!(
        e.to_string().contains("10.0.0.1:3 (after 0 body bytes)"),
        "{e}"
    );
    // Any other failure stays an IO error with keepalive on.
    let mut ex = Exchange::stream(&server(4), &chat(), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body_failed("reset".into(), t0);
    assert_eq!(ex.poll_event().unwrap().unwrap_err().kind_str(), "io");
}

#[test]
fn every_timeout_names_server_proxy_and_phase() {
    let t0 = Instant::now();
    let proxy = ProxyUrl::parse("http://proxy.test:3128").unwrap();
    let config = server(5)
        .timeouts(Timeouts::none().connect(secs(2)).idle(secs(4)))
        .retry(RetryPolicy::retries(1).initial_backoff(secs(1)));
    let mut ex = Exchange::stream(&config, &chat(), t0)
        .unwrap()
        .through_route(&Route::Forward(proxy));
    ex.handle_timeout(t0 + secs(2));
    let Action::Retry(at) = ex.poll_action() else {
        panic!("a connect timeout is retried: {:?}", ex.poll_action())
    };
    ex.handle_timeout(at);
    ex.handle_timeout(at + secs(2));
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(
        e.to_string(),
        "connect to 10.0.0.1:5 through the proxy http://proxy.test:3128 timed out after 2s \
         (connect timeout; raise it with ClientBuilder::connect_timeout; a server whose \
         listen backlog is full leaves connects unanswered too: raise its backlog, \
         net.core.somaxconn)"
    );

    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(LINE, t0 + secs(1));
    let _ = events(&mut ex);
    ex.handle_timeout(t0 + secs(5));
    let e = ex.poll_event().unwrap().unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "no body bytes from 10.0.0.1:5 for 4s, after {} body bytes \
             (idle timeout; raise it with ClientBuilder::idle_timeout)",
            LINE.len()
        )
    );
}

#[test]
fn a_spent_quota_429_is_read_then_never_retried() {
    let t0 = Instant::now();
    let config = ClientConfig::default().retry(RetryPolicy::retries(3));
    let quota = br#"{"error":"you (ada) have reached your weekly usage limit, upgrade for higher limits: https://ollama.com/upgrade"}"#;
    // Even with a Retry-After (a local server relaying ollama.com copies the headers), and on a
    // stream as on a single call.
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    to_head(&mut ex, 429, &headers(&[("retry-after", "1")]), t0);
    assert_eq!(ex.poll_action(), Action::ReadBody, "the body decides");
    ex.on_body(quota, t0);
    ex.on_end(t0);
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: true });
    let e = ex.poll_event().unwrap().unwrap_err();
    let quota_error = e.as_protocol().and_then(Error::usage_limit).unwrap();
    assert_eq!(quota_error.limit, crate::usage_limit::UsageLimit::Weekly);
    assert_eq!(quota_error.status.status, 429);
    assert_eq!(quota_error.status.retry_after, Some(secs(1)));
    assert!(quota_error.status.message.starts_with("you (ada) have"));
    assert!(!quota_error.status.is_retryable());
    assert_eq!(e.kind_str(), "protocol.usage_limit");
    assert_eq!(ex.info().attempts, 1);

    let mut ex = Exchange::single(&config, &crate::request::GetVersion, t0).unwrap();
    to_head(&mut ex, 429, &HeaderMap::new(), t0);
    ex.on_body(&quota[..20], t0);
    ex.on_body(&quota[20..], t0);
    ex.on_end(t0);
    let e = ex
        .output::<crate::request::GetVersion>()
        .unwrap()
        .unwrap_err();
    assert!(
        e.as_protocol().and_then(Error::usage_limit).is_some(),
        "{e}"
    );
}

#[test]
fn a_plain_429_is_retried_after_its_body_is_read() {
    let t0 = Instant::now();
    let t1 = t0 + Duration::from_millis(30);
    let config = ClientConfig::default().retry(RetryPolicy::retries(3));
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    to_head(&mut ex, 429, &headers(&[("retry-after", "2")]), t0);
    assert_eq!(ex.poll_action(), Action::ReadBody);
    ex.on_body(br#"{"error":"rate limit exceeded"}"#, t1);
    ex.on_end(t1);
    // The wait runs from the end of the body.
    assert_eq!(ex.poll_action(), Action::Retry(t1 + secs(2)));
    ex.handle_timeout(t1 + secs(2));
    assert_eq!(ex.poll_action(), Action::Connect { fresh: false });
    assert_eq!(ex.info().attempts, 2);

    // A 429 whose body stalls is classified with what arrived, then retried.
    let mut ex = Exchange::stream(&config, &chat(), t0).unwrap();
    to_head(&mut ex, 429, &HeaderMap::new(), t0);
    ex.on_body(br#"{"error":"too many"#, t0);
    let stall = t0 + ERROR_BODY_STALL;
    assert_eq!(ex.poll_timeout(), Some(stall));
    ex.handle_timeout(stall);
    assert_eq!(
        ex.poll_action(),
        Action::Retry(stall + Duration::from_millis(250))
    );

    // Without retries the 429 is the call's error, a plain status.
    let mut ex = Exchange::stream(&ClientConfig::default(), &chat(), t0).unwrap();
    to_head(&mut ex, 429, &HeaderMap::new(), t0);
    ex.on_body(br#"{"error":"rate limit exceeded"}"#, t0);
    ex.on_end(t0);
    let e = ex.poll_event().unwrap().unwrap_err();
    assert!(matches!(e.as_protocol(), Some(Error::Status(s)) if s.is_retryable()));
}

/// The reasoning fallback, sans IO: a 400 about `think` is answered by one retry with the
/// fallback body, before any event; a second 400 is the call's error; reasoning is hidden for
/// `Off`.
#[test]
fn a_rejected_think_is_retried_once_with_the_fallback() {
    use crate::reasoning::{Reasoning, ReasoningCache};
    use crate::types::{Think, ThinkLevel};

    let t0 = Instant::now();
    let cache = ReasoningCache::new(); // nothing learned: resolved for a current server
    let mut request = chat();
    let call = cache.plan(&Reasoning::Effort(ThinkLevel::Max), "m", 4096);
    call.apply_chat(&mut request.0);
    let call = call.with_retry(&request);
    let mut ex = Exchange::stream(&ClientConfig::default(), &request, t0)
        .unwrap()
        .with_reasoning(Some(call));
    let first: serde_json::Value = serde_json::from_slice(ex.request().body()).unwrap();
    assert_eq!(first["think"], "max");
    to_head(&mut ex, 400, &HeaderMap::new(), t0);
    ex.on_body(
        br#"{"error":"invalid think value: \"max\" (must be \"high\", \"medium\", \"low\", true, or false)"}"#,
        t0,
    );
    ex.on_end(t0);
    assert!(events(&mut ex).is_empty(), "nothing reaches the caller");
    assert_eq!(ex.poll_action(), Action::Retry(t0));
    ex.handle_timeout(t0);
    let retry: serde_json::Value = serde_json::from_slice(ex.request().body()).unwrap();
    assert_eq!(retry["think"], "high");
    assert_eq!(retry["stream"], true);
    let applied = ex.info().reasoning.clone().unwrap();
    assert_eq!(applied.think, Some(Think::Level(ThinkLevel::High)));
    assert_eq!(
        applied.fallback.unwrap().rejected,
        Think::Level(ThinkLevel::Max)
    );
    assert_eq!(ex.info().attempts, 2);
    to_head(&mut ex, 400, &HeaderMap::new(), t0);
    ex.on_body(br#"{"error":"invalid think value: \"high\""}"#, t0);
    ex.on_end(t0);
    let got = events(&mut ex);
    assert_eq!(
        got,
        [Err("protocol.status".to_owned())],
        "a second 400 is reported"
    );
    assert_eq!(ex.poll_action(), Action::Finish { body_ended: true });
}

#[test]
fn off_hides_reasoning_in_the_exchange() {
    use crate::reasoning::{Reasoning, ReasoningCache};
    let t0 = Instant::now();
    let call = ReasoningCache::new().plan(&Reasoning::Off, "gpt-oss:20b", 4096);
    let mut ex = Exchange::stream(&ClientConfig::default(), &chat(), t0)
        .unwrap()
        .with_reasoning(Some(call));
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(
        b"{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"secret\"},\"done\":false}\n",
        t0,
    );
    ex.on_body(LINE, t0);
    ex.on_body(DONE, t0);
    let texts: Vec<_> = events(&mut ex)
        .into_iter()
        .filter_map(|e| match e {
            Ok(OwnedEvent::Thinking(t) | OwnedEvent::Content(t)) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["Hi"]);
}

#[test]
fn an_intent_for_reasoning_separates_it_whatever_the_client_policy() {
    use crate::reasoning::{Reasoning, ReasoningCache};
    use crate::think::{ThinkConfig, ThinkMode, ThinkPolicy};
    let t0 = Instant::now();
    let config =
        ClientConfig::default().think(ThinkConfig::new(ThinkMode::Server, ThinkPolicy::Hide));
    let call = ReasoningCache::new().plan(&Reasoning::On, "deepseek-r1:8b", 4096);
    let mut ex = Exchange::stream(&config, &chat(), t0)
        .unwrap()
        .with_reasoning(Some(call));
    to_head(&mut ex, 200, &HeaderMap::new(), t0);
    ex.on_body(
        b"{\"message\":{\"role\":\"assistant\",\"content\":\"<think>hm</think>4\"},\"done\":false}\n",
        t0,
    );
    ex.on_body(DONE, t0);
    let got: Vec<_> = events(&mut ex).into_iter().filter_map(Result::ok).collect();
    assert_eq!(
        got[..2],
        [
            OwnedEvent::Thinking("hm".into()),
            OwnedEvent::Content("4".into())
        ]
    );
}

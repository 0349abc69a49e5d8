//! Timeouts.

use super::support::*;
use super::*;

/// The server stalls after two lines: the idle timeout fires, after those lines' events.
pub fn stall_hits_idle_timeout<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).idle_timeout(Duration::from_millis(200)));
    let rec = Recording::load(GEMMA_HELLO);
    server.push_reply(Reply::from_recording(&rec).stall_after_lines(2, Duration::from_secs(3)));
    let started = Instant::now();
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    let first2: Vec<u8> = rec.lines()[..2].concat();
    assert_eq!(
        failure,
        Failure::Timeout(
            TimeoutKind::Idle,
            format!(
                "no body bytes from {} for 200ms, after {} body bytes \
                 (idle timeout; raise it with ClientBuilder::idle_timeout)",
                server.addr(),
                first2.len()
            )
        )
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let want = reference_events(StreamKind::Chat, &first2, DecoderConfig::default());
    assert_eq!(texts(&events), texts(&want));
}

/// The head comes late: the response-head timeout fires for calls and streams.
pub fn slow_head_hits_response_head_timeout<T: Transport>(t: &T) {
    let server = TestServer::start();
    let config = config_for(&server).response_head_timeout(Duration::from_millis(200));
    let client = t.client(config);
    let slow = Reply::recording(GEMMA_HELLO).delay_before_head(Duration::from_secs(3));
    server.push_reply(slow);
    let started = Instant::now();
    let failure = t.chat_stream(&client, hello(), None).unwrap_err();
    let want = Failure::Timeout(
        TimeoutKind::ResponseHead,
        format!(
            "no response head from {} within 200ms of sending the request \
             (response_head timeout; raise it with ClientBuilder::response_head_timeout)",
            server.addr()
        ),
    );
    assert_eq!(failure, want);
    server
        .push_reply(Reply::body(200, crate::JSON, "{}").delay_before_head(Duration::from_secs(3)));
    assert_eq!(t.version(&client).unwrap_err(), want);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// A stream that keeps producing is not cut by an idle timeout shorter than its length, and
/// no total timeout applies by default.
pub fn producing_stream_outlives_idle_timeout<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).idle_timeout(Duration::from_millis(150)));
    let line = r#"{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"x"},"done":false}"#;
    server.push_reply(Reply::endless_stream(line, Duration::from_millis(20)));
    let started = Instant::now();
    let out = t.chat_stream(&client, hello(), Some(25)).unwrap();
    assert_eq!(out.failure, None);
    assert_eq!(out.events.len(), 25);
    assert!(started.elapsed() > Duration::from_millis(300));
}

/// A total timeout cuts a stream that would go on forever.
pub fn total_timeout_cuts_a_stream<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).total_timeout(Duration::from_millis(300)));
    let line = r#"{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"x"},"done":false}"#;
    server.push_reply(Reply::endless_stream(line, Duration::from_millis(20)));
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(events.len() >= 3, "{}", events.len());
    let Failure::Timeout(TimeoutKind::Total, message) = failure else {
        panic!("expected the total timeout, got {failure:?}")
    };
    // The bytes received so far vary with timing; the rest is exact.
    let (start, end) = message.split_once(" after ").unwrap();
    assert_eq!(
        start,
        format!(
            "the call to {} reached its total timeout of 300ms",
            server.addr()
        )
    );
    let (bytes, end) = end.split_once(' ').unwrap();
    assert!(bytes.parse::<u64>().unwrap() > 0, "{message}");
    assert_eq!(
        end,
        "body bytes (raise it with ClientBuilder::total_timeout)"
    );
}

//! Helpers shared by the scenarios.

use super::*;

/// Every event the core decodes from `body` in one piece: the ground truth for chunked runs.
/// For a cut body, the events before the error (which is dropped).
pub(super) fn reference_events(
    kind: StreamKind,
    body: &[u8],
    config: DecoderConfig,
) -> Vec<OwnedEvent> {
    let mut decoder = Decoder::new(kind, config);
    decoder.feed(body).unwrap();
    decoder.finish();
    let mut out = Vec::new();
    while let Some(Ok(event)) = decoder.poll_event() {
        out.push(event.into_owned());
    }
    out
}

pub(super) fn merged(events: &[OwnedEvent]) -> Accumulator {
    let mut acc = Accumulator::default();
    for e in events {
        acc.push_owned(e.clone());
    }
    acc
}

/// Same texts, tool calls, logprobs and completion (event boundaries may differ with chunking).
pub(super) fn assert_same_result(got: &[OwnedEvent], want: &[OwnedEvent], what: &str) {
    let (g, w) = (merged(got), merged(want));
    assert_eq!(g.thinking(), w.thinking(), "{what}: thinking");
    assert_eq!(g.content(), w.content(), "{what}: content");
    assert_eq!(g.tool_calls(), w.tool_calls(), "{what}: tool calls");
    assert_eq!(g.logprobs(), w.logprobs(), "{what}: logprobs");
    assert_eq!(g.completion(), w.completion(), "{what}: completion");
    assert!(
        matches!(got.last(), Some(OwnedEvent::Done(_))),
        "{what}: ends with Done"
    );
}

pub(super) fn random_writes(seed: u64) -> WriteSizes {
    WriteSizes::Random {
        min: 1,
        max: 9,
        seed,
    }
}

pub(super) const GEMMA_HELLO: &str = "lcg-chat-stream-gemma3-hello.ndjson";

pub(super) fn protocol(f: Failure) -> ollama_proto::Error {
    match f {
        Failure::Protocol(e) => e,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

pub(super) fn status_of(f: Failure) -> ollama_proto::StatusError {
    match protocol(f) {
        ollama_proto::Error::Status(s) | ollama_proto::Error::Unauthorized(s) => s,
        other => panic!("expected a status error, got {other:?}"),
    }
}

/// A stream's failure (the call itself succeeded: the head was a success).
pub(super) fn stream_failure(out: Result<StreamOutcome, Failure>) -> (Vec<OwnedEvent>, Failure) {
    let out = out.unwrap();
    let failure = out
        .failure
        .unwrap_or_else(|| panic!("expected a failure, got {:?}", out.events.last()));
    (out.events, failure)
}

/// A short, fast retry policy for tests.
pub(super) fn quick_retries(n: u32) -> RetryPolicy {
    RetryPolicy::retries(n)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_secs(3))
}

/// What the core answers `call` for a 200 with `body` in one piece: the ground truth for a
/// single call over a real connection.
pub(super) fn recorded_answer<C: ollama_proto::request::SingleCall>(
    call: &C,
    body: &[u8],
) -> C::Output {
    let config = ClientConfig::default();
    ollama_proto::exchange::Exchange::answer_of(&config, call, 200, body, Instant::now()).unwrap()
}

/// Waits until the server has received `n` requests; fails after five seconds.
pub(super) fn wait_for_requests(server: &TestServer, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.requests().len() < n {
        assert!(
            Instant::now() < deadline,
            "the server never got request {n}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The recorded gemma answer to a chat, one write every `pause`: a stream that stays open.
pub(super) fn slow_stream(pause: Duration) -> Reply {
    Reply::recording(GEMMA_HELLO)
        .delay_between_writes(pause)
        .for_path("/api/chat")
}

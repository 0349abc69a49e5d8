//! The conformance suite every transport must pass, written once.
//!
//! A transport's test file implements [`Transport`] (a blocking façade over its async client:
//! `block_on` each call) and expands [`conformance_tests!`](crate::conformance_tests), which generates one `#[test]` per
//! scenario. Scenarios run against a fresh [`TestServer`] on loopback and assert exact typed
//! results, so both transports are held to the same behaviour.

//!
//! Decisions every transport follows (each one is a scenario below):
//! - a connection closed (FIN) or reset in the middle of an HTTP body is [`Failure::Io`]: the
//!   HTTP framing promised more bytes; a body that ends cleanly before the final NDJSON object
//!   is `Protocol(Truncated)`;
//! - a response-head timeout is not retried; a stream that has started is never retried;
//! - an HTTP error status is reported by the streaming call itself (before any event), with
//!   the error body read and classified by the core.
//!
//! Every scenario uses small timeouts and bounded waits, so the suite runs in seconds.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed conformance assertion

use std::future::poll_fn;
use std::net::TcpListener;
use std::pin::Pin;
use std::time::{Duration, Instant};

use futures_core::Stream;

use bytes::Bytes;
use ollama_proto::deadline::TimeoutKind;
use ollama_proto::retry::RetryPolicy;
use ollama_proto::types::{
    BlobDigest, ChatRequest, ChatResponse, DeleteRequest, EmbedRequest, EmbedResponse,
    GenerateRequest, Message, PullRequest,
};
use ollama_proto::{
    Accumulator, BodyKind, ClientConfig, ClientError, Decoder, DecoderConfig, OwnedEvent,
    StreamKind,
};
use serde::de::DeserializeOwned;

use crate::{Framing, Recording, Reply, TestServer, WriteSizes};

/// What a transport call ended with, in transport-neutral terms.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Failure {
    /// The server or the bytes were wrong (`ollama_proto::Error`): status, server line,
    /// truncation, JSON, UTF-8, line too long, trailing data.
    Protocol(ollama_proto::Error),
    /// The caller misused the API.
    Usage(ollama_proto::UsageError),
    /// One of the four timeouts expired.
    Timeout(TimeoutKind),
    /// No connection could be made.
    Connect(String),
    /// The connection failed after it was made (reset, closed mid-body…).
    Io(String),
}

/// Events read from a stream, and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOutcome {
    /// Every event received, in order.
    pub events: Vec<OwnedEvent>,
    /// `None` when the stream ended normally (after `Done`).
    pub failure: Option<Failure>,
}

/// A transport's error (every transport's `Error` is the core's [`ClientError`]) in the
/// suite's terms; `Connect` and `Io` keep the whole message.
///
/// # Panics
/// On a variant the suite does not know yet.
pub fn failure(e: ClientError) -> Failure {
    match e {
        ClientError::Protocol(e) => Failure::Protocol(e),
        ClientError::Usage(e) => Failure::Usage(e),
        ClientError::Timeout(t) => Failure::Timeout(t.kind),
        ClientError::Connect(_) => Failure::Connect(e.to_string()),
        ClientError::Io(_) => Failure::Io(e.to_string()),
        other => panic!("an error kind the suite does not know: {other:?}"),
    }
}

/// Reads a transport's event stream to its end or first error; `stop_after` drops it after that
/// many events (cancellation).
pub async fn drain<S>(mut stream: S, stop_after: Option<usize>) -> StreamOutcome
where
    S: Stream<Item = Result<OwnedEvent, ClientError>> + Unpin,
{
    let mut events = Vec::new();
    // Bounded by the stream: every recorded or scripted stream ends, and endless ones are
    // stopped by `stop_after` or a timeout.
    while let Some(event) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        match event {
            Ok(event) => events.push(event),
            Err(e) => {
                return StreamOutcome {
                    events,
                    failure: Some(failure(e)),
                };
            }
        }
        if stop_after.is_some_and(|n| events.len() >= n) {
            break; // dropping the stream cancels it
        }
    }
    StreamOutcome {
        events,
        failure: None,
    }
}

/// A blocking façade over one transport's client, implemented in that transport's tests.
pub trait Transport {
    /// The transport's client type.
    type Client;

    /// A client built from `config` through the transport's public builder.
    fn client(&self, config: ClientConfig) -> Self::Client;

    /// Runs a streaming chat to its end (or first failure); `stop_after` drops the stream
    /// after that many events (cancellation).
    fn chat_stream(
        &self,
        client: &Self::Client,
        request: ChatRequest,
        stop_after: Option<usize>,
    ) -> Result<StreamOutcome, Failure>;

    /// Runs a streaming generate to its end.
    fn generate_stream(
        &self,
        client: &Self::Client,
        request: GenerateRequest,
    ) -> Result<StreamOutcome, Failure>;

    /// Runs a streaming pull to its end.
    fn pull_stream(
        &self,
        client: &Self::Client,
        request: PullRequest,
    ) -> Result<StreamOutcome, Failure>;

    /// A non-streaming chat.
    fn chat(&self, client: &Self::Client, request: ChatRequest) -> Result<ChatResponse, Failure>;

    /// `GET /api/version`, returning the version string.
    fn version(&self, client: &Self::Client) -> Result<String, Failure>;

    /// `POST /api/embed`.
    fn embed(&self, client: &Self::Client, request: EmbedRequest)
    -> Result<EmbedResponse, Failure>;

    /// `DELETE /api/delete` (a call that is not safe to repeat).
    fn delete(&self, client: &Self::Client, request: DeleteRequest) -> Result<(), Failure>;

    /// `HEAD /api/blobs/:digest`.
    fn blob_exists(&self, client: &Self::Client, digest: &BlobDigest) -> Result<bool, Failure>;

    /// `POST /api/blobs/:digest`.
    fn create_blob(
        &self,
        client: &Self::Client,
        digest: BlobDigest,
        data: Bytes,
    ) -> Result<(), Failure>;
}

/// A client config pointing at `server`.
pub fn config_for(server: &TestServer) -> ClientConfig {
    ClientConfig::new(server.url().parse().expect("testkit URL parses"))
}

/// Merged texts of a stream's events: (thinking, content).
pub fn texts(events: &[OwnedEvent]) -> (String, String) {
    let (mut thinking, mut content) = (String::new(), String::new());
    for e in events {
        match e {
            OwnedEvent::Thinking(s) => thinking.push_str(s),
            OwnedEvent::Content(s) => content.push_str(s),
            _ => {}
        }
    }
    (thinking, content)
}

/// A one-message chat request for `gemma3:1b`.
pub fn hello() -> ChatRequest {
    ChatRequest::new("gemma3:1b", vec![Message::user("hi")])
}

/// The recorded request body of the response recording `name`, as a typed chat request.
pub fn recorded_chat(name: &str) -> ChatRequest {
    recorded(name)
}

/// The recorded request body of the response recording `name`, as any typed request.
///
/// # Panics
/// If the recording has no request body or it does not decode as `T`.
pub fn recorded<T: DeserializeOwned>(name: &str) -> T {
    let rec = Recording::load(name);
    serde_json::from_value(rec.request.expect("recording has a request")).expect("typed request")
}

/// Generates one `#[test]` per conformance scenario for a [`Transport`] value.
///
/// ```ignore
/// testkit::conformance_tests!(MyTransport);
/// ```
#[macro_export]
macro_rules! conformance_tests {
    ($transport:expr) => {
        $crate::conformance_tests!(@each $transport;
            version_roundtrip,
            recorded_chat_stream_is_exact,
            split_writes_chat_thinking_is_exact,
            split_writes_chat_tool_calls_are_exact,
            split_writes_generate_inline_think_is_exact,
            split_writes_pull_progress_is_exact,
            content_length_framed_stream_is_exact,
            delayed_writes_are_exact,
            non_streamed_chat_is_exact,
            embed_is_exact,
            status_errors_are_classified,
            unauthorized_carries_signin_url,
            error_line_mid_stream,
            clean_close_before_done_is_truncated,
            abort_mid_chunk_is_io,
            reset_mid_body_is_io,
            stall_hits_idle_timeout,
            slow_head_hits_response_head_timeout,
            producing_stream_outlives_idle_timeout,
            total_timeout_cuts_a_stream,
            endless_line_is_line_too_long,
            body_over_max_body_is_refused,
            request_bodies_and_headers,
            bearer_only_when_configured,
            connections_are_reused,
            drop_cancels_server_side,
            retries_503_then_succeeds,
            retry_after_is_honoured,
            no_retry_when_disabled,
            no_retry_for_unsafe_calls,
            no_retry_once_a_stream_started,
            connect_refused_is_connect,
            blobs_round_trip,
        );
    };
    (@each $transport:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::conformance::$name(&$transport);
            }
        )*
    };
}

/// `GET /api/version` answers the testkit's version.
pub fn version_roundtrip<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
}

/// Sending a recorded request returns exactly the recorded stream's text.
pub fn recorded_chat_stream_is_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let name = "lcg-chat-stream-gemma3-hello.ndjson";
    let out = t.chat_stream(&client, recorded_chat(name), None).unwrap();
    assert_eq!(out.failure, None);
    let want: String = Recording::load(name)
        .lines()
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).unwrap();
            v["message"]["content"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(texts(&out.events).1, want);
    assert!(matches!(out.events.last(), Some(OwnedEvent::Done(_))));
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Every event the core decodes from `body` in one piece: the ground truth for chunked runs.
/// For a cut body, the events before the error (which is dropped).
fn reference_events(kind: StreamKind, body: &[u8], config: DecoderConfig) -> Vec<OwnedEvent> {
    let mut decoder = Decoder::new(kind, config);
    decoder.feed(body).unwrap();
    decoder.finish();
    let mut out = Vec::new();
    while let Some(Ok(event)) = decoder.poll_event() {
        out.push(event.to_owned());
    }
    out
}

fn merged(events: &[OwnedEvent]) -> Accumulator {
    let mut acc = Accumulator::default();
    for e in events {
        acc.push_owned(e.clone());
    }
    acc
}

/// Same texts, tool calls, logprobs and completion (event boundaries may differ with chunking).
fn assert_same_result(got: &[OwnedEvent], want: &[OwnedEvent], what: &str) {
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

fn random_writes(seed: u64) -> WriteSizes {
    WriteSizes::Random {
        min: 1,
        max: 9,
        seed,
    }
}

const GEMMA_HELLO: &str = "lcg-chat-stream-gemma3-hello.ndjson";

fn protocol(f: Failure) -> ollama_proto::Error {
    match f {
        Failure::Protocol(e) => e,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

fn status_of(f: Failure) -> ollama_proto::StatusError {
    match protocol(f) {
        ollama_proto::Error::Status(s) | ollama_proto::Error::Unauthorized(s) => s,
        other => panic!("expected a status error, got {other:?}"),
    }
}

/// A stream's failure (the call itself succeeded: the head was a success).
fn stream_failure(out: Result<StreamOutcome, Failure>) -> (Vec<OwnedEvent>, Failure) {
    let out = out.unwrap();
    let failure = out
        .failure
        .unwrap_or_else(|| panic!("expected a failure, got {:?}", out.events.last()));
    (out.events, failure)
}

/// A short, fast retry policy for tests.
fn quick_retries(n: u32) -> RetryPolicy {
    RetryPolicy::retries(n)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_secs(3))
}

// ---------------------------------------------------------------------------------------------
// Exact results under every chunking

fn split_writes_stream<T: Transport>(t: &T, name: &str, seeds: &[u64]) {
    let rec = Recording::load(name);
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let kind = match rec.route {
        crate::Route::Generate => StreamKind::Generate,
        crate::Route::Pull => StreamKind::Progress,
        _ => StreamKind::Chat,
    };
    let want = reference_events(kind, &rec.body, DecoderConfig::default());
    for &seed in seeds {
        server.push_reply(Reply::from_recording(&rec).write_sizes(random_writes(seed)));
        let out = match kind {
            StreamKind::Generate => t.generate_stream(
                &client,
                GenerateRequest::new(rec.model.clone().unwrap(), "hi"),
            ),
            StreamKind::Progress => {
                t.pull_stream(&client, PullRequest::new(rec.model.clone().unwrap()))
            }
            _ => t.chat_stream(
                &client,
                ChatRequest::new(rec.model.clone().unwrap(), vec![Message::user("hi")]),
                None,
            ),
        }
        .unwrap();
        assert_eq!(out.failure, None, "{name} seed {seed}");
        if kind == StreamKind::Progress {
            // Progress lines are whole events: the sequence itself is exact.
            assert_eq!(out.events, want, "{name} seed {seed}");
        } else {
            assert_same_result(&out.events, &want, &format!("{name} seed {seed}"));
        }
    }
}

/// gpt-oss with the server's `thinking` field, cut into 1–9 byte writes (split JSON and split
/// UTF-8): the same thinking, content and completion as the recording decoded in one piece.
pub fn split_writes_chat_thinking_is_exact<T: Transport>(t: &T) {
    split_writes_stream(t, "prism-chat-stream-gptoss-thinking.ndjson", &[1, 2, 3]);
    let want = Recording::load("prism-chat-stream-gptoss-thinking.ndjson");
    let thinking: String = want
        .lines()
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).unwrap();
            v["message"]["thinking"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    let reference = reference_events(StreamKind::Chat, &want.body, DecoderConfig::default());
    assert!(!thinking.is_empty());
    assert_eq!(merged(&reference).thinking(), thinking);
}

/// Parallel tool calls, split writes: the same calls in the same order.
pub fn split_writes_chat_tool_calls_are_exact<T: Transport>(t: &T) {
    let name = "prism-chat-stream-qwen3-parallel-toolcalls.ndjson";
    split_writes_stream(t, name, &[4, 5]);
    let reference = reference_events(
        StreamKind::Chat,
        &Recording::load(name).body,
        DecoderConfig::default(),
    );
    let names: Vec<_> = merged(&reference)
        .tool_calls()
        .iter()
        .map(|c| c.function.name.clone())
        .collect();
    assert_eq!(names, ["weather", "search"]);
}

/// Raw generate with inline `<think>` tags, split by the default `Auto` mode across writes.
pub fn split_writes_generate_inline_think_is_exact<T: Transport>(t: &T) {
    let name = "atg-raw-generate-stream-qwen3-1.7b-think-tags.ndjson";
    split_writes_stream(t, name, &[6, 7]);
    let reference = merged(&reference_events(
        StreamKind::Generate,
        &Recording::load(name).body,
        DecoderConfig::default(),
    ));
    assert!(reference.thinking().contains("Okay, the user"));
    assert!(!reference.content().is_empty());
    assert!(!reference.content().contains("think>"));
}

/// Pull progress, split writes: exactly the recorded progress events.
pub fn split_writes_pull_progress_is_exact<T: Transport>(t: &T) {
    split_writes_stream(t, "lcg-pull-stream-gemma3.ndjson", &[8, 9]);
}

/// A stream sized with `Content-Length` (as ollama.com sends them) decodes the same.
pub fn content_length_framed_stream_is_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let rec = Recording::load(GEMMA_HELLO);
    server.push_reply(
        Reply::from_recording(&rec)
            .framing(Framing::ContentLength)
            .write_sizes(random_writes(11)),
    );
    let out = t.chat_stream(&client, hello(), None).unwrap();
    assert_eq!(out.failure, None);
    let want = reference_events(StreamKind::Chat, &rec.body, DecoderConfig::default());
    assert_same_result(&out.events, &want, "content-length");
}

/// Pauses between writes change nothing.
pub fn delayed_writes_are_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let rec = Recording::load("lcg-pull-stream-gemma3.ndjson");
    server.push_reply(
        Reply::from_recording(&rec)
            .write_sizes(WriteSizes::Fixed(40))
            .delay_between_writes(Duration::from_millis(3)),
    );
    let out = t
        .pull_stream(&client, PullRequest::new("gemma3:1b"))
        .unwrap();
    assert_eq!(out.failure, None);
    let want = reference_events(StreamKind::Progress, &rec.body, DecoderConfig::default());
    assert_eq!(out.events, want);
}

/// A non-streamed chat answer with thinking, cut into small writes, decodes like the core does
/// it in one piece.
pub fn non_streamed_chat_is_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let name = "prism-chat-nonstream-gptoss-thinking.json";
    let rec = Recording::load(name);
    server.push_reply(Reply::from_recording(&rec).write_sizes(random_writes(12)));
    let got = t.chat(&client, recorded_chat(name)).unwrap();
    let want = <ChatRequest as ollama_proto::request::Call>::decode_output(200, &rec.body).unwrap();
    assert_eq!(got, want);
    assert!(got.message.thinking.is_some());
}

/// `/api/embed` answered from the recording: the exact vectors.
pub fn embed_is_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let name = "lcg-embed-nomic.json";
    let rec = Recording::load(name);
    let got = t.embed(&client, recorded(name)).unwrap();
    let want: EmbedResponse = serde_json::from_slice(&rec.body).unwrap();
    assert_eq!(got, want);
    assert!(!got.embeddings.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Errors

/// HTTP error replies with JSON, text, HTML and empty bodies, each with the status, message
/// and body kind the core must classify it as.
pub fn status_error_cases() -> Vec<(Reply, u16, &'static str, BodyKind)> {
    vec![
        (
            Reply::status_json(400, "invalid model name"),
            400,
            "invalid model name",
            BodyKind::Json,
        ),
        (
            Reply::status_text(404, "404 page not found"),
            404,
            "404 page not found",
            BodyKind::Text,
        ),
        (
            Reply::status_html(
                502,
                "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            ),
            502,
            "502 Bad Gateway",
            BodyKind::Html,
        ),
        (Reply::status_empty(403), 403, "", BodyKind::Empty),
    ]
}

/// Status errors with JSON, text, HTML and empty bodies: the exact `StatusError`, from a call
/// and from a streaming call alike.
pub fn status_errors_are_classified<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let cases = status_error_cases();
    for (reply, status, message, body) in cases {
        for streaming in [false, true] {
            server.push_reply(reply.clone());
            let failure = if streaming {
                t.chat_stream(&client, hello(), None).unwrap_err()
            } else {
                t.chat(&client, hello()).unwrap_err()
            };
            let s = status_of(failure);
            assert_eq!(
                (
                    s.status,
                    s.message.as_str(),
                    s.signin_url.as_deref(),
                    s.body
                ),
                (status, message, None, body),
                "streaming: {streaming}"
            );
        }
    }
}

/// 401 with `signin_url`: `Unauthorized`, keeping the URL.
pub fn unauthorized_carries_signin_url<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let url = "https://ollama.com/connect?name=host&key=abc";
    server.push_reply(Reply::status_json_signin(401, "unauthorized", url));
    match protocol(t.version(&client).unwrap_err()) {
        ollama_proto::Error::Unauthorized(s) => {
            assert_eq!(
                (s.status, s.message.as_str(), s.signin_url.as_deref()),
                (401, "unauthorized", Some(url))
            );
        }
        other => panic!("{other:?}"),
    }
}

/// `{"error":…}` after three lines: `Error::Server` with the message and the line number,
/// after the events of those lines.
pub fn error_line_mid_stream<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let rec = Recording::load(GEMMA_HELLO);
    server.push_reply(Reply::from_recording(&rec).error_line_after(3, "model runner crashed"));
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    let first3: Vec<u8> = rec.lines()[..3].concat();
    match protocol(failure) {
        ollama_proto::Error::Server {
            message,
            signin_url,
            at,
        } => {
            assert_eq!(message, "model runner crashed");
            assert_eq!(signin_url, None);
            assert_eq!((at.line, at.offset), (4, first3.len() as u64));
        }
        other => panic!("{other:?}"),
    }
    let want = reference_events(StreamKind::Chat, &first3, DecoderConfig::default());
    assert_eq!(texts(&events), texts(&want));
}

/// A body that ends cleanly after five lines, with no `done`: `Truncated` with exact counts.
pub fn clean_close_before_done_is_truncated<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let rec = Recording::load(GEMMA_HELLO);
    server.push_reply(
        Reply::from_recording(&rec)
            .close_after_lines(5)
            .write_sizes(random_writes(13)),
    );
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    let bytes: usize = rec.lines()[..5].iter().map(|l| l.len()).sum();
    assert_eq!(
        protocol(failure),
        ollama_proto::Error::Truncated {
            lines: 5,
            bytes: bytes as u64
        }
    );
}

/// The socket closes (FIN) in the middle of a chunk: `Io` (the framing promised more).
pub fn abort_mid_chunk_is_io<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    server.push_reply(Reply::recording(GEMMA_HELLO).abort_after_bytes(300));
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(failure, Failure::Io(_)), "{failure:?}");
}

/// The socket is reset (RST) mid-body: `Io`.
pub fn reset_mid_body_is_io<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    server.push_reply(Reply::recording(GEMMA_HELLO).reset_after_bytes(500));
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(failure, Failure::Io(_)), "{failure:?}");
}

// ---------------------------------------------------------------------------------------------
// Timeouts

/// The server stalls after two lines: the idle timeout fires, after those lines' events.
pub fn stall_hits_idle_timeout<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).idle_timeout(Duration::from_millis(200)));
    let rec = Recording::load(GEMMA_HELLO);
    server.push_reply(Reply::from_recording(&rec).stall_after_lines(2, Duration::from_secs(3)));
    let started = Instant::now();
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert_eq!(failure, Failure::Timeout(TimeoutKind::Idle));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let first2: Vec<u8> = rec.lines()[..2].concat();
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
    assert_eq!(failure, Failure::Timeout(TimeoutKind::ResponseHead));
    server
        .push_reply(Reply::body(200, crate::JSON, "{}").delay_before_head(Duration::from_secs(3)));
    assert_eq!(
        t.version(&client).unwrap_err(),
        Failure::Timeout(TimeoutKind::ResponseHead)
    );
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
    assert_eq!(failure, Failure::Timeout(TimeoutKind::Total));
    assert!(events.len() >= 3, "{}", events.len());
}

// ---------------------------------------------------------------------------------------------
// Limits

/// A line that never ends with a 1 KiB limit: `LineTooLong` at line 1.
pub fn endless_line_is_line_too_long<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).max_line_len(1024));
    server.push_reply(Reply::endless_line(1 << 20));
    let (events, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(events.is_empty());
    match protocol(failure) {
        ollama_proto::Error::LineTooLong { at, limit } => {
            assert_eq!((at.line, at.offset, limit), (1, 0, 1024));
        }
        other => panic!("{other:?}"),
    }
}

/// A single body over `max_body` is refused, not buffered.
pub fn body_over_max_body_is_refused<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).max_body(8));
    match protocol(t.version(&client).unwrap_err()) {
        ollama_proto::Error::LineTooLong { limit, .. } => assert_eq!(limit, 8),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Requests as the server saw them

/// Exact JSON bodies and the standard headers, streamed and not, and a bodiless GET.
pub fn request_bodies_and_headers<T: Transport>(t: &T) {
    let server = TestServer::start();
    let config = config_for(&server).user_agent("conformance/1.0");
    let client = t.client(config);
    let request = recorded_chat(GEMMA_HELLO);
    let out = t.chat_stream(&client, request.clone(), None).unwrap();
    assert_eq!(out.failure, None);
    t.chat(&client, request.clone()).unwrap();
    t.version(&client).unwrap();

    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    let mut want = serde_json::to_value(&request).unwrap();
    for (i, stream) in [(0, true), (1, false)] {
        let r = &seen[i];
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/api/chat"));
        want["stream"] = serde_json::Value::Bool(stream);
        assert_eq!(r.json().unwrap(), want, "stream: {stream}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let accept = if stream {
            "application/x-ndjson"
        } else {
            "application/json"
        };
        assert_eq!(r.header("accept"), Some(accept));
        assert_eq!(r.header("user-agent"), Some("conformance/1.0"));
        assert_eq!(r.header("authorization"), None);
    }
    let get = &seen[2];
    assert_eq!(
        (get.method.as_str(), get.path.as_str()),
        ("GET", "/api/version")
    );
    assert!(get.body.is_empty());
    assert_eq!(get.header("content-type"), None);
    assert_eq!(get.header("accept"), Some("application/json"));
}

/// `Authorization: Bearer <key>` is sent when a key is configured, never otherwise.
pub fn bearer_only_when_configured<T: Transport>(t: &T) {
    let server = TestServer::start();
    let with_key = t.client(config_for(&server).api_key("sk-test-123"));
    let without = t.client(config_for(&server));
    t.version(&with_key).unwrap();
    t.version(&without).unwrap();
    let seen = server.requests();
    assert_eq!(seen[0].header("authorization"), Some("Bearer sk-test-123"));
    assert_eq!(seen[1].header("authorization"), None);
}

// ---------------------------------------------------------------------------------------------
// Connections

/// Sequential fully read calls (streams and single answers) share one connection.
pub fn connections_are_reused<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    for _ in 0..3 {
        let out = t
            .chat_stream(&client, recorded_chat(GEMMA_HELLO), None)
            .unwrap();
        assert_eq!(out.failure, None);
        t.version(&client).unwrap();
    }
    t.pull_stream(&client, PullRequest::new("gemma3:1b"))
        .unwrap();
    t.chat(&client, recorded_chat(GEMMA_HELLO)).unwrap();
    assert_eq!(server.requests().len(), 8);
    let ids: Vec<_> = server
        .requests()
        .iter()
        .map(|r| (r.path.clone(), r.connection_id))
        .collect();
    assert_eq!(server.connections_accepted(), 1, "{ids:?}");
    assert!(server.requests().iter().all(|r| r.connection_id == 1));
}

/// Dropping a stream closes its connection: the server sees the disconnect while generating,
/// and the next call works on a new connection.
pub fn drop_cancels_server_side<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let line = r#"{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"tok "},"done":false}"#;
    server.push_reply(Reply::endless_stream(line, Duration::from_millis(10)));
    let out = t.chat_stream(&client, hello(), Some(3)).unwrap();
    assert_eq!(out.events.len(), 3);
    let gone = server
        .wait_for_disconnect(Duration::from_secs(3))
        .expect("the server saw the client leave");
    assert_eq!(gone.path, "/api/chat");
    assert!(
        gone.lines_written >= 3 && gone.lines_written < 1000,
        "{gone:?}"
    );
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
}

// ---------------------------------------------------------------------------------------------
// Retries

/// Two 503s, then the recorded answer: retried with backoff, three requests.
pub fn retries_503_then_succeeds<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(3)));
    server.push_reply(Reply::status_json(503, "server busy").times(2));
    let out = t
        .chat_stream(&client, recorded_chat(GEMMA_HELLO), None)
        .unwrap();
    assert_eq!(out.failure, None);
    assert_eq!(server.requests().len(), 3);
    server.push_reply(Reply::status_json(429, "rate limited"));
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    assert_eq!(server.requests().len(), 5);
    // Out of retries: the last status error is returned.
    server.push_reply(Reply::status_json(503, "still busy").times(4));
    let s = status_of(t.version(&client).unwrap_err());
    assert_eq!((s.status, s.message.as_str()), (503, "still busy"));
    assert_eq!(server.requests().len(), 9);
}

/// `Retry-After: 1` makes the client wait about a second instead of its 10 ms backoff.
pub fn retry_after_is_honoured<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(2)));
    server.push_reply(Reply::status_json(503, "busy").retry_after(1));
    let started = Instant::now();
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}

/// Retries are opt-in: by default a 503 is returned at once.
pub fn no_retry_when_disabled<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    server.push_reply(Reply::status_json(503, "busy").times(2));
    let s = status_of(t.version(&client).unwrap_err());
    assert_eq!((s.status, s.message.as_str()), (503, "busy"));
    assert_eq!(server.requests().len(), 1);
}

/// `delete` is not safe to repeat: never retried.
pub fn no_retry_for_unsafe_calls<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(3)));
    server.push_reply(Reply::status_json(503, "busy").times(2));
    let s = status_of(t.delete(&client, DeleteRequest::new("m")).unwrap_err());
    assert_eq!(s.status, 503);
    assert_eq!(server.requests().len(), 1);
}

/// A stream that fails after it started is never retried.
pub fn no_retry_once_a_stream_started<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server).retry(quick_retries(3)));
    server.push_reply(Reply::recording(GEMMA_HELLO).reset_after_bytes(500));
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(failure, Failure::Io(_)), "{failure:?}");
    server.push_reply(Reply::recording(GEMMA_HELLO).error_line_after(2, "boom"));
    let (_, failure) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(
        protocol(failure),
        ollama_proto::Error::Server { .. }
    ));
    assert_eq!(server.requests().len(), 2);
}

/// Nothing listens on the port: `Connect`, quickly, with or without retries.
pub fn connect_refused_is_connect<T: Transport>(t: &T) {
    let port = {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let config = ClientConfig::new(url.parse().unwrap());
    let client = t.client(config.clone());
    let started = Instant::now();
    match t.version(&client).unwrap_err() {
        Failure::Connect(message) => assert!(message.contains(&url), "{message}"),
        other => panic!("{other:?}"),
    }
    let retrying = t.client(config.retry(quick_retries(2)));
    assert!(matches!(
        t.chat_stream(&retrying, hello(), None).unwrap_err(),
        Failure::Connect(_)
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A blob upload is checked against its digest, and `HEAD` sees it afterwards, over one
/// connection.
pub fn blobs_round_trip<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let data = Bytes::from_static(b"hello blob");
    // sha256("hello blob")
    let digest = "sha256:e997afd18e5f6be004fc193aed2c90291e68ab2c7599a62538c935b7fca6ab0f";
    let digest = BlobDigest::parse(digest).unwrap();
    assert!(!t.blob_exists(&client, &digest).unwrap());
    t.create_blob(&client, digest.clone(), data.clone())
        .unwrap();
    assert!(t.blob_exists(&client, &digest).unwrap());
    // Bytes that do not match their digest are a 400.
    let other = "sha256:23efd0ab117e71dc3accb6d524b7c4f41ded0107d594aef8d4caadb3052d7ada";
    let other = BlobDigest::parse(other).unwrap();
    let failure = t.create_blob(&client, other, data).unwrap_err();
    assert_eq!(status_of(failure).status, 400);
    assert_eq!(server.connections_accepted(), 1);
}

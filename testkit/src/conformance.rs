//! The conformance suite every transport must pass, written once.
//!
//! A transport's test file implements [`Transport`] (a blocking façade over its async client:
//! `block_on` each call) and expands [`conformance_tests!`], which generates one `#[test]` per
//! scenario. Scenarios run against a fresh [`TestServer`] on loopback and assert exact typed
//! results, so both transports are held to the same behaviour.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed conformance assertion

use ollama_proto::deadline::TimeoutKind;
use ollama_proto::types::{ChatRequest, ChatResponse, GenerateRequest, PullRequest};
use ollama_proto::{ClientConfig, OwnedEvent};

use crate::TestServer;

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

/// The recorded request body of the response recording `name`, as a typed chat request.
pub fn recorded_chat(name: &str) -> ChatRequest {
    let rec = crate::Recording::load(name);
    serde_json::from_value(rec.request.expect("recording has a request")).expect("chat request")
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
    let want: String = crate::Recording::load(name)
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

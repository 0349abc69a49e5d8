//! The conformance suite every transport must pass, written once.
//!
//! A transport's test file implements [`Transport`] (a blocking façade over its client:
//! `block_on` each call of an async one, [`drain_iter`] for a blocking one's streams) and expands [`conformance_tests!`](crate::conformance_tests), which generates one `#[test]` per
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
//! Every scenario uses small timeouts and bounded waits, so the suite runs in seconds. The
//! scenarios whose peer never answers (a vanished server, an unanswered connect) run each in
//! a network namespace of its own ([`crate::netns`]).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed conformance assertion

use std::future::poll_fn;
use std::net::TcpListener;
use std::pin::Pin;
use std::time::{Duration, Instant};

use futures_core::Stream;

use bytes::Bytes;
use ollama_proto::deadline::TimeoutKind;
use ollama_proto::pool::PoolOptions;
use ollama_proto::retry::RetryPolicy;
use ollama_proto::types::{
    BalanceResponse, BlobDigest, ChatRequest, ChatResponse, DeleteRequest, EmbedRequest,
    EmbedResponse, GenerateRequest, GenerateResponse, GetUsage, Message, PullRequest,
    SystemOneRequest, SystemOneResponse, UsageResponse, UserResponse,
};
use ollama_proto::{
    Accumulator, BodyKind, ClientConfig, ClientError, Decoder, DecoderConfig, OwnedEvent,
    StreamKind,
};
use serde::de::DeserializeOwned;

use ollama_proto::tools::{Conversation, ToolRun, Toolbox};

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
    /// One of the four timeouts expired, or keepalive found the peer gone: which, and the
    /// whole message (where, and the setting that fired).
    Timeout(TimeoutKind, String),
    /// No connection could be made.
    Connect(String),
    /// The connection failed after it was made (reset, closed mid-body…).
    Io(String),
    /// A structured answer did not fit its type.
    Structured(ollama_proto::tools::DecodeError),
    /// A structured answer was empty: all output went to reasoning.
    EmptyAnswer(ollama_proto::tools::EmptyAnswer),
    /// A tool run stopped without an answer.
    Tools(ollama_proto::tools::ToolLoopError),
    /// A proxy failed the call ([`ClientError::Proxy`]): its whole message.
    Proxy(String),
    /// No connection: the client's machine ran out of descriptors or ports
    /// ([`ClientError::exhausted`]); what ran out and the whole message.
    Exhausted(ollama_proto::connect::Resource, String),
    /// A timeout expired while the call waited for a connection under the client's limit
    /// ([`ClientError::waited_for_connection`]).
    WaitedForConnection {
        /// Which timeout.
        kind: TimeoutKind,
        /// Connections busy when the call started waiting.
        busy: usize,
        /// The limit.
        max: usize,
        /// The whole message.
        message: String,
    },
}

/// Events read from a stream, and how it ended.
#[derive(Debug, Clone, PartialEq, Default)]
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
    if let Some(x) = e.exhausted() {
        return Failure::Exhausted(x.resource, e.to_string());
    }
    if let (Some((busy, max)), Some(kind)) = (e.waited_for_connection(), e.timeout_kind()) {
        let message = e.to_string();
        return Failure::WaitedForConnection {
            kind,
            busy,
            max,
            message,
        };
    }
    match e {
        ClientError::Protocol(e) => Failure::Protocol(e),
        ClientError::Usage(e) => Failure::Usage(e),
        ClientError::Timeout(t) => Failure::Timeout(t.kind, t.to_string()),
        ClientError::Connect(_) => Failure::Connect(e.to_string()),
        ClientError::Io(_) => Failure::Io(e.to_string()),
        ClientError::Structured(e) => Failure::Structured(e),
        ClientError::EmptyAnswer(e) => Failure::EmptyAnswer(e),
        ClientError::Tools(e) => Failure::Tools(e),
        ClientError::Proxy(_) => Failure::Proxy(e.to_string()),
        other => panic!("an error kind the suite does not know: {other:?}"),
    }
}

/// Reads a transport's event stream to its end or first error; `stop_after` drops it after that
/// many events (cancellation).
pub async fn drain<S>(mut stream: S, stop_after: Option<usize>) -> StreamOutcome
where
    S: Stream<Item = Result<OwnedEvent, ClientError>> + Unpin,
{
    let mut outcome = StreamOutcome::default();
    // Bounded by the stream: every recorded or scripted stream ends, and endless ones are
    // stopped by `stop_after` or a timeout.
    while let Some(event) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        if !outcome.push(event, stop_after) {
            break; // dropping the stream cancels it
        }
    }
    outcome
}

/// [`drain`] for a blocking transport, whose event stream is an [`Iterator`].
pub fn drain_iter<I>(stream: I, stop_after: Option<usize>) -> StreamOutcome
where
    I: IntoIterator<Item = Result<OwnedEvent, ClientError>>,
{
    let mut outcome = StreamOutcome::default();
    // Bounded as in `drain`.
    for event in stream {
        if !outcome.push(event, stop_after) {
            break; // dropping the stream cancels it
        }
    }
    outcome
}

impl StreamOutcome {
    /// Records one item of a stream: `false` once reading should stop (a failure, or
    /// `stop_after` events).
    fn push(&mut self, event: Result<OwnedEvent, ClientError>, stop_after: Option<usize>) -> bool {
        match event {
            Ok(event) => self.events.push(event),
            Err(e) => {
                self.failure = Some(failure(e));
                return false;
            }
        }
        stop_after.is_none_or(|n| self.events.len() < n)
    }
}

/// A blocking façade over one transport's client, implemented in that transport's tests.
pub trait Transport {
    /// The transport's client type.
    type Client;

    /// A client built from `config` through the transport's public builder.
    fn client(&self, config: ClientConfig) -> Self::Client;

    /// A client with `config` and these pool settings (the connection limit, idle
    /// connections), through the transport's public API.
    fn client_with_pool(&self, config: ClientConfig, pool: PoolOptions) -> Self::Client;

    /// Runs a streaming chat to its end (or first failure); `stop_after` drops the stream
    /// after that many events (cancellation).
    fn chat_stream(
        &self,
        client: &Self::Client,
        request: ChatRequest,
        stop_after: Option<usize>,
    ) -> Result<StreamOutcome, Failure>;

    /// Runs a streaming chat to its end, with what its reasoning intent applied
    /// (`EventStream::reasoning`).
    fn chat_stream_reasoned(
        &self,
        client: &Self::Client,
        request: ChatRequest,
    ) -> Result<
        (
            StreamOutcome,
            Option<ollama_proto::reasoning::ReasoningApplied>,
        ),
        Failure,
    >;

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

    /// A non-streaming generate.
    fn generate(
        &self,
        client: &Self::Client,
        request: GenerateRequest,
    ) -> Result<GenerateResponse, Failure>;

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

    /// [`run_tools`](ollama_proto::Client::run_tools) to its end.
    fn run_tools(
        &self,
        client: &Self::Client,
        request: ChatRequest,
        toolbox: Toolbox,
    ) -> Result<ToolRun, Failure>;

    /// [`run_tools_streaming`](ollama_proto::Client::run_tools_streaming) to its end, with
    /// every event as [`tools::describe`] puts it.
    fn run_tools_streaming(
        &self,
        client: &Self::Client,
        request: ChatRequest,
        toolbox: Toolbox,
    ) -> Result<(ToolRun, Vec<String>), Failure>;

    /// [`chat_structured`](ollama_proto::Client::chat_structured) into `A`.
    fn chat_structured<A>(&self, client: &Self::Client, request: ChatRequest) -> Result<A, Failure>
    where
        A: ollama_proto::schemars::JsonSchema + DeserializeOwned + Send + 'static;

    /// [`balance`](ollama_proto::Client::balance).
    fn balance(&self, client: &Self::Client) -> Result<BalanceResponse, Failure>;

    /// [`usage`](ollama_proto::Client::usage).
    fn usage(&self, client: &Self::Client, query: GetUsage) -> Result<UsageResponse, Failure>;

    /// [`me`](ollama_proto::Client::me).
    fn me(&self, client: &Self::Client) -> Result<UserResponse, Failure>;

    /// [`systemone`](ollama_proto::Client::systemone).
    fn systemone(
        &self,
        client: &Self::Client,
        request: SystemOneRequest,
    ) -> Result<SystemOneResponse, Failure>;

    /// [`send`](ollama_proto::Client::send): the conversation after the turn, and the reply.
    fn send(
        &self,
        client: &Self::Client,
        conversation: Conversation,
    ) -> Result<(Conversation, ChatResponse), Failure>;
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
            embed_values_are_exact_and_out_of_range_is_an_error,
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
            whole_answer_over_max_body_is_a_body_limit,
            request_bodies_and_headers,
            bearer_only_when_configured,
            redirect_is_not_followed,
            connections_are_reused,
            drop_cancels_server_side,
            retries_503_then_succeeds,
            retry_after_is_honoured,
            no_retry_when_disabled,
            no_retry_for_unsafe_calls,
            no_retry_once_a_stream_started,
            connect_refused_is_connect,
            blobs_round_trip,
            non_answer_statuses_are_status_errors,
            endless_error_body_is_cut_at_the_limit,
            stalled_or_reset_error_body_reports_the_status,
            stalled_error_body_without_timeouts_does_not_hang,
            the_answer_ends_at_the_final_object,
            early_413_during_an_upload_is_reported,
            response_head_timeout_is_not_retried,
            retry_after_past_the_deadline_reports_the_status,
            content_encoding_is_named,
            content_encoding_is_named_on_single_bodies,
            errors_name_the_origin_only,
            tools_recorded_round_trip,
            tools_handler_error_is_sent_back,
            tools_parallel_calls,
            tools_round_bound,
            tools_streaming_loop,
            structured_answer_and_mismatch,
            conversation_turns,
            http_goes_through_the_forwarding_proxy,
            forwarding_proxy_basic_auth,
            https_goes_through_a_connect_tunnel,
            an_unreachable_proxy_is_a_proxy_error,
            unknown_ca_is_a_clear_tls_error,
            added_ca_is_trusted,
            ssl_cert_file_is_trusted,
            telemetry_streamed_chat,
            telemetry_generate_with_content,
            telemetry_embed,
            telemetry_failed_calls,
            telemetry_cancelled_stream,
            telemetry_metrics,
            telemetry_streamed_content,
            spent_quota_is_a_usage_limit_after_one_request,
            plain_429_with_retry_after_is_retried,
            streamed_tool_call_arguments,
            streamed_tool_calls_in_a_tool_run,
            structured_answer_lost_to_thinking_says_so,
            retired_model_and_embed_normalize,
            calls_beyond_the_limit_wait_first_in_first_out,
            a_wait_for_a_connection_times_out_naming_it,
            a_full_listen_backlog_is_a_connect_timeout_naming_it,
            reasoning_matrix,
            reasoning_matrix_without_negotiation,
            reasoning_fallback_retries_once,
            reasoning_explicit_think_is_sent_as_is,
            reasoning_is_on_the_span,
            reasoning_costs_one_round_trip_per_model,
            reasoning_on_generate,
            account_calls_send_the_bearer_key,
            account_calls_stay_on_their_host,
            legacy_and_current_balances,
            account_errors_carry_the_servers_message,
            account_rate_limit_honours_retry_after,
            systemone_decisions,
        );
        $crate::conformance_tests!(@netns $transport;
            out_of_descriptors_is_a_clear_error_and_other_streams_go_on,
            out_of_local_ports_is_a_clear_error_and_other_streams_go_on,
            vanished_server_mid_stream_is_a_keepalive_error,
            vanished_server_before_the_head_is_a_keepalive_error,
            vanished_server_of_a_pooled_connection_is_a_keepalive_error,
            vanished_server_without_keepalive_hits_the_idle_timeout,
            unanswered_connect_is_a_connect_timeout,
        );
        /// A measurement, not a bound the suite runs (2 to 3 minutes): how long the defaults
        /// take to end each dead call (`testkit::conformance::defaults_end_dead_calls`).
        #[test]
        #[ignore = "a 2-3 minute measurement of the defaults; run with --ignored --nocapture"]
        fn defaults_end_dead_calls() {
            $crate::netns::run_isolated(
                concat!(module_path!(), "::defaults_end_dead_calls"),
                || $crate::conformance::defaults_end_dead_calls(&$transport),
            );
        }
    };
    (@netns $transport:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::netns::run_isolated(
                    concat!(module_path!(), "::", stringify!($name)),
                    || $crate::conformance::$name(&$transport),
                );
            }
        )*
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

mod account;
mod answers;
mod cloud;
mod connection_limit;
mod connections;
mod dead_peers;
mod errors;
mod exact;
mod exhaustion;
pub mod images;
mod limits;
mod proxy;
pub mod reasoning;
mod requests;
mod retries;
mod support;
mod telemetry;
mod timeouts;
mod tls;
pub mod tools;

pub use account::{
    account_calls_send_the_bearer_key, account_calls_stay_on_their_host,
    account_errors_carry_the_servers_message, account_rate_limit_honours_retry_after,
    legacy_and_current_balances, systemone_decisions,
};
pub use answers::{
    content_encoding_is_named, content_encoding_is_named_on_single_bodies,
    early_413_during_an_upload_is_reported, endless_error_body_is_cut_at_the_limit,
    errors_name_the_origin_only, non_answer_statuses_are_status_errors,
    response_head_timeout_is_not_retried, retry_after_past_the_deadline_reports_the_status,
    stalled_error_body_without_timeouts_does_not_hang,
    stalled_or_reset_error_body_reports_the_status, the_answer_ends_at_the_final_object,
};
pub use cloud::{
    plain_429_with_retry_after_is_retried, retired_model_and_embed_normalize,
    spent_quota_is_a_usage_limit_after_one_request, streamed_tool_call_arguments,
    streamed_tool_calls_in_a_tool_run, structured_answer_lost_to_thinking_says_so,
};
pub use connection_limit::{
    a_wait_for_a_connection_times_out_naming_it, calls_beyond_the_limit_wait_first_in_first_out,
};
pub use connections::{connections_are_reused, drop_cancels_server_side};
pub use dead_peers::{
    defaults_end_dead_calls, unanswered_connect_is_a_connect_timeout,
    vanished_server_before_the_head_is_a_keepalive_error,
    vanished_server_mid_stream_is_a_keepalive_error,
    vanished_server_of_a_pooled_connection_is_a_keepalive_error,
    vanished_server_without_keepalive_hits_the_idle_timeout,
};
pub use errors::{
    abort_mid_chunk_is_io, clean_close_before_done_is_truncated, error_line_mid_stream,
    reset_mid_body_is_io, status_error_cases, status_errors_are_classified,
    unauthorized_carries_signin_url,
};
pub use exact::{
    content_length_framed_stream_is_exact, delayed_writes_are_exact, embed_is_exact,
    embed_values_are_exact_and_out_of_range_is_an_error, non_streamed_chat_is_exact,
    split_writes_chat_thinking_is_exact, split_writes_chat_tool_calls_are_exact,
    split_writes_generate_inline_think_is_exact, split_writes_pull_progress_is_exact,
};
pub use exhaustion::{
    a_full_listen_backlog_is_a_connect_timeout_naming_it,
    out_of_descriptors_is_a_clear_error_and_other_streams_go_on,
    out_of_local_ports_is_a_clear_error_and_other_streams_go_on,
};
pub use limits::{
    body_over_max_body_is_refused, endless_line_is_line_too_long,
    whole_answer_over_max_body_is_a_body_limit,
};
pub use proxy::{
    an_unreachable_proxy_is_a_proxy_error, forwarding_proxy_basic_auth,
    http_goes_through_the_forwarding_proxy, https_goes_through_a_connect_tunnel,
};
pub use reasoning::{
    reasoning_costs_one_round_trip_per_model, reasoning_explicit_think_is_sent_as_is,
    reasoning_fallback_retries_once, reasoning_is_on_the_span, reasoning_matrix,
    reasoning_matrix_without_negotiation, reasoning_on_generate,
};
pub use requests::{
    bearer_only_when_configured, redirect_is_not_followed, request_bodies_and_headers,
};
pub use retries::{
    blobs_round_trip, connect_refused_is_connect, no_retry_for_unsafe_calls,
    no_retry_once_a_stream_started, no_retry_when_disabled, retries_503_then_succeeds,
    retry_after_is_honoured,
};
pub use telemetry::{
    telemetry_cancelled_stream, telemetry_embed, telemetry_failed_calls,
    telemetry_generate_with_content, telemetry_metrics, telemetry_streamed_chat,
    telemetry_streamed_content,
};
pub use timeouts::{
    producing_stream_outlives_idle_timeout, slow_head_hits_response_head_timeout,
    stall_hits_idle_timeout, total_timeout_cuts_a_stream,
};
pub use tls::{added_ca_is_trusted, ssl_cert_file_is_trusted, unknown_ca_is_a_clear_tls_error};
pub use tools::{
    conversation_turns, structured_answer_and_mismatch, tools_handler_error_is_sent_back,
    tools_parallel_calls, tools_recorded_round_trip, tools_round_bound, tools_streaming_loop,
};

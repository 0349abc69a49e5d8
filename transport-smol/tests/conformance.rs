//! The shared conformance suite (`testkit::conformance`) against transport-smol: a blocking
//! façade that runs each call with `async_io::block_on` (what `smol::block_on` re-exports).
#![allow(clippy::unwrap_used)]

use async_io::block_on;
use ollama_proto::types::{
    ChatRequest, ChatResponse, DeleteRequest, EmbedRequest, EmbedResponse, GenerateRequest,
    PullRequest,
};
use ollama_proto::{ClientConfig, OwnedEvent};
use testkit::conformance::{Failure, StreamOutcome, Transport};
use transport_smol::{Client, Error, EventStream};

/// The transport under test.
struct Smol;

fn failure(e: Error) -> Failure {
    match e {
        Error::Protocol(e) => Failure::Protocol(e),
        Error::Usage(e) => Failure::Usage(e),
        Error::Timeout(t) => Failure::Timeout(t.kind),
        Error::Connect(e) => Failure::Connect(e.to_string()),
        Error::Io(e) => Failure::Io(e.to_string()),
        other => panic!("an error kind the suite does not know: {other:?}"),
    }
}

async fn drain(mut stream: EventStream, stop_after: Option<usize>) -> StreamOutcome {
    let mut events = Vec::new();
    let mut failure_seen = None;
    while let Some(event) = stream.next_event().await {
        match event {
            Ok(event) => events.push(event),
            Err(e) => {
                failure_seen = Some(failure(e));
                break;
            }
        }
        if stop_after.is_some_and(|n| events.len() >= n) {
            break; // dropping the stream cancels it
        }
    }
    StreamOutcome {
        events,
        failure: failure_seen,
    }
}

impl Transport for Smol {
    type Client = Client;

    fn client(&self, config: ClientConfig) -> Client {
        Client::new(config).unwrap()
    }

    fn chat_stream(
        &self,
        client: &Client,
        request: ChatRequest,
        stop_after: Option<usize>,
    ) -> Result<StreamOutcome, Failure> {
        block_on(async {
            let stream = client.chat_stream(request).await.map_err(failure)?;
            Ok(drain(stream, stop_after).await)
        })
    }

    fn generate_stream(
        &self,
        client: &Client,
        request: GenerateRequest,
    ) -> Result<StreamOutcome, Failure> {
        block_on(async {
            let stream = client.generate_stream(request).await.map_err(failure)?;
            Ok(drain(stream, None).await)
        })
    }

    fn pull_stream(&self, client: &Client, request: PullRequest) -> Result<StreamOutcome, Failure> {
        block_on(async {
            let stream = client.pull_stream(request).await.map_err(failure)?;
            Ok(drain(stream, None).await)
        })
    }

    fn chat(&self, client: &Client, request: ChatRequest) -> Result<ChatResponse, Failure> {
        block_on(client.chat(request)).map_err(failure)
    }

    fn version(&self, client: &Client) -> Result<String, Failure> {
        block_on(client.version())
            .map(|v| v.version)
            .map_err(failure)
    }

    fn embed(&self, client: &Client, request: EmbedRequest) -> Result<EmbedResponse, Failure> {
        block_on(client.embed(request)).map_err(failure)
    }

    fn delete(&self, client: &Client, request: DeleteRequest) -> Result<(), Failure> {
        block_on(client.delete(request)).map_err(failure)
    }
}

// Keep `OwnedEvent` in use for readers of this file: the outcome holds owned events.
const _: fn(&OwnedEvent) = |_| {};

testkit::conformance_tests!(Smol);

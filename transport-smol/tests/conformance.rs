//! The shared conformance suite (`testkit::conformance`) against ollama-smol: a blocking
//! façade that runs each call with `async_io::block_on` (what `smol::block_on` re-exports).
#![allow(clippy::unwrap_used)]

use async_io::block_on;
use bytes::Bytes;
use ollama_proto::ClientConfig;
use ollama_proto::pool::PoolOptions;
use ollama_proto::reasoning::ReasoningApplied;
use ollama_proto::tools::{Conversation, ToolRun, Toolbox};
use ollama_proto::types::{
    BalanceResponse, BlobDigest, ChatRequest, ChatResponse, DeleteRequest, EmbedRequest,
    EmbedResponse, GenerateRequest, GenerateResponse, GetUsage, PullRequest, SystemOneRequest,
    SystemOneResponse, UsageResponse, UserResponse,
};
use ollama_smol::Client;
use serde::de::DeserializeOwned;
use testkit::conformance::tools::describe;
use testkit::conformance::{Failure, StreamOutcome, Transport, drain, failure};

/// The transport under test.
struct Smol;

impl Transport for Smol {
    type Client = Client;

    fn client(&self, config: ClientConfig) -> Client {
        Client::new(config).unwrap()
    }

    fn client_with_pool(&self, config: ClientConfig, pool: PoolOptions) -> Client {
        Client::with_transport_options(config, &pool).unwrap()
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

    fn chat_stream_reasoned(
        &self,
        client: &Client,
        request: ChatRequest,
    ) -> Result<(StreamOutcome, Option<ReasoningApplied>), Failure> {
        block_on(async {
            let stream = client.chat_stream(request).await.map_err(failure)?;
            let applied = stream.reasoning().cloned();
            Ok((drain(stream, None).await, applied))
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

    fn generate(
        &self,
        client: &Client,
        request: GenerateRequest,
    ) -> Result<GenerateResponse, Failure> {
        block_on(client.generate(request)).map_err(failure)
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

    fn blob_exists(&self, client: &Client, digest: &BlobDigest) -> Result<bool, Failure> {
        block_on(client.blob_exists(digest)).map_err(failure)
    }

    fn create_blob(&self, client: &Client, digest: BlobDigest, data: Bytes) -> Result<(), Failure> {
        block_on(client.create_blob(digest, data)).map_err(failure)
    }

    fn run_tools(
        &self,
        client: &Client,
        request: ChatRequest,
        toolbox: Toolbox,
    ) -> Result<ToolRun, Failure> {
        block_on(client.run_tools(request, &toolbox)).map_err(failure)
    }

    fn run_tools_streaming(
        &self,
        client: &Client,
        request: ChatRequest,
        toolbox: Toolbox,
    ) -> Result<(ToolRun, Vec<String>), Failure> {
        let mut events = Vec::new();
        let run = block_on(client.run_tools_streaming(request, &toolbox, |e| {
            events.push(describe(e));
        }))
        .map_err(failure)?;
        Ok((run, events))
    }

    fn chat_structured<A>(&self, client: &Client, request: ChatRequest) -> Result<A, Failure>
    where
        A: ollama_smol::JsonSchema + DeserializeOwned + Send + 'static,
    {
        block_on(client.chat_structured::<A>(request)).map_err(failure)
    }

    fn balance(&self, client: &Client) -> Result<BalanceResponse, Failure> {
        block_on(client.balance()).map_err(failure)
    }

    fn usage(&self, client: &Client, query: GetUsage) -> Result<UsageResponse, Failure> {
        block_on(client.usage(query)).map_err(failure)
    }

    fn me(&self, client: &Client) -> Result<UserResponse, Failure> {
        block_on(client.me()).map_err(failure)
    }

    fn systemone(
        &self,
        client: &Client,
        request: SystemOneRequest,
    ) -> Result<SystemOneResponse, Failure> {
        block_on(client.systemone(request)).map_err(failure)
    }

    fn send(
        &self,
        client: &Client,
        mut conversation: Conversation,
    ) -> Result<(Conversation, ChatResponse), Failure> {
        let reply = block_on(client.send(&mut conversation)).map_err(failure)?;
        Ok((conversation, reply))
    }
}

testkit::conformance_tests!(Smol);

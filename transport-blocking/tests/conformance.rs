//! The shared conformance suite (`testkit::conformance`) against ollama-blocking: its client
//! is already blocking, so the façade calls it directly and drains its iterators.
#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use ollama_blocking::Client;
use ollama_proto::ClientConfig;
use ollama_proto::pool::PoolOptions;
use ollama_proto::reasoning::ReasoningApplied;
use ollama_proto::tools::{Conversation, ToolRun, Toolbox};
use ollama_proto::types::{
    BalanceResponse, BlobDigest, ChatRequest, ChatResponse, DeleteRequest, EmbedRequest,
    EmbedResponse, GenerateRequest, GenerateResponse, GetUsage, PullRequest, SystemOneRequest,
    SystemOneResponse, UsageResponse, UserResponse,
};
use serde::de::DeserializeOwned;
use testkit::conformance::tools::describe;
use testkit::conformance::{Failure, StreamOutcome, Transport, drain_iter, failure};

/// The transport under test.
struct Blocking;

impl Transport for Blocking {
    type Client = Client;

    fn client(&self, config: ClientConfig) -> Client {
        Client::new(config).unwrap()
    }

    fn client_with_pool(&self, config: ClientConfig, pool: PoolOptions) -> Client {
        Client::with_pool_options(config, &pool).unwrap()
    }

    fn chat_stream(
        &self,
        client: &Client,
        request: ChatRequest,
        stop_after: Option<usize>,
    ) -> Result<StreamOutcome, Failure> {
        let stream = client.chat_stream(request).map_err(failure)?;
        Ok(drain_iter(stream, stop_after))
    }

    fn chat_stream_reasoned(
        &self,
        client: &Client,
        request: ChatRequest,
    ) -> Result<(StreamOutcome, Option<ReasoningApplied>), Failure> {
        let stream = client.chat_stream(request).map_err(failure)?;
        let applied = stream.reasoning().cloned();
        Ok((drain_iter(stream, None), applied))
    }

    fn generate_stream(
        &self,
        client: &Client,
        request: GenerateRequest,
    ) -> Result<StreamOutcome, Failure> {
        let stream = client.generate_stream(request).map_err(failure)?;
        Ok(drain_iter(stream, None))
    }

    fn pull_stream(&self, client: &Client, request: PullRequest) -> Result<StreamOutcome, Failure> {
        let stream = client.pull_stream(request).map_err(failure)?;
        Ok(drain_iter(stream, None))
    }

    fn chat(&self, client: &Client, request: ChatRequest) -> Result<ChatResponse, Failure> {
        client.chat(request).map_err(failure)
    }

    fn generate(
        &self,
        client: &Client,
        request: GenerateRequest,
    ) -> Result<GenerateResponse, Failure> {
        client.generate(request).map_err(failure)
    }

    fn version(&self, client: &Client) -> Result<String, Failure> {
        client.version().map(|v| v.version).map_err(failure)
    }

    fn embed(&self, client: &Client, request: EmbedRequest) -> Result<EmbedResponse, Failure> {
        client.embed(request).map_err(failure)
    }

    fn delete(&self, client: &Client, request: DeleteRequest) -> Result<(), Failure> {
        client.delete(request).map_err(failure)
    }

    fn blob_exists(&self, client: &Client, digest: &BlobDigest) -> Result<bool, Failure> {
        client.blob_exists(digest).map_err(failure)
    }

    fn create_blob(&self, client: &Client, digest: BlobDigest, data: Bytes) -> Result<(), Failure> {
        client.create_blob(digest, data).map_err(failure)
    }

    fn run_tools(
        &self,
        client: &Client,
        request: ChatRequest,
        toolbox: Toolbox,
    ) -> Result<ToolRun, Failure> {
        client.run_tools(request, &toolbox).map_err(failure)
    }

    fn run_tools_streaming(
        &self,
        client: &Client,
        request: ChatRequest,
        toolbox: Toolbox,
    ) -> Result<(ToolRun, Vec<String>), Failure> {
        let mut events = Vec::new();
        let run = client
            .run_tools_streaming(request, &toolbox, |e| events.push(describe(e)))
            .map_err(failure)?;
        Ok((run, events))
    }

    fn chat_structured<A>(&self, client: &Client, request: ChatRequest) -> Result<A, Failure>
    where
        A: ollama_blocking::JsonSchema + DeserializeOwned + Send + 'static,
    {
        client.chat_structured::<A>(request).map_err(failure)
    }

    fn balance(&self, client: &Client) -> Result<BalanceResponse, Failure> {
        client.balance().map_err(failure)
    }

    fn usage(&self, client: &Client, query: GetUsage) -> Result<UsageResponse, Failure> {
        client.usage(query).map_err(failure)
    }

    fn me(&self, client: &Client) -> Result<UserResponse, Failure> {
        client.me().map_err(failure)
    }

    fn systemone(
        &self,
        client: &Client,
        request: SystemOneRequest,
    ) -> Result<SystemOneResponse, Failure> {
        client.systemone(request).map_err(failure)
    }

    fn send(
        &self,
        client: &Client,
        mut conversation: Conversation,
    ) -> Result<(Conversation, ChatResponse), Failure> {
        let reply = client.send(&mut conversation).map_err(failure)?;
        Ok((conversation, reply))
    }
}

testkit::conformance_tests!(Blocking);

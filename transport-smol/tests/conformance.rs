//! The shared conformance suite (`testkit::conformance`) against ollama-smol: a blocking
//! façade that runs each call with `async_io::block_on` (what `smol::block_on` re-exports).
#![allow(clippy::unwrap_used)]

use async_io::block_on;
use bytes::Bytes;
use ollama_proto::ClientConfig;
use ollama_proto::types::{
    BlobDigest, ChatRequest, ChatResponse, DeleteRequest, EmbedRequest, EmbedResponse,
    GenerateRequest, PullRequest,
};
use ollama_smol::Client;
use testkit::conformance::{Failure, StreamOutcome, Transport, drain, failure};

/// The transport under test.
struct Smol;

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

    fn blob_exists(&self, client: &Client, digest: &BlobDigest) -> Result<bool, Failure> {
        block_on(client.blob_exists(digest)).map_err(failure)
    }

    fn create_blob(&self, client: &Client, digest: BlobDigest, data: Bytes) -> Result<(), Failure> {
        block_on(client.create_blob(digest, data)).map_err(failure)
    }
}

testkit::conformance_tests!(Smol);

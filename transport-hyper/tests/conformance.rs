//! The shared conformance suite, run against the hyper transport on two runtimes: a
//! current-thread runtime per client, and one multi-thread runtime shared by every client.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use bytes::Bytes;
use ollama_hyper::Client;
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
use testkit::conformance::{Failure, StreamOutcome, Transport, drain, failure};
use tokio::runtime::{Builder, Handle, Runtime};

/// Which runtime drives the calls, and how stream bodies are read.
enum Hyper {
    /// A current-thread runtime per client, driven by its own thread the whole time (as under
    /// `#[tokio::main(flavor = "current_thread")]`), spawned-task reader.
    CurrentThread,
    /// One multi-thread runtime for the whole test binary, inline reader.
    MultiThread,
}

fn shared_runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// A current-thread runtime kept running on a thread of its own, so that spawned tasks and
/// connection shutdowns progress between calls, as in a real program.
struct Driven {
    handle: Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Driven {
    fn start() -> Self {
        let runtime = Builder::new_current_thread().enable_all().build().unwrap();
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let _ = runtime.block_on(stopped);
        });
        Self {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A client and the runtime its calls run on.
struct HyperClient {
    client: Client,
    runtime: Option<Driven>,
}

impl HyperClient {
    /// Runs `f(client)` on this client's runtime and waits for it.
    fn run<F, Fut>(&self, f: F) -> Fut::Output
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        let future = f(self.client.clone());
        let handle = match &self.runtime {
            Some(driven) => driven.handle.clone(),
            None => shared_runtime().handle().clone(),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        handle.spawn(async move {
            let _ = tx.send(future.await);
        });
        rx.recv().unwrap()
    }
}

impl Transport for Hyper {
    type Client = HyperClient;

    fn client(&self, config: ClientConfig) -> HyperClient {
        let builder = ollama_hyper::ClientBuilder::from_config(config);
        match self {
            Self::CurrentThread => HyperClient {
                client: builder.build().unwrap(),
                runtime: Some(Driven::start()),
            },
            Self::MultiThread => HyperClient {
                client: builder.build().unwrap(),
                runtime: None,
            },
        }
    }

    fn client_with_pool(&self, config: ClientConfig, pool: PoolOptions) -> HyperClient {
        let client = Client::with_transport_options(config, &pool).unwrap();
        let runtime = match self {
            Self::CurrentThread => Some(Driven::start()),
            Self::MultiThread => None,
        };
        HyperClient { client, runtime }
    }

    fn chat_stream(
        &self,
        c: &HyperClient,
        request: ChatRequest,
        stop_after: Option<usize>,
    ) -> Result<StreamOutcome, Failure> {
        c.run(|client| async move {
            let stream = client.chat_stream(request).await.map_err(failure)?;
            Ok(drain(stream, stop_after).await)
        })
    }

    fn chat_stream_reasoned(
        &self,
        c: &HyperClient,
        request: ChatRequest,
    ) -> Result<(StreamOutcome, Option<ReasoningApplied>), Failure> {
        c.run(|client| async move {
            let stream = client.chat_stream(request).await.map_err(failure)?;
            let applied = stream.reasoning().cloned();
            Ok((drain(stream, None).await, applied))
        })
    }

    fn generate_stream(
        &self,
        c: &HyperClient,
        request: GenerateRequest,
    ) -> Result<StreamOutcome, Failure> {
        c.run(|client| async move {
            let stream = client.generate_stream(request).await.map_err(failure)?;
            Ok(drain(stream, None).await)
        })
    }

    fn pull_stream(&self, c: &HyperClient, request: PullRequest) -> Result<StreamOutcome, Failure> {
        c.run(|client| async move {
            let stream = client.pull_stream(request).await.map_err(failure)?;
            Ok(drain(stream, None).await)
        })
    }

    fn chat(&self, c: &HyperClient, request: ChatRequest) -> Result<ChatResponse, Failure> {
        c.run(|client| async move { client.chat(request).await.map_err(failure) })
    }

    fn generate(
        &self,
        c: &HyperClient,
        request: GenerateRequest,
    ) -> Result<GenerateResponse, Failure> {
        c.run(|client| async move { client.generate(request).await.map_err(failure) })
    }

    fn version(&self, c: &HyperClient) -> Result<String, Failure> {
        c.run(|client| async move { client.version().await.map(|v| v.version).map_err(failure) })
    }

    fn embed(&self, c: &HyperClient, request: EmbedRequest) -> Result<EmbedResponse, Failure> {
        c.run(|client| async move { client.embed(request).await.map_err(failure) })
    }

    fn delete(&self, c: &HyperClient, request: DeleteRequest) -> Result<(), Failure> {
        c.run(|client| async move { client.delete(request).await.map_err(failure) })
    }

    fn blob_exists(&self, c: &HyperClient, digest: &BlobDigest) -> Result<bool, Failure> {
        let digest = digest.clone();
        c.run(|client| async move { client.blob_exists(&digest).await.map_err(failure) })
    }

    fn create_blob(&self, c: &HyperClient, digest: BlobDigest, data: Bytes) -> Result<(), Failure> {
        c.run(|client| async move { client.create_blob(digest, data).await.map_err(failure) })
    }

    fn run_tools(
        &self,
        c: &HyperClient,
        request: ChatRequest,
        toolbox: Toolbox,
    ) -> Result<ToolRun, Failure> {
        c.run(|client| async move { client.run_tools(request, &toolbox).await.map_err(failure) })
    }

    fn run_tools_streaming(
        &self,
        c: &HyperClient,
        request: ChatRequest,
        toolbox: Toolbox,
    ) -> Result<(ToolRun, Vec<String>), Failure> {
        c.run(|client| async move {
            let mut events = Vec::new();
            let run = client
                .run_tools_streaming(request, &toolbox, |e| events.push(describe(e)))
                .await
                .map_err(failure)?;
            Ok((run, events))
        })
    }

    fn chat_structured<A>(&self, c: &HyperClient, request: ChatRequest) -> Result<A, Failure>
    where
        A: ollama_hyper::JsonSchema + DeserializeOwned + Send + 'static,
    {
        c.run(|client| async move { client.chat_structured::<A>(request).await.map_err(failure) })
    }

    fn balance(&self, c: &HyperClient) -> Result<BalanceResponse, Failure> {
        c.run(|client| async move { client.balance().await.map_err(failure) })
    }

    fn usage(&self, c: &HyperClient, query: GetUsage) -> Result<UsageResponse, Failure> {
        c.run(|client| async move { client.usage(query).await.map_err(failure) })
    }

    fn me(&self, c: &HyperClient) -> Result<UserResponse, Failure> {
        c.run(|client| async move { client.me().await.map_err(failure) })
    }

    fn systemone(
        &self,
        c: &HyperClient,
        request: SystemOneRequest,
    ) -> Result<SystemOneResponse, Failure> {
        c.run(|client| async move { client.systemone(request).await.map_err(failure) })
    }

    fn send(
        &self,
        c: &HyperClient,
        mut conversation: Conversation,
    ) -> Result<(Conversation, ChatResponse), Failure> {
        c.run(|client| async move {
            let reply = client.send(&mut conversation).await.map_err(failure)?;
            Ok((conversation, reply))
        })
    }
}

mod current_thread {
    use super::Hyper;
    testkit::conformance_tests!(Hyper::CurrentThread);
}

mod multi_thread {
    use super::Hyper;
    testkit::conformance_tests!(Hyper::MultiThread);
}

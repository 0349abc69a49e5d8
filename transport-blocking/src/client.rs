//! [`Client`]: the core's client over [`Blocking`], every endpoint a blocking method.

use bytes::Bytes;
use ollama_proto::prelude::*;
use ollama_proto::request::{SingleCall, StreamCall};
use ollama_proto::{ClientBuilder, ClientError};

use crate::block::block;
use crate::{Blocking, EventStream};

/// A blocking Ollama client: the core's [`ollama_proto::Client`] over the [`Blocking`] runtime,
/// every method the core's of the same name, run to its end on the calling thread. Cheap to
/// clone: clones share the connection pool and the configuration; a client can be used from
/// several threads at once.
#[derive(Debug, Clone)]
pub struct Client(ollama_proto::Client<Blocking>);

/// One blocking method per endpoint method of the core: the same arguments, result and
/// errors (documented there), run to its end on the calling thread.
impl Client {
    /// [`ollama_proto::Client::chat`], blocking.
    pub fn chat(&self, req: ChatRequest) -> Result<ChatResponse, ClientError> {
        block(self.0.chat(req))
    }

    /// [`ollama_proto::Client::generate`], blocking.
    pub fn generate(&self, req: GenerateRequest) -> Result<GenerateResponse, ClientError> {
        block(self.0.generate(req))
    }

    /// [`ollama_proto::Client::embed`], blocking.
    pub fn embed(&self, req: EmbedRequest) -> Result<EmbedResponse, ClientError> {
        block(self.0.embed(req))
    }

    /// [`ollama_proto::Client::embeddings`], blocking.
    pub fn embeddings(&self, req: EmbeddingsRequest) -> Result<EmbeddingsResponse, ClientError> {
        block(self.0.embeddings(req))
    }

    /// [`ollama_proto::Client::show`], blocking.
    pub fn show(&self, req: ShowRequest) -> Result<ShowResponse, ClientError> {
        block(self.0.show(req))
    }

    /// [`ollama_proto::Client::copy`], blocking.
    pub fn copy(&self, req: CopyRequest) -> Result<(), ClientError> {
        block(self.0.copy(req))
    }

    /// [`ollama_proto::Client::delete`], blocking.
    pub fn delete(&self, req: DeleteRequest) -> Result<(), ClientError> {
        block(self.0.delete(req))
    }

    /// [`ollama_proto::Client::pull`], blocking.
    pub fn pull(&self, req: PullRequest) -> Result<ProgressResponse, ClientError> {
        block(self.0.pull(req))
    }

    /// [`ollama_proto::Client::push`], blocking.
    pub fn push(&self, req: PushRequest) -> Result<ProgressResponse, ClientError> {
        block(self.0.push(req))
    }

    /// [`ollama_proto::Client::create`], blocking.
    pub fn create(&self, req: CreateRequest) -> Result<ProgressResponse, ClientError> {
        block(self.0.create(req))
    }

    /// [`ollama_proto::Client::list_models`], blocking.
    pub fn list_models(&self) -> Result<ListResponse, ClientError> {
        block(self.0.list_models())
    }

    /// [`ollama_proto::Client::list_running`], blocking.
    pub fn list_running(&self) -> Result<ProcessResponse, ClientError> {
        block(self.0.list_running())
    }

    /// [`ollama_proto::Client::version`], blocking.
    pub fn version(&self) -> Result<VersionResponse, ClientError> {
        block(self.0.version())
    }

    /// [`ollama_proto::Client::blob_exists`], blocking.
    pub fn blob_exists(&self, digest: &BlobDigest) -> Result<bool, ClientError> {
        block(self.0.blob_exists(digest))
    }

    /// [`ollama_proto::Client::create_blob`], blocking.
    pub fn create_blob(&self, digest: BlobDigest, data: Bytes) -> Result<(), ClientError> {
        block(self.0.create_blob(digest, data))
    }

    /// [`ollama_proto::Client::web_search`], blocking.
    pub fn web_search(&self, req: WebSearchRequest) -> Result<WebSearchResponse, ClientError> {
        block(self.0.web_search(req))
    }

    /// [`ollama_proto::Client::web_fetch`], blocking.
    pub fn web_fetch(&self, req: WebFetchRequest) -> Result<WebFetchResponse, ClientError> {
        block(self.0.web_fetch(req))
    }

    /// [`ollama_proto::Client::balance`], blocking (an ollama.com account call).
    pub fn balance(&self) -> Result<BalanceResponse, ClientError> {
        block(self.0.balance())
    }

    /// [`ollama_proto::Client::usage`], blocking (an ollama.com account call).
    pub fn usage(&self, query: GetUsage) -> Result<UsageResponse, ClientError> {
        block(self.0.usage(query))
    }

    /// [`ollama_proto::Client::me`], blocking (an ollama.com account call).
    pub fn me(&self) -> Result<UserResponse, ClientError> {
        block(self.0.me())
    }

    /// [`ollama_proto::Client::systemone`], blocking (experimental).
    pub fn systemone(&self, req: SystemOneRequest) -> Result<SystemOneResponse, ClientError> {
        block(self.0.systemone(req))
    }

    /// [`ollama_proto::Client::run_tools`], blocking.
    pub fn run_tools(
        &self,
        request: ChatRequest,
        toolbox: &Toolbox,
    ) -> Result<ToolRun, ClientError> {
        block(self.0.run_tools(request, toolbox))
    }

    /// [`ollama_proto::Client::send`], blocking.
    pub fn send(&self, conversation: &mut Conversation) -> Result<ChatResponse, ClientError> {
        block(self.0.send(conversation))
    }
}

/// The streaming endpoints: the events are an [`Iterator`].
impl Client {
    /// [`ollama_proto::Client::chat_stream`], blocking: `Ok` once a success head arrived; the
    /// events are read as you iterate.
    pub fn chat_stream(&self, req: ChatRequest) -> Result<EventStream, ClientError> {
        block(self.0.chat_stream(req)).map(EventStream::new)
    }

    /// [`ollama_proto::Client::generate_stream`], blocking: `Ok` once a success head arrived; the
    /// events are read as you iterate.
    pub fn generate_stream(&self, req: GenerateRequest) -> Result<EventStream, ClientError> {
        block(self.0.generate_stream(req)).map(EventStream::new)
    }

    /// [`ollama_proto::Client::pull_stream`], blocking: `Ok` once a success head arrived; the
    /// events are read as you iterate.
    pub fn pull_stream(&self, req: PullRequest) -> Result<EventStream, ClientError> {
        block(self.0.pull_stream(req)).map(EventStream::new)
    }

    /// [`ollama_proto::Client::push_stream`], blocking: `Ok` once a success head arrived; the
    /// events are read as you iterate.
    pub fn push_stream(&self, req: PushRequest) -> Result<EventStream, ClientError> {
        block(self.0.push_stream(req)).map(EventStream::new)
    }

    /// [`ollama_proto::Client::create_stream`], blocking: `Ok` once a success head arrived; the
    /// events are read as you iterate.
    pub fn create_stream(&self, req: CreateRequest) -> Result<EventStream, ClientError> {
        block(self.0.create_stream(req)).map(EventStream::new)
    }
}

impl Client {
    /// A client with `config` and the default pool; fails when the configuration cannot be
    /// used (e.g. a bad extra CA certificate).
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        ollama_proto::Client::new(config).map(Self)
    }

    /// A client with `config` and its own pool settings; fails as [`Client::new`].
    pub fn with_pool_options(
        config: ClientConfig,
        pool: &PoolOptions,
    ) -> Result<Self, ClientError> {
        ollama_proto::Client::with_transport_options(config, pool).map(Self)
    }

    /// A client configured from `OLLAMA_HOST` and `OLLAMA_API_KEY`; fails as [`Client::new`].
    pub fn from_env() -> Result<Self, ClientError> {
        ollama_proto::Client::from_env().map(Self)
    }

    /// A builder starting from the defaults (`http://127.0.0.1:11434`, a 30 s connect timeout,
    /// TCP keepalive, no retries): `Client::builder().base_url(url).build()?.into()`.
    pub fn builder() -> ClientBuilder<Blocking> {
        ClientBuilder::default()
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        self.0.config()
    }

    /// The core's client under this one (its async methods work on any executor too).
    pub fn core(&self) -> &ollama_proto::Client<Blocking> {
        &self.0
    }

    /// The same client (same pool) with `options` applied to every call made through it.
    pub fn with_options(&self, options: CallOptions) -> Self {
        Self(self.0.with_options(options))
    }

    /// Any call answered by one body: [`ollama_proto::Client::call`], blocking.
    pub fn call<C: SingleCall + ?Sized>(&self, call: &C) -> Result<C::Output, ClientError> {
        block(self.0.call(call))
    }

    /// Any streaming call: [`ollama_proto::Client::stream`], blocking.
    pub fn stream<S: StreamCall + ?Sized>(&self, call: &S) -> Result<EventStream, ClientError> {
        block(self.0.stream(call)).map(EventStream::new)
    }

    /// [`ollama_proto::Client::run_tools_streaming`], blocking: `on_event` sees every piece
    /// of the model's replies, every tool call and every result.
    pub fn run_tools_streaming<F>(
        &self,
        request: ChatRequest,
        toolbox: &Toolbox,
        on_event: F,
    ) -> Result<ToolRun, ClientError>
    where
        F: FnMut(ToolEvent<'_>) + Send,
    {
        block(self.0.run_tools_streaming(request, toolbox, on_event))
    }

    /// [`ollama_proto::Client::chat_structured`], blocking: the answer decoded into a `T`.
    #[cfg(feature = "schemars")]
    pub fn chat_structured<T>(&self, request: ChatRequest) -> Result<T, ClientError>
    where
        T: JsonSchema + serde::de::DeserializeOwned,
    {
        block(self.0.chat_structured(request))
    }
}

/// What [`Client::builder`]'s `build()` returns, made blocking.
impl From<ollama_proto::Client<Blocking>> for Client {
    fn from(core: ollama_proto::Client<Blocking>) -> Self {
        Self(core)
    }
}

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

/// One blocking method per async endpoint method of the core: the same arguments, result and
/// errors, documented there.
macro_rules! blocking {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        impl Client {
            $(
                #[doc = concat!("[`ollama_proto::Client::", stringify!($name), "`], blocking.")]
                pub fn $name(&self $(, $arg: $ty)*) -> Result<$out, ClientError> {
                    block(self.0.$name($($arg),*))
                }
            )*
        }
    };
}

blocking! {
    chat(req: ChatRequest) -> ChatResponse;
    generate(req: GenerateRequest) -> GenerateResponse;
    embed(req: EmbedRequest) -> EmbedResponse;
    embeddings(req: EmbeddingsRequest) -> EmbeddingsResponse;
    show(req: ShowRequest) -> ShowResponse;
    copy(req: CopyRequest) -> ();
    delete(req: DeleteRequest) -> ();
    pull(req: PullRequest) -> ProgressResponse;
    push(req: PushRequest) -> ProgressResponse;
    create(req: CreateRequest) -> ProgressResponse;
    list_models() -> ListResponse;
    list_running() -> ProcessResponse;
    version() -> VersionResponse;
    blob_exists(digest: &BlobDigest) -> bool;
    create_blob(digest: BlobDigest, data: Bytes) -> ();
    web_search(req: WebSearchRequest) -> WebSearchResponse;
    web_fetch(req: WebFetchRequest) -> WebFetchResponse;
    run_tools(request: ChatRequest, toolbox: &Toolbox) -> ToolRun;
    send(conversation: &mut Conversation) -> ChatResponse;
}

/// The same for the streaming endpoints: the events are an [`Iterator`].
macro_rules! streaming {
    ($($name:ident($req:ty);)*) => {
        impl Client {
            $(
                #[doc = concat!("[`ollama_proto::Client::", stringify!($name), "`], blocking: ")]
                /// `Ok` once a success head arrived; the events are read as you iterate.
                pub fn $name(&self, req: $req) -> Result<EventStream, ClientError> {
                    block(self.0.$name(req)).map(EventStream::new)
                }
            )*
        }
    };
}

streaming! {
    chat_stream(ChatRequest);
    generate_stream(GenerateRequest);
    pull_stream(PullRequest);
    push_stream(PushRequest);
    create_stream(CreateRequest);
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

    /// A builder starting from the defaults (`http://127.0.0.1:11434`, no timeouts, no
    /// retries): `Client::builder().base_url(url).build()?.into()`.
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

//! The typed endpoint methods, one per Ollama endpoint, each a [`Client::call`] or a
//! [`Client::stream`].

use bytes::Bytes;

use super::{Client, EventStream, Runtime};
use crate::client_error::ClientError;
use crate::request::{Direct, GetVersion, ListModels, ListRunning, Streaming};
use crate::telemetry::Answer;
use crate::types::{
    BlobDigest, BlobExists, ChatRequest, ChatResponse, CopyRequest, CreateBlob, CreateRequest,
    DeleteRequest, EmbedRequest, EmbedResponse, EmbeddingsRequest, EmbeddingsResponse,
    GenerateRequest, GenerateResponse, ListResponse, ProcessResponse, ProgressResponse,
    PullRequest, PushRequest, ShowRequest, ShowResponse, VersionResponse, WebFetchRequest,
    WebFetchResponse, WebSearchRequest, WebSearchResponse,
};

/// Streaming endpoints: `Ok` once a success head arrived; see [`Client::stream`].
impl<R: Runtime> Client<R> {
    /// `POST /api/chat`, streamed: thinking, content, tool calls and the final metrics as they
    /// arrive, reasoning separated by this client's [`ThinkConfig`](crate::think::ThinkConfig).
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn chat_stream(&self, mut req: ChatRequest) -> Result<EventStream<R>, ClientError> {
        let reasoning = self.plan_chat(&mut req).await;
        let call = Streaming(req);
        let reasoning = reasoning.map(|r| r.with_retry(&call));
        self.stream_reasoned(&call, reasoning).await
    }

    /// `POST /api/generate`, streamed.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn generate_stream(
        &self,
        mut req: GenerateRequest,
    ) -> Result<EventStream<R>, ClientError> {
        let reasoning = self.plan_generate(&mut req).await;
        let call = Streaming(req);
        let reasoning = reasoning.map(|r| r.with_retry(&call));
        self.stream_reasoned(&call, reasoning).await
    }

    /// `POST /api/pull`, streamed progress; ends with `status: "success"`.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn pull_stream(&self, req: PullRequest) -> Result<EventStream<R>, ClientError> {
        self.stream(&Streaming(req)).await
    }

    /// `POST /api/push`, streamed progress.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn push_stream(&self, req: PushRequest) -> Result<EventStream<R>, ClientError> {
        self.stream(&Streaming(req)).await
    }

    /// `POST /api/create`, streamed progress.
    ///
    /// # Errors
    /// See [`Client::stream`].
    pub async fn create_stream(&self, req: CreateRequest) -> Result<EventStream<R>, ClientError> {
        self.stream(&Streaming(req)).await
    }
}

/// Endpoints answered by one body; see [`Client::call`].
impl<R: Runtime> Client<R> {
    /// `POST /api/chat` with `"stream":false`; reasoning is separated exactly as for a stream.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn chat(&self, mut req: ChatRequest) -> Result<ChatResponse, ClientError> {
        let reasoning = self.plan_chat(&mut req).await.map(|r| r.with_retry(&req));
        let (result, applied) = self
            .call_reasoned(&req, |r| Some(Answer::of_chat(r)), reasoning)
            .await;
        result.map(|mut answer| {
            answer.reasoning = applied;
            answer
        })
    }

    /// `POST /api/generate` with `"stream":false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn generate(
        &self,
        mut req: GenerateRequest,
    ) -> Result<GenerateResponse, ClientError> {
        let reasoning = self
            .plan_generate(&mut req)
            .await
            .map(|r| r.with_retry(&req));
        let (result, applied) = self
            .call_reasoned(&req, |r| Some(Answer::of_generate(r)), reasoning)
            .await;
        result.map(|mut answer| {
            answer.reasoning = applied;
            answer
        })
    }

    /// `POST /api/embed`: one vector per input, decoded by the exact float scanner of
    /// [`embed_decode`](crate::embed_decode) (each number the correctly rounded `f32` of its
    /// text).
    ///
    /// # Errors
    /// See [`Client::call`]; a number out of the `f32` range is
    /// [`Error::EmbeddingOutOfRange`](crate::Error::EmbeddingOutOfRange).
    pub async fn embed(&self, req: EmbedRequest) -> Result<EmbedResponse, ClientError> {
        self.call_observed(&req, |r| Some(Answer::of_embed(r)))
            .await
    }

    /// `POST /api/embeddings` (legacy; prefer [`Client::embed`]), decoded by the same exact
    /// scanner into `f64`s.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn embeddings(
        &self,
        req: EmbeddingsRequest,
    ) -> Result<EmbeddingsResponse, ClientError> {
        self.call(&req).await
    }

    /// `POST /api/show`: a model's details.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn show(&self, req: ShowRequest) -> Result<ShowResponse, ClientError> {
        self.call(&req).await
    }

    /// `POST /api/copy`. Not retried: it changes what the server holds.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn copy(&self, req: CopyRequest) -> Result<(), ClientError> {
        self.call(&req).await
    }

    /// `DELETE /api/delete`. Not retried: it changes what the server holds.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn delete(&self, req: DeleteRequest) -> Result<(), ClientError> {
        self.call(&req).await
    }

    /// `POST /api/pull` with `"stream":false`: the final progress object (`success`).
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn pull(&self, req: PullRequest) -> Result<ProgressResponse, ClientError> {
        self.call(&req).await
    }

    /// `POST /api/push` with `"stream":false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn push(&self, req: PushRequest) -> Result<ProgressResponse, ClientError> {
        self.call(&req).await
    }

    /// `POST /api/create` with `"stream":false`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn create(&self, req: CreateRequest) -> Result<ProgressResponse, ClientError> {
        self.call(&req).await
    }

    /// `GET /api/tags`: the local models.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn list_models(&self) -> Result<ListResponse, ClientError> {
        self.call(&ListModels).await
    }

    /// `GET /api/ps`: the loaded models.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn list_running(&self) -> Result<ProcessResponse, ClientError> {
        self.call(&ListRunning).await
    }

    /// `GET /api/version`.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn version(&self) -> Result<VersionResponse, ClientError> {
        self.call(&GetVersion).await
    }

    /// `HEAD /api/blobs/<digest>`: `true` if the server has the blob, `false` on 404.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn blob_exists(&self, digest: &BlobDigest) -> Result<bool, ClientError> {
        self.call(&BlobExists(digest.clone())).await
    }

    /// `POST /api/blobs/<digest>` with `data` as the body (the server checks the digest).
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn create_blob(&self, digest: BlobDigest, data: Bytes) -> Result<(), ClientError> {
        self.call(&CreateBlob::new(digest, data)).await
    }

    /// Web search: ollama.com's `/api/web_search` when the base URL is ollama.com, else the
    /// local server's `/api/experimental/web_search` proxy.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn web_search(
        &self,
        req: WebSearchRequest,
    ) -> Result<WebSearchResponse, ClientError> {
        if self.config.request.base_url.is_ollama_com() {
            self.call(&Direct(req)).await
        } else {
            self.call(&req).await
        }
    }

    /// Web fetch: ollama.com's `/api/web_fetch` when the base URL is ollama.com, else the local
    /// server's `/api/experimental/web_fetch` proxy.
    ///
    /// # Errors
    /// See [`Client::call`].
    pub async fn web_fetch(&self, req: WebFetchRequest) -> Result<WebFetchResponse, ClientError> {
        if self.config.request.base_url.is_ollama_com() {
            self.call(&Direct(req)).await
        } else {
            self.call(&req).await
        }
    }
}

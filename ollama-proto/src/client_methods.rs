//! The typed convenience methods every transport's `Client` and `EventStream` offer, written
//! once as macros.
//!
//! A transport implements only the IO: `Client::call` (any [`Call`](crate::Call), answered by
//! one body) and `Client::stream` (any [`StreamCall`](crate::StreamCall), answered by an
//! NDJSON stream), plus `EventStream::next_event`. Then, expanded inside the transport's
//! `impl` blocks:
//!
//! - [`client_endpoint_methods!`](crate::client_endpoint_methods): one method per endpoint
//!   (`chat`, `embed`, `list_models`, …), each a `call` or a `stream`;
//! - [`client_constructor_methods!`](crate::client_constructor_methods): `from_env` and
//!   `builder`, through the transport's [`BuildClient`](crate::BuildClient);
//! - [`event_stream_collect_methods!`](crate::event_stream_collect_methods): `collect`,
//!   `collect_chat` and `collect_generate` on the stream, through `next_event`.
//!
//! Both transports thus expose the same list with the same documentation and the same choices
//! (such as where web search goes).
//!
//! What the expansion needs from the transport, by name:
//!
//! - `Client::call<C: Call>(&self, &C) -> Result<C::Output, ClientError>` (async);
//! - `Client::stream<S: StreamCall>(&self, &S) -> Result<EventStream, ClientError>` (async);
//! - `Client::config(&self) -> &ClientConfig`;
//! - `Client::new(ClientConfig)` and `impl BuildClient for Client` (with `ClientError`);
//! - `EventStream::next_event(&mut self) -> Option<Result<OwnedEvent, ClientError>>` (async).
//!
//! ```ignore
//! impl Client {
//!     ollama_proto::client_constructor_methods!();
//!     ollama_proto::client_endpoint_methods!(stream: EventStream);
//! }
//!
//! impl EventStream {
//!     ollama_proto::event_stream_collect_methods!();
//! }
//! ```

/// Expands, inside a transport's `impl Client`, to the typed endpoint methods (`chat_stream`,
/// `generate_stream`, `pull_stream`, `push_stream`, `create_stream`, `chat`, `generate`,
/// `embed`, `embeddings`, `list_models`, `list_running`, `show`, `version`, `copy`, `delete`,
/// `pull`, `push`, `create`, `blob_exists`, `create_blob`, `web_search`, `web_fetch`), each a
/// call of the transport's own `call` or `stream`. `stream:` names the transport's stream
/// type. See the [module docs](crate::client_methods) for what the transport must provide.
#[macro_export]
macro_rules! client_endpoint_methods {
    (stream: $stream:ty) => {
        /// `POST /api/chat`, streamed.
        ///
        /// # Errors
        /// See [`Self::stream`].
        pub async fn chat_stream(
            &self,
            req: $crate::types::ChatRequest,
        ) -> ::core::result::Result<$stream, $crate::ClientError> {
            self.stream(&$crate::Streaming(req)).await
        }

        /// `POST /api/generate`, streamed.
        ///
        /// # Errors
        /// See [`Self::stream`].
        pub async fn generate_stream(
            &self,
            req: $crate::types::GenerateRequest,
        ) -> ::core::result::Result<$stream, $crate::ClientError> {
            self.stream(&$crate::Streaming(req)).await
        }

        /// `POST /api/pull`, streamed progress.
        ///
        /// # Errors
        /// See [`Self::stream`].
        pub async fn pull_stream(
            &self,
            req: $crate::types::PullRequest,
        ) -> ::core::result::Result<$stream, $crate::ClientError> {
            self.stream(&$crate::Streaming(req)).await
        }

        /// `POST /api/push`, streamed progress.
        ///
        /// # Errors
        /// See [`Self::stream`].
        pub async fn push_stream(
            &self,
            req: $crate::types::PushRequest,
        ) -> ::core::result::Result<$stream, $crate::ClientError> {
            self.stream(&$crate::Streaming(req)).await
        }

        /// `POST /api/create`, streamed progress.
        ///
        /// # Errors
        /// See [`Self::stream`].
        pub async fn create_stream(
            &self,
            req: $crate::types::CreateRequest,
        ) -> ::core::result::Result<$stream, $crate::ClientError> {
            self.stream(&$crate::Streaming(req)).await
        }

        $crate::client_endpoint_methods!(@call
            /// `POST /api/chat` with `"stream":false`; reasoning is separated by this client's
            /// [`ThinkConfig`](ollama_proto::think::ThinkConfig), exactly as for a stream.
            chat(req: $crate::types::ChatRequest) -> $crate::types::ChatResponse;
            /// `POST /api/generate` with `"stream":false`.
            generate(req: $crate::types::GenerateRequest) -> $crate::types::GenerateResponse;
            /// `POST /api/embed`.
            embed(req: $crate::types::EmbedRequest) -> $crate::types::EmbedResponse;
            /// `POST /api/embeddings` (legacy; prefer [`Self::embed`]).
            embeddings(req: $crate::types::EmbeddingsRequest)
                -> $crate::types::EmbeddingsResponse;
            /// `POST /api/show`.
            show(req: $crate::types::ShowRequest) -> $crate::types::ShowResponse;
            /// `POST /api/copy`.
            copy(req: $crate::types::CopyRequest) -> ();
            /// `DELETE /api/delete`.
            delete(req: $crate::types::DeleteRequest) -> ();
            /// `POST /api/pull` with `"stream":false`: the final progress object (`success`).
            pull(req: $crate::types::PullRequest) -> $crate::types::ProgressResponse;
            /// `POST /api/push` with `"stream":false`.
            push(req: $crate::types::PushRequest) -> $crate::types::ProgressResponse;
            /// `POST /api/create` with `"stream":false`.
            create(req: $crate::types::CreateRequest) -> $crate::types::ProgressResponse;
        );

        /// `GET /api/tags`: the local models.
        ///
        /// # Errors
        /// See [`Self::call`].
        pub async fn list_models(
            &self,
        ) -> ::core::result::Result<$crate::types::ListResponse, $crate::ClientError> {
            self.call(&$crate::request::ListModels).await
        }

        /// `GET /api/ps`: the loaded models.
        ///
        /// # Errors
        /// See [`Self::call`].
        pub async fn list_running(
            &self,
        ) -> ::core::result::Result<$crate::types::ProcessResponse, $crate::ClientError> {
            self.call(&$crate::request::ListRunning).await
        }

        /// `GET /api/version`.
        ///
        /// # Errors
        /// See [`Self::call`].
        pub async fn version(
            &self,
        ) -> ::core::result::Result<$crate::types::VersionResponse, $crate::ClientError> {
            self.call(&$crate::request::GetVersion).await
        }

        /// `HEAD /api/blobs/<digest>`: `true` if the server has the blob, `false` on 404.
        ///
        /// # Errors
        /// See [`Self::call`].
        pub async fn blob_exists(
            &self,
            digest: &$crate::types::BlobDigest,
        ) -> ::core::result::Result<bool, $crate::ClientError> {
            self.call(&$crate::types::BlobExists(digest.clone())).await
        }

        /// `POST /api/blobs/<digest>` with `data` as the body (the server checks the digest).
        ///
        /// # Errors
        /// See [`Self::call`].
        pub async fn create_blob(
            &self,
            digest: $crate::types::BlobDigest,
            data: $crate::__private::Bytes,
        ) -> ::core::result::Result<(), $crate::ClientError> {
            self.call(&$crate::types::CreateBlob::new(digest, data)).await
        }

        /// Web search: ollama.com's `/api/web_search` when the base URL is ollama.com, else
        /// the local server's `/api/experimental/web_search` proxy.
        ///
        /// # Errors
        /// See [`Self::call`].
        pub async fn web_search(
            &self,
            req: $crate::types::WebSearchRequest,
        ) -> ::core::result::Result<$crate::types::WebSearchResponse, $crate::ClientError> {
            if self.config().request.base_url.is_ollama_com() {
                self.call(&$crate::Direct(req)).await
            } else {
                self.call(&req).await
            }
        }

        /// Web fetch: ollama.com's `/api/web_fetch` when the base URL is ollama.com, else the
        /// local server's `/api/experimental/web_fetch` proxy.
        ///
        /// # Errors
        /// See [`Self::call`].
        pub async fn web_fetch(
            &self,
            req: $crate::types::WebFetchRequest,
        ) -> ::core::result::Result<$crate::types::WebFetchResponse, $crate::ClientError> {
            if self.config().request.base_url.is_ollama_com() {
                self.call(&$crate::Direct(req)).await
            } else {
                self.call(&req).await
            }
        }
    };

    // A request type that is its own `Call`: `self.call(&req)`.
    (@call $(
        $(#[doc = $doc:expr])*
        $name:ident($req:ident: $req_ty:ty) -> $out:ty;
    )*) => {
        $(
            $(#[doc = $doc])*
            ///
            /// # Errors
            /// See [`Self::call`].
            pub async fn $name(
                &self,
                $req: $req_ty,
            ) -> ::core::result::Result<$out, $crate::ClientError> {
                self.call(&$req).await
            }
        )*
    };
}

/// Expands, inside a transport's `impl Client`, to `from_env` and `builder`, in terms of its
/// [`BuildClient`](crate::BuildClient) implementation. See the
/// [module docs](crate::client_methods).
#[macro_export]
macro_rules! client_constructor_methods {
    () => {
        /// A client configured from `OLLAMA_HOST` and `OLLAMA_API_KEY` (see
        /// [`ClientConfig::from_env`](ollama_proto::ClientConfig::from_env)).
        ///
        /// # Errors
        /// As [`Self::new`].
        pub fn from_env() -> ::core::result::Result<Self, $crate::ClientError> {
            <Self as $crate::BuildClient>::from_config($crate::ClientConfig::from_env())
        }

        /// A builder starting from the defaults (`http://127.0.0.1:11434`, no timeouts, no
        /// retries).
        pub fn builder() -> $crate::ClientBuilder<Self> {
            $crate::ClientBuilder::default()
        }
    };
}

/// Expands, inside a transport's `impl EventStream`, to `collect`, `collect_chat` and
/// `collect_generate` in terms of its `next_event`. See the
/// [module docs](crate::client_methods).
#[macro_export]
macro_rules! event_stream_collect_methods {
    () => {
        /// Reads the stream to its end and merges every event (the texts concatenated, tool
        /// calls collected, the completion kept).
        ///
        /// # Errors
        /// The stream's first error.
        pub async fn collect(
            mut self,
        ) -> ::core::result::Result<$crate::Accumulator, $crate::ClientError> {
            let mut acc = $crate::Accumulator::default();
            // Bounded by the stream: it ends after `Done` or an error.
            while let ::core::option::Option::Some(event) = self.next_event().await {
                acc.push_owned(event?);
            }
            ::core::result::Result::Ok(acc)
        }

        /// Reads a chat stream to its end: the answer `/api/chat` with `"stream":false` gives.
        ///
        /// # Errors
        /// The stream's first error.
        pub async fn collect_chat(
            self,
        ) -> ::core::result::Result<$crate::types::ChatResponse, $crate::ClientError> {
            self.collect()
                .await
                .map($crate::Accumulator::into_chat_response)
        }

        /// Reads a generate stream to its end: the answer `/api/generate` with
        /// `"stream":false` gives.
        ///
        /// # Errors
        /// The stream's first error.
        pub async fn collect_generate(
            self,
        ) -> ::core::result::Result<$crate::types::GenerateResponse, $crate::ClientError> {
            self.collect()
                .await
                .map($crate::Accumulator::into_generate_response)
        }
    };
}

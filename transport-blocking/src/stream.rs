//! [`EventStream`]: the events of one streaming call, as an [`Iterator`].

use ollama_proto::{Accumulator, ChatResponse, ClientError, GenerateResponse, OwnedEvent};

use crate::Blocking;
use crate::block::block;

/// The events of one streaming call (chat, generate, pull, push, create), read from the
/// socket as you iterate; the core's [`ollama_proto::EventStream`] explains the end, the
/// timeouts and reuse.
///
/// Dropping it before the end closes its connection, so the server stops generating. A
/// stream read to its end gives its connection back to the pool.
#[must_use = "a stream reads nothing unless iterated; dropping it closes the connection"]
#[derive(Debug)]
pub struct EventStream(ollama_proto::EventStream<Blocking>);

impl EventStream {
    pub(crate) fn new(inner: ollama_proto::EventStream<Blocking>) -> Self {
        Self(inner)
    }

    /// What the call's reasoning intent applied, if it had one (see
    /// [`ollama_proto::reasoning`]).
    pub fn reasoning(&self) -> Option<&ollama_proto::reasoning::ReasoningApplied> {
        self.0.reasoning()
    }

    /// Reads the stream to its end and merges every event (texts concatenated, tool calls
    /// collected, the completion kept).
    ///
    /// # Errors
    /// The stream's first error.
    pub fn accumulate(self) -> Result<Accumulator, ClientError> {
        block(self.0.collect())
    }

    /// Reads a chat stream to its end: the answer `/api/chat` with `"stream":false` gives.
    ///
    /// # Errors
    /// The stream's first error.
    pub fn collect_chat(self) -> Result<ChatResponse, ClientError> {
        block(self.0.collect_chat())
    }

    /// Reads a generate stream to its end.
    ///
    /// # Errors
    /// The stream's first error.
    pub fn collect_generate(self) -> Result<GenerateResponse, ClientError> {
        block(self.0.collect_generate())
    }
}

impl Iterator for EventStream {
    type Item = Result<OwnedEvent, ClientError>;

    /// The next event, `None` after the final one or after an error.
    fn next(&mut self) -> Option<Self::Item> {
        block(self.0.next_event())
    }
}

impl std::iter::FusedIterator for EventStream {}

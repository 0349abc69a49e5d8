//! Tool runs, structured answers and conversations over any [`Runtime`]: thin drivers of the
//! sans-IO [`ToolLoop`], [`decode_answer`](crate::tools::decode_answer) and [`Conversation`].

use super::{Client, Runtime};
use crate::accumulate::Accumulator;
use crate::client_error::ClientError;
use crate::tools::{Conversation, Next, ToolEvent, ToolLoop, ToolRun, Toolbox};
use crate::types::{ChatRequest, ChatResponse};

impl<R: Runtime> Client<R> {
    /// Runs a chat with `toolbox`'s tools until the model answers without tool calls: every
    /// call of a turn runs concurrently, each result goes back as a `role: tool` message with
    /// `tool_name` and `tool_call_id`, a handler's error goes back as `error: …` (the run goes
    /// on), and `format` is applied only to the final answer. See [`ToolLoop`].
    ///
    /// # Errors
    /// Any error of [`Client::chat`]; [`ClientError::Tools`] when the model still calls tools
    /// after [`Toolbox::max_rounds`] rounds.
    pub async fn run_tools(
        &self,
        request: ChatRequest,
        toolbox: &Toolbox,
    ) -> Result<ToolRun, ClientError> {
        let mut run = ToolLoop::new(request, toolbox.tools()).max_rounds(toolbox.round_limit());
        // Bounded: tool rounds by `max_rounds`, plus at most one final `format` request.
        loop {
            let reply = self.chat(run.request().clone()).await?;
            match run.on_reply(reply)? {
                Next::Send => {}
                Next::RunTools(calls) => run.on_results(toolbox.run_all(&calls, |_| {}).await)?,
                Next::Done => return Ok(run.into_run()?),
            }
        }
    }

    /// [`run_tools`](Self::run_tools) with streamed replies (each reply is a streaming chat):
    /// `on_event` sees every piece of the model's replies, every tool call before it runs and
    /// every result when it is ready.
    ///
    /// # Errors
    /// As [`run_tools`](Self::run_tools), and any error of [`Client::chat_stream`].
    pub async fn run_tools_streaming<F>(
        &self,
        request: ChatRequest,
        toolbox: &Toolbox,
        mut on_event: F,
    ) -> Result<ToolRun, ClientError>
    where
        F: FnMut(ToolEvent<'_>) + Send,
    {
        let mut run = ToolLoop::new(request, toolbox.tools()).max_rounds(toolbox.round_limit());
        // Bounded: tool rounds by `max_rounds`, plus at most one final `format` request.
        loop {
            let mut stream = self.chat_stream(run.request().clone()).await?;
            let mut reply = Accumulator::default();
            while let Some(event) = stream.next_event().await {
                let event = event?;
                on_event(ToolEvent::Model(&event));
                reply.push_owned(event);
            }
            match run.on_reply(reply.into_chat_response())? {
                Next::Send => {}
                Next::RunTools(calls) => {
                    calls.iter().for_each(|c| on_event(ToolEvent::Call(c)));
                    let results = toolbox
                        .run_all(&calls, |r| on_event(ToolEvent::Result(r)))
                        .await;
                    run.on_results(results)?;
                }
                Next::Done => return Ok(run.into_run()?),
            }
        }
    }

    /// A chat whose answer is a `T`: `format` is set to `T`'s schema (unless the request has
    /// one), the answer is decoded into `T`.
    ///
    /// # Errors
    /// Any error of [`Client::chat`]; [`ClientError::EmptyAnswer`] when the answer is empty
    /// because all output went to reasoning (with the thinking's length);
    /// [`ClientError::Structured`] when the answer is not a `T` (with the raw text, the path
    /// and what did not match).
    #[cfg(feature = "schemars")]
    pub async fn chat_structured<T>(&self, mut request: ChatRequest) -> Result<T, ClientError>
    where
        T: schemars::JsonSchema + serde::de::DeserializeOwned,
    {
        if request.format.is_none() {
            request.format = Some(crate::types::Format::from_type::<T>());
        }
        let reply = self.chat(request).await?;
        if let Some(empty) = crate::tools::EmptyAnswer::of(&reply) {
            return Err(empty.into());
        }
        Ok(reply.answer_as::<T>()?)
    }

    /// Sends `conversation`'s next request and appends the reply to it (without its reasoning).
    ///
    /// # Errors
    /// Any error of [`Client::chat`]; the conversation is then unchanged.
    pub async fn send(&self, conversation: &mut Conversation) -> Result<ChatResponse, ClientError> {
        let reply = self.chat(conversation.request()).await?;
        conversation.push_reply(&reply);
        Ok(reply)
    }
}

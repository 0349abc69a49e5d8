//! [`Toolbox`]: tools and the async functions that answer them.
//!
//! A handler is any `Fn(Args) -> impl Future<Output = Result<impl Serialize, impl Display>>`:
//! its arguments are decoded from the call, its value becomes the tool message's text (a string
//! as it is, anything else as JSON), and an error, bad arguments or an unknown tool become a
//! tool message starting with `error: ` so the model can correct itself. No futures crate and
//! no runtime: handlers are boxed with `std` types and polled by whoever awaits them.

use std::fmt::{self, Display};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::typed::decode_arguments;
use crate::types::{Tool, ToolCall};

/// A handler's boxed future: the tool message's text, or the error text.
type BoxFuture = Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'static>>;
type Handler = Arc<dyn Fn(&ToolCall) -> BoxFuture + Send + Sync>;

/// The default bound on tool rounds (see [`Toolbox::max_rounds`]).
pub const DEFAULT_MAX_ROUNDS: u32 = 8;

/// The result of one tool call, as sent back to the model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ToolResult {
    /// The call this answers.
    pub call: ToolCall,
    /// The tool message's text: the handler's value, or `error: …`.
    pub content: String,
    /// `true` when the handler failed, the arguments did not fit or the tool is unknown.
    pub is_error: bool,
}

impl ToolResult {
    /// A result for `call`: `Ok(text)` as it is, `Err(message)` as `error: message`.
    pub fn new(call: &ToolCall, outcome: Result<String, String>) -> Self {
        let (content, is_error) = match outcome {
            Ok(text) => (text, false),
            Err(message) => (format!("error: {message}"), true),
        };
        Self {
            call: call.clone(),
            content,
            is_error,
        }
    }
}

/// Tools the model may call, each with its handler, and the bound on tool rounds.
///
/// ```
/// use ollama_proto::tools::Toolbox;
///
/// /// Get the current weather for a city.
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct GetWeather {
///     /// The city, e.g. Paris.
///     city: String,
/// }
///
/// let toolbox = Toolbox::new().tool(|w: GetWeather| async move {
///     Ok::<_, std::io::Error>(format!("22 °C and sunny in {}", w.city))
/// });
/// assert_eq!(toolbox.tools()[0].function.name, "get_weather");
/// ```
#[derive(Clone)]
pub struct Toolbox {
    entries: Vec<(Tool, Handler)>,
    max_rounds: u32,
}

impl Default for Toolbox {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Toolbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Toolbox")
            .field("tools", &self.tools())
            .field("max_rounds", &self.max_rounds)
            .finish()
    }
}

impl Toolbox {
    /// No tools; at most [`DEFAULT_MAX_ROUNDS`] tool rounds.
    pub fn new() -> Self {
        Self {
            entries: Vec::new(),
            max_rounds: DEFAULT_MAX_ROUNDS,
        }
    }

    /// Adds the tool [`Tool::from_type::<A>()`](Tool::from_type) answered by `handler`.
    #[cfg(feature = "schemars")]
    pub fn tool<A, F, Fut, T, E>(self, handler: F) -> Self
    where
        A: schemars::JsonSchema + DeserializeOwned + Send + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: Serialize,
        E: Display,
    {
        self.tool_with(Tool::from_type::<A>(), handler)
    }

    /// Adds `tool` answered by `handler`, whose arguments are decoded into `A`. A tool of the
    /// same name is replaced.
    pub fn tool_with<A, F, Fut, T, E>(mut self, tool: Tool, handler: F) -> Self
    where
        A: DeserializeOwned + Send + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: Serialize,
        E: Display,
    {
        let handler: Handler = Arc::new(move |call: &ToolCall| -> BoxFuture {
            match decode_arguments::<A>(call) {
                Ok(args) => {
                    let run = handler(args);
                    Box::pin(async move {
                        match run.await {
                            Ok(value) => to_text(&value),
                            Err(e) => Err(e.to_string()),
                        }
                    })
                }
                Err(e) => {
                    let message = format!("invalid arguments: {e}");
                    Box::pin(async move { Err(message) })
                }
            }
        });
        self.entries
            .retain(|(t, _)| t.function.name != tool.function.name);
        self.entries.push((tool, handler));
        self
    }

    /// At most `rounds` rounds of tool calls in one run; a model that still calls tools after
    /// that ends the run with [`ToolLoopError::RoundLimit`](super::ToolLoopError::RoundLimit).
    pub fn max_rounds(mut self, rounds: u32) -> Self {
        self.max_rounds = rounds;
        self
    }

    /// The bound on tool rounds.
    pub fn round_limit(&self) -> u32 {
        self.max_rounds
    }

    /// The tool definitions, in the order they were added.
    pub fn tools(&self) -> Vec<Tool> {
        self.entries.iter().map(|(t, _)| t.clone()).collect()
    }

    /// Runs one call: its handler's result, or an error result for an unknown tool or arguments
    /// that do not fit.
    pub fn run(&self, call: &ToolCall) -> impl Future<Output = ToolResult> + Send + 'static {
        let name = &call.function.name;
        let future: BoxFuture = match self.entries.iter().find(|(t, _)| t.function.name == *name) {
            Some((_, handler)) => handler(call),
            None => {
                let known: Vec<&str> = self
                    .entries
                    .iter()
                    .map(|(t, _)| t.function.name.as_str())
                    .collect();
                let message = format!("no tool named `{name}` (tools: {})", known.join(", "));
                Box::pin(async move { Err(message) })
            }
        };
        let call = call.clone();
        async move { ToolResult::new(&call, future.await) }
    }

    /// Runs every call of one turn concurrently (polled together, on the caller's task) and
    /// returns the results in call order; `on_result` sees each result as it completes.
    pub async fn run_all<F: FnMut(&ToolResult)>(
        &self,
        calls: &[ToolCall],
        mut on_result: F,
    ) -> Vec<ToolResult> {
        let mut running: Vec<Option<Pin<Box<dyn Future<Output = ToolResult> + Send>>>> = calls
            .iter()
            .map(|c| Some(Box::pin(self.run(c)) as Pin<Box<dyn Future<Output = _> + Send>>))
            .collect();
        let mut results: Vec<Option<ToolResult>> = vec![None; calls.len()];
        poll_fn(|cx| {
            let mut pending = false;
            for (slot, result) in running.iter_mut().zip(results.iter_mut()) {
                if let Some(future) = slot {
                    match future.as_mut().poll(cx) {
                        Poll::Ready(r) => {
                            on_result(&r);
                            *result = Some(r);
                            *slot = None;
                        }
                        Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        results.into_iter().flatten().collect()
    }
}

/// A handler's value as tool-message text: a JSON string as its text, anything else as JSON.
fn to_text<T: Serialize>(value: &T) -> Result<String, String> {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => Ok(s),
        Ok(other) => Ok(other.to_string()),
        Err(e) => Err(format!("the tool's result cannot be serialised: {e}")),
    }
}

//! What people build on a chat call: tools and structured answers from Rust types, the tool
//! loop, and conversations. Every decision is here, without IO; the generic
//! [`Client`](crate::Client) runs them over any runtime
//! ([`run_tools`](crate::Client::run_tools), [`run_tools_streaming`](crate::Client::run_tools_streaming),
//! `chat_structured` (feature `schemars`), [`send`](crate::Client::send)).
//!
//! - [`schema`]: a [`Tool`](crate::types::Tool) or a [`Format`](crate::types::Format) from a
//!   type (feature `schemars`), inlined as Ollama needs ([`ollama_schema`]).
//! - [`typed`]: tool arguments and structured answers into a type, or a [`DecodeError`].
//! - [`toolbox`]: tools with their async handlers ([`Toolbox`]).
//! - [`tool_loop`]: the sans-IO [`ToolLoop`] deciding every request of a tool run.
//! - [`conversation`]: a serialisable multi-turn history ([`Conversation`]).

pub mod conversation;
pub mod empty_answer;
pub mod schema;
pub mod tool_loop;
pub mod toolbox;
pub mod typed;

pub use conversation::{Budget, Conversation};
pub use empty_answer::EmptyAnswer;
#[cfg(feature = "schemars")]
pub use schema::schema_for;
pub use schema::{MAX_EXPANSIONS, ollama_schema};
pub use tool_loop::{Next, ToolEvent, ToolLoop, ToolLoopError, ToolRun, Turn};
pub use toolbox::{DEFAULT_MAX_ROUNDS, ToolResult, Toolbox};
pub use typed::{DecodeError, decode_answer, decode_arguments};

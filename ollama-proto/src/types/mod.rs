//! Typed requests and responses for every endpoint, as they appear on the wire.

pub mod completion;
pub mod logprob;
pub mod message;
pub mod tool;

pub use completion::{DoneReason, Metrics};
pub use logprob::{Logprob, TopLogprob};
pub use message::{Image, Message, Role};
pub use tool::{Tool, ToolCall, ToolCallFunction, ToolFunction};

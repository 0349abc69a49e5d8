//! Sans-IO protocol core for the Ollama HTTP API.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod accumulate;
pub mod deadline;
pub mod decoder;
pub mod embed_decode;
pub mod error;
pub mod event;
pub mod host;
pub mod request;
pub mod response;
pub mod retry;
pub mod think;
pub mod types;

pub use accumulate::Accumulator;
pub use decoder::{Decoder, DecoderConfig, DecoderState, StreamKind};
pub use error::{BodyKind, Error, ErrorKind, JsonError, Position, StatusError, UsageError};
pub use event::{Completion, Event, OwnedEvent, OwnedProgress, Progress};

//! Everything a program that talks to Ollama names, in one glob: what each transport
//! re-exports (`pub use ollama_proto::prelude::*`), so `ollama-hyper` and `ollama-smol` offer
//! the same names and either is the only dependency a program needs.

pub use crate::client::PoolOptions;
pub use crate::deadline::Timeouts;
pub use crate::error::BoxError;
pub use crate::keepalive::TcpKeepalive;
pub use crate::reasoning::{Reasoning, ReasoningApplied};
pub use crate::retry::RetryPolicy;
/// `#[derive(JsonSchema)]` for tool arguments and structured answers, with
/// `use ollama_*::{schemars, JsonSchema};` in scope (no `schemars` dependency needed).
#[cfg(feature = "schemars")]
pub use crate::schemars::{self, JsonSchema};
#[cfg(feature = "otel-metrics")]
pub use crate::telemetry::GenAiMetrics;
pub use crate::telemetry::TelemetryConfig;
pub use crate::think::ThinkConfig;
pub use crate::tls::TlsRoots;
pub use crate::tools::{
    Budget, Conversation, DecodeError, ToolEvent, ToolLoopError, ToolResult, ToolRun, Toolbox,
};
pub use crate::types::*;
pub use crate::{Accumulator, CallOptions, ClientConfig, Completion, Event, OwnedEvent};

//! Separating reasoning from answers.

mod config;
mod harmony;
mod output;
mod splitter;
mod tags;

pub use config::{TagPair, ThinkConfig, ThinkMode, ThinkPolicy};
pub use output::SplitOutput;
pub use splitter::ThinkSplitter;

//! Separating reasoning from answers. (Placeholder with the agreed API; replaced at merge.)

use crate::types::ToolCall;

/// Where reasoning is looked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThinkMode {
    /// Trust the server's `thinking` field only.
    Server,
    /// Detect automatically.
    #[default]
    Auto,
}

/// What reaches the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThinkPolicy {
    /// Reasoning apart from the answer.
    #[default]
    Separate,
    /// Reasoning dropped.
    Hide,
    /// Untouched.
    Raw,
}

/// Splitter configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThinkConfig {
    /// Mode.
    pub mode: ThinkMode,
    /// Policy.
    pub policy: ThinkPolicy,
}

/// Output of one push.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SplitOutput {
    /// Thinking text.
    pub thinking: String,
    /// Answer text.
    pub content: String,
    /// Tool calls found in markup.
    pub tool_calls: Vec<ToolCall>,
}

impl SplitOutput {
    /// Empties all parts, keeping capacity.
    pub fn clear(&mut self) {
        self.thinking.clear();
        self.content.clear();
        self.tool_calls.clear();
    }

    /// `true` when nothing was produced.
    pub fn is_empty(&self) -> bool {
        self.thinking.is_empty() && self.content.is_empty() && self.tool_calls.is_empty()
    }
}

/// The streaming splitter.
#[derive(Debug, Clone, Default)]
pub struct ThinkSplitter {
    config: ThinkConfig,
}

impl ThinkSplitter {
    /// A splitter.
    pub fn new(config: ThinkConfig) -> Self {
        Self { config }
    }

    /// A server `thinking` delta.
    pub fn push_thinking(&mut self, delta: &str, out: &mut SplitOutput) {
        if self.config.policy != ThinkPolicy::Hide {
            out.thinking.push_str(delta);
        }
    }

    /// A content delta.
    pub fn push_content(&mut self, delta: &str, out: &mut SplitOutput) {
        out.content.push_str(delta);
    }

    /// End of text.
    pub fn finish(&mut self, _out: &mut SplitOutput) {}
}

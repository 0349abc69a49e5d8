//! How a [`ThinkSplitter`](super::ThinkSplitter) finds reasoning and what it does with it.

/// Where the reasoning is found in a stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ThinkMode {
    /// Only the server's separate `thinking` field carries reasoning; `content`/`response` is
    /// passed through untouched (the server already split it, §6.2 of the API notes).
    Server,
    /// Reasoning is inline in the text, between a pair of tags (`<think>…</think>` by default),
    /// parsed like the server's generic tag parser.
    Tags(TagPair),
    /// gpt-oss "harmony" markup (`<|start|>…<|channel|>…<|message|>…<|end|>`), as seen with
    /// `raw: true` on gpt-oss models.
    Harmony,
    /// Decide from the text itself: inline `<think>` tags or harmony markup at the start are
    /// parsed, anything else is plain content. The server's `thinking` field is honoured too.
    #[default]
    Auto,
}

/// The opening and closing tag of an inline reasoning block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPair {
    open: String,
    close: String,
    prefilled: bool,
}

impl Default for TagPair {
    /// `<think>` and `</think>`, not prefilled.
    fn default() -> Self {
        Self::new("<think>", "</think>")
    }
}

impl TagPair {
    /// A custom pair, e.g. `TagPair::new("[THINK]", "[/THINK]")`.
    ///
    /// An empty opening tag means the block is always open (like [`prefilled`](Self::prefilled));
    /// an empty closing tag never matches, so all text after the opening is reasoning.
    pub fn new(open: impl Into<String>, close: impl Into<String>) -> Self {
        Self {
            open: open.into(),
            close: close.into(),
            prefilled: false,
        }
    }

    /// Whether the prompt already opened the block (e.g. a qwen3 template ending in `<think>`),
    /// so the model's first tokens are reasoning. A redundant leading opening tag is removed.
    #[must_use]
    pub fn prefilled(mut self, prefilled: bool) -> Self {
        self.prefilled = prefilled;
        self
    }

    /// The opening tag.
    pub fn open(&self) -> &str {
        &self.open
    }

    /// The closing tag.
    pub fn close(&self) -> &str {
        &self.close
    }

    /// Whether the block starts open.
    pub fn is_prefilled(&self) -> bool {
        self.prefilled
    }
}

/// What to do with the reasoning once it is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ThinkPolicy {
    /// Reasoning goes to [`SplitOutput::thinking`](super::SplitOutput::thinking), the answer to
    /// `content`.
    #[default]
    Separate,
    /// Reasoning is dropped, from the `thinking` field and from inline markup alike; only the
    /// answer (and tool calls) come out. Useful for gpt-oss, which reasons even with `think: false`.
    Hide,
    /// No splitting: `content` passes through untouched, markup and all. The server's `thinking`
    /// field still goes to `thinking`.
    Raw,
}

/// A [`ThinkMode`] and a [`ThinkPolicy`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThinkConfig {
    /// Where reasoning is found.
    pub mode: ThinkMode,
    /// What to do with it.
    pub policy: ThinkPolicy,
}

impl ThinkConfig {
    /// A mode and a policy.
    pub fn new(mode: ThinkMode, policy: ThinkPolicy) -> Self {
        Self { mode, policy }
    }
}

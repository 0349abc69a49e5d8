//! [`Model`]: a deterministic model configured by name, what it answers and how fast.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// What a chat or generate request to a [`Model`] answers.
///
/// ```
/// use ollama_standin::{Behaviour, Model};
/// let model = Model::echo("m").behaviour(Behaviour::Text("Always this.".into()));
/// assert_eq!(model.reply, Behaviour::Text("Always this.".into()));
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Behaviour {
    /// The last user message (chat) or the prompt (generate), word for word.
    #[default]
    Echo,
    /// The same text every time.
    Text(String),
    /// One [`Turn`] per assistant turn: the `n`th is the answer when the conversation already
    /// holds `n` assistant messages (the last turn repeats once they run out).
    Turns(Vec<Turn>),
}

/// One scripted assistant turn.
///
/// ```
/// use ollama_standin::Turn;
/// use serde_json::json;
///
/// let call = Turn::tool_call("get_weather", json!({"city": "Paris"}));
/// let answer = Turn::text("Sunny, 22 °C.").thinking("The tool said so.");
/// assert_eq!(call.tool_calls.len(), 1);
/// assert_eq!(answer.thinking.as_deref(), Some("The tool said so."));
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Turn {
    /// The answer text.
    pub content: String,
    /// Reasoning for this turn; the model's [`thinking_text`](Model::thinking_text) when `None`.
    pub thinking: Option<String>,
    /// Tool calls the turn makes.
    pub tool_calls: Vec<ToolCall>,
}

impl Turn {
    /// A turn that answers `content`.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Turn::text("Hi").content, "Hi");
    /// ```
    pub fn text(content: &str) -> Self {
        Self {
            content: content.to_owned(),
            ..Self::default()
        }
    }

    /// A turn that calls one tool (add more with [`and_call`](Self::and_call)).
    ///
    /// ```
    /// let turn = ollama_standin::Turn::tool_call("add", serde_json::json!({"a": 1}));
    /// assert_eq!(turn.tool_calls[0].name, "add");
    /// ```
    pub fn tool_call(name: &str, arguments: Value) -> Self {
        Self::default().and_call(name, arguments)
    }

    /// Adds a tool call to the turn.
    ///
    /// ```
    /// use ollama_standin::Turn;
    /// let turn = Turn::tool_call("a", serde_json::json!({})).and_call("b", serde_json::json!({}));
    /// assert_eq!(turn.tool_calls.len(), 2);
    /// ```
    pub fn and_call(mut self, name: &str, arguments: Value) -> Self {
        self.tool_calls.push(ToolCall {
            name: name.to_owned(),
            arguments,
        });
        self
    }

    /// Sets this turn's reasoning.
    ///
    /// ```
    /// let turn = ollama_standin::Turn::text("4").thinking("2 + 2");
    /// assert_eq!(turn.thinking.as_deref(), Some("2 + 2"));
    /// ```
    pub fn thinking(mut self, text: &str) -> Self {
        self.thinking = Some(text.to_owned());
        self
    }
}

/// One tool call a [`Turn`] makes.
///
/// ```
/// let call = ollama_standin::ToolCall { name: "add".into(), arguments: serde_json::json!({"a": 1}) };
/// assert_eq!(call.name, "add");
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
    /// The function's name.
    pub name: String,
    /// Its arguments, a JSON object.
    pub arguments: Value,
}

/// How a model's reasoning reaches the client; it also picks the family whose per-version
/// `think` rules apply ([`thinking::decide`](crate::thinking::decide)).
///
/// ```
/// use ollama_standin::{Model, ThinkingStyle};
/// assert!(Model::echo("q").thinking(ThinkingStyle::Field).can_think());
/// assert!(!Model::echo("g").can_think());
/// ```
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ThinkingStyle {
    /// No thinking capability: an enabled `think` is 400 `"<model>" does not support thinking`
    /// (the emulation's "no thinking" family).
    #[default]
    None,
    /// A thinking model whose reasoning the server parses (qwen3): in the `thinking` field when
    /// thinking is on (the default when `think` is unset on v0.12.4 and later), nothing with
    /// `think:false`; older servers and `raw` requests keep it inline as `<think>` tags.
    Field,
    /// A thinking model whose reasoning no parser takes apart (deepseek-r1's family rules):
    /// `<think>…</think>` at the start of the content wherever `Field` would fill `thinking`.
    InlineTags,
    /// GPT-OSS through the harmony parser: reasoning in `thinking` whatever `think` says,
    /// including `false`; levels `low`/`medium`/`high` (`max` means `high`); harmony markup in
    /// the content with `raw`; no such model before v0.11 (404).
    Harmony,
}

/// Timing of a model's answers. All zero by default: answers come at once.
///
/// ```
/// use std::time::Duration;
/// use ollama_standin::Pacing;
///
/// let pacing = Pacing { first_token_ms: 50, tokens_per_second: 100.0, ..Pacing::default() };
/// assert_eq!(pacing.token_interval(), Some(Duration::from_millis(10)));
/// ```
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Pacing {
    /// Time to "load" the model before the first answer (before the response head).
    pub load_ms: u64,
    /// Time to first token, after loading (also before the head: Ollama sends its head with
    /// the first line).
    pub first_token_ms: u64,
    /// Lines per second of a stream (`0` for no delay between lines).
    pub tokens_per_second: f64,
    /// Download speed of `/api/pull` progress, bytes per second of the model's `size` (`0`:
    /// instant, a few progress lines).
    pub pull_bytes_per_second: u64,
}

impl Pacing {
    /// The pause between stream lines, if any.
    ///
    /// ```
    /// let pacing = ollama_standin::Pacing { tokens_per_second: 4.0, ..Default::default() };
    /// assert_eq!(pacing.token_interval(), Some(std::time::Duration::from_millis(250)));
    /// ```
    pub fn token_interval(&self) -> Option<Duration> {
        (self.tokens_per_second > 0.0 && self.tokens_per_second.is_finite())
            .then(|| Duration::from_secs_f64(1.0 / self.tokens_per_second))
    }

    /// The pause before the response head: load time plus time to first token.
    ///
    /// ```
    /// let pacing = ollama_standin::Pacing { load_ms: 300, first_token_ms: 200, ..Default::default() };
    /// assert_eq!(pacing.before_head(), std::time::Duration::from_millis(500));
    /// ```
    pub fn before_head(&self) -> Duration {
        Duration::from_millis(self.load_ms.saturating_add(self.first_token_ms))
    }
}

/// A deterministic model the stand-in serves by name: its answers, reasoning style,
/// capabilities and the details `/api/tags`, `/api/show` and `/api/ps` report.
///
/// ```
/// use ollama_standin::{Model, ThinkingStyle, Turn};
/// use serde_json::json;
///
/// let echo = Model::echo("echo");
/// let qwen = Model::text("qwen3:8b", "Paris.").family("qwen3").thinking(ThinkingStyle::Field);
/// let agent = Model::turns("agent", vec![
///     Turn::tool_call("get_weather", json!({"city": "Rome"})),
///     Turn::text("Sunny in Rome."),
/// ]).tools();
/// let embedder = Model::embedding("nomic-embed-text", 768);
/// assert_eq!(qwen.capabilities(), ["completion", "thinking"]);
/// assert_eq!(agent.capabilities(), ["completion", "tools"]);
/// assert_eq!(embedder.capabilities(), ["embedding"]);
/// # drop(echo);
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Model {
    /// The name requests use, e.g. `qwen3:8b`.
    pub name: String,
    /// The model family (`details.family`), e.g. `qwen3`, `gpt-oss`, `llama`.
    pub family: String,
    /// What it answers.
    pub reply: Behaviour,
    /// How its reasoning shows.
    pub thinking: ThinkingStyle,
    /// The reasoning text when a turn has none of its own.
    pub thinking_text: String,
    /// Whether it has the `tools` capability (tools sent to a model without it: 400).
    pub tools: bool,
    /// Whether it has the `vision` capability.
    pub vision: bool,
    /// `Some(n)`: an embedding model with vectors of `n` dimensions (and no completion).
    pub embedding_length: Option<usize>,
    /// The context length `/api/show` and `/api/ps` report.
    pub context_length: u64,
    /// `details.parameter_size`.
    pub parameter_size: String,
    /// `details.quantization_level`.
    pub quantization_level: String,
    /// Size in bytes (`/api/tags`, `/api/ps`, pull progress).
    pub size: u64,
    /// Timing.
    pub pacing: Pacing,
}

impl Default for Model {
    fn default() -> Self {
        Self {
            name: String::new(),
            family: "llama".to_owned(),
            reply: Behaviour::Echo,
            thinking: ThinkingStyle::None,
            thinking_text: "Let me think about that.".to_owned(),
            tools: false,
            vision: false,
            embedding_length: None,
            context_length: 4096,
            parameter_size: "1.0B".to_owned(),
            quantization_level: "Q4_K_M".to_owned(),
            size: 1_000_000,
            pacing: Pacing::default(),
        }
    }
}

impl Model {
    /// A model that answers with the last user message (chat) or the prompt (generate).
    ///
    /// ```
    /// assert_eq!(ollama_standin::Model::echo("echo").name, "echo");
    /// ```
    pub fn echo(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// An echo model that behaves like its name's family, as a stand-in for a real model of
    /// that name: `qwen3…` thinks in the `thinking` field, `deepseek-r1…` in inline
    /// `<think>` tags, `gpt-oss…` through harmony (also with `think: false`), a name with
    /// `embed` in it is an embedding model of 768 dimensions, anything else cannot think.
    /// What the binary's `--model NAME` serves.
    ///
    /// ```
    /// use ollama_standin::{Model, ThinkingStyle};
    ///
    /// assert_eq!(Model::named("qwen3:8b").thinking, ThinkingStyle::Field);
    /// assert_eq!(Model::named("deepseek-r1:7b").thinking, ThinkingStyle::InlineTags);
    /// assert_eq!(Model::named("gpt-oss:20b").family, "gpt-oss");
    /// assert_eq!(Model::named("nomic-embed-text").embedding_length, Some(768));
    /// assert!(!Model::named("llama3.2").can_think());
    /// ```
    pub fn named(name: &str) -> Self {
        let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
        if base.starts_with("qwen3") {
            Self::echo(name)
                .family("qwen3")
                .thinking(ThinkingStyle::Field)
        } else if base.starts_with("deepseek-r1") {
            Self::echo(name)
                .family("qwen2")
                .thinking(ThinkingStyle::InlineTags)
        } else if base.starts_with("gpt-oss") {
            Self::echo(name).family("gpt-oss")
        } else if base.contains("embed") {
            Self::embedding(name, 768)
        } else {
            Self::echo(name)
        }
    }

    /// A model that always answers `text`.
    ///
    /// ```
    /// let model = ollama_standin::Model::text("m", "Paris.");
    /// assert_eq!(model.reply, ollama_standin::Behaviour::Text("Paris.".into()));
    /// ```
    pub fn text(name: &str, text: &str) -> Self {
        Self::echo(name).behaviour(Behaviour::Text(text.to_owned()))
    }

    /// A model that answers turn by turn (see [`Behaviour::Turns`]).
    ///
    /// ```
    /// use ollama_standin::{Model, Turn};
    /// let model = Model::turns("m", vec![Turn::text("one"), Turn::text("two")]);
    /// # drop(model);
    /// ```
    pub fn turns(name: &str, turns: Vec<Turn>) -> Self {
        Self::echo(name).behaviour(Behaviour::Turns(turns))
    }

    /// An embedding model with vectors of `dimensions` (deterministic per input, unit length).
    ///
    /// ```
    /// let model = ollama_standin::Model::embedding("nomic-embed-text", 768);
    /// assert_eq!(model.embedding_length, Some(768));
    /// ```
    pub fn embedding(name: &str, dimensions: usize) -> Self {
        Self {
            embedding_length: Some(dimensions),
            family: "nomic-bert".to_owned(),
            ..Self::echo(name)
        }
    }

    /// Sets what it answers.
    ///
    /// ```
    /// let model = ollama_standin::Model::echo("m").behaviour(ollama_standin::Behaviour::Echo);
    /// # drop(model);
    /// ```
    pub fn behaviour(mut self, reply: Behaviour) -> Self {
        self.reply = reply;
        self
    }

    /// Sets the family; `gpt-oss` also switches to [`ThinkingStyle::Harmony`].
    ///
    /// ```
    /// use ollama_standin::{Model, ThinkingStyle};
    /// assert_eq!(Model::echo("gpt-oss:20b").family("gpt-oss").thinking, ThinkingStyle::Harmony);
    /// ```
    pub fn family(mut self, family: &str) -> Self {
        family.clone_into(&mut self.family);
        if family == "gpt-oss" {
            self.thinking = ThinkingStyle::Harmony;
        }
        self
    }

    /// Sets how its reasoning shows (anything but `None` gives it the `thinking` capability).
    ///
    /// ```
    /// use ollama_standin::{Model, ThinkingStyle};
    /// let model = Model::echo("deepseek-r1").thinking(ThinkingStyle::InlineTags);
    /// assert!(model.can_think());
    /// ```
    pub fn thinking(mut self, style: ThinkingStyle) -> Self {
        self.thinking = style;
        self
    }

    /// Sets the default reasoning text.
    ///
    /// ```
    /// let model = ollama_standin::Model::echo("q").thinking_text("Hmm.");
    /// assert_eq!(model.thinking_text, "Hmm.");
    /// ```
    pub fn thinking_text(mut self, text: &str) -> Self {
        text.clone_into(&mut self.thinking_text);
        self
    }

    /// Gives it the `tools` capability.
    ///
    /// ```
    /// assert!(ollama_standin::Model::echo("m").tools().tools);
    /// ```
    pub fn tools(mut self) -> Self {
        self.tools = true;
        self
    }

    /// Gives it the `vision` capability.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Model::echo("m").vision().capabilities(), ["completion", "vision"]);
    /// ```
    pub fn vision(mut self) -> Self {
        self.vision = true;
        self
    }

    /// Sets the context length.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Model::echo("m").context_length(32768).context_length, 32768);
    /// ```
    pub fn context_length(mut self, tokens: u64) -> Self {
        self.context_length = tokens;
        self
    }

    /// Sets the size in bytes.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Model::echo("m").size(5_000).size, 5_000);
    /// ```
    pub fn size(mut self, bytes: u64) -> Self {
        self.size = bytes;
        self
    }

    /// Sets the timing.
    ///
    /// ```
    /// let pacing = ollama_standin::Pacing { pull_bytes_per_second: 1 << 20, ..Default::default() };
    /// let model = ollama_standin::Model::echo("m").pacing(pacing);
    /// # drop(model);
    /// ```
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// Whether it has the `thinking` capability.
    ///
    /// ```
    /// assert!(ollama_standin::Model::echo("gpt-oss").family("gpt-oss").can_think());
    /// ```
    pub fn can_think(&self) -> bool {
        self.thinking != ThinkingStyle::None
    }

    /// The capabilities `/api/show` lists, in Ollama's order.
    ///
    /// ```
    /// assert_eq!(ollama_standin::Model::echo("m").capabilities(), ["completion"]);
    /// ```
    pub fn capabilities(&self) -> Vec<&'static str> {
        if self.embedding_length.is_some() {
            return vec!["embedding"];
        }
        let mut out = vec!["completion"];
        if self.tools {
            out.push("tools");
        }
        if self.can_think() {
            out.push("thinking");
        }
        if self.vision {
            out.push("vision");
        }
        out
    }
}

//! [`Conversation`]: a chat history that builds each request, takes each reply, keeps reasoning
//! out of what is re-sent, switches Qwen3 thinking per turn and stays within a budget.
//! Serialisable with serde, so a service can store it between requests.

use serde::{Deserialize, Serialize};

use crate::reasoning::Reasoning;
use crate::types::{ChatRequest, ChatResponse, Message, Options, Role, Think};

/// How much history a [`Conversation`] keeps (the system prompt is always kept, and so is the
/// latest message).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Budget {
    /// At most this many messages besides the system prompt.
    pub max_messages: Option<usize>,
    /// At most about this many characters of history besides the system prompt (text and tool
    /// calls' arguments counted; images are not: count them as messages).
    pub max_chars: Option<usize>,
}

impl Budget {
    /// No bound.
    pub fn unbounded() -> Self {
        Self::default()
    }

    /// At most `n` messages besides the system prompt.
    pub fn messages(n: usize) -> Self {
        Self {
            max_messages: Some(n),
            max_chars: None,
        }
    }

    /// At most about `n` characters besides the system prompt.
    pub fn chars(n: usize) -> Self {
        Self {
            max_messages: None,
            max_chars: Some(n),
        }
    }
}

/// A multi-turn chat: system prompt, history, model, `think` and options.
///
/// ```
/// use ollama_proto::tools::{Budget, Conversation};
/// use ollama_proto::types::{ChatResponse, Message};
///
/// let mut chat = Conversation::new("qwen3:8b").system("Be brief.").budget(Budget::messages(2));
/// chat.push_user("Hi").soft_switch(false);
/// let mut reply = Message::assistant("Hello!");
/// reply.thinking = Some("Greet back.".into());
/// chat.push_reply(&ChatResponse::new(reply));
/// chat.push_user("Thanks");
///
/// let request = chat.request();
/// let texts: Vec<&str> = request.messages.iter().map(|m| m.content.as_str()).collect();
/// assert_eq!(texts, ["Be brief.", "Hello!", "Thanks"]); // trimmed to 2, system kept
/// assert_eq!(request.messages[1].thinking, None);       // reasoning is not re-sent
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Conversation {
    /// The model every request is for.
    pub model: String,
    /// The system prompt, sent first on every request and never trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The history (without the system prompt), oldest first.
    #[serde(default)]
    pub messages: Vec<Message>,
    /// `think` for the next request (set by [`soft_switch`](Self::soft_switch)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub think: Option<Think>,
    /// Options for every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
    /// The reasoning intent of every request (see [`crate::reasoning`]); a `think` set by
    /// [`soft_switch`](Self::soft_switch) wins over it. Not saved with the conversation.
    #[serde(skip)]
    pub reasoning: Option<Reasoning>,
    /// The history budget, applied as messages are pushed.
    #[serde(default)]
    pub budget: Budget,
}

impl Conversation {
    /// An empty conversation with `model`.
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            system: None,
            messages: Vec::new(),
            think: None,
            options: None,
            reasoning: None,
            budget: Budget::default(),
        }
    }

    /// Sets the system prompt.
    pub fn system(mut self, prompt: impl Into<String>) -> Self {
        self.system = Some(prompt.into());
        self
    }

    /// Sets the history budget (and trims to it).
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self.trim();
        self
    }

    /// Sets the options sent with every request.
    pub fn options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }

    /// Sets the reasoning intent sent with every request: the client turns it into the right
    /// `think` for the model and server, and keeps reasoning out of the answer when it is
    /// [`Reasoning::Off`].
    ///
    /// ```
    /// use ollama_proto::reasoning::Reasoning;
    /// use ollama_proto::tools::Conversation;
    ///
    /// let mut chat = Conversation::new("gpt-oss:20b").reasoning(Reasoning::Off);
    /// chat.push_user("Hi");
    /// assert_eq!(chat.request().reasoning, Some(Reasoning::Off));
    /// ```
    pub fn reasoning(mut self, intent: Reasoning) -> Self {
        self.reasoning = Some(intent);
        self
    }

    /// Appends a user message.
    pub fn push_user(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Message::user(text))
    }

    /// Appends any message (a user message with images, a tool result…).
    pub fn push(&mut self, message: Message) -> &mut Self {
        self.messages.push(message);
        self.trim();
        self
    }

    /// Qwen3 soft switch for the next turn: `/think` or `/no_think` on the latest user message
    /// (replacing an earlier one there) and `think` set to match; see
    /// [`apply_soft_switch`](crate::types::soft_switch::apply_soft_switch).
    pub fn soft_switch(&mut self, enable: bool) -> &mut Self {
        crate::types::soft_switch::apply_soft_switch(&mut self.messages, enable);
        self.think = Some(Think::Enabled(enable));
        self
    }

    /// Appends the assistant's reply, from a call or a collected stream
    /// ([`EventStream::collect_chat`](crate::EventStream::collect_chat)): its text without
    /// `<think>` blocks and its tool calls, not its reasoning (models are trained on histories
    /// without it; Qwen3's guidance says not to re-send it).
    pub fn push_reply(&mut self, reply: &ChatResponse) -> &mut Self {
        self.push(super::tool_loop::resent(&reply.message))
    }

    /// The request for the next turn: the system prompt, the history, `think` and options.
    pub fn request(&self) -> ChatRequest {
        let mut messages = Vec::with_capacity(self.messages.len() + 1);
        if let Some(system) = &self.system {
            messages.push(Message::system(system.clone()));
        }
        messages.extend(self.messages.iter().cloned());
        for m in &mut messages {
            m.thinking = None;
        }
        crate::types::soft_switch::strip_think_blocks(&mut messages);
        let mut request = ChatRequest::new(self.model.clone(), messages);
        request.think = self.think.clone();
        request.reasoning = self.reasoning.clone();
        request.options = self.options.clone();
        request
    }

    /// Drops the oldest messages until the history fits the budget, keeping the latest one; a
    /// tool result left without the call it answers is dropped too.
    pub fn trim(&mut self) {
        let mut cut = 0;
        let mut chars: usize = self.messages.iter().map(estimated_chars).sum();
        let over = |cut: usize, chars: usize, len: usize| {
            self.budget.max_messages.is_some_and(|m| len - cut > m)
                || self.budget.max_chars.is_some_and(|m| chars > m)
        };
        let len = self.messages.len();
        while cut + 1 < len && over(cut, chars, len) {
            chars -= estimated_chars(&self.messages[cut]);
            cut += 1;
        }
        while cut + 1 < len && self.messages[cut].role == Role::Tool {
            cut += 1;
        }
        self.messages.drain(..cut);
    }
}

/// Characters a message adds to the prompt, roughly: its text and its tool calls as JSON.
fn estimated_chars(m: &Message) -> usize {
    let calls: usize = m
        .tool_calls
        .iter()
        .map(|c| {
            c.function.name.chars().count()
                + serde_json::to_string(&c.function.arguments).map_or(0, |s| s.chars().count())
        })
        .sum();
    m.content.chars().count() + calls
}

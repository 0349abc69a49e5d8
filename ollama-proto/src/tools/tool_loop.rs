//! [`ToolLoop`]: the sans-IO state machine of a tool-calling chat. It decides every request;
//! whoever drives it sends them and runs the tools ([`Client::run_tools`](crate::Client::run_tools)
//! does both on any [`Runtime`](crate::Runtime); a custom loop can too).
//!
//! ```text
//!   request() ──send──▶ on_reply(reply) ─┬─ Next::RunTools(calls) ─run─▶ on_results(results) ─┐
//!       ▲                                ├─ Next::Send (the final request, with `format`)    │
//!       └────────────────────────────────┴───────────────────────────────────────────────────┘
//!                                        └─ Next::Done ─▶ into_run()
//! ```
//!
//! - **History:** after a reply with tool calls, the assistant message (its content without
//!   `<think>` blocks, its tool calls with their arguments in the model's order, no `thinking`)
//!   and one `role: tool` message per call, in call order, with `tool_name` and `tool_call_id`
//!   (a call without an id gets one, `call_` and its position in the turn as 8 digits, as the
//!   decoder gives it).
//! - **`format` is withheld** while tools are offered: models asked for both tend to answer in
//!   the format instead of calling tools. Once the model answers without tool calls, the same
//!   history is sent once more with `format` (that unconstrained answer is kept in
//!   [`ToolRun::turns`] only).
//! - **Thinking** is kept per turn in [`ToolRun::turns`], never re-sent.
//! - **Bounded:** more than the allowed rounds of tool calls is [`ToolLoopError::RoundLimit`].

use std::fmt;

use super::toolbox::ToolResult;
use crate::types::{ChatRequest, ChatResponse, Format, Message, Role, Tool, ToolCall};

/// What the driver does next after [`ToolLoop::on_reply`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Next {
    /// Send [`ToolLoop::request`] (the final request, with the withheld `format`).
    Send,
    /// Run these calls (concurrently if you like) and hand the results, in this order, to
    /// [`ToolLoop::on_results`]; then send [`ToolLoop::request`].
    RunTools(Vec<ToolCall>),
    /// The model answered: take the result with [`ToolLoop::into_run`].
    Done,
}

/// One model reply of a run, and the results of the tools it called.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Turn {
    /// The model's reasoning on this turn, kept apart (never re-sent).
    pub thinking: Option<String>,
    /// The answer text of this turn.
    pub content: String,
    /// The tools it called.
    pub tool_calls: Vec<ToolCall>,
    /// Their results, in call order.
    pub results: Vec<ToolResult>,
}

/// A finished tool run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ToolRun {
    /// The final reply (structured when the request had a `format`).
    pub answer: ChatResponse,
    /// The whole history: the request's messages, every tool round, and the final answer
    /// (without its thinking), ready to continue the conversation.
    pub messages: Vec<Message>,
    /// Every reply in order, with its thinking and tool results.
    pub turns: Vec<Turn>,
    /// Rounds of tool calls that were run.
    pub rounds: u32,
}

impl ToolRun {
    /// The final answer's text.
    pub fn content(&self) -> &str {
        &self.answer.message.content
    }
}

/// Why a tool run stopped without an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolLoopError {
    /// The model still called tools after `max_rounds` rounds.
    RoundLimit {
        /// The bound.
        max_rounds: u32,
        /// The functions it called in the round that was not run.
        pending: Vec<String>,
    },
    /// [`ToolLoop::on_results`] got another number of results than there were calls.
    ResultCount {
        /// Calls made.
        expected: usize,
        /// Results given.
        got: usize,
    },
    /// A method was called in the wrong state (e.g. `on_reply` while results are due).
    OutOfOrder {
        /// The method called.
        called: &'static str,
        /// What the loop was waiting for.
        expected: &'static str,
    },
}

impl fmt::Display for ToolLoopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RoundLimit {
                max_rounds,
                pending,
            } => write!(
                f,
                "the model still called tools after {max_rounds} rounds (next: {})",
                pending.join(", ")
            ),
            Self::ResultCount { expected, got } => {
                write!(f, "{got} tool results for {expected} tool calls")
            }
            Self::OutOfOrder { called, expected } => {
                write!(f, "tool loop: {called} called while waiting for {expected}")
            }
        }
    }
}

impl std::error::Error for ToolLoopError {}

#[derive(Debug, Clone, PartialEq)]
enum State {
    AwaitReply,
    AwaitResults(Vec<ToolCall>),
    Done(Box<ChatResponse>),
    Failed,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            Self::AwaitReply => "a reply",
            Self::AwaitResults(_) => "tool results",
            Self::Done(_) => "nothing (done)",
            Self::Failed => "nothing (failed)",
        }
    }
}

/// The sans-IO tool loop (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolLoop {
    request: ChatRequest,
    withheld: Option<Format>,
    max_rounds: u32,
    rounds: u32,
    turns: Vec<Turn>,
    state: State,
}

impl ToolLoop {
    /// A loop over `request` offering `tools` as well as the request's own (a tool of the same
    /// name as one in the request replaces it). At most
    /// [`DEFAULT_MAX_ROUNDS`](super::DEFAULT_MAX_ROUNDS) rounds.
    pub fn new(mut request: ChatRequest, tools: impl IntoIterator<Item = Tool>) -> Self {
        for tool in tools {
            request
                .tools
                .retain(|t| t.function.name != tool.function.name);
            request.tools.push(tool);
        }
        let withheld = if request.tools.is_empty() {
            None
        } else {
            request.format.take()
        };
        Self {
            request,
            withheld,
            max_rounds: super::DEFAULT_MAX_ROUNDS,
            rounds: 0,
            turns: Vec::new(),
            state: State::AwaitReply,
        }
    }

    /// Sets the bound on rounds of tool calls.
    pub fn max_rounds(mut self, rounds: u32) -> Self {
        self.max_rounds = rounds;
        self
    }

    /// The request to send now (a non-streaming or streaming chat: either works).
    pub fn request(&self) -> &ChatRequest {
        &self.request
    }

    /// Rounds of tool calls run so far.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    /// Takes the model's reply to [`request`](Self::request) (a streamed one collected with
    /// [`Accumulator::into_chat_response`](crate::Accumulator::into_chat_response) works the
    /// same).
    ///
    /// # Errors
    /// [`ToolLoopError::RoundLimit`] when the reply calls tools and `max_rounds` rounds were
    /// run; [`ToolLoopError::OutOfOrder`] when no reply was due.
    pub fn on_reply(&mut self, mut reply: ChatResponse) -> Result<Next, ToolLoopError> {
        if self.state != State::AwaitReply {
            return Err(self.out_of_order("on_reply"));
        }
        // A reply read by this crate's decoder has an id on every call; one built by hand or
        // decoded elsewhere may not: the history needs one to answer each call.
        for (n, call) in reply.message.tool_calls.iter_mut().enumerate() {
            if call.id.as_deref().is_none_or(str::is_empty) {
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                call.id = Some(crate::decoder::synthesised_id(n));
            }
        }
        let message = &reply.message;
        self.turns.push(Turn {
            thinking: message.thinking.clone().filter(|t| !t.is_empty()),
            content: message.content.clone(),
            tool_calls: message.tool_calls.clone(),
            results: Vec::new(),
        });
        if !message.tool_calls.is_empty() {
            if self.rounds >= self.max_rounds {
                self.state = State::Failed;
                return Err(ToolLoopError::RoundLimit {
                    max_rounds: self.max_rounds,
                    pending: names(&message.tool_calls),
                });
            }
            if let Some(format) = self.request.format.take() {
                self.withheld = Some(format);
            }
            self.rounds += 1;
            let calls = message.tool_calls.clone();
            self.request.messages.push(resent(message));
            self.state = State::AwaitResults(calls.clone());
            return Ok(Next::RunTools(calls));
        }
        if let Some(format) = self.withheld.take() {
            self.request.format = Some(format);
            return Ok(Next::Send);
        }
        self.state = State::Done(Box::new(reply));
        Ok(Next::Done)
    }

    /// Takes the results of the calls of [`Next::RunTools`], in call order: one `role: tool`
    /// message each is appended to the history.
    ///
    /// # Errors
    /// [`ToolLoopError::ResultCount`] for another number of results (nothing is appended);
    /// [`ToolLoopError::OutOfOrder`] when no results were due.
    pub fn on_results(&mut self, results: Vec<ToolResult>) -> Result<(), ToolLoopError> {
        let State::AwaitResults(calls) = &self.state else {
            return Err(self.out_of_order("on_results"));
        };
        if calls.len() != results.len() {
            return Err(ToolLoopError::ResultCount {
                expected: calls.len(),
                got: results.len(),
            });
        }
        for (call, result) in calls.iter().zip(&results) {
            self.request
                .messages
                .push(Message::tool_result(call, result.content.clone()));
        }
        if let Some(turn) = self.turns.last_mut() {
            turn.results = results;
        }
        self.state = State::AwaitReply;
        Ok(())
    }

    /// The finished run.
    ///
    /// # Errors
    /// [`ToolLoopError::OutOfOrder`] before [`Next::Done`].
    pub fn into_run(self) -> Result<ToolRun, ToolLoopError> {
        let State::Done(answer) = self.state else {
            return Err(self.out_of_order("into_run"));
        };
        let mut messages = self.request.messages;
        messages.push(resent(&answer.message));
        Ok(ToolRun {
            answer: *answer,
            messages,
            turns: self.turns,
            rounds: self.rounds,
        })
    }

    fn out_of_order(&self, called: &'static str) -> ToolLoopError {
        ToolLoopError::OutOfOrder {
            called,
            expected: self.state.name(),
        }
    }
}

/// An assistant reply as it goes back into history: no thinking, no `<think>` blocks, the tool
/// calls as the model made them (ids, order of arguments). The tool loop and
/// [`Conversation`](super::Conversation) re-send replies the same way.
pub(crate) fn resent(reply: &Message) -> Message {
    let mut message = Message::new(Role::Assistant, reply.content.clone());
    crate::types::soft_switch::strip_leading_blocks(&mut message.content);
    message.tool_calls = reply.tool_calls.clone();
    message.images = reply.images.clone();
    message
}

fn names(calls: &[ToolCall]) -> Vec<String> {
    calls.iter().map(|c| c.function.name.clone()).collect()
}

/// What a streaming tool run reports as it happens
/// ([`Client::run_tools_streaming`](crate::Client::run_tools_streaming)).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ToolEvent<'a> {
    /// A piece of the model's reply: thinking, content, tool calls, the final metrics.
    Model(&'a crate::event::OwnedEvent),
    /// A tool call about to run (every call of a turn is announced before they run together).
    Call(&'a ToolCall),
    /// A tool call's result, as soon as it is ready.
    Result(&'a ToolResult),
}

//! The one incremental NDJSON decoder for every streaming endpoint.
//!
//! ```text
//! bytes ─feed─▶ LineFramer ─line─▶ JSON (wire.rs) ─fields─▶ ThinkSplitter ─▶ poll_event()
//! ```
//!
//! Contract: after every [`Decoder::feed`] and after [`Decoder::finish`], call
//! [`Decoder::poll_event`] until it returns `None`. The result does not depend on how the body
//! was cut into chunks: for any chunking, the events differ at most in where `Thinking` and
//! `Content` deltas are cut (the splitter may hold back a partial tag), and the concatenated
//! texts, tool calls, progress lines and completion are identical.

mod framer;
mod wire;

use framer::{LineFramer, LineSpan};
use wire::LineScratch;

use crate::error::{Error, Position, UsageError};
use crate::event::{Completion, Event, Progress};
use crate::think::{SplitOutput, ThinkConfig, ThinkSplitter};
use crate::types::DoneReason;

/// Which family of stream a [`Decoder`] reads: it decides where text lives and what the
/// terminal object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamKind {
    /// `/api/chat`: text in `message.content` / `message.thinking`; ends with `done: true`.
    Chat,
    /// `/api/generate`: text in `response` / `thinking`; ends with `done: true`.
    Generate,
    /// `/api/pull`, `/api/push`, `/api/create`: progress objects; ends with `status: "success"`.
    Progress,
}

/// Limits and thinking separation for a [`Decoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecoderConfig {
    /// Longest accepted line in bytes (default 8 MiB; Ollama's Go client allows 8 MB). The
    /// limit is enforced while buffering: at most `max_line_len` bytes of a partial line plus
    /// one fed chunk are ever held.
    pub max_line_len: usize,
    /// How much of an HTTP error body the [`Exchange`](crate::exchange::Exchange) reads for the
    /// status's message (default 64 KiB); then it stops reading. Not used by the decoder.
    pub max_error_body: usize,
    /// How reasoning is separated from the answer (chat and generate only).
    pub think: ThinkConfig,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        Self {
            max_line_len: 8 * 1024 * 1024,
            max_error_body: 64 * 1024,
            think: ThinkConfig::default(),
        }
    }
}

impl DecoderConfig {
    /// Sets [`DecoderConfig::max_line_len`].
    pub fn max_line_len(mut self, bytes: usize) -> Self {
        self.max_line_len = bytes;
        self
    }

    /// Sets [`DecoderConfig::think`].
    pub fn think(mut self, think: ThinkConfig) -> Self {
        self.think = think;
        self
    }
}

/// Where a [`Decoder`] is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecoderState {
    /// Waiting for more bytes or for events to be drained.
    Streaming,
    /// The terminal object was decoded (its events may still be waiting in `poll_event`).
    Done,
    /// An error was found; it is reported once by `poll_event` and kept in
    /// [`Decoder::error`]. Nothing else will be produced (errors are sticky).
    Failed,
}

/// Which part of the current line `poll_event` hands out next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Thinking,
    Content,
    ToolCalls,
    Logprobs,
    Progress,
    Done,
    Drained,
}

/// Incremental decoder for a streaming response body (`/api/chat`, `/api/generate`,
/// `/api/pull`, `/api/push`, `/api/create`), also for their non-streamed single-object bodies.
///
/// ```
/// use ollama_proto::{Decoder, DecoderConfig, Event, StreamKind};
///
/// let body = b"{\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n\
///              {\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":true,\"done_reason\":\"stop\"}\n";
/// let mut decoder = Decoder::new(StreamKind::Chat, DecoderConfig::default());
/// let mut text = String::new();
/// for chunk in body.chunks(7) {            // bytes arrive in any chunking
///     decoder.feed(chunk).unwrap();        // Err only on API misuse
///     while let Some(event) = decoder.poll_event() {
///         if let Event::Content(delta) = event.unwrap() {
///             text.push_str(delta);
///         }
///     }
/// }
/// decoder.finish();                        // end of body
/// while let Some(event) = decoder.poll_event() {
///     event.unwrap();
/// }
/// assert_eq!(text, "Hello");
/// ```
#[derive(Debug)]
pub struct Decoder {
    kind: StreamKind,
    framer: LineFramer,
    scratch: LineScratch,
    split: SplitOutput,
    splitter: ThinkSplitter,
    completion: Completion,
    stage: Stage,
    /// The current line is the terminal one.
    terminal: bool,
    state: DecoderState,
    error: Option<Error>,
    error_reported: bool,
    finished: bool,
    /// Lines parsed as JSON objects (error lines included).
    objects: u64,
}

impl Decoder {
    /// A decoder for a body that came with a success status (the
    /// [`Exchange`](crate::exchange::Exchange) decides statuses; an error status never reaches
    /// a decoder).
    pub fn new(kind: StreamKind, config: DecoderConfig) -> Self {
        Self {
            kind,
            framer: LineFramer::new(config.max_line_len),
            scratch: LineScratch::default(),
            split: SplitOutput::default(),
            splitter: ThinkSplitter::new(config.think),
            completion: Completion::default(),
            stage: Stage::Drained,
            terminal: false,
            state: DecoderState::Streaming,
            error: None,
            error_reported: false,
            finished: false,
            objects: 0,
        }
    }

    /// The stream family this decoder reads.
    pub fn kind(&self) -> StreamKind {
        self.kind
    }

    /// Where the decoder is in its life.
    pub fn state(&self) -> DecoderState {
        self.state
    }

    /// The error that stopped decoding, if any (stays set: errors are sticky).
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// JSON objects (lines) decoded so far, error lines included.
    pub fn objects_decoded(&self) -> u64 {
        self.objects
    }

    /// Body bytes fed so far.
    pub fn bytes_seen(&self) -> u64 {
        self.framer.bytes_seen()
    }

    /// Hands the decoder the next piece of the body, of any size, split anywhere. Call
    /// [`poll_event`](Self::poll_event) until `None` afterwards.
    ///
    /// `bytes` are **de-framed body bytes**: what the HTTP layer gives after removing the
    /// transfer coding. With `Transfer-Encoding: chunked` (how Ollama streams), never feed the
    /// chunk-size lines, the chunk CRLFs or trailers; with `Content-Length`, feed the body as it
    /// is. Chunk framing fed here shows up as a JSON error at its line and byte offset.
    ///
    /// # Errors
    /// [`UsageError::FeedAfterFinish`] if [`finish`](Self::finish) was called before. Bytes fed
    /// after a decoding error are ignored.
    #[inline]
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), UsageError> {
        if self.finished {
            return Err(UsageError::FeedAfterFinish);
        }
        if self.state == DecoderState::Failed {
            return Ok(());
        }
        self.framer.feed(bytes);
        Ok(())
    }

    /// Marks the end of the body. Idempotent. A last line without a newline is decoded now,
    /// and a stream that has not reached its terminal object fails with [`Error::Truncated`].
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.framer.finish();
    }

    /// The next event, an error, or `None` when more input (or `finish`) is needed or the
    /// stream is over. An error is returned once; afterwards the decoder yields `None`.
    #[must_use = "events must be drained after every feed"]
    #[inline]
    pub fn poll_event(&mut self) -> Option<Result<Event<'_>, Error>> {
        // The common case of a trickle of small feeds, answered without a call: nothing
        // complete yet.
        if self.stage == Stage::Drained
            && self.error.is_none()
            && !self.finished
            && !self.framer.has_work()
        {
            return None;
        }
        self.next_event()
    }

    /// [`poll_event`](Self::poll_event) once there may be something to hand out.
    fn next_event(&mut self) -> Option<Result<Event<'_>, Error>> {
        loop {
            if let Some(stage) = self.next_stage() {
                return Some(Ok(self.event_at(stage)));
            }
            if let Some(e) = &self.error {
                if self.error_reported {
                    return None;
                }
                self.error_reported = true;
                return Some(Err(e.clone()));
            }
            match self.framer.next_line() {
                Some(Ok(span)) if self.state == DecoderState::Done => {
                    self.fail(Error::TrailingData { at: span.at });
                }
                Some(Ok(span)) => self.decode_line(span),
                Some(Err(e)) => self.fail(e),
                None if self.finished && self.state == DecoderState::Streaming => {
                    self.fail(Error::Truncated {
                        lines: self.framer.lines_seen(),
                        bytes: self.framer.bytes_seen(),
                    });
                }
                None => return None,
            }
        }
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
            self.state = DecoderState::Failed;
            self.stage = Stage::Drained;
        }
    }

    /// Advances to the next non-empty part of the current line.
    fn next_stage(&mut self) -> Option<Stage> {
        while self.stage != Stage::Drained {
            let stage = self.stage;
            self.stage = match stage {
                Stage::Thinking => Stage::Content,
                Stage::Content => Stage::ToolCalls,
                Stage::ToolCalls => Stage::Logprobs,
                Stage::Logprobs => Stage::Progress,
                Stage::Progress => Stage::Done,
                Stage::Done | Stage::Drained => Stage::Drained,
            };
            let present = match stage {
                Stage::Thinking => !self.split.thinking.is_empty(),
                Stage::Content => !self.split.content.is_empty(),
                Stage::ToolCalls => !self.scratch.tool_calls.is_empty(),
                Stage::Logprobs => !self.scratch.logprobs.is_empty(),
                Stage::Progress => self.kind == StreamKind::Progress && self.scratch.has_status,
                Stage::Done => self.terminal,
                Stage::Drained => false,
            };
            if present {
                return Some(stage);
            }
        }
        None
    }

    fn event_at(&self, stage: Stage) -> Event<'_> {
        let s = &self.scratch;
        match stage {
            Stage::Thinking => Event::Thinking(&self.split.thinking),
            Stage::Content => Event::Content(&self.split.content),
            Stage::ToolCalls => Event::ToolCalls(&s.tool_calls),
            Stage::Logprobs => Event::Logprobs(&s.logprobs),
            Stage::Progress => Event::Progress(Progress {
                status: &s.status,
                digest: s.has_digest.then_some(s.digest.as_str()),
                total: s.total,
                completed: s.completed,
            }),
            Stage::Done | Stage::Drained => Event::Done(&self.completion),
        }
    }

    #[inline(never)]
    fn decode_line(&mut self, span: LineSpan) {
        let line = &self.framer.buffer()[span.start..span.end];
        self.scratch.clear();
        if let Err(e) = self.scratch.parse(line) {
            // A last line cut short by the end of the body is a truncated stream, not bad JSON.
            let err = if e.is_eof() && !span.terminated {
                Error::Truncated {
                    lines: self.framer.lines_seen() - 1,
                    bytes: self.framer.bytes_seen(),
                }
            } else {
                Error::from_json_line(line, span.at, &e)
            };
            self.fail(err);
            return;
        }
        self.objects += 1;
        if self.scratch.has_error {
            let err = Error::Server {
                message: std::mem::take(&mut self.scratch.error),
                signin_url: self.scratch.signin_url.take(),
                at: span.at,
            };
            self.fail(err);
            return;
        }
        self.split.clear();
        self.terminal = match self.kind {
            StreamKind::Chat | StreamKind::Generate => {
                let s = &self.scratch;
                if s.has_thinking && !s.thinking.is_empty() {
                    self.splitter.push_thinking(&s.thinking, &mut self.split);
                }
                if !s.text.is_empty() {
                    self.splitter.push_content(&s.text, &mut self.split);
                }
                if s.done {
                    self.splitter.finish(&mut self.split);
                }
                self.scratch.tool_calls.append(&mut self.split.tool_calls);
                self.scratch.done
            }
            StreamKind::Progress => self.scratch.has_status && self.scratch.status == "success",
        };
        if self.terminal {
            self.fill_completion();
            self.state = DecoderState::Done;
        }
        self.stage = Stage::Thinking;
    }

    fn fill_completion(&mut self) {
        let s = &mut self.scratch;
        let c = &mut self.completion;
        c.done_reason = s.has_done_reason.then(|| DoneReason::parse(&s.done_reason));
        c.metrics = s.metrics;
        c.context = s.has_context.then(|| std::mem::take(&mut s.context));
        c.model = std::mem::take(&mut s.model);
        c.created_at = std::mem::take(&mut s.created_at);
        c.status = (self.kind == StreamKind::Progress).then(|| s.status.clone());
        c.think_budget = s.think_budget.take();
        c.think_budget_tokens = s.think_budget_tokens;
    }
}

/// Where decoding stopped, for errors raised while draining.
impl Decoder {
    /// Where the next unread line starts (line number and body offset).
    pub fn position(&self) -> Position {
        self.framer.position()
    }
}

#[cfg(test)]
mod tests;

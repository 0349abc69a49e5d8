//! What a decoded single answer (not a stream) tells its span: the model that answered, why it
//! stopped, its text, an embedding's size.

use crate::types::{ChatResponse, DoneReason, EmbedResponse, GenerateResponse};

/// The parts of an answer the conventions record.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Answer<'a> {
    pub(crate) model: Option<&'a str>,
    pub(crate) done_reason: Option<&'a DoneReason>,
    pub(crate) content: &'a str,
    pub(crate) reasoning: &'a str,
    /// Embeddings: input tokens (chat and generate have them in the call's metrics).
    pub(crate) input_tokens: Option<u64>,
    /// Embeddings: the length of a vector.
    pub(crate) dimensions: Option<usize>,
}

fn model(name: &str) -> Option<&str> {
    (!name.is_empty()).then_some(name)
}

impl<'a> Answer<'a> {
    /// A chat answer.
    pub(crate) fn of_chat(r: &'a ChatResponse) -> Self {
        Self {
            model: model(&r.model),
            done_reason: r.done_reason.as_ref(),
            content: &r.message.content,
            reasoning: r.message.thinking.as_deref().unwrap_or(""),
            ..Self::default()
        }
    }

    /// A generate answer.
    pub(crate) fn of_generate(r: &'a GenerateResponse) -> Self {
        Self {
            model: model(&r.model),
            done_reason: r.done_reason.as_ref(),
            content: &r.response,
            reasoning: r.thinking.as_deref().unwrap_or(""),
            ..Self::default()
        }
    }

    /// An embed answer.
    pub(crate) fn of_embed(r: &'a EmbedResponse) -> Self {
        Self {
            model: model(&r.model),
            input_tokens: r.prompt_eval_count,
            dimensions: r.embeddings.first().map(Vec::len),
            ..Self::default()
        }
    }
}

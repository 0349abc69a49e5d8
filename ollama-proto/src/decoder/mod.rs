//! The one incremental NDJSON decoder for every streaming endpoint.

/// Which family of stream a [`Decoder`](crate::decoder) reads: it decides where text lives
/// and what the terminal object is.
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

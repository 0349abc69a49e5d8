//! The real recorded Ollama responses from `shared/fixtures/recorded`.

use std::path::PathBuf;

use ollama_proto::StreamKind;

/// Directory of the recordings (beside the workspace, in `shared/`).
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/recorded"
    ))
}

/// One recorded response body.
#[derive(Debug, Clone)]
pub struct Recording {
    /// File name.
    pub name: String,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Every recording whose file name passes `keep`, sorted by name. Panics if the directory is
/// missing (the benchmarks need it).
pub fn load(keep: impl Fn(&str) -> bool) -> Vec<Recording> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir()).expect("shared/fixtures/recorded beside the workspace");
    for entry in entries {
        let path = entry.expect("readable directory").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if keep(&name) {
            let body = std::fs::read(&path).expect("readable recording");
            out.push(Recording { name, body });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The native streamed recordings (`*.ndjson`, no `/v1`) of one kind, by file name.
pub fn streams(kind: StreamKind) -> Vec<Recording> {
    load(|name| {
        name.ends_with(".ndjson") && !name.starts_with("v1-") && stream_kind(name) == Some(kind)
    })
}

/// Which decoder reads a recording, from its file name.
pub fn stream_kind(name: &str) -> Option<StreamKind> {
    if name.contains("-chat-") {
        Some(StreamKind::Chat)
    } else if name.contains("-generate-") {
        Some(StreamKind::Generate)
    } else if name.contains("-pull-") {
        Some(StreamKind::Progress)
    } else {
        None
    }
}

/// The `/api/embed` recordings.
pub fn embeds() -> Vec<Recording> {
    load(|name| {
        name.contains("-embed-") && name.ends_with(".json") && !name.ends_with(".request.json")
    })
}

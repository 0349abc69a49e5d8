//! Helpers shared by the integration tests: the recordings and a drain loop.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::PathBuf;

use ollama_proto::exchange::Exchange;
use ollama_proto::request::Streaming;
use ollama_proto::types::ChatRequest;
use ollama_proto::{ClientConfig, Decoder, DecoderConfig, Error, OwnedEvent, StreamKind};

/// Directory of the recorded server responses.
pub fn recordings_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/recorded"
    ))
}

/// A native-API recording: file name, body bytes, and the stream kind when it streams.
pub struct Recording {
    pub name: String,
    pub body: Vec<u8>,
    pub kind: Option<StreamKind>,
    pub status: u16,
}

/// Every native-API response recording (no `v1-*`, no request bodies).
pub fn recordings() -> Vec<Recording> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(recordings_dir()).expect("../shared/fixtures/recorded") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("v1-")
            || name.ends_with(".request.json")
            || name.ends_with(".md")
            || !(name.ends_with(".json") || name.ends_with(".ndjson"))
        {
            continue;
        }
        let kind = kind_of(&name);
        let status = if name.contains("-error-400-") {
            400
        } else {
            200
        };
        out.push(Recording {
            body: std::fs::read(&path).unwrap(),
            name,
            kind,
            status,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        out.len() >= 60,
        "expected the 62 native recordings, found {}",
        out.len()
    );
    out
}

/// Which decoder reads a recording, from its file name.
pub fn kind_of(name: &str) -> Option<StreamKind> {
    if name.contains("-chat-") || name.contains("-error-") {
        Some(StreamKind::Chat)
    } else if name.contains("-generate-") {
        Some(StreamKind::Generate)
    } else if name.contains("-pull-") {
        Some(StreamKind::Progress)
    } else {
        None
    }
}

/// Feeds `body` in pieces of the given sizes (cycled) and collects every event and the error.
pub fn decode_with(
    mut d: Decoder,
    body: &[u8],
    sizes: &[usize],
) -> (Vec<OwnedEvent>, Option<Error>) {
    let mut events = Vec::new();
    let mut error = None;
    let drain = |d: &mut Decoder, events: &mut Vec<OwnedEvent>, error: &mut Option<Error>| {
        while let Some(ev) = d.poll_event() {
            match ev {
                Ok(ev) => events.push(ev.into_owned()),
                Err(e) => {
                    assert!(error.is_none(), "two errors");
                    *error = Some(e);
                }
            }
        }
    };
    for piece in pieces(body, sizes) {
        d.feed(piece).unwrap();
        drain(&mut d, &mut events, &mut error);
    }
    d.finish();
    drain(&mut d, &mut events, &mut error);
    (events, error)
}

/// A recording as a client reads it, in pieces of the given sizes: a 200 body through the
/// decoder, an error status through the exchange (the one place a status becomes an error).
pub fn decode_recording(
    rec: &Recording,
    kind: StreamKind,
    config: DecoderConfig,
    sizes: &[usize],
) -> (Vec<OwnedEvent>, Option<Error>) {
    if rec.status == 200 {
        decode_with(Decoder::new(kind, config), &rec.body, sizes)
    } else {
        status_through_exchange(rec.status, &rec.body, sizes)
    }
}

/// A streamed chat answered `status` with `body`, fed in pieces of the given sizes (cycled):
/// the events and the error the caller gets.
#[allow(clippy::disallowed_methods)] // a test needs an origin instant
pub fn status_through_exchange(
    status: u16,
    body: &[u8],
    sizes: &[usize],
) -> (Vec<OwnedEvent>, Option<Error>) {
    let now = std::time::Instant::now();
    let call = Streaming(ChatRequest::new("m", []));
    let mut ex = Exchange::stream(&ClientConfig::default(), &call, now).unwrap();
    ex.on_connected(now, false);
    ex.on_head(status, &http::HeaderMap::new(), now);
    let mut events = Vec::new();
    let mut error = None;
    let drain = |ex: &mut Exchange, events: &mut Vec<OwnedEvent>, error: &mut Option<Error>| {
        while let Some(ev) = ex.poll_event() {
            match ev {
                Ok(ev) => events.push(ev.into_owned()),
                Err(e) => {
                    assert!(error.is_none(), "two errors");
                    *error = Some(e.as_protocol().cloned().unwrap());
                }
            }
        }
    };
    for piece in pieces(body, sizes) {
        ex.on_body(piece, now);
        drain(&mut ex, &mut events, &mut error);
    }
    ex.on_end(now);
    drain(&mut ex, &mut events, &mut error);
    (events, error)
}

/// `body` cut into pieces of the given sizes (cycled; a size of 0 counts as 1), in order.
pub fn pieces<'a>(body: &'a [u8], sizes: &'a [usize]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = body;
    let mut size = sizes.iter().cycle();
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = size.next().copied().unwrap_or(1).clamp(1, rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        Some(piece)
    })
}

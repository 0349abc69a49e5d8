//! Driving `ollama_proto::Decoder` the way an application does: feed, then drain.

use ollama_proto::{Decoder, DecoderConfig, Event, StreamKind};

/// Which event path to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// `poll_event` and use the borrowed [`Event`] in place (zero-copy).
    Borrowed,
    /// `poll_event` then [`Event::into_owned`] for every event.
    Owned,
}

/// What a consumer of events touches (mirrors `baseline::consume`).
pub fn consume(event: &Event<'_>) -> u64 {
    match *event {
        Event::Thinking(s) | Event::Content(s) => s.len() as u64,
        Event::Progress(p) => p.status.len() as u64,
        _ => 1,
    }
}

/// Drains every ready event of `d` on `path`; panics on a decoding error (benchmarks only
/// feed valid bodies).
pub fn drain(d: &mut Decoder, path: Path) -> u64 {
    let mut n = 0;
    while let Some(event) = d.poll_event() {
        let event = event.expect("decoder: valid body");
        n += match path {
            Path::Borrowed => consume(&event),
            Path::Owned => {
                let owned = std::hint::black_box(event.into_owned());
                drop(owned);
                1
            }
        };
    }
    n
}

/// A fresh decoder with the default configuration.
pub fn decoder(kind: StreamKind) -> Decoder {
    Decoder::new(kind, DecoderConfig::default())
}

/// Decodes `body` fed in `piece`-byte pieces (`usize::MAX`: whole) on `path`.
pub fn decode(kind: StreamKind, body: &[u8], piece: usize, path: Path) -> u64 {
    let mut d = decoder(kind);
    let mut n = 0;
    for p in body.chunks(piece.clamp(1, body.len().max(1))) {
        d.feed(p).expect("feed before finish");
        n += drain(&mut d, path);
    }
    d.finish();
    n + drain(&mut d, path)
}

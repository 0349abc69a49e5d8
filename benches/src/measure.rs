//! Allocation measurements shared by `alloc_report` and `tests/allocations.rs`.
//!
//! Both need [`CountingAlloc`](crate::alloc_counter::CountingAlloc) installed as the global
//! allocator; [`assert_counting`] checks that it is.

use std::cell::Cell;

use ollama_proto::StreamKind;

use crate::alloc_counter::{reset_peak, snapshot};
use crate::baseline;
use crate::ours::{Path, decoder, drain};
use crate::synth::{LineGen, Pieces};

/// Panics unless the counting allocator is the global allocator of this program.
pub fn assert_counting() {
    let before = snapshot().allocs;
    let b = std::hint::black_box(Box::new(7_u64));
    drop(b);
    assert!(
        snapshot().allocs > before,
        "install `#[global_allocator] static A: CountingAlloc = CountingAlloc;`"
    );
}

/// Heap activity over the measured part of a stream.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PerChunk {
    /// Lines (chunks) decoded while measuring.
    pub chunks: u64,
    /// Allocation events (realloc included) while measuring.
    pub allocs: u64,
    /// Bytes requested while measuring.
    pub bytes: u64,
}

impl PerChunk {
    /// Allocations per chunk.
    pub fn allocs_per_chunk(&self) -> f64 {
        self.allocs as f64 / self.chunks.max(1) as f64
    }

    /// Bytes allocated per chunk.
    pub fn bytes_per_chunk(&self) -> f64 {
        self.bytes as f64 / self.chunks.max(1) as f64
    }
}

/// Decodes the stream of `source` fed in `piece`-byte pieces on `path` and counts allocations
/// from the end of the first piece that completes `warmup` lines (buffers have reached their
/// steady size by then) to the end of the body. `finish` is not called: give a generator
/// without its terminal line ([`Take`](crate::synth::Take)) so that every measured line is a
/// token chunk.
pub fn decoder_per_chunk<G: LineGen>(
    kind: StreamKind,
    source: G,
    piece: usize,
    path: Path,
    warmup: u64,
) -> PerChunk {
    let mut pieces = Pieces::new(source, piece);
    let mut d = decoder(kind);
    let mut start = None;
    while let Some(p) = pieces.next_piece() {
        d.feed(p).expect("feed before finish");
        std::hint::black_box(drain(&mut d, path));
        if start.is_none() && d.objects_decoded() >= warmup {
            start = Some((d.objects_decoded(), snapshot()));
        }
    }
    let Some((lines0, s0)) = start else {
        return PerChunk::default();
    };
    let diff = snapshot().since(&s0);
    PerChunk {
        chunks: d.objects_decoded() - lines0,
        allocs: diff.allocs,
        bytes: diff.bytes,
    }
}

/// The same measurement for the serde_json baseline (`LineBuffer` + borrowing `Line`).
pub fn baseline_per_chunk<G: LineGen>(source: G, piece: usize, warmup: u64) -> PerChunk {
    let mut pieces = Pieces::new(source, piece);
    let mut lines = baseline::LineBuffer::default();
    let count = Cell::new(0_u64);
    let mut per_line = |line: &[u8]| {
        count.set(count.get() + 1);
        baseline::parse_line(line)
    };
    let mut start = None;
    while let Some(p) = pieces.next_piece() {
        std::hint::black_box(lines.feed(p, &mut per_line));
        if start.is_none() && count.get() >= warmup {
            start = Some((count.get(), snapshot()));
        }
    }
    let Some((lines0, s0)) = start else {
        return PerChunk::default();
    };
    let diff = snapshot().since(&s0);
    PerChunk {
        chunks: count.get() - lines0,
        allocs: diff.allocs,
        bytes: diff.bytes,
    }
}

/// Peak heap, in bytes above what was allocated before, while decoding the whole stream of
/// `source` (fed in `piece`-byte pieces, `finish` included) on `path`. The input is generated
/// piece by piece into one fixed buffer that is allocated before the measurement starts.
pub fn decoder_peak_heap<G: LineGen>(kind: StreamKind, source: G, piece: usize, path: Path) -> i64 {
    let mut pieces = Pieces::new(source, piece);
    let base = reset_peak();
    let mut d = decoder(kind);
    while let Some(p) = pieces.next_piece() {
        d.feed(p).expect("feed before finish");
        std::hint::black_box(drain(&mut d, path));
    }
    d.finish();
    std::hint::black_box(drain(&mut d, path));
    assert_eq!(
        d.state(),
        ollama_proto::DecoderState::Done,
        "stream ended cleanly"
    );
    snapshot().peak - base
}

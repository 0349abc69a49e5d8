//! Heap allocation counts of the decoder, asserted (they are deterministic, unlike times).
//!
//! The counting allocator counts per thread, so tests running in parallel do not disturb
//! each other.

use benches::alloc_counter::CountingAlloc;
use benches::measure::{assert_counting, decoder_peak_heap, decoder_per_chunk};
use benches::ours::Path;
use benches::synth::{ChatGen, GenerateGen, PullGen, Take};
use ollama_proto::StreamKind;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const PIECE: usize = 8 * 1024;
const WARMUP: u64 = 1_000;

/// Warm-up that also covers the switch from thinking to content (the first 30% of a
/// `ChatGen` stream think; the content buffers first grow after that).
fn warmup(chunks: u64, thinking: bool) -> u64 {
    if thinking {
        chunks * 3 / 10 + WARMUP
    } else {
        WARMUP
    }
}

#[test]
fn borrowed_path_allocates_nothing_per_chunk_after_warm_up() {
    assert_counting();
    for thinking in [false, true] {
        for (piece, chunks) in [(PIECE, 30_000), (1, 3_000)] {
            let stream = Take::new(ChatGen::plain(chunks, thinking), chunks);
            let w = warmup(chunks, thinking);
            let r = decoder_per_chunk(StreamKind::Chat, stream, piece, Path::Borrowed, w);
            assert!(r.chunks >= chunks - w - 100, "{r:?}");
            assert_eq!(r.allocs, 0, "thinking {thinking}, piece {piece}: {r:?}");
        }
    }
    let pull = Take::new(PullGen::new(20_000), 19_990);
    let r = decoder_per_chunk(StreamKind::Progress, pull, PIECE, Path::Borrowed, WARMUP);
    assert_eq!(r.allocs, 0, "pull: {r:?}");
}

#[test]
fn owned_path_allocates_one_string_per_chunk() {
    assert_counting();
    let stream = Take::new(ChatGen::plain(20_000, true), 20_000);
    let w = warmup(20_000, true);
    let r = decoder_per_chunk(StreamKind::Chat, stream, PIECE, Path::Owned, w);
    assert_eq!(r.allocs, r.chunks, "{r:?}");
}

/// Known cost, not a goal: serde_json allocates its unescaping scratch buffer once per line
/// that has an escaped string (`\n`, `\"`, `\u003c`…), because the decoder makes a new
/// `serde_json::Deserializer` per line. Bounded by one allocation per chunk.
#[test]
fn escaped_text_costs_at_most_one_allocation_per_chunk() {
    assert_counting();
    let stream = Take::new(ChatGen::new(20_000, true), 20_000);
    let r = decoder_per_chunk(StreamKind::Chat, stream, PIECE, Path::Borrowed, WARMUP);
    assert!(r.allocs > 0 && r.allocs <= r.chunks, "{r:?}");
    let stream = Take::new(GenerateGen::new(20_000), 20_000);
    let r = decoder_per_chunk(StreamKind::Generate, stream, PIECE, Path::Borrowed, WARMUP);
    assert!(r.allocs <= r.chunks, "{r:?}");
}

#[test]
fn peak_heap_does_not_depend_on_stream_length() {
    assert_counting();
    for path in [Path::Borrowed, Path::Owned] {
        for thinking in [false, true] {
            let peak = |chunks| {
                decoder_peak_heap(
                    StreamKind::Chat,
                    ChatGen::new(chunks, thinking),
                    PIECE,
                    path,
                )
            };
            let (short, long) = (peak(1_000), peak(100_000));
            assert!(short > 0 && short < 64 * 1024, "{path:?}: {short}");
            assert_eq!(short, long, "{path:?}, thinking {thinking}");
        }
    }
}

//! Heap allocations per chunk and peak heap of the decoder, with a counting allocator.
//!
//! `cargo run --release -p benches --bin alloc_report` (report.sh runs it). Counts are
//! deterministic, so one run is enough.

use benches::alloc_counter::CountingAlloc;
use benches::measure::{
    PerChunk, assert_counting, baseline_per_chunk, decoder_peak_heap, decoder_per_chunk,
};
use benches::ours::Path;
use benches::synth::{ChatGen, GenerateGen, PullGen, Take};
use ollama_proto::StreamKind;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const PIECE: usize = 8 * 1024;
const WARMUP: u64 = 1_000;
/// Chat streams think for their first 30%: warm up past the switch to content too.
const CHAT_WARMUP: u64 = N * 3 / 10 + WARMUP;
/// Token chunks of the per-chunk measurements.
const N: u64 = 100_000;

fn row(name: &str, r: PerChunk) {
    println!(
        "  {name:<52} {:>10.4} {:>12.1} {:>10}",
        r.allocs_per_chunk(),
        r.bytes_per_chunk(),
        r.chunks
    );
}

fn main() {
    assert_counting();
    println!(
        "allocations per chunk after warm-up ({WARMUP} chunks; chat: past the switch from thinking to content), 8 KiB pieces:"
    );
    println!(
        "  {:<52} {:>10} {:>12} {:>10}",
        "stream / path", "allocs", "bytes", "chunks"
    );
    type MakeChat = fn() -> ChatGen;
    let chats: [(&str, MakeChat); 2] = [
        ("chat, plain text", || ChatGen::plain(N, true)),
        ("chat, 1/8 tokens escaped", || ChatGen::new(N, true)),
    ];
    for (name, chat) in chats {
        for path in [Path::Borrowed, Path::Owned] {
            let r = decoder_per_chunk(
                StreamKind::Chat,
                Take::new(chat(), N),
                PIECE,
                path,
                CHAT_WARMUP,
            );
            row(&format!("{name} / ours {path:?}"), r);
        }
        row(
            &format!("{name} / baseline serde_json"),
            baseline_per_chunk(Take::new(chat(), N), PIECE, CHAT_WARMUP),
        );
    }
    for path in [Path::Borrowed, Path::Owned] {
        let r = decoder_per_chunk(
            StreamKind::Chat,
            Take::new(ChatGen::new(20_000, true), 20_000),
            1,
            path,
            7_000,
        );
        row(
            &format!("chat, 1/8 escaped, 1-byte pieces / ours {path:?}"),
            r,
        );
    }
    let generate = || Take::new(GenerateGen::new(N), N);
    for path in [Path::Borrowed, Path::Owned] {
        let r = decoder_per_chunk(StreamKind::Generate, generate(), PIECE, path, WARMUP);
        row(&format!("generate, <think> tags / ours {path:?}"), r);
    }
    row(
        "generate, <think> tags / baseline serde_json",
        baseline_per_chunk(generate(), PIECE, WARMUP),
    );
    let pull = || Take::new(PullGen::new(N), N - 10);
    for path in [Path::Borrowed, Path::Owned] {
        let r = decoder_per_chunk(StreamKind::Progress, pull(), PIECE, path, WARMUP);
        row(&format!("pull progress / ours {path:?}"), r);
    }
    row(
        "pull progress / baseline serde_json",
        baseline_per_chunk(pull(), PIECE, WARMUP),
    );

    println!();
    println!(
        "peak heap (bytes above the start) for a whole chat stream with thinking, 8 KiB pieces:"
    );
    for path in [Path::Borrowed, Path::Owned] {
        let small = decoder_peak_heap(StreamKind::Chat, ChatGen::new(1_000, true), PIECE, path);
        let large = decoder_peak_heap(StreamKind::Chat, ChatGen::new(1_000_000, true), PIECE, path);
        println!(
            "  ours {:<9} 1,000 chunks: {small:>7}   1,000,000 chunks: {large:>7}   {}",
            format!("{path:?}"),
            if small == large { "equal" } else { "DIFFERENT" }
        );
    }
}

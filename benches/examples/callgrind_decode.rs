//! Instruction-count harness for `valgrind --tool=callgrind` (counts are repeatable on a busy
//! machine, unlike times): decodes a generated chat stream once and prints the checksum.
//!
//! `cargo build --release -p benches --example callgrind_decode`, then
//! `valgrind --tool=callgrind target/release/examples/callgrind_decode ours|baseline CHUNKS PIECE`.

use benches::ours::{self, Path};
use benches::synth::{self, ChatGen};
use ollama_proto::StreamKind;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("ours", String::as_str);
    let chunks: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let piece: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(8192);
    let body = synth::body(ChatGen::new(chunks, true));
    let sum = match which {
        "gen" => 0,
        "baseline" => benches::baseline::chunked(&body, piece, benches::baseline::parse_line),
        _ => ours::decode(StreamKind::Chat, &body, piece, Path::Borrowed),
    };
    println!(
        "{which} chunks={chunks} piece={piece} bytes={} checksum={sum}",
        body.len()
    );
}

//! Decoder throughput against the serde_json baseline, measured in the same run.
//!
//! Inputs: a generated `/api/chat` stream with a thinking phase, a generated `/api/generate`
//! stream with inline `<think>` tags, a generated `/api/pull` progress stream, and the real
//! recorded streams. Each is fed whole, in 8 KiB pieces, and in 1-byte pieces (on a smaller
//! input). Paths: `ours-borrowed` (`poll_event`, zero-copy), `ours-owned` (`into_owned()` on
//! every event), `serde-line` (memchr + `serde_json::from_slice` into a borrowing struct: the
//! baseline) and `serde-ignored` (serde_json validation only, `IgnoredAny`: the upper
//! reference). Throughput is reported in bytes/s and lines/s.

use std::hint::black_box;
use std::time::Duration;

use benches::ours::{self, Path};
use benches::synth::{self, ChatGen, GenerateGen, LineGen, PullGen};
use benches::{baseline, recordings};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ollama_proto::StreamKind;

/// Token chunks of the large generated streams (~26 MB of chat).
const LARGE: u64 = 200_000;
/// Token chunks of the streams fed one byte at a time.
const SMALL: u64 = 2_000;
const WHOLE: usize = usize::MAX;
const PIECE: usize = 8 * 1024;

/// One or more bodies decoded one after another (each with a fresh decoder).
struct Input {
    name: &'static str,
    bodies: Vec<(StreamKind, Vec<u8>)>,
}

impl Input {
    fn generated<G: LineGen>(name: &'static str, kind: StreamKind, g: G) -> Self {
        Self {
            name,
            bodies: vec![(kind, synth::body(g))],
        }
    }

    fn bytes(&self) -> u64 {
        self.bodies.iter().map(|(_, b)| b.len() as u64).sum()
    }

    fn lines(&self) -> u64 {
        self.bodies.iter().map(|(_, b)| synth::count_lines(b)).sum()
    }
}

fn recorded() -> Input {
    let mut bodies = Vec::new();
    for kind in [StreamKind::Chat, StreamKind::Generate, StreamKind::Progress] {
        for r in recordings::streams(kind) {
            bodies.push((kind, r.body));
        }
    }
    Input {
        name: "recorded",
        bodies,
    }
}

fn bench_input(c: &mut Criterion, input: &Input, pieces: &[(&str, usize)]) {
    for &(feed, piece) in pieces {
        let mut group = c.benchmark_group(format!("decode-{}-{feed}", input.name));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::ElementsAndBytes {
            elements: input.lines(),
            bytes: input.bytes(),
        });
        for (id, path) in [
            ("ours-borrowed", Path::Borrowed),
            ("ours-owned", Path::Owned),
        ] {
            group.bench_function(id, |b| {
                b.iter(|| {
                    let mut n = 0;
                    for (kind, body) in &input.bodies {
                        n += ours::decode(*kind, black_box(body), piece, path);
                    }
                    n
                });
            });
        }
        type PerLine = fn(&[u8]) -> u64;
        let baselines: [(&str, PerLine); 2] = [
            ("serde-line", baseline::parse_line),
            ("serde-ignored", baseline::validate_line),
        ];
        for (id, per_line) in baselines {
            group.bench_function(id, |b| {
                b.iter(|| {
                    let mut n = 0;
                    for (_, body) in &input.bodies {
                        n += if piece == WHOLE {
                            baseline::for_each_line(black_box(body), per_line)
                        } else {
                            baseline::chunked(black_box(body), piece, per_line)
                        };
                    }
                    n
                });
            });
        }
        group.finish();
    }
}

fn decode(c: &mut Criterion) {
    let large_feeds = [("whole", WHOLE), ("8k", PIECE)];
    let chat = Input::generated("chat", StreamKind::Chat, ChatGen::new(LARGE, true));
    bench_input(c, &chat, &large_feeds);
    drop(chat);
    let chat = Input::generated("chat-small", StreamKind::Chat, ChatGen::new(SMALL, true));
    bench_input(c, &chat, &[("1b", 1)]);

    let generate = Input::generated("generate", StreamKind::Generate, GenerateGen::new(LARGE));
    bench_input(c, &generate, &large_feeds);
    drop(generate);
    let generate = Input::generated(
        "generate-small",
        StreamKind::Generate,
        GenerateGen::new(SMALL),
    );
    bench_input(c, &generate, &[("1b", 1)]);

    let pull = Input::generated("pull", StreamKind::Progress, PullGen::new(LARGE));
    bench_input(c, &pull, &large_feeds);
    drop(pull);
    let pull = Input::generated("pull-small", StreamKind::Progress, PullGen::new(SMALL));
    bench_input(c, &pull, &[("1b", 1)]);

    let recorded = recorded();
    bench_input(c, &recorded, &[("whole", WHOLE), ("8k", PIECE), ("1b", 1)]);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = decode
}
criterion_main!(benches);

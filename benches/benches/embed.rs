//! `/api/embed` decoding: the path `Client::embed` takes on both transports
//! (`<EmbedRequest as SingleCall>::SUCCESS`, the exact scanner of `ollama_proto::embed_decode`)
//! against `serde_json::from_slice` into a struct with `embeddings: Vec<Vec<f32>>`, and into
//! `EmbedResponse` (the path before issue 10), in the same run.
//! Input: 1,000 vectors × 1,024 floats written like the server writes float32 (shortest
//! round-trip decimals), ~12 MB. Also the real embed recordings concatenated.

use std::hint::black_box;
use std::time::Duration;

use benches::{recordings, synth};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ollama_proto::request::{SingleCall, SuccessBody};
use ollama_proto::types::{EmbedRequest, EmbedResponse};
use serde::Deserialize;

/// What `Client::embed` does with a 200 body.
fn decode_embed(body: &[u8]) -> Result<EmbedResponse, ollama_proto::Error> {
    match EmbedRequest::SUCCESS {
        SuccessBody::Whole(decode) => decode(body),
        SuccessBody::Merged(..) => unreachable!("an embed answer is one JSON body"),
    }
}

/// What a serde_json user would write for the same body.
#[derive(Deserialize)]
struct SerdeEmbed {
    #[serde(default)]
    #[allow(dead_code)]
    model: String,
    embeddings: Vec<Vec<f32>>,
    #[serde(default)]
    #[allow(dead_code)]
    total_duration: Option<u64>,
    #[serde(default)]
    #[allow(dead_code)]
    load_duration: Option<u64>,
    #[serde(default)]
    #[allow(dead_code)]
    prompt_eval_count: Option<u64>,
}

fn floats(bodies: &[Vec<u8>]) -> u64 {
    bodies
        .iter()
        .map(|b| {
            let v = decode_embed(b).expect("valid embed body");
            v.embeddings.iter().map(|e| e.len() as u64).sum::<u64>()
        })
        .sum()
}

fn bench_bodies(c: &mut Criterion, name: &str, bodies: &[Vec<u8>]) {
    let mut group = c.benchmark_group(format!("embed-{name}"));
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::ElementsAndBytes {
        elements: floats(bodies),
        bytes: bodies.iter().map(|b| b.len() as u64).sum(),
    });
    group.bench_function("ours", |b| {
        b.iter(|| {
            let mut n = 0;
            for body in bodies {
                let v = decode_embed(black_box(body)).expect("valid embed body");
                n += v.embeddings.len();
            }
            n
        });
    });
    group.bench_function("serde-struct", |b| {
        b.iter(|| {
            let mut n = 0;
            for body in bodies {
                let v: SerdeEmbed = serde_json::from_slice(black_box(body)).expect("valid JSON");
                n += v.embeddings.len();
            }
            n
        });
    });
    group.bench_function("serde-EmbedResponse", |b| {
        b.iter(|| {
            let mut n = 0;
            for body in bodies {
                let v: EmbedResponse = serde_json::from_slice(black_box(body)).expect("valid JSON");
                n += v.embeddings.len();
            }
            n
        });
    });
    group.finish();
}

fn embed(c: &mut Criterion) {
    bench_bodies(c, "1000x1024", &[synth::embed_body(1_000, 1_024)]);
    let recorded: Vec<Vec<u8>> = recordings::embeds().into_iter().map(|r| r.body).collect();
    bench_bodies(c, "recorded", &recorded);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = embed
}
criterion_main!(benches);

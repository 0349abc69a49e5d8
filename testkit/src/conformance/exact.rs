//! Exact results under every chunking.

use super::support::*;
use super::*;

fn split_writes_stream<T: Transport>(t: &T, name: &str, seeds: &[u64]) {
    let rec = Recording::load(name);
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let kind = match rec.route {
        crate::Route::Generate => StreamKind::Generate,
        crate::Route::Pull => StreamKind::Progress,
        _ => StreamKind::Chat,
    };
    let want = reference_events(kind, &rec.body, DecoderConfig::default());
    for &seed in seeds {
        server.push_reply(Reply::from_recording(&rec).write_sizes(random_writes(seed)));
        let out = match kind {
            StreamKind::Generate => t.generate_stream(
                &client,
                GenerateRequest::new(rec.model.clone().unwrap(), "hi"),
            ),
            StreamKind::Progress => {
                t.pull_stream(&client, PullRequest::new(rec.model.clone().unwrap()))
            }
            _ => t.chat_stream(
                &client,
                ChatRequest::new(rec.model.clone().unwrap(), vec![Message::user("hi")]),
                None,
            ),
        }
        .unwrap();
        assert_eq!(out.failure, None, "{name} seed {seed}");
        if kind == StreamKind::Progress {
            // Progress lines are whole events: the sequence itself is exact.
            assert_eq!(out.events, want, "{name} seed {seed}");
        } else {
            assert_same_result(&out.events, &want, &format!("{name} seed {seed}"));
        }
    }
}

/// gpt-oss with the server's `thinking` field, cut into 1–9 byte writes (split JSON and split
/// UTF-8): the same thinking, content and completion as the recording decoded in one piece.
pub fn split_writes_chat_thinking_is_exact<T: Transport>(t: &T) {
    split_writes_stream(t, "prism-chat-stream-gptoss-thinking.ndjson", &[1, 2, 3]);
    let want = Recording::load("prism-chat-stream-gptoss-thinking.ndjson");
    let thinking: String = want
        .lines()
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).unwrap();
            v["message"]["thinking"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    let reference = reference_events(StreamKind::Chat, &want.body, DecoderConfig::default());
    assert!(!thinking.is_empty());
    assert_eq!(merged(&reference).thinking(), thinking);
}

/// Parallel tool calls, split writes: the same calls in the same order.
pub fn split_writes_chat_tool_calls_are_exact<T: Transport>(t: &T) {
    let name = "prism-chat-stream-qwen3-parallel-toolcalls.ndjson";
    split_writes_stream(t, name, &[4, 5]);
    let reference = reference_events(
        StreamKind::Chat,
        &Recording::load(name).body,
        DecoderConfig::default(),
    );
    let names: Vec<_> = merged(&reference)
        .tool_calls()
        .iter()
        .map(|c| c.function.name.clone())
        .collect();
    assert_eq!(names, ["weather", "search"]);
}

/// Raw generate with inline `<think>` tags, split by the default `Auto` mode across writes.
pub fn split_writes_generate_inline_think_is_exact<T: Transport>(t: &T) {
    let name = "atg-raw-generate-stream-qwen3-1.7b-think-tags.ndjson";
    split_writes_stream(t, name, &[6, 7]);
    let reference = merged(&reference_events(
        StreamKind::Generate,
        &Recording::load(name).body,
        DecoderConfig::default(),
    ));
    assert!(reference.thinking().contains("Okay, the user"));
    assert!(!reference.content().is_empty());
    assert!(!reference.content().contains("think>"));
}

/// Pull progress, split writes: exactly the recorded progress events.
pub fn split_writes_pull_progress_is_exact<T: Transport>(t: &T) {
    split_writes_stream(t, "lcg-pull-stream-gemma3.ndjson", &[8, 9]);
}

/// A stream sized with `Content-Length` (as ollama.com sends them) decodes the same.
pub fn content_length_framed_stream_is_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let rec = Recording::load(GEMMA_HELLO);
    server.push_reply(
        Reply::from_recording(&rec)
            .framing(Framing::ContentLength)
            .write_sizes(random_writes(11)),
    );
    let out = t.chat_stream(&client, hello(), None).unwrap();
    assert_eq!(out.failure, None);
    let want = reference_events(StreamKind::Chat, &rec.body, DecoderConfig::default());
    assert_same_result(&out.events, &want, "content-length");
}

/// Pauses between writes change nothing.
pub fn delayed_writes_are_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let rec = Recording::load("lcg-pull-stream-gemma3.ndjson");
    server.push_reply(
        Reply::from_recording(&rec)
            .write_sizes(WriteSizes::Fixed(40))
            .delay_between_writes(Duration::from_millis(3)),
    );
    let out = t
        .pull_stream(&client, PullRequest::new("gemma3:1b"))
        .unwrap();
    assert_eq!(out.failure, None);
    let want = reference_events(StreamKind::Progress, &rec.body, DecoderConfig::default());
    assert_eq!(out.events, want);
}

/// A non-streamed chat answer with thinking, cut into small writes, decodes like the core does
/// it in one piece.
pub fn non_streamed_chat_is_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let name = "prism-chat-nonstream-gptoss-thinking.json";
    let rec = Recording::load(name);
    server.push_reply(Reply::from_recording(&rec).write_sizes(random_writes(12)));
    let got = t.chat(&client, recorded_chat(name)).unwrap();
    let want = recorded_answer(&ChatRequest::new("m", []), &rec.body);
    assert_eq!(got, want);
    assert!(got.message.thinking.is_some());
}

/// `/api/embed` answered from the recording: the exact vectors.
pub fn embed_is_exact<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let name = "lcg-embed-nomic.json";
    let rec = Recording::load(name);
    let got = t.embed(&client, recorded(name)).unwrap();
    let want: EmbedResponse = serde_json::from_slice(&rec.body).unwrap();
    assert_eq!(got, want);
    assert!(!got.embeddings.is_empty());
}

/// `/api/embed` through the exact scanner on every transport: each float is the correctly
/// rounded `f32` of its text (where serde_json's f64-then-f32 is one off), and a number out of
/// the `f32` range is a typed error naming vector, element and byte, never an infinity.
pub fn embed_values_are_exact_and_out_of_range_is_an_error<T: Transport>(t: &T) {
    let server = TestServer::start();
    let client = t.client(config_for(&server));
    let body = br#"{"model":"m","embeddings":[[0.1,-2.5e-3],[1.00000005960464477539062500000000001,3.4028235e38,-0]],"total_duration":5,"prompt_eval_count":2}"#;
    server.push_reply(
        Reply::body(200, "application/json", body.to_vec()).write_sizes(random_writes(3)),
    );
    let got = t
        .embed(&client, EmbedRequest::new("m", ["a", "b"]))
        .unwrap();
    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
    assert_eq!(got.model, "m");
    assert_eq!(got.embeddings.len(), 2);
    assert_eq!(bits(&got.embeddings[0]), bits(&[0.1, -2.5e-3]));
    assert_eq!(
        bits(&got.embeddings[1]),
        [
            1.0_f32.to_bits() + 1,
            f32::MAX.to_bits(),
            (-0.0_f32).to_bits()
        ]
    );
    assert_eq!(got.total_duration, Some(Duration::from_nanos(5)));
    assert_eq!(got.prompt_eval_count, Some(2));

    let body = br#"{"model":"m","embeddings":[[0.5],[0.25,1e39]]}"#;
    server.push_reply(Reply::body(200, "application/json", body.to_vec()));
    let e = t
        .embed(&client, EmbedRequest::new("m", ["a", "b"]))
        .unwrap_err();
    match protocol(e) {
        ollama_proto::Error::EmbeddingOutOfRange {
            at,
            vector,
            index,
            number,
            float,
        } => {
            assert_eq!((at.line, at.offset), (1, 39));
            assert_eq!(
                (vector, index, number.as_str(), float),
                (1, 1, "1e39", "f32")
            );
        }
        other => panic!("{other:?}"),
    }
}

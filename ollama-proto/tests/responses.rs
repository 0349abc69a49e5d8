//! Recorded non-streamed native response bodies read into their response types, checked value
//! by value against the same file parsed as `serde_json::Value`; error bodies through
//! `status_error`; a single call's answer through the `Exchange` end to end.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use ollama_proto::exchange::Exchange;
use ollama_proto::request::{GetVersion, ListModels, SingleCall};
use ollama_proto::response::{decode_json, status_error};
use ollama_proto::types::*;
use ollama_proto::{BodyKind, ClientConfig, ClientError, Error};
use serde::Serialize;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/recorded"
);

fn read(name: &str) -> (Vec<u8>, Value) {
    let bytes = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
    let value = serde_json::from_slice(&bytes).unwrap();
    (bytes, value)
}

/// The answer `call` gets for `status` and `body` in one piece.
#[allow(clippy::disallowed_methods)] // a test needs an origin instant
fn answer<C: SingleCall>(call: &C, status: u16, body: &[u8]) -> Result<C::Output, ClientError> {
    let now = std::time::Instant::now();
    Exchange::answer_of(&ClientConfig::default(), call, status, body, now)
}

fn chat() -> ChatRequest {
    ChatRequest::new("m", [])
}

fn nanos(v: &Value) -> Option<Duration> {
    v.as_u64().map(Duration::from_nanos)
}

fn opt_str(v: &Value) -> Option<&str> {
    v.as_str()
}

/// Numbers compared by value, so a re-serialised body can be compared with the original.
fn canon(v: Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.into_iter().map(canon).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, canon(v))).collect()),
        other => other,
    }
}

fn lossless<T: Serialize>(typed: &T, original: &Value, name: &str) {
    assert_eq!(
        canon(serde_json::to_value(typed).unwrap()),
        canon(original.clone()),
        "{name}"
    );
}

fn check_metrics(m: &Metrics, v: &Value) {
    assert_eq!(m.total_duration, nanos(&v["total_duration"]));
    assert_eq!(m.load_duration, nanos(&v["load_duration"]));
    assert_eq!(m.prompt_eval_count, v["prompt_eval_count"].as_u64());
    assert_eq!(m.prompt_eval_duration, nanos(&v["prompt_eval_duration"]));
    assert_eq!(m.eval_count, v["eval_count"].as_u64());
    assert_eq!(m.eval_duration, nanos(&v["eval_duration"]));
}

fn check_tool_calls(calls: &[ToolCall], v: &Value) {
    let expected = v.as_array().map_or(&[][..], Vec::as_slice);
    assert_eq!(calls.len(), expected.len());
    for (call, e) in calls.iter().zip(expected) {
        assert_eq!(call.id.as_deref(), opt_str(&e["id"]));
        assert_eq!(
            call.function.index.map(u64::from),
            e["function"]["index"].as_u64()
        );
        assert_eq!(call.function.name, e["function"]["name"].as_str().unwrap());
        let want = e["function"]["arguments"].as_object().unwrap();
        assert_eq!(&call.function.arguments, want);
        // Key order is the model's.
        assert!(call.function.arguments.keys().eq(want.keys()));
    }
}

fn fixture_names(filter: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            n.ends_with(".json")
                && !n.ends_with(".request.json")
                && !n.starts_with("v1-")
                && !n.contains("-error-")
        })
        .filter(|n| filter(n))
        .collect();
    names.sort();
    names
}

#[test]
fn every_native_response_fixture_is_covered() {
    let all = fixture_names(|_| true);
    let covered = [
        "-chat-",
        "-generate-",
        "-embed-",
        "-embeddings-",
        "-show-",
        "-tags-",
        "-ps-",
    ];
    for name in &all {
        assert!(
            covered.iter().any(|c| name.contains(c)),
            "{name} not checked"
        );
    }
    assert_eq!(all.len(), 34);
}

#[test]
fn chat_responses() {
    let names = fixture_names(|n| n.contains("-chat-"));
    assert_eq!(names.len(), 17);
    for name in names {
        let (bytes, v) = read(&name);
        let r: ChatResponse = decode_json(&bytes).unwrap();
        assert_eq!(r.model, v["model"].as_str().unwrap(), "{name}");
        assert_eq!(r.created_at, v["created_at"].as_str().unwrap());
        assert_eq!(r.message.role, Role::Assistant);
        assert_eq!(
            r.message.content,
            v["message"]["content"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            r.message.thinking.as_deref(),
            opt_str(&v["message"]["thinking"]),
            "{name}"
        );
        check_tool_calls(&r.message.tool_calls, &v["message"]["tool_calls"]);
        assert_eq!(r.done, v["done"].as_bool().unwrap());
        assert_eq!(
            r.done_reason.as_ref().map(DoneReason::as_str),
            opt_str(&v["done_reason"])
        );
        check_metrics(&r.metrics, &v);
        lossless(&r, &v, &name);
    }
}

#[test]
fn chat_response_details() {
    let (bytes, _) = read("bbw-chat-nonstream-qwen3-32b-thinking-cut-by-length.json");
    let r: ChatResponse = decode_json(&bytes).unwrap();
    assert_eq!(r.done_reason, Some(DoneReason::Length));
    assert_eq!(r.message.content, "");
    assert_eq!(
        r.message.thinking.as_deref(),
        Some("Okay, the user is asking \"What is 2+2?\" and wants the")
    );
    assert_eq!(r.metrics.eval_count, Some(20));
    assert_eq!(
        r.metrics.total_duration,
        Some(Duration::from_nanos(371_277_452))
    );

    let (bytes, _) = read("ci-chat-nonstream-qwen35-thinking-parallel-toolcalls.json");
    let r: ChatResponse = decode_json(&bytes).unwrap();
    let calls = &r.message.tool_calls;
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (
            calls[0].id.as_deref(),
            calls[0].function.index,
            calls[0].function.name.as_str()
        ),
        (Some("call_trmym6vj"), Some(0), "read_file_content")
    );
    assert_eq!(
        (calls[1].id.as_deref(), calls[1].function.index),
        (Some("call_24957ol8"), Some(1))
    );
    assert_eq!(
        r.metrics.eval_duration,
        Some(Duration::from_nanos(7_901_656_841))
    );

    let (bytes, _) = read("prism-chat-nonstream-qwen25-multi-toolcalls.json");
    let r: ChatResponse = decode_json(&bytes).unwrap();
    let calls = &r.message.tool_calls;
    assert_eq!(
        (calls[0].id.as_ref(), calls[0].function.index),
        (None, None)
    );
    assert_eq!(calls[1].function.name, "weather");
    assert_eq!(calls[1].function.arguments["city"], "Detroit");

    let (bytes, _) = read("lcg-cloud-chat-nonstream-gptoss120b-toolcall.json");
    let r: ChatResponse = decode_json(&bytes).unwrap();
    assert_eq!(r.message.tool_calls[0].id.as_deref(), Some("call_mo1wm122"));
    assert_eq!(r.done_reason, Some(DoneReason::Stop));
    // ollama.com reports only three metrics.
    assert_eq!(r.metrics.load_duration, None);
    assert_eq!(r.metrics.eval_duration, None);
    assert_eq!(
        r.metrics.total_duration,
        Some(Duration::from_nanos(603_200_867))
    );
    assert_eq!(
        (r.metrics.prompt_eval_count, r.metrics.eval_count),
        (Some(145), Some(44))
    );

    let (bytes, _) = read("lcg-cloud-chat-nonstream-gptoss120b-hello-emoji.json");
    let r: ChatResponse = decode_json(&bytes).unwrap();
    assert!(r.message.content.contains('\u{1F44B}'));
}

#[test]
fn generate_responses() {
    let names = fixture_names(|n| n.contains("-generate-"));
    assert_eq!(names.len(), 5);
    for name in names {
        let (bytes, v) = read(&name);
        let r: GenerateResponse = decode_json(&bytes).unwrap();
        assert_eq!(r.model, v["model"].as_str().unwrap());
        assert_eq!(r.created_at, v["created_at"].as_str().unwrap());
        assert_eq!(r.response, v["response"].as_str().unwrap(), "{name}");
        assert_eq!(r.thinking.as_deref(), opt_str(&v["thinking"]));
        assert_eq!(r.done, v["done"].as_bool().unwrap());
        assert_eq!(
            r.done_reason.as_ref().map(DoneReason::as_str),
            opt_str(&v["done_reason"])
        );
        let context: Vec<i64> = v["context"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_i64().unwrap())
            .collect();
        assert_eq!(r.context, context);
        check_metrics(&r.metrics, &v);
        lossless(&r, &v, &name);
    }
    let (bytes, _) = read("atg-raw-generate-nonstream-deepseek-r1-14b-think-tags.json");
    let r: GenerateResponse = decode_json(&bytes).unwrap();
    assert!(r.response.starts_with("<think>\n"));
    assert_eq!(r.thinking, None);
    let (bytes, _) = read("bbw-generate-nonstream-qwen3-32b-thinking-context.json");
    let r: GenerateResponse = decode_json(&bytes).unwrap();
    assert!(r.thinking.is_some());
    assert_eq!(r.done_reason, Some(DoneReason::Length));
}

#[test]
fn embed_responses() {
    // (file, count, dimensions, first, last, total_duration, prompt_eval_count)
    let table = [
        (
            "lcg-embed-nomic.json",
            1,
            768,
            -0.006746773f32,
            -0.004468476f32,
            Some(22_283_583),
            Some(2),
        ),
        (
            "oscar-embed-batch-mxbai.json",
            6,
            1024,
            0.010635988,
            -0.013254521,
            None,
            None,
        ),
        (
            "prism-embed-multiple-inputs.json",
            2,
            1024,
            0.020509344,
            0.02256303,
            Some(58_537_625),
            Some(522),
        ),
        (
            "prism-embed-mxbai-dimensions.json",
            1,
            256,
            -0.007925049,
            0.060637705,
            Some(35_702_962),
            Some(10),
        ),
    ];
    for (name, count, dims, first, last, total, prompt) in table {
        let (bytes, v) = read(name);
        let r: EmbedResponse = decode_json(&bytes).unwrap();
        assert_eq!(r.model, v["model"].as_str().unwrap());
        assert_eq!(r.embeddings.len(), count, "{name}");
        assert!(r.embeddings.iter().all(|e| e.len() == dims), "{name}");
        assert_eq!(r.embeddings[0][0], first);
        assert_eq!(*r.embeddings.last().unwrap().last().unwrap(), last);
        assert_eq!(r.total_duration, total.map(Duration::from_nanos));
        assert_eq!(r.prompt_eval_count, prompt);
        assert_eq!(r.load_duration, nanos(&v["load_duration"]));
        for (vector, want) in r.embeddings.iter().zip(v["embeddings"].as_array().unwrap()) {
            for (x, w) in vector.iter().zip(want.as_array().unwrap()) {
                assert_eq!(*x, w.as_f64().unwrap() as f32);
            }
        }
    }
    let (bytes, v) = read("lcg-embeddings-legacy-nomic.json");
    let r: EmbeddingsResponse = decode_json(&bytes).unwrap();
    assert_eq!(r.embedding.len(), 768);
    assert_eq!(r.embedding[0], -0.1539008617401123);
    assert_eq!(*r.embedding.last().unwrap(), -0.10193054378032684);
    lossless(&r, &v, "legacy embeddings");
}

#[test]
fn tags_responses() {
    for (name, count) in [
        ("lc-tags-16-models.json", 16),
        ("atg-tags-ollama-cloud.json", 3),
    ] {
        let (bytes, v) = read(name);
        let r: ListResponse = decode_json(&bytes).unwrap();
        assert_eq!(r.models.len(), count);
        for (m, e) in r.models.iter().zip(v["models"].as_array().unwrap()) {
            assert_eq!(m.name, e["name"].as_str().unwrap());
            assert_eq!(m.model, e["model"].as_str().unwrap());
            assert_eq!(m.size, e["size"].as_u64().unwrap());
            assert_eq!(m.digest, e["digest"].as_str().unwrap());
            assert_eq!(m.modified_at, e["modified_at"].as_str().unwrap());
            let d = &e["details"];
            assert_eq!(m.details.family, d["family"].as_str().unwrap());
            assert_eq!(m.details.format, d["format"].as_str().unwrap());
            assert_eq!(
                m.details.parameter_size,
                d["parameter_size"].as_str().unwrap()
            );
            assert_eq!(
                m.details.quantization_level,
                d["quantization_level"].as_str().unwrap()
            );
            let families: Vec<&str> = d["families"]
                .as_array()
                .map(|a| a.iter().map(|f| f.as_str().unwrap()).collect())
                .unwrap_or_default();
            assert_eq!(m.details.families, families);
        }
    }
    let (bytes, _) = read("atg-tags-ollama-cloud.json");
    let r: ListResponse = decode_json(&bytes).unwrap();
    let m = &r.models[0];
    assert_eq!(
        (m.name.as_str(), m.size, m.digest.as_str()),
        ("deepseek-v3.1:671b", 688_586_727_753, "e1c8a9725f49")
    );
    assert_eq!(m.details, ModelDetails::default());
    let (bytes, _) = read("lc-tags-16-models.json");
    let r: ListResponse = decode_json(&bytes).unwrap();
    assert_eq!(r.models[0].name, "deepseek-r1:8b");
    assert_eq!(
        r.models[0].modified_at,
        "2025-06-28T01:12:36.619720716-04:00"
    );
    assert_eq!(r.models[0].details.families, ["qwen3"]);
}

#[test]
fn ps_responses() {
    let (bytes, v) = read("atg-ps-two-models-windows.json");
    let r: ProcessResponse = decode_json(&bytes).unwrap();
    assert_eq!(r.models.len(), 2);
    let expires: Vec<&str> = r.models.iter().map(|m| m.expires_at.as_str()).collect();
    assert_eq!(
        expires,
        [
            "2025-08-23T15:38:39.2249446+02:00",
            "2025-08-23T15:38:16.054006+02:00"
        ]
    );
    let vram: Vec<u64> = r.models.iter().map(|m| m.size_vram).collect();
    assert_eq!(vram, [2_629_206_853, 3_501_615_104]);
    assert!(
        r.models
            .iter()
            .all(|m| m.size == m.size_vram && m.context_length == Some(4096))
    );
    assert_eq!(r.models[1].details.quantization_level, "Q8_0");
    lossless(&r, &v, "ps windows");

    let (bytes, v) = read("bbw-ps-qwen3-32b-keepalive-forever.json");
    let r: ProcessResponse = decode_json(&bytes).unwrap();
    assert_eq!(
        r.models[0].expires_at,
        "2318-04-22T19:29:44.962381934+03:00"
    );
    assert_eq!(r.models[0].size_vram, 21_579_390_080);
    assert_eq!(
        r.models[0].digest,
        "030ee887880fc378860c2dd35101da424377520441ae4bfe7be6deff8ade7840"
    );
    lossless(&r, &v, "ps forever");
}

#[test]
fn show_responses() {
    // (file, capabilities, model_info keys, tensors)
    let table: [(&str, &[Capability], usize, usize); 3] = [
        (
            "crew-show-llama32-3b-tensors.json",
            &[Capability::Completion, Capability::Tools],
            29,
            255,
        ),
        ("crew-show-llama32-3b-legacy.json", &[], 29, 0),
        (
            "atg-show-gemma3n-verbose-windows.json",
            &[Capability::Completion],
            40,
            0,
        ),
    ];
    for (name, caps, info_keys, _) in table {
        let (bytes, v) = read(name);
        let r: ShowResponse = decode_json(&bytes).unwrap();
        assert_eq!(r.capabilities, caps, "{name}");
        assert_eq!(r.model_info.len(), info_keys, "{name}");
        assert!(
            r.model_info
                .keys()
                .eq(v["model_info"].as_object().unwrap().keys())
        );
        assert_eq!(r.tensors.len(), v["tensors"].as_array().map_or(0, Vec::len));
        assert_eq!(r.modified_at.as_deref(), opt_str(&v["modified_at"]));
        assert_eq!(r.license.as_deref(), opt_str(&v["license"]));
        assert_eq!(r.template.as_deref(), opt_str(&v["template"]));
        assert_eq!(r.modelfile.as_deref(), opt_str(&v["modelfile"]));
        assert_eq!(r.parameters.as_deref(), opt_str(&v["parameters"]));
        assert_eq!(r.details.family, v["details"]["family"].as_str().unwrap());
        lossless(&r, &v, name);
    }
    let (bytes, _) = read("crew-show-llama32-3b-tensors.json");
    let r: ShowResponse = decode_json(&bytes).unwrap();
    assert_eq!(r.tensors.len(), 255);
    assert_eq!(r.tensors[1].name, "token_embd.weight");
    assert_eq!(r.tensors[1].kind, "Q6_K");
    assert_eq!(r.tensors[1].shape, [3072, 128_256]);
    assert!(r.has_capability(&Capability::Tools));
    assert_eq!(r.context_length(), Some(131_072));
    assert_eq!(
        r.modified_at.as_deref(),
        Some("2025-02-20T18:55:09.150577031-08:00")
    );

    let (bytes, _) = read("atg-show-gemma3n-verbose-windows.json");
    let r: ShowResponse = decode_json(&bytes).unwrap();
    assert_eq!(
        r.model_info["gemma3n.activation_sparsity_scale"],
        Value::Null
    );
    assert!(
        r.modelfile
            .unwrap()
            .contains("FROM C:\\Users\\work\\.ollama\\")
    );
    assert_eq!(r.tensors[0].shape, [2048, 2048, 3]);
}

// ---- error bodies ----------------------------------------------------------------------------

#[test]
fn recorded_error_bodies() {
    let table = [
        (
            "lcg-error-400-context-length.json",
            "the input length exceeds the context length",
        ),
        (
            "lcg-error-400-tools-unsupported.json",
            "registry.ollama.ai/library/gemma3:1b does not support tools",
        ),
    ];
    for (name, message) in table {
        let (bytes, _) = read(name);
        match status_error(400, &bytes) {
            Error::Status(s) => {
                assert_eq!(s.status, 400);
                assert_eq!(s.message, message);
                assert_eq!(s.body, BodyKind::Json);
                assert_eq!(s.signin_url, None);
            }
            other => panic!("{other:?}"),
        }
        let err = answer(&chat(), 400, &bytes).unwrap_err();
        assert_eq!(err.status().unwrap().message, message);
    }
    // The /v1 error bodies use the same classifier (OpenAI-style `error.message`).
    let (bytes, _) = read("v1-rubyllm-cloud-401-unauthorized.json");
    match status_error(401, &bytes) {
        Error::Unauthorized(s) => assert_eq!(
            (s.message.as_str(), s.body),
            ("Unauthorized", BodyKind::Json)
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn single_call_answers_end_to_end() {
    let (bytes, _) = read("lc-tags-16-models.json");
    assert_eq!(answer(&ListModels, 200, &bytes).unwrap().models.len(), 16);
    assert_eq!(
        answer(&GetVersion, 200, br#"{"version":"0.33.0-rc2"}"#)
            .unwrap()
            .version,
        "0.33.0-rc2"
    );
    let e = answer(&GetVersion, 404, b"404 page not found").unwrap_err();
    assert_eq!(e.status().unwrap().body, BodyKind::Text);
    let e = answer(&ListModels, 403, b"").unwrap_err();
    assert_eq!(e.status().unwrap().body, BodyKind::Empty);
    let e = answer(&ListModels, 200, b"").unwrap_err();
    assert!(matches!(e, ClientError::Protocol(Error::Json { at, .. }) if at.offset == 0));
    let e = answer(
        &chat(),
        401,
        br#"{"error":"unauthorized","signin_url":"https://ollama.com/connect?name=h&key=k"}"#,
    )
    .unwrap_err();
    assert!(matches!(e, ClientError::Protocol(Error::Unauthorized(_))));
    assert_eq!(
        e.signin_url(),
        Some("https://ollama.com/connect?name=h&key=k")
    );
    // Load short-circuit reply to a chat call.
    let r = answer(
        &chat(),
        200,
        br#"{"model":"m","created_at":"2026-08-01T10:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"load"}"#,
    )
    .unwrap();
    assert_eq!(r.done_reason, Some(DoneReason::Load));
    let p = answer(&PullRequest::new("m"), 200, br#"{"status":"success"}"#).unwrap();
    assert!(p.is_success());
}

#[test]
fn progress_lines() {
    let text =
        std::fs::read_to_string(format!("{FIXTURES}/lcg-pull-stream-gemma3.ndjson")).unwrap();
    let lines: Vec<ProgressResponse> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 9);
    assert_eq!(lines[0], ProgressResponse::new("pulling manifest"));
    assert!(lines.last().unwrap().is_success());
    let layer = lines.iter().find(|p| p.digest.is_some()).unwrap();
    assert_eq!(layer.total, layer.completed);
}

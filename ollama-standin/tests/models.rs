//! Deterministic models over real sockets: what each configured model answers.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use ollama_standin::{Model, Pacing, Server, ThinkingStyle, Turn};
use serde_json::{Value, json};
use support::{get, post};

fn chat(model: &str, text: &str, stream: bool) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": text}], "stream": stream})
}

fn contents(lines: &[Value], field: &str) -> String {
    lines
        .iter()
        .filter_map(|l| l["message"][field].as_str())
        .collect()
}

#[test]
fn echo_streams_the_last_user_message_word_by_word() {
    let server = Server::builder()
        .model(Model::echo("echo"))
        .start()
        .unwrap();
    let response = post(
        server.addr(),
        "/api/chat",
        chat("echo", "Hello there, world", true),
    );
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/x-ndjson")
    );
    assert!(response.chunked);
    let lines = response.lines();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["message"]["content"], "Hello");
    assert_eq!(lines[1]["message"]["content"], " there,");
    assert_eq!(contents(&lines, "content"), "Hello there, world");
    let last = lines.last().unwrap();
    assert_eq!(last["done"], true);
    assert_eq!(last["done_reason"], "stop");
    assert_eq!(last["eval_count"], 3);
    assert!(last["total_duration"].as_u64().unwrap() > 0);
}

#[test]
fn unknown_model_is_404_once_models_are_configured() {
    let server = Server::builder()
        .model(Model::echo("echo"))
        .start()
        .unwrap();
    let response = post(server.addr(), "/api/chat", chat("nope", "hi", false));
    assert_eq!(response.status, 404);
    assert_eq!(response.text(), r#"{"error":"model 'nope' not found"}"#);
}

#[test]
fn without_models_any_name_echoes() {
    let server = Server::start().unwrap();
    let response = post(
        server.addr(),
        "/api/generate",
        json!({"model": "whatever", "prompt": "ping", "stream": false}),
    );
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(response.json()["response"], "ping");
    assert!(response.json()["context"].is_array());
}

#[test]
fn turns_follow_the_number_of_assistant_messages() {
    let model = Model::turns(
        "agent",
        vec![
            Turn::tool_call("get_weather", json!({"city": "Paris"})),
            Turn::text("Sunny in Paris."),
        ],
    )
    .tools();
    let server = Server::builder().model(model).start().unwrap();
    let tools = json!([{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]);
    let mut body = chat("agent", "Weather?", false);
    body["tools"] = tools;
    let first = post(server.addr(), "/api/chat", body.clone()).json();
    let calls = first["message"]["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["function"]["name"], "get_weather");
    assert_eq!(calls[0]["function"]["arguments"], json!({"city": "Paris"}));
    assert_eq!(calls[0]["function"]["index"], 0);
    assert!(calls[0]["id"].as_str().unwrap().starts_with("call_"));
    body["messages"]
        .as_array_mut()
        .unwrap()
        .push(first["message"].clone());
    body["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "tool", "content": "22 C"}));
    let second = post(server.addr(), "/api/chat", body).json();
    assert_eq!(second["message"]["content"], "Sunny in Paris.");
    assert!(second["message"].get("tool_calls").is_none());
}

#[test]
fn tools_to_a_model_without_the_capability_are_400() {
    let server = Server::builder()
        .model(Model::echo("plain"))
        .start()
        .unwrap();
    let mut body = chat("plain", "x", false);
    body["tools"] = json!([{"type": "function", "function": {"name": "f"}}]);
    let response = post(server.addr(), "/api/chat", body);
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json(),
        json!({"error": "\"plain\" does not support tools"})
    );
}

#[test]
fn streamed_tool_calls_carry_the_raw_arguments_so_far() {
    let model = Model::turns(
        "agent",
        vec![Turn::tool_call("add", json!({"a": 1, "b": 22}))],
    )
    .tools();
    let server = Server::builder().model(model).start().unwrap();
    let mut body = chat("agent", "add", true);
    body["tools"] = json!([{"type": "function", "function": {"name": "add"}}]);
    body["stream_tool_calls"] = json!(true);
    let lines = post(server.addr(), "/api/chat", body.clone()).lines();
    let entries: Vec<&Value> = lines
        .iter()
        .filter_map(|l| l["message"]["tool_calls"].as_array())
        .flatten()
        .collect();
    assert_eq!(entries.len(), 4, "{entries:?}");
    let raw = r#"{"a":1,"b":22}"#;
    let mut previous = String::new();
    for partial in &entries[..3] {
        let delta = partial["function"]["arguments_delta"].as_str().unwrap();
        assert!(delta.starts_with(&previous) && delta.len() > previous.len());
        assert!(raw.starts_with(delta));
        assert_eq!(partial["function"]["arguments"], json!({}));
        assert_eq!(partial["id"], entries[3]["id"]);
        assert_eq!(partial["function"]["index"], 0);
        previous = delta.to_owned();
    }
    assert_eq!(previous, raw);
    assert_eq!(
        entries[3]["function"]["arguments"],
        json!({"a": 1, "b": 22})
    );
    assert!(entries[3]["function"].get("arguments_delta").is_none());
    // Without the flag only the final entry is sent.
    body["stream_tool_calls"] = json!(false);
    let plain = post(server.addr(), "/api/chat", body).lines();
    let count = plain
        .iter()
        .filter(|l| l["message"].get("tool_calls").is_some())
        .count();
    assert_eq!(count, 1);
}

#[test]
fn thinking_styles() {
    let server = Server::builder()
        .model(
            Model::text("qwen3", "Four.")
                .thinking(ThinkingStyle::Field)
                .thinking_text("Two plus two."),
        )
        .model(
            Model::text("deepseek", "Four.")
                .thinking(ThinkingStyle::InlineTags)
                .thinking_text("Two plus two."),
        )
        .model(
            Model::text("gpt-oss:20b", "Four.")
                .family("gpt-oss")
                .thinking_text("Two plus two."),
        )
        .model(Model::text("gemma3", "Four."))
        .start()
        .unwrap();
    let addr = server.addr();
    let lines = post(addr, "/api/chat", chat("qwen3", "2+2?", true)).lines();
    assert_eq!(contents(&lines, "thinking"), "Two plus two.");
    assert_eq!(contents(&lines, "content"), "Four.");
    let mut off = chat("qwen3", "2+2?", false);
    off["think"] = json!(false);
    let answer = post(addr, "/api/chat", off).json();
    assert!(answer["message"].get("thinking").is_none());

    let inline = post(addr, "/api/chat", chat("deepseek", "2+2?", false)).json();
    assert_eq!(
        inline["message"]["content"],
        "<think>\nTwo plus two.\n</think>\n\nFour."
    );

    let mut harmony = chat("gpt-oss:20b", "2+2?", false);
    harmony["think"] = json!(false);
    let answer = post(addr, "/api/chat", harmony).json();
    assert_eq!(answer["message"]["thinking"], "Two plus two.");

    let mut refused = chat("gemma3", "2+2?", false);
    refused["think"] = json!(true);
    let response = post(addr, "/api/chat", refused);
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json(),
        json!({"error": "\"gemma3\" does not support thinking"})
    );

    let generated = post(
        addr,
        "/api/generate",
        json!({"model": "qwen3", "prompt": "2+2?", "stream": false}),
    )
    .json();
    assert_eq!(generated["thinking"], "Two plus two.");
    assert_eq!(generated["response"], "Four.");
}

#[test]
fn an_older_server_version_changes_the_answers() {
    let server = Server::builder()
        .version("0.8.0")
        .model(
            Model::text("qwen3", "Four.")
                .thinking(ThinkingStyle::Field)
                .thinking_text("Hm."),
        )
        .start()
        .unwrap();
    assert_eq!(
        get(server.addr(), "/api/version").json(),
        json!({"version": "0.8.0"})
    );
    let mut body = chat("qwen3", "2+2?", false);
    body["think"] = json!(true);
    let answer = post(server.addr(), "/api/chat", body).json();
    assert_eq!(
        answer["message"]["content"],
        "<think>\nHm.\n</think>\n\nFour."
    );
}

#[test]
fn format_schemas_get_a_valid_instance() {
    let server = Server::builder()
        .model(Model::text("m", "Paris"))
        .start()
        .unwrap();
    let schemas = [
        json!({"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer", "minimum": 1}}, "required": ["city", "population"]}),
        json!({"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string", "minLength": 8}, "minItems": 2}, "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}}}),
        json!({"$defs": {"p": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 3}, "kind": {"enum": ["a", "b"]}}, "required": ["name"]}}, "type": "object", "properties": {"people": {"type": "array", "items": {"$ref": "#/$defs/p"}}}, "required": ["people"]}),
        json!({"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}, "ok": {"type": "boolean"}, "n": {"type": ["integer", "null"], "multipleOf": 5, "minimum": 3}, "x": {"anyOf": [{"type": "null"}, {"const": 7}]}}}),
    ];
    for schema in schemas {
        let mut body = chat("m", "Where?", false);
        body["format"] = schema.clone();
        let answer = post(server.addr(), "/api/chat", body).json();
        let content: Value =
            serde_json::from_str(answer["message"]["content"].as_str().unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&content)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{content} against {schema}: {errors:?}");
    }
}

#[test]
fn embeddings_are_deterministic_unit_vectors() {
    let server = Server::builder()
        .model(Model::embedding("embed", 32))
        .start()
        .unwrap();
    let answer = post(
        server.addr(),
        "/api/embed",
        json!({"model": "embed", "input": ["a", "b", "a"]}),
    )
    .json();
    let vectors: Vec<Vec<f64>> = serde_json::from_value(answer["embeddings"].clone()).unwrap();
    assert_eq!(vectors.len(), 3);
    assert!(vectors.iter().all(|v| v.len() == 32));
    for v in &vectors {
        let norm: f64 = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-9, "{norm}");
    }
    assert_eq!(vectors[0], vectors[2]);
    assert_ne!(vectors[0], vectors[1]);
    let smaller = post(
        server.addr(),
        "/api/embed",
        json!({"model": "embed", "input": "a", "dimensions": 8}),
    )
    .json();
    assert_eq!(smaller["embeddings"][0].as_array().unwrap().len(), 8);
    let legacy = post(
        server.addr(),
        "/api/embeddings",
        json!({"model": "embed", "prompt": "a"}),
    )
    .json();
    assert_eq!(legacy["embedding"].as_array().unwrap().len(), 32);
    let not = post(server.addr(), "/api/chat", chat("embed", "x", false));
    assert_eq!(not.status, 400);
}

#[test]
fn tags_show_and_ps_describe_the_models() {
    let server = Server::builder()
        .model(Model::echo("a:1b").context_length(8192).tools())
        .model(Model::embedding("e", 16))
        .start()
        .unwrap();
    let tags = get(server.addr(), "/api/tags").json();
    let names: Vec<&str> = tags["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a:1b", "e"]);
    assert_eq!(tags["models"][0]["details"]["format"], "gguf");
    let show = post(server.addr(), "/api/show", json!({"model": "a:1b"})).json();
    assert_eq!(show["capabilities"], json!(["completion", "tools"]));
    assert_eq!(show["model_info"]["llama.context_length"], 8192);
    assert_eq!(get(server.addr(), "/api/ps").json(), json!({"models": []}));
    post(server.addr(), "/api/chat", chat("a:1b", "x", false));
    let ps = get(server.addr(), "/api/ps").json();
    assert_eq!(ps["models"].as_array().unwrap().len(), 1);
    assert_eq!(ps["models"][0]["context_length"], 8192);
}

#[test]
fn pull_progress_follows_the_configured_speed() {
    let pacing = Pacing {
        pull_bytes_per_second: 10_000,
        ..Pacing::default()
    };
    let server = Server::builder()
        .model(Model::echo("m").size(3_000).pacing(pacing))
        .start()
        .unwrap();
    let started = Instant::now();
    let lines = post(server.addr(), "/api/pull", json!({"model": "m"})).lines();
    let completed: Vec<u64> = lines
        .iter()
        .filter_map(|l| l["completed"].as_u64())
        .collect();
    assert_eq!(completed, [1000, 2000, 3000]);
    assert_eq!(lines.first().unwrap()["status"], "pulling manifest");
    assert_eq!(lines.last().unwrap()["status"], "success");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn pacing_delays_the_first_token_and_spaces_the_rest() {
    let pacing = Pacing {
        load_ms: 100,
        first_token_ms: 100,
        tokens_per_second: 20.0,
        ..Pacing::default()
    };
    let server = Server::builder()
        .model(Model::text("slow", "a b c d").pacing(pacing))
        .start()
        .unwrap();
    let started = Instant::now();
    let lines = post(server.addr(), "/api/chat", chat("slow", "x", true)).lines();
    assert_eq!(lines.len(), 5);
    // 200 ms before the head, then 4 pauses of 50 ms between the 5 lines.
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn pulling_an_unknown_model_ends_in_an_error_line() {
    let server = Server::builder().model(Model::echo("m")).start().unwrap();
    let response = post(server.addr(), "/api/pull", json!({"model": "nope"}));
    assert_eq!(response.status, 200);
    assert_eq!(
        response.lines(),
        [
            json!({"status": "pulling manifest"}),
            json!({"error": "pull model manifest: file does not exist"})
        ]
    );
}

#[test]
fn raw_generate_keeps_the_markup_and_has_no_context() {
    let server = Server::builder()
        .model(
            Model::text("qwen3", "4")
                .thinking(ThinkingStyle::Field)
                .thinking_text("2+2"),
        )
        .model(
            Model::text("gpt-oss", "4")
                .family("gpt-oss")
                .thinking_text("2+2"),
        )
        .start()
        .unwrap();
    let ask = |model: &str| {
        post(
            server.addr(),
            "/api/generate",
            json!({"model": model, "prompt": "2+2?", "raw": true, "stream": false}),
        )
        .json()
    };
    let tags = ask("qwen3");
    assert_eq!(tags["response"], "<think>\n2+2\n</think>\n\n4");
    assert!(tags.get("thinking").is_none());
    assert!(tags.get("context").is_none());
    assert_eq!(
        ask("gpt-oss")["response"],
        "<|channel|>analysis<|message|>2+2<|end|><|start|>assistant<|channel|>final<|message|>4"
    );
}

//! Tools, structured answers and conversations on the recorded tool-call transcripts: the exact
//! follow-up requests the sans-IO tool loop sends, handler errors, the round bound, `format`
//! withheld, schemas from types, and typed decoding.

#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use ollama_proto::tools::{
    Budget, Conversation, Next, ToolLoop, ToolLoopError, ToolResult, Toolbox, ollama_schema,
};
use ollama_proto::types::{
    ChatRequest, ChatResponse, Format, Image, ImageError, ImageKind, Message, Role, Think, Tool,
    ToolCall,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use testkit::Recording;

/// Polls a future that never waits (every handler here is ready at once).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the future waited"),
    }
}

fn response(name: &str) -> ChatResponse {
    serde_json::from_slice(&Recording::load(name).body).unwrap()
}

fn request_json(name: &str) -> Value {
    Recording::load(name).request.unwrap()
}

/// Get the current weather for a location.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "getWeather")]
struct GetWeather {
    /// The city and state, e.g. San Francisco, CA
    location: String,
}

fn weather_toolbox() -> Toolbox {
    Toolbox::new().tool(|w: GetWeather| async move {
        assert_eq!(w.location, "San Francisco, CA");
        Ok::<_, String>(json!({"temperature": 72, "condition": "sunny"}))
    })
}

#[test]
fn tool_from_a_type_is_the_recorded_tool() {
    let recorded = &request_json("lcg-cloud-chat-nonstream-gptoss120b-toolcall.json")["tools"][0];
    assert_eq!(
        serde_json::to_value(Tool::from_type::<GetWeather>()).unwrap(),
        *recorded
    );
}

/// The recorded gpt-oss turn: the loop's follow-up request, field by field, against the
/// request langchaingo recorded for the same turn.
#[test]
fn follow_up_request_matches_the_recorded_tool_result_request() {
    let first: ChatRequest = serde_json::from_value(request_json(
        "lcg-cloud-chat-nonstream-gptoss120b-toolcall.json",
    ))
    .unwrap();
    let toolbox = weather_toolbox();
    let mut run = ToolLoop::new(first, toolbox.tools());
    let reply = response("lcg-cloud-chat-nonstream-gptoss120b-toolcall.json");
    let Next::RunTools(calls) = run.on_reply(reply).unwrap() else {
        panic!("expected tool calls")
    };
    let results = ready(toolbox.run_all(&calls, |_| {}));
    assert_eq!(
        results[0].content,
        r#"{"temperature":72,"condition":"sunny"}"#
    );
    run.on_results(results).unwrap();

    let sent = serde_json::to_value(run.request()).unwrap();
    let want = request_json("lcg-cloud-chat-nonstream-gptoss120b-toolresult.json");
    assert_eq!(sent["model"], want["model"]);
    assert_eq!(sent["tools"], want["tools"]);
    assert_eq!(sent["options"], want["options"]);
    assert_eq!(sent.get("format"), None); // the recording's "" is the same: no format
    let (got, exp) = (
        sent["messages"].as_array().unwrap(),
        want["messages"].as_array().unwrap(),
    );
    assert_eq!(got.len(), 3);
    assert_eq!(got[0], exp[0]);
    // The assistant turn: what langchaingo sent, plus the call's id; no thinking re-sent.
    assert_eq!(
        got[1],
        json!({"role":"assistant","content":"","tool_calls":[{"id":"call_mo1wm122",
            "function":{"index":0,"name":"getWeather","arguments":{"location":"San Francisco, CA"}}}]})
    );
    assert_eq!(
        exp[1]["tool_calls"][0]["function"],
        got[1]["tool_calls"][0]["function"]
    );
    // The tool result: langchaingo left out tool_name and tool_call_id; the loop sends both.
    assert_eq!(
        got[2],
        json!({"role":"tool","content":"{\"temperature\":72,\"condition\":\"sunny\"}",
            "tool_name":"getWeather","tool_call_id":"call_mo1wm122"})
    );
    assert_eq!(exp[2]["role"], "tool");

    let done = run.on_reply(response(
        "lcg-cloud-chat-nonstream-gptoss120b-toolresult.json",
    ));
    assert_eq!(done, Ok(Next::Done));
    let finished = run.into_run().unwrap();
    assert_eq!(finished.rounds, 1);
    assert_eq!(
        finished.content(),
        "San Francisco is currently **72 °F** and **sunny**."
    );
    assert_eq!(
        finished.turns[0].thinking.as_deref(),
        Some("User asks about weather in San Francisco. Use function getWeather.")
    );
    assert_eq!(finished.turns[1].thinking, None);
    assert_eq!(finished.messages.len(), 4);
    assert_eq!(finished.messages[3].role, Role::Assistant);
}

/// Read a file of the workspace.
#[derive(Deserialize, JsonSchema)]
struct ReadFileContent {
    /// Path from the workspace root.
    file_name: String,
}

/// qwen3.5's two parallel calls: both run, results in call order with their own ids.
#[test]
fn parallel_calls_each_get_their_result() {
    let request = ChatRequest::new("qwen3.5:35b", [Message::user("Read both files.")]);
    let toolbox = Toolbox::new().tool(|r: ReadFileContent| async move {
        Ok::<_, String>(format!(
            "read {}",
            r.file_name.rsplit('/').next().unwrap_or("")
        ))
    });
    let mut run = ToolLoop::new(request, toolbox.tools());
    let reply = response("ci-chat-nonstream-qwen35-thinking-parallel-toolcalls.json");
    let Next::RunTools(calls) = run.on_reply(reply).unwrap() else {
        panic!()
    };
    assert_eq!(calls.len(), 2);
    let mut seen = Vec::new();
    let results = ready(toolbox.run_all(&calls, |r| seen.push(r.call.id.clone().unwrap())));
    assert_eq!(seen, ["call_trmym6vj", "call_24957ol8"]);
    run.on_results(results).unwrap();
    let sent = serde_json::to_value(run.request()).unwrap();
    let messages = sent["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[1]["thinking"], Value::Null);
    assert_eq!(messages[1]["tool_calls"].as_array().unwrap().len(), 2);
    assert_eq!(
        messages[2],
        json!({"role":"tool","content":"read OllamaApiClient.java","tool_name":"read_file_content","tool_call_id":"call_trmym6vj"})
    );
    assert_eq!(
        messages[3],
        json!({"role":"tool","content":"read OpenAiApiClient.java","tool_name":"read_file_content","tool_call_id":"call_24957ol8"})
    );
}

fn call(name: &str, args: Value) -> ToolCall {
    let Value::Object(arguments) = args else {
        panic!()
    };
    ToolCall::new(name, arguments)
}

fn calls_reply(calls: Vec<ToolCall>) -> ChatResponse {
    let mut m = Message::assistant("");
    m.tool_calls = calls;
    ChatResponse::new(m)
}

#[test]
fn handler_errors_bad_arguments_and_unknown_tools_go_back_as_tool_messages() {
    let toolbox = Toolbox::new().tool(|w: GetWeather| async move {
        Err::<String, _>(format!("no station near {}", w.location))
    });
    let calls = vec![
        call("getWeather", json!({"location": "Atlantis"})),
        call("getWeather", json!({"place": "Paris"})),
        call("get_time", json!({})),
    ];
    let results = ready(toolbox.run_all(&calls, |_| {}));
    let texts: Vec<(&str, bool)> = results
        .iter()
        .map(|r| (r.content.as_str(), r.is_error))
        .collect();
    assert_eq!(
        texts,
        [
            ("error: no station near Atlantis", true),
            (
                "error: invalid arguments: the arguments of getWeather do not match tools::GetWeather at `.`: missing field `location`; the text was \"{\\\"place\\\":\\\"Paris\\\"}\"",
                true
            ),
            ("error: no tool named `get_time` (tools: getWeather)", true),
        ]
    );
    // The loop sends them like any result; a call without an id gets one (its position in the
    // turn), on the assistant's call and on the result alike.
    let mut run = ToolLoop::new(
        ChatRequest::new("m", [Message::user("hi")]),
        toolbox.tools(),
    );
    run.on_reply(calls_reply(calls)).unwrap();
    run.on_results(results).unwrap();
    let last = &run.request().messages[4];
    assert_eq!(
        (
            last.role.clone(),
            last.tool_name.as_deref(),
            last.tool_call_id.as_deref()
        ),
        (Role::Tool, Some("get_time"), Some("call_00000002"))
    );
}

#[test]
fn the_round_bound_is_a_typed_error() {
    let toolbox = weather_toolbox().max_rounds(2);
    let mut run = ToolLoop::new(
        ChatRequest::new("m", [Message::user("hi")]),
        toolbox.tools(),
    )
    .max_rounds(toolbox.round_limit());
    let again = || {
        calls_reply(vec![call(
            "getWeather",
            json!({"location": "San Francisco, CA"}),
        )])
    };
    for round in 1..=2 {
        let Next::RunTools(calls) = run.on_reply(again()).unwrap() else {
            panic!()
        };
        run.on_results(ready(toolbox.run_all(&calls, |_| {})))
            .unwrap();
        assert_eq!(run.rounds(), round);
    }
    let err = run.on_reply(again()).unwrap_err();
    assert_eq!(
        err,
        ToolLoopError::RoundLimit {
            max_rounds: 2,
            pending: vec!["getWeather".into()]
        }
    );
    assert_eq!(
        err.to_string(),
        "the model still called tools after 2 rounds (next: getWeather)"
    );
    assert_eq!(
        run.on_reply(again()),
        Err(ToolLoopError::OutOfOrder {
            called: "on_reply",
            expected: "nothing (failed)"
        })
    );
}

#[test]
fn misuse_is_reported() {
    let mut run = ToolLoop::new(
        ChatRequest::new("m", [Message::user("hi")]),
        weather_toolbox().tools(),
    );
    assert_eq!(
        run.on_results(vec![]),
        Err(ToolLoopError::OutOfOrder {
            called: "on_results",
            expected: "a reply"
        })
    );
    let c = call("getWeather", json!({"location": "x"}));
    run.on_reply(calls_reply(vec![c.clone()])).unwrap();
    assert_eq!(
        run.on_results(vec![]),
        Err(ToolLoopError::ResultCount {
            expected: 1,
            got: 0
        })
    );
    run.on_results(vec![ToolResult::new(&c, Ok("ok".into()))])
        .unwrap();
    assert!(run.clone().into_run().is_err());
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Report {
    temperature: i32,
}

#[test]
fn format_is_withheld_until_the_tool_rounds_are_over() {
    let format = Format::from_type::<Report>();
    let request = ChatRequest::new("m", [Message::user("weather?")]).format(format.clone());
    let toolbox = weather_toolbox();
    let mut run = ToolLoop::new(request, toolbox.tools());
    assert_eq!(run.request().format, None);
    let Next::RunTools(calls) = run
        .on_reply(calls_reply(vec![call(
            "getWeather",
            json!({"location": "San Francisco, CA"}),
        )]))
        .unwrap()
    else {
        panic!()
    };
    run.on_results(ready(toolbox.run_all(&calls, |_| {})))
        .unwrap();
    assert_eq!(run.request().format, None);
    let history = run.request().messages.clone();
    // The model answers in prose: the same history goes once more, now with `format`.
    assert_eq!(
        run.on_reply(ChatResponse::new(Message::assistant("It is 72 °F."))),
        Ok(Next::Send)
    );
    assert_eq!(run.request().format, Some(format));
    assert_eq!(run.request().messages, history);
    assert_eq!(
        run.on_reply(ChatResponse::new(Message::assistant(
            r#"{"temperature":72}"#
        ))),
        Ok(Next::Done)
    );
    let done = run.into_run().unwrap();
    assert_eq!(
        done.answer.answer_as::<Report>().unwrap(),
        Report { temperature: 72 }
    );
    assert_eq!(done.turns.len(), 3);
    // Without tools, `format` is sent at once.
    let plain = ToolLoop::new(ChatRequest::new("m", []).format(Format::Json), []);
    assert_eq!(plain.request().format, Some(Format::Json));
}

#[test]
fn argument_order_and_think_blocks_in_resent_history() {
    let mut run = ToolLoop::new(
        ChatRequest::new("m", [Message::user("hi")]),
        weather_toolbox().tools(),
    );
    let body = r#"{"message":{"role":"assistant","content":"<think>plan</think>\n\nOne moment.","thinking":"t",
        "tool_calls":[{"function":{"name":"getWeather","arguments":{"zeta":1,"location":"x","alpha":2}}}]},"done":true}"#;
    run.on_reply(serde_json::from_str(body).unwrap()).unwrap();
    let sent = serde_json::to_string(&run.request().messages[1]).unwrap();
    assert_eq!(
        sent,
        r#"{"role":"assistant","content":"One moment.","tool_calls":[{"id":"call_00000000","function":{"name":"getWeather","arguments":{"zeta":1,"location":"x","alpha":2}}}]}"#
    );
}

/// A trip.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Trip {
    /// Where to.
    to: City,
    /// Stops on the way.
    stops: Vec<City>,
    /// Nights, 1 to 30.
    #[schemars(range(min = 1, max = 30))]
    nights: u32,
    /// A booking code.
    #[schemars(regex(pattern = r"^[A-Z]{3}\d{3}$"))]
    code: Option<String>,
    mode: Mode,
}

/// A city.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct City {
    name: String,
    country: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Mode {
    Train,
    Plane,
}

#[test]
fn nested_types_are_inlined_with_their_constraints() {
    let Format::Schema(schema) = Format::from_type::<Trip>() else {
        panic!()
    };
    let city = json!({"description":"A city.","type":"object","properties":{
        "name":{"type":"string"},"country":{"type":["string","null"]}},"required":["name"]});
    let mut city_to = city.clone();
    city_to["description"] = json!("Where to.");
    assert_eq!(
        schema,
        json!({
            "description": "A trip.",
            "type": "object",
            "properties": {
                "to": city_to,
                "stops": {"description": "Stops on the way.", "type": "array", "items": city},
                "nights": {"description": "Nights, 1 to 30.", "type": "integer", "minimum": 1, "maximum": 30},
                "code": {"description": "A booking code.", "type": ["string", "null"], "pattern": "^[A-Z]{3}\\d{3}$"},
                "mode": {"type": "string", "enum": ["train", "plane"]}
            },
            "required": ["to", "stops", "nights", "mode"]
        })
    );
    assert!(!schema.to_string().contains("$ref"));
}

/// A tree.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Node {
    label: String,
    /// Children.
    children: Vec<Self>,
}

#[test]
fn recursive_types_stay_finite() {
    let Format::Schema(schema) = Format::from_type::<Node>() else {
        panic!()
    };
    assert_eq!(
        schema["properties"]["children"],
        json!({"description": "Children.", "type": "array", "items": {}})
    );
    assert!(!schema.to_string().contains("$ref") && !schema.to_string().contains("$defs"));
    // A reference outside `$defs`, or to a missing definition, is "any value" too.
    let odd = json!({"type":"object","properties":{"a":{"$ref":"other.json#/x"},"b":{"$ref":"#/$defs/Gone","description":"d"}}});
    assert_eq!(
        ollama_schema(odd),
        json!({"type":"object","properties":{"a":{},"b":{"description":"d"}}})
    );
}

#[test]
fn upstream_docs_schemas_pass_unchanged() {
    // The tool and format examples of the upstream API docs, and the recorded format schemas.
    for schema in [
        json!({"type":"object","properties":{"city":{"type":"string","description":"The name of the city"}},"required":["city"]}),
        json!({"type":"object","properties":{"age":{"type":"integer"},"available":{"type":"boolean"}},"required":["age","available"]}),
        request_json("lcg-cloud-chat-nonstream-glm-format-schema.json")["format"].clone(),
        request_json("lcg-chat-stream-gemma3-format-schema.ndjson")["format"].clone(),
    ] {
        assert_eq!(ollama_schema(schema.clone()), schema);
    }
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Capital {
    capital: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Population {
    population: u64,
}

#[test]
fn recorded_structured_answers_decode_or_say_what_did_not_match() {
    let glm = response("lcg-cloud-chat-nonstream-glm-format-schema.json");
    assert_eq!(
        glm.answer_as::<Capital>().unwrap(),
        Capital {
            capital: "Paris".into()
        }
    );
    assert_eq!(
        Format::Schema(
            request_json("lcg-cloud-chat-nonstream-glm-format-schema.json")["format"].clone()
        ),
        Format::from_type::<Capital>()
    );
    let err = glm.answer_as::<Population>().unwrap_err();
    assert_eq!(err.path, ".");
    assert_eq!(
        err.message,
        "missing field `population` at line 1 column 20"
    );
    assert_eq!(err.raw, r#"{"capital": "Paris"}"#);
    // gpt-oss on the cloud fences its JSON even with format "json".
    let fenced = response("lcg-cloud-chat-nonstream-gptoss120b-format-json.json");
    assert!(fenced.message.content.starts_with("```json"));
    assert!(fenced.answer_as::<Value>().is_ok());
    // Trailing spaces and tabs after grammar-constrained output.
    let ws = response("prism-chat-nonstream-deepseek-r1-structured-trailing-ws.json");
    assert!(ws.answer_as::<Value>().unwrap().is_object());
}

#[test]
fn conversations_strip_reasoning_switch_per_turn_trim_and_serialise() {
    let mut chat = Conversation::new("qwen3:8b").system("Be brief.");
    chat.push_user("Hi").soft_switch(false);
    assert_eq!(chat.request().think, Some(Think::Enabled(false)));
    assert_eq!(chat.request().messages[1].content, "Hi /no_think");
    let mut reply = Message::assistant("<think>\n\n</think>\n\nHello!");
    reply.thinking = Some("greet".into());
    chat.push_reply(&ChatResponse::new(reply));
    chat.push_user("Why is the sky blue?").soft_switch(true);
    let request = chat.request();
    let texts: Vec<&str> = request
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "Be brief.",
            "Hi /no_think",
            "Hello!",
            "Why is the sky blue? /think"
        ]
    );
    assert!(request.messages.iter().all(|m| m.thinking.is_none()));
    assert_eq!(request.think, Some(Think::Enabled(true)));

    let stored = serde_json::to_string(&chat).unwrap();
    let back: Conversation = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, chat);

    // A character budget: 12 + 6 + 27 chars; 30 keeps only the last message.
    let trimmed = chat.clone().budget(Budget::chars(30));
    assert_eq!(trimmed.messages.len(), 1);
    assert_eq!(trimmed.request().messages[0].content, "Be brief.");
    // The latest message is kept even when it alone is over the budget.
    assert_eq!(chat.clone().budget(Budget::chars(1)).messages.len(), 1);
    assert_eq!(chat.clone().budget(Budget::messages(0)).messages.len(), 1);
    assert_eq!(chat.clone().budget(Budget::messages(2)).messages.len(), 2);
}

#[test]
fn trimming_never_leaves_a_tool_result_without_its_call() {
    let mut chat = Conversation::new("m");
    chat.push_user("weather?");
    chat.push_reply(&calls_reply(vec![call(
        "getWeather",
        json!({"location": "x"}),
    )]));
    chat.push(Message::tool_result(
        &call("getWeather", json!({})),
        "sunny",
    ));
    chat.push_reply(&ChatResponse::new(Message::assistant("Sunny.")));
    let trimmed = chat.budget(Budget::messages(2));
    let roles: Vec<Role> = trimmed.messages.iter().map(|m| m.role.clone()).collect();
    assert_eq!(roles, [Role::Assistant]);
}

#[test]
fn images_are_checked_by_their_magic_bytes() {
    let cases: [(&[u8], Option<ImageKind>); 7] = [
        (b"\x89PNG\r\n\x1a\n....", Some(ImageKind::Png)),
        (b"\xff\xd8\xff\xe0", Some(ImageKind::Jpeg)),
        (b"GIF89a..", Some(ImageKind::Gif)),
        (b"RIFF\0\0\0\0WEBPVP8 ", Some(ImageKind::Webp)),
        (b"RIFF\0\0\0\0WAVE", None),
        (b"\x89PNG", None),
        (b"<svg/>", None),
    ];
    for (bytes, kind) in cases {
        assert_eq!(
            Image::from_bytes(bytes.to_vec())
                .ok()
                .and_then(|i| i.kind()),
            kind,
            "{bytes:?}"
        );
    }
    assert_eq!(Image::from_bytes(Vec::new()), Err(ImageError::Empty));
    assert_eq!(
        Image::from_bytes(b"<svg/>".to_vec())
            .unwrap_err()
            .to_string(),
        "not a PNG, JPEG, GIF or WebP image (6 bytes starting 3c 73 76 67 2f 3e)"
    );
}

#[derive(Serialize)]
struct NotJson;

#[test]
fn string_results_are_sent_as_text_and_values_as_json() {
    let toolbox = Toolbox::new()
        .tool_with(
            Tool::function("echo", "Echo.", json!({"type":"object"})),
            |v: Value| async move { Ok::<_, String>(v["text"].clone()) },
        )
        .tool_with(
            Tool::function("unit", "Unit.", json!({"type":"object"})),
            |_: Value| async move { Ok::<_, String>(NotJson) },
        );
    let results = ready(toolbox.run_all(
        &[
            call("echo", json!({"text": "a \"quoted\" word"})),
            call("echo", json!({"text": 3})),
            call("unit", json!({})),
        ],
        |_| {},
    ));
    let texts: Vec<&str> = results.iter().map(|r| r.content.as_str()).collect();
    assert_eq!(texts, ["a \"quoted\" word", "3", "null"]);
}

#[test]
fn image_files_are_read_with_a_bound() {
    use ollama_proto::types::{ImageFileError, MAX_IMAGE_FILE};
    use std::io::Read;
    use std::path::Path;
    // An endless file stops at the limit instead of filling memory.
    let endless = Ok(std::io::repeat(0xFF));
    match ImageFileError::read(Path::new("/dev/endless"), endless).unwrap_err() {
        ImageFileError::Read { path, source } => {
            assert_eq!(path, Path::new("/dev/endless"));
            assert_eq!(source.kind(), std::io::ErrorKind::FileTooLarge);
            assert_eq!(
                source.to_string(),
                "over the 67108864-byte limit for images"
            );
        }
        other => panic!("{other:?}"),
    }
    // Exactly at the limit is accepted.
    let at_limit = Ok(b"GIF89a".chain(std::io::repeat(0).take(MAX_IMAGE_FILE - 6)));
    let image = ImageFileError::read(Path::new("big.gif"), at_limit).unwrap();
    assert_eq!(
        (image.kind(), image.as_bytes().len() as u64),
        (Some(ImageKind::Gif), MAX_IMAGE_FILE)
    );
}

#[test]
fn definitions_that_fan_out_stay_bounded() {
    // D0 refers to D1 twice, D1 to D2 twice, …: 2^30 copies if expanded without a bound.
    let mut defs = serde_json::Map::new();
    for i in 0..30 {
        let next = json!({"$ref": format!("#/$defs/D{}", i + 1)});
        defs.insert(
            format!("D{i}"),
            json!({"type":"array","prefixItems":[next.clone(), next]}),
        );
    }
    defs.insert("D30".into(), json!({"type": "string"}));
    let schema = ollama_schema(json!({"$ref": "#/$defs/D0", "$defs": defs}));
    let text = schema.to_string();
    let arrays = text.matches(r#""type":"array""#).count();
    let strings = text.matches(r#""type":"string""#).count();
    assert_eq!(arrays + strings, ollama_proto::tools::MAX_EXPANSIONS);
    assert_eq!((arrays, strings), (2058, 2038)); // depth first: the deepest levels fill first
    assert!(!text.contains("$ref"));
}

//! Tools, structured answers and conversations through a transport, scripted with recorded
//! replies: the requests the tool loop sends, parallel calls, a handler's error, the round
//! bound, the streaming loop's events, a structured answer that does not match, and a
//! conversation's second request.

use ollama_proto::schemars;
use ollama_proto::tools::{Conversation, ToolEvent, ToolLoopError, Toolbox};
use ollama_proto::types::{Format, Role};
use serde::Deserialize;
use serde_json::{Value, json};

use super::*;

/// Get the current weather for a location.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "ollama_proto::schemars", rename = "getWeather")]
struct GetWeather {
    /// The city and state, e.g. San Francisco, CA
    location: String,
}

// The answer of the recorded structured-output call (no doc comments: its schema must be the
// recorded one, which has no descriptions).
#[derive(Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "ollama_proto::schemars")]
struct Capital {
    capital: String,
}

/// A type the recorded structured answer does not fit.
#[derive(Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "ollama_proto::schemars")]
struct Population {
    /// Inhabitants.
    population: u64,
}

const TOOLCALL: &str = "lcg-cloud-chat-nonstream-gptoss120b-toolcall.json";
const TOOLRESULT: &str = "lcg-cloud-chat-nonstream-gptoss120b-toolresult.json";

fn weather(result: Result<&'static str, &'static str>) -> Toolbox {
    Toolbox::new().tool(move |w: GetWeather| async move {
        assert_eq!(w.location, "San Francisco, CA");
        result.map(|r| serde_json::from_str::<Value>(r).unwrap())
    })
}

fn chat_bodies(server: &TestServer) -> Vec<Value> {
    server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/chat")
        .map(|r| r.json().unwrap())
        .collect()
}

/// One text per tool-loop event, the same for every transport: model events by kind, calls by
/// name, results with their text.
pub fn describe(event: ToolEvent<'_>) -> String {
    match event {
        ToolEvent::Model(OwnedEvent::Thinking(_)) => "thinking".to_owned(),
        ToolEvent::Model(OwnedEvent::Content(_)) => "content".to_owned(),
        ToolEvent::Model(OwnedEvent::ToolCalls(c)) => format!("tool_calls {}", c.len()),
        ToolEvent::Model(OwnedEvent::Done(_)) => "done".to_owned(),
        ToolEvent::Model(_) => "other".to_owned(),
        ToolEvent::Call(c) => format!("call {}", c.function.name),
        ToolEvent::Result(r) => format!("result {}: {}", r.call.function.name, r.content),
        _ => "unknown".to_owned(),
    }
}

/// The recorded gpt-oss tool round trip: the follow-up request carries the assistant's call
/// (with its id, without thinking) and the result with `tool_name` and `tool_call_id`.
pub fn tools_recorded_round_trip<T: Transport>(t: &T) {
    let server = TestServer::start();
    server.push_reply(Reply::recording(TOOLCALL));
    server.push_reply(Reply::recording(TOOLRESULT));
    let client = t.client(config_for(&server));
    let first = recorded_chat(TOOLCALL);
    let run = t
        .run_tools(
            &client,
            first,
            weather(Ok(r#"{"temperature": 72, "condition": "sunny"}"#)),
        )
        .unwrap();
    assert_eq!(
        run.content(),
        "San Francisco is currently **72 °F** and **sunny**."
    );
    assert_eq!(run.rounds, 1);
    let bodies = chat_bodies(&server);
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        bodies[0]["messages"],
        recorded::<Value>(TOOLCALL)["messages"]
    );
    assert_eq!(bodies[1]["stream"], false);
    assert_eq!(bodies[1]["tools"], recorded::<Value>(TOOLRESULT)["tools"]);
    assert_eq!(
        bodies[1]["messages"],
        json!([
            {"role":"user","content":"What's the weather like in San Francisco?"},
            {"role":"assistant","content":"","tool_calls":[{"id":"call_mo1wm122","function":
                {"index":0,"name":"getWeather","arguments":{"location":"San Francisco, CA"}}}]},
            {"role":"tool","content":"{\"temperature\":72,\"condition\":\"sunny\"}",
                "tool_name":"getWeather","tool_call_id":"call_mo1wm122"}
        ])
    );
}

/// A handler's error goes back to the model as the tool message; the run goes on.
pub fn tools_handler_error_is_sent_back<T: Transport>(t: &T) {
    let server = TestServer::start();
    server.push_reply(Reply::recording(TOOLCALL));
    server.push_reply(Reply::recording(TOOLRESULT));
    let client = t.client(config_for(&server));
    let run = t
        .run_tools(
            &client,
            recorded_chat(TOOLCALL),
            weather(Err("station offline")),
        )
        .unwrap();
    assert_eq!(run.rounds, 1);
    assert!(run.turns[0].results[0].is_error);
    let bodies = chat_bodies(&server);
    assert_eq!(
        bodies[1]["messages"][2],
        json!({"role":"tool","content":"error: station offline","tool_name":"getWeather",
            "tool_call_id":"call_mo1wm122"})
    );
}

/// Read a file of the workspace.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "ollama_proto::schemars")]
struct ReadFileContent {
    /// Path from the workspace root.
    file_name: String,
}

/// qwen3.5's two parallel calls in one turn: both run, each result with its own id, in call
/// order, then the recorded answer.
pub fn tools_parallel_calls<T: Transport>(t: &T) {
    let server = TestServer::start();
    server.push_reply(Reply::recording(
        "ci-chat-nonstream-qwen35-thinking-parallel-toolcalls.json",
    ));
    server.push_reply(Reply::recording(
        "ci-chat-nonstream-qwen35-after-tools.json",
    ));
    let client = t.client(config_for(&server));
    let toolbox = Toolbox::new().tool(|r: ReadFileContent| async move {
        Ok::<_, String>(format!(
            "// stub of {}",
            r.file_name.rsplit('/').next().unwrap_or("")
        ))
    });
    let request = ChatRequest::new("qwen3.5:35b", [Message::user("Read both clients.")]);
    let run = t.run_tools(&client, request, toolbox).unwrap();
    assert!(
        run.content()
            .starts_with("I have successfully read both files")
    );
    assert!(
        run.turns[0]
            .thinking
            .as_deref()
            .unwrap()
            .starts_with("The user wants me")
    );
    let bodies = chat_bodies(&server);
    let messages = bodies[1]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[1].get("thinking"), None);
    assert_eq!(
        messages[2..],
        [
            json!({"role":"tool","content":"// stub of OllamaApiClient.java",
                "tool_name":"read_file_content","tool_call_id":"call_trmym6vj"}),
            json!({"role":"tool","content":"// stub of OpenAiApiClient.java",
                "tool_name":"read_file_content","tool_call_id":"call_24957ol8"}),
        ]
    );
    assert_eq!(run.messages.len(), 5);
    assert_eq!(run.messages[4].role, Role::Assistant);
}

/// A model that keeps calling tools ends the run with the typed round-limit error after
/// exactly `max_rounds` rounds (and one more request).
pub fn tools_round_bound<T: Transport>(t: &T) {
    let server = TestServer::start();
    server.push_reply(Reply::recording(TOOLCALL).times(5));
    let client = t.client(config_for(&server));
    let toolbox = weather(Ok("{}")).max_rounds(2);
    let err = t
        .run_tools(&client, recorded_chat(TOOLCALL), toolbox)
        .unwrap_err();
    assert_eq!(
        err,
        Failure::Tools(ToolLoopError::RoundLimit {
            max_rounds: 2,
            pending: vec!["getWeather".to_owned()]
        })
    );
    assert_eq!(chat_bodies(&server).len(), 3);
}

/// Weather for a city.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "ollama_proto::schemars")]
struct Weather {
    /// The city.
    city: String,
}

/// Search the web.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "ollama_proto::schemars")]
struct Search {
    /// The query.
    query: String,
}

/// The streaming loop on prism's qwen3 recordings: tool calls as they stream, every call and
/// result as it happens, then the answer with its reasoning apart; `format` only on the last
/// request.
pub fn tools_streaming_loop<T: Transport>(t: &T) {
    let server = TestServer::start();
    server.push_reply(Reply::recording(
        "prism-chat-stream-qwen3-parallel-toolcalls.ndjson",
    ));
    server.push_reply(Reply::recording(
        "prism-chat-qwen3-think-tags-in-content.ndjson",
    ));
    server.push_reply(Reply::ndjson([
        r#"{"model":"qwen3:14b","message":{"role":"assistant","content":"{\"coat\":true}"},"done":false}"#,
        r#"{"model":"qwen3:14b","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#,
    ]));
    let client = t.client(config_for(&server));
    let toolbox = Toolbox::new()
        .tool(|w: Weather| async move { Ok::<_, String>(format!("{}: 45 °F, rain", w.city)) })
        .tool(|s: Search| async move { Ok::<_, String>(format!("{}: 1:10 PM", s.query)) });
    let request = ChatRequest::new("qwen3:14b", [Message::user("Tigers game today, coat?")])
        .format(Format::Json);
    let (run, events) = t.run_tools_streaming(&client, request, toolbox).unwrap();
    let mut collapsed: Vec<String> = Vec::new();
    for e in events {
        if collapsed.last() != Some(&e) || !matches!(e.as_str(), "thinking" | "content") {
            collapsed.push(e);
        }
    }
    assert_eq!(
        collapsed,
        [
            "tool_calls 1",
            "tool_calls 1",
            "done",
            "call weather",
            "call search",
            "result weather: Detroit: 45 °F, rain",
            "result search: Detroit Tigers game time today: 1:10 PM",
            "thinking",
            "content",
            "done",
            "content",
            "done",
        ]
    );
    assert_eq!(run.content(), "{\"coat\":true}");
    assert_eq!(run.turns.len(), 3);
    assert!(run.turns[1].thinking.is_some());
    let bodies = chat_bodies(&server);
    assert_eq!(bodies.len(), 3);
    let formats: Vec<Option<&Value>> = bodies.iter().map(|b| b.get("format")).collect();
    assert_eq!(formats, [None, None, Some(&json!("json"))]);
    assert_eq!(bodies[2]["messages"], bodies[1]["messages"]);
    assert_eq!(bodies[1]["messages"][2]["tool_name"], "weather");
    assert_eq!(bodies[1]["messages"][3]["tool_name"], "search");
    assert!(bodies.iter().all(|b| b["stream"] == true));
}

/// A structured answer into a type; one that does not fit is a typed error with the raw text.
pub fn structured_answer_and_mismatch<T: Transport>(t: &T) {
    let name = "lcg-cloud-chat-nonstream-glm-format-schema.json";
    let server = TestServer::start();
    server.push_reply(Reply::recording(name).times(2));
    let client = t.client(config_for(&server));
    let mut request = recorded_chat(name);
    request.format = None;
    let capital: Capital = t.chat_structured(&client, request.clone()).unwrap();
    assert_eq!(
        capital,
        Capital {
            capital: "Paris".to_owned()
        }
    );
    assert_eq!(
        chat_bodies(&server)[0]["format"],
        recorded::<Value>(name)["format"]
    );
    let Failure::Structured(err) = t
        .chat_structured::<Population>(&client, request)
        .unwrap_err()
    else {
        panic!("expected a decode error")
    };
    assert_eq!(err.path, ".");
    assert_eq!(
        err.message,
        "missing field `population` at line 1 column 20"
    );
    assert_eq!(err.raw, r#"{"capital": "Paris"}"#);
}

/// Two turns of a conversation: the reply is appended without its reasoning, the soft switch
/// moves to the new turn.
pub fn conversation_turns<T: Transport>(t: &T) {
    let server = TestServer::start();
    server.push_reply(Reply::recording(
        "prism-chat-nonstream-gptoss-thinking.json",
    ));
    server.push_reply(Reply::recording(TOOLRESULT));
    let client = t.client(config_for(&server));
    let mut chat = Conversation::new("qwen3:8b").system("Be brief.");
    chat.push_user("What is 2+2?").soft_switch(true);
    let (next, first) = t.send(&client, chat).unwrap();
    let mut chat = next;
    assert!(first.message.thinking.is_some());
    assert_eq!(chat.messages.len(), 2);
    assert_eq!(chat.messages[1].content, first.message.content);
    chat.push_user("And 3+3?").soft_switch(false);
    let (chat, _) = t.send(&client, chat).unwrap();
    assert_eq!(chat.messages.len(), 4);
    let bodies = chat_bodies(&server);
    let second = bodies[1]["messages"].as_array().unwrap();
    let texts: Vec<&str> = second
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Be brief.",
            "What is 2+2? /think",
            first.message.content.as_str(),
            "And 3+3? /no_think"
        ]
    );
    assert!(second.iter().all(|m| m.get("thinking").is_none()));
    assert_eq!(bodies[1]["think"], false);
}

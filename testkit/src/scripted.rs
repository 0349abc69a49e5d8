//! Scripted conversations the examples replay with `--replay` (one definition for every
//! transport's copy of an example).

use crate::{JSON_UTF8, Reply, TestServer};

/// A stand-in server for the weather tool examples: the model (`model`) first calls
/// `get_weather` for Paris and Rome in one turn, then answers from the two results.
pub fn weather_tools(model: &str) -> TestServer {
    let server = TestServer::start();
    let call = |i: u32, id: &str, city: &str| serde_json::json!({"id": id, "function": {"index": i, "name": "get_weather", "arguments": {"city": city}}});
    let calls = serde_json::json!({"model": model, "message": {"role": "assistant", "content": "",
        "tool_calls": [call(0, "call_p4r1s", "Paris"), call(1, "call_r0m3", "Rome")]},
        "done": true, "done_reason": "stop"});
    let answer = serde_json::json!({"model": model, "message": {"role": "assistant",
        "content": "Both are sunny at 22 °C: Paris and Rome."}, "done": true, "done_reason": "stop"});
    server.push_reply(Reply::body(200, JSON_UTF8, calls.to_string()));
    server.push_reply(Reply::body(200, JSON_UTF8, answer.to_string()));
    eprintln!("(replaying scripted Ollama answers from an in-process test server)");
    server
}

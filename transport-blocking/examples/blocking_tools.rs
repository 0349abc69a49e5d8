//! A tool loop without an async runtime: the model calls `get_weather` for two cities in one
//! turn, the toolbox runs both, and the model answers from their results. The handler is an
//! `async` block that does not wait: the blocking client polls it to its end on this thread.
//!
//! ```text
//! cargo run -p ollama-blocking --example blocking_tools -- [--replay] [MODEL]
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use ollama_blocking::{ChatRequest, Client, Error, Message, Toolbox};
use ollama_blocking::{JsonSchema, ToolEvent, schemars};
use serde::Deserialize;
use testkit::{JSON_UTF8, Reply, TestServer};

/// Get the current weather for a city.
#[derive(Deserialize, JsonSchema)]
struct GetWeather {
    /// The city, e.g. Paris.
    city: String,
}

fn main() -> Result<(), Error> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let replay = args.iter().any(|a| a == "--replay");
    args.retain(|a| a != "--replay");
    let model = args.first().map_or("qwen3:8b", String::as_str);
    // Kept alive for the whole run when replaying.
    let server = replay.then(|| scripted(model));
    let client = match &server {
        Some(server) => Client::new(testkit::conformance::config_for(server))?,
        None => Client::from_env()?, // OLLAMA_HOST, OLLAMA_API_KEY
    };
    let toolbox = Toolbox::new().tool(|w: GetWeather| async move {
        Ok::<_, std::io::Error>(format!("22 °C and sunny in {}", w.city))
    });
    let question = "What is the weather in Paris and in Rome?";
    println!("> {question}");
    let request = ChatRequest::new(model, [Message::user(question)]);
    let run = client.run_tools_streaming(request, &toolbox, |event| match event {
        ToolEvent::Call(call) => {
            let args = serde_json::Value::Object(call.function.arguments.clone());
            println!("calling {}({args})", call.function.name);
        }
        ToolEvent::Result(result) => println!("  → {}", result.content),
        _ => {}
    })?;
    println!("{}", run.content());
    Ok(())
}

/// `--replay`: a stand-in server with the model's two parallel calls, then its answer.
fn scripted(model: &str) -> TestServer {
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

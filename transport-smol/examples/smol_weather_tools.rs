//! A tool from a Rust type on smol: the model calls `get_weather` for two cities in one turn,
//! the toolbox runs both concurrently, and the model answers from their results.
//!
//! ```text
//! cargo run -p ollama-smol --example smol_weather_tools -- [--replay] [MODEL]
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::process::ExitCode;

use ollama_smol::{ChatRequest, Client, Error, JsonSchema, Message, Toolbox, schemars};
use serde::Deserialize;
use testkit::{JSON_UTF8, Reply, TestServer};

/// Get the current weather for a city.
#[derive(Deserialize, JsonSchema)]
struct GetWeather {
    /// The city, e.g. Paris.
    city: String,
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let replay = args.iter().any(|a| a == "--replay");
    args.retain(|a| a != "--replay");
    let model = args
        .first()
        .cloned()
        .unwrap_or_else(|| "qwen3:8b".to_owned());
    // Kept alive for the whole run when replaying.
    let server = replay.then(|| scripted(&model));
    let config = match &server {
        Some(server) => testkit::conformance::config_for(server),
        None => common::config_from_env(),
    };
    let base = config.request.base_url.to_string();
    let result = async_io::block_on(run(config, model));
    common::exit_code(&base, result, false)
}

async fn run(config: ollama_proto::ClientConfig, model: String) -> Result<(), Error> {
    let client = Client::new(config)?;
    let toolbox = Toolbox::new().tool(|w: GetWeather| async move {
        Ok::<_, std::io::Error>(format!("22 °C and sunny in {}", w.city))
    });
    let question = "What is the weather in Paris and in Rome?";
    println!("> {question}");
    let run = client
        .run_tools(ChatRequest::new(model, [Message::user(question)]), &toolbox)
        .await?;
    for result in run.turns.iter().flat_map(|t| &t.results) {
        println!("tool {} → {}", result.call.function.name, result.content);
    }
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

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
    let server = replay.then(|| testkit::scripted::weather_tools(model));
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

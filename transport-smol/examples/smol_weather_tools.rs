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
    let server = replay.then(|| testkit::scripted::weather_tools(&model));
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

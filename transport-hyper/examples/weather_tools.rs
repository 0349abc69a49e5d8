//! A tool from a Rust type: the model calls `get_weather` twice in one turn (parallel calls),
//! the toolbox runs both, and the model answers from their results.
//!
//! ```sh
//! cargo run -p ollama-hyper --example weather_tools -- [--model qwen3:8b] [--replay]
//! ```
mod common;

use ollama_hyper::{ChatRequest, JsonSchema, Message, Toolbox, schemars};
use serde::Deserialize;
use testkit::{JSON_UTF8, Reply};

/// Get the current weather for a city.
#[derive(Deserialize, JsonSchema)]
struct GetWeather {
    /// The city, e.g. Paris.
    city: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    let model = setup.model("qwen3:8b");
    script(&setup, &model);
    common::run(async {
        let toolbox = Toolbox::new().tool(|w: GetWeather| async move {
            Ok::<_, std::io::Error>(format!("22 °C and sunny in {}", w.city))
        });
        let question = "What is the weather in Paris and in Rome?";
        println!("> {question}");
        let request = ChatRequest::new(model, [Message::user(question)]);
        let run = setup.client.run_tools(request, &toolbox).await?;
        for result in run.turns.iter().flat_map(|t| &t.results) {
            println!("tool {} → {}", result.call.function.name, result.content);
        }
        println!("{}", run.content());
        Ok(())
    })
    .await;
}

/// `--replay`: the model's two parallel calls (ids and indexes as Ollama ≥ 0.12.10 sends
/// them), then its answer.
fn script(setup: &common::Setup, model: &str) {
    let call = |i: u32, id: &str, city: &str| serde_json::json!({"id": id, "function": {"index": i, "name": "get_weather", "arguments": {"city": city}}});
    let calls = serde_json::json!({"model": model, "message": {"role": "assistant", "content": "",
        "thinking": "Two cities: call get_weather for each.",
        "tool_calls": [call(0, "call_p4r1s", "Paris"), call(1, "call_r0m3", "Rome")]},
        "done": true, "done_reason": "stop"});
    let answer = serde_json::json!({"model": model, "message": {"role": "assistant",
        "content": "Both are sunny at 22 °C: Paris and Rome."}, "done": true, "done_reason": "stop"});
    setup.script(Reply::body(200, JSON_UTF8, calls.to_string()));
    setup.script(Reply::body(200, JSON_UTF8, answer.to_string()));
}

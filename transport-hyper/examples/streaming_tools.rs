//! The streaming tool loop: the model's replies as they stream, each tool call as it starts and
//! each result as it is ready (Qwen3, two tools, parallel calls).
//!
//! ```sh
//! cargo run -p ollama-hyper --example streaming_tools -- [--model qwen3:14b] [--replay]
//! ```
mod common;

use std::io::Write;

use ollama_hyper::{ChatRequest, JsonSchema, Message, OwnedEvent, ToolEvent, Toolbox, schemars};
use serde::Deserialize;
use serde_json::Value;
use testkit::Reply;

/// Current weather in a city.
#[derive(Deserialize, JsonSchema)]
struct Weather {
    /// The city.
    city: String,
}

/// Search the web.
#[derive(Deserialize, JsonSchema)]
struct Search {
    /// What to look for.
    query: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    // `--replay`: prism's recorded qwen3:14b turns (two calls streamed one by one, then the
    // answer with its <think> block split off).
    setup.script(Reply::recording(
        "prism-chat-stream-qwen3-parallel-toolcalls.ndjson",
    ));
    setup.script(Reply::recording(
        "prism-chat-qwen3-think-tags-in-content.ndjson",
    ));
    common::run(async {
        let toolbox = Toolbox::new()
            .tool(
                |w: Weather| async move { Ok::<_, String>(format!("75° and sunny in {}", w.city)) },
            )
            .tool(|s: Search| async move {
                Ok::<_, String>(format!("{}: the Tigers play at 3pm", s.query))
            });
        let question = "What time is the Tigers game today in Detroit, and should I wear a coat?";
        println!("> {question}");
        let request = ChatRequest::new(setup.model("qwen3:14b"), [Message::user(question)]);
        let run = setup
            .client
            .run_tools_streaming(request, &toolbox, |event| {
                match event {
                    ToolEvent::Model(OwnedEvent::Thinking(t)) => eprint!("{t}"),
                    ToolEvent::Model(OwnedEvent::Content(c)) => print!("{c}"),
                    ToolEvent::Call(c) => {
                        println!(
                            "→ {}({})",
                            c.function.name,
                            Value::Object(c.function.arguments.clone())
                        )
                    }
                    ToolEvent::Result(r) => println!("← {}: {}", r.call.function.name, r.content),
                    _ => {}
                }
                let _ = std::io::stdout().flush();
            })
            .await?;
        println!(
            "\n({} tool rounds, {} replies)",
            run.rounds,
            run.turns.len()
        );
        Ok(())
    })
    .await;
}

//! Streaming chat with the model's reasoning shown apart from its answer.
//!
//! ```sh
//! cargo run -p ollama-hyper --example stream_chat -- [--model gpt-oss:20b] [--prompt TEXT] [--replay]
//! ```
mod common;

use std::io::Write;

use ollama_proto::OwnedEvent;
use ollama_proto::types::{ChatRequest, Message};
use testkit::Reply;
use testkit::conformance::recorded_chat;

const RECORDING: &str = "prism-chat-stream-gptoss-thinking.ndjson";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    common::run(async {
        let request = if setup.replaying() {
            setup.script(Reply::recording(RECORDING));
            recorded_chat(RECORDING)
        } else {
            let prompt = setup
                .arg("prompt")
                .unwrap_or("Why is the sky blue? Answer in two sentences.");
            ChatRequest::new(setup.model("gpt-oss:20b"), vec![Message::user(prompt)]).think(true)
        };
        println!(
            "> {}",
            request.messages.last().map_or("", |m| m.content.as_str())
        );
        let mut stream = setup.client.chat_stream(request).await?;
        let mut out = std::io::stdout();
        let mut section = "";
        while let Some(event) = stream.next_event().await {
            match event? {
                OwnedEvent::Thinking(t) => {
                    if section != "thinking" {
                        section = "thinking";
                        println!("\n--- thinking ---");
                    }
                    print!("{t}");
                }
                OwnedEvent::Content(c) => {
                    if section != "answer" {
                        section = "answer";
                        println!("\n--- answer ---");
                    }
                    print!("{c}");
                }
                OwnedEvent::Done(done) => {
                    let m = &done.metrics;
                    println!(
                        "\n--- done ({}), {} tokens at {:.1} tokens/s ---",
                        done.done_reason.as_ref().map_or("?", |r| r.as_str()),
                        m.eval_count.unwrap_or(0),
                        m.tokens_per_second().unwrap_or(0.0)
                    );
                }
                _ => {}
            }
            let _ = out.flush();
        }
        Ok(())
    })
    .await;
}

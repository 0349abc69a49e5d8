//! Qwen3 with its reasoning on, then off: one intent, and the client picks what this model
//! and this server understand (`think`, or `/no_think` before v0.9, inline tags hidden).
//!
//! ```sh
//! cargo run -p ollama-hyper --example chat_thinking -- [--model qwen3:8b] [--replay [--emulate 0.8.0]]
//! ```
mod common;

use ollama_proto::reasoning::Reasoning;
use ollama_proto::types::{ChatRequest, Message};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    setup.emulate("0.30.0");
    let model = setup.model("qwen3:8b");
    common::run(async {
        for intent in [Reasoning::On, Reasoning::Off] {
            let ask = ChatRequest::new(&model, [Message::user("What is 2 + 2?")]);
            let answer = setup.client.chat(ask.reasoning(intent.clone())).await?;
            let sent = answer.reasoning.and_then(|r| r.think);
            println!("== {intent:?} (sent think: {sent:?})");
            let thinking = answer.message.thinking.unwrap_or_else(|| "(none)".into());
            println!(
                "thinking: {}\nanswer:   {}\n",
                thinking.trim(),
                answer.message.content.trim()
            );
        }
        Ok(())
    })
    .await;
}

//! GPT-OSS, which reasons even when asked not to: hide the reasoning defensively with
//! `ThinkPolicy::Hide`, so only the answer (and tool calls) come out, streamed or not.
//!
//! ```sh
//! cargo run -p ollama-hyper --example chat_gpt_oss -- [--model gpt-oss:20b] [--replay]
//! ```
mod common;

use std::io::Write;

use ollama_proto::OwnedEvent;
use ollama_proto::think::{ThinkConfig, ThinkMode, ThinkPolicy};
use ollama_proto::types::{ChatRequest, Message};
use testkit::Reply;
use testkit::conformance::recorded_chat;

const STREAMED: &str = "prism-chat-stream-gptoss-thinking.ndjson";
const SINGLE: &str = "prism-chat-nonstream-gptoss-thinking.json";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let hide = ThinkConfig::new(ThinkMode::Auto, ThinkPolicy::Hide);
    let setup = common::setup(|b| b.think(hide));
    let model = setup.model("gpt-oss:20b");
    common::run(async {
        let (streamed, single) = if setup.replaying() {
            setup.script(Reply::recording(STREAMED));
            setup.script(Reply::recording(SINGLE));
            (recorded_chat(STREAMED), recorded_chat(SINGLE))
        } else {
            let ask = |q: &str| ChatRequest::new(model.clone(), vec![Message::user(q)]);
            (
                ask("Name three primary colours."),
                ask("What is the capital of France?"),
            )
        };

        println!(
            "> {}",
            streamed.messages.last().map_or("", |m| m.content.as_str())
        );
        let mut stream = setup.client.chat_stream(streamed).await?;
        let mut hidden_thinking = 0;
        while let Some(event) = stream.next_event().await {
            match event? {
                OwnedEvent::Content(c) => print!("{c}"),
                OwnedEvent::Thinking(_) => hidden_thinking += 1, // never happens with Hide
                _ => {}
            }
            let _ = std::io::stdout().flush();
        }
        println!("\n(reasoning events shown: {hidden_thinking})\n");

        println!(
            "> {}",
            single.messages.last().map_or("", |m| m.content.as_str())
        );
        let answer = setup.client.chat(single).await?;
        println!("{}", answer.message.content.trim());
        println!("(thinking kept: {:?})", answer.message.thinking);
        Ok(())
    })
    .await;
}

//! GPT-OSS reasons even when asked not to: `Reasoning::Off` asks for its lowest effort and
//! filters the reasoning out, so only the answer comes out, streamed or not.
//!
//! ```sh
//! cargo run -p ollama-hyper --example chat_gpt_oss -- [--model gpt-oss:20b] [--replay]
//! ```
mod common;

use std::io::Write;

use ollama_proto::OwnedEvent;
use ollama_proto::reasoning::Reasoning;
use ollama_proto::types::{ChatRequest, Message};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    setup.emulate("0.30.0");
    let ask = |q: &str| ChatRequest::new(setup.model("gpt-oss:20b"), [Message::user(q)]);
    common::run(async {
        let mut stream = setup
            .client
            .chat_stream(ask("What is 2 + 2?").reasoning(Reasoning::Off))
            .await?;
        println!("(applied: {:?})", stream.reasoning());
        let mut reasoning_events = 0;
        while let Some(event) = stream.next_event().await {
            match event? {
                OwnedEvent::Content(c) => print!("{c}"),
                OwnedEvent::Thinking(_) => reasoning_events += 1, // never: Off hides it
                _ => {}
            }
            let _ = std::io::stdout().flush();
        }
        println!("\n(reasoning events: {reasoning_events})");
        let answer = setup
            .client
            .chat(ask("And 3 + 3?").reasoning(Reasoning::Off))
            .await?;
        println!(
            "\n{} (thinking kept: {:?})",
            answer.message.content.trim(),
            answer.message.thinking
        );
        Ok(())
    })
    .await;
}

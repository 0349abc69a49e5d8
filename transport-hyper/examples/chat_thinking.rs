//! Qwen3 with thinking on, off, and switched by the `/think` / `/no_think` soft switch.
//!
//! ```sh
//! cargo run -p ollama-hyper --example chat_thinking -- [--model qwen3:8b] [--replay]
//! ```
mod common;

use ollama_proto::types::{ChatRequest, ChatResponse, Message};

const QUESTION: &str = "What is 17 × 3? Answer with the number only.";

fn show(label: &str, answer: &ChatResponse) {
    println!("== {label}");
    match &answer.message.thinking {
        Some(t) => println!("thinking: {}", t.trim()),
        None => println!("thinking: (none)"),
    }
    println!("answer:   {}\n", answer.message.content.trim());
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    let model = setup.model("qwen3:8b");
    common::run(async {
        let ask = || ChatRequest::new(model.clone(), vec![Message::user(QUESTION)]);

        // 1. `think: true`: the server (or the client's splitter, for inline <think> tags)
        //    puts the reasoning in `message.thinking`.
        setup.script(common::chat_lines(
            &model,
            &["17 × 3: 10 × 3 = 30, 7 × 3 = 21, ", "30 + 21 = 51."],
            &["51"],
        ));
        show("think: true", &setup.client.chat(ask().think(true)).await?);

        // 2. `think: false`: no reasoning at all.
        setup.script(common::chat_lines(&model, &[], &["51"]));
        show(
            "think: false",
            &setup.client.chat(ask().think(false)).await?,
        );

        // 3. The Qwen3 soft switch: `/no_think` appended to the message *and* `think` set to
        //    match, which keeps it reliable mid-conversation.
        let soft = ask().qwen3_soft_switch(false);
        println!(
            "(sent: {:?}, think = {:?})",
            soft.messages[0].content, soft.think
        );
        setup.script(common::chat_lines(&model, &[], &["51"]));
        show("soft switch /no_think", &setup.client.chat(soft).await?);
        let soft = ask().qwen3_soft_switch(true);
        setup.script(common::chat_lines(
            &model,
            &["Multiply: 17 × 3 = 51."],
            &["51"],
        ));
        show("soft switch /think", &setup.client.chat(soft).await?);
        Ok(())
    })
    .await;
}

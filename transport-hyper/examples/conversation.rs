//! A three-turn conversation with Qwen3, switching thinking per turn with `/think` and
//! `/no_think`; reasoning is shown but never re-sent, and the history stays within a budget.
//!
//! ```sh
//! cargo run -p ollama-hyper --example conversation -- [--model qwen3:8b] [--replay]
//! ```
mod common;

use ollama_hyper::{Budget, Conversation};
use testkit::{JSON_UTF8, Reply};

const TURNS: [(&str, bool); 3] = [
    ("What is 17 × 23? Think it through.", true),
    ("Now just say it in French.", false),
    ("Is that number prime? Check carefully.", true),
];

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    let model = setup.model("qwen3:8b");
    script(&setup, &model);
    common::run(async {
        let mut chat = Conversation::new(model)
            .system("Be brief.")
            .budget(Budget::messages(20));
        for (question, think) in TURNS {
            chat.push_user(question).soft_switch(think);
            println!(
                "> {}",
                chat.messages.last().map_or("", |m| m.content.as_str())
            );
            let reply = setup.client.send(&mut chat).await?;
            if let Some(thinking) = reply.message.thinking.as_deref() {
                println!("  (thinking: {thinking})");
            }
            println!("{}", reply.message.content);
        }
        println!(
            "({} messages kept, none with reasoning)",
            chat.messages.len()
        );
        Ok(())
    })
    .await;
}

/// `--replay`: Qwen3's answers, with reasoning only on the `/think` turns.
fn script(setup: &common::Setup, model: &str) {
    let answers = [
        (Some("17 × 23 = 17 × 20 + 17 × 3 = 340 + 51 = 391."), "391"),
        (None, "Trois cent quatre-vingt-onze."),
        (
            Some("391 = 17 × 23, so it has divisors other than 1 and itself."),
            "No: 391 = 17 × 23.",
        ),
    ];
    for (thinking, content) in answers {
        let mut message = serde_json::json!({"role": "assistant", "content": content});
        if let Some(t) = thinking {
            message["thinking"] = t.into();
        }
        let body = serde_json::json!({"model": model, "message": message, "done": true, "done_reason": "stop"});
        setup.script(Reply::body(200, JSON_UTF8, body.to_string()));
    }
}

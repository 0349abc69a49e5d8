//! A structured answer into a Rust type: `format` is the type's schema, the answer is decoded
//! into it (a typed error with the raw text if it does not fit).
//!
//! ```sh
//! cargo run -p ollama-hyper --example structured_answer -- [--model glm-5.2] [--replay]
//! ```
mod common;

use ollama_hyper::{ChatRequest, JsonSchema, Message, schemars};
use serde::Deserialize;
use testkit::Reply;

#[derive(Deserialize, JsonSchema)]
struct Capital {
    capital: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    // `--replay` serves the recorded glm-5.2 answer to this question.
    setup.script(Reply::recording(
        "lcg-cloud-chat-nonstream-glm-format-schema.json",
    ));
    common::run(async {
        let question =
            "Reply with ONLY a JSON object (no prose, no markdown) giving the capital of France.";
        println!("> {question}");
        let request = ChatRequest::new(setup.model("glm-5.2"), [Message::user(question)]);
        let answer: Capital = setup.client.chat_structured(request).await?;
        println!("capital: {}", answer.capital);
        Ok(())
    })
    .await;
}

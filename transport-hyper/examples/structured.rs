//! Structured output: a JSON schema in `format`, and the answer parsed as that JSON.
//!
//! ```sh
//! cargo run -p ollama-hyper --example structured -- [--model gemma3:1b] [--replay]
//! ```
mod common;

use ollama_proto::types::{ChatRequest, Format, Message, Options};
use serde_json::{Value, json};
use testkit::Reply;

const RECORDING: &str = "lcg-chat-stream-gemma3-format-schema.ndjson";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    common::run(async {
        let schema = json!({"type": "object", "properties": {"feet": {"type": "number"}}, "required": ["feet"]});
        let question = "How many feet are in a nautical mile? Respond with JSON containing the answer.";
        let request = ChatRequest::new(setup.model("gemma3:1b"), vec![Message::user(question)])
            .format(Format::Schema(schema))
            .options(Options::default().temperature(0.0));
        setup.script(Reply::recording(RECORDING));
        println!("> {question}");
        let answer = setup.client.chat_stream(request).await?.collect_chat().await?;
        println!("raw: {}", answer.message.content.trim());
        match serde_json::from_str::<Value>(&answer.message.content) {
            Ok(v) => println!("feet = {}", v["feet"]),
            Err(e) => println!("the model did not return valid JSON: {e}"),
        }
        Ok(())
    })
    .await;
}

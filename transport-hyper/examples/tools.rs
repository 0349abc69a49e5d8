//! A tool-calling round trip: the model asks for tools, we run them, send the results back as
//! `tool` messages, and the model answers (here with Qwen3, parallel calls, `<think>` split).
//!
//! ```sh
//! cargo run -p ollama-hyper --example tools -- [--model qwen3:14b] [--replay]
//! ```
mod common;

use ollama_proto::types::{ChatRequest, Message, Tool, ToolCall};
use serde_json::json;
use testkit::Reply;

/// Our "tools": plain functions.
fn run_tool(call: &ToolCall) -> String {
    let args = &call.function.arguments;
    match call.function.name.as_str() {
        "weather" => format!(
            "75° and sunny in {}",
            args.get("city").and_then(|v| v.as_str()).unwrap_or("?")
        ),
        "search" => "The Detroit Tigers play at 3pm today.".to_owned(),
        other => format!("unknown tool {other}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    let model = setup.model("qwen3:14b");
    common::run(async {
        let tools = [
            Tool::function(
                "weather",
                "Current weather in a city",
                json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
            ),
            Tool::function(
                "search",
                "Search the web",
                json!({"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}),
            ),
        ];
        let question = "What time is the Tigers game today in Detroit, and should I wear a coat?";
        let mut request = ChatRequest::new(model.clone(), vec![Message::user(question)]).tools(tools);
        println!("> {question}");

        // 1. The model asks for tool calls.
        setup.script(Reply::recording("prism-chat-stream-qwen3-parallel-toolcalls.ndjson"));
        let first = setup.client.chat_stream(request.clone()).await?.collect_chat().await?;
        let calls = first.message.tool_calls.clone();
        request.messages.push(first.message);

        // 2. We run them and answer with one `tool` message each.
        for call in &calls {
            let result = run_tool(call);
            println!("tool {}({}) → {result}", call.function.name, serde_json::Value::Object(call.function.arguments.clone()));
            request.messages.push(Message::tool_result(call, result));
        }

        // 3. The model answers with the results (its <think> block split off by the client).
        setup.script(Reply::recording("prism-chat-qwen3-think-tags-in-content.ndjson"));
        let answer = setup.client.chat_stream(request).await?.collect_chat().await?;
        if let Some(thinking) = &answer.message.thinking {
            println!("(thought for {} chars)", thinking.len());
        }
        println!("{}", answer.message.content.trim());
        Ok(())
    })
    .await;
}

//! Tracing and metrics: every request is an `ollama_request` span in the OpenTelemetry GenAI
//! conventions (operation, model, usage, finish reason, time to first chunk, tokens/s; see
//! `ollama_proto::telemetry`), printed here when the span closes. `otlp_export` sends the same
//! spans to an OpenTelemetry collector.
//!
//! ```sh
//! RUST_LOG is not read; this example logs at INFO.
//! cargo run -p ollama-hyper --example logged_chat -- [--model gemma3:1b] [--replay]
//! ```
mod common;

use ollama_proto::types::{ChatRequest, Message};
use testkit::Reply;
use testkit::conformance::recorded_chat;
use tracing_subscriber::fmt::format::FmtSpan;

const COUNT: &str = "lcg-chat-stream-gemma3-count.ndjson";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing_subscriber::fmt()
        .with_span_events(FmtSpan::CLOSE)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let setup = common::setup(|b| b);
    common::run(async {
        let request = if setup.replaying() {
            setup.script(Reply::recording(COUNT));
            recorded_chat(COUNT)
        } else {
            ChatRequest::new(
                setup.model("gemma3:1b"),
                vec![Message::user("Count from 1 to 10.")],
            )
        };
        let answer = setup
            .client
            .chat_stream(request)
            .await?
            .collect_chat()
            .await?;
        let m = &answer.metrics;
        println!("answer: {}", answer.message.content.trim());
        println!(
            "metrics: prompt {} tokens ({:.1}/s), answer {} tokens ({:.1}/s), total {:?}",
            m.prompt_eval_count.unwrap_or(0),
            m.prompt_tokens_per_second().unwrap_or(0.0),
            m.eval_count.unwrap_or(0),
            m.tokens_per_second().unwrap_or(0.0),
            m.total_duration.unwrap_or_default(),
        );
        Ok(())
    })
    .await;
}

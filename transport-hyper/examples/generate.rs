//! `/api/generate` with Qwen3 (reasoning in inline `<think>` tags, split by the client's
//! default `Auto` mode) and with GPT-OSS (reasoning in the server's `thinking` field).
//!
//! ```sh
//! cargo run -p ollama-hyper --example generate -- [--replay]
//! ```
mod common;

use ollama_proto::types::GenerateRequest;
use testkit::Reply;
use testkit::conformance::recorded;

const QWEN3: &str = "atg-raw-generate-stream-qwen3-1.7b-think-tags.ndjson";
const GPT_OSS: &str = "atg-generate-stream-gptoss20b-thinking-cloud.ndjson";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    common::run(async {
        let requests: Vec<GenerateRequest> = if setup.replaying() {
            setup.script(Reply::recording(QWEN3));
            setup.script(Reply::recording(GPT_OSS));
            vec![recorded(QWEN3), recorded(GPT_OSS)]
        } else {
            vec![
                GenerateRequest::new("qwen3:1.7b", "Describe a rabbit in 2 short sentences"),
                GenerateRequest::new("gpt-oss:20b", "Describe a rabbit in 2 short sentences")
                    .think(true),
            ]
        };
        for request in requests {
            println!("== {} > {}", request.model, request.prompt);
            let answer = setup
                .client
                .generate_stream(request)
                .await?
                .collect_generate()
                .await?;
            let thinking = answer.thinking.as_deref().unwrap_or("").trim();
            println!(
                "thinking ({} chars): {}…",
                thinking.len(),
                thinking.chars().take(100).collect::<String>()
            );
            println!("answer: {}", answer.response.trim());
            println!(
                "tokens/s: {:.1}\n",
                answer.metrics.tokens_per_second().unwrap_or(0.0)
            );
        }
        Ok(())
    })
    .await;
}

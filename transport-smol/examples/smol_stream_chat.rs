//! Streaming chat with the model's thinking shown apart from its answer.
//!
//! ```text
//! cargo run -p ollama-smol --example smol_stream_chat -- [--replay] [MODEL] [PROMPT]
//! ```
//!
//! `--replay` answers from an in-process testkit server with the recorded gpt-oss thinking
//! stream (`prism-chat-stream-gptoss-thinking.ndjson`); otherwise the server at `OLLAMA_HOST`
//! (default `127.0.0.1:11434`) is used.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::io::Write;
use std::process::ExitCode;

use ollama_proto::types::{ChatRequest, Message};
use ollama_proto::{ClientConfig, OwnedEvent};
use ollama_smol::{Client, Error};

const RECORDING: &str = "prism-chat-stream-gptoss-thinking.ndjson";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let replay = args.iter().any(|a| a == "--replay");
    args.retain(|a| a != "--replay");

    // Kept alive for the whole run when replaying.
    let server = replay.then(testkit::TestServer::start);
    let (config, request) = match &server {
        Some(server) => (
            testkit::conformance::config_for(server),
            testkit::conformance::recorded_chat(RECORDING),
        ),
        None => {
            let model = args
                .first()
                .cloned()
                .unwrap_or_else(|| "gpt-oss:20b".to_owned());
            let prompt = args
                .get(1)
                .cloned()
                .unwrap_or_else(|| "Why is the sky blue? One paragraph.".to_owned());
            (
                common::config_from_env(),
                ChatRequest::new(model, vec![Message::user(prompt)]),
            )
        }
    };
    let base = config.request.base_url.to_string();
    common::exit_code(&base, smol_main(config, request), false)
}

fn smol_main(config: ClientConfig, request: ChatRequest) -> Result<(), Error> {
    async_io::block_on(async {
        let client = Client::new(config)?;
        let mut stream = client.chat_stream(request).await?;
        let mut out = std::io::stdout().lock();
        let mut section = "";
        while let Some(event) = stream.next_event().await {
            let (heading, text) = match event? {
                OwnedEvent::Thinking(t) => ("thinking", t),
                OwnedEvent::Content(c) => ("answer", c),
                OwnedEvent::ToolCalls(calls) => ("tool calls", format!("{calls:?}")),
                OwnedEvent::Done(done) => {
                    let m = &done.metrics;
                    let _ = writeln!(
                        out,
                        "\n\n[done: {} tokens{}]",
                        m.eval_count.unwrap_or(0),
                        m.tokens_per_second()
                            .map(|t| format!(", {t:.1} tokens/s"))
                            .unwrap_or_default()
                    );
                    continue;
                }
                _ => continue,
            };
            if section != heading {
                let gap = if section.is_empty() { "" } else { "\n\n" };
                let _ = writeln!(out, "{gap}── {heading} ──");
                section = heading;
            }
            let _ = write!(out, "{text}");
            let _ = out.flush();
        }
        Ok(())
    })
}

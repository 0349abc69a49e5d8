//! Streaming chat on a plain thread, the model's thinking apart from its answer (thinking
//! dimmed on stderr, the answer on stdout): the stream is an `Iterator`.
//!
//! ```text
//! cargo run -p ollama-blocking --example blocking_stream_chat -- [--replay] [MODEL] [PROMPT]
//! ```
//!
//! `--replay` answers from an in-process testkit server with the recorded gpt-oss thinking
//! stream (`prism-chat-stream-gptoss-thinking.ndjson`); otherwise the server at `OLLAMA_HOST`
//! (default `127.0.0.1:11434`) is used.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use ollama_blocking::{ChatRequest, Client, Error, Message, OwnedEvent};

const RECORDING: &str = "prism-chat-stream-gptoss-thinking.ndjson";

fn main() -> Result<(), Error> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let replay = args.iter().any(|a| a == "--replay");
    args.retain(|a| a != "--replay");
    // Kept alive for the whole run when replaying.
    let server = replay.then(testkit::TestServer::start);
    let (client, request) = match &server {
        Some(server) => (
            Client::new(testkit::conformance::config_for(server))?,
            testkit::conformance::recorded_chat(RECORDING),
        ),
        None => {
            let model = args.first().map_or("gpt-oss:20b", String::as_str);
            let prompt = args.get(1).map_or("Why is the sky blue?", String::as_str);
            (
                Client::from_env()?, // OLLAMA_HOST, OLLAMA_API_KEY
                ChatRequest::new(model, [Message::user(prompt)]).think(true),
            )
        }
    };
    // Thinking goes to stderr, dimmed; the answer to stdout (so `> answer.txt` keeps only it).
    for event in client.chat_stream(request)? {
        match event? {
            OwnedEvent::Thinking(t) => eprint!("\x1b[2m{t}\x1b[0m"),
            OwnedEvent::Content(c) => {
                print!("{c}");
                let _ = std::io::stdout().flush();
            }
            OwnedEvent::Done(done) => {
                let tokens = done.metrics.eval_count.unwrap_or(0);
                println!("\n[done: {tokens} tokens]");
            }
            _ => {}
        }
    }
    Ok(())
}

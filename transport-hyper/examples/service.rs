//! A long-lived service: one client (one connection pool), cloned into concurrent tasks.
//!
//! ```sh
//! cargo run -p ollama-hyper --example service -- [--model gemma3:1b] [--replay]
//! ```
mod common;

use std::time::{Duration, Instant};

use ollama_hyper::{Client, Error};
use ollama_proto::types::ChatRequest;
use testkit::conformance::recorded_chat;

/// Recorded gemma3 chats: under `--replay` the server answers each with its recording.
const RECORDINGS: [&str; 4] = [
    "lcg-chat-stream-gemma3-hello.ndjson",
    "lcg-chat-stream-gemma3-count.ndjson",
    "lcg-chat-stream-gemma3-after-pull.ndjson",
    "lcg-chat-stream-gemma3-nautical-long.ndjson",
];

/// One request of the service: a streamed chat, collected.
async fn handle(client: Client, id: usize, request: ChatRequest) -> String {
    let started = Instant::now();
    let answer = async { client.chat_stream(request).await?.collect_chat().await };
    let answer: Result<_, Error> = answer.await;
    match answer {
        Ok(answer) => {
            let text: String = answer
                .message
                .content
                .trim()
                .replace("\n", " ")
                .chars()
                .take(60)
                .collect();
            format!("[{id}] {:>5} ms  {text}…", started.elapsed().as_millis())
        }
        Err(e) => format!("[{id}] error: {}", common::one_line(&e)),
    }
}

#[tokio::main]
async fn main() {
    let setup = common::setup(|b| b.idle_timeout(Duration::from_secs(120)));
    let model = setup.model("gemma3:1b");
    let requests: Vec<ChatRequest> = RECORDINGS
        .iter()
        .map(|name| {
            // The recorded prompts, sent the same way to a real server.
            let mut request = recorded_chat(name);
            request.model = model.clone();
            if !setup.replaying() {
                request.options = None;
            }
            request
        })
        .collect();
    for round in 1..=2 {
        println!(
            "round {round}: {} concurrent requests on one client",
            requests.len()
        );
        let tasks: Vec<_> = requests
            .iter()
            .enumerate()
            .map(|(id, r)| tokio::spawn(handle(setup.client.clone(), id, r.clone())))
            .collect();
        for task in tasks {
            match task.await {
                Ok(line) => println!("{line}"),
                Err(e) => println!("task failed: {e}"),
            }
        }
    }
    if let Some(server) = &setup.replay {
        println!(
            "{} requests over {} connections (the second round reused the pool)",
            server.requests().len(),
            server.connections_accepted()
        );
    }
}

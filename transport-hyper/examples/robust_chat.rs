//! Timeouts and typed errors: each failure an application should expect, told apart.
//!
//! Under `--replay` the test server plays one fault per attempt: an unknown model, a server
//! that stalls mid-answer, a runner crash mid-stream, a slow model load, then a good answer.
//!
//! ```sh
//! cargo run -p ollama-hyper --example robust_chat -- [--model gemma3:1b] [--replay]
//! ```
mod common;

use std::time::Duration;

use ollama_hyper::{Client, Error};
use ollama_proto::Error as Protocol;
use ollama_proto::retry::RetryPolicy;
use ollama_proto::types::{ChatRequest, Message};
use testkit::Reply;

const HELLO: &str = "lcg-chat-stream-gemma3-hello.ndjson";

/// One chat, every outcome spelled out.
async fn attempt(client: &Client, request: ChatRequest) {
    let result = async { client.chat_stream(request).await?.collect_chat().await }.await;
    match result {
        Ok(answer) => println!("ok: {}", answer.message.content.trim()),
        Err(Error::Timeout(t)) => println!(
            "timeout: the {} limit of {:?} passed",
            t.kind.as_str(),
            t.limit
        ),
        Err(Error::Connect(e)) => println!("connect: nothing reached the server ({e})"),
        Err(Error::Io(e)) => println!("io: the connection broke ({e})"),
        Err(Error::Protocol(Protocol::Status(s))) => {
            println!("status: HTTP {} says {:?}", s.status, s.message)
        }
        Err(Error::Protocol(Protocol::Unauthorized(s))) => {
            println!(
                "unauthorized: sign in at {}",
                s.signin_url.as_deref().unwrap_or("?")
            )
        }
        Err(Error::Protocol(Protocol::Server { message, at, .. })) => {
            println!("server failed mid-answer at {at}: {message}")
        }
        Err(Error::Protocol(Protocol::Truncated { lines, .. })) => {
            println!("truncated: the answer ended after {lines} lines without `done`")
        }
        Err(other) => println!("other ({}): {other}", other.kind_str()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| {
        b.connect_timeout(Duration::from_secs(3))
            .response_head_timeout(Duration::from_millis(800))
            .idle_timeout(Duration::from_millis(500))
            .retry(RetryPolicy::retries(2).initial_backoff(Duration::from_millis(100)))
    });
    let model = setup.model("gemma3:1b");
    let ask = || ChatRequest::new(model.clone(), vec![Message::user("Hello, how are you?")]);
    if setup.replaying() {
        setup.script(Reply::status_json(
            404,
            "model 'gemma3:1b' not found, try pulling it first",
        ));
        setup.script(Reply::recording(HELLO).stall_after_lines(3, Duration::from_secs(5)));
        setup.script(Reply::recording(HELLO).error_line_after(
            4,
            "an error was encountered while running the model: CUDA error",
        ));
        setup.script(Reply::recording(HELLO).delay_before_head(Duration::from_secs(2)));
        setup.script(Reply::status_json(503, "server busy, please try again").retry_after(1));
        setup.script(Reply::recording(HELLO));
        let scripted = [
            "unknown model",
            "server stalls after 3 lines",
            "runner crashes after 4 lines",
            "model loads for 2 s",
            "503 with Retry-After: 1, then an answer",
        ];
        for what in scripted {
            print!("{what:<42} → ");
            attempt(&setup.client, ask()).await;
        }
    } else {
        attempt(&setup.client, ask()).await;
        attempt(
            &setup.client,
            ChatRequest::new("no-such-model:404", vec![Message::user("hi")]),
        )
        .await;
    }
}

//! README's "Test your app without a model": a test against `ollama-standin`, as written there.
#![allow(clippy::unwrap_used)]

use ollama_blocking::{ChatRequest, Client, ClientConfig, Message};
use ollama_standin::{Model, Reply, Server};

#[test]
fn answers_and_survives_a_busy_server() {
    let server = Server::builder()
        .model(Model::text("qwen3:8b", "Paris."))
        .start()
        .unwrap();
    server.push_reply(Reply::status_json(503, "busy").retry_after(1)); // the first call fails
    let client = Client::new(ClientConfig::new(server.url().parse().unwrap())).unwrap();
    let ask = || {
        client.chat(ChatRequest::new(
            "qwen3:8b",
            [Message::user("Capital of France?")],
        ))
    };
    assert!(ask().is_err());
    assert_eq!(ask().unwrap().message.content, "Paris.");
    assert_eq!(
        server.requests()[1].json().unwrap()["messages"][0]["content"],
        "Capital of France?"
    );
}

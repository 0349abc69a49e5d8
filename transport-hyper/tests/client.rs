//! Behaviour specific to this crate's API (the shared behaviour is in `conformance.rs`).
#![allow(clippy::unwrap_used)]

use ollama_hyper::{Client, Error};
use ollama_proto::think::{ThinkConfig, ThinkMode, ThinkPolicy};
use ollama_proto::{CallOptions, OwnedEvent};
use testkit::conformance::recorded_chat;
use testkit::{Reply, TestServer};

const GPT_OSS: &str = "prism-chat-stream-gptoss-thinking.ndjson";

fn client_for(server: &TestServer) -> Client {
    Client::builder().base_url(server.url()).build().unwrap()
}

#[tokio::test]
async fn per_call_think_shares_the_pool_and_changes_the_split() {
    let server = TestServer::start();
    let client = client_for(&server);
    let think = ThinkConfig::new(ThinkMode::Auto, ThinkPolicy::Hide);
    let hidden = client.with_options(CallOptions::new().think(think));
    assert_eq!(hidden.config().decoder.think.policy, ThinkPolicy::Hide);

    server.push_reply(Reply::recording(GPT_OSS));
    let shown = client
        .chat_stream(recorded_chat(GPT_OSS))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    server.push_reply(Reply::recording(GPT_OSS));
    let mut stream = hidden.chat_stream(recorded_chat(GPT_OSS)).await.unwrap();
    let mut thinking_events = 0;
    let mut content = String::new();
    while let Some(event) = stream.next_event().await {
        match event.unwrap() {
            OwnedEvent::Thinking(_) => thinking_events += 1,
            OwnedEvent::Content(c) => content.push_str(&c),
            _ => {}
        }
    }
    assert!(!shown.thinking().is_empty());
    assert_eq!(thinking_events, 0);
    assert_eq!(content, shown.content());
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn the_key_never_shows() {
    let client = Client::builder().api_key("sk-very-secret").build().unwrap();
    let shown = format!("{client:?} {:?}", client.config());
    assert!(!shown.contains("sk-very-secret"), "{shown}");
}

#[tokio::test]
async fn https_to_a_closed_port_is_connect() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .base_url(format!("https://127.0.0.1:{port}").as_str())
        .build()
        .unwrap();
    let err = client.version().await.unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot connect to https://127.0.0.1:{port}")),
        "{err}"
    );
}

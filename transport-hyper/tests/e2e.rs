//! Against a real Ollama: runs only with `OLLAMA_E2E=1` (server from `OLLAMA_HOST`, model from
//! `OLLAMA_E2E_MODEL`, default `gemma3:1b`, which must be pulled already).
//!
//! ```sh
//! OLLAMA_E2E=1 OLLAMA_HOST=127.0.0.1:11434 cargo test -p ollama-hyper --test e2e -- --nocapture
//! ```
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use ollama_hyper::Client;
use ollama_proto::OwnedEvent;
use ollama_proto::types::{ChatRequest, Message, Options};

fn enabled() -> bool {
    if std::env::var("OLLAMA_E2E").is_ok_and(|v| v == "1") {
        return true;
    }
    println!("skipped: set OLLAMA_E2E=1 (and OLLAMA_HOST) to run against a real Ollama");
    false
}

fn model() -> String {
    std::env::var("OLLAMA_E2E_MODEL").unwrap_or_else(|_| "gemma3:1b".to_owned())
}

fn client() -> Client {
    let builder =
        ollama_hyper::ClientBuilder::from_config(ollama_proto::ClientConfig::from_env().unwrap());
    builder
        .connect_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

fn ask() -> ChatRequest {
    ChatRequest::new(model(), vec![Message::user("Say hello in five words.")])
        .options(Options::default().temperature(0.0).num_predict(20))
}

#[tokio::test]
async fn version_models_and_a_streamed_chat() {
    if !enabled() {
        return;
    }
    let client = client();
    let version = client.version().await.unwrap();
    println!("server {}", version.version);
    let models = client.list_models().await.unwrap();
    assert!(
        models
            .models
            .iter()
            .any(|m| m.name == model() || m.model == model()),
        "pull {} first",
        model()
    );
    let answer = client
        .chat_stream(ask())
        .await
        .unwrap()
        .collect_chat()
        .await
        .unwrap();
    assert!(answer.done);
    assert!(!answer.message.content.is_empty());
    println!(
        "{} ({:?} tokens/s)",
        answer.message.content,
        answer.metrics.tokens_per_second()
    );
    let single = client.chat(ask()).await.unwrap();
    assert!(!single.message.content.is_empty());
}

#[tokio::test]
async fn dropping_a_stream_cancels_it() {
    if !enabled() {
        return;
    }
    let client = client();
    let long = ChatRequest::new(
        model(),
        vec![Message::user("Write a long story about the sea.")],
    );
    let mut stream = client.chat_stream(long).await.unwrap();
    let mut seen = 0;
    while let Some(event) = stream.next_event().await {
        if let OwnedEvent::Content(_) = event.unwrap() {
            seen += 1;
        }
        if seen == 5 {
            break;
        }
    }
    drop(stream);
    // The server stopped that generation: the next call is answered promptly.
    let answer = tokio::time::timeout(Duration::from_secs(60), client.chat(ask())).await;
    assert!(answer.unwrap().is_ok());
}

#[tokio::test]
async fn unknown_model_is_a_404() {
    if !enabled() {
        return;
    }
    let err = client()
        .chat(ChatRequest::new(
            "no-such-model-e2e:404",
            vec![Message::user("hi")],
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.status), Some(404), "{err}");
}

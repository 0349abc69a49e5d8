//! Glue shared by the examples: arguments, `--replay`, and one-line error messages.
//!
//! Every example talks to `OLLAMA_HOST` (default `http://127.0.0.1:11434`, plus
//! `OLLAMA_API_KEY` when set). With `--replay` it starts an in-process `testkit::TestServer`
//! that answers from recorded Ollama responses (or scripted ones), so it runs without Ollama.
#![allow(dead_code, unreachable_pub)] // each example uses part of this; `pub` is for readability

use std::io::Write;

use ollama_hyper::{Client, ClientBuilder, Error};
use ollama_proto::ClientConfig;
use ollama_proto::host::Environment;
use testkit::{Reply, TestServer};

/// What an example runs against.
pub struct Setup {
    /// A client for the server (real or replay).
    pub client: Client,
    /// The replay server, kept alive for the example's lifetime.
    pub replay: Option<TestServer>,
    /// The other command-line arguments.
    pub args: Vec<String>,
}

impl Setup {
    /// `true` under `--replay`.
    pub fn replaying(&self) -> bool {
        self.replay.is_some()
    }

    /// The value after `--name`, if given.
    pub fn arg(&self, name: &str) -> Option<&str> {
        let flag = format!("--{name}");
        let at = self.args.iter().position(|a| *a == flag)?;
        self.args.get(at + 1).map(String::as_str)
    }

    /// `--model NAME`, else `default`.
    pub fn model(&self, default: &str) -> String {
        self.arg("model").unwrap_or(default).to_owned()
    }

    /// Under `--replay`, answers as an emulated Ollama of `--emulate VERSION` (else `default`)
    /// with qwen3, deepseek-r1, gpt-oss and gemma3 (`testkit::thinking_emulation`).
    pub fn emulate(&self, default: &str) {
        if let Some(server) = &self.replay {
            let version = self.arg("emulate").unwrap_or(default);
            server.emulate(testkit::thinking_emulation::Emulation::new(version));
        }
    }

    /// Queues a reply on the replay server (no-op against a real server).
    pub fn script(&self, reply: Reply) {
        if let Some(server) = &self.replay {
            server.push_reply(reply);
        }
    }
}

/// Reads the arguments, starts the replay server under `--replay`, and builds a client from
/// the environment (or pointing at the replay server), adjusted by `configure`.
pub fn setup(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Setup {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let replay = if let Some(at) = args.iter().position(|a| a == "--replay") {
        args.remove(at);
        Some(TestServer::start())
    } else {
        None
    };
    let env = match &replay {
        Some(server) => Environment::from_vars(Some(&server.url()), None),
        None => Environment::from_env(),
    };
    let config = ClientConfig::from_environment(&env.unwrap_or_else(|e| fail(&e.into())));
    let client = configure(ClientBuilder::from_config(config))
        .build()
        .unwrap_or_else(|e| fail(&e));
    if replay.is_some() {
        eprintln!("(replaying recorded Ollama answers from an in-process test server)");
    }
    Setup {
        client,
        replay,
        args,
    }
}

/// Prints `error: …` on one line and exits with status 1.
pub fn fail(error: &Error) -> ! {
    let _ = std::io::stdout().flush();
    eprintln!("\nerror: {}", one_line(error));
    std::process::exit(1)
}

/// The message for an error, with a hint when no server answers.
pub fn one_line(error: &Error) -> String {
    match error {
        Error::Connect(_) => {
            let host = Environment::from_env().map(|env| env.base_url.to_string());
            let host = host.as_deref().unwrap_or("OLLAMA_HOST");
            format!("cannot connect to Ollama at {host} (is it running? try --replay)")
        }
        Error::Protocol(p) if p.status().is_some_and(|s| s.status == 404) => {
            format!("{error} (pull the model first: `ollama pull <model>`)")
        }
        other => other.to_string(),
    }
}

/// Runs `body` and turns an error into the one-line message.
pub async fn run<F: Future<Output = Result<(), Error>>>(body: F) {
    if let Err(e) = body.await {
        fail(&e);
    }
}

/// A scripted NDJSON chat stream: optional thinking pieces, then content pieces, then `done`.
pub fn chat_lines(model: &str, thinking: &[&str], content: &[&str]) -> Reply {
    let mut lines = Vec::new();
    let line = |thinking: &str, content: &str| {
        let mut message = serde_json::json!({"role": "assistant", "content": content});
        if !thinking.is_empty() {
            message["thinking"] = thinking.into();
        }
        serde_json::json!({
            "model": model,
            "created_at": "2025-08-01T10:00:00Z",
            "message": message,
            "done": false,
        })
    };
    for t in thinking {
        lines.push(line(t, ""));
    }
    for c in content {
        lines.push(line("", c));
    }
    lines.push(serde_json::json!({
        "model": model,
        "created_at": "2025-08-01T10:00:01Z",
        "message": {"role": "assistant", "content": ""},
        "done": true,
        "done_reason": "stop",
        "prompt_eval_count": 18,
        "eval_count": thinking.len() + content.len(),
        "eval_duration": 250_000_000u64,
    }));
    Reply::ndjson(lines)
}

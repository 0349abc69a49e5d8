//! Pulls a model with a plain-text progress bar.
//!
//! ```text
//! cargo run -p ollama-smol --example smol_pull -- [--replay] [MODEL]
//! ```
//!
//! `--replay` answers from an in-process testkit server with the recorded pull
//! (`lcg-pull-stream-gemma3.ndjson`); otherwise the server at `OLLAMA_HOST` (default
//! `127.0.0.1:11434`) is used.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::io::Write;
use std::process::ExitCode;

use ollama_proto::types::PullRequest;
use ollama_proto::{ClientConfig, OwnedEvent, OwnedProgress};
use ollama_smol::{Client, Error};

const RECORDING: &str = "lcg-pull-stream-gemma3.ndjson";
const WIDTH: usize = 30;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let replay = args.iter().any(|a| a == "--replay");
    args.retain(|a| a != "--replay");

    let server = replay.then(testkit::TestServer::start);
    let (config, model) = match &server {
        Some(server) => {
            let request = testkit::Recording::load(RECORDING).request;
            let model = request
                .as_ref()
                .and_then(|r| r["model"].as_str())
                .unwrap_or("gemma3:1b")
                .to_owned();
            (testkit::conformance::config_for(server), model)
        }
        None => (
            common::config_from_env(),
            args.first()
                .cloned()
                .unwrap_or_else(|| "gemma3:1b".to_owned()),
        ),
    };
    let base = config.request.base_url.to_string();
    common::exit_code(&base, pull(config, &model), true)
}

fn pull(config: ClientConfig, model: &str) -> Result<(), Error> {
    async_io::block_on(async {
        let client = Client::new(config)?;
        let mut stream = client.pull_stream(PullRequest::new(model)).await?;
        let mut out = std::io::stdout().lock();
        let mut last_status = String::new();
        while let Some(event) = stream.next_event().await {
            match event? {
                OwnedEvent::Progress(p) => {
                    // One line per status; a bar for layers with a size.
                    if p.status != last_status && !last_status.is_empty() {
                        let _ = writeln!(out);
                    }
                    let _ = write!(out, "\r{}", line(&p));
                    let _ = out.flush();
                    last_status = p.status;
                }
                OwnedEvent::Done(_) => {
                    let _ = writeln!(out, "\npulled {model}");
                }
                _ => {}
            }
        }
        Ok(())
    })
}

fn line(p: &OwnedProgress) -> String {
    match (p.fraction(), p.total) {
        (Some(f), Some(total)) => {
            let filled = ((f * WIDTH as f64).round() as usize).min(WIDTH);
            format!(
                "{:<24} [{}{}] {:>3.0}% {}/{}",
                p.status,
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                f * 100.0,
                size(p.completed.unwrap_or(0)),
                size(total)
            )
        }
        _ => p.status.clone(),
    }
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

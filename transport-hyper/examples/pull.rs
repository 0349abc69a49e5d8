//! Pulling a model with a progress bar drawn in plain text.
//!
//! ```sh
//! cargo run -p ollama-hyper --example pull -- [--model gemma3:1b] [--replay]
//! ```
mod common;

use std::io::Write;
use std::time::Duration;

use ollama_proto::OwnedEvent;
use ollama_proto::types::PullRequest;
use testkit::Reply;

const WIDTH: usize = 30;

fn bar(fraction: f64) -> String {
    let filled = ((fraction * WIDTH as f64).round() as usize).min(WIDTH);
    format!(
        "[{}{}] {:>5.1}%",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        fraction * 100.0
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b.idle_timeout(Duration::from_secs(300)));
    common::run(async {
        let model = setup.model("gemma3:1b");
        // Slowed down so the bar is visible.
        setup.script(
            Reply::recording("lcg-pull-stream-gemma3.ndjson")
                .delay_between_writes(Duration::from_millis(150)),
        );
        println!("pulling {model}");
        let mut stream = setup.client.pull_stream(PullRequest::new(model)).await?;
        let mut out = std::io::stdout();
        let mut last_status = String::new();
        while let Some(event) = stream.next_event().await {
            match event? {
                OwnedEvent::Progress(p) => {
                    let line = match p.fraction() {
                        Some(f) => format!("{:<22} {}", p.status, bar(f)),
                        None => p.status.clone(),
                    };
                    // A new status starts a new line; the same status redraws in place.
                    if p.status != last_status && !last_status.is_empty() {
                        println!();
                    }
                    print!("\r{line:<70}");
                    last_status = p.status;
                }
                OwnedEvent::Done(_) => println!("\ndone"),
                _ => {}
            }
            let _ = out.flush();
        }
        Ok(())
    })
    .await;
}

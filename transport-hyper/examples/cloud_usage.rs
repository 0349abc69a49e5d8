//! Your ollama.com account: the balance left (credits, or a legacy plan's session and weekly
//! windows) and the requests of the last 24 hours. Needs `OLLAMA_API_KEY`; the calls go to
//! `https://ollama.com` only. Under `--replay` the stand-in answers with the documented
//! examples (the client opts in to sending account calls to it).
//!
//! ```sh
//! OLLAMA_API_KEY=… cargo run -p ollama-hyper --example cloud_usage -- [--replay]
//! ```
mod common;

use ollama_hyper::{GetUsage, PlanKind, UsageRange};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let replay = std::env::args().any(|a| a == "--replay");
    let setup = common::setup(|b| {
        if replay {
            b.relay_account_calls(true).api_key("replay-key")
        } else {
            b.base_url("https://ollama.com")
        }
    });
    common::run(async {
        let balance = setup.client.balance().await?;
        if let Some(included) = &balance.included {
            match included.plan() {
                PlanKind::Credits => println!(
                    "included: ${} of ${} left until {}",
                    included.balance_usd.unwrap_or_default(),
                    included.allowance_usd.unwrap_or_default(),
                    included
                        .period
                        .as_ref()
                        .and_then(|p| p.until.as_deref())
                        .unwrap_or("?"),
                ),
                PlanKind::Windows => {
                    for (name, window) in
                        [("session", &included.session), ("weekly", &included.weekly)]
                    {
                        if let Some(w) = window {
                            println!(
                                "{name}: {}% left, resets {}",
                                w.remaining_percent.unwrap_or_default(),
                                w.resets_at.as_deref().unwrap_or("?")
                            );
                        }
                    }
                }
                _ => println!("included: a balance shape this client does not know"),
            }
        }
        if let Some(purchased) = balance.purchased.as_ref().and_then(|p| p.balance_usd) {
            println!("purchased: ${purchased} left");
        }
        let usage = setup
            .client
            .usage(GetUsage::new().range(UsageRange::Last24Hours))
            .await?;
        for bucket in usage
            .buckets
            .iter()
            .filter(|b| b.counts.request_count > Some(0))
        {
            let partial = if bucket.partial { " (so far)" } else { "" };
            println!(
                "{}: {} requests, ${:.4}{partial}",
                bucket.from.as_deref().unwrap_or("?"),
                bucket.counts.request_count.unwrap_or_default(),
                bucket.counts.usage_usd.unwrap_or_default(),
            );
        }
        Ok(())
    })
    .await;
}

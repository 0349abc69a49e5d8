//! Configuration from the environment: `OLLAMA_HOST` (parsed like the official clients,
//! `0.0.0.0` becoming loopback) and `OLLAMA_API_KEY` (sent as a bearer token, never printed).
//!
//! ```sh
//! OLLAMA_HOST=0.0.0.0:11434 cargo run -p ollama-hyper --example from_env
//! cargo run -p ollama-hyper --example from_env -- --replay
//! ```
mod common;

use ollama_proto::host::Environment;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // An invalid OLLAMA_HOST is an error naming the variable, not a silent default.
    let env = Environment::from_env().unwrap_or_else(|e| common::fail(&e.into()));
    println!("OLLAMA_HOST    = {:?}", std::env::var("OLLAMA_HOST").ok());
    println!("  → base URL   = {}", env.base_url);
    println!(
        "OLLAMA_API_KEY = {}",
        if env.api_key.is_some() {
            "set (redacted)"
        } else {
            "unset"
        }
    );

    // `Client::from_env()` is the one-liner; the shared glue does the same, or points the
    // client at the replay server.
    let setup = common::setup(|b| b);
    println!("client         = {:?}\n", setup.client);
    common::run(async {
        let version = setup.client.version().await?;
        println!("server version {}", version.version);
        let models = setup.client.list_models().await?;
        println!("{} local models:", models.models.len());
        for m in models.models.iter().take(10) {
            println!("  {:<30} {:>8.1} MB", m.name, m.size as f64 / 1e6);
        }
        Ok(())
    })
    .await;
}

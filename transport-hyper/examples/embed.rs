//! Embeddings with `/api/embed`, and a cosine similarity between two inputs.
//!
//! ```sh
//! cargo run -p ollama-hyper --example embed -- [--model nomic-embed-text] [--replay]
//! ```
mod common;

use ollama_proto::types::EmbedRequest;
use testkit::Reply;
use testkit::conformance::recorded;

const RECORDING: &str = "oscar-embed-batch-mxbai.json";

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    common::run(async {
        let request: EmbedRequest = if setup.replaying() {
            setup.script(Reply::recording(RECORDING));
            recorded(RECORDING)
        } else {
            EmbedRequest::new(
                setup.model("nomic-embed-text"),
                vec![
                    "The sky is blue.".to_owned(),
                    "The ocean is blue.".to_owned(),
                ],
            )
        };
        let answer = setup.client.embed(request).await?;
        println!(
            "model {}: {} vectors",
            answer.model,
            answer.embeddings.len()
        );
        for (i, v) in answer.embeddings.iter().enumerate() {
            let head: Vec<String> = v.iter().take(4).map(|x| format!("{x:+.4}")).collect();
            println!("  [{i}] {} dims: {} …", v.len(), head.join(" "));
        }
        if let [a, b, ..] = answer.embeddings.as_slice() {
            println!("cosine similarity [0]·[1] = {:.4}", cosine(a, b));
        }
        Ok(())
    })
    .await;
}

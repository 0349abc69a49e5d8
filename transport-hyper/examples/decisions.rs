//! A decision (experimental `POST /v1/systemone`): typed questions about one state, answered
//! with a probability per option instead of prose. The request is the documented one; under
//! `--replay` the stand-in answers with the documented answer.
//!
//! ```sh
//! cargo run -p ollama-hyper --example decisions -- [--model nimble] [--replay]
//! ```
mod common;

use ollama_hyper::{Question, SystemOneRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let setup = common::setup(|b| b);
    common::run(async {
        let state = "Our checkout has returned 500 errors since 9am.";
        println!("state: {state}");
        let model = setup.model("nimble");
        let request = SystemOneRequest::new(model.as_str(), state).question(
            "label",
            Question::choice(
                "Which label fits this ticket?",
                [
                    ("billing", "Payments and refunds"),
                    ("bug", "Software errors"),
                    ("account", "Login and account access"),
                ],
            ),
        );
        let decision = setup.client.systemone(request).await?;
        for (name, answer) in decision.answers.iter() {
            let choice = answer.choice.as_deref().unwrap_or("-");
            println!("{name}: {choice} (confidence {:?})", answer.confidence);
            for (option, p) in answer.probabilities.iter().flat_map(|p| p.iter()) {
                println!("  {option:<8} {p:.4}");
            }
        }
        if let Some(usage) = &decision.usage {
            println!(
                "tokens: {:?} in, {:?} out",
                usage.input_tokens, usage.output_tokens
            );
        }
        let label = decision.answer("label").and_then(|a| a.choice.as_deref());
        if setup.replaying() && model == "nimble" && label != Some("bug") {
            eprintln!("error: the replayed documented answer is `bug`, got {label:?}");
            std::process::exit(1);
        }
        Ok(())
    })
    .await;
}

//! OpenTelemetry over OTLP/HTTP: every call is a span in the GenAI semantic conventions
//! (`chat gemma3:1b`, model, usage, finish reason, time to first chunk, …), exported to the
//! collector at `OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://localhost:4318`; traces go to
//! `/v1/traces`). Any OTLP backend reads them: an OpenTelemetry Collector, Jaeger, Grafana
//! Tempo, Honeycomb, Langfuse, Datadog.
//!
//! ```sh
//! docker run --rm -p 4318:4318 -p 16686:16686 jaegertracing/all-in-one   # then open :16686
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 \
//!   cargo run -p ollama-hyper --example otlp_export -- [--model gemma3:1b] [--replay]
//! ```
//!
//! The exporter runs on the batch processor's own thread, so it is built and shut down outside
//! the async runtime.
mod common;

use ollama_proto::types::{ChatRequest, Message};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use testkit::Reply;
use testkit::conformance::recorded_chat;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

const COUNT: &str = "lcg-chat-stream-gemma3-count.ndjson";

/// Sets up the exporter, runs one streamed chat, and flushes the spans before exiting.
pub(crate) fn main() {
    // The endpoint and headers come from the OTEL_EXPORTER_OTLP_* variables.
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpJson)
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: cannot build the OTLP exporter: {e}");
            std::process::exit(1)
        });
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name("ollama-otlp-example")
                .build(),
        )
        .build();
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("ollama-otlp-example")))
        .init();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: cannot start tokio: {e}");
            std::process::exit(1)
        });
    runtime.block_on(chat());
    drop(runtime);

    // Sends what is still batched; a collector that cannot be reached is reported here.
    if let Err(e) = provider.shutdown() {
        eprintln!("error: exporting the spans failed: {e}");
        std::process::exit(1);
    }
}

async fn chat() {
    let setup = common::setup(|b| b);
    common::run(async {
        let request = if setup.replaying() {
            setup.script(Reply::recording(COUNT));
            recorded_chat(COUNT)
        } else {
            ChatRequest::new(
                setup.model("gemma3:1b"),
                vec![Message::user("Count from 1 to 10.")],
            )
        };
        let answer = setup
            .client
            .chat_stream(request)
            .await?
            .collect_chat()
            .await?;
        println!("answer: {}", answer.message.content.trim());
        Ok(())
    })
    .await;
}

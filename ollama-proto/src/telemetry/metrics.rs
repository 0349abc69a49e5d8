//! The GenAI client metrics (feature `otel-metrics`), recorded through the OpenTelemetry API
//! into instruments made from a [`Meter`] the application passes in: no global state.

use std::fmt;
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter};

use crate::exchange::CallInfo;
use crate::host::BaseUrl;

/// The conventions' bucket boundaries for `gen_ai.client.token.usage`.
const TOKEN_BOUNDARIES: [f64; 14] = [
    1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0,
    16777216.0, 67108864.0,
];

/// The conventions' bucket boundaries for durations, in seconds.
const SECONDS_BOUNDARIES: [f64; 14] = [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/// The conventions' bucket boundaries for the time per output chunk, in seconds.
const CHUNK_BOUNDARIES: [f64; 13] = [
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
];

/// The GenAI client metrics, made once from the application's [`Meter`] and shared by every
/// call of the clients configured with it (cheap to clone):
///
/// - `gen_ai.client.operation.duration` (s): every call, with `error.type` when it failed;
/// - `gen_ai.client.token.usage` (`{token}`): input and output tokens (`gen_ai.token.type`);
/// - `gen_ai.client.operation.time_to_first_chunk` (s): streams, to the first content or
///   thinking text;
/// - `gen_ai.client.operation.time_per_output_chunk` (s): streams, from the first text to the
///   final object per output token after the first.
///
/// Each carries `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`,
/// `gen_ai.response.model`, `server.address` and `server.port`.
#[derive(Clone)]
pub struct GenAiMetrics {
    duration: Histogram<f64>,
    token_usage: Histogram<u64>,
    time_to_first_chunk: Histogram<f64>,
    time_per_output_chunk: Histogram<f64>,
}

impl fmt::Debug for GenAiMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenAiMetrics").finish_non_exhaustive()
    }
}

impl GenAiMetrics {
    /// The instruments, made from `meter`.
    pub fn new(meter: &Meter) -> Self {
        let seconds = |name: &'static str, description: &'static str, bounds: &[f64]| {
            meter
                .f64_histogram(name)
                .with_unit("s")
                .with_description(description)
                .with_boundaries(bounds.to_vec())
                .build()
        };
        Self {
            duration: seconds(
                "gen_ai.client.operation.duration",
                "GenAI operation duration.",
                &SECONDS_BOUNDARIES,
            ),
            token_usage: meter
                .u64_histogram("gen_ai.client.token.usage")
                .with_unit("{token}")
                .with_description("Number of input and output tokens used.")
                .with_boundaries(TOKEN_BOUNDARIES.to_vec())
                .build(),
            time_to_first_chunk: seconds(
                "gen_ai.client.operation.time_to_first_chunk",
                "Time to receive the first chunk of a streamed answer.",
                &SECONDS_BOUNDARIES,
            ),
            time_per_output_chunk: seconds(
                "gen_ai.client.operation.time_per_output_chunk",
                "Time per output chunk after the first of a streamed answer.",
                &CHUNK_BOUNDARIES,
            ),
        }
    }

    /// A recorder for one call, with the attributes known when it starts.
    pub(super) fn recorder(
        &self,
        operation: &'static str,
        info: &CallInfo,
        base: &BaseUrl,
    ) -> Recorder {
        let mut attributes = vec![
            KeyValue::new("gen_ai.operation.name", operation),
            KeyValue::new("gen_ai.provider.name", "ollama"),
            KeyValue::new("server.address", base.host().to_owned()),
            KeyValue::new("server.port", i64::from(base.port())),
        ];
        if let Some(model) = &info.model {
            attributes.push(KeyValue::new("gen_ai.request.model", model.clone()));
        }
        Recorder {
            metrics: self.clone(),
            attributes,
        }
    }
}

/// How one call ended, for its metrics.
pub(super) struct Ended<'a> {
    pub(super) duration: Duration,
    pub(super) time_to_first_chunk: Option<Duration>,
    pub(super) time_per_output_chunk: Option<Duration>,
    pub(super) input_tokens: Option<u64>,
    pub(super) output_tokens: Option<u64>,
    pub(super) response_model: Option<&'a str>,
    pub(super) error_type: Option<&'a str>,
}

/// The metrics of one call and its attributes.
pub(super) struct Recorder {
    metrics: GenAiMetrics,
    attributes: Vec<KeyValue>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// Records the call's end.
    pub(super) fn record(&self, ended: &Ended<'_>) {
        let mut attributes = self.attributes.clone();
        if let Some(model) = ended.response_model {
            attributes.push(KeyValue::new("gen_ai.response.model", model.to_owned()));
        }
        let m = &self.metrics;
        if let Some(t) = ended.time_to_first_chunk {
            m.time_to_first_chunk.record(t.as_secs_f64(), &attributes);
        }
        if let Some(t) = ended.time_per_output_chunk {
            m.time_per_output_chunk.record(t.as_secs_f64(), &attributes);
        }
        for (kind, tokens) in [
            ("input", ended.input_tokens),
            ("output", ended.output_tokens),
        ] {
            if let Some(n) = tokens {
                let mut with_type = attributes.clone();
                with_type.push(KeyValue::new("gen_ai.token.type", kind));
                m.token_usage.record(n, &with_type);
            }
        }
        if let Some(e) = ended.error_type {
            attributes.push(KeyValue::new("error.type", e.to_owned()));
        }
        m.duration.record(ended.duration.as_secs_f64(), &attributes);
    }
}

//! Telemetry as a dashboard receives it: every call's span, through `tracing-opentelemetry`
//! into the OpenTelemetry SDK's in-memory exporter, in the GenAI semantic conventions, the
//! same on every transport.

use ollama_proto::telemetry::TelemetryConfig;
use ollama_proto::types::Options;
use opentelemetry::trace::{SpanKind, Status};

use super::support::*;
use super::*;
use crate::telemetry::{ExportedSpan, SpanWatch};

/// Attributes no call may record without the caller opting in (prompt and answer text).
const CONTENT: [&str; 3] = [
    "gen_ai.input.messages",
    "gen_ai.system_instructions",
    "gen_ai.output.messages",
];

fn the_span(watch: &SpanWatch) -> ExportedSpan {
    let mut spans = watch.spans(1);
    assert_eq!(spans.len(), 1, "{spans:#?}");
    spans.remove(0)
}

fn assert_no_content(span: &ExportedSpan) {
    for key in CONTENT {
        assert!(span.get(key).is_none(), "{key} recorded without opt-in");
    }
}

fn assert_server(span: &ExportedSpan, server: &TestServer) {
    assert_eq!(span.str("server.address"), "127.0.0.1");
    assert_eq!(span.int("server.port"), i64::from(server.addr().port()));
    assert_eq!(span.str("gen_ai.provider.name"), "ollama");
    assert_eq!(span.kind, SpanKind::Client);
}

/// A streamed chat: name, request options, usage, the cut answer's finish reason, and the two
/// streaming latencies (the first text arrives after a 150 ms pause, then two more writes).
pub fn telemetry_streamed_chat<T: Transport>(t: &T) {
    let server = TestServer::start();
    let watch = SpanWatch::new(&server);
    let client = t.client(config_for(&server));
    server.push_reply(
        Reply::ndjson([
            r#"{"model":"qwen3:0.6b","message":{"role":"assistant","content":""},"done":false}"#,
            r#"{"model":"qwen3:0.6b","message":{"role":"assistant","content":"Hel"},"done":false}"#,
            r#"{"model":"qwen3:0.6b","message":{"role":"assistant","content":"lo"},"done":false}"#,
            r#"{"model":"qwen3:0.6b","message":{"role":"assistant","content":""},"done":true,"done_reason":"length","prompt_eval_count":12,"eval_count":3,"eval_duration":1500000000}"#,
        ])
        .delay_between_writes(Duration::from_millis(150)),
    );
    let mut options = Options::new();
    options.temperature = Some(0.25);
    options.top_p = Some(0.9);
    options.top_k = Some(40);
    options.num_predict = Some(3);
    options.seed = Some(7);
    options.stop = Some(vec!["END".to_owned()]);
    let mut request = ChatRequest::new("qwen3", vec![Message::user("secret prompt")]);
    request.options = Some(options);
    let out = t.chat_stream(&client, request, None).unwrap();
    assert_eq!(out.failure, None);
    let span = the_span(&watch);
    assert_eq!(span.name, "chat qwen3");
    assert_server(&span, &server);
    assert_eq!(span.str("gen_ai.operation.name"), "chat");
    assert_eq!(span.str("gen_ai.request.model"), "qwen3");
    assert_eq!(span.str("gen_ai.response.model"), "qwen3:0.6b");
    assert!(span.bool("gen_ai.request.stream"));
    assert_eq!(span.float("gen_ai.request.temperature"), 0.25);
    assert_eq!(span.float("gen_ai.request.top_p"), 0.9);
    assert_eq!(span.float("gen_ai.request.top_k"), 40.0);
    assert_eq!(span.int("gen_ai.request.max_tokens"), 3);
    assert_eq!(span.int("gen_ai.request.seed"), 7);
    assert_eq!(span.str("gen_ai.request.stop_sequences"), r#"["END"]"#);
    assert_eq!(span.int("gen_ai.usage.input_tokens"), 12);
    assert_eq!(span.int("gen_ai.usage.output_tokens"), 3);
    assert_eq!(span.str("gen_ai.response.finish_reasons"), r#"["length"]"#);
    assert_eq!(span.float("ollama.tokens_per_second"), 2.0);
    assert_eq!(span.int("ollama.attempts"), 1);
    let ttfc = span.float("gen_ai.response.time_to_first_chunk");
    assert!((0.14..5.0).contains(&ttfc), "time to first chunk {ttfc}");
    // Two writes 150 ms apart after the first text, over the two tokens after the first. A
    // busy machine may see the first text late, which shortens the gap measured after it, so
    // the gap alone has no lower bound; the request's whole wait for its last write has.
    let per_token = span.float("ollama.time_per_output_token");
    assert!(
        per_token > 0.0 && per_token < 5.0,
        "time per output token {per_token}"
    );
    assert!(
        ttfc + 2.0 * per_token >= 0.44,
        "first chunk {ttfc} s + 2 × {per_token} s per token is less than the 450 ms of writes"
    );
    assert!(span.get("error.type").is_none() && span.get("ollama.cancelled").is_none());
    assert_eq!(span.status, Status::Unset);
    assert_no_content(&span);
}

/// A non-streamed generate with content capture on: the prompt and the answer are recorded
/// in the conventions' message format, each text cut at the configured bound.
pub fn telemetry_generate_with_content<T: Transport>(t: &T) {
    let server = TestServer::start();
    let watch = SpanWatch::new(&server);
    let mut config = config_for(&server);
    config.telemetry = TelemetryConfig::new().capture_content(8);
    let client = t.client(config);
    server.push_reply(Reply::body(
        200,
        "application/json",
        r#"{"model":"gemma3:1b","response":"Paris is the capital.","done":true,"done_reason":"stop","prompt_eval_count":9,"eval_count":5}"#,
    ));
    let request = GenerateRequest::new("gemma3:1b", "Capital of France?").system("Be brief");
    let answer = t.generate(&client, request).unwrap();
    assert_eq!(answer.response, "Paris is the capital.");
    let span = the_span(&watch);
    assert_eq!(span.name, "text_completion gemma3:1b");
    assert_server(&span, &server);
    assert_eq!(span.str("gen_ai.operation.name"), "text_completion");
    assert!(!span.bool("gen_ai.request.stream"));
    assert_eq!(span.str("gen_ai.response.model"), "gemma3:1b");
    assert_eq!(span.str("gen_ai.response.finish_reasons"), r#"["stop"]"#);
    assert_eq!(span.int("gen_ai.usage.input_tokens"), 9);
    assert_eq!(span.int("gen_ai.usage.output_tokens"), 5);
    assert!(span.get("gen_ai.response.time_to_first_chunk").is_none());
    assert!(span.get("gen_ai.request.temperature").is_none());
    assert_eq!(
        span.str("gen_ai.input.messages"),
        r#"[{"role":"user","parts":[{"type":"text","content":"Capital …"}]}]"#
    );
    assert_eq!(
        span.str("gen_ai.system_instructions"),
        r#"[{"type":"text","content":"Be brief"}]"#
    );
    assert_eq!(
        span.str("gen_ai.output.messages"),
        r#"[{"role":"assistant","parts":[{"type":"text","content":"Paris is…"}],"finish_reason":"stop"}]"#
    );
}

/// An embed: the operation, the input tokens and the vectors' dimension.
pub fn telemetry_embed<T: Transport>(t: &T) {
    let server = TestServer::start();
    let watch = SpanWatch::new(&server);
    let client = t.client(config_for(&server));
    server.push_reply(Reply::body(
        200,
        "application/json",
        r#"{"model":"all-minilm","embeddings":[[0.5,-0.25,1],[0,0,0]],"prompt_eval_count":4}"#,
    ));
    let out = t
        .embed(&client, EmbedRequest::new("all-minilm", vec!["a", "b"]))
        .unwrap();
    assert_eq!(out.embeddings.len(), 2);
    let span = the_span(&watch);
    assert_eq!(span.name, "embeddings all-minilm");
    assert_server(&span, &server);
    assert_eq!(span.str("gen_ai.operation.name"), "embeddings");
    assert_eq!(span.str("gen_ai.response.model"), "all-minilm");
    assert_eq!(span.int("gen_ai.usage.input_tokens"), 4);
    assert_eq!(span.int("gen_ai.embeddings.dimension.count"), 3);
    assert!(span.get("gen_ai.usage.output_tokens").is_none());
    assert_no_content(&span);
}

/// Failed calls: an error status is `error.type` = the status code, a stream cut short its
/// error kind; both set the span's status to an error.
pub fn telemetry_failed_calls<T: Transport>(t: &T) {
    let server = TestServer::start();
    let watch = SpanWatch::new(&server);
    let client = t.client(config_for(&server));
    server.push_reply(Reply::status_json(500, "model runner crashed"));
    let f = t.chat(&client, hello()).unwrap_err();
    assert_eq!(status_of(f).status, 500);
    server.push_reply(Reply::ndjson([
        r#"{"model":"gemma3:1b","message":{"role":"assistant","content":"Hi"},"done":false}"#,
    ]));
    let (_, f) = stream_failure(t.chat_stream(&client, hello(), None));
    assert!(matches!(protocol(f), ollama_proto::Error::Truncated { .. }));
    let spans = watch.spans(2);
    assert_eq!(spans.len(), 2, "{spans:#?}");
    let (status, cut) = (&spans[0], &spans[1]);
    assert_eq!(status.name, "chat gemma3:1b");
    assert_eq!(status.str("error.type"), "500");
    assert_eq!(status.status, Status::error(""));
    assert!(status.get("gen_ai.response.finish_reasons").is_none());
    assert_eq!(cut.str("error.type"), "protocol.truncated");
    assert_eq!(cut.status, Status::error(""));
    assert!(cut.float("gen_ai.response.time_to_first_chunk") >= 0.0);
}

/// A stream dropped after its first event: `ollama.cancelled`, the time to first chunk, no
/// finish reason and no error (the caller chose to stop).
pub fn telemetry_cancelled_stream<T: Transport>(t: &T) {
    let server = TestServer::start();
    let watch = SpanWatch::new(&server);
    let client = t.client(config_for(&server));
    server.push_reply(Reply::endless_stream(
        r#"{"model":"gemma3:1b","message":{"role":"assistant","content":"la"},"done":false}"#,
        Duration::from_millis(5),
    ));
    let out = t.chat_stream(&client, hello(), Some(2)).unwrap();
    assert_eq!((out.events.len(), out.failure), (2, None));
    let span = the_span(&watch);
    assert_eq!(span.name, "chat gemma3:1b");
    assert!(span.bool("ollama.cancelled"));
    assert!(span.float("gen_ai.response.time_to_first_chunk") >= 0.0);
    assert!(span.get("gen_ai.response.finish_reasons").is_none());
    assert!(span.get("error.type").is_none());
    assert_eq!(span.status, Status::Unset);
}

/// The GenAI client metrics, recorded into the application's own meter provider (no global
/// one): duration (with `error.type` for a failed call), input and output tokens, and a
/// stream's time to first chunk and time per output chunk.
pub fn telemetry_metrics<T: Transport>(t: &T) {
    use ollama_proto::telemetry::GenAiMetrics;
    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let metrics = GenAiMetrics::new(&provider.meter("testkit"));
    let server = TestServer::start();
    let mut config = config_for(&server);
    config.telemetry = TelemetryConfig::new().metrics(metrics);
    let client = t.client(config);
    server.push_reply(
        Reply::ndjson([
            r#"{"model":"qwen3","message":{"role":"assistant","content":"Hel"},"done":false}"#,
            r#"{"model":"qwen3","message":{"role":"assistant","content":"lo"},"done":false}"#,
            r#"{"model":"qwen3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":3}"#,
        ])
        .delay_between_writes(Duration::from_millis(100)),
    );
    let request = ChatRequest::new("qwen3", vec![Message::user("hi")]);
    assert_eq!(
        t.chat_stream(&client, request.clone(), None)
            .unwrap()
            .failure,
        None
    );
    server.push_reply(Reply::status_json(503, "busy"));
    assert_eq!(status_of(t.chat(&client, request).unwrap_err()).status, 503);
    provider.force_flush().unwrap();

    // (name, unit, sorted attribute text, count, sum) of every histogram data point.
    let mut points = Vec::new();
    for resource in exporter.get_finished_metrics().unwrap() {
        for scope in resource.scope_metrics() {
            for metric in scope.metrics() {
                let mut push = |attributes: Vec<String>, count: u64, sum: f64| {
                    let mut attributes = attributes;
                    attributes.sort();
                    points.push((
                        metric.name().to_owned(),
                        metric.unit().to_owned(),
                        attributes,
                        count,
                        sum,
                    ));
                };
                let text = |kv: &opentelemetry::KeyValue| format!("{}={}", kv.key, kv.value);
                match metric.data() {
                    AggregatedMetrics::F64(MetricData::Histogram(h)) => {
                        for p in h.data_points() {
                            push(p.attributes().map(text).collect(), p.count(), p.sum());
                        }
                    }
                    AggregatedMetrics::U64(MetricData::Histogram(h)) => {
                        for p in h.data_points() {
                            push(
                                p.attributes().map(text).collect(),
                                p.count(),
                                p.sum() as f64,
                            );
                        }
                    }
                    other => panic!("{}: not a histogram: {other:?}", metric.name()),
                }
            }
        }
    }
    let port = server.addr().port();
    let base = |extra: &[&str]| {
        let mut a: Vec<String> = [
            "gen_ai.operation.name=chat".to_owned(),
            "gen_ai.provider.name=ollama".to_owned(),
            "gen_ai.request.model=qwen3".to_owned(),
            "server.address=127.0.0.1".to_owned(),
            format!("server.port={port}"),
        ]
        .into_iter()
        .chain(extra.iter().map(|s| (*s).to_owned()))
        .collect();
        a.sort();
        a
    };
    let find = |name: &str, attributes: Vec<String>| {
        points
            .iter()
            .find(|p| p.0 == name && p.2 == attributes)
            .unwrap_or_else(|| panic!("no {name} with {attributes:?} in {points:#?}"))
            .clone()
    };
    let ok = ["gen_ai.response.model=qwen3"];
    let d = find("gen_ai.client.operation.duration", base(&ok));
    assert_eq!((d.1.as_str(), d.3), ("s", 1));
    assert!(d.4 >= 0.2, "{d:?}");
    let failed = find(
        "gen_ai.client.operation.duration",
        base(&["error.type=503"]),
    );
    assert_eq!(failed.3, 1);
    let input = find(
        "gen_ai.client.token.usage",
        base(&["gen_ai.response.model=qwen3", "gen_ai.token.type=input"]),
    );
    assert_eq!((input.1.as_str(), input.3, input.4), ("{token}", 1, 12.0));
    let output = find(
        "gen_ai.client.token.usage",
        base(&["gen_ai.response.model=qwen3", "gen_ai.token.type=output"]),
    );
    assert_eq!((output.3, output.4), (1, 3.0));
    let first = find("gen_ai.client.operation.time_to_first_chunk", base(&ok));
    assert_eq!((first.1.as_str(), first.3), ("s", 1));
    assert!(first.4 < d.4, "{first:?} {d:?}");
    // From the first text to the final object (two writes 100 ms apart), over two tokens: as
    // above, only the sum with the first chunk's time has a lower bound on a busy machine.
    let per = find("gen_ai.client.operation.time_per_output_chunk", base(&ok));
    assert_eq!(per.3, 1);
    assert!(per.4 > 0.0 && per.4 < 5.0, "{per:?}");
    assert!(first.4 + 2.0 * per.4 >= 0.19, "{first:?} {per:?}");
    assert_eq!(points.len(), 6, "{points:#?}");
}

/// A streamed chat with content capture on: the reasoning and the answer, gathered from the
/// stream's pieces, each cut at the bound; the request's system message is part of the input.
pub fn telemetry_streamed_content<T: Transport>(t: &T) {
    let server = TestServer::start();
    let watch = SpanWatch::new(&server);
    let mut config = config_for(&server);
    config.telemetry = TelemetryConfig::new().capture_content(6);
    let client = t.client(config);
    server.push_reply(Reply::ndjson([
        r#"{"model":"qwen3","message":{"role":"assistant","content":"","thinking":"Let me "},"done":false}"#,
        r#"{"model":"qwen3","message":{"role":"assistant","content":"","thinking":"think."},"done":false}"#,
        r#"{"model":"qwen3","message":{"role":"assistant","content":"Héllo"},"done":false}"#,
        r#"{"model":"qwen3","message":{"role":"assistant","content":" there"},"done":false}"#,
        r#"{"model":"qwen3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","eval_count":4}"#,
    ]));
    let request = ChatRequest::new(
        "qwen3",
        vec![Message::system("Be kind"), Message::user("hi")],
    );
    assert_eq!(t.chat_stream(&client, request, None).unwrap().failure, None);
    let span = the_span(&watch);
    assert_eq!(
        span.str("gen_ai.input.messages"),
        r#"[{"role":"system","parts":[{"type":"text","content":"Be kin…"}]},{"role":"user","parts":[{"type":"text","content":"hi"}]}]"#
    );
    assert_eq!(
        span.str("gen_ai.output.messages"),
        r#"[{"role":"assistant","parts":[{"type":"reasoning","content":"Let me…"},{"type":"text","content":"Héllo…"}],"finish_reason":"stop"}]"#
    );
}

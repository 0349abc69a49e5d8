//! Spans as a dashboard receives them: `tracing` → `tracing-opentelemetry` → the OpenTelemetry
//! SDK's in-memory exporter, installed once per test binary as the global subscriber (calls
//! run on runtime threads, so a thread-local subscriber would miss them).
//!
//! Scenarios find their own spans with a [`SpanWatch`]: by `server.port` (every
//! [`TestServer`](crate::TestServer) has its own) and by start time (a port is reused once its
//! server is gone, so a span on it that started before this server was bound is another
//! scenario's), so tests running in parallel do not see each other's.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use opentelemetry::trace::{SpanKind, Status, TracerProvider as _};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing_subscriber::layer::SubscriberExt;

/// One exported span, in the terms the scenarios assert.
#[derive(Debug, Clone)]
pub struct ExportedSpan {
    /// When the span started.
    pub start_time: SystemTime,
    /// The span name (`otel.name` when the span set it).
    pub name: String,
    /// The span kind.
    pub kind: SpanKind,
    /// The span status.
    pub status: Status,
    /// The attributes by key.
    pub attributes: BTreeMap<String, Value>,
}

impl ExportedSpan {
    fn from_data(data: &SpanData) -> Self {
        Self {
            start_time: data.start_time,
            name: data.name.to_string(),
            kind: data.span_kind.clone(),
            status: data.status.clone(),
            attributes: data
                .attributes
                .iter()
                .map(|KeyValue { key, value, .. }| (key.to_string(), value.clone()))
                .collect(),
        }
    }

    /// The attribute `key`, if recorded.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.attributes.get(key)
    }

    /// A string attribute.
    ///
    /// # Panics
    /// When it is absent or not a string.
    pub fn str(&self, key: &str) -> String {
        match self.get(key) {
            Some(Value::String(s)) => s.to_string(),
            other => panic!("{key}: expected a string, got {other:?} in {self:#?}"),
        }
    }

    /// An integer attribute.
    ///
    /// # Panics
    /// When it is absent or not an integer.
    pub fn int(&self, key: &str) -> i64 {
        match self.get(key) {
            Some(Value::I64(n)) => *n,
            other => panic!("{key}: expected an integer, got {other:?} in {self:#?}"),
        }
    }

    /// A floating-point attribute.
    ///
    /// # Panics
    /// When it is absent or not a float.
    pub fn float(&self, key: &str) -> f64 {
        match self.get(key) {
            Some(Value::F64(n)) => *n,
            other => panic!("{key}: expected a float, got {other:?} in {self:#?}"),
        }
    }

    /// A boolean attribute.
    ///
    /// # Panics
    /// When it is absent or not a boolean.
    pub fn bool(&self, key: &str) -> bool {
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            other => panic!("{key}: expected a boolean, got {other:?} in {self:#?}"),
        }
    }
}

fn exporter() -> &'static InMemorySpanExporter {
    static EXPORTER: OnceLock<InMemorySpanExporter> = OnceLock::new();
    EXPORTER.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let tracer = provider.tracer("testkit");
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
        tracing::subscriber::set_global_default(subscriber).expect(
            "testkit::telemetry installs the global tracing subscriber: another one was set \
             first in this test binary",
        );
        exporter
    })
}

/// The spans of one [`TestServer`](crate::TestServer)'s calls: made right after the server
/// started (its port is bound then), before the calls to observe; installs the exporting
/// subscriber once per process.
#[derive(Debug, Clone, Copy)]
pub struct SpanWatch {
    port: u16,
    since: SystemTime,
}

impl SpanWatch {
    /// Watches the calls to `server`, from now on.
    pub fn new(server: &crate::TestServer) -> Self {
        let _ = exporter();
        Self {
            port: server.addr().port(),
            since: SystemTime::now(),
        }
    }

    /// The `ollama_request` spans exported so far for the server, in the order they ended;
    /// waits up to two seconds for `count` of them (a span is exported when it ends, which
    /// may be just after the call returned on another thread).
    ///
    /// # Panics
    /// When fewer than `count` arrive in time.
    pub fn spans(&self, count: usize) -> Vec<ExportedSpan> {
        let port = Value::I64(i64::from(self.port));
        let started = Instant::now();
        // Bounded by the deadline below.
        loop {
            let spans: Vec<ExportedSpan> = exporter()
                .get_finished_spans()
                .expect("the in-memory exporter is not shut down")
                .iter()
                .map(ExportedSpan::from_data)
                .filter(|s| s.get("server.port") == Some(&port) && s.start_time >= self.since)
                .collect();
            if spans.len() >= count {
                return spans;
            }
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "expected {count} spans for port {}, got {spans:#?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

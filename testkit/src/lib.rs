//! The conformance suite every transport runs, and the test-only servers it needs (a real
//! proxy, TLS, network namespaces), over [`ollama_standin`] serving the recorded fixtures in
//! `../shared/fixtures/recorded`.
//!
//! The stand-in itself lives in `ollama-standin`: the suite, the `--replay` examples and users'
//! tests run the same server. [`TestServer`] is that server with the recordings loaded.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! let server = testkit::TestServer::start();
//! server.push_reply(testkit::Reply::status_json(503, "busy").retry_after(2));
//! let mut client = TcpStream::connect(server.addr()).unwrap();
//! client
//!     .write_all(b"GET /api/tags HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
//!     .unwrap();
//! let mut response = String::new();
//! client.read_to_string(&mut response).unwrap();
//! assert!(response.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
//! assert!(response.contains("Retry-After: 2\r\n"));
//! assert!(response.ends_with(r#"{"error":"busy"}"#));
//! ```
#![forbid(unsafe_code)]

pub mod conformance;
pub mod netns;
mod proxy_server;
pub mod rlimit;
pub mod scripted;
pub mod telemetry;
mod test_server;
mod tls;

pub(crate) use ollama_standin::http;
/// The thinking emulation lives with the server it drives (`ollama_standin::thinking_emulation`).
pub use ollama_standin::thinking_emulation;
pub use ollama_standin::{
    DOCUMENTED_DECISION_ANSWER, DOCUMENTED_DECISION_REQUEST, Disconnect, ENDLESS_STREAM_MAX_LINES,
    FIXTURES_DIR_ENV, Framing, JSON, JSON_UTF8, LOG_LIMIT, MAX_CONNECTIONS, MAX_REQUEST_BODY,
    MAX_REQUEST_HEAD, NDJSON, ReceivedRequest, Recording, Reply, Route, VERSION, WriteSizes,
    fixtures_dir,
};
pub use proxy_server::{PROXY_ONLY_HOST, PROXY_USER, ProxyServer};
pub use test_server::TestServer;
pub use tls::{TLS_VERSION, TestCa, TlsRequest, TlsServer};

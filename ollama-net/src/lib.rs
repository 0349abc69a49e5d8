//! What every transport of the [`ollama_proto`] core does when it connects, beyond the core's
//! [`ConnectPlan`](ollama_proto::connect::ConnectPlan), written once: TCP keepalive on the new
//! socket ([`set_socket_options`]: no Nagle delay, keepalive through socket2) and, with the `rustls` feature, the rustls client
//! configuration built from the plan's TLS step ([`ClientTls`]).
//!
//! Why a crate of its own: `ollama-proto` stays free of socket and TLS crates (reading the
//! system's certificate store is IO), and `ollama-hyper`, `ollama-smol` and `ollama-blocking`
//! need the same socket options and the same TLS configuration. A transport applies both with
//! its own runtime's types (`tokio-rustls`, `futures-rustls`, `rustls::StreamOwned`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod connector;
mod keepalive;
#[cfg(feature = "rustls")]
mod tls;
mod tunnel;

pub use connector::{Connector, Tls};
pub use keepalive::{set_keepalive, set_socket_options};
pub use socket2::SockRef;
#[cfg(feature = "rustls")]
pub use tls::{ClientTls, client_config, rustls};
pub use tunnel::open_tunnel;

//! What a transport's connector holds, once for every transport: the core's plan, and its TLS
//! step ready for the transport's rustls adapter.

use std::sync::Arc;

use ollama_proto::connect::ConnectPlan;

/// The TLS step of a plan as a transport carries it out: with the `rustls` feature a
/// [`ClientTls`](crate::ClientTls) (its configuration built on first use); without it the
/// plan's own target, whose handshake the transport refuses with a message naming the feature.
#[cfg(feature = "rustls")]
pub type Tls = crate::ClientTls;
/// The TLS step of a plan as a transport carries it out: without the `rustls` feature, the
/// plan's own target, whose handshake the transport refuses with a message naming the feature.
#[cfg(not(feature = "rustls"))]
pub type Tls = ollama_proto::connect::TlsTarget;

/// A client's way to its server: the core's [`ConnectPlan`] (share it between connections)
/// and the [`Tls`] of its TLS step, if it has one. The transport opens each connection by
/// following `plan` and handing `tls` to its handshake.
#[derive(Debug)]
pub struct Connector {
    /// Where to dial, the tunnel, the TLS step, the request-target form, the pool key.
    pub plan: Arc<ConnectPlan>,
    /// The TLS step, when the server is `https://`.
    pub tls: Option<Tls>,
}

impl Connector {
    /// The connector of `plan`; nothing is built or read yet.
    // Without rustls, `Tls` is the target itself.
    #[cfg_attr(not(feature = "rustls"), allow(clippy::useless_conversion))]
    pub fn new(plan: &Arc<ConnectPlan>) -> Self {
        Self {
            plan: Arc::clone(plan),
            tls: plan.tls().cloned().map(Tls::from),
        }
    }
}

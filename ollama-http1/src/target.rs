//! [`Target`]: where a transport connects and how, from the client's configuration, and the
//! rustls configuration for `https` (built once, on the first `https` connection).

#[cfg(feature = "rustls")]
use std::sync::{Arc, OnceLock};

use ollama_proto::client_config::Network;
#[cfg(feature = "rustls")]
use ollama_proto::client_error::BoxError;
use ollama_proto::proxy::Route;
use ollama_proto::tls::TlsPlan;
use ollama_proto::{BaseUrl, ClientConfig};

/// Where to connect and how: the server, the route to it (direct, forwarding proxy, CONNECT
/// tunnel), whether it speaks TLS and which roots to trust; all decided by the core.
#[derive(Debug)]
pub struct Target {
    /// The server.
    pub base: BaseUrl,
    /// `scheme://authority`: the pool key and the name in error messages.
    pub origin: String,
    /// Direct, through a forwarding proxy, or through a CONNECT tunnel.
    pub route: Route,
    /// The server speaks TLS (`https`).
    pub https: bool,
    /// The roots and extra CAs to trust.
    pub tls: TlsPlan,
    #[cfg(feature = "rustls")]
    rustls: OnceLock<Arc<rustls::ClientConfig>>,
}

impl Target {
    /// The target of `config`, reached as `network` says.
    pub fn new(config: &ClientConfig, network: &Network) -> Self {
        let base = config.request.base_url.clone();
        Self {
            origin: base.origin(),
            base,
            route: network.route.clone(),
            https: network.https,
            tls: network.tls.clone(),
            #[cfg(feature = "rustls")]
            rustls: OnceLock::new(),
        }
    }

    /// Requests go to a forwarding proxy: their target is the absolute URI.
    pub fn absolute_form(&self) -> bool {
        self.route.forward_proxy().is_some()
    }

    /// The rustls configuration (ring; the roots and extra CAs of [`Target::tls`]; HTTP/1.1
    /// by ALPN), built on first use. Not cached on failure: a CA file created later is
    /// picked up.
    ///
    /// # Errors
    /// [`TlsError`](ollama_proto::tls::TlsError) naming the CA source that cannot be used.
    #[cfg(feature = "rustls")]
    pub fn rustls_config(&self) -> Result<Arc<rustls::ClientConfig>, BoxError> {
        if let Some(config) = self.rustls.get() {
            return Ok(Arc::clone(config));
        }
        let config = rustls_config(&self.tls)?;
        Ok(Arc::clone(self.rustls.get_or_init(|| Arc::new(config))))
    }
}

/// The rustls configuration: ring, the roots and extra CAs of `plan`, HTTP/1.1 by ALPN.
#[cfg(feature = "rustls")]
fn rustls_config(plan: &TlsPlan) -> Result<rustls::ClientConfig, BoxError> {
    use ollama_proto::tls::TlsError;

    let mut roots = rustls::RootCertStore::empty();
    if plan.roots.webpki() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if plan.roots.platform() {
        let native = rustls_native_certs::load_native_certs();
        if let (true, Some(e)) = (native.certs.is_empty(), native.errors.first()) {
            return Err(TlsError::new("TlsRoots::Platform", e.to_string()).into());
        }
        roots.add_parsable_certificates(native.certs);
    }
    for (source, cert) in plan.extra_certificates(|path| std::fs::read(path))? {
        roots
            .add(cert)
            .map_err(|e| TlsError::new(source, e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

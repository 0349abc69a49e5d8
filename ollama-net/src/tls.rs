//! The rustls client configuration of the `ollama-proto` transports, built in one place from
//! the core's [`TlsTarget`] (its [`TlsPlan`]: which roots, which extra CAs).
//!
//! - **ring** as the crypto provider (no aws-lc, no OpenSSL), TLS 1.2 and 1.3.
//! - **Roots**: the webpki roots compiled in, the platform's store (`rustls-native-certs`), or
//!   both ([`TlsRoots`](ollama_proto::tls::TlsRoots)); then the extra CAs (PEM bytes, PEM files,
//!   `SSL_CERT_FILE`), files read here.
//! - **ALPN** `http/1.1`: the transports speak HTTP/1.1 only.
//! - **Built on the first `https://` connection and cached**: a plain-`http://` client never
//!   builds a root store. A failure is not cached, so a CA file created later is picked up.
//! - **Errors are the core's**: [`ConnectError::Tls`] carrying a
//!   [`TlsError`] (which extra CA, why) or a [`TlsHandshakeError`] (which server, and how to
//!   trust its CA when its certificate was not).
//!
//! Why a crate of its own: `ollama-proto` stays free of IO and TLS crates (reading the
//! system's store is IO), and every transport needs the same configuration. The handshake
//! itself runs on the transport's rustls adapter (`tokio-rustls`, `futures-rustls`,
//! `rustls::StreamOwned`), with what [`ClientTls::connector`] returns.
//!
//! ```
//! use ollama_proto::ClientConfig;
//! use ollama_proto::connect::ConnectPlan;
//! use ollama_net::ClientTls;
//!
//! let plan = ConnectPlan::new(&ClientConfig::new("https://ollama.com".parse()?))?;
//! let tls = ClientTls::new(plan.tls().ok_or("https has a TLS step")?);
//! let (config, name) = tls.connector()?;
//! assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
//! assert_eq!(name.to_str(), "ollama.com");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::{Arc, OnceLock};

use ollama_proto::BoxError;
use ollama_proto::connect::{ConnectError, TlsTarget};
use ollama_proto::tls::{TlsError, TlsHandshakeError, TlsPlan};
pub use rustls;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;

/// TLS with one server: its name, and the rustls configuration of its plan, built on first
/// use. Share it between a client's connections (it is `Sync`).
#[derive(Debug)]
pub struct ClientTls {
    target: TlsTarget,
    config: OnceLock<Arc<ClientConfig>>,
}

impl ClientTls {
    /// TLS as `target` says; nothing is built or read yet.
    pub fn new(target: &TlsTarget) -> Self {
        Self::from(target.clone())
    }

    /// What a handshake needs: the configuration (built now if it was not yet) and the
    /// server's name.
    ///
    /// # Errors
    /// [`ConnectError::Tls`]: an extra CA that cannot be used, an empty platform store that
    /// could not be read, or a server name rustls does not accept.
    pub fn connector(&self) -> Result<(Arc<ClientConfig>, ServerName<'static>), ConnectError> {
        let name =
            ServerName::try_from(self.target.server_name.clone()).map_err(ConnectError::tls)?;
        let config = match self.config.get() {
            Some(config) => Arc::clone(config),
            // Not cached on failure: a CA file created later is picked up.
            None => {
                let config = client_config(&self.target.trust)?;
                Arc::clone(self.config.get_or_init(|| Arc::new(config)))
            }
        };
        Ok((config, name))
    }

    /// The handshake with the server failed with `error` (the adapter's).
    pub fn handshake_failed(&self, error: impl Into<BoxError>) -> ConnectError {
        ConnectError::Tls(Box::new(TlsHandshakeError::new(
            &self.target.server_name,
            error,
        )))
    }
}

impl From<TlsTarget> for ClientTls {
    fn from(target: TlsTarget) -> Self {
        Self {
            target,
            config: OnceLock::new(),
        }
    }
}

/// A new rustls configuration for `plan`: ring, its roots and extra CAs, ALPN `http/1.1`.
///
/// # Errors
/// [`ConnectError::Tls`] with a [`TlsError`] naming the extra CA (or `TlsRoots::Platform`)
/// that cannot be used.
pub fn client_config(plan: &TlsPlan) -> Result<ClientConfig, ConnectError> {
    let mut roots = rustls::RootCertStore::empty();
    if plan.roots.webpki() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if plan.roots.platform() {
        let native = rustls_native_certs::load_native_certs();
        if let (true, Some(e)) = (native.certs.is_empty(), native.errors.first()) {
            return Err(ConnectError::tls(TlsError::new(
                "TlsRoots::Platform",
                e.to_string(),
            )));
        }
        roots.add_parsable_certificates(native.certs);
    }
    let extra = plan
        .extra_certificates(|path| std::fs::read(path))
        .map_err(ConnectError::tls)?;
    for (source, cert) in extra {
        roots
            .add(cert)
            .map_err(|e| ConnectError::tls(TlsError::new(source, e.to_string())))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(ConnectError::tls)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests;

//! TLS settings: which certificate authorities a client trusts for `https://` servers. This
//! crate only holds the settings and parses PEM; the transports build rustls from them (on the
//! first `https://` connection, so a plain-`http://` client never pays for a root store).
//!
//! - **Roots** ([`TlsRoots`]): the Mozilla roots compiled in (`webpki-roots`, the default), the
//!   platform's store (`rustls-native-certs`: the system bundle on Linux, Keychain on macOS,
//!   the Windows store), or both.
//! - **Extra CAs**, added to those roots: PEM bytes
//!   ([`ClientBuilder::add_root_certificate_pem`](crate::ClientBuilder::add_root_certificate_pem))
//!   or a PEM file
//!   ([`ClientBuilder::add_root_certificate_file`](crate::ClientBuilder::add_root_certificate_file)),
//!   read when the first `https://` connection is made.
//! - **`SSL_CERT_FILE`**: a PEM file named by this variable is **added** to the roots (as an
//!   extra CA file), so pointing it at a bundle with a company's CA makes that CA trusted
//!   while public servers keep working. Turn it off with
//!   [`ClientBuilder::tls_cert_file_from_env`](crate::ClientBuilder::tls_cert_file_from_env)
//!   `(false)`. With [`TlsRoots::Platform`], `rustls-native-certs` also reads
//!   `SSL_CERT_FILE` and `SSL_CERT_DIR` from the process itself: then the file *replaces* the
//!   platform's store, as with OpenSSL.
//!
//! A file that cannot be read, PEM without a certificate, or a certificate rustls rejects
//! fails the connection with [`TlsError`] (as [`ClientError::Connect`](crate::ClientError::Connect)),
//! naming the file or setting. A server whose certificate is not signed by a trusted CA fails
//! with rustls' "invalid peer certificate: UnknownIssuer" in the `Connect` error's text.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

use crate::error::BoxError;
use crate::net_env::NetEnv;

/// Which built-in certificate authorities to trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsRoots {
    /// The Mozilla roots compiled into the program (`webpki-roots`): the same everywhere.
    #[default]
    Webpki,
    /// The platform's store (`rustls-native-certs`): what the system trusts, including CAs an
    /// administrator installed.
    Platform,
    /// Both.
    Both,
    /// Neither: only the extra CAs (a private deployment).
    None,
}

impl TlsRoots {
    /// Whether the Mozilla roots are included.
    pub fn webpki(self) -> bool {
        matches!(self, Self::Webpki | Self::Both)
    }

    /// Whether the platform's store is included.
    pub fn platform(self) -> bool {
        matches!(self, Self::Platform | Self::Both)
    }
}

/// An extra certificate authority to trust.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtraRoot {
    /// PEM text with one or more certificates.
    Pem(Arc<[u8]>),
    /// A PEM file, read by the transport; `setting` says where the path came from.
    File {
        /// The file.
        path: PathBuf,
        /// `SSL_CERT_FILE`, or `add_root_certificate_file`.
        setting: &'static str,
    },
}

impl fmt::Debug for ExtraRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(bytes) => write!(f, "Pem({} bytes)", bytes.len()),
            Self::File { path, setting } => write!(f, "File({}, from {setting})", path.display()),
        }
    }
}

/// A client's TLS settings (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsConfig {
    /// Built-in roots.
    pub roots: TlsRoots,
    /// Extra CAs, added to the roots.
    pub extra_roots: Vec<ExtraRoot>,
    /// Whether `SSL_CERT_FILE` adds a PEM file to the roots (default `true`).
    pub cert_file_from_env: bool,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            roots: TlsRoots::default(),
            extra_roots: Vec::new(),
            cert_file_from_env: true,
        }
    }
}

impl TlsConfig {
    /// What to trust given the environment: the roots, the extra CAs, then `SSL_CERT_FILE`.
    pub fn plan(&self, env: &NetEnv) -> TlsPlan {
        let mut extra = self.extra_roots.clone();
        if self.cert_file_from_env {
            if let Some((setting, path)) = &env.ssl_cert_file {
                extra.push(ExtraRoot::File {
                    path: PathBuf::from(path),
                    setting,
                });
            }
        }
        TlsPlan {
            roots: self.roots,
            extra,
        }
    }
}

/// What a transport trusts, resolved when the client is built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsPlan {
    /// Built-in roots.
    pub roots: TlsRoots,
    /// Extra CAs, files included.
    pub extra: Vec<ExtraRoot>,
}

impl TlsPlan {
    /// The extra CA certificates (DER), files read through `read` (the transport's IO).
    ///
    /// # Errors
    /// [`TlsError`] naming the file or setting: unreadable, or no certificate in it.
    /// Each comes with the setting it came from, for [`TlsError::new`] when rustls rejects it.
    pub fn extra_certificates(
        &self,
        read: impl Fn(&Path) -> std::io::Result<Vec<u8>>,
    ) -> Result<Vec<(String, CertificateDer<'static>)>, TlsError> {
        let mut certs = Vec::new();
        for (i, root) in self.extra.iter().enumerate() {
            let (source, bytes) = match root {
                ExtraRoot::Pem(bytes) => (
                    format!("add_root_certificate_pem #{}", i + 1),
                    bytes.to_vec(),
                ),
                ExtraRoot::File { path, setting } => {
                    let source = format!("{setting} {}", path.display());
                    match read(path) {
                        Ok(bytes) => (source, bytes),
                        Err(e) => {
                            return Err(TlsError {
                                source,
                                problem: format!("cannot read it: {e}"),
                            });
                        }
                    }
                }
            };
            let parsed = parse_pem(&bytes).map_err(|problem| TlsError {
                source: source.clone(),
                problem,
            })?;
            certs.extend(parsed.into_iter().map(|cert| (source.clone(), cert)));
        }
        Ok(certs)
    }
}

/// Every certificate in PEM text; an error when there is none or one is malformed.
fn parse_pem(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("invalid PEM: {e}"))?;
    if certs.is_empty() {
        return Err("no \"BEGIN CERTIFICATE\" block in it".to_owned());
    }
    Ok(certs)
}

/// An extra CA that cannot be used: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError {
    /// The setting and file (`SSL_CERT_FILE /etc/corp.pem`) or PEM bytes it came from.
    pub source: String,
    /// What is wrong.
    pub problem: String,
}

impl TlsError {
    /// An error about `source` (for transports: e.g. a certificate rustls rejects).
    pub fn new(source: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "extra CA certificate ({}): {}",
            self.source, self.problem
        )
    }
}

impl std::error::Error for TlsError {}

/// A TLS handshake with the server that failed: which server, rustls' error as the source,
/// and, when the server's certificate was not trusted, how to trust its CA.
#[derive(Debug)]
pub struct TlsHandshakeError {
    server: String,
    source: BoxError,
}

impl TlsHandshakeError {
    /// The handshake with `server` (a host name) failed with `source`.
    pub fn new(server: &str, source: impl Into<BoxError>) -> Self {
        Self {
            server: server.to_owned(),
            source: source.into(),
        }
    }

    /// Whether the server's certificate failed verification (rather than, say, the
    /// connection closing).
    pub fn is_certificate(&self) -> bool {
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&*self.source);
        // Bounded: error chains are short.
        for _ in 0..8 {
            let Some(e) = next else { break };
            if e.to_string().contains("certificate") {
                return true;
            }
            next = e.source();
        }
        false
    }
}

impl fmt::Display for TlsHandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TLS handshake with {} failed", self.server)?;
        if self.is_certificate() {
            f.write_str(
                " (certificate verification: trust the server's CA with \
                 add_root_certificate_pem/_file, SSL_CERT_FILE or TlsRoots::Platform)",
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for TlsHandshakeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_certificates_say_which_source_is_wrong() {
        let der = b"\x30\x03\x02\x01\x01";
        let pem = format!(
            "junk before\n-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der)
        );
        let env = NetEnv::from_lookup(|n| (n == "SSL_CERT_FILE").then(|| "/corp.pem".to_owned()));
        let config = TlsConfig {
            extra_roots: vec![ExtraRoot::Pem(pem.as_bytes().into())],
            ..TlsConfig::default()
        };
        let plan = config.plan(&env);
        let certs = plan.extra_certificates(|p| {
            assert_eq!(p, Path::new("/corp.pem"));
            Ok(pem.clone().into_bytes())
        });
        assert_eq!(
            certs
                .unwrap()
                .iter()
                .map(|(_, c)| c.as_ref().to_vec())
                .collect::<Vec<_>>(),
            vec![der.to_vec(), der.to_vec()]
        );
        let missing = plan
            .extra_certificates(|_| Err(std::io::ErrorKind::NotFound.into()))
            .unwrap_err();
        assert_eq!(
            missing.to_string(),
            "extra CA certificate (SSL_CERT_FILE /corp.pem): cannot read it: entity not found"
        );
        let empty = plan
            .extra_certificates(|_| Ok(b"hello".to_vec()))
            .unwrap_err();
        assert_eq!(
            empty.to_string(),
            "extra CA certificate (SSL_CERT_FILE /corp.pem): no \"BEGIN CERTIFICATE\" block in it"
        );
        let bad = TlsConfig::default().plan(&NetEnv::empty());
        assert!(bad.extra.is_empty());
        let broken = TlsConfig {
            extra_roots: vec![ExtraRoot::Pem(
                b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"
                    .as_slice()
                    .into(),
            )],
            ..TlsConfig::default()
        };
        let e = broken
            .plan(&NetEnv::empty())
            .extra_certificates(|_| unreachable!())
            .unwrap_err();
        assert_eq!(e.source, "add_root_certificate_pem #1");
        assert!(e.problem.starts_with("invalid PEM"), "{e}");
        let io = std::io::Error::other("invalid peer certificate: UnknownIssuer");
        let e = crate::ClientError::connect(
            "https://h:1",
            crate::connect::ConnectError::tls(TlsHandshakeError::new("h", io)),
        );
        assert_eq!(
            e.to_string(),
            "cannot connect to https://h:1: TLS handshake with h failed (certificate verification: \
             trust the server's CA with add_root_certificate_pem/_file, SSL_CERT_FILE or \
             TlsRoots::Platform): invalid peer certificate: UnknownIssuer"
        );
        let closed = TlsHandshakeError::new("h", std::io::Error::other("eof"));
        assert_eq!(closed.to_string(), "TLS handshake with h failed");
        assert!(TlsRoots::Both.webpki() && TlsRoots::Both.platform());
        assert!(!TlsRoots::None.webpki() && !TlsRoots::None.platform());
    }
}

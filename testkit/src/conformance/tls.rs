//! TLS trust: a server whose certificate a CA made in the test signed ([`TlsServer`]).

use ollama_proto::net_env::NetEnv;
use ollama_proto::tls::TlsRoots;

use super::proxy::vars;
use super::*;
use crate::{TLS_VERSION, TestCa, TlsServer};

/// A PEM file with `pem`, removed when dropped.
struct TempPem(std::path::PathBuf);

impl TempPem {
    fn new(pem: &str, tag: u16) -> Self {
        let path =
            std::env::temp_dir().join(format!("testkit-ca-{}-{tag}.pem", std::process::id()));
        std::fs::write(&path, pem).unwrap();
        Self(path)
    }
}

impl Drop for TempPem {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Without the test's CA the handshake fails with a `Connect` error that names the server
/// and certificate verification; nothing reaches the server.
pub fn unknown_ca_is_a_clear_tls_error<T: Transport>(t: &T) {
    let ca = TestCa::new();
    let tls = TlsServer::start(&ca, &["localhost"]);
    let url = format!("https://localhost:{}", tls.port());
    let config = ClientConfig::new(url.parse().unwrap()).net_env(NetEnv::empty());
    for config in [config.clone(), config.tls_roots(TlsRoots::Both)] {
        match t.version(&t.client(config)).unwrap_err() {
            Failure::Connect(m) => {
                let want = format!(
                    "cannot connect to {url}: TLS handshake with localhost failed (certificate \
                     verification: trust the server's CA with add_root_certificate_pem/_file, \
                     SSL_CERT_FILE or TlsRoots::Platform)"
                );
                assert!(m.starts_with(&want), "{m}");
                assert!(m.contains("UnknownIssuer"), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(tls.requests().is_empty());
}

/// The CA added as PEM bytes or as a file (with or without the built-in roots) is trusted.
pub fn added_ca_is_trusted<T: Transport>(t: &T) {
    let ca = TestCa::new();
    let tls = TlsServer::start(&ca, &["localhost"]);
    let config = ClientConfig::new(format!("https://localhost:{}", tls.port()).parse().unwrap())
        .net_env(NetEnv::empty());
    let file = TempPem::new(&ca.pem(), tls.port());
    let configs = [
        config.clone().add_root_certificate_pem(ca.pem()),
        config
            .clone()
            .tls_roots(TlsRoots::None)
            .add_root_certificate_pem(ca.pem()),
        config.clone().add_root_certificate_file(&file.0),
    ];
    for config in configs {
        assert_eq!(t.version(&t.client(config)).unwrap(), TLS_VERSION);
    }
    let missing = config.add_root_certificate_file("/nonexistent/ca.pem");
    match t.version(&t.client(missing)).unwrap_err() {
        Failure::Connect(m) => assert!(
            m.contains("extra CA certificate (add_root_certificate_file /nonexistent/ca.pem): cannot read it"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(tls.requests().len(), 3);
}

/// `SSL_CERT_FILE` adds its CA to the roots, unless turned off.
pub fn ssl_cert_file_is_trusted<T: Transport>(t: &T) {
    let ca = TestCa::new();
    let tls = TlsServer::start(&ca, &["localhost"]);
    let file = TempPem::new(&ca.pem(), tls.port());
    let env = vars(&[("SSL_CERT_FILE", file.0.display().to_string())]);
    let config = ClientConfig::new(format!("https://localhost:{}", tls.port()).parse().unwrap())
        .net_env(env);
    assert_eq!(t.version(&t.client(config.clone())).unwrap(), TLS_VERSION);
    match t
        .version(&t.client(config.tls_cert_file_from_env(false)))
        .unwrap_err()
    {
        Failure::Connect(m) => assert!(m.contains("UnknownIssuer"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(tls.requests().len(), 1);
}

use std::sync::Arc;

use ollama_proto::ClientConfig;
use ollama_proto::connect::{ConnectError, ConnectPlan};
use ollama_proto::net_env::NetEnv;
use ollama_proto::tls::TlsRoots;

use super::ClientTls;

fn tls(config: ClientConfig) -> ClientTls {
    let plan = ConnectPlan::new(&config.net_env(NetEnv::empty())).unwrap();
    ClientTls::new(plan.tls().unwrap())
}

#[test]
fn built_once_then_shared() {
    let tls = tls(ClientConfig::new("https://h:1".parse().unwrap()));
    let (a, name) = tls.connector().unwrap();
    let (b, _) = tls.connector().unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(name.to_str(), "h");
    assert_eq!(a.alpn_protocols, vec![b"http/1.1".to_vec()]);
}

#[test]
fn a_failure_is_not_cached_and_names_the_file() {
    let path = std::env::temp_dir().join(format!("ollama-net-{}.pem", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let config = ClientConfig::new("https://h:1".parse().unwrap())
        .tls_roots(TlsRoots::None)
        .add_root_certificate_file(&path);
    let tls = tls(config);
    let Err(ConnectError::Tls(e)) = tls.connector() else {
        panic!("expected a TLS error")
    };
    assert!(e.is::<ollama_proto::tls::TlsError>(), "{e:?}");
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!(
            "extra CA certificate (add_root_certificate_file {}): cannot read it",
            path.display()
        )),
        "{shown}"
    );
    // The file appears: the next connection builds the configuration.
    std::fs::write(&path, testkit::TestCa::new().pem()).unwrap();
    let built = tls.connector();
    std::fs::remove_file(&path).unwrap();
    assert!(built.is_ok(), "{:?}", built.err());
}

#[test]
fn a_handshake_failure_says_which_server_and_how_to_trust_it() {
    let tls = tls(ClientConfig::new("https://gpu.corp:8443".parse().unwrap()));
    let e = tls.handshake_failed(std::io::Error::other(
        "invalid peer certificate: UnknownIssuer",
    ));
    assert!(matches!(e, ConnectError::Tls(_)));
    assert!(
        e.to_string()
            .starts_with("TLS handshake with gpu.corp failed (certificate verification"),
        "{e}"
    );
}

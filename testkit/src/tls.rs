//! A certificate authority made per test ([`TestCa`], rcgen) and a TLS server on loopback
//! whose certificate it signed ([`TlsServer`], rustls on std threads), for TLS and CONNECT
//! tests: it answers every request with `{"version":TLS_VERSION}` and logs what it received.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The version [`TlsServer`] reports (different from the plain stand-in's).
pub const TLS_VERSION: &str = "0.33.0-testkit-tls";

/// A certificate authority made for one test.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestCa")
    }
}

impl TestCa {
    /// A new CA named `testkit CA`.
    ///
    /// # Panics
    /// When rcgen fails (it does not for these fixed parameters).
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "testkit CA");
        let key = KeyPair::generate().expect("CA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("CA certificate");
        Self { issuer }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server configuration with a certificate for `names`, signed by this CA.
    ///
    /// # Panics
    /// When rcgen or rustls fail (they do not for valid names).
    pub fn server_config(&self, names: &[&str]) -> Arc<rustls::ServerConfig> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let params = CertificateParams::new(names).expect("server params");
        let key = KeyPair::generate().expect("server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("server certificate");
        let chain = vec![
            cert.der().clone(),
            CertificateDer::from(self.issuer.der().to_vec()),
        ];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server certificate and key");
        Arc::new(config)
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

/// A request the [`TlsServer`] received: its target and `Host` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsRequest {
    /// The request target as sent.
    pub path: String,
    /// The `Host` header.
    pub host: Option<String>,
}

/// A TLS server on `127.0.0.1`; stopped when dropped.
#[derive(Debug)]
pub struct TlsServer {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<TlsRequest>>>,
    thread: Option<JoinHandle<()>>,
}

impl TlsServer {
    /// Serves with a certificate for `names` signed by `ca`.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub fn start(ca: &TestCa, names: &[&str]) -> Self {
        let config = ca.server_config(names);
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (stop2, requests2) = (Arc::clone(&stop), Arc::clone(&requests));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (config, requests) = (Arc::clone(&config), Arc::clone(&requests2));
                std::thread::spawn(move || serve(conn, config, &requests));
            }
        });
        Self {
            port,
            stop,
            requests,
            thread: Some(thread),
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// What it received so far, in order.
    pub fn requests(&self) -> Vec<TlsRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes `accept`
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One connection: the handshake, one request head (at most 16 KiB), the answer, close.
fn serve(tcp: TcpStream, config: Arc<rustls::ServerConfig>, requests: &Mutex<Vec<TlsRequest>>) {
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    // Bounded: at most 16 KiB, and the read timeout.
    let request = loop {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return, // a client that rejected the certificate, or left
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {
                let host = req
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("host"))
                    .map(|h| String::from_utf8_lossy(h.value).into_owned());
                break TlsRequest {
                    path: req.path.unwrap_or("").to_owned(),
                    host,
                };
            }
            Ok(httparse::Status::Partial) if head.len() < 16 * 1024 => {}
            _ => return,
        }
    };
    requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request);
    let body = format!("{{\"version\":\"{TLS_VERSION}\"}}");
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tls.write_all(answer.as_bytes());
    tls.conn.send_close_notify();
    let _ = tls.flush();
    let _ = tls.sock.shutdown(Shutdown::Write);
}

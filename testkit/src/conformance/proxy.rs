//! Proxies, through a real tinyproxy ([`ProxyServer`]) that alone resolves
//! [`PROXY_ONLY_HOST`]: a request that bypassed the proxy cannot reach the server.

use ollama_proto::net_env::NetEnv;
use ollama_proto::proxy::ProxyUrl;

use super::support::*;
use super::*;
use crate::{PROXY_ONLY_HOST, PROXY_USER, ProxyServer, TLS_VERSION, TestCa, TlsRequest, TlsServer};

/// An environment with exactly `vars`.
pub(super) fn vars(vars: &[(&'static str, String)]) -> NetEnv {
    let vars = vars.to_vec();
    NetEnv::from_lookup(move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
}

/// A `Connect` failure that names the unresolvable host (the client did not use the proxy).
fn assert_unresolved(failure: Failure) {
    match failure {
        Failure::Connect(m) => assert!(m.contains(PROXY_ONLY_HOST), "{m}"),
        other => panic!("expected a connect failure, got {other:?}"),
    }
}

/// `HTTP_PROXY` sends an `http://` server's requests through a forwarding proxy (the
/// server sees the name only the proxy resolves); turning the environment off, or
/// `NO_PROXY`, connects directly (and fails to resolve the name).
pub fn http_goes_through_the_forwarding_proxy<T: Transport>(t: &T) {
    let server = TestServer::start();
    let proxy = ProxyServer::start();
    let authority = format!("{PROXY_ONLY_HOST}:{}", server.addr().port());
    let url: ollama_proto::BaseUrl = format!("http://{authority}").parse().unwrap();
    let env = vars(&[("HTTP_PROXY", proxy.url())]);
    let client = t.client(ClientConfig::new(url.clone()).net_env(env.clone()));
    assert_eq!(t.version(&client).unwrap(), crate::VERSION);
    let out = t
        .chat_stream(&client, recorded_chat(GEMMA_HELLO), None)
        .unwrap();
    assert_eq!(out.failure, None);
    let direct = t.client(config_for(&server));
    let want = t
        .chat_stream(&direct, recorded_chat(GEMMA_HELLO), None)
        .unwrap();
    assert_eq!(texts(&out.events), texts(&want.events));
    let requests = server.requests();
    assert_eq!(requests[0].path, "/api/version");
    assert_eq!(requests[0].header("host"), Some(authority.as_str()));
    assert_eq!(requests[1].path, "/api/chat");

    let off = ClientConfig::new(url.clone())
        .net_env(env)
        .proxy_from_env(false);
    assert_unresolved(t.version(&t.client(off)).unwrap_err());
    let listed = vars(&[
        ("http_proxy", proxy.url()),
        ("no_proxy", ".test".to_owned()),
    ]);
    assert_unresolved(
        t.version(&t.client(ClientConfig::new(url).net_env(listed)))
            .unwrap_err(),
    );
    assert_eq!(server.requests().len(), 3);
}

/// An explicit proxy with basic auth works; wrong or missing credentials are a typed
/// [`Failure::Proxy`] naming the proxy (tinyproxy rejects credentials with 401, asks for
/// them with 407).
pub fn forwarding_proxy_basic_auth<T: Transport>(t: &T) {
    let server = TestServer::start();
    let proxy = ProxyServer::with_auth();
    let url: ollama_proto::BaseUrl = format!("http://{PROXY_ONLY_HOST}:{}", server.addr().port())
        .parse()
        .unwrap();
    let with = |proxy_url: &str| {
        let config = ClientConfig::new(url.clone())
            .net_env(NetEnv::empty())
            .proxy(ProxyUrl::parse(proxy_url).unwrap());
        t.version(&t.client(config))
    };
    let (user, password) = PROXY_USER;
    assert_eq!(
        with(&proxy.url_with(user, password)).unwrap(),
        crate::VERSION
    );
    assert_eq!(
        with(&proxy.url_with(user, "wrong")).unwrap_err(),
        Failure::Proxy(format!("proxy {}: credentials rejected (401)", proxy.url()))
    );
    assert_eq!(
        with(&proxy.url()).unwrap_err(),
        Failure::Proxy(format!(
            "proxy {}: authentication required (407); give user:password in the proxy URL",
            proxy.url()
        ))
    );
    assert_eq!(server.requests().len(), 1);
}

/// `HTTPS_PROXY` opens a CONNECT tunnel (with basic auth) to a TLS server known only to
/// the proxy, and TLS runs end to end with the server's name; bad credentials are a typed
/// [`Failure::Proxy`].
pub fn https_goes_through_a_connect_tunnel<T: Transport>(t: &T) {
    let ca = TestCa::new();
    let tls = TlsServer::start(&ca, &[PROXY_ONLY_HOST]);
    let proxy = ProxyServer::with_auth();
    let authority = format!("{PROXY_ONLY_HOST}:{}", tls.port());
    let url: ollama_proto::BaseUrl = format!("https://{authority}").parse().unwrap();
    let (user, password) = PROXY_USER;
    let config = |proxy_url: String| {
        ClientConfig::new(url.clone())
            .net_env(vars(&[("HTTPS_PROXY", proxy_url)]))
            .add_root_certificate_pem(ca.pem())
    };
    let client = t.client(config(proxy.url_with(user, password)));
    assert_eq!(t.version(&client).unwrap(), TLS_VERSION);
    assert_eq!(
        tls.requests(),
        vec![TlsRequest {
            path: "/api/version".to_owned(),
            host: Some(authority)
        }]
    );
    assert_eq!(
        t.version(&t.client(config(proxy.url_with(user, "wrong"))))
            .unwrap_err(),
        Failure::Proxy(format!("proxy {}: credentials rejected (401)", proxy.url()))
    );
    assert_unresolved(
        t.version(&t.client(config(proxy.url()).proxy_from_env(false)))
            .unwrap_err(),
    );
    assert_eq!(tls.requests().len(), 1);
}

/// A proxy that cannot be reached is a typed [`Failure::Proxy`] naming it (the step of the
/// connect plan that failed), for a forwarding proxy and for a tunnel alike; nothing is
/// retried without a retry policy.
pub fn an_unreachable_proxy_is_a_proxy_error<T: Transport>(t: &T) {
    // A port nothing listens on: bound, then closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let proxy = format!("http://127.0.0.1:{port}");
    for server in ["http://remote.test:11434", "https://remote.test"] {
        let config = ClientConfig::new(server.parse().unwrap())
            .net_env(NetEnv::empty())
            .proxy(ProxyUrl::parse(&proxy).unwrap());
        match t.version(&t.client(config)).unwrap_err() {
            Failure::Proxy(m) => {
                let want = format!("proxy {proxy}: cannot connect: ");
                assert!(m.starts_with(&want), "{server}: {m}");
            }
            other => panic!("{server}: expected a proxy failure, got {other:?}"),
        }
    }
}

use super::*;
use crate::net_env::NetEnv;

fn plan(url: &str, var: &str, proxy: &str) -> ConnectPlan {
    let (var, proxy) = (var.to_owned(), proxy.to_owned());
    let env = NetEnv::from_lookup(move |name| (name == var).then(|| proxy.clone()));
    ConnectPlan::new(&ClientConfig::new(url.parse().unwrap()).net_env(env)).unwrap()
}

#[test]
fn each_route_is_one_plan() {
    let forward = plan("http://remote:11434", "HTTP_PROXY", "http://u:p@proxy:3128");
    assert_eq!(forward.dial(), ("proxy", 3128));
    assert_eq!(forward.target_form(), TargetForm::Absolute);
    assert_eq!(
        forward.forward_proxy().map(ToString::to_string).as_deref(),
        Some("http://proxy:3128")
    );
    assert!(forward.tunnel().is_none() && forward.tls().is_none());
    assert_eq!(
        forward.pool_key(),
        "http://remote:11434 via http://proxy:3128"
    );

    let tunnel = plan("https://remote", "HTTPS_PROXY", "proxy:8080");
    assert_eq!(tunnel.dial(), ("proxy", 8080));
    assert_eq!(tunnel.target_form(), TargetForm::Origin);
    assert!(tunnel.forward_proxy().is_none());
    assert_eq!(
        tunnel.tunnel().unwrap().request(),
        b"CONNECT remote:443 HTTP/1.1\r\nHost: remote:443\r\n\r\n"
    );
    assert_eq!(tunnel.tls().unwrap().server_name, "remote");

    let direct = plan("https://remote:8443", "HTTP_PROXY", "proxy:1");
    assert_eq!(direct.dial(), ("remote", 8443));
    assert_eq!(direct.route(), &Route::Direct);
    assert_eq!(direct.pool_key(), "https://remote:8443");
    assert_eq!(direct.server().port(), 8443);
    let uri: http::Uri = "http://remote:11434/api/chat?x=1".parse().unwrap();
    assert_eq!(TargetForm::Origin.uri(&uri), "/api/chat?x=1");
    assert_eq!(TargetForm::Absolute.uri(&uri), uri);
    let bare: http::Uri = "http://remote:11434".parse().unwrap();
    assert_eq!(TargetForm::Origin.uri(&bare), "/");
}

#[test]
fn each_step_fails_typed() {
    let refused = || std::io::Error::other("refused");
    let direct = plan("http://h:1", "HTTP_PROXY", "");
    assert!(matches!(
        direct.dial_failed(refused()),
        ConnectError::Server(_)
    ));
    let forward = plan("http://h:1", "HTTP_PROXY", "proxy:2");
    let ConnectError::Proxy(e) = forward.dial_failed(refused()) else {
        panic!("expected a proxy error")
    };
    assert_eq!(
        e.to_string(),
        "proxy http://proxy:2: cannot connect: refused"
    );
    let mut tunnel = plan("https://h", "HTTPS_PROXY", "proxy:2")
        .tunnel()
        .unwrap();
    let closed = tunnel.on_read(b"").unwrap_err();
    assert_eq!(
        closed.to_string(),
        "proxy http://proxy:2: closed the connection before answering CONNECT"
    );
    assert!(
        tunnel.on_read(b"HTTP/1.1 200 OK\r\n\r\n").is_err(),
        "nothing after the end"
    );
    let tls = ConnectError::tls("no rustls");
    assert_eq!(tls.to_string(), "no rustls");
    assert!(matches!(
        ConnectError::tunnel(refused()),
        ConnectError::Tunnel(_)
    ));
}

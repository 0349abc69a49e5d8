use super::*;
use crate::ClientConfig;

fn env(vars: &[(&str, &str)]) -> NetEnv {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    NetEnv::from_lookup(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

fn route(config: &ProxyConfig, url: &str, e: &NetEnv) -> Result<Route, ConfigError> {
    config.route(&BaseUrl::parse(url).unwrap(), e)
}

fn proxy(s: &str) -> ProxyUrl {
    ProxyUrl::parse(s).unwrap()
}

#[test]
fn environment_variables_by_scheme_and_precedence() {
    let c = ProxyConfig::default();
    let e = env(&[
        ("HTTP_PROXY", "p1:1"),
        ("HTTPS_PROXY", "p2:2"),
        ("ALL_PROXY", "p3:3"),
    ]);
    assert_eq!(
        route(&c, "http://h:1", &e).unwrap(),
        Route::Forward(proxy("p1:1"))
    );
    assert_eq!(
        route(&c, "https://h:1", &e).unwrap(),
        Route::Tunnel(proxy("p2:2"))
    );
    let all = env(&[("all_proxy", "p3:3")]);
    assert_eq!(
        route(&c, "http://h:1", &all).unwrap(),
        Route::Forward(proxy("p3:3"))
    );
    assert_eq!(
        route(&c, "https://h:1", &all).unwrap(),
        Route::Tunnel(proxy("p3:3"))
    );
    // Lower case first, as curl.
    let both = env(&[("http_proxy", "low:1"), ("HTTP_PROXY", "up:1")]);
    assert_eq!(
        route(&c, "http://h:1", &both).unwrap(),
        Route::Forward(proxy("low:1"))
    );
    // CGI: HTTP_PROXY may come from a request header.
    let cgi = env(&[("HTTP_PROXY", "evil:1"), ("REQUEST_METHOD", "GET")]);
    assert_eq!(route(&c, "http://h:1", &cgi).unwrap(), Route::Direct);
    // Empty means unset.
    let empty = env(&[("http_proxy", " "), ("HTTP_PROXY", "up:1")]);
    assert_eq!(
        route(&c, "http://h:1", &empty).unwrap(),
        Route::Forward(proxy("up:1"))
    );
    assert_eq!(
        route(&c, "http://h:1", &NetEnv::empty()).unwrap(),
        Route::Direct
    );
}

#[test]
fn environment_turned_off_and_explicit_proxy() {
    let e = env(&[("ALL_PROXY", "envp:1")]);
    let off = ProxyConfig {
        from_env: false,
        ..ProxyConfig::default()
    };
    assert_eq!(route(&off, "http://h:1", &e).unwrap(), Route::Direct);
    let explicit = ProxyConfig {
        proxy: Some(proxy("mine:9")),
        from_env: false,
        ..ProxyConfig::default()
    };
    // An explicit proxy is used even for loopback, and NO_PROXY from the env does not apply.
    let e = env(&[("NO_PROXY", "*")]);
    assert_eq!(
        route(&explicit, "http://127.0.0.1:1", &e).unwrap(),
        Route::Forward(proxy("mine:9"))
    );
    assert_eq!(
        route(&explicit, "https://localhost", &e).unwrap(),
        Route::Tunnel(proxy("mine:9"))
    );
    let with_list = ProxyConfig {
        no_proxy: Some(NoProxy::parse("gpu").unwrap()),
        ..explicit
    };
    assert_eq!(
        route(&with_list, "http://gpu:1", &e).unwrap(),
        Route::Direct
    );
    assert_eq!(
        route(&with_list, "http://cpu:1", &e).unwrap(),
        Route::Forward(proxy("mine:9"))
    );
}

#[test]
fn loopback_is_direct_with_an_environment_proxy() {
    let c = ProxyConfig::default();
    let e = env(&[("ALL_PROXY", "p:1")]);
    for host in [
        "http://localhost:1",
        "http://LOCALHOST.:1",
        "http://a.localhost:1",
        "http://127.0.0.1",
        "http://127.9.8.7",
        "http://[::1]:5",
    ] {
        assert_eq!(route(&c, host, &e).unwrap(), Route::Direct, "{host}");
    }
    for host in [
        "http://localhost.evil:1",
        "http://128.0.0.1",
        "http://[::2]:5",
    ] {
        assert_eq!(
            route(&c, host, &e).unwrap(),
            Route::Forward(proxy("p:1")),
            "{host}"
        );
    }
}

#[test]
fn no_proxy_rules() {
    let list = NoProxy::parse(
        " example.com ,.corp, *.wild, 10.0.0.0/8,192.168.1.7, fd00::/8, [::5]:99, port:81, .",
    )
    .unwrap();
    let yes = [
        ("example.com", 1),
        ("EXAMPLE.COM.", 1),
        ("a.example.com", 1),
        ("corp", 1),
        ("x.corp", 1),
        ("wild", 1),
        ("a.wild", 1),
        ("10.255.0.1", 1),
        ("192.168.1.7", 1),
        ("fd12::1", 1),
        ("::5", 99),
        ("port", 81),
        ("::ffff:10.0.0.1", 1),
    ];
    for (h, p) in yes {
        assert!(list.matches(h, p), "{h}:{p}");
    }
    let no = [
        ("notexample.com", 1),
        ("example.com.evil", 1),
        ("11.0.0.1", 1),
        ("192.168.1.8", 1),
        ("fe00::1", 1),
        ("::5", 98),
        ("port", 80),
        ("", 1),
    ];
    for (h, p) in no {
        assert!(!list.matches(h, p), "{h}:{p}");
    }
    assert!(NoProxy::parse("*").unwrap().matches("anything", 7));
    assert!(!NoProxy::parse("").unwrap().matches("anything", 7));
    assert_eq!(
        NoProxy::parse("10.0.0.0/33"),
        Err(NoProxyError::BadPrefix("10.0.0.0/33".into()))
    );
    assert_eq!(
        NoProxy::parse("::/129"),
        Err(NoProxyError::BadPrefix("::/129".into()))
    );
    assert_eq!(
        NoProxy::parse("host/8"),
        Err(NoProxyError::BadPrefix("host/8".into()))
    );
    assert_eq!(
        NoProxy::parse("h:0"),
        Err(NoProxyError::BadPort("h:0".into()))
    );
    assert_eq!(
        NoProxy::parse("h:+1"),
        Err(NoProxyError::BadPort("h:+1".into()))
    );
    assert!(NoProxy::parse("0.0.0.0/0").unwrap().matches("1.2.3.4", 1));
}

#[test]
fn env_no_proxy_applies_and_bad_values_name_their_variable() {
    let c = ProxyConfig::default();
    let e = env(&[("HTTPS_PROXY", "p:1"), ("no_proxy", "ollama.com")]);
    assert_eq!(route(&c, "https://ollama.com", &e).unwrap(), Route::Direct);
    assert_eq!(
        route(&c, "https://other.com", &e).unwrap(),
        Route::Tunnel(proxy("p:1"))
    );
    let bad = env(&[("HTTPS_PROXY", "socks5://p:1")]);
    let err = route(&c, "https://h", &bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "HTTPS_PROXY: unsupported proxy scheme \"socks5\" (only http:// proxies are supported)"
    );
    let bad = env(&[("https_proxy", "p:1"), ("NO_PROXY", "1.2.3.4/40")]);
    let err = route(&c, "https://h", &bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "NO_PROXY: no-proxy entry \"1.2.3.4/40\": not a valid CIDR block"
    );
    // A bad variable that does not apply (http) is not read.
    let bad = env(&[("HTTP_PROXY", "socks5://p:1")]);
    assert_eq!(route(&c, "https://h", &bad).unwrap(), Route::Direct);
}

#[test]
fn proxy_urls_parse_strictly_and_never_show_credentials() {
    let p = ProxyUrl::parse("HTTP://Us%65r:p%40ss:w@Proxy.Corp:3128").unwrap();
    assert_eq!((p.host(), p.port()), ("proxy.corp", 3128));
    let c = p.credentials().unwrap();
    assert_eq!((c.user(), c.password()), ("User", "p@ss:w"));
    assert_eq!(p.to_string(), "http://proxy.corp:3128");
    assert!(!format!("{p:?}").contains("ss"));
    // "User:p@ss:w"
    assert_eq!(
        p.authorization().unwrap().to_str().unwrap(),
        "Basic VXNlcjpwQHNzOnc="
    );
    assert!(p.authorization().unwrap().is_sensitive());
    assert_eq!(
        ProxyUrl::parse("u@h")
            .unwrap()
            .credentials()
            .unwrap()
            .password(),
        ""
    );
    let cases = [
        (
            "https://p:1",
            ProxyUrlError::UnsupportedScheme("https".into()),
        ),
        ("http://:1", ProxyUrlError::EmptyHost),
        ("http://u:secret@", ProxyUrlError::EmptyHost),
        ("http://p:0", ProxyUrlError::BadPort("0".into())),
        ("http://p:65536", ProxyUrlError::BadPort("65536".into())),
        ("http://p:x", ProxyUrlError::BadPort("x".into())),
        ("http://p:1/path", ProxyUrlError::Path("/path".into())),
        (
            "http://bad host:1",
            ProxyUrlError::BadHost("bad host".into()),
        ),
        ("http://[::g]:1", ProxyUrlError::BadHost("::g".into())),
        ("http://[::1]x", ProxyUrlError::BadHost("[::1]x".into())),
        ("http://%ff@p", ProxyUrlError::BadCredentials),
    ];
    for (input, want) in cases {
        let got = ProxyUrl::parse(input).unwrap_err();
        assert_eq!(got, want, "{input}");
        assert!(!got.to_string().contains("secret"));
    }
}

#[test]
fn tunnel_handshake_answers() {
    let target = BaseUrl::parse("https://[::1]:8443").unwrap();
    let anon = proxy("p:1");
    let mut t = Tunnel::new(&anon, &target);
    assert_eq!(
        t.request(),
        b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n"
    );
    // One byte at a time.
    let answer = b"HTTP/1.0 200 OK\r\nVia: x\r\n\r\n";
    for (i, b) in answer.iter().enumerate() {
        assert_eq!(t.feed(&[*b]).unwrap(), i == answer.len() - 1);
    }
    assert!(matches!(
        t.feed(b"x").unwrap_err().kind,
        ProxyErrorKind::InvalidAnswer(_)
    ));

    let feed = |bytes: &[u8]| Tunnel::new(&anon, &target).feed(bytes).unwrap_err();
    let e =
        feed(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n");
    assert!(matches!(
        e.kind,
        ProxyErrorKind::AuthRequired {
            status: 407,
            sent_credentials: false
        }
    ));
    assert_eq!(
        e.to_string(),
        "proxy http://p:1: authentication required (407); give user:password in the proxy URL"
    );
    let e = feed(b"HTTP/1.0 401 Unauthorized\r\n\r\n");
    assert!(matches!(
        e.kind,
        ProxyErrorKind::AuthRequired {
            status: 401,
            sent_credentials: false
        }
    ));
    let e = feed(b"HTTP/1.1 403 Filtered\r\n\r\n");
    assert_eq!(
        e.to_string(),
        "proxy http://p:1: refused the tunnel: 403 Filtered"
    );
    let e = feed(b"SSH-2.0-OpenSSH\r\n\r\n");
    assert!(matches!(e.kind, ProxyErrorKind::InvalidAnswer(_)), "{e}");
    let e = feed(b"HTTP/1.1 200 OK\r\n\r\n\x16\x03");
    assert_eq!(
        e.to_string(),
        "proxy http://p:1: invalid answer to CONNECT: bytes after the CONNECT answer"
    );
    let mut t = Tunnel::new(&anon, &target);
    assert!(!t.feed(b"HTTP/1.1 200 OK\r\nX: ").unwrap());
    let e = t.feed(&vec![b'a'; MAX_TUNNEL_HEAD]).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("proxy http://p:1: invalid answer to CONNECT: longer than {MAX_TUNNEL_HEAD} bytes")
    );
    assert_eq!(
        t.closed().to_string(),
        "proxy http://p:1: closed the connection before answering CONNECT"
    );
}

#[test]
fn forwarded_auth_answers_are_the_proxys() {
    let p = proxy("u:p@p:1");
    let mut h = http::HeaderMap::new();
    assert!(ProxyError::from_forwarded(&p, 401, &h).is_none()); // Ollama's own 401
    assert!(ProxyError::from_forwarded(&p, 502, &h).is_none());
    let e = ProxyError::from_forwarded(&p, 407, &h).unwrap();
    assert_eq!(
        e.to_string(),
        "proxy http://p:1: credentials rejected (407)"
    );
    let www = http::header::WWW_AUTHENTICATE;
    h.insert(&www, http::HeaderValue::from_static("Bearer x"));
    assert!(ProxyError::from_forwarded(&p, 401, &h).is_none());
    // tinyproxy, credentials rejected.
    h.insert(
        &www,
        http::HeaderValue::from_static("Basic realm=\"Tinyproxy\""),
    );
    assert!(ProxyError::from_forwarded(&p, 401, &h).is_some());
    // Without proxy credentials, a Basic challenge is the server's.
    assert!(ProxyError::from_forwarded(&proxy("p:1"), 401, &h).is_none());
    let mut h = http::HeaderMap::new();
    h.insert(
        http::header::PROXY_AUTHENTICATE,
        http::HeaderValue::from_static("Basic"),
    );
    assert!(ProxyError::from_forwarded(&proxy("p:1"), 401, &h).is_some());
    // Through ClientError: typed by the connect step, not Connect or Io.
    let e = crate::ClientError::connect(
        "http://h:1",
        ProxyError::from_forwarded(&p, 407, &http::HeaderMap::new())
            .unwrap()
            .into(),
    );
    assert_eq!(e.kind_str(), "proxy");
    assert!(e.as_proxy().is_some());
    let unreachable = ProxyError::unreachable(&p, std::io::Error::other("refused"));
    let e = crate::ClientError::connect("http://h:1", unreachable.into());
    assert_eq!(e.to_string(), "proxy http://p:1: cannot connect: refused");
}

#[test]
fn client_config_network_reads_the_given_environment() {
    let e = env(&[("HTTP_PROXY", "p:1"), ("SSL_CERT_FILE", "/etc/corp.pem")]);
    let config = ClientConfig::new(BaseUrl::parse("http://remote:11434").unwrap()).net_env(e);
    let n = config.network().unwrap();
    assert_eq!(n.route, Route::Forward(proxy("p:1")));
    assert_eq!(
        format!("{:?}", n.tls.extra),
        "[File(/etc/corp.pem, from SSL_CERT_FILE)]"
    );
    let off = config
        .proxy_from_env(false)
        .tls_cert_file_from_env(false)
        .network()
        .unwrap();
    assert_eq!(off.route, Route::Direct);
    assert!(off.tls.extra.is_empty());
}

mod total {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Parsing never panics, and a parsed proxy URL's display parses back to the same
        /// host and port.
        #[test]
        fn proxy_urls_and_lists_never_panic(input in "\\PC{0,40}") {
            if let Ok(p) = ProxyUrl::parse(&input) {
                let again = ProxyUrl::parse(&p.to_string()).unwrap();
                prop_assert_eq!((again.host(), again.port()), (p.host(), p.port()));
            }
            if let Ok(list) = NoProxy::parse(&input) {
                let _ = list.matches(&input, 1);
            }
        }

        /// The CONNECT answer parser never panics and never holds more than its limit.
        #[test]
        fn tunnel_feed_never_panics(pieces in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..600), 0..40)) {
            let mut t = Tunnel::new(&proxy("p:1"), &BaseUrl::default());
            for piece in &pieces {
                match t.feed(piece) {
                    Ok(false) => {}
                    Ok(true) | Err(_) => break,
                }
            }
        }
    }
}

#[test]
fn only_http_and_https_can_be_spoken() {
    let env = NetEnv::from_lookup(|_| None);
    for (base, https) in [("http://h:1", false), ("https://h:2", true)] {
        let config = ClientConfig::new(BaseUrl::parse(base).unwrap()).net_env(env.clone());
        assert_eq!(config.network().unwrap().https, https, "{base}");
    }
    // `BaseUrl::new` takes any scheme: the client refuses it before connecting.
    let config = ClientConfig::new(BaseUrl::new("ftp", "h", 21)).net_env(env);
    assert_eq!(
        config.network().unwrap_err().to_string(),
        "base URL: invalid host \"ftp://h:21\": scheme \"ftp\" is not http or https"
    );
}

//! `OLLAMA_HOST` parsing: every valid row of upstream's `envconfig` table (reference §9.1),
//! the client-side fixes, then the values we refuse and what the errors say.

#![allow(clippy::unwrap_used)]

use ollama_proto::host::{BaseUrl, EnvError, Environment, HostError, IntoBaseUrl};
use proptest::prelude::*;

fn parsed(s: &str) -> String {
    match BaseUrl::parse(s) {
        Ok(url) => url.to_string(),
        Err(e) => panic!("OLLAMA_HOST={s:?}: {e}"),
    }
}

#[test]
fn go_client_table() {
    // (OLLAMA_HOST, result): `TestHost` in upstream's envconfig/config_test.go, plus the
    // reference's rows. Rows whose Go result has an empty host (`:1234`, `:0`) or an unspecified
    // address (`[::]`, 0.0.0.0) are in `client_side_fixes`, because we map those to loopback;
    // the bad-port rows (`:66000`, `:-1`, a warning and the default port in Go) are errors
    // here, see `bad_ports`.
    let table = [
        ("", "http://127.0.0.1:11434"),
        ("1.2.3.4", "http://1.2.3.4:11434"),
        ("1.2.3.4:1234", "http://1.2.3.4:1234"),
        ("example.com", "http://example.com:11434"),
        ("example.com:1234", "http://example.com:1234"),
        ("[::1]", "http://[::1]:11434"),
        ("::1", "http://[::1]:11434"),
        ("[::1]:1337", "http://[::1]:1337"),
        (" 1.2.3.4 ", "http://1.2.3.4:11434"),
        ("\"1.2.3.4\"", "http://1.2.3.4:11434"),
        (" \" 1.2.3.4 \" ", "http://1.2.3.4:11434"),
        ("'1.2.3.4'", "http://1.2.3.4:11434"),
        ("http://1.2.3.4", "http://1.2.3.4:80"),
        ("http://1.2.3.4:4321", "http://1.2.3.4:4321"),
        ("https://1.2.3.4", "https://1.2.3.4:443"),
        ("https://1.2.3.4:4321", "https://1.2.3.4:4321"),
        (
            "https://example.com/ollama",
            "https://example.com:443/ollama",
        ),
        ("ollama.com", "https://ollama.com:443"),
        ("ollama.com:443", "http://ollama.com:443"),
        ("\" 1.2.3.4 \"", "http://1.2.3.4:11434"),
    ];
    for (input, expected) in table {
        assert_eq!(parsed(input), expected, "OLLAMA_HOST={input:?}");
    }
}

#[test]
fn client_side_fixes() {
    let table = [
        // Empty host without a scheme → 127.0.0.1 (Go would give `http://:1234`).
        (":1234", "http://127.0.0.1:1234"),
        (":0", "http://127.0.0.1:0"),
        (":", "http://127.0.0.1:11434"),
        ("/ollama", "http://127.0.0.1:11434/ollama"),
        // Unspecified → loopback, port kept.
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("http://0.0.0.0", "http://127.0.0.1:80"),
        ("::", "http://[::1]:11434"),
        ("[::]", "http://[::1]:11434"),
        ("[::]:8080", "http://[::1]:8080"),
        ("https://[::]:9000/x", "https://[::1]:9000/x"),
        ("[0:0:0:0:0:0:0:0]:1", "http://[::1]:1"),
    ];
    for (input, expected) in table {
        assert_eq!(parsed(input), expected, "OLLAMA_HOST={input:?}");
    }
}

#[test]
fn schemes_ports_and_whitespace() {
    let table = [
        ("http://example.com:8080", "http://example.com:8080"),
        ("https://example.com:8443", "https://example.com:8443"),
        // An empty port is the default, as in a URL.
        ("https://example.com:", "https://example.com:443"),
        ("example.com:65535", "http://example.com:65535"),
        // Go's ParseInt: a sign is allowed.
        ("example.com:+80", "http://example.com:80"),
        ("example.com:0", "http://example.com:0"),
        ("  \t1.2.3.4\n", "http://1.2.3.4:11434"),
        ("\"'  1.2.3.4:5 '\"", "http://1.2.3.4:5"),
        ("Ollama.com", "http://Ollama.com:11434"),
        ("https://ollama.com", "https://ollama.com:443"),
    ];
    for (input, expected) in table {
        assert_eq!(parsed(input), expected, "OLLAMA_HOST={input:?}");
    }
}

#[test]
fn ipv6_forms() {
    let table = [
        ("[::1]:1337", "::1", 1337),
        ("fe80::1", "fe80::1", 11434),
        ("[fe80::1]", "fe80::1", 11434),
        ("http://[2001:db8::1]", "2001:db8::1", 80),
        ("https://[2001:db8::1]:8443/p", "2001:db8::1", 8443),
        // Normalised like Go's net.IP.String() when parsed in the fallback branch.
        ("0:0:0:0:0:0:0:1", "::1", 11434),
        ("::ffff:1.2.3.4", "1.2.3.4", 11434),
        // Kept as written when SplitHostPort succeeds.
        ("[0:0::1]:80", "0:0::1", 80),
    ];
    for (input, host, port) in table {
        let url = BaseUrl::parse(input).unwrap();
        assert_eq!(
            (url.host(), url.port()),
            (host, port),
            "OLLAMA_HOST={input:?}"
        );
    }
    assert_eq!(parsed("[::1]"), "http://[::1]:11434");
}

#[test]
fn path_prefixes() {
    let table = [
        (
            "https://example.com/ollama",
            "/ollama",
            "https://example.com:443/ollama",
        ),
        (
            "https://example.com/ollama/",
            "/ollama",
            "https://example.com:443/ollama",
        ),
        ("https://example.com/", "", "https://example.com:443"),
        ("example.com/a/b", "/a/b", "http://example.com:11434/a/b"),
        (
            "example.com:99//a//b//",
            "/a/b",
            "http://example.com:99/a/b",
        ),
        (
            "http://h/a b?c#d",
            "/a%20b%3Fc%23d",
            "http://h:80/a%20b%3Fc%23d",
        ),
        ("http://h/%41", "/%41", "http://h:80/%41"),
    ];
    for (input, prefix, display) in table {
        let url = BaseUrl::parse(input).unwrap();
        assert_eq!(url.path_prefix(), prefix, "OLLAMA_HOST={input:?}");
        assert_eq!(url.to_string(), display, "OLLAMA_HOST={input:?}");
    }
    let url = BaseUrl::parse("https://example.com:443/ollama").unwrap();
    assert_eq!(
        url.url("/api/chat"),
        "https://example.com:443/ollama/api/chat"
    );
    assert_eq!(
        BaseUrl::default().url("/api/tags"),
        "http://127.0.0.1:11434/api/tags"
    );
}

#[test]
fn defaults_and_ollama_com() {
    let d = BaseUrl::default();
    assert_eq!(d.to_string(), "http://127.0.0.1:11434");
    assert_eq!(
        (d.scheme(), d.host(), d.port(), d.path_prefix()),
        ("http", "127.0.0.1", 11434, "")
    );
    assert_eq!(BaseUrl::parse(""), Ok(d.clone()));
    assert_eq!("".parse::<BaseUrl>(), Ok(d.clone()));
    assert_eq!(BaseUrl::try_from(String::new()), Ok(d.clone()));
    let is_com = |s: &str| BaseUrl::parse(s).unwrap().is_ollama_com();
    assert!(is_com("ollama.com"));
    assert!(is_com("ollama.com:443"));
    assert!(is_com("https://OLLAMA.COM"));
    assert!(!is_com("api.ollama.com"));
    assert!(!d.is_ollama_com());
    assert_eq!(BaseUrl::ollama_com().to_string(), "https://ollama.com:443");
}

#[test]
fn environment_from_vars() {
    let env = Environment::from_vars(None, None).unwrap();
    assert_eq!(env.base_url, BaseUrl::default());
    assert_eq!(env.api_key, None);

    let env = Environment::from_vars(Some("0.0.0.0:1234"), Some("  sk-123\n")).unwrap();
    assert_eq!(env.base_url.to_string(), "http://127.0.0.1:1234");
    assert_eq!(
        env.api_key.as_ref().map(|k| k.expose_secret()),
        Some("sk-123")
    );

    for empty in ["", "   ", "\"\""] {
        assert_eq!(
            Environment::from_vars(Some(""), Some(empty))
                .unwrap()
                .api_key,
            None,
            "{empty:?}"
        );
    }
    // A key is kept whatever the host (it is only ever sent to that host).
    let env = Environment::from_vars(Some("http://localhost:11434"), Some("k")).unwrap();
    assert!(env.api_key.is_some());

    // An invalid OLLAMA_HOST is an error that names the variable, never a silent default.
    let e = Environment::from_vars(Some("localhost:notaport"), None).unwrap_err();
    assert_eq!(e.var(), "OLLAMA_HOST");
    assert!(matches!(
        &e,
        EnvError::InvalidHost {
            error: HostError::BadPort { .. },
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        r#"OLLAMA_HOST="localhost:notaport" is not a valid host: port "notaport" is not a number from 0 to 65535"#
    );
    let source = std::error::Error::source(&e).unwrap();
    assert!(source.downcast_ref::<HostError>().is_some());
}

#[test]
fn bad_ports() {
    for (input, port) in [
        ("localhost:notaport", "notaport"),
        (":66000", "66000"),
        (":-1", "-1"),
        ("example.com:65536", "65536"),
        ("example.com:abc", "abc"),
        ("example.com:8o", "8o"),
        ("https://[::1]:99999/x", "99999"),
        ("ollama.com:4430000", "4430000"),
        ("user:pass@host", "pass@host"),
    ] {
        let want = HostError::BadPort {
            input: input.to_owned(),
            port: port.to_owned(),
        };
        if input.contains('@') {
            // User info is not supported: the `@` is caught before the port.
            assert!(
                matches!(BaseUrl::parse(input), Err(HostError::BadHost { .. })),
                "{input:?}"
            );
            continue;
        }
        assert_eq!(BaseUrl::parse(input), Err(want), "{input:?}");
    }
}

#[test]
fn refused_values_say_what_and_where() {
    // (input, the error's Display)
    let table = [
        (
            "htp://bad host",
            r#"invalid host "htp://bad host": scheme "htp" is not http or https"#,
        ),
        (
            "HTTP://1.2.3.4",
            r#"invalid host "HTTP://1.2.3.4": scheme "HTTP" is not http or https"#,
        ),
        (
            "unix://sock",
            r#"invalid host "unix://sock": scheme "unix" is not http or https"#,
        ),
        (
            "://h",
            r#"invalid host "://h": scheme "" is not http or https"#,
        ),
        (
            "localhost:notaport",
            r#"invalid host "localhost:notaport": port "notaport" is not a number from 0 to 65535"#,
        ),
        (
            "bad host",
            r#"invalid host "bad host": whitespace at byte 3"#,
        ),
        (
            " http://bad\thost:1/x",
            r#"invalid host " http://bad\thost:1/x": whitespace at byte 11"#,
        ),
        (
            "localhost :11434",
            r#"invalid host "localhost :11434": whitespace at byte 9"#,
        ),
        (
            "http://",
            r#"invalid host "http://": no host after the scheme"#,
        ),
        (
            "http://:8080",
            r#"invalid host "http://:8080": no host after the scheme"#,
        ),
        (
            "https:///ollama",
            r#"invalid host "https:///ollama": no host after the scheme"#,
        ),
        (
            "user@host:1",
            r#"invalid host "user@host:1": "user@host:1" is not an ASCII host name or an IP address"#,
        ),
        (
            "[::1]x",
            r#"invalid host "[::1]x": "[::1]x" is not an ASCII host name or an IP address"#,
        ),
        (
            "a:b:c",
            r#"invalid host "a:b:c": "a:b:c" is not an ASCII host name or an IP address"#,
        ),
        (
            "http://h?x=1",
            r#"invalid host "http://h?x=1": "h?x=1" is not an ASCII host name or an IP address"#,
        ),
        (
            "bücher.de",
            r#"invalid host "bücher.de": "bücher.de" is not an ASCII host name or an IP address"#,
        ),
    ];
    for (input, shown) in table {
        let e = BaseUrl::parse(input).unwrap_err();
        assert_eq!(e.to_string(), shown, "{input:?}");
        assert_eq!(e.input(), input);
        assert_eq!(input.parse::<BaseUrl>(), Err(e.clone()));
        assert_eq!(input.into_base_url(), Err(e));
    }
    // The variants name the problem.
    assert!(matches!(
        BaseUrl::parse("htp://bad host"),
        Err(HostError::BadScheme { scheme, .. }) if scheme == "htp"
    ));
    assert!(matches!(
        BaseUrl::parse("bad host"),
        Err(HostError::Whitespace { at: 3, .. })
    ));
    assert!(matches!(
        BaseUrl::parse("http://"),
        Err(HostError::EmptyHost { .. })
    ));
    assert!(matches!(
        BaseUrl::parse("a@b"),
        Err(HostError::BadHost { host, .. }) if host == "a@b"
    ));
    // Spaces in the path are not refused: they are percent-encoded, as Go does.
    assert_eq!(parsed("http://h/a b"), "http://h:80/a%20b");
}

proptest! {
    /// Any value parses or is refused without a panic, an error keeps the input, and a parsed
    /// URL's display parses back to the same URL. (Quotes are left out of the alphabet: a
    /// path ending in `'` would be trimmed on the way back, as `OLLAMA_HOST` values are.)
    #[test]
    fn parse_is_total_and_display_round_trips(
        scheme in prop::sample::select(vec!["", "http://", "https://", "htp://", "://"]),
        rest in "[a-z0-9:/\\[\\]@.%_ ~-]{0,24}",
    ) {
        let input = format!("{scheme}{rest}");
        match BaseUrl::parse(&input) {
            Ok(url) => {
                let shown = url.to_string();
                prop_assert_eq!(BaseUrl::parse(&shown), Ok(url), "{} -> {}", input, shown);
            }
            Err(e) => prop_assert_eq!(e.input(), input.as_str()),
        }
    }
}

//! `OLLAMA_HOST` parsing: every row of the reference §9.1 table, then the client-side fixes.

#![allow(clippy::unwrap_used)]

use ollama_proto::host::{BaseUrl, Environment};

fn parsed(s: &str) -> String {
    BaseUrl::parse(s).to_string()
}

#[test]
fn go_client_table() {
    // (OLLAMA_HOST, result). Rows whose Go result has an empty host (`:1234`, `:66000`, `:-1`) or
    // 0.0.0.0 are in `client_side_fixes` below, because we map those to loopback.
    let table = [
        ("", "http://127.0.0.1:11434"),
        ("1.2.3.4", "http://1.2.3.4:11434"),
        ("1.2.3.4:1234", "http://1.2.3.4:1234"),
        ("example.com", "http://example.com:11434"),
        ("[::1]", "http://[::1]:11434"),
        ("::1", "http://[::1]:11434"),
        ("[::1]:1337", "http://[::1]:1337"),
        ("http://1.2.3.4", "http://1.2.3.4:80"),
        ("https://1.2.3.4", "https://1.2.3.4:443"),
        (
            "https://example.com/ollama",
            "https://example.com:443/ollama",
        ),
        ("ollama.com", "https://ollama.com:443"),
        ("ollama.com:443", "http://ollama.com:443"),
        ("\" 1.2.3.4 \"", "http://1.2.3.4:11434"),
        ("'1.2.3.4'", "http://1.2.3.4:11434"),
    ];
    for (input, expected) in table {
        assert_eq!(parsed(input), expected, "OLLAMA_HOST={input:?}");
    }
}

#[test]
fn client_side_fixes() {
    let table = [
        // Empty host → 127.0.0.1 (Go would give `http://:1234`).
        (":1234", "http://127.0.0.1:1234"),
        (":66000", "http://127.0.0.1:11434"),
        (":-1", "http://127.0.0.1:11434"),
        (":", "http://127.0.0.1:11434"),
        ("http://:8080", "http://127.0.0.1:8080"),
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
        ("HTTP://1.2.3.4", "HTTP://1.2.3.4:11434"),
        ("HTTPS://example.com", "HTTPS://example.com:11434"),
        ("unix://sock", "unix://sock:11434"),
        ("http://example.com:8080", "http://example.com:8080"),
        ("https://example.com:8443", "https://example.com:8443"),
        ("https://example.com:", "https://example.com:443"),
        ("example.com:abc", "http://example.com:11434"),
        ("example.com:65535", "http://example.com:65535"),
        ("example.com:65536", "http://example.com:11434"),
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
        let url = BaseUrl::parse(input);
        assert_eq!(
            (url.host(), url.port()),
            (host, port),
            "OLLAMA_HOST={input:?}"
        );
    }
    // Bracket errors fall back to the text as the host name.
    assert_eq!(BaseUrl::parse("[::1]x").host(), "[::1]x");
    assert_eq!(BaseUrl::parse("[::1]").to_string(), "http://[::1]:11434");
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
        let url = BaseUrl::parse(input);
        assert_eq!(url.path_prefix(), prefix, "OLLAMA_HOST={input:?}");
        assert_eq!(url.to_string(), display, "OLLAMA_HOST={input:?}");
    }
    let url = BaseUrl::parse("https://example.com:443/ollama");
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
    assert_eq!(BaseUrl::parse(""), d);
    assert_eq!("".parse::<BaseUrl>(), Ok(d.clone()));
    assert!(BaseUrl::parse("ollama.com").is_ollama_com());
    assert!(BaseUrl::parse("ollama.com:443").is_ollama_com());
    assert!(BaseUrl::parse("https://OLLAMA.COM").is_ollama_com());
    assert!(!BaseUrl::parse("api.ollama.com").is_ollama_com());
    assert!(!d.is_ollama_com());
    assert_eq!(BaseUrl::ollama_com().to_string(), "https://ollama.com:443");
}

#[test]
fn environment_from_vars() {
    let env = Environment::from_vars(None, None);
    assert_eq!(env.base_url, BaseUrl::default());
    assert_eq!(env.api_key, None);

    let env = Environment::from_vars(Some("0.0.0.0:1234"), Some("  sk-123\n"));
    assert_eq!(env.base_url.to_string(), "http://127.0.0.1:1234");
    assert_eq!(
        env.api_key.as_ref().map(|k| k.expose_secret()),
        Some("sk-123")
    );

    for empty in ["", "   ", "\"\""] {
        assert_eq!(
            Environment::from_vars(Some(""), Some(empty)).api_key,
            None,
            "{empty:?}"
        );
    }
    // A key is kept whatever the host (it is only ever sent to that host).
    let env = Environment::from_vars(Some("http://localhost:11434"), Some("k"));
    assert!(env.api_key.is_some());
}

//! `OLLAMA_HOST` parsing and the environment helper.
//!
//! [`BaseUrl::parse`] follows the official Go client's `envconfig.Host()` step by step (reference
//! §9.1), then applies the fixes every other client makes so that the *bind* address users put
//! in `OLLAMA_HOST` is also a *connectable* one. [`Environment::from_env`] is the only place in
//! this crate that reads the process environment.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::request::ApiKey;

const DEFAULT_PORT: u16 = 11434;

/// Where the server is: scheme, host, port and an optional path prefix that every API path is
/// appended to (`https://example.com:443/ollama` + `/api/chat` → `/ollama/api/chat`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    scheme: String,
    host: String,
    port: u16,
    path: String,
}

impl Default for BaseUrl {
    /// `http://127.0.0.1:11434`.
    fn default() -> Self {
        Self::new("http", "127.0.0.1", DEFAULT_PORT)
    }
}

impl BaseUrl {
    /// A base URL from its parts, without a path prefix. An IPv6 host is given without
    /// brackets.
    pub fn new(scheme: impl Into<String>, host: impl Into<String>, port: u16) -> Self {
        Self {
            scheme: scheme.into(),
            host: host.into(),
            port,
            path: String::new(),
        }
    }

    /// `https://ollama.com:443`, for direct cloud access.
    pub fn ollama_com() -> Self {
        Self::new("https", "ollama.com", 443)
    }

    /// Parses an `OLLAMA_HOST` value. Never fails: like the Go client, anything unusable falls
    /// back to a default part. The rules, in order:
    ///
    /// 1. Trim whitespace, then any `"` and `'` at both ends, then whitespace again.
    /// 2. Split at the first `://`. No scheme means `http` with port 11434, except that the
    ///    bare value `ollama.com` means `https://ollama.com:443`. Scheme `http` defaults to
    ///    port 80, `https` to 443, any other scheme is kept as written with port 11434. The
    ///    comparison is case-sensitive (`HTTP://h` keeps `HTTP` and gets 11434).
    /// 3. Split the rest at the first `/`: what follows is the path prefix. Empty segments are
    ///    dropped (so no trailing or doubled `/`), and bytes not allowed in a URL path are
    ///    percent-encoded.
    /// 4. Split host and port the way Go's `net.SplitHostPort` does (`[v6]:port`, `host:port`).
    ///    If that fails (no port, or an unbracketed IPv6 address), the port is the default and
    ///    the host is the text as an IP address if it is one once `[`/`]` are trimmed
    ///    (normalised, e.g. `::ffff:1.2.3.4` → `1.2.3.4`), else the text itself if not empty,
    ///    else `127.0.0.1`.
    /// 5. A port that is not an integer in 0–65535 (`:66000`, `:-1`, `host:`) becomes the default.
    ///
    /// Then the client-side fixes (the Go client does not make them; the desktop app, Python
    /// and JS clients do):
    ///
    /// 6. An empty host (`:1234`) becomes `127.0.0.1`.
    /// 7. An unspecified address becomes loopback of the same family: `0.0.0.0` → `127.0.0.1`,
    ///    `::` → `::1` (the port is kept). Connecting to `0.0.0.0` fails on Windows.
    ///
    /// User info (`user:pass@host`) is not supported, as in Go: it ends up in the host.
    pub fn parse(s: &str) -> Self {
        let s = s.trim().trim_matches(['"', '\'']).trim();
        let mut default_port = DEFAULT_PORT;
        let (scheme, hostport) = match s.split_once("://") {
            None if s == "ollama.com" => ("https", "ollama.com:443"),
            None => ("http", s),
            Some(("http", rest)) => {
                default_port = 80;
                ("http", rest)
            }
            Some(("https", rest)) => {
                default_port = 443;
                ("https", rest)
            }
            Some(other) => other,
        };
        let (hostport, path) = hostport.split_once('/').unwrap_or((hostport, ""));
        let (host, port) = match split_host_port(hostport) {
            Some((host, port)) => (host.to_owned(), parse_port(port).unwrap_or(default_port)),
            None => {
                let host = match hostport.trim_matches(['[', ']']).parse::<IpAddr>() {
                    Ok(ip) => ip_string(ip),
                    Err(_) if !hostport.is_empty() => hostport.to_owned(),
                    Err(_) => "127.0.0.1".to_owned(),
                };
                (host, default_port)
            }
        };
        Self {
            scheme: scheme.to_owned(),
            host: connectable(host),
            port,
            path: normalise_path(path),
        }
    }

    /// The scheme as written (`http`, `https`, …).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The host name or IP address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path prefix: empty, or `/segment[/segment…]` without a trailing `/`.
    pub fn path_prefix(&self) -> &str {
        &self.path
    }

    /// Replaces the path prefix (normalised like [`BaseUrl::parse`] does).
    pub fn with_path_prefix(mut self, prefix: &str) -> Self {
        self.path = normalise_path(prefix);
        self
    }

    /// `true` when the host is `ollama.com` (compared case-insensitively).
    pub fn is_ollama_com(&self) -> bool {
        self.host.eq_ignore_ascii_case("ollama.com")
    }

    /// `scheme://host:port`: what error messages and logs name (never the path prefix).
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority())
    }

    /// `host:port`, with an IPv6 host in brackets.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The full URL of an API path (`/api/chat`): scheme, authority, prefix, path.
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!(
            "{}://{}{}{slash}{path}",
            self.scheme,
            self.authority(),
            self.path
        )
    }
}

impl fmt::Display for BaseUrl {
    /// `scheme://host:port[/path]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority(), self.path)
    }
}

impl FromStr for BaseUrl {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

/// [`BaseUrl::parse`], so builders can take `impl Into<BaseUrl>` (a `&str`, a `String` or a
/// `BaseUrl`).
///
/// ```
/// use ollama_proto::BaseUrl;
///
/// fn port(url: impl Into<BaseUrl>) -> u16 {
///     url.into().port()
/// }
/// assert_eq!(port("localhost:1234"), 1234);
/// assert_eq!(port(String::from("https://example.com")), 443);
/// assert_eq!(port(BaseUrl::default()), 11434);
/// ```
impl From<&str> for BaseUrl {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

/// [`BaseUrl::parse`].
impl From<String> for BaseUrl {
    fn from(s: String) -> Self {
        Self::parse(&s)
    }
}

/// Go's `net.SplitHostPort`; `None` where Go returns an error.
fn split_host_port(hostport: &str) -> Option<(&str, &str)> {
    let colon = hostport.rfind(':')?;
    let (host, rest_start) = if let Some(inner) = hostport.strip_prefix('[') {
        let end = inner.find(']')? + 1;
        if end + 1 != colon {
            return None;
        }
        (&hostport[1..end], end + 1)
    } else {
        let host = &hostport[..colon];
        if host.contains(':') {
            return None;
        }
        (host, 0)
    };
    let start = usize::from(hostport.starts_with('['));
    if hostport[start..].contains('[') || hostport[rest_start..].contains(']') {
        return None;
    }
    Some((host, &hostport[colon + 1..]))
}

/// Go's `strconv.ParseInt(port, 10, 32)` plus the 0–65535 check.
fn parse_port(port: &str) -> Option<u16> {
    let digits = port.strip_prefix(['+', '-']).unwrap_or(port);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = port.parse().ok()?;
    u16::try_from(n).ok()
}

/// Go's `net.IP.String()`: IPv4-mapped IPv6 addresses print as IPv4.
fn ip_string(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Client-side fixes: empty host and unspecified addresses become loopback.
fn connectable(host: String) -> String {
    if host.is_empty() {
        return "127.0.0.1".to_owned();
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) if v4.is_unspecified() => "127.0.0.1".to_owned(),
        Ok(IpAddr::V6(v6)) if v6.is_unspecified() => "::1".to_owned(),
        _ => host,
    }
}

/// `/a/b` from `a/b/`, `//a//b`, …; empty when there is no segment. Bytes outside the URL
/// path alphabet are percent-encoded (an existing `%XX` is kept).
fn normalise_path(path: &str) -> String {
    let mut out = String::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        for &b in segment.as_bytes() {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// What the process environment says about the server: `OLLAMA_HOST` and `OLLAMA_API_KEY`.
///
/// The bearer key is sent with every request built from this environment, whatever the host
/// (like ollama-python; the local server ignores it, ollama.com needs it). Requests are only
/// ever built for [`Environment::base_url`], so the key never goes to another host.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Environment {
    /// The server (from `OLLAMA_HOST`; default `http://127.0.0.1:11434`).
    pub base_url: BaseUrl,
    /// The bearer key (from `OLLAMA_API_KEY`; empty means none).
    pub api_key: Option<ApiKey>,
}

impl Environment {
    /// Reads `OLLAMA_HOST` and `OLLAMA_API_KEY`. A variable that is not valid Unicode counts as
    /// unset. This is the only function in the crate that reads the environment.
    pub fn from_env() -> Self {
        let host = std::env::var("OLLAMA_HOST").ok();
        let key = std::env::var("OLLAMA_API_KEY").ok();
        Self::from_vars(host.as_deref(), key.as_deref())
    }

    /// Builds the environment from given values (for tests and embedding applications).
    /// `None` or an empty host gives the default base URL; the key is trimmed of whitespace and
    /// quotes, and an empty key means none.
    pub fn from_vars(host: Option<&str>, api_key: Option<&str>) -> Self {
        let base_url = host.map(BaseUrl::parse).unwrap_or_default();
        let api_key = api_key
            .map(|k| k.trim().trim_matches(['"', '\'']).trim())
            .filter(|k| !k.is_empty())
            .map(ApiKey::new);
        Self { base_url, api_key }
    }
}

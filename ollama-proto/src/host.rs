//! `OLLAMA_HOST` parsing and the environment helper.
//!
//! [`BaseUrl::parse`] follows the official Go client's `envconfig.Host()` step by step (reference
//! §9.1), then applies the fixes every other client makes so that the *bind* address users put
//! in `OLLAMA_HOST` is also a *connectable* one. Where Go quietly falls back to a default (a bad
//! port) or fails only when it connects (a bad scheme, a space in the host), it returns a
//! [`HostError`] that names the problem and the input. [`Environment::from_env`] is the only place in
//! this crate that reads the process environment.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

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

    /// Parses an `OLLAMA_HOST` value, or says what is wrong with it. The rules, in order:
    ///
    /// 1. Trim whitespace, then any `"` and `'` at both ends, then whitespace again.
    /// 2. Split at the first `://`. No scheme means `http` with port 11434, except that the
    ///    bare value `ollama.com` means `https://ollama.com:443`. Scheme `http` defaults to
    ///    port 80, `https` to 443. Any other scheme is [`HostError::BadScheme`], upper case
    ///    included (Go keeps `HTTP://` or `unix://` as written, and its HTTP client then
    ///    refuses the request: "unsupported protocol scheme").
    /// 3. Split the rest at the first `/`: what follows is the path prefix. Empty segments are
    ///    dropped (so no trailing or doubled `/`), and bytes not allowed in a URL path are
    ///    percent-encoded.
    /// 4. Whitespace left in the host and port is [`HostError::Whitespace`].
    /// 5. Split host and port the way Go's `net.SplitHostPort` does (`[v6]:port`, `host:port`).
    ///    If that fails (no port, or an unbracketed IPv6 address), the port is the default and
    ///    the host is the text as an IP address if it is one once `[`/`]` are trimmed
    ///    (normalised, e.g. `::ffff:1.2.3.4` → `1.2.3.4`), else the text itself.
    /// 6. A port that is not an integer in 0–65535 (`:66000`, `:-1`, `host:abc`) is
    ///    [`HostError::BadPort`] (Go logs a warning and uses the default port). An empty port
    ///    (`host:`) is the default port, as in a URL.
    /// 7. A host name must be ASCII letters, digits and `-._~!$&'()*+,;=%`, or an IP address:
    ///    anything else (`user@host`, `a:b:c`, `[::1]x`, `bücher.de`) is
    ///    [`HostError::BadHost`]. Go does not check, and fails when it connects.
    ///
    /// Then the client-side fixes (the Go client does not make them; the desktop app, Python
    /// and JS clients do):
    ///
    /// 8. An empty host becomes `127.0.0.1` when no scheme is written (`:1234`, the bind
    ///    address shorthand). With a scheme the value is a URL, which needs a host:
    ///    `http://:1234` is [`HostError::EmptyHost`].
    /// 9. An unspecified address becomes loopback of the same family: `0.0.0.0` → `127.0.0.1`,
    ///    `::` → `::1` (the port is kept). Connecting to `0.0.0.0` fails on Windows.
    ///
    /// ```
    /// use ollama_proto::host::{BaseUrl, HostError};
    ///
    /// assert_eq!(BaseUrl::parse("localhost:8080")?.to_string(), "http://localhost:8080");
    /// assert!(matches!(
    ///     BaseUrl::parse("localhost:notaport"),
    ///     Err(HostError::BadPort { .. })
    /// ));
    /// let e = BaseUrl::parse("htp://bad host").unwrap_err();
    /// assert_eq!(
    ///     e.to_string(),
    ///     r#"invalid host "htp://bad host": scheme "htp" is not http or https"#
    /// );
    /// # Ok::<(), HostError>(())
    /// ```
    ///
    /// # Errors
    /// A [`HostError`] naming the problem and the input.
    pub fn parse(input: &str) -> Result<Self, HostError> {
        // Quotes are stripped because shells and service files often keep them in the value
        // (`OLLAMA_HOST="0.0.0.0"`), and Go does the same.
        let s = input.trim().trim_matches(['"', '\'']).trim();
        // Without a scheme the port defaults to Ollama's 11434 (a bare `OLLAMA_HOST=host` names
        // the server); an explicit scheme means a URL, whose port defaults to the scheme's.
        let mut default_port = DEFAULT_PORT;
        let (scheme, hostport, needs_host) = match s.split_once("://") {
            None if s == "ollama.com" => ("https", "ollama.com:443", true),
            None => ("http", s, false),
            Some(("http", rest)) => {
                default_port = 80;
                ("http", rest, true)
            }
            Some(("https", rest)) => {
                default_port = 443;
                ("https", rest, true)
            }
            Some((scheme, _)) => return Err(HostError::bad_scheme(input, scheme)),
        };
        let (hostport, path) = hostport.split_once('/').unwrap_or((hostport, ""));
        if let Some(i) = hostport.find(char::is_whitespace) {
            let at = offset_in(input, hostport) + i;
            return Err(HostError::Whitespace {
                input: input.to_owned(),
                at,
            });
        }
        // Credentials in the URL would be sent to whoever the host is and printed in every
        // error message: refused, not silently kept or dropped.
        if hostport.contains('@') {
            return Err(HostError::bad_host(input, hostport));
        }
        let (host, port) = match split_host_port(hostport) {
            Some((host, "")) => (host.to_owned(), default_port),
            Some((host, port)) => match parse_port(port) {
                Some(port) => (host.to_owned(), port),
                None => {
                    return Err(HostError::BadPort {
                        input: input.to_owned(),
                        port: port.to_owned(),
                    });
                }
            },
            // No port: Go's SplitHostPort fails, and the whole text is the host (a bare IPv6
            // address has colons but no port, so it is tried as an address first).
            None => match hostport.trim_matches(['[', ']']).parse::<IpAddr>() {
                Ok(ip) => (ip_string(ip), default_port),
                Err(_) => (hostport.to_owned(), default_port),
            },
        };
        if host.is_empty() && needs_host {
            return Err(HostError::EmptyHost {
                input: input.to_owned(),
            });
        }
        if !is_host(&host) {
            return Err(HostError::bad_host(input, &host));
        }
        Ok(Self {
            scheme: scheme.to_owned(),
            host: connectable(host),
            port,
            path: normalise_path(path),
        })
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
    type Err = HostError;

    /// [`BaseUrl::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// [`BaseUrl::parse`].
impl TryFrom<&str> for BaseUrl {
    type Error = HostError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

/// [`BaseUrl::parse`].
impl TryFrom<String> for BaseUrl {
    type Error = HostError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

/// What a builder's `base_url` takes: a [`BaseUrl`], or a string parsed with
/// [`BaseUrl::parse`] (`&str`, `String`, `&String`). Like reqwest's `IntoUrl`: the builder
/// keeps the parse error and returns it from `build()`, so a chain of setters stays a chain.
///
/// ```
/// use ollama_proto::host::{BaseUrl, HostError, IntoBaseUrl};
///
/// fn port(url: impl IntoBaseUrl) -> Result<u16, HostError> {
///     Ok(url.into_base_url()?.port())
/// }
/// assert_eq!(port("localhost:1234"), Ok(1234));
/// assert_eq!(port(String::from("https://example.com")), Ok(443));
/// assert_eq!(port(BaseUrl::default()), Ok(11434));
/// assert!(port("localhost:x").is_err());
/// ```
pub trait IntoBaseUrl {
    /// The base URL, or why this is not one.
    ///
    /// # Errors
    /// As for [`BaseUrl::parse`].
    fn into_base_url(self) -> Result<BaseUrl, HostError>;
}

impl IntoBaseUrl for BaseUrl {
    fn into_base_url(self) -> Result<BaseUrl, HostError> {
        Ok(self)
    }
}

impl IntoBaseUrl for &BaseUrl {
    fn into_base_url(self) -> Result<BaseUrl, HostError> {
        Ok(self.clone())
    }
}

impl IntoBaseUrl for &str {
    fn into_base_url(self) -> Result<BaseUrl, HostError> {
        BaseUrl::parse(self)
    }
}

impl IntoBaseUrl for String {
    fn into_base_url(self) -> Result<BaseUrl, HostError> {
        BaseUrl::parse(&self)
    }
}

impl IntoBaseUrl for &String {
    fn into_base_url(self) -> Result<BaseUrl, HostError> {
        BaseUrl::parse(self)
    }
}

/// Why a value is not a usable base URL; every variant keeps the whole input, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostError {
    /// A scheme other than `http` or `https` (`htp://h`, `HTTP://h`, `unix://sock`).
    BadScheme {
        /// The value as given.
        input: String,
        /// The scheme as written.
        scheme: String,
    },
    /// A port that is not an integer in 0–65535 (`localhost:notaport`, `:66000`, `:-1`).
    BadPort {
        /// The value as given.
        input: String,
        /// The port as written.
        port: String,
    },
    /// Whitespace inside the host or port (`bad host`, `localhost :11434`); whitespace at the
    /// ends is trimmed, and in the path it is percent-encoded.
    Whitespace {
        /// The value as given.
        input: String,
        /// Byte offset of the whitespace in `input`.
        at: usize,
    },
    /// A scheme with no host after it (`http://`, `https://:443/x`). Without a scheme an
    /// empty host means the local machine (`:1234`, as `OLLAMA_HOST` allows).
    EmptyHost {
        /// The value as given.
        input: String,
    },
    /// A host that is neither an ASCII host name nor an IP address (`user@host`, `a:b:c`,
    /// `[::1]x`, a non-ASCII name: use its `xn--` form).
    BadHost {
        /// The value as given.
        input: String,
        /// The host part as found.
        host: String,
    },
}

impl HostError {
    /// The value that failed to parse, as given.
    pub fn input(&self) -> &str {
        match self {
            Self::BadScheme { input, .. }
            | Self::BadPort { input, .. }
            | Self::Whitespace { input, .. }
            | Self::EmptyHost { input }
            | Self::BadHost { input, .. } => input,
        }
    }

    pub(crate) fn bad_scheme(input: &str, scheme: &str) -> Self {
        Self::BadScheme {
            input: input.to_owned(),
            scheme: scheme.to_owned(),
        }
    }

    fn bad_host(input: &str, host: &str) -> Self {
        Self::BadHost {
            input: input.to_owned(),
            host: host.to_owned(),
        }
    }

    /// What is wrong, without the input (the caller says where the input came from).
    fn fmt_problem(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadScheme { scheme, .. } => write!(f, "scheme {scheme:?} is not http or https"),
            Self::BadPort { port, .. } => {
                write!(f, "port {port:?} is not a number from 0 to 65535")
            }
            Self::Whitespace { at, .. } => write!(f, "whitespace at byte {at}"),
            Self::EmptyHost { .. } => f.write_str("no host after the scheme"),
            Self::BadHost { host, .. } => {
                write!(f, "{host:?} is not an ASCII host name or an IP address")
            }
        }
    }
}

impl fmt::Display for HostError {
    /// `invalid host "<input>": <problem>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid host {:?}: ", self.input())?;
        self.fmt_problem(f)
    }
}

impl std::error::Error for HostError {}

/// An environment variable that cannot be used, by name: what [`Environment::from_env`]
/// returns instead of quietly using a default.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvError {
    /// The variable is set but is not valid Unicode.
    NotUnicode {
        /// The variable's name (`OLLAMA_HOST`, `OLLAMA_API_KEY`).
        var: &'static str,
    },
    /// `OLLAMA_HOST` is not a valid host.
    InvalidHost {
        /// The variable's name (`OLLAMA_HOST`).
        var: &'static str,
        /// What is wrong with its value.
        error: HostError,
    },
}

impl EnvError {
    /// The variable's name.
    pub fn var(&self) -> &'static str {
        match self {
            Self::NotUnicode { var } | Self::InvalidHost { var, .. } => var,
        }
    }
}

impl fmt::Display for EnvError {
    /// `OLLAMA_HOST="<value>" is not a valid host: <problem>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUnicode { var } => write!(f, "{var} is not valid Unicode"),
            Self::InvalidHost { var, error } => {
                write!(f, "{var}={:?} is not a valid host: ", error.input())?;
                error.fmt_problem(f)
            }
        }
    }
}

impl std::error::Error for EnvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::NotUnicode { .. } => None,
            Self::InvalidHost { error, .. } => Some(error),
        }
    }
}

/// Byte offset of `part`, a subslice of `whole`, in `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr().addr() - whole.as_ptr().addr()
}

/// An IP address, or an RFC 3986 `reg-name` in ASCII (no empty check: see the caller).
fn is_host(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok()
        || host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(&b))
}

/// Go's `net.SplitHostPort`; `None` where Go returns an error.
///
/// Why not `str::rsplit_once(':')`: an IPv6 host has colons of its own, so only a bracketed
/// host (`[::1]:11434`) may have a port, and stray brackets are errors rather than host text.
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
///
/// Why: `OLLAMA_HOST` is shared with the server, which *binds* to it; `0.0.0.0` (listen on
/// every interface) is a common setting there, but it is not an address to connect to. Every
/// official client maps it to loopback, where that server is reachable.
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
    /// Reads `OLLAMA_HOST` and `OLLAMA_API_KEY`. With [`NetEnv::from_process`](crate::net_env::NetEnv::from_process)
    /// (proxy and certificate variables), the only functions in the crate that read the
    /// environment.
    ///
    /// # Errors
    /// [`EnvError`], naming the variable, when `OLLAMA_HOST` is not a valid host (see
    /// [`BaseUrl::parse`]) or either variable is not valid Unicode.
    pub fn from_env() -> Result<Self, EnvError> {
        let host = env_var("OLLAMA_HOST")?;
        let key = env_var("OLLAMA_API_KEY")?;
        Self::from_vars(host.as_deref(), key.as_deref())
    }

    /// Builds the environment from given values (for tests and embedding applications).
    /// `None` or an empty host gives the default base URL; the key is trimmed of whitespace and
    /// quotes, and an empty key means none.
    ///
    /// # Errors
    /// [`EnvError::InvalidHost`] when `host` is not a valid host.
    pub fn from_vars(host: Option<&str>, api_key: Option<&str>) -> Result<Self, EnvError> {
        let base_url = match host {
            Some(host) => BaseUrl::parse(host).map_err(|error| EnvError::InvalidHost {
                var: "OLLAMA_HOST",
                error,
            })?,
            None => BaseUrl::default(),
        };
        let api_key = api_key
            .map(|k| k.trim().trim_matches(['"', '\'']).trim())
            .filter(|k| !k.is_empty())
            .map(ApiKey::new);
        Ok(Self { base_url, api_key })
    }
}

/// A variable's value; unset is `None`, not Unicode is an error.
fn env_var(var: &'static str) -> Result<Option<String>, EnvError> {
    match std::env::var(var) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(EnvError::NotUnicode { var }),
    }
}

/// A bearer key for ollama.com (`Authorization: Bearer <key>`). Its `Debug` and `Display`
/// never show the secret.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The secret itself, for the `Authorization` header.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

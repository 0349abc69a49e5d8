//! [`ProxyUrl`]: `http://[user:password@]host[:port]`, parsed strictly.

use std::fmt;

use base64::Engine as _;
use http::HeaderValue;
use percent_encoding::percent_decode_str;

/// An HTTP proxy: host, port and optional basic-auth credentials. `Display` shows
/// `http://host:port`, never the credentials; neither does `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    host: String,
    port: u16,
    credentials: Option<Credentials>,
}

/// A user name and password for a proxy's basic authentication (percent-decoded).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    user: String,
    password: String,
}

impl Credentials {
    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

/// Why a proxy URL cannot be used. Never repeats the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyUrlError {
    /// A scheme other than `http` (`https` and `socks5` proxies are not supported).
    UnsupportedScheme(String),
    /// No host between the scheme (or credentials) and the port.
    EmptyHost,
    /// A host with characters no host name or IP address has.
    BadHost(String),
    /// A port that is not a number from 1 to 65535.
    BadPort(String),
    /// A path after the authority (a proxy URL has none).
    Path(String),
    /// Credentials whose percent-decoding is not UTF-8.
    BadCredentials,
}

impl fmt::Display for ProxyUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedScheme(s) => write!(
                f,
                "unsupported proxy scheme \"{s}\" (only http:// proxies are supported)"
            ),
            Self::EmptyHost => f.write_str("the proxy URL has no host"),
            Self::BadHost(h) => write!(f, "\"{h}\" is not a valid proxy host"),
            Self::BadPort(p) => write!(f, "proxy port \"{p}\" is not a number from 1 to 65535"),
            Self::Path(p) => write!(f, "a proxy URL has no path (found \"{p}\")"),
            Self::BadCredentials => {
                f.write_str("the proxy credentials are not UTF-8 once percent-decoded")
            }
        }
    }
}

impl std::error::Error for ProxyUrlError {}

impl ProxyUrl {
    /// Parses `[http://][user[:password]@]host[:port][/]`. No scheme means `http`, no port
    /// means 80; `user` and `password` are percent-decoded; an IPv6 host is in brackets.
    ///
    /// ```
    /// use ollama_proto::proxy::{ProxyUrl, ProxyUrlError};
    ///
    /// let p = ProxyUrl::parse("http://bob:p%3Ass@[::1]:3128/")?;
    /// assert_eq!((p.host(), p.port()), ("::1", 3128));
    /// assert_eq!(p.credentials().map(|c| (c.user(), c.password())), Some(("bob", "p:ss")));
    /// assert_eq!(p.to_string(), "http://[::1]:3128");
    /// assert_eq!(ProxyUrl::parse("proxy")?.port(), 80);
    /// assert_eq!(
    ///     ProxyUrl::parse("socks5://proxy:1080"),
    ///     Err(ProxyUrlError::UnsupportedScheme("socks5".into()))
    /// );
    /// # Ok::<(), ProxyUrlError>(())
    /// ```
    ///
    /// # Errors
    /// [`ProxyUrlError`] saying what is wrong.
    pub fn parse(input: &str) -> Result<Self, ProxyUrlError> {
        let input = input.trim();
        let rest = match input.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => return Err(ProxyUrlError::UnsupportedScheme(scheme.to_owned())),
            None => input,
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if !path.is_empty() && path != "/" {
            return Err(ProxyUrlError::Path(path.to_owned()));
        }
        let (credentials, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let decode = |s: &str| {
                    percent_decode_str(s)
                        .decode_utf8()
                        .map(|s| s.into_owned())
                        .map_err(|_| ProxyUrlError::BadCredentials)
                };
                let credentials = Credentials {
                    user: decode(user)?,
                    password: decode(password)?,
                };
                (Some(credentials), host_port)
            }
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port)?;
        let port = match port {
            None => 80,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(ProxyUrlError::BadPort(p.to_owned())),
            },
        };
        Ok(Self {
            host: host.to_ascii_lowercase(),
            port,
            credentials,
        })
    }

    /// The host name or IP address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The credentials, if the URL had any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// `host:port` (IPv6 in brackets): where to connect.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `Basic <base64(user:password)>` for `Proxy-Authorization`, marked sensitive; `None`
    /// without credentials.
    pub fn authorization(&self) -> Option<HeaderValue> {
        let c = self.credentials.as_ref()?;
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.user, c.password));
        let mut value = HeaderValue::try_from(format!("Basic {token}")).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

/// `host[:port]` or `[v6][:port]`, checked.
fn split_host_port(s: &str) -> Result<(&str, Option<&str>), ProxyUrlError> {
    let (host, port) = if let Some(inner) = s.strip_prefix('[') {
        let Some((v6, after)) = inner.split_once(']') else {
            return Err(ProxyUrlError::BadHost(s.to_owned()));
        };
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(ProxyUrlError::BadHost(v6.to_owned()));
        }
        match after {
            "" => (v6, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (v6, Some(port)),
                None => return Err(ProxyUrlError::BadHost(s.to_owned())),
            },
        }
    } else {
        match s.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (s, None),
        }
    };
    if host.is_empty() {
        return Err(ProxyUrlError::EmptyHost);
    }
    let name_ok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_');
    if !s.starts_with('[') && !host.bytes().all(name_ok) {
        return Err(ProxyUrlError::BadHost(host.to_owned()));
    }
    Ok((host, port))
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}", self.authority())
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyUrl")
            .field("url", &self.to_string())
            .field("credentials", &self.credentials.is_some())
            .finish()
    }
}

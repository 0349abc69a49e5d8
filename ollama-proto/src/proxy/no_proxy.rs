//! [`NoProxy`]: the hosts reached without a proxy, with curl's and reqwest's rules.

use std::fmt;
use std::net::IpAddr;

/// A `NO_PROXY` list: comma-separated entries, whitespace around them ignored, matched
/// case-insensitively against the server's host (and port):
///
/// - `*` alone: every host.
/// - a name, with or without a leading `.` or `*.` (`corp.example`, `.corp.example`): that
///   name and every name under it (`gpu.corp.example`), not `notcorp.example`.
/// - an IP address (`10.1.2.3`, `::1`, `[::1]`) or a CIDR block (`10.0.0.0/8`, `fd00::/8`):
///   a server given by an address in it (names are not resolved to match).
/// - any of these with `:port`: only that port.
///
/// ```
/// use ollama_proto::proxy::NoProxy;
///
/// let list = NoProxy::parse(".corp.example, 10.0.0.0/8, gpu:8080, [::1]")?;
/// assert!(list.matches("corp.example", 443));
/// assert!(list.matches("a.b.corp.example", 443));
/// assert!(!list.matches("notcorp.example", 443));
/// assert!(list.matches("10.200.0.1", 11434));
/// assert!(list.matches("gpu", 8080) && !list.matches("gpu", 11434));
/// assert!(list.matches("::1", 11434));
/// # Ok::<(), ollama_proto::proxy::NoProxyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoProxy {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    what: Match,
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Match {
    All,
    /// Lower case, without leading or trailing dots.
    Domain(String),
    Net(IpAddr, u8),
}

/// An entry of a `NO_PROXY` list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoProxyError {
    /// A CIDR block whose prefix length is not a number within the address size.
    BadPrefix(String),
    /// A `:port` that is not a number from 1 to 65535.
    BadPort(String),
}

impl fmt::Display for NoProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadPrefix(e) => write!(f, "no-proxy entry \"{e}\": not a valid CIDR block"),
            Self::BadPort(e) => write!(
                f,
                "no-proxy entry \"{e}\": port is not a number from 1 to 65535"
            ),
        }
    }
}

impl std::error::Error for NoProxyError {}

impl NoProxy {
    /// Parses a comma-separated list (empty entries are skipped).
    ///
    /// # Errors
    /// [`NoProxyError`] naming the first entry that cannot be used.
    pub fn parse(list: &str) -> Result<Self, NoProxyError> {
        let rules = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(Rule::parse)
            .collect::<Result<_, _>>()?;
        Ok(Self { rules })
    }

    /// Whether a server at `host` (IPv6 without brackets) and `port` is reached directly.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.rules.iter().any(|rule| {
            rule.port.is_none_or(|p| p == port)
                && match &rule.what {
                    Match::All => true,
                    Match::Domain(d) => {
                        !d.is_empty() && host == *d
                            || !d.is_empty()
                                && host
                                    .strip_suffix(d.as_str())
                                    .is_some_and(|rest| rest.ends_with('.'))
                    }
                    Match::Net(net, bits) => ip.is_some_and(|ip| in_net(ip, *net, *bits)),
                }
        })
    }
}

impl Rule {
    fn parse(entry: &str) -> Result<Self, NoProxyError> {
        if entry == "*" {
            return Ok(Self {
                what: Match::All,
                port: None,
            });
        }
        // `[v6]` or `[v6]:port`; a bare v6 address (more than one `:`) has no port.
        let (host, port) = if let Some(inner) = entry.strip_prefix('[') {
            match inner.split_once(']') {
                Some((h, "")) => (h, None),
                Some((h, rest)) => (h, Some(rest.strip_prefix(':').unwrap_or(rest))),
                None => (inner, None),
            }
        } else if entry.matches(':').count() == 1 && !entry.contains('/') {
            let (h, p) = entry.split_once(':').unwrap_or((entry, ""));
            (h, Some(p))
        } else {
            (entry, None)
        };
        let port = match port {
            None => None,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
                _ => return Err(NoProxyError::BadPort(entry.to_owned())),
            },
        };
        let what = if let Some((addr, bits)) = host.split_once('/') {
            let ip = addr
                .parse::<IpAddr>()
                .map_err(|_| NoProxyError::BadPrefix(entry.to_owned()))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            match bits.parse::<u8>() {
                Ok(b) if b <= max && bits.bytes().all(|c| c.is_ascii_digit()) => Match::Net(ip, b),
                _ => return Err(NoProxyError::BadPrefix(entry.to_owned())),
            }
        } else if let Ok(ip) = host.parse::<IpAddr>() {
            Match::Net(ip, if ip.is_ipv4() { 32 } else { 128 })
        } else {
            let name = host
                .trim_start_matches('*')
                .trim_matches('.')
                .to_ascii_lowercase();
            // An empty name (an entry of only dots) matches nothing.
            Match::Domain(name)
        };
        Ok(Self { what, port })
    }
}

/// Whether `ip` is in `net/bits` (an IPv4-mapped IPv6 address counts as IPv4).
fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

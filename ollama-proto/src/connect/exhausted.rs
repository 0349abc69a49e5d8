//! [`Exhausted`]: a connect failed because the client's machine ran out of something (file
//! descriptors, local ports), told apart from a server that refused or is unreachable. The one
//! place an OS error of a connect is classified; every transport reports its dial error through
//! [`ConnectPlan::dial_failed`](super::ConnectPlan::dial_failed), which calls
//! [`Exhausted::classify`].
//!
//! None of these is the server's fault, and none is fixed by retrying at once: the message
//! names the limit and what to raise. Calls already running are not affected (their sockets
//! are open); only new connections fail, each with this error, until descriptors or ports
//! are free again.

use std::fmt;
use std::io;

use crate::error::BoxError;

/// `EMFILE` and `ENFILE` (the same numbers on Linux, the BSDs and macOS).
#[cfg(unix)]
const EMFILE: i32 = 24;
#[cfg(unix)]
const ENFILE: i32 = 23;
/// `WSAEMFILE` (Windows sockets have no system-wide table error of their own).
#[cfg(windows)]
const EMFILE: i32 = 10024;
#[cfg(windows)]
const ENFILE: i32 = i32::MIN;
#[cfg(not(any(unix, windows)))]
const EMFILE: i32 = i32::MIN;
#[cfg(not(any(unix, windows)))]
const ENFILE: i32 = i32::MIN;

/// What ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resource {
    /// The process's open-file limit (`EMFILE`: `RLIMIT_NOFILE`, `ulimit -n`).
    ProcessFileDescriptors,
    /// The system's open-file table (`ENFILE`: `fs.file-max` on Linux).
    SystemFileDescriptors,
    /// Local ports to connect from (`EADDRNOTAVAIL`: every port of the ephemeral range is in
    /// use or in `TIME_WAIT` towards this server).
    LocalPorts,
}

impl Resource {
    /// The OS error's name.
    pub fn errno(self) -> &'static str {
        match self {
            Self::ProcessFileDescriptors => "EMFILE",
            Self::SystemFileDescriptors => "ENFILE",
            Self::LocalPorts => "EADDRNOTAVAIL",
        }
    }

    /// What to raise (or lower), in a sentence.
    pub fn remedy(self) -> &'static str {
        match self {
            Self::ProcessFileDescriptors => {
                "raise the process's open-file limit (RLIMIT_NOFILE: `ulimit -n`, systemd's \
                 LimitNOFILE=), or lower PoolOptions::max_connections below it"
            }
            Self::SystemFileDescriptors => {
                "raise the system's open-file table (sysctl fs.file-max), or lower \
                 PoolOptions::max_connections"
            }
            Self::LocalPorts => {
                "widen the ephemeral port range (sysctl net.ipv4.ip_local_port_range), \
                 reuse connections (PoolOptions::max_idle) or lower \
                 PoolOptions::max_connections"
            }
        }
    }
}

/// A new connection could not be opened because the client's machine ran out of
/// [`Resource`]; the OS error is the [`source`](std::error::Error::source).
///
/// ```
/// use ollama_proto::connect::{Exhausted, Resource};
///
/// let os = std::io::Error::from(std::io::ErrorKind::AddrNotAvailable);
/// let e = Exhausted::classify(Box::new(os)).unwrap();
/// assert_eq!(e.resource, Resource::LocalPorts);
/// assert!(e.to_string().starts_with("no local port left to connect from (EADDRNOTAVAIL)"));
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// assert!(Exhausted::classify(Box::new(refused)).is_err());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Exhausted {
    /// What ran out.
    pub resource: Resource,
    /// The OS error.
    pub source: io::Error,
}

impl Exhausted {
    /// `error` as an [`Exhausted`] when it is an OS error saying a resource ran out, else
    /// `error` unchanged.
    ///
    /// # Errors
    /// `error` itself when it is anything else (refused, unreachable, a DNS failure…).
    pub fn classify(error: BoxError) -> Result<Self, BoxError> {
        let error = match error.downcast::<io::Error>() {
            Ok(io) => *io,
            Err(other) => return Err(other),
        };
        let resource = match error.raw_os_error() {
            Some(n) if n == EMFILE => Resource::ProcessFileDescriptors,
            Some(n) if n == ENFILE => Resource::SystemFileDescriptors,
            _ if error.kind() == io::ErrorKind::AddrNotAvailable => Resource::LocalPorts,
            _ => return Err(Box::new(error)),
        };
        Ok(Self {
            resource,
            source: error,
        })
    }
}

impl fmt::Display for Exhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.resource {
            Resource::ProcessFileDescriptors => "the process has no file descriptor left",
            Resource::SystemFileDescriptors => "the system's open-file table is full",
            Resource::LocalPorts => "no local port left to connect from",
        };
        write!(
            f,
            "{what} ({}): {}; connections already open are not affected",
            self.resource.errno(),
            self.resource.remedy()
        )
    }
}

impl std::error::Error for Exhausted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

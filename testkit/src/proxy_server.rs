//! [`ProxyServer`]: a real tinyproxy (the Debian package) on loopback, for proxy tests.
//!
//! It runs in a mount namespace of its own (`unshare --mount`) whose `/etc/hosts` maps
//! [`PROXY_ONLY_HOST`] to `127.0.0.1`: only the proxy can resolve that name, so a client that
//! silently bypassed the proxy fails to resolve it. Without tinyproxy or `unshare` (root, or
//! user namespaces), starting it panics with what is missing: proxy tests fail, never skip.

use std::io::Read as _;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A host name only the proxy resolves (to `127.0.0.1`).
pub const PROXY_ONLY_HOST: &str = "ollama-behind-proxy.test";

/// User name and password of a proxy started with [`ProxyServer::with_auth`].
pub const PROXY_USER: (&str, &str) = ("alice", "s3cret");

/// A running tinyproxy; stopped when dropped.
#[derive(Debug)]
pub struct ProxyServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl ProxyServer {
    /// A proxy that needs no credentials.
    ///
    /// # Panics
    /// When tinyproxy or `unshare` cannot run, or the proxy does not listen within 10 s.
    pub fn start() -> Self {
        Self::spawn(false)
    }

    /// A proxy that wants [`PROXY_USER`] (basic authentication).
    ///
    /// # Panics
    /// As [`ProxyServer::start`].
    pub fn with_auth() -> Self {
        Self::spawn(true)
    }

    fn spawn(auth: bool) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("testkit-proxy-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir for tinyproxy");
        let mut conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 64\nLogLevel Error\n\
             Allow 127.0.0.1\nDisableViaHeader Yes\n"
        );
        if auth {
            conf.push_str(&format!("BasicAuth {} {}\n", PROXY_USER.0, PROXY_USER.1));
        }
        std::fs::write(dir.join("tinyproxy.conf"), conf).expect("tinyproxy config");
        std::fs::write(
            dir.join("hosts"),
            format!("127.0.0.1 localhost\n127.0.0.1 {PROXY_ONLY_HOST}\n"),
        )
        .expect("hosts file");
        let script = format!(
            "mount --bind '{hosts}' /etc/hosts && exec tinyproxy -d -c '{conf}'",
            hosts = dir.join("hosts").display(),
            conf = dir.join("tinyproxy.conf").display(),
        );
        let child = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("proxy tests need `unshare` (util-linux): {e}"));
        let mut proxy = Self { child, port, dir };
        proxy.wait_listening();
        proxy
    }

    /// Waits until the proxy accepts connections; panics with its stderr if it exited.
    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        // Bounded by the deadline.
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                panic!(
                    "tinyproxy in `unshare --mount` exited ({status}): {stderr}\n\
                     proxy tests need tinyproxy and the right to create a mount namespace \
                     (root): run the tests with `scripts/test`, which installs tinyproxy, or \
                     `apt-get install tinyproxy` first"
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "tinyproxy did not listen on 127.0.0.1:{} within 10 s",
            self.port
        );
    }

    /// `http://127.0.0.1:<port>`, without credentials.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://user:password@127.0.0.1:<port>` (percent-encoded).
    pub fn url_with(&self, user: &str, password: &str) -> String {
        let enc = |s: &str| {
            s.replace('%', "%25")
                .replace(':', "%3A")
                .replace('@', "%40")
        };
        format!(
            "http://{}:{}@127.0.0.1:{}",
            enc(user),
            enc(password),
            self.port
        )
    }
}

impl Drop for ProxyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

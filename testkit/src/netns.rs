//! Scenarios that break the network: each runs in a network namespace of its own, so that
//! taking its loopback down (a server that vanishes without a FIN or a reset) or filling a
//! listen backlog touches nothing else on the machine.
//!
//! [`run_isolated`] re-runs the current test binary under `unshare --net`, selecting just this
//! test; in that child (marked by an environment variable) it brings the namespace's loopback
//! up and runs the scenario. Where the namespace cannot be made (no root, no `unshare` from
//! util-linux, no `ip` from iproute2) the test fails and says so: it never skips.
//!
//! [`loopback`] and the other helpers refuse to run outside such a namespace, so a scenario
//! called by mistake from a plain test cannot take the machine's loopback down.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the child to the test it runs: `module::path::name`.
const CHILD_VAR: &str = "TESTKIT_NETNS_TEST";

/// How to get what these tests need.
const HOW_TO_FIX: &str = "these tests need root (or user namespaces), `unshare` (util-linux) \
     and `ip` (iproute2): run scripts/test, which installs them";

/// The longest a child may run before it is killed and the test fails.
const CHILD_BOUND: Duration = Duration::from_secs(300);

/// Runs `scenario` in a fresh network namespace: `test` is the test's full path as
/// `concat!(module_path!(), "::", stringify!(name))` gives it (the crate's name first).
///
/// # Panics
/// When the namespace cannot be made, the child does not run exactly this one test, or the
/// scenario fails (with the child's output).
pub fn run_isolated(test: &str, scenario: impl FnOnce()) {
    if std::env::var(CHILD_VAR).as_deref() == Ok(test) {
        assert_isolated();
        ip(&["link", "set", "lo", "up"]);
        return scenario();
    }
    // libtest names tests without the crate: `current_thread::name`.
    let name = test.split_once("::").map_or(test, |(_, rest)| rest);
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new("unshare")
        .args(["--net", "--"])
        .arg(&exe)
        .args([name, "--exact", "--nocapture", "--include-ignored"])
        .args(["--test-threads", "1"])
        .env(CHILD_VAR, test)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `unshare --net`: {e}; {HOW_TO_FIX}"));
    let out = read_all(child.stdout.take());
    let err = read_all(child.stderr.take());
    let deadline = Instant::now() + CHILD_BOUND;
    // Bounded by the deadline.
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    // What the scenario printed (measurements), for `--nocapture` runs.
    print!("{out}");
    let report = format!("--- stdout\n{out}\n--- stderr\n{err}");
    let Some(status) = status else {
        panic!("`{name}` in its network namespace ran past {CHILD_BOUND:?}\n{report}");
    };
    assert!(
        status.success(),
        "`{name}` in its network namespace failed ({status}); if the namespace could not be \
         made, {HOW_TO_FIX}\n{report}"
    );
    assert!(
        out.contains("test result: ok. 1 passed"),
        "the child did not run exactly `{name}`\n{report}"
    );
}

/// Reads a child's pipe to its end on a thread of its own.
fn read_all<R: std::io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// Panics unless this process runs in a network namespace of its own (not the machine's).
fn assert_isolated() {
    let ours = std::fs::read_link("/proc/self/ns/net").expect("/proc/self/ns/net");
    let machine = std::fs::read_link("/proc/1/ns/net").ok();
    assert!(
        std::env::var_os(CHILD_VAR).is_some() && machine.as_ref() != Some(&ours),
        "a network-breaking scenario must run through testkit::netns::run_isolated \
         (this process is in the machine's network namespace {ours:?})"
    );
}

/// Runs `ip args…`, panicking with its output when it fails.
fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `ip`: {e}; {HOW_TO_FIX}"));
    assert!(
        out.status.success(),
        "`ip {}` failed: {}; {HOW_TO_FIX}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Takes the namespace's loopback up or down. Down, packets between its sockets are dropped
/// silently: every peer looks vanished (no FIN, no reset).
///
/// # Panics
/// Outside a namespace made by [`run_isolated`], or when `ip` fails.
pub fn loopback(up: bool) {
    assert_isolated();
    ip(&["link", "set", "lo", if up { "up" } else { "down" }]);
}

/// The established TCP sockets of this namespace with `port` at one end, as `ss` shows them
/// (one line each: `Recv-Q Send-Q local peer [timer:(…)]`).
///
/// # Panics
/// Outside a namespace made by [`run_isolated`], or when `ss` (iproute2) fails.
pub fn sockets(port: u16) -> Vec<String> {
    assert_isolated();
    let filter = format!("( sport = :{port} or dport = :{port} )");
    let out = Command::new("ss")
        .args(["-tnoH", "state", "established", &filter])
        .output()
        .unwrap_or_else(|e| panic!("cannot run `ss`: {e}; {HOW_TO_FIX}"));
    assert!(out.status.success(), "`ss` failed: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The client's end of its connection to the server at `port` (the socket whose peer is
/// `port`), waiting up to 10 s for it.
///
/// # Panics
/// When there is no such connection.
pub fn client_socket(port: u16) -> String {
    let peer = format!("127.0.0.1:{port}");
    wait_for(|| {
        sockets(port)
            .into_iter()
            .find(|line| line.split_whitespace().nth(3) == Some(peer.as_str()))
    })
    .unwrap_or_else(|| panic!("no client connection to {peer}: {:?}", sockets(port)))
}

/// Waits (up to 10 s) until every byte on the connections to `port` was acknowledged, so that
/// nothing is left to retransmit once the loopback goes down: a vanished peer is then found
/// by keepalive (or a timeout), not by retransmissions.
///
/// # Panics
/// When bytes stay unacknowledged.
pub fn wait_acked(port: u16) {
    let acked = wait_for(|| {
        let lines = sockets(port);
        let all_sent = !lines.is_empty()
            && lines
                .iter()
                .all(|line| line.split_whitespace().nth(1) == Some("0"));
        all_sent.then_some(())
    });
    assert!(
        acked.is_some(),
        "bytes stay unacknowledged: {:?}",
        sockets(port)
    );
}

/// Polls `f` every 20 ms for up to 10 s.
fn wait_for<T>(mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(10);
    // Bounded by the deadline.
    loop {
        if let Some(found) = f() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

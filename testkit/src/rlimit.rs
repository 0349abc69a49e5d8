//! Running out of file descriptors on purpose, for the exhaustion scenarios: lower the
//! process's `RLIMIT_NOFILE` and fill every descriptor below it, then give them back. Only in a
//! child process of its own ([`crate::netns::run_isolated`]): the limit is the whole process's.

use std::fs::File;

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Every descriptor this process may open is taken until this is dropped; dropping it closes
/// the fillers and restores the limit.
#[derive(Debug)]
pub struct NoFreeDescriptors {
    saved: Rlimit,
    fillers: Vec<File>,
}

/// Lowers the soft `RLIMIT_NOFILE` to just above the highest descriptor open now and fills
/// the holes below it, so the next `socket()` or `open()` fails with `EMFILE`.
///
/// # Panics
/// When the limit cannot be read or set, or the filling does not end in `EMFILE` (a bound of
/// 65,536 opens).
pub fn exhaust_descriptors() -> NoFreeDescriptors {
    let saved = getrlimit(Resource::Nofile);
    let highest = std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd lists this process's descriptors")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap_or(2);
    let lowered = Rlimit {
        current: Some(highest + 1),
        maximum: saved.maximum,
    };
    setrlimit(Resource::Nofile, lowered).expect("setrlimit(RLIMIT_NOFILE) to lower the limit");
    let mut fillers = Vec::new();
    // Bounded by the limit just set (and by 65,536 in any case).
    for _ in 0..65_536 {
        match File::open("/dev/null") {
            Ok(f) => fillers.push(f),
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::MFILE.raw_os_error()) => {
                return NoFreeDescriptors { saved, fillers };
            }
            Err(e) => panic!("filling the descriptor table: {e}"),
        }
    }
    panic!("65,536 descriptors opened under a limit of {}", highest + 1);
}

impl Drop for NoFreeDescriptors {
    fn drop(&mut self) {
        self.fillers.clear();
        let _ = setrlimit(Resource::Nofile, self.saved);
    }
}

#![allow(clippy::disallowed_methods)] // one origin instant; every later one is an exact offset

//! The idle policy on a fake clock: instants are a fixed start plus exact offsets.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{IdlePool, PoolOptions};

/// A connection that records when it is closed (dropped), and whether it is still open.
struct Conn {
    id: u32,
    open: bool,
    /// Taken out by a call: its closing later is the caller's, not the pool's.
    taken: bool,
    closed: Arc<Mutex<Vec<u32>>>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if !self.taken {
            self.closed.lock().unwrap().push(self.id);
        }
    }
}

struct Fixture {
    pool: IdlePool<Conn>,
    closed: Arc<Mutex<Vec<u32>>>,
    t0: Instant,
}

impl Fixture {
    fn new(max_idle: usize, expiry_secs: u64) -> Self {
        let options = PoolOptions::default()
            .max_idle(max_idle)
            .idle_expiry(Duration::from_secs(expiry_secs));
        Self {
            pool: IdlePool::new(&options),
            closed: Arc::default(),
            t0: Instant::now(),
        }
    }

    fn at(&self, secs: u64) -> Instant {
        self.t0 + Duration::from_secs(secs)
    }

    fn checkin(&self, key: &str, id: u32, open: bool, secs: u64) {
        let conn = Conn {
            id,
            open,
            taken: false,
            closed: Arc::clone(&self.closed),
        };
        self.pool.checkin(key, conn, self.at(secs));
    }

    fn checkout(&self, key: &str, secs: u64) -> Option<u32> {
        let mut conn = self.pool.checkout(key, self.at(secs), |c| c.open)?;
        conn.taken = true;
        Some(conn.id)
    }

    fn closed(&self) -> Vec<u32> {
        std::mem::take(&mut *self.closed.lock().unwrap())
    }
}

#[test]
fn expiry_is_exact_at_the_boundary() {
    let f = Fixture::new(8, 90);
    f.checkin("a", 1, true, 0);
    // Idle for exactly the expiry: still reusable.
    assert_eq!(f.checkout("a", 90), Some(1));
    f.checkin("a", 2, true, 10);
    // One nanosecond more: expired, closed, not reused.
    let late = f.at(100) + Duration::from_nanos(1);
    assert!(f.pool.checkout("a", late, |c| c.open).is_none());
    assert_eq!(f.closed(), vec![2]);
    assert_eq!(f.pool.idle_count(), 0);
}

#[test]
fn the_most_recent_connection_is_reused_first() {
    let f = Fixture::new(8, 90);
    for id in 1..=3 {
        f.checkin("a", id, true, u64::from(id));
    }
    assert_eq!(f.checkout("a", 5), Some(3));
    assert_eq!(f.checkout("a", 5), Some(2));
    assert_eq!(f.checkout("a", 5), Some(1));
    assert_eq!(f.checkout("a", 5), None);
    assert!(f.closed().is_empty());
}

#[test]
fn max_idle_evicts_the_oldest() {
    let f = Fixture::new(2, 90);
    f.checkin("a", 1, true, 0);
    f.checkin("a", 2, true, 1);
    assert!(f.closed().is_empty());
    f.checkin("a", 3, true, 2);
    assert_eq!(f.closed(), vec![1]);
    assert_eq!(f.pool.idle_count(), 2);
    assert_eq!(f.checkout("a", 3), Some(3));
    assert_eq!(f.checkout("a", 3), Some(2));
    // Zero keeps none: a check-in closes the connection at once.
    let none = Fixture::new(0, 90);
    none.checkin("a", 7, true, 0);
    assert_eq!(none.closed(), vec![7]);
    assert_eq!(none.checkout("a", 0), None);
}

#[test]
fn a_stale_connection_is_discarded_for_the_next() {
    let f = Fixture::new(8, 90);
    f.checkin("a", 1, true, 0);
    f.checkin("a", 2, false, 1); // the server closed it while idle
    assert_eq!(f.checkout("a", 2), Some(1));
    assert_eq!(f.closed(), vec![2]);
    // Only closed ones: nothing, and all of them dropped.
    f.checkin("a", 3, false, 3);
    f.checkin("a", 4, false, 4);
    assert_eq!(f.checkout("a", 5), None);
    assert_eq!(f.closed(), vec![4, 3]);
}

#[test]
fn keys_are_separate_and_checkin_drops_the_expired() {
    let f = Fixture::new(8, 10);
    f.checkin("http://a:1", 1, true, 0);
    f.checkin("http://b:1", 2, true, 0);
    assert_eq!(f.checkout("http://c:1", 1), None);
    assert_eq!(f.checkout("http://b:1", 1), Some(2));
    // A check-in at 11 s closes the connection idle since 0 s (expiry 10 s).
    f.checkin("http://a:1", 3, true, 11);
    assert_eq!(f.closed(), vec![1]);
    assert_eq!(f.pool.idle_count(), 1);
    assert!(format!("{:?}", f.pool).contains("idle: 1"));
}

//! A counting global allocator: allocations, bytes, current and peak heap, per thread.
//!
//! Install it in a binary or test with
//! `#[global_allocator] static A: CountingAlloc = CountingAlloc;`, then bracket the code to
//! measure with [`snapshot`] / [`reset_peak`]. Counters are per thread so that the test
//! harness's own threads (spawning, output capture) never leak into a measurement; the code
//! measured here is single-threaded.

// Reviewed exception to the workspace's `unsafe_code` ban: implementing `GlobalAlloc` is
// `unsafe` by definition. The impl only forwards to `System` with the caller's arguments
// unchanged and updates `Cell` counters in a `const`-initialised, `Drop`-free thread-local
// (no allocation, no destructor, so it is usable from inside the allocator). Nothing else in
// the workspace may use `unsafe`; ollama-proto keeps `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Forwards to [`System`], counting on the calling thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAlloc;

/// Counters of the current thread since it started (or since [`reset_peak`] for `peak`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Calls to `alloc`/`alloc_zeroed` plus calls to `realloc` (a realloc is an allocation
    /// event for "allocations per chunk").
    pub allocs: u64,
    /// Of `allocs`, how many were `realloc`.
    pub reallocs: u64,
    /// Calls to `dealloc`.
    pub deallocs: u64,
    /// Bytes requested by `alloc`s plus growth requested by `realloc`s.
    pub bytes: u64,
    /// Bytes allocated minus freed by this thread (negative if it freed others' memory).
    pub current: i64,
    /// Highest `current` since the thread started or since the last [`reset_peak`].
    pub peak: i64,
}

impl Snapshot {
    /// Counter differences `self - earlier` (`current` and `peak` are taken from `self`).
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            allocs: self.allocs - earlier.allocs,
            reallocs: self.reallocs - earlier.reallocs,
            deallocs: self.deallocs - earlier.deallocs,
            bytes: self.bytes - earlier.bytes,
            current: self.current,
            peak: self.peak,
        }
    }
}

struct Counters {
    allocs: Cell<u64>,
    reallocs: Cell<u64>,
    deallocs: Cell<u64>,
    bytes: Cell<u64>,
    current: Cell<i64>,
    peak: Cell<i64>,
}

thread_local! {
    static COUNTERS: Counters = const {
        Counters {
            allocs: Cell::new(0),
            reallocs: Cell::new(0),
            deallocs: Cell::new(0),
            bytes: Cell::new(0),
            current: Cell::new(0),
            peak: Cell::new(0),
        }
    };
}

fn bump(c: &Cell<u64>, by: u64) {
    c.set(c.get().wrapping_add(by));
}

fn add_current(c: &Counters, delta: i64) {
    let now = c.current.get().wrapping_add(delta);
    c.current.set(now);
    if now > c.peak.get() {
        c.peak.set(now);
    }
}

fn on_alloc(size: usize) {
    // `try_with` cannot fail for a const, Drop-free thread-local; ignore it if it ever does.
    let _ = COUNTERS.try_with(|c| {
        bump(&c.allocs, 1);
        bump(&c.bytes, size as u64);
        add_current(c, size as i64);
    });
}

fn on_dealloc(size: usize) {
    let _ = COUNTERS.try_with(|c| {
        bump(&c.deallocs, 1);
        add_current(c, -(size as i64));
    });
}

fn on_realloc(old: usize, new: usize) {
    let _ = COUNTERS.try_with(|c| {
        bump(&c.allocs, 1);
        bump(&c.reallocs, 1);
        bump(&c.bytes, new.saturating_sub(old) as u64);
        add_current(c, new as i64 - old as i64);
    });
}

// SAFETY: every method forwards to `System` with the same arguments, so `System`'s guarantees
// hold unchanged; the counting touches only thread-local `Cell`s and never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            on_alloc(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            on_alloc(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` via this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        on_dealloc(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which we pass on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            on_realloc(layout.size(), new_size);
        }
        p
    }
}

/// The current thread's counters.
pub fn snapshot() -> Snapshot {
    COUNTERS
        .try_with(|c| Snapshot {
            allocs: c.allocs.get(),
            reallocs: c.reallocs.get(),
            deallocs: c.deallocs.get(),
            bytes: c.bytes.get(),
            current: c.current.get(),
            peak: c.peak.get(),
        })
        .unwrap_or_default()
}

/// Restarts the current thread's peak at its current heap; returns that heap, so the peak of
/// what follows is `snapshot().peak - returned`.
pub fn reset_peak() -> i64 {
    COUNTERS
        .try_with(|c| {
            c.peak.set(c.current.get());
            c.current.get()
        })
        .unwrap_or_default()
}

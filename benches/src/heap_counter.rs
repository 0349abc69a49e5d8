//! A process-wide counting global allocator: the live heap of the whole process (every
//! thread), for the scale bench's memory per open stream. [`crate::alloc_counter`] counts per
//! thread (exact for the single-threaded decode measurements); a multi-thread client moves
//! buffers between threads, so only a process-wide count adds up.
//!
//! Install it with `#[global_allocator] static A: HeapCounter = HeapCounter;` and read
//! [`live_bytes`].

// Reviewed exception to the workspace's `unsafe_code` ban, as in `alloc_counter`: implementing
// `GlobalAlloc` is `unsafe` by definition. The impl forwards to `System` with the caller's
// arguments unchanged and updates two relaxed atomics (no allocation, no lock).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Forwards to [`System`], counting the live bytes of the whole process.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeapCounter;

static LIVE: AtomicI64 = AtomicI64::new(0);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

/// Bytes allocated and not freed yet, by every thread.
pub fn live_bytes() -> i64 {
    LIVE.load(Ordering::Relaxed)
}

/// Allocations (and reallocations) so far, by every thread.
pub fn allocations() -> u64 {
    ALLOCS.load(Ordering::Relaxed)
}

fn grew(by: usize) {
    LIVE.fetch_add(by as i64, Ordering::Relaxed);
    ALLOCS.fetch_add(1, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counters
// are atomics that never allocate.
unsafe impl GlobalAlloc for HeapCounter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract, which we pass on.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which we pass on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

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
/// Live bytes by size class: bucket `b` holds allocations of `2^(b-1)` to `2^b - 1` bytes.
static BY_SIZE: [AtomicI64; 48] = [const { AtomicI64::new(0) }; 48];

fn bucket(size: usize) -> usize {
    ((usize::BITS - size.leading_zeros()) as usize).min(47)
}

/// Live bytes by size class: `(smallest size of the class, live bytes)` for each class, the
/// class of `n` bytes starting at the power of two at or below `n`.
pub fn live_by_size() -> Vec<(usize, i64)> {
    BY_SIZE
        .iter()
        .enumerate()
        .map(|(b, v)| {
            (
                if b == 0 { 0 } else { 1 << (b - 1) },
                v.load(Ordering::Relaxed),
            )
        })
        .collect()
}

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
    BY_SIZE[bucket(by)].fetch_add(by as i64, Ordering::Relaxed);
}

fn shrank(by: usize) {
    LIVE.fetch_sub(by as i64, Ordering::Relaxed);
    BY_SIZE[bucket(by)].fetch_sub(by as i64, Ordering::Relaxed);
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
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which we pass on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

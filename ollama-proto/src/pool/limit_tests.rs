//! The connection limit without a runtime: futures polled by hand with wakers that count.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use super::{Acquire, AllBusy, ConnectionLimit, ConnectionPermit};

/// A waker that counts its wakes.
#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn waker() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count::default());
    (Arc::clone(&count), Waker::from(count))
}

fn poll(acquire: &mut Acquire, waker: &Waker) -> Poll<ConnectionPermit> {
    Pin::new(acquire).poll(&mut Context::from_waker(waker))
}

fn woken(count: &Count) -> usize {
    count.0.load(Ordering::SeqCst)
}

#[test]
fn the_limit_counts_permits_and_says_how_many_are_busy() {
    let limit = ConnectionLimit::new(2);
    let a = limit.try_acquire().unwrap();
    let b = limit.try_acquire().unwrap();
    assert_eq!(limit.busy(), 2);
    assert_eq!(
        limit.try_acquire().unwrap_err(),
        AllBusy {
            busy: 2,
            max: 2,
            waiting: 0
        }
    );
    drop(a);
    assert_eq!(limit.busy(), 1);
    let _c = limit.try_acquire().unwrap();
    drop(b);
    assert_eq!(limit.busy(), 1);
    assert_eq!(ConnectionLimit::new(0).max(), 1, "0 would hang every call");
}

#[test]
fn waiters_get_released_places_first_in_first_out() {
    let limit = ConnectionLimit::new(1);
    let held = limit.try_acquire().unwrap();
    let (counts, wakers): (Vec<_>, Vec<_>) = (0..3).map(|_| waker()).unzip();
    let mut waiting: Vec<Acquire> = (0..3).map(|_| limit.acquire()).collect();
    for (acquire, waker) in waiting.iter_mut().zip(&wakers) {
        assert!(poll(acquire, waker).is_pending());
    }
    assert_eq!(limit.waiting(), 3);
    // A newcomer does not overtake the queue, even with nothing else to wait for.
    assert_eq!(limit.try_acquire().unwrap_err().waiting, 3);

    drop(held);
    assert_eq!(
        counts.iter().map(|c| woken(c)).collect::<Vec<_>>(),
        [1, 0, 0]
    );
    assert_eq!(
        limit.busy(),
        1,
        "the place went to the first waiter, not back"
    );
    // The second, polled before its turn, stays pending.
    assert!(poll(&mut waiting[1], &wakers[1]).is_pending());
    let Poll::Ready(first) = poll(&mut waiting[0], &wakers[0]) else {
        panic!("the first waiter was handed the place");
    };
    drop(first);
    assert_eq!(woken(&counts[1]), 1);
    assert_eq!(woken(&counts[2]), 0);
    let Poll::Ready(second) = poll(&mut waiting[1], &wakers[1]) else {
        panic!("the second waiter was next");
    };
    drop(second);
    let Poll::Ready(third) = poll(&mut waiting[2], &wakers[2]) else {
        panic!("the third waiter was next");
    };
    assert_eq!((limit.busy(), limit.waiting()), (1, 0));
    drop(third);
    assert_eq!(limit.busy(), 0);
}

#[test]
fn a_waiter_that_leaves_passes_on_its_place_or_its_turn() {
    let limit = ConnectionLimit::new(1);
    let held = limit.try_acquire().unwrap();
    let (c1, w1) = waker();
    let (c2, w2) = waker();
    let (c3, w3) = waker();
    let mut first = limit.acquire();
    let mut second = limit.acquire();
    let mut third = limit.acquire();
    assert!(poll(&mut first, &w1).is_pending());
    assert!(poll(&mut second, &w2).is_pending());
    assert!(poll(&mut third, &w3).is_pending());
    // Leaving before its turn: out of the queue, nobody woken.
    drop(second);
    assert_eq!(limit.waiting(), 2);
    drop(held);
    assert_eq!((woken(&c1), woken(&c2), woken(&c3)), (1, 0, 0));
    // Handed the place but gone before taking it: the place goes to the next in line.
    drop(first);
    assert_eq!(woken(&c3), 1);
    let Poll::Ready(permit) = poll(&mut third, &w3) else {
        panic!("the place was passed on");
    };
    assert_eq!(limit.busy(), 1);
    drop(permit);
    assert_eq!((limit.busy(), limit.waiting()), (0, 0));
}

#[test]
fn a_waiter_polled_by_another_task_is_woken_there() {
    let limit = ConnectionLimit::new(1);
    let held = limit.try_acquire().unwrap();
    let (old, w_old) = waker();
    let (new, w_new) = waker();
    let mut acquire = limit.acquire();
    assert!(poll(&mut acquire, &w_old).is_pending());
    assert!(poll(&mut acquire, &w_new).is_pending());
    drop(held);
    assert_eq!((woken(&old), woken(&new)), (0, 1));
    assert!(poll(&mut acquire, &w_new).is_ready());
}

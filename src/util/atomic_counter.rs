//! The counter behind `zmq_atomic_counter_*`: a 32-bit value changed
//! atomically, wrapping like libzmq's `uint32_t` counter and read back as a
//! C `int`.

use std::sync::atomic::{AtomicU32, Ordering};

/// A thread-safe counter, starting at zero.
#[derive(Debug, Default)]
pub(crate) struct AtomicCounter(AtomicU32);

impl AtomicCounter {
    /// A counter at zero.
    pub(crate) fn new() -> AtomicCounter {
        AtomicCounter(AtomicU32::new(0))
    }

    /// Sets the value.
    pub(crate) fn set(&self, value: i32) {
        self.0.store(value as u32, Ordering::SeqCst);
    }

    /// Adds one and returns the value before the increment.
    pub(crate) fn inc(&self) -> i32 {
        self.0.fetch_add(1, Ordering::AcqRel) as i32
    }

    /// Subtracts one (wrapping below zero as libzmq does) and says whether
    /// the counter is still nonzero afterwards.
    pub(crate) fn dec(&self) -> bool {
        self.0.fetch_sub(1, Ordering::AcqRel).wrapping_sub(1) != 0
    }

    /// The current value.
    pub(crate) fn value(&self) -> i32 {
        self.0.load(Ordering::SeqCst) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// The sequence of libzmq's tests/test_atomics.cpp.
    #[test]
    fn libzmq_sequence() {
        let c = AtomicCounter::new();
        assert_eq!(c.value(), 0);
        assert_eq!(c.inc(), 0);
        assert_eq!(c.inc(), 1);
        assert_eq!(c.inc(), 2);
        assert_eq!(c.value(), 3);
        assert!(c.dec());
        assert!(c.dec());
        assert!(!c.dec());
        c.set(2);
        assert!(c.dec());
        assert!(!c.dec());
    }

    #[test]
    fn wraps_like_uint32() {
        let c = AtomicCounter::new();
        assert!(c.dec(), "0 - 1 wraps to 0xFFFFFFFF, which is nonzero");
        assert_eq!(c.value(), -1);
        assert_eq!(c.inc(), -1);
        assert_eq!(c.value(), 0);
        c.set(i32::MAX);
        assert_eq!(c.inc(), i32::MAX);
        assert_eq!(c.value(), i32::MIN);
        c.set(-5);
        assert_eq!(c.value(), -5);
    }

    #[test]
    fn concurrent_increments() {
        let c = Arc::new(AtomicCounter::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        c.inc();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(c.value(), 40_000);
    }
}

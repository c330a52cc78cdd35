//! Monotonic time for the utility calls: the stopwatch behind
//! `zmq_stopwatch_*`, the millisecond clock the timer set is driven by, and
//! `zmq_sleep`.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Microseconds on a monotonic clock (CLOCK_MONOTONIC, as libzmq's
/// `clock_t::now_us`), counted from the first call in this process.
pub(crate) fn now_us() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// Milliseconds on the same clock as [`now_us`].
pub(crate) fn now_ms() -> u64 {
    now_us() / 1000
}

/// A started stopwatch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stopwatch {
    start_us: u64,
}

impl Stopwatch {
    /// Starts measuring now.
    pub(crate) fn start() -> Stopwatch {
        Stopwatch { start_us: now_us() }
    }

    /// Microseconds since the start.
    pub(crate) fn elapsed_us(&self) -> u64 {
        now_us().saturating_sub(self.start_us)
    }
}

/// Sleeps for `seconds` (nothing for zero or a negative count).
pub(crate) fn sleep_seconds(seconds: i32) {
    if let Ok(s) = u64::try_from(seconds) {
        std::thread::sleep(Duration::from_secs(s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwatch_measures_a_sleep() {
        let w = Stopwatch::start();
        std::thread::sleep(Duration::from_millis(20));
        let us = w.elapsed_us();
        assert!((20_000..5_000_000).contains(&us), "{us}");
        assert!(w.elapsed_us() >= us);
    }

    #[test]
    fn clock_is_monotonic() {
        let a = now_us();
        let b = now_us();
        assert!(b >= a);
        assert!(now_ms() <= now_us() / 1000 + 1);
    }

    #[test]
    fn negative_sleep_returns() {
        let w = Stopwatch::start();
        sleep_seconds(-1);
        sleep_seconds(0);
        assert!(w.elapsed_us() < 1_000_000);
    }
}

//! Small self-contained facilities behind the utility calls of the C API.

#[cfg(test)]
pub mod alloc_count;
pub mod alloc_policy;
pub mod atomic_counter;
pub mod curve;
pub mod handle;
pub mod idmap;
pub mod random;
pub mod stopwatch;
pub mod thread;
pub mod timers;
pub mod z85;

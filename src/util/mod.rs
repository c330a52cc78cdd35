//! Small self-contained facilities behind the utility calls of the C API.

#[cfg(test)]
pub(crate) mod alloc_count;
pub(crate) mod alloc_policy;
pub(crate) mod atomic_counter;
pub mod curve;
pub(crate) mod handle;
pub(crate) mod idmap;
pub(crate) mod random;
pub(crate) mod stopwatch;
pub(crate) mod thread;
pub(crate) mod timers;
pub mod z85;

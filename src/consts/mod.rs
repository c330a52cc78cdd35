//! The numbers of libzmq 4.3.4's `zmq.h`, each defined once, for every
//! layer: option, event, error and type numbers keep their C names here,
//! and a layer that wants a shorter or differently typed name defines it
//! from these (`pub const SNDHWM: i32 = ZMQ_SNDHWM;`), never from a literal.
//!
//! The header is generated from these files: build.rs has cbindgen turn
//! each `pub const` of `stable.rs`, then of `draft.rs` (placed under
//! `#if defined(ZMQ_BUILD_DRAFT_API)`), into a `#define` of
//! `include/zmq.h`, in order, and nothing else of the crate becomes a
//! `#define`. A few macros cannot be Rust constants and are written as
//! header text in `cbindgen.toml`: the function-like `ZMQ_MAKE_VERSION`,
//! the empty `ZMQ_HAVE_TIMERS`/`ZMQ_HAVE_POLLER`, the errno fallbacks
//! (`#ifndef ENOTSUP` ...), `ZMQ_DEFINED_STDINT` and the string-valued
//! message property names (the `&str` constants of `draft.rs` are marked
//! `cbindgen:ignore`; `tests/header.rs` compares the header's with
//! libzmq's).
//!
//! `tests/header.rs` compares the compiled value of every `ZMQ_*` macro of
//! the generated header with the system libzmq header. `ffi::consts` is
//! the public view (the draft part only with the `draft` feature).

pub(crate) mod draft;
pub(crate) mod stable;

pub(crate) use draft::*;
pub use stable::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_values() {
        assert_eq!(ZMQ_VERSION, 40304);
        assert_eq!(EFSM, 156_384_763);
        assert_eq!(EMTHREAD, 156_384_766);
        assert_eq!(ZMQ_XREQ, 5);
        assert_eq!(ZMQ_IDENTITY, 5);
    }

    #[test]
    fn draft_values() {
        assert_eq!(ZMQ_EVENT_ALL_V2, 0x1FFFF);
        assert_eq!(ZMQ_CHANNEL, 20);
    }
}

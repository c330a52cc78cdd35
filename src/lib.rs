//! libzmq 4.3.x rewritten in Rust, exported at the C ABI as `libzmq.so.5`.
//!
//! Modules are layered, each importing only layers below it, bottom to top:
//! base (`consts`, `types`, `error`, `util`, `msg`); `proto`, `routing`, `mailbox`,
//! `transport`; `pipe`; `io`; `ctx`; `socket`; `poll`; `ffi`. See
//! docs/ARCHITECTURE.md; tests/layering.rs enforces it.
#![deny(unsafe_op_in_unsafe_fn)]
// Everything is pub(crate) unless the C ABI or the tests (tests/, fuzz/)
// reach it through a public module: an unreachable `pub` is an error.
#![cfg_attr(feature = "draft", deny(unreachable_pub))]

pub(crate) mod consts;
pub mod ctx;
pub mod error;
pub mod ffi;
pub(crate) mod io;
pub(crate) mod mailbox;
pub mod msg;
pub(crate) mod pipe;
pub(crate) mod poll;
pub mod proto;
pub(crate) mod routing;
pub mod socket;
pub mod transport;
pub mod types;
pub mod util;

/// Message bodies are allocated by the sending thread and freed by the
/// receiving one; glibc's arenas turn that pattern into lock traffic and
/// heap trimming (page faults). mimalloc frees cross-thread without either.
/// It serves only this library's own allocations; the application's
/// malloc is untouched. The `system-alloc` feature and fuzz builds
/// (`--cfg fuzzing`) keep std's System allocator instead, for ASan and
/// valgrind, which cannot see inside mimalloc's pages.
#[cfg(all(not(test), not(fuzzing), not(feature = "system-alloc")))]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The unit tests count allocations per thread (`util::alloc_count`).
#[cfg(test)]
#[global_allocator]
static ALLOC: util::alloc_count::Counting = util::alloc_count::Counting;

//! The C types of `zmq.h`, with their C names and layouts.
//!
//! cbindgen emits `zmq_fd_t`, `zmq_msg_t`, `zmq_pollitem_t` and (draft)
//! `zmq_poller_event_t` from these definitions.
//!
//! The three callback types are function *types* in C
//! (`typedef void (zmq_free_fn) (void *, void *);`, so that C code writes
//! `zmq_free_fn *`), which cbindgen cannot express: `cbindgen.toml` excludes
//! them and writes the C typedefs itself. In Rust each is a *nullable*
//! function pointer (`Option<unsafe extern "C" fn ...>`, the same ABI as a C
//! function pointer). Use the alias itself as the parameter type of an export
//! (`ffn: zmq_free_fn`): cbindgen then declares the parameter as
//! `zmq_free_fn ffn`, which C adjusts to a pointer, exactly as libzmq's
//! prototypes do. Do not write `Option<zmq_free_fn>`: cbindgen 0.27 cannot
//! simplify an `Option` of an alias and would print it verbatim.
//!
//! The layout assertions at the bottom fail the build if a type drifts from
//! the layout libzmq 4.3.4 has on the supported (64-bit Linux) targets.
#![allow(non_camel_case_types)]

use std::os::raw::{c_int, c_short, c_uchar, c_void};

/// A file descriptor as `zmq_poll` and the poller take it (`int` on POSIX).
pub type zmq_fd_t = c_int;

/// A message: 64 opaque bytes, pointer aligned, owned by the caller.
///
/// The library keeps its message representation inside these bytes; C code
/// only ever passes pointers to it.
/// cbindgen:field-names=[_]
#[repr(C, align(8))]
pub struct zmq_msg_t {
    pub bytes: [c_uchar; 64],
}

/// Called once when the library no longer needs a buffer passed to
/// `zmq_msg_init_data`; `hint` is the caller's value. `None` is C's NULL.
pub type zmq_free_fn = Option<unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void)>;

/// A timer callback of `zmq_timers_add`. `None` is C's NULL.
pub type zmq_timer_fn = Option<unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void)>;

/// The body of a thread started by `zmq_threadstart`. `None` is C's NULL.
pub type zmq_thread_fn = Option<unsafe extern "C" fn(arg: *mut c_void)>;

/// One entry of `zmq_poll`'s array: a socket, or (if `socket` is NULL) a
/// file descriptor, with the events asked for and the events that occurred.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zmq_pollitem_t {
    pub socket: *mut c_void,
    pub fd: zmq_fd_t,
    pub events: c_short,
    pub revents: c_short,
}

/// One ready entry reported by `zmq_poller_wait`/`zmq_poller_wait_all`.
#[cfg(feature = "draft")]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zmq_poller_event_t {
    pub socket: *mut c_void,
    pub fd: zmq_fd_t,
    pub user_data: *mut c_void,
    pub events: c_short,
}

// Layout checks (x86_64 / aarch64 Linux, LP64): these are libzmq's layouts.
const _: () = {
    use std::mem::{align_of, offset_of, size_of};
    assert!(size_of::<zmq_fd_t>() == 4);
    assert!(size_of::<zmq_msg_t>() == 64);
    assert!(align_of::<zmq_msg_t>() == 8);
    assert!(align_of::<zmq_msg_t>() >= align_of::<*mut c_void>());
    assert!(size_of::<zmq_free_fn>() == size_of::<*mut c_void>());
    assert!(size_of::<zmq_timer_fn>() == size_of::<*mut c_void>());
    assert!(size_of::<zmq_thread_fn>() == size_of::<*mut c_void>());
    assert!(offset_of!(zmq_pollitem_t, socket) == 0);
    assert!(offset_of!(zmq_pollitem_t, fd) == size_of::<*mut c_void>());
    assert!(offset_of!(zmq_pollitem_t, events) == size_of::<*mut c_void>() + 4);
    assert!(offset_of!(zmq_pollitem_t, revents) == size_of::<*mut c_void>() + 6);
    assert!(size_of::<zmq_pollitem_t>() == 16);
    assert!(align_of::<zmq_pollitem_t>() == align_of::<*mut c_void>());
};

#[cfg(feature = "draft")]
const _: () = {
    use std::mem::{align_of, offset_of, size_of};
    assert!(offset_of!(zmq_poller_event_t, socket) == 0);
    assert!(offset_of!(zmq_poller_event_t, fd) == 8);
    assert!(offset_of!(zmq_poller_event_t, user_data) == 16);
    assert!(offset_of!(zmq_poller_event_t, events) == 24);
    assert!(size_of::<zmq_poller_event_t>() == 32);
    assert!(align_of::<zmq_poller_event_t>() == 8);
};

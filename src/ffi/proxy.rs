//! `zmq_proxy`, `zmq_proxy_steerable` and the deprecated `zmq_device`.

use super::entry;
use crate::error::{Error, Result};
use crate::poll::proxy;
use crate::socket::Socket;
use std::os::raw::{c_int, c_void};

/// Resolves a required socket: EFAULT for NULL (as libzmq), ENOTSOCK for a
/// closed or foreign handle.
///
/// # Safety
/// As `Socket::from_handle`.
unsafe fn required(s: *mut c_void) -> Result<&'static Socket> {
    if s.is_null() {
        return Err(Error::EFAULT);
    }
    // SAFETY: forwarded from the caller; socket shells are never freed, so
    // the reference is good for 'static.
    unsafe { Socket::from_handle(s) }
}

/// Resolves an optional socket: NULL is `None`.
///
/// # Safety
/// As `Socket::from_handle`.
unsafe fn optional(s: *mut c_void) -> Result<Option<&'static Socket>> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller; see `required`.
    unsafe { Socket::from_handle(s) }.map(Some)
}

/// # Safety
/// Each argument is NULL (capture/control only) or a handle from zmq_socket.
unsafe fn run(
    front: *mut c_void,
    back: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> Result<c_int> {
    // SAFETY: forwarded from the caller (all four).
    let (f, b, cap, ctl) = unsafe {
        (
            required(front)?,
            required(back)?,
            optional(capture)?,
            optional(control)?,
        )
    };
    proxy::proxy(f, b, cap, ctl).map(|_| 0)
}

/// Forwards messages between `frontend` and `backend` until the context
/// terminates (-1, ETERM).
///
/// # Safety
/// `frontend`/`backend` are handles from zmq_socket; `capture` is NULL or one.
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
) -> c_int {
    // SAFETY: forwarded from the caller.
    entry(|| unsafe { run(frontend, backend, capture, std::ptr::null_mut()) })
}

/// `zmq_proxy` steered by PAUSE/RESUME/TERMINATE/STATISTICS frames on
/// `control`; returns 0 after TERMINATE.
///
/// # Safety
/// As `zmq_proxy`; `control` is NULL or a handle from zmq_socket.
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy_steerable(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> c_int {
    // SAFETY: forwarded from the caller.
    entry(|| unsafe { run(frontend, backend, capture, control) })
}

/// Deprecated: `zmq_proxy(frontend, backend, NULL)`; `type` is ignored.
///
/// # Safety
/// As `zmq_proxy`.
#[no_mangle]
pub unsafe extern "C" fn zmq_device(
    _type: c_int,
    frontend: *mut c_void,
    backend: *mut c_void,
) -> c_int {
    // SAFETY: forwarded from the caller.
    entry(|| unsafe {
        run(
            frontend,
            backend,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    })
}

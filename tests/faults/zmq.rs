//! The few C functions the peers call, wrapped so that a failure names the
//! call and its errno. The peers are applications: they use the exported
//! functions, not the crate's internals.

use std::ffi::CString;
use std::os::raw::{c_int, c_void};
use zmq::ffi::consts::*;
use zmq::ffi::ctx::*;
use zmq::ffi::poll::zmq_poll;
use zmq::ffi::socket::*;
use zmq::ffi::types::zmq_pollitem_t;

pub fn errno() -> c_int {
    // SAFETY: the calling thread's errno slot.
    unsafe { *libc::__errno_location() }
}

/// A context or socket handle; the library resolves them by tag and
/// serialises calls, so passing one to another thread is sound.
#[derive(Clone, Copy)]
pub struct Handle(*mut c_void);
// SAFETY: see above.
unsafe impl Send for Handle {}
// SAFETY: see above.
unsafe impl Sync for Handle {}

pub fn ctx() -> Handle {
    let c = zmq_ctx_new();
    assert!(!c.is_null());
    Handle(c)
}

pub fn socket(ctx: Handle, ty: c_int) -> Handle {
    // SAFETY: a live context.
    let s = unsafe { zmq_socket(ctx.0, ty) };
    assert!(!s.is_null(), "zmq_socket({ty}): errno {}", errno());
    Handle(s)
}

pub fn set_int(s: Handle, opt: c_int, v: c_int) {
    // SAFETY: a live socket and a 4-byte int.
    let rc = unsafe { zmq_setsockopt(s.0, opt, &v as *const c_int as *const c_void, 4) };
    assert_eq!(rc, 0, "zmq_setsockopt({opt}, {v}): errno {}", errno());
}

pub fn bind(s: Handle, ep: &str) -> String {
    let c = CString::new(ep).unwrap();
    // SAFETY: a live socket and a C string.
    assert_eq!(
        unsafe { zmq_bind(s.0, c.as_ptr()) },
        0,
        "zmq_bind({ep}): errno {}",
        errno()
    );
    let mut buf = [0u8; 256];
    let mut len = buf.len();
    // SAFETY: a live socket, a buffer of `len` bytes.
    let rc = unsafe {
        zmq_getsockopt(
            s.0,
            ZMQ_LAST_ENDPOINT,
            buf.as_mut_ptr() as *mut c_void,
            &mut len,
        )
    };
    assert_eq!(rc, 0);
    String::from_utf8(buf[..len - 1].to_vec()).unwrap()
}

pub fn connect(s: Handle, ep: &str) {
    let c = CString::new(ep).unwrap();
    // SAFETY: a live socket and a C string.
    assert_eq!(
        unsafe { zmq_connect(s.0, c.as_ptr()) },
        0,
        "zmq_connect({ep}): errno {}",
        errno()
    );
}

/// Sends one frame; false on EAGAIN (a timeout), panics on other errors.
pub fn send(s: Handle, data: &[u8], flags: c_int) -> bool {
    // SAFETY: a live socket and `data`'s bytes.
    let rc = unsafe { zmq_send(s.0, data.as_ptr() as *const c_void, data.len(), flags) };
    if rc < 0 && errno() == libc::EAGAIN {
        return false;
    }
    assert_eq!(rc, data.len() as c_int, "zmq_send: errno {}", errno());
    true
}

/// Receives one frame into `buf`; its length (truncated frames are a
/// failure), or None on EAGAIN.
pub fn recv(s: Handle, buf: &mut [u8], flags: c_int) -> Option<usize> {
    // SAFETY: a live socket and `buf`'s bytes.
    let rc = unsafe { zmq_recv(s.0, buf.as_mut_ptr() as *mut c_void, buf.len(), flags) };
    if rc < 0 && errno() == libc::EAGAIN {
        return None;
    }
    assert!(rc >= 0, "zmq_recv: errno {}", errno());
    assert!(
        (rc as usize) <= buf.len(),
        "a frame of {rc} bytes does not fit"
    );
    Some(rc as usize)
}

/// Whether `s` becomes readable within `timeout_ms`.
pub fn poll_in(s: Handle, timeout_ms: i64) -> bool {
    let mut item = zmq_pollitem_t {
        socket: s.0,
        fd: 0,
        events: ZMQ_POLLIN as i16,
        revents: 0,
    };
    // SAFETY: one valid item.
    let rc = unsafe { zmq_poll(&mut item, 1, timeout_ms as _) };
    assert!(rc >= 0, "zmq_poll: errno {}", errno());
    rc == 1
}

pub fn close(s: Handle) {
    // SAFETY: a live socket, closed once.
    assert_eq!(unsafe { zmq_close(s.0) }, 0, "zmq_close: errno {}", errno());
}

/// Monitor events as a PAIR socket delivers them: (event, value).
pub fn monitor(ctx: Handle, s: Handle, name: &str) -> Handle {
    let ep = CString::new(format!("inproc://{name}")).unwrap();
    // SAFETY: a live socket and a C string.
    assert_eq!(
        unsafe { zmq_socket_monitor(s.0, ep.as_ptr(), ZMQ_EVENT_ALL) },
        0
    );
    let pair = socket(ctx, ZMQ_PAIR);
    connect(pair, &format!("inproc://{name}"));
    pair
}

/// The next monitor event: (event, value); the address frame is dropped.
pub fn next_event(pair: Handle) -> (u16, u32) {
    let mut buf = [0u8; 256];
    let n = recv(pair, &mut buf, 0).expect("a monitor event");
    assert_eq!(n, 6, "a v1 event frame");
    let ev = u16::from_ne_bytes([buf[0], buf[1]]);
    let value = u32::from_ne_bytes([buf[2], buf[3], buf[4], buf[5]]);
    recv(pair, &mut buf, 0).expect("the event's address frame");
    (ev, value)
}

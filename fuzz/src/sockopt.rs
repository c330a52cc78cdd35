//! Socket option values as raw bytes, through the C entry points on a
//! real socket of each type (so type-specific options are reached too):
//! zmq_setsockopt with exactly the octets given, then zmq_getsockopt of
//! every option into buffers of every size that matters, each buffer
//! from the C heap at its exact size so AddressSanitizer sees an overrun.
//!
//! Input: octet 0 is the socket type; then records of option number,
//! value length and value.

use std::ffi::c_void;
use std::sync::OnceLock;
use zmq::ffi::{ctx, socket};

/// One context for the process: creating one per input would start and
/// stop its machinery every time for nothing.
fn context() -> *mut c_void {
    static CTX: OnceLock<usize> = OnceLock::new();
    *CTX.get_or_init(|| ctx::zmq_ctx_new() as usize) as *mut c_void
}

fn errno() -> i32 {
    // SAFETY: the calling thread's errno slot.
    unsafe { *libc::__errno_location() }
}

/// Octets on the C heap of exactly the size asked for.
struct CBuf(*mut u8);

impl CBuf {
    fn from(data: &[u8]) -> CBuf {
        // SAFETY: malloc of at least one octet, filled from `data`.
        unsafe {
            let p = libc::malloc(data.len().max(1)).cast::<u8>();
            assert!(!p.is_null());
            std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len());
            CBuf(p)
        }
    }
}

impl Drop for CBuf {
    fn drop(&mut self) {
        // SAFETY: from malloc.
        unsafe { libc::free(self.0.cast()) }
    }
}

/// The errnos zmq_setsockopt / zmq_getsockopt may give for a bad value
/// or an option the type does not have.
const EXPECTED: [i32; 3] = [libc::EINVAL, libc::EFAULT, libc::ENOTSUP];

pub fn sockopt(data: &[u8]) {
    let Some((ty, mut rest)) = data.split_first() else { return };
    // SAFETY: a live context.
    let s = unsafe { socket::zmq_socket(context(), i32::from(*ty % 21)) };
    if s.is_null() {
        assert_eq!(errno(), libc::EINVAL, "socket type {ty}");
        return;
    }
    while let [opt, len, tail @ ..] = rest {
        let (opt, len) = (*opt, *len);
        let n = usize::from(len).min(tail.len());
        let v = CBuf::from(&tail[..n]);
        // SAFETY: a live socket and `n` readable octets at `v`.
        let rc = unsafe { socket::zmq_setsockopt(s, i32::from(opt), v.0.cast(), n) };
        if rc != 0 {
            assert_eq!(rc, -1);
            assert!(EXPECTED.contains(&errno()), "setsockopt({opt}, {n} octets): errno {}", errno());
        }
        get(s, i32::from(opt));
        rest = &tail[n..];
    }
    for opt in 0..=120 {
        get(s, opt);
    }
    // SAFETY: a live socket, closed once.
    assert_eq!(unsafe { socket::zmq_close(s) }, 0);
}

/// Reads `opt` into buffers of the sizes options come in.
fn get(s: *mut c_void, opt: i32) {
    for size in [0usize, 1, 4, 8, 40, 41, 256] {
        let buf = CBuf::from(&vec![0xA5; size]);
        let mut len = size;
        // SAFETY: a live socket; `len` writable octets at `buf`.
        let rc = unsafe { socket::zmq_getsockopt(s, opt, buf.0.cast(), &mut len) };
        if rc == 0 {
            assert!(len <= size, "getsockopt({opt}) claims {len} octets in a buffer of {size}");
        } else {
            assert_eq!(rc, -1);
            assert!(EXPECTED.contains(&errno()), "getsockopt({opt}, {size}): errno {}", errno());
        }
    }
}

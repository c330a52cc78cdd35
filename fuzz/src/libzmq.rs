//! Debian's libzmq as a reference, loaded with dlopen (RTLD_LOCAL): its
//! symbols stay out of the fuzz binary, which already holds ours under
//! the same names. None where it is not installed.

use std::ffi::{c_void, CStr};
use std::sync::OnceLock;

fn handle() -> Option<usize> {
    static H: OnceLock<Option<usize>> = OnceLock::new();
    *H.get_or_init(|| {
        // SAFETY: dlopen with a valid C string; the handle stays open for
        // the life of the process.
        let h = unsafe { libc::dlopen(c"libzmq.so.5".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        (!h.is_null()).then_some(h as usize)
    })
}

/// The address of libzmq's `name`, to be transmuted by the caller to the
/// function type zmq.h gives it.
pub fn symbol(name: &CStr) -> Option<*mut c_void> {
    let h = handle()?;
    // SAFETY: a live handle and a valid C string.
    let p = unsafe { libc::dlsym(h as *mut c_void, name.as_ptr()) };
    (!p.is_null()).then_some(p)
}

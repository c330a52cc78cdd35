//! The C ABI. The only place with `#[no_mangle]`, raw pointers from C and
//! errno writes.
//!
//! Every exported function runs its body through [`entry`], which turns an
//! `Err` into the failure value of the function's return type and sets errno.
//! `tests/exports_use_entry.rs` fails if an export bypasses it.

use crate::error::{Error, Result};
use std::os::raw::{c_char, c_int, c_long, c_ulong, c_void};

pub mod consts;
pub mod ctx;
pub mod msg;
pub mod poll;
pub mod proxy;
pub mod socket;
pub mod types;
pub mod util;

/// Sets the calling thread's errno.
pub(crate) fn set_errno(e: Error) {
    // SAFETY: __errno_location returns the calling thread's errno slot,
    // valid for the thread's lifetime.
    unsafe { *libc::__errno_location() = e.errno() }
}

/// Reads the calling thread's errno.
pub(crate) fn get_errno() -> c_int {
    // SAFETY: as in set_errno.
    unsafe { *libc::__errno_location() }
}

/// A value an exported function can return, with the value that means failure.
pub(crate) trait FfiReturn {
    fn failure() -> Self;
}

impl FfiReturn for c_int {
    fn failure() -> Self {
        -1
    }
}
impl FfiReturn for c_long {
    fn failure() -> Self {
        -1
    }
}
impl FfiReturn for c_ulong {
    fn failure() -> Self {
        0
    }
}
impl FfiReturn for usize {
    fn failure() -> Self {
        0
    }
}
impl FfiReturn for u32 {
    fn failure() -> Self {
        0
    }
}
impl FfiReturn for () {
    fn failure() -> Self {}
}
impl<T> FfiReturn for *mut T {
    fn failure() -> Self {
        std::ptr::null_mut()
    }
}
impl<T> FfiReturn for *const T {
    fn failure() -> Self {
        std::ptr::null()
    }
}

/// The boundary wrapper: runs `body`; an `Err` sets errno and yields the
/// return type's failure value. (`panic = "abort"`: nothing unwinds into C.)
#[inline(always)]
pub(crate) fn entry<R: FfiReturn>(body: impl FnOnce() -> Result<R>) -> R {
    match body() {
        Ok(v) => v,
        Err(e) => {
            set_errno(e);
            R::failure()
        }
    }
}

/// Borrows a NUL-terminated C string as bytes; NULL is `err`.
///
/// # Safety
/// `s` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_str<'a>(s: *const c_char, err: Error) -> Result<&'a [u8]> {
    if s.is_null() {
        return Err(err);
    }
    // SAFETY: the caller guarantees a NUL-terminated string.
    Ok(unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes())
}

/// Borrows `len` bytes at `p`; NULL with `len > 0` is `err`.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes<'a>(p: *const c_void, len: usize, err: Error) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(err);
    }
    // SAFETY: the caller guarantees `len` readable bytes at `p`.
    Ok(unsafe { std::slice::from_raw_parts(p as *const u8, len) })
}

/// Borrows `len` writable bytes at `p`; NULL with `len > 0` is `err`.
///
/// # Safety
/// `p` is NULL or valid for writes of `len` bytes for `'a`.
pub(crate) unsafe fn bytes_mut<'a>(p: *mut c_void, len: usize, err: Error) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(err);
    }
    // SAFETY: the caller guarantees `len` writable bytes at `p`.
    Ok(unsafe { std::slice::from_raw_parts_mut(p as *mut u8, len) })
}

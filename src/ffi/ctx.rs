//! Version, errors, capabilities and contexts.

use super::types::zmq_msg_t;
use super::{entry, get_errno};
use crate::consts::*;
use crate::ctx::{self, CtxShared};
use crate::error::{own_text, Error, Result};
use crate::util::handle::Registry;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::Arc;

/// Context handles (libzmq's live tag for a context).
static CONTEXTS: Registry<Arc<CtxShared>> = Registry::new(0xabad_cafe);

/// Resolves a context handle; EFAULT if it is not a live context.
///
/// # Safety
/// As `Registry::resolve`: `p` is NULL or a pointer obtained from
/// zmq_ctx_new (possibly terminated) or to 4 readable bytes.
pub(crate) unsafe fn ctx_from(p: *mut c_void) -> Result<Arc<CtxShared>> {
    // SAFETY: forwarded contract.
    let shell = unsafe { CONTEXTS.resolve(p) }.ok_or(Error::EFAULT)?;
    shell.lock().clone().ok_or(Error::EFAULT)
}

#[no_mangle]
pub unsafe extern "C" fn zmq_version(major: *mut c_int, minor: *mut c_int, patch: *mut c_int) {
    entry(|| {
        for (p, v) in [
            (major, ZMQ_VERSION_MAJOR),
            (minor, ZMQ_VERSION_MINOR),
            (patch, ZMQ_VERSION_PATCH),
        ] {
            if !p.is_null() {
                // SAFETY: the caller passes writable ints (or NULL, skipped).
                unsafe { *p = v };
            }
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn zmq_errno() -> c_int {
    entry(|| Ok(get_errno()))
}

#[no_mangle]
pub extern "C" fn zmq_strerror(errnum: c_int) -> *const c_char {
    entry(|| {
        Ok(match own_text(errnum) {
            Some(t) => t.as_ptr(),
            // SAFETY: strerror returns a pointer to a static or thread-local string.
            None => unsafe { libc::strerror(errnum) },
        })
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_has(capability: *const c_char) -> c_int {
    entry(|| {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let Ok(c) = (unsafe { super::c_str(capability, Error::EINVAL) }) else {
            return Ok(0);
        };
        // Only what this build really provides (libzmq asks only about
        // optional parts: tcp and inproc are always there). Transports
        // answer for themselves.
        let has = match c {
            b"curve" => true,
            b"draft" => cfg!(feature = "draft"),
            _ => std::str::from_utf8(c).is_ok_and(crate::transport::has_capability),
        };
        Ok(c_int::from(has))
    })
}

#[no_mangle]
pub extern "C" fn zmq_ctx_new() -> *mut c_void {
    entry(|| {
        crate::util::alloc_policy::apply();
        Ok(CONTEXTS.open(CtxShared::new()).handle())
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_term(context: *mut c_void) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let c = unsafe { ctx_from(context)? };
        // In a child after fork() the context's threads were left behind in
        // the parent: there is nothing to wait for, and libzmq answers EINTR.
        if c.forked() {
            return Err(Error::EINTR);
        }
        c.terminate();
        // Two threads may end the same context at once: only the one that
        // takes it out retires the handle. ctx_from proved it live, and it
        // cannot have been freed since (shells never are).
        // SAFETY: as for ctx_from, which accepted this pointer.
        if let Some(shell) = unsafe { CONTEXTS.resolve(context) } {
            CONTEXTS.close_if(shell, |held| Arc::ptr_eq(held, &c));
        }
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_shutdown(context: *mut c_void) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        unsafe { ctx_from(context)? }.shutdown();
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_destroy(context: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| Ok(unsafe { zmq_ctx_term(context) }))
}

#[no_mangle]
pub extern "C" fn zmq_init(io_threads: c_int) -> *mut c_void {
    entry(|| {
        if io_threads < 0 {
            return Err(Error::EINVAL);
        }
        let c = zmq_ctx_new();
        // SAFETY: c is a live context we just made.
        unsafe { ctx_from(c)? }.options.lock().io_threads = io_threads;
        Ok(c)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_term(context: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| Ok(unsafe { zmq_ctx_term(context) }))
}

/// Applies a context option given as raw bytes (int options need 4).
fn ctx_set(c: &CtxShared, option: c_int, val: &[u8]) -> Result<()> {
    let int = <[u8; 4]>::try_from(val).ok().map(i32::from_ne_bytes);
    let nonneg = int.filter(|&v| v >= 0);
    let mut o = c.options.lock();
    match option {
        ZMQ_MAX_SOCKETS => {
            let v = int
                .filter(|&v| (1..=ctx::SOCKET_LIMIT_VALUE).contains(&v))
                .ok_or(Error::EINVAL)?;
            o.max_sockets = v;
        }
        ZMQ_IO_THREADS => o.io_threads = nonneg.ok_or(Error::EINVAL)?,
        ZMQ_IPV6 => o.ipv6 = nonneg.ok_or(Error::EINVAL)? != 0,
        ZMQ_BLOCKY => o.blocky = nonneg.ok_or(Error::EINVAL)? != 0,
        ZMQ_MAX_MSGSZ => o.max_msgsz = nonneg.ok_or(Error::EINVAL)?,
        ZMQ_ZERO_COPY_RECV => o.zero_copy_recv = nonneg.ok_or(Error::EINVAL)? != 0,
        ZMQ_THREAD_SCHED_POLICY => o.thread_sched_policy = nonneg.ok_or(Error::EINVAL)?,
        ZMQ_THREAD_PRIORITY => o.thread_priority = nonneg.ok_or(Error::EINVAL)?,
        ZMQ_THREAD_AFFINITY_CPU_ADD => {
            let v = nonneg.ok_or(Error::EINVAL)?;
            if !o.thread_affinity.contains(&v) {
                o.thread_affinity.push(v);
            }
        }
        ZMQ_THREAD_AFFINITY_CPU_REMOVE => {
            let v = nonneg.ok_or(Error::EINVAL)?;
            let i = o
                .thread_affinity
                .iter()
                .position(|&x| x == v)
                .ok_or(Error::EINVAL)?;
            o.thread_affinity.remove(i);
        }
        ZMQ_THREAD_NAME_PREFIX => match int {
            Some(v) => o.thread_name_prefix = v.to_string(),
            None if !val.is_empty() && val.len() <= 16 => {
                o.thread_name_prefix = String::from_utf8_lossy(val).into_owned()
            }
            None => return Err(Error::EINVAL),
        },
        _ => return Err(Error::EINVAL),
    }
    Ok(())
}

/// Reads a context option into `buf` (an int needs exactly 4 bytes).
fn ctx_get(c: &CtxShared, option: c_int, buf: &mut [u8], len: &mut usize) -> Result<()> {
    let o = c.options.lock();
    let v = match option {
        ZMQ_MAX_SOCKETS => o.max_sockets,
        ZMQ_SOCKET_LIMIT => ctx::SOCKET_LIMIT_VALUE,
        ZMQ_IO_THREADS => o.io_threads,
        ZMQ_IPV6 => i32::from(o.ipv6),
        ZMQ_BLOCKY => i32::from(o.blocky),
        ZMQ_MAX_MSGSZ => o.max_msgsz,
        ZMQ_MSG_T_SIZE => std::mem::size_of::<zmq_msg_t>() as i32,
        ZMQ_ZERO_COPY_RECV => i32::from(o.zero_copy_recv),
        ZMQ_THREAD_SCHED_POLICY => o.thread_sched_policy,
        ZMQ_THREAD_NAME_PREFIX if *len != 4 => {
            let s = o.thread_name_prefix.as_bytes();
            if *len < s.len() {
                return Err(Error::EINVAL);
            }
            buf[..s.len()].copy_from_slice(s);
            *len = s.len();
            return Ok(());
        }
        ZMQ_THREAD_NAME_PREFIX => o.thread_name_prefix.parse().unwrap_or(0),
        _ => return Err(Error::EINVAL),
    };
    if *len != 4 {
        return Err(Error::EINVAL);
    }
    buf[..4].copy_from_slice(&v.to_ne_bytes());
    Ok(())
}

#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set(context: *mut c_void, option: c_int, optval: c_int) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let c = unsafe { ctx_from(context)? };
        ctx_set(&c, option, &optval.to_ne_bytes())?;
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get(context: *mut c_void, option: c_int) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let c = unsafe { ctx_from(context)? };
        let mut buf = [0u8; 4];
        let mut len = 4;
        ctx_get(&c, option, &mut buf, &mut len)?;
        Ok(i32::from_ne_bytes(buf))
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set_ext(
    context: *mut c_void,
    option: c_int,
    optval: *const c_void,
    optvallen: libc::size_t,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let c = unsafe { ctx_from(context)? };
        // SAFETY: the caller passes optvallen readable bytes.
        let v = unsafe { super::bytes(optval, optvallen, Error::EFAULT)? };
        ctx_set(&c, option, v)?;
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get_ext(
    context: *mut c_void,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut libc::size_t,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let c = unsafe { ctx_from(context)? };
        if optvallen.is_null() {
            return Err(Error::EFAULT);
        }
        // SAFETY: checked non-NULL; the caller passes a valid size_t.
        let len = unsafe { &mut *optvallen };
        // SAFETY: the caller passes *optvallen writable bytes.
        let buf = unsafe { super::bytes_mut(optval, *len, Error::EFAULT)? };
        ctx_get(&c, option, buf, len)?;
        Ok(0)
    })
}

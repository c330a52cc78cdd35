//! Sockets: create/close, options, endpoints, send/recv, monitor.

use super::msg::{const_bytes, msg_mut};
use super::types::zmq_msg_t;
use super::{c_str, entry};
use crate::consts::ZMQ_CURRENT_EVENT_VERSION;
use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::socket::options;
use crate::socket::Socket;
use crate::types::SocketType;
use std::os::raw::{c_char, c_int, c_void};

/// # Safety
/// `s` is NULL or a handle from zmq_socket.
unsafe fn sock<'a>(s: *mut c_void) -> Result<&'a Socket> {
    // SAFETY: forwarded contract.
    unsafe { Socket::from_handle(s) }
}

/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn endpoint<'a>(p: *const c_char) -> Result<&'a str> {
    // SAFETY: forwarded contract.
    let b = unsafe { c_str(p, Error::EINVAL)? };
    std::str::from_utf8(b).map_err(|_| Error::EINVAL)
}

fn capped(n: usize) -> c_int {
    n.min(c_int::MAX as usize) as c_int
}

#[no_mangle]
pub unsafe extern "C" fn zmq_socket(context: *mut c_void, type_: c_int) -> *mut c_void {
    entry(|| {
        // SAFETY: forwarded contract.
        let c = unsafe { super::ctx::ctx_from(context)? };
        let ty = SocketType::from_c(type_).ok_or(Error::EINVAL)?;
        Ok(Socket::create(&c, ty)?.as_handle())
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_close(s: *mut c_void) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract; shells are never freed, so 'static holds.
        let s: &'static Socket = unsafe { Socket::from_handle(s)? };
        s.close()?;
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_setsockopt(
    s: *mut c_void,
    option: c_int,
    optval: *const c_void,
    optvallen: libc::size_t,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        if optvallen == 0
            && !optval.is_null()
            && options::NULL_CLEARS_EMPTY_INVALID.contains(&option)
        {
            return Err(Error::EINVAL);
        }
        // SAFETY: the caller passes optvallen readable bytes.
        let v = unsafe { super::bytes(optval, optvallen, Error::EFAULT)? };
        s.setsockopt(option, v)?;
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_getsockopt(
    s: *mut c_void,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut libc::size_t,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        if optvallen.is_null() {
            return Err(Error::EFAULT);
        }
        // SAFETY: checked non-NULL; the caller passes a valid size_t.
        let len = unsafe { &mut *optvallen };
        // SAFETY: the caller passes *optvallen writable bytes.
        let buf = unsafe { super::bytes_mut(optval, *len, Error::EFAULT)? };
        s.getsockopt(option, buf, len)?;
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_bind(s: *mut c_void, addr: *const c_char) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| unsafe { sock(s)?.bind(endpoint(addr)?) }.map(|_| 0))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_connect(s: *mut c_void, addr: *const c_char) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| unsafe { sock(s)?.connect(endpoint(addr)?) }.map(|_| 0))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_unbind(s: *mut c_void, addr: *const c_char) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| unsafe { sock(s)?.unbind(endpoint(addr)?) }.map(|_| 0))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_disconnect(s: *mut c_void, addr: *const c_char) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| unsafe { sock(s)?.disconnect(endpoint(addr)?) }.map(|_| 0))
}

fn send_msg(s: &Socket, m: &mut Msg, flags: c_int) -> Result<c_int> {
    let n = m.size();
    s.send(m, flags)?;
    Ok(capped(n))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_send(
    s: *mut c_void,
    buf: *const c_void,
    len: libc::size_t,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: the caller passes len readable bytes.
        let data = unsafe { super::bytes(buf, len, Error::EFAULT)? };
        send_msg(s, &mut Msg::from_slice(data), flags)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_send_const(
    s: *mut c_void,
    buf: *const c_void,
    len: libc::size_t,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: zmq_send_const's contract: the buffer is constant.
        let body = unsafe { const_bytes(buf, len)? };
        send_msg(s, &mut Msg::from_const(body), flags)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_recv(
    s: *mut c_void,
    buf: *mut c_void,
    len: libc::size_t,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: the caller passes len writable bytes.
        let out = unsafe { super::bytes_mut(buf, len, Error::EFAULT)? };
        let mut m = Msg::new();
        s.recv(&mut m, flags)?;
        let n = m.size().min(out.len());
        out[..n].copy_from_slice(&m.data()[..n]);
        Ok(capped(m.size()))
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_send(msg: *mut zmq_msg_t, s: *mut c_void, flags: c_int) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: forwarded contract.
        let m = unsafe { msg_mut(msg)? };
        send_msg(s, m, flags)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_recv(msg: *mut zmq_msg_t, s: *mut c_void, flags: c_int) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: forwarded contract.
        let m = unsafe { msg_mut(msg)? };
        s.recv(m, flags)?;
        Ok(capped(m.size()))
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_sendmsg(s: *mut c_void, msg: *mut zmq_msg_t, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| Ok(unsafe { zmq_msg_send(msg, s, flags) }))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_recvmsg(s: *mut c_void, msg: *mut zmq_msg_t, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| Ok(unsafe { zmq_msg_recv(msg, s, flags) }))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_sendiov(
    s: *mut c_void,
    iov: *mut libc::iovec,
    count: libc::size_t,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        if count == 0 || iov.is_null() {
            return Err(Error::EINVAL);
        }
        // SAFETY: the caller passes count iovecs.
        let parts = unsafe { std::slice::from_raw_parts(iov, count) };
        let mut rc = 0;
        for (i, p) in parts.iter().enumerate() {
            let f = if i + 1 == count {
                flags & !crate::socket::SNDMORE
            } else {
                flags
            };
            // SAFETY: each iovec describes iov_len readable bytes.
            let data = unsafe { super::bytes(p.iov_base, p.iov_len, Error::EFAULT)? };
            rc = send_msg(s, &mut Msg::from_slice(data), f)?;
        }
        Ok(rc)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_recviov(
    s: *mut c_void,
    iov: *mut libc::iovec,
    count: *mut libc::size_t,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        if count.is_null() || iov.is_null() {
            return Err(Error::EINVAL);
        }
        // SAFETY: checked non-NULL.
        let max = unsafe { *count };
        if max == 0 {
            return Err(Error::EINVAL);
        }
        // SAFETY: the caller passes *count iovecs.
        let parts = unsafe { std::slice::from_raw_parts_mut(iov, max) };
        // SAFETY: checked non-NULL.
        unsafe { *count = 0 };
        let mut nread = 0;
        for p in parts.iter_mut() {
            let mut m = Msg::new();
            s.recv(&mut m, flags)?;
            // The caller frees each part with free(), as with libzmq.
            // SAFETY: plain allocation; checked below.
            let buf = unsafe { libc::malloc(m.size().max(1)) };
            if buf.is_null() {
                return Err(Error::ENOMEM);
            }
            // SAFETY: buf has room for m.size() bytes.
            unsafe { std::ptr::copy_nonoverlapping(m.data().as_ptr(), buf as *mut u8, m.size()) };
            p.iov_base = buf;
            p.iov_len = m.size();
            // SAFETY: checked non-NULL.
            unsafe { *count += 1 };
            nread += 1;
            if !m.more() {
                break;
            }
        }
        Ok(nread)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor(
    s: *mut c_void,
    addr: *const c_char,
    events: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: NULL means stop; otherwise a NUL-terminated string.
        let a = if addr.is_null() {
            None
        } else {
            Some(unsafe { endpoint(addr)? })
        };
        s.monitor(
            a,
            events as u32 as u64,
            ZMQ_CURRENT_EVENT_VERSION,
            Some(SocketType::Pair),
        )?;
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor_versioned(
    s: *mut c_void,
    addr: *const c_char,
    events: u64,
    event_version: c_int,
    type_: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: NULL means stop; otherwise a NUL-terminated string.
        let a = if addr.is_null() {
            None
        } else {
            Some(unsafe { endpoint(addr)? })
        };
        s.monitor(a, events, event_version, SocketType::from_c(type_))?;
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_get_peer_state(
    s: *mut c_void,
    routing_id: *const c_void,
    routing_id_size: libc::size_t,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: the caller passes routing_id_size readable bytes.
        let id = unsafe { super::bytes(routing_id, routing_id_size, Error::EFAULT)? };
        s.peer_state(id)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_join(s: *mut c_void, group: *const c_char) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: a NUL-terminated group name.
        let g = unsafe { super::c_str(group, Error::EINVAL)? };
        s.membership(g, true)?;
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_leave(s: *mut c_void, group: *const c_char) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        // SAFETY: a NUL-terminated group name.
        let g = unsafe { super::c_str(group, Error::EINVAL)? };
        s.membership(g, false)?;
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor_pipes_stats(s: *mut c_void) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { sock(s)? };
        s.query_pipes_stats()?;
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_connect_peer(s: *mut c_void, addr: *const c_char) -> u32 {
    // SAFETY: forwarded contract.
    entry(|| unsafe { sock(s)?.connect_peer(endpoint(addr)?) })
}

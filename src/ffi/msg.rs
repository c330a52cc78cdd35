//! zmq_msg_*: messages live inside the caller's 64-byte zmq_msg_t.

use super::entry;
use super::types::{zmq_free_fn, zmq_msg_t};
use crate::consts::{ZMQ_MORE, ZMQ_MSG_PROPERTY_ROUTING_ID, ZMQ_SHARED, ZMQ_SRCFD};
use crate::error::{Error, Result};
use crate::msg::{Msg, MAGIC};
use bytes::Bytes;
use std::os::raw::{c_char, c_int, c_void};

/// Borrows an initialised message; EFAULT for NULL or an uninitialised one.
///
/// # Safety
/// `m` is NULL or points to a zmq_msg_t the caller owns.
pub(crate) unsafe fn msg_mut<'a>(m: *mut zmq_msg_t) -> Result<&'a mut Msg> {
    if m.is_null() {
        return Err(Error::EFAULT);
    }
    // SAFETY: m points to 64 pointer-aligned bytes; Msg keeps its magic at offset 0.
    let magic = unsafe { std::ptr::read(m as *const u32) };
    if magic != MAGIC {
        return Err(Error::EFAULT);
    }
    // SAFETY: the magic says these bytes hold a Msg we wrote.
    Ok(unsafe { &mut *(m as *mut Msg) })
}

/// Writes a fresh message into the caller's (possibly uninitialised) storage.
///
/// # Safety
/// `m` is NULL or points to a writable zmq_msg_t.
pub(crate) unsafe fn msg_write(m: *mut zmq_msg_t, v: Msg) -> Result<()> {
    if m.is_null() {
        return Err(Error::EFAULT);
    }
    // SAFETY: zmq_msg_t is 64 bytes, 8-aligned: room for a Msg (asserted in msg).
    unsafe { std::ptr::write(m as *mut Msg, v) };
    Ok(())
}

/// Drops the message in place and marks the storage closed.
///
/// # Safety
/// As msg_mut.
pub(crate) unsafe fn msg_close(m: *mut zmq_msg_t) -> Result<()> {
    // SAFETY: forwarded contract.
    let msg = unsafe { msg_mut(m)? };
    // SAFETY: msg is a valid Msg we own through the caller's storage.
    unsafe { std::ptr::drop_in_place(msg as *mut Msg) };
    // SAFETY: offset 0 is the magic word of the dropped message.
    unsafe { std::ptr::write(m as *mut u32, 0) };
    Ok(())
}

/// A caller-owned buffer whose free function runs when the last copy goes.
struct External {
    data: *mut c_void,
    size: usize,
    ffn: unsafe extern "C" fn(*mut c_void, *mut c_void),
    hint: *mut c_void,
}

// SAFETY: libzmq's contract lets the buffer be read and freed on any thread.
unsafe impl Send for External {}
// SAFETY: as above; the buffer is only read through shared references.
unsafe impl Sync for External {}

impl AsRef<[u8]> for External {
    fn as_ref(&self) -> &[u8] {
        if self.size == 0 || self.data.is_null() {
            return &[];
        }
        // SAFETY: the caller of zmq_msg_init_data gave size readable bytes
        // that stay valid until ffn runs (in Drop).
        unsafe { std::slice::from_raw_parts(self.data as *const u8, self.size) }
    }
}

impl Drop for External {
    fn drop(&mut self) {
        // SAFETY: the caller's free function, called exactly once.
        unsafe { (self.ffn)(self.data, self.hint) }
    }
}

/// A constant buffer the caller promised outlives every use.
///
/// # Safety
/// `data` is valid for `size` bytes for the life of the process (or of every
/// message made from it), as zmq_send_const requires.
pub(crate) unsafe fn const_bytes(data: *const c_void, size: usize) -> Result<Bytes> {
    if size == 0 {
        return Ok(Bytes::new());
    }
    if data.is_null() {
        return Err(Error::EFAULT);
    }
    // SAFETY: per the contract the memory is constant and outlives the message.
    let s: &'static [u8] = unsafe { std::slice::from_raw_parts(data as *const u8, size) };
    Ok(Bytes::from_static(s))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init(msg: *mut zmq_msg_t) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| unsafe { msg_write(msg, Msg::new()) }.map(|_| 0))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_size(msg: *mut zmq_msg_t, size: libc::size_t) -> c_int {
    entry(|| {
        let m = Msg::for_c_to_fill(size).ok_or(Error::ENOMEM)?;
        // SAFETY: forwarded contract.
        unsafe { msg_write(msg, m)? };
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_buffer(
    msg: *mut zmq_msg_t,
    buf: *const c_void,
    size: libc::size_t,
) -> c_int {
    entry(|| {
        // SAFETY: the caller passes size readable bytes.
        let data = unsafe { super::bytes(buf, size, Error::EFAULT)? };
        // SAFETY: forwarded contract.
        unsafe { msg_write(msg, Msg::from_slice(data))? };
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_data(
    msg: *mut zmq_msg_t,
    data: *mut c_void,
    size: libc::size_t,
    ffn: zmq_free_fn,
    hint: *mut c_void,
) -> c_int {
    entry(|| {
        if data.is_null() && size != 0 {
            return Err(Error::EFAULT);
        }
        let m = match ffn {
            // SAFETY: with no free function the buffer is constant, as libzmq assumes.
            None => Msg::from_const(unsafe { const_bytes(data, size)? }),
            Some(f) => Msg::from_bytes(Bytes::from_owner(External {
                data,
                size,
                ffn: f,
                hint,
            })),
        };
        // SAFETY: forwarded contract.
        unsafe { msg_write(msg, m)? };
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_close(msg: *mut zmq_msg_t) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| unsafe { msg_close(msg) }.map(|_| 0))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_move(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { msg_mut(src)? }.take();
        // SAFETY: forwarded contract.
        let d = unsafe { msg_mut(dest)? };
        *d = s;
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_copy(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let s = unsafe { msg_mut(src)? }.share();
        // SAFETY: forwarded contract.
        let d = unsafe { msg_mut(dest)? };
        *d = s;
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_data(msg: *mut zmq_msg_t) -> *mut c_void {
    // SAFETY: forwarded contract.
    entry(|| Ok(unsafe { msg_mut(msg)? }.data_ptr() as *mut c_void))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_size(msg: *const zmq_msg_t) -> libc::size_t {
    // SAFETY: forwarded contract; size only reads.
    entry(|| Ok(unsafe { msg_mut(msg as *mut zmq_msg_t)? }.size()))
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_more(msg: *const zmq_msg_t) -> c_int {
    // SAFETY: forwarded contract.
    entry(|| {
        Ok(c_int::from(
            unsafe { msg_mut(msg as *mut zmq_msg_t)? }.more(),
        ))
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_get(msg: *const zmq_msg_t, property: c_int) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { msg_mut(msg as *mut zmq_msg_t)? };
        match property {
            ZMQ_MORE => Ok(c_int::from(m.more())),
            // The descriptor of the connection the message came in on,
            // which network engines record as the "__fd" property (as
            // libzmq does); -1 for anything else.
            ZMQ_SRCFD => Ok(m
                .metadata()
                .and_then(|md| md.get("__fd"))
                .and_then(|v| v.to_str().ok()?.parse::<c_int>().ok())
                .unwrap_or(-1)),
            ZMQ_SHARED => Ok(c_int::from(m.is_shared())),
            _ => Err(Error::EINVAL),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set(msg: *mut zmq_msg_t, property: c_int, optval: c_int) -> c_int {
    entry(|| {
        // SAFETY: forwarded contract.
        unsafe { msg_mut(msg)? };
        // libzmq has no settable message properties.
        let _ = (property, optval);
        Err(Error::EINVAL)
    })
}

#[no_mangle]
pub unsafe extern "C" fn zmq_msg_gets(
    msg: *const zmq_msg_t,
    property: *const c_char,
) -> *const c_char {
    entry(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { msg_mut(msg as *mut zmq_msg_t)? };
        // SAFETY: the caller passes a NUL-terminated name.
        let name = unsafe { super::c_str(property, Error::EINVAL)? };
        let name = std::str::from_utf8(name).map_err(|_| Error::EINVAL)?;
        let meta = m.metadata().ok_or(Error::EINVAL)?;
        let v = meta.get(name).or_else(|| {
            (name.as_bytes() == crate::proto::metadata::IDENTITY)
                .then(|| meta.get(ZMQ_MSG_PROPERTY_ROUTING_ID))
                .flatten()
        });
        v.map(|v| v.as_ptr()).ok_or(Error::EINVAL)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set_routing_id(msg: *mut zmq_msg_t, routing_id: u32) -> c_int {
    entry(|| {
        if routing_id == 0 {
            return Err(Error::EINVAL);
        }
        // SAFETY: forwarded contract.
        unsafe { msg_mut(msg)? }.set_routing_id(routing_id);
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_routing_id(msg: *mut zmq_msg_t) -> u32 {
    // SAFETY: forwarded contract.
    entry(|| Ok(unsafe { msg_mut(msg)? }.routing_id()))
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set_group(msg: *mut zmq_msg_t, group: *const c_char) -> c_int {
    entry(|| {
        if group.is_null() {
            return Err(Error::EINVAL);
        }
        // libzmq measures the name with strnlen(.., 255): a longer one is
        // cut to its first 255 octets, and nothing past them is read.
        let mut len = 0;
        // SAFETY: the caller passes a NUL-terminated string; reading stops
        // at its NUL or after 255 octets, whichever comes first.
        while len < 255 && unsafe { *group.add(len) } != 0 {
            len += 1;
        }
        // SAFETY: the `len` octets just read are valid.
        let g = unsafe { std::slice::from_raw_parts(group.cast::<u8>(), len) };
        // SAFETY: forwarded contract.
        unsafe { msg_mut(msg)? }.set_group(Some(g));
        Ok(0)
    })
}

#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_group(msg: *mut zmq_msg_t) -> *const c_char {
    entry(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { msg_mut(msg)? };
        Ok(m.group_cstr().map(|g| g.as_ptr()).unwrap_or(c"".as_ptr()))
    })
}

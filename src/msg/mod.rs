//! The message type that lives inside a `zmq_msg_t`.
//!
//! Small bodies are stored inline; larger ones are reference counted
//! (`bytes::Bytes`), so a copy shares the buffer and a message crosses a pipe
//! without copying its body. Caller-owned buffers (`zmq_msg_init_data`) are
//! wrapped so their free function runs exactly once, when the last reference
//! goes, on whatever thread that is.

mod metadata;

pub use metadata::Metadata;

use bytes::Bytes;
use std::sync::Arc;

/// Bodies up to this many octets are stored inside the message itself.
pub const INLINE_MAX: usize = 23;

/// Flag: another frame of the same message follows.
pub const MORE: u8 = 1;
/// Flag: a ZMTP command frame (never seen by applications).
pub const COMMAND: u8 = 2;
/// Flag: an inproc subscription; the body is the topic.
pub const SUBSCRIBE: u8 = 4;
/// Flag: an inproc cancellation; the body is the topic.
pub const CANCEL: u8 = 8;
/// Flag: a DISH joined the group the message carries (RADIO bookkeeping).
pub const JOIN: u8 = 16;
/// Flag: a DISH left the group the message carries.
pub const LEAVE: u8 = 32;
/// Flag: the frame carries a peer's routing id (pipe bookkeeping).
pub const ROUTING_ID: u8 = 64;
/// Flag: pipe terminator; never leaves the pipe layer.
pub const DELIMITER: u8 = 128;

/// `sharing`: the body was copied by reference (sticky, as libzmq's flag).
const SHARED: u8 = 1;
/// `sharing`: the body is the caller's constant buffer (always reported shared).
const CONSTANT: u8 = 2;

/// Marks an initialised message; anything else at offset 0 is invalid (EFAULT).
pub const MAGIC: u32 = 0x6d73_6721;

/// A RADIO/DISH group name, NUL-terminated for zmq_msg_group; boxed so the
/// message stays within 64 octets.
#[derive(Clone)]
struct Group(std::ffi::CString);

#[derive(Clone)]
enum Body {
    Inline { len: u8, buf: [u8; INLINE_MAX] },
    Heap(Bytes),
}

/// One frame. `repr(C)` keeps `magic` at offset 0 so the ffi layer can check
/// it before treating a `zmq_msg_t` as a `Msg`.
#[repr(C)]
pub struct Msg {
    magic: u32,
    routing_id: u32,
    flags: u8,
    /// SHARED / CONSTANT: what zmq_msg_get(ZMQ_SHARED) reports.
    sharing: u8,
    body: Body,
    meta: Option<Arc<Metadata>>,
    group: Option<Box<Group>>,
}

// A Msg must fit the 64 octets of zmq_msg_t, at no stricter alignment.
const _: () = assert!(std::mem::size_of::<Msg>() <= 64);
const _: () = assert!(std::mem::align_of::<Msg>() <= 8);

impl Default for Msg {
    fn default() -> Self {
        Msg::new()
    }
}

impl Clone for Msg {
    fn clone(&self) -> Self {
        Msg {
            magic: MAGIC,
            routing_id: self.routing_id,
            flags: self.flags,
            sharing: self.sharing,
            body: self.body.clone(),
            meta: self.meta.clone(),
            group: self.group.clone(),
        }
    }
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Msg")
            .field("flags", &self.flags)
            .field("data", &self.data())
            .finish()
    }
}

impl Msg {
    /// An empty message.
    #[inline]
    pub fn new() -> Msg {
        Msg {
            magic: MAGIC,
            routing_id: 0,
            flags: 0,
            sharing: 0,
            body: Body::Inline {
                len: 0,
                buf: [0; INLINE_MAX],
            },
            meta: None,
            group: None,
        }
    }

    /// A message of `size` zeroed octets, for the caller to fill.
    pub fn with_size(size: usize) -> Msg {
        if size <= INLINE_MAX {
            let mut m = Msg::new();
            m.body = Body::Inline {
                len: size as u8,
                buf: [0; INLINE_MAX],
            };
            m
        } else {
            Msg::from_bytes(Bytes::from(vec![0u8; size]))
        }
    }

    /// A message of `size` octets for C to fill (zmq_msg_init_size); None
    /// if the memory cannot be had (ENOMEM, where `with_size` would abort).
    ///
    /// The contents are left unspecified, as libzmq leaves them: zeroing a
    /// 1 KiB body costs more than the rest of an inproc send. We never
    /// branch on a body's bytes before the application has written them;
    /// bodies are moved, copied or handed back to C.
    pub fn for_c_to_fill(size: usize) -> Option<Msg> {
        if size <= INLINE_MAX {
            return Some(Msg::with_size(size));
        }
        let mut v: Vec<u8> = Vec::new();
        v.try_reserve_exact(size).ok()?;
        // SAFETY: the capacity is at least `size`; u8 needs no drop, and the
        // bytes are the application's to write before they mean anything.
        unsafe { v.set_len(size) };
        Some(Msg::from_bytes(Bytes::from(v)))
    }

    /// A message holding a copy of `data`.
    #[inline]
    pub fn from_slice(data: &[u8]) -> Msg {
        if data.len() <= INLINE_MAX {
            let mut buf = [0; INLINE_MAX];
            buf[..data.len()].copy_from_slice(data);
            let mut m = Msg::new();
            m.body = Body::Inline {
                len: data.len() as u8,
                buf,
            };
            m
        } else {
            Msg::from_bytes(Bytes::copy_from_slice(data))
        }
    }

    /// A message sharing `b`.
    pub fn from_bytes(b: Bytes) -> Msg {
        let mut m = Msg::new();
        m.body = Body::Heap(b);
        m
    }

    /// A message over a constant buffer (zmq_send_const, zmq_msg_init_data
    /// without a free function).
    pub fn from_const(b: Bytes) -> Msg {
        let mut m = Msg::from_bytes(b);
        m.sharing = CONSTANT;
        m
    }

    /// A copy sharing the body (zmq_msg_copy, fan-out): a heap body is
    /// marked shared in both messages from then on.
    pub fn share(&mut self) -> Msg {
        if matches!(self.body, Body::Heap(_)) && self.sharing & CONSTANT == 0 {
            self.sharing |= SHARED;
        }
        self.clone()
    }

    /// The pipe terminator.
    pub fn delimiter() -> Msg {
        let mut m = Msg::new();
        m.flags = DELIMITER;
        m
    }

    /// Whether the magic says this memory holds an initialised message.
    pub fn is_valid(&self) -> bool {
        self.magic == MAGIC
    }

    /// Marks the memory as no longer holding a message (after a drop in place).
    pub fn invalidate_raw(magic: &mut u32) {
        *magic = 0;
    }

    #[inline]
    pub fn data(&self) -> &[u8] {
        match &self.body {
            Body::Inline { len, buf } => &buf[..*len as usize],
            Body::Heap(b) => b,
        }
    }

    /// A pointer to the body for the C caller, who may write through it.
    pub fn data_ptr(&mut self) -> *mut u8 {
        match &mut self.body {
            Body::Inline { buf, .. } => buf.as_mut_ptr(),
            // Heap bodies come from a Vec, the caller's own buffer, or a
            // constant the caller promised; C writing into them is its right
            // under the libzmq contract, Rust never caches their contents.
            Body::Heap(b) => b.as_ptr() as *mut u8,
        }
    }

    #[inline]
    pub fn size(&self) -> usize {
        match &self.body {
            Body::Inline { len, .. } => *len as usize,
            Body::Heap(b) => b.len(),
        }
    }

    /// The body as shared bytes (copies only inline bodies).
    pub fn to_bytes(&self) -> Bytes {
        match &self.body {
            Body::Inline { .. } => Bytes::copy_from_slice(self.data()),
            Body::Heap(b) => b.clone(),
        }
    }

    #[inline]
    pub fn flags(&self) -> u8 {
        self.flags
    }
    #[inline]
    pub fn more(&self) -> bool {
        self.flags & MORE != 0
    }
    #[inline]
    pub fn set_flags(&mut self, f: u8) {
        self.flags |= f;
    }
    #[inline]
    pub fn reset_flags(&mut self, f: u8) {
        self.flags &= !f;
    }
    #[inline]
    pub fn set_more(&mut self, more: bool) {
        if more {
            self.flags |= MORE
        } else {
            self.flags &= !MORE
        }
    }
    #[inline]
    pub fn is_delimiter(&self) -> bool {
        self.flags & DELIMITER != 0
    }

    /// ZMQ_SHARED: the body was ever shared with a copy, or is a constant
    /// buffer (which libzmq always reports as shared).
    pub fn is_shared(&self) -> bool {
        self.sharing != 0
    }

    pub fn routing_id(&self) -> u32 {
        self.routing_id
    }
    pub fn set_routing_id(&mut self, id: u32) {
        self.routing_id = id;
    }

    pub fn group(&self) -> Option<&[u8]> {
        self.group.as_deref().map(|g| g.0.as_bytes())
    }
    pub fn set_group(&mut self, g: Option<&[u8]>) {
        self.group = g
            .and_then(|g| std::ffi::CString::new(g).ok())
            .map(|c| Box::new(Group(c)));
    }

    /// The group as a C string.
    pub fn group_cstr(&self) -> Option<&std::ffi::CStr> {
        self.group.as_deref().map(|g| g.0.as_c_str())
    }

    pub fn metadata(&self) -> Option<&Arc<Metadata>> {
        self.meta.as_ref()
    }
    pub fn set_metadata(&mut self, m: Option<Arc<Metadata>>) {
        self.meta = m;
    }

    /// Takes the content out, leaving an empty message (what a successful
    /// send does to the caller's `zmq_msg_t`).
    #[inline]
    pub fn take(&mut self) -> Msg {
        std::mem::take(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_fits_zmq_msg_t() {
        assert!(std::mem::size_of::<Msg>() <= 64);
        assert_eq!(std::mem::offset_of!(Msg, magic), 0);
    }

    #[test]
    fn inline_and_heap() {
        let small = Msg::from_slice(b"hello");
        assert_eq!(small.data(), b"hello");
        assert!(!small.is_shared());
        let big = Msg::from_slice(&[7u8; 100]);
        assert_eq!(big.size(), 100);
        let mut big = big;
        assert!(!big.is_shared());
        let copy = big.share();
        assert!(big.is_shared() && copy.is_shared());
        drop(copy);
        assert!(big.is_shared(), "libzmq's flag stays set");
        let mut small = small;
        assert!(!small.share().is_shared(), "inline bodies are copied");
        let mut c = Msg::from_const(Bytes::from_static(&[1u8; 64]));
        assert!(
            c.is_shared() && c.share().is_shared(),
            "constant bodies always count as shared"
        );
    }

    #[test]
    fn take_leaves_empty() {
        let mut m = Msg::from_slice(b"abc");
        m.set_more(true);
        let t = m.take();
        assert_eq!(t.data(), b"abc");
        assert!(t.more());
        assert_eq!(m.size(), 0);
        assert!(!m.more());
        assert!(m.is_valid());
    }

    #[test]
    fn with_size_is_zeroed() {
        assert_eq!(Msg::with_size(10).data(), &[0u8; 10]);
        assert_eq!(Msg::for_c_to_fill(1000).map(|m| m.size()), Some(1000));
        assert!(
            Msg::for_c_to_fill(usize::MAX).is_none(),
            "ENOMEM, not an abort"
        );
        assert!(Msg::for_c_to_fill(isize::MAX as usize).is_none());
        assert_eq!(Msg::with_size(1000).data(), &[0u8; 1000][..]);
    }
}

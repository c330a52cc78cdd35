//! Socket option values as raw bytes, through the C entry points on a
//! real socket of each type (so type-specific options are reached too):
//! zmq_setsockopt with exactly the octets given, then zmq_getsockopt of
//! every option into buffers of every size that matters, each buffer
//! from the C heap at its exact size so AddressSanitizer sees an overrun.
//!
//! For the socket types and options of libzmq's stable API, Debian's
//! libzmq (where installed) gets the same calls on a socket of its own,
//! and must answer the same: return code, errno, and the octets and
//! length read back.
//!
//! Input: octet 0 is the socket type; then records of option number
//! (bit 7 set: a zero-length value goes as NULL), value length and value.

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

type Socket = unsafe extern "C" fn(*mut c_void, i32) -> *mut c_void;
type Close = unsafe extern "C" fn(*mut c_void) -> i32;
type SetOpt = unsafe extern "C" fn(*mut c_void, i32, *const c_void, libc::size_t) -> i32;
type GetOpt = unsafe extern "C" fn(*mut c_void, i32, *mut c_void, *mut libc::size_t) -> i32;

/// The functions a socket is used through: ours or libzmq's.
#[derive(Clone, Copy)]
struct Api {
    socket: Socket,
    close: Close,
    set: SetOpt,
    get: GetOpt,
    ctx: usize,
}

fn ours() -> Api {
    Api {
        socket: socket::zmq_socket,
        close: socket::zmq_close,
        set: socket::zmq_setsockopt,
        get: socket::zmq_getsockopt,
        ctx: context() as usize,
    }
}

/// Debian's libzmq, with a context of its own.
fn theirs() -> Option<Api> {
    static API: OnceLock<Option<[usize; 5]>> = OnceLock::new();
    let a = (*API.get_or_init(|| {
        let f = |n: &std::ffi::CStr| crate::libzmq::symbol(n).map(|p| p as usize);
        let new = f(c"zmq_ctx_new")?;
        // SAFETY: zmq_ctx_new's signature.
        let ctx = unsafe { std::mem::transmute::<usize, extern "C" fn() -> *mut c_void>(new)() };
        Some([f(c"zmq_socket")?, f(c"zmq_close")?, f(c"zmq_setsockopt")?, f(c"zmq_getsockopt")?, ctx as usize])
    }))?;
    // SAFETY: libzmq's functions with the signatures zmq.h gives them.
    unsafe {
        Some(Api {
            socket: std::mem::transmute::<usize, Socket>(a[0]),
            close: std::mem::transmute::<usize, Close>(a[1]),
            set: std::mem::transmute::<usize, SetOpt>(a[2]),
            get: std::mem::transmute::<usize, GetOpt>(a[3]),
            ctx: a[4],
        })
    }
}

/// Options of libzmq 4.3's stable API that both libraries have (not the
/// GSSAPI, VMCI and draft ones, nor ZMQ_FD, whose value is a descriptor
/// number).
fn comparable(opt: i32) -> bool {
    matches!(opt, 4..=13 | 15..=61 | 66..=84 | 89 | 92) && !matches!(opt, 62..=65 | 85..=88 | 90 | 91)
}

/// One call's result: return code, errno on failure, and the value a get
/// wrote (as many octets as the length it reported).
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    rc: i32,
    errno: i32,
    out: Option<Vec<u8>>,
}

/// The errnos zmq_setsockopt / zmq_getsockopt may give for a bad value
/// or an option the type does not have.
const EXPECTED: [i32; 3] = [libc::EINVAL, libc::EFAULT, libc::ENOTSUP];

pub fn sockopt(data: &[u8]) {
    let Some((ty, mut rest)) = data.split_first() else { return };
    let ty = i32::from(*ty % 21);
    let us = ours();
    // libzmq's stable socket types are 0..=11.
    let them = theirs().filter(|_| ty <= 11);
    // SAFETY: a live context.
    let s = unsafe { (us.socket)(us.ctx as *mut c_void, ty) };
    if s.is_null() {
        assert_eq!(errno(), libc::EINVAL, "socket type {ty}");
        return;
    }
    // SAFETY: libzmq's live context.
    let t = them.map(|a| unsafe { (a.socket)(a.ctx as *mut c_void, ty) });
    let pair = |opt: i32| match (them, t) {
        (Some(a), Some(t)) if comparable(opt) && !t.is_null() => Some((a, t)),
        _ => None,
    };
    // Once an option libzmq lacks (a draft one) has been set on ours, the
    // two sockets are no longer in the same state.
    let mut same_state = true;
    while let [opt, len, tail @ ..] = rest {
        // Bit 7 of the option octet: pass a zero-length value as NULL
        // rather than as a pointer to nothing (libzmq tells them apart).
        let (null, opt, len) = (*opt & 0x80 != 0, i32::from(*opt & 0x7F), *len);
        let n = usize::from(len).min(tail.len());
        let value = if null && n == 0 { None } else { Some(&tail[..n]) };
        let mine = set(us, s, opt, value);
        if mine.rc != 0 {
            assert!(EXPECTED.contains(&mine.errno), "setsockopt({opt}, {n} octets): errno {}", mine.errno);
        }
        match pair(opt).filter(|_| same_state) {
            Some((a, t)) => {
                assert_eq!(mine, set(a, t, opt, value), "type {ty}: setsockopt({opt}, {value:?}) differs from libzmq's");
            }
            None => same_state &= mine.rc != 0,
        }
        get_all_sizes(us, s, pair(opt).filter(|_| same_state), ty, opt);
        rest = &tail[n..];
    }
    for opt in 0..=115 {
        get_all_sizes(us, s, pair(opt).filter(|_| same_state), ty, opt);
    }
    // SAFETY: live sockets, each closed once.
    unsafe {
        assert_eq!((us.close)(s), 0);
        if let (Some(a), Some(t)) = (them, t) {
            if !t.is_null() {
                (a.close)(t);
            }
        }
    }
}

/// zmq_setsockopt with `value` in a C heap buffer of its exact size, or
/// with NULL and length 0.
fn set(api: Api, s: *mut c_void, opt: i32, value: Option<&[u8]>) -> Answer {
    let v = value.map(CBuf::from);
    let (p, n) = match (&v, value) {
        (Some(b), Some(value)) => (b.0.cast_const().cast(), value.len()),
        _ => (std::ptr::null(), 0),
    };
    // SAFETY: a live socket and `n` readable octets at `p` (or NULL, 0).
    let rc = unsafe { (api.set)(s, opt, p, n) };
    assert!(rc == 0 || rc == -1);
    Answer { rc, errno: if rc == 0 { 0 } else { errno() }, out: None }
}

fn get(api: Api, s: *mut c_void, opt: i32, size: usize) -> Answer {
    let buf = CBuf::from(&vec![0xA5; size]);
    let mut len = size;
    // SAFETY: a live socket; `len` writable octets at `buf`.
    let rc = unsafe { (api.get)(s, opt, buf.0.cast(), &mut len) };
    assert!(rc == 0 || rc == -1);
    if rc != 0 {
        return Answer { rc, errno: errno(), out: None };
    }
    assert!(len <= size, "getsockopt({opt}) claims {len} octets in a buffer of {size}");
    // SAFETY: `buf` holds `size` initialised octets, of which `len` are
    // the value (what lies beyond it is no part of the answer).
    let out = unsafe { std::slice::from_raw_parts(buf.0, len) }.to_vec();
    Answer { rc, errno: 0, out: Some(out) }
}

/// Reads `opt` into buffers of the sizes options come in, ours and (if
/// given) libzmq's.
fn get_all_sizes(us: Api, s: *mut c_void, them: Option<(Api, *mut c_void)>, ty: i32, opt: i32) {
    for size in [0usize, 1, 4, 8, 40, 41, 256] {
        let mine = get(us, s, opt, size);
        if mine.rc != 0 {
            assert!(EXPECTED.contains(&mine.errno), "getsockopt({opt}, {size}): errno {}", mine.errno);
        }
        if let Some((a, t)) = them {
            assert_eq!(mine, get(a, t, opt, size), "type {ty}: getsockopt({opt}) into {size} octets differs from libzmq's");
        }
    }
}

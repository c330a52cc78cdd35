//! Z85: our encoder and decoder, the C entry points on buffers of the
//! exact size they may use (so AddressSanitizer sees any overrun), the
//! CURVE key readers, and Debian's libzmq as the reference when it is
//! installed (`libzmq.rs`).

use std::ffi::CString;
use zmq::util::{curve, z85};

pub type Encode = unsafe extern "C" fn(*mut libc::c_char, *const u8, libc::size_t) -> *mut libc::c_char;
pub type Decode = unsafe extern "C" fn(*mut u8, *const libc::c_char) -> *mut u8;

/// Debian's libzmq's Z85 functions, if it is installed.
pub fn reference() -> Option<(Encode, Decode)> {
    let e = crate::libzmq::symbol(c"zmq_z85_encode")?;
    let d = crate::libzmq::symbol(c"zmq_z85_decode")?;
    // SAFETY: the symbols have these C signatures (zmq.h).
    unsafe { Some((std::mem::transmute::<*mut libc::c_void, Encode>(e), std::mem::transmute::<*mut libc::c_void, Decode>(d))) }
}

/// `n` octets from the C heap, so that ASan bounds them exactly.
struct CBuf {
    p: *mut u8,
    n: usize,
}

impl CBuf {
    fn new(n: usize) -> CBuf {
        // SAFETY: malloc of at least one octet; freed in Drop.
        let p = unsafe { libc::malloc(n.max(1)) }.cast::<u8>();
        assert!(!p.is_null());
        // SAFETY: `p` holds `n` (or 1) writable octets.
        unsafe { std::ptr::write_bytes(p, 0xA5, n.max(1)) };
        CBuf { p, n }
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `p` holds `n` initialised octets.
        unsafe { std::slice::from_raw_parts(self.p, self.n) }
    }
}

impl Drop for CBuf {
    fn drop(&mut self) {
        // SAFETY: `p` came from malloc.
        unsafe { libc::free(self.p.cast()) }
    }
}

pub fn z85(data: &[u8]) {
    decode(data);
    encode(data);
    if let Ok(key) = curve::key_from_z85(data) {
        assert_eq!(&curve::key_to_z85(&key)[..], data);
    }
    if let Ok(public) = curve::public_z85_from_secret_z85(data) {
        assert!(curve::key_from_z85(&public).is_ok());
    }
}

/// Decoding `data` as text: ours, the C entry point, libzmq.
fn decode(data: &[u8]) {
    let text = &data[..data.iter().position(|&b| b == 0).unwrap_or(data.len())];
    let ours = z85::decode(text);
    if let Ok(raw) = &ours {
        assert_eq!(raw.len(), text.len() / 5 * 4);
        assert_eq!(z85::encode(raw).map(String::into_bytes).as_deref(), Ok(text), "decode then encode");
    }
    let Ok(c) = CString::new(text) else { return };
    let c_result = |f: Decode| {
        let out = CBuf::new(text.len() / 5 * 4);
        // SAFETY: a NUL-terminated string and room for strlen * 4 / 5.
        let r = unsafe { f(out.p, c.as_ptr()) };
        (!r.is_null()).then(|| out.bytes().to_vec())
    };
    let via_c = c_result(zmq::ffi::util::zmq_z85_decode);
    assert_eq!(via_c.as_ref(), ours.as_ref().ok(), "zmq_z85_decode and z85::decode");
    if let Some((_, theirs)) = reference() {
        assert_eq!(via_c, c_result(theirs), "zmq_z85_decode({:?}) differs from libzmq's", String::from_utf8_lossy(text));
    }
}

/// Encoding `data` as binary: ours, the C entry point, libzmq.
fn encode(data: &[u8]) {
    let ours = z85::encode(data);
    match &ours {
        Ok(s) => {
            assert_eq!(s.len(), data.len() / 4 * 5);
            if !data.is_empty() {
                assert_eq!(z85::decode(s.as_bytes()).as_deref(), Ok(data), "encode then decode");
            }
        }
        Err(_) => assert!(data.len() % 4 != 0),
    }
    let c_result = |f: Encode| {
        let src = CBuf::new(data.len());
        // SAFETY: `src` holds data.len() octets.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), src.p, data.len()) };
        let out = CBuf::new(data.len() / 4 * 5 + 1);
        // SAFETY: size readable octets and size * 5 / 4 + 1 writable ones.
        let r = unsafe { f(out.p.cast(), src.p, data.len()) };
        (!r.is_null()).then(|| out.bytes()[..out.n - 1].to_vec())
    };
    let via_c = c_result(zmq::ffi::util::zmq_z85_encode);
    assert_eq!(via_c.as_deref(), ours.as_ref().ok().map(|s| s.as_bytes()));
    if let Some((theirs, _)) = reference() {
        assert_eq!(via_c, c_result(theirs), "zmq_z85_encode of {} octets differs from libzmq's", data.len());
    }
}

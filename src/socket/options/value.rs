//! An option value as the C caller passes it (`OptIn`) and the buffer it
//! reads one into (`OptOut`): libzmq's size rules and errno for each kind
//! of value.

use crate::error::{Error, Result};

/// The raw value of a zmq_setsockopt call.
pub struct OptIn<'a>(pub &'a [u8]);

impl OptIn<'_> {
    /// An int option: exactly sizeof(int) octets.
    pub fn int(&self) -> Result<i32> {
        match <[u8; 4]>::try_from(self.0) {
            Ok(b) => Ok(i32::from_ne_bytes(b)),
            Err(_) => Err(Error::EINVAL),
        }
    }
    /// An int that must satisfy `ok`.
    pub fn int_where(&self, ok: impl Fn(i32) -> bool) -> Result<i32> {
        let v = self.int()?;
        if ok(v) {
            Ok(v)
        } else {
            Err(Error::EINVAL)
        }
    }
    /// A boolean that must be exactly 0 or 1.
    pub fn bool_strict(&self) -> Result<bool> {
        Ok(self.int_where(|v| v == 0 || v == 1)? == 1)
    }
    /// A boolean where any non-zero value is true.
    pub fn bool_relaxed(&self) -> Result<bool> {
        Ok(self.int()? != 0)
    }
    pub fn i64(&self) -> Result<i64> {
        <[u8; 8]>::try_from(self.0)
            .map(i64::from_ne_bytes)
            .map_err(|_| Error::EINVAL)
    }
    pub fn u64(&self) -> Result<u64> {
        <[u8; 8]>::try_from(self.0)
            .map(u64::from_ne_bytes)
            .map_err(|_| Error::EINVAL)
    }
    pub fn bytes(&self) -> &[u8] {
        self.0
    }
}

/// The caller's buffer of a zmq_getsockopt call; `len` is in/out.
pub struct OptOut<'a> {
    pub buf: &'a mut [u8],
    pub len: &'a mut usize,
}

impl OptOut<'_> {
    /// Writes an int option: the buffer must be exactly sizeof(int).
    pub fn int(&mut self, v: i32) -> Result<()> {
        if *self.len != 4 {
            return Err(Error::EINVAL);
        }
        self.buf[..4].copy_from_slice(&v.to_ne_bytes());
        Ok(())
    }
    /// As libzmq's socket-level options: a buffer at least large enough,
    /// the rest zeroed, the length set to the value's size.
    pub fn value_at_least(&mut self, v: &[u8]) -> Result<()> {
        if *self.len < v.len() {
            return Err(Error::EINVAL);
        }
        self.buf[..v.len()].copy_from_slice(v);
        self.buf[v.len()..*self.len].fill(0);
        *self.len = v.len();
        Ok(())
    }
    pub fn i64(&mut self, v: i64) -> Result<()> {
        if *self.len != 8 {
            return Err(Error::EINVAL);
        }
        self.buf[..8].copy_from_slice(&v.to_ne_bytes());
        Ok(())
    }
    pub fn u64(&mut self, v: u64) -> Result<()> {
        if *self.len != 8 {
            return Err(Error::EINVAL);
        }
        self.buf[..8].copy_from_slice(&v.to_ne_bytes());
        Ok(())
    }
    /// A string option: copied with its NUL; the buffer must hold both.
    pub fn string(&mut self, s: &[u8]) -> Result<()> {
        if *self.len < s.len() + 1 {
            return Err(Error::EINVAL);
        }
        self.buf[..s.len()].copy_from_slice(s);
        self.buf[s.len()] = 0;
        *self.len = s.len() + 1;
        Ok(())
    }
    /// A binary option (routing id): the buffer must hold it.
    pub fn binary(&mut self, b: &[u8]) -> Result<()> {
        if *self.len < b.len() {
            return Err(Error::EINVAL);
        }
        self.buf[..b.len()].copy_from_slice(b);
        *self.len = b.len();
        Ok(())
    }
    /// A CURVE key: 32 octets raw, or 41 as Z85 with NUL.
    pub fn curve_key(&mut self, k: &[u8; 32]) -> Result<()> {
        match *self.len {
            32 => {
                self.buf[..32].copy_from_slice(k);
                Ok(())
            }
            41 => {
                let z = crate::util::z85::encode(k)?;
                self.buf[..40].copy_from_slice(z.as_bytes());
                self.buf[40] = 0;
                Ok(())
            }
            _ => Err(Error::EINVAL),
        }
    }
}

/// A string or binary value of at most `max` octets.
pub(super) fn string_opt(v: &[u8], max: usize) -> Result<Vec<u8>> {
    if v.len() > max {
        return Err(Error::EINVAL);
    }
    Ok(v.to_vec())
}

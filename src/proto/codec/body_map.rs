//! Where a frame body too large for the input buffer is collected.
//!
//! Such a body must cost what has arrived of it: never its announced size
//! (a peer may announce gigabytes and send a few octets) and never a
//! multiple of what arrived. A heap buffer grown by doubling misses the
//! second: mimalloc moves a block it cannot extend, and keeps the pages of
//! the old one for reuse, so a 64 MiB partial body held about 128 MiB.
//!
//! So the body lives in an anonymous mapping of its own. Its address range
//! grows by doubling through `mremap`, which moves page tables, not octets;
//! only the pages written to cost memory. Once complete it becomes the
//! message's `Bytes` as it is, and dropping the last reference unmaps it,
//! giving the memory back to the system at once.

use crate::error::{Error, Result};
use std::ptr::NonNull;

/// An anonymous private mapping holding `len` octets written so far, with
/// address space for `cap`.
pub struct BodyMap {
    ptr: NonNull<u8>,
    len: usize,
    cap: usize,
}

// SAFETY: the mapping is owned by this value alone, and reached only
// through `&self`/`&mut self`, like a Vec<u8>'s buffer.
unsafe impl Send for BodyMap {}
// SAFETY: shared access only reads.
unsafe impl Sync for BodyMap {}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).unwrap_or(4096).max(1)
}

fn round_to_pages(n: usize) -> Result<usize> {
    let page = page_size();
    n.checked_next_multiple_of(page).ok_or(Error::ENOMEM)
}

impl BodyMap {
    /// An empty body with address space for at least `cap` octets
    /// (no memory is used until octets are written).
    pub fn with_capacity(cap: usize) -> Result<BodyMap> {
        let cap = round_to_pages(cap.max(1))?;
        // SAFETY: a fresh anonymous mapping; no existing memory is touched.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                cap,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(Error::ENOMEM);
        }
        let ptr = NonNull::new(p.cast::<u8>()).ok_or(Error::ENOMEM)?;
        Ok(BodyMap { ptr, len: 0, cap })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Address space reserved: what the body can reach before it moves.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Appends `data`, doubling the address space (at most to `limit`, the
    /// body's announced size) when it runs out.
    pub fn extend_from_slice(&mut self, data: &[u8], limit: usize) -> Result<()> {
        let need = self.len.checked_add(data.len()).ok_or(Error::ENOMEM)?;
        if need > self.cap {
            self.grow(need.max(self.cap.saturating_mul(2).min(limit)))?;
        }
        // SAFETY: `len + data.len() <= cap`, the range is mapped writable
        // and owned by self; `data` cannot overlap a mapping only we hold.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.as_ptr().add(self.len), data.len());
        }
        self.len = need;
        Ok(())
    }

    fn grow(&mut self, want: usize) -> Result<()> {
        let cap = round_to_pages(want)?;
        // SAFETY: `ptr`/`cap` is our mapping; MREMAP_MAYMOVE lets the kernel
        // move it, and we take the new address from the result.
        let p = unsafe { libc::mremap(self.ptr.as_ptr().cast(), self.cap, cap, libc::MREMAP_MAYMOVE) };
        if p == libc::MAP_FAILED {
            return Err(Error::ENOMEM);
        }
        self.ptr = NonNull::new(p.cast::<u8>()).ok_or(Error::ENOMEM)?;
        self.cap = cap;
        Ok(())
    }
}

impl AsRef<[u8]> for BodyMap {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: the first `len` octets of the mapping were written.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for BodyMap {
    fn drop(&mut self) {
        // SAFETY: our mapping, unmapped once; nothing borrows it past drop.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.cap) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_by_doubling_up_to_the_limit_and_keeps_its_octets() {
        let mut b = BodyMap::with_capacity(10).unwrap();
        let page = page_size();
        assert_eq!(b.capacity(), page);
        let chunk: Vec<u8> = (0..page as u32).map(|i| (i * 7) as u8).collect();
        for _ in 0..5 {
            b.extend_from_slice(&chunk, 5 * page).unwrap();
        }
        assert_eq!(b.len(), 5 * page);
        assert_eq!(b.capacity(), 5 * page, "doubling stops at the limit");
        assert!(b.as_ref().chunks(page).all(|c| c == &chunk[..]));
    }

    #[test]
    fn an_empty_body_and_a_refused_size() {
        let b = BodyMap::with_capacity(0).unwrap();
        assert_eq!(b.as_ref(), &[] as &[u8]);
        assert_eq!(BodyMap::with_capacity(usize::MAX).err(), Some(Error::ENOMEM));
    }
}

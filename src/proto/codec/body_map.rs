//! Where a frame body too large for the input buffer is collected.
//!
//! Such a body must cost what has arrived of it: never its announced size
//! (a peer may announce gigabytes and send a few octets) and never a
//! multiple of what arrived. A heap buffer grown by doubling misses the
//! second: mimalloc moves a block it cannot extend, and keeps the pages of
//! the old one for reuse, so a 64 MiB partial body held about 128 MiB.
//!
//! Nor can the heap take the announced size up front when it is moderate:
//! pages mimalloc hands out cost more than what is written to them (eight
//! bodies announced at 8 MiB, 2 MiB of each sent, held 35 MB; here 22).
//!
//! So the body lives in an anonymous mapping of its own. Its address range
//! grows by doubling through `mremap`, which moves page tables, not octets;
//! only the pages written to cost memory. Once complete it becomes the
//! message's `Bytes` as it is, never copied.
//!
//! Fresh pages are costly, though: the kernel faults and zeroes each one
//! (slowly on some VMs), which halved the rate of 4 MiB messages. So the
//! mappings of bodies gone are kept, a few and a bounded total
//! ([`SPARE_MAPS`], [`SPARE_BYTES`]), for the next large bodies to be
//! written into pages already there; the rest are unmapped, giving their
//! memory back at once.

use crate::error::{Error, Result};
use parking_lot::Mutex;
use std::ptr::NonNull;

/// How many mappings of bodies gone are kept for reuse...
const SPARE_MAPS: usize = 16;
/// ...and how much address space (and so memory) they may hold in all.
pub(super) const SPARE_BYTES: usize = 32 << 20;

/// An anonymous private mapping holding `len` octets written so far, with
/// address space for `cap`.
pub(super) struct BodyMap {
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

/// An unused mapping: address and length.
struct Spare(NonNull<u8>, usize);

// SAFETY: a spare mapping is owned by the list that holds it, like a
// BodyMap's.
unsafe impl Send for Spare {}

/// Mappings kept for reuse, the newest last.
struct Spares {
    maps: Vec<Spare>,
    bytes: usize,
}

impl Spares {
    const fn new() -> Spares {
        Spares {
            maps: Vec::new(),
            bytes: 0,
        }
    }

    /// The smallest spare of at least `want` octets, or else the largest.
    fn take(&mut self, want: usize) -> Option<Spare> {
        let fits = self
            .maps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.1 >= want)
            .min_by_key(|(_, s)| s.1);
        let i = match fits {
            Some((i, _)) => i,
            None => self.maps.iter().enumerate().max_by_key(|(_, s)| s.1)?.0,
        };
        let s = self.maps.swap_remove(i);
        self.bytes -= s.1;
        Some(s)
    }

    /// Keeps `s` if there is room; gives it back otherwise.
    fn keep(&mut self, s: Spare) -> Option<Spare> {
        if self.maps.len() == SPARE_MAPS || self.bytes + s.1 > SPARE_BYTES {
            return Some(s);
        }
        self.bytes += s.1;
        self.maps.push(s);
        None
    }
}

static SPARES: Mutex<Spares> = Mutex::new(Spares::new());

impl BodyMap {
    /// An empty body with address space for at least `cap` octets, in a
    /// spare mapping (the one that best fits `expected` octets) if there
    /// is one. A fresh mapping costs no memory until octets are written.
    pub(super) fn new(cap: usize, expected: usize) -> Result<BodyMap> {
        let spare = SPARES.lock().take(expected);
        if let Some(Spare(ptr, spare_cap)) = spare {
            let mut b = BodyMap {
                ptr,
                len: 0,
                cap: spare_cap,
            };
            if spare_cap < cap {
                b.grow(cap)?;
            }
            return Ok(b);
        }
        BodyMap::with_capacity(cap)
    }

    /// An empty body in a fresh mapping of at least `cap` octets.
    pub(super) fn with_capacity(cap: usize) -> Result<BodyMap> {
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

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Address space reserved: what the body can reach before it moves.
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.cap
    }

    /// Appends `data`, doubling the address space (at most to `limit`, the
    /// body's announced size) when it runs out.
    pub(super) fn extend_from_slice(&mut self, data: &[u8], limit: usize) -> Result<()> {
        let need = self.len.checked_add(data.len()).ok_or(Error::ENOMEM)?;
        if need > self.cap {
            self.grow(need.max(self.cap.saturating_mul(2).min(limit)))?;
        }
        // SAFETY: `len + data.len() <= cap`, the range is mapped writable
        // and owned by self; `data` cannot overlap a mapping only we hold.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.ptr.as_ptr().add(self.len),
                data.len(),
            );
        }
        self.len = need;
        Ok(())
    }

    fn grow(&mut self, want: usize) -> Result<()> {
        let cap = round_to_pages(want)?;
        // SAFETY: `ptr`/`cap` is our mapping; MREMAP_MAYMOVE lets the kernel
        // move it, and we take the new address from the result.
        let p = unsafe {
            libc::mremap(
                self.ptr.as_ptr().cast(),
                self.cap,
                cap,
                libc::MREMAP_MAYMOVE,
            )
        };
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
        if let Some(Spare(ptr, cap)) = SPARES.lock().keep(Spare(self.ptr, self.cap)) {
            unmap(ptr, cap);
        }
    }
}

fn unmap(ptr: NonNull<u8>, cap: usize) {
    // SAFETY: a mapping of ours, no longer held by any BodyMap or list.
    unsafe { libc::munmap(ptr.as_ptr().cast(), cap) };
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
    fn spares_are_kept_within_bounds_and_the_best_fit_taken() {
        let mut spares = Spares::new();
        let map = |cap: usize| {
            let b = std::mem::ManuallyDrop::new(BodyMap::with_capacity(cap).unwrap());
            Spare(b.ptr, b.cap)
        };
        let mb = 1 << 20;
        for cap in [4 * mb, mb, 2 * mb] {
            assert!(spares.keep(map(cap)).is_none());
        }
        let refused = spares.keep(map(SPARE_BYTES)).expect("over the total");
        unmap(refused.0, refused.1);
        assert_eq!(
            spares.take(mb + 1).map(|s| s.1),
            Some(2 * mb),
            "the smallest that fits"
        );
        assert_eq!(
            spares.take(8 * mb).map(|s| s.1),
            Some(4 * mb),
            "else the largest"
        );
        for _ in 1..SPARE_MAPS {
            assert!(spares.keep(map(4096)).is_none());
        }
        let refused = spares.keep(map(4096)).expect("over the count");
        unmap(refused.0, refused.1);
        assert_eq!(spares.bytes, mb + (SPARE_MAPS - 1) * 4096);
        while let Some(s) = spares.take(0) {
            unmap(s.0, s.1);
        }
        assert_eq!(spares.bytes, 0);
    }

    #[test]
    fn an_empty_body_and_a_refused_size() {
        let b = BodyMap::with_capacity(0).unwrap();
        assert_eq!(b.as_ref(), &[] as &[u8]);
        assert_eq!(
            BodyMap::with_capacity(usize::MAX).err(),
            Some(Error::ENOMEM)
        );
    }
}

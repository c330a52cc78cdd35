//! The unit tests' allocator: mimalloc, counting what each thread allocates
//! and frees, so that a test can state what a structure costs in octets
//! (an allocation counter, not a timing and not the process's RSS, which
//! the tests running alongside share).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

pub(crate) struct Counting;

thread_local! {
    /// Octets allocated minus octets freed by this thread.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// The most `LIVE` has been since the last `measure` began.
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(n: isize) {
    // `try_with`: a thread's last frees come after its locals are gone.
    let _ = LIVE.try_with(|l| {
        let v = l.get() + n;
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

// SAFETY: every call is passed on unchanged to mimalloc, a correct
// allocator; the counting touches only const-initialised thread locals,
// which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        // SAFETY: the caller's contract is mimalloc's.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        // SAFETY: as above.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        // SAFETY: as above.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A moving realloc briefly holds both blocks: count the peak so.
        add(new_size as isize);
        add(-(layout.size() as isize));
        // SAFETY: as above.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f` and returns its result with the octets it left allocated (net,
/// on this thread) and the most it had allocated at any moment.
pub(crate) fn measure<R>(f: impl FnOnce() -> R) -> (R, isize, isize) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let r = f();
    let (end, peak) = (LIVE.with(Cell::get), PEAK.with(Cell::get));
    (r, end - start, peak - start)
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_what_a_closure_keeps_and_its_peak() {
        let (v, net, peak) = super::measure(|| {
            let tmp = vec![0u8; 5000];
            drop(tmp);
            Vec::<u8>::with_capacity(1000)
        });
        assert_eq!((net, peak), (1000, 5000));
        let ((), net, _) = super::measure(|| drop(v));
        assert_eq!(net, -1000);
    }
}

//! The objects the C API's `void *` handles point at.
//!
//! A handle (context, socket, poller, timer set) points at a [`Shell`]: a
//! tag word at offset 0 and the object behind a lock. Shells are never
//! freed, so a stale or doubly closed handle reads a dead tag instead of
//! freed memory and gets the call's errno (libzmq asserts or crashes on
//! most of these). A retired shell waits in its [`Registry`] for the next
//! object of its kind, so a program that opens and closes in a loop does
//! not grow.

use parking_lot::{Mutex, MutexGuard};
use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The tag of a retired shell (libzmq's value for a dead object).
const DEAD: u32 = 0xdead_beef;

/// What a handle points at: `tag` first, so that four bytes tell a live
/// handle of the right kind from anything else.
#[repr(C)]
pub struct Shell<T> {
    tag: AtomicU32,
    value: Mutex<Option<T>>,
    /// Counts the objects this shell has held, so that a caller that lets
    /// go of the lock (a timer round running handlers) can tell its object
    /// from a later one in the same shell.
    opened: AtomicU64,
    /// A word about the object, readable without the lock (a socket's
    /// thread safety).
    info: AtomicU32,
}

impl<T> Shell<T> {
    /// The object, locked; `None` once closed.
    pub fn lock(&self) -> MutexGuard<'_, Option<T>> {
        self.value.lock()
    }

    /// Which object the shell holds (changes on every open).
    pub fn generation(&self) -> u64 {
        self.opened.load(Ordering::Acquire)
    }

    /// The word given to `open_with_info`.
    pub fn info(&self) -> u32 {
        self.info.load(Ordering::Acquire)
    }

    /// The C handle.
    pub fn handle(&'static self) -> *mut c_void {
        self as *const Self as *mut c_void
    }
}

/// The shells of one kind of handle, told apart from other kinds by their
/// live tag.
pub(crate) struct Registry<T: 'static> {
    live: u32,
    retired: Mutex<Vec<&'static Shell<T>>>,
}

impl<T: Send> Registry<T> {
    pub(crate) const fn new(live: u32) -> Self {
        Registry {
            live,
            retired: Mutex::new(Vec::new()),
        }
    }

    /// A live shell holding `value`: a retired one if there is one.
    pub(crate) fn open(&self, value: T) -> &'static Shell<T> {
        self.open_with_info(value, 0)
    }

    /// As `open`, with a word about the object for `Shell::info`.
    pub(crate) fn open_with_info(&self, value: T, info: u32) -> &'static Shell<T> {
        let shell = self.retired.lock().pop().unwrap_or_else(|| {
            Box::leak(Box::new(Shell {
                tag: AtomicU32::new(DEAD),
                value: Mutex::new(None),
                opened: AtomicU64::new(0),
                info: AtomicU32::new(0),
            }))
        });
        *shell.value.lock() = Some(value);
        shell.opened.fetch_add(1, Ordering::AcqRel);
        shell.info.store(info, Ordering::Release);
        shell.tag.store(self.live, Ordering::Release);
        shell
    }

    /// The live shell `p` points at, if it is one of this kind.
    ///
    /// # Safety
    /// `p` is NULL, or readable for 4 bytes at an address aligned for a
    /// `u32` (a handle from this registry, possibly closed since, or any
    /// other object the caller owns). Only those 4 bytes are read unless
    /// they hold the live tag; a foreign object whose first 4 bytes equal
    /// the live tag is undefined behaviour, as it is with libzmq.
    pub(crate) unsafe fn resolve(&self, p: *mut c_void) -> Option<&'static Shell<T>> {
        if p.is_null() || !(p as usize).is_multiple_of(std::mem::align_of::<AtomicU32>()) {
            return None;
        }
        // SAFETY: per the contract, 4 readable, aligned bytes; a volatile
        // read, so nothing is assumed about what lives there.
        let tag = unsafe { std::ptr::read_volatile(p as *const u32) };
        if tag != self.live || !(p as usize).is_multiple_of(std::mem::align_of::<Shell<T>>()) {
            return None;
        }
        // SAFETY: the live tag says this is one of this registry's leaked,
        // never freed shells, so the reference is good for 'static.
        let shell: &'static Shell<T> = unsafe { &*(p as *const Shell<T>) };
        self.is_live(shell).then_some(shell)
    }

    pub(crate) fn is_live(&self, shell: &Shell<T>) -> bool {
        shell.tag.load(Ordering::Acquire) == self.live
    }

    /// Takes the object out and retires the shell, if it is live and
    /// `still_it` accepts the object it holds (of two threads closing the
    /// same handle, one gets the object).
    pub(crate) fn close_if(
        &self,
        shell: &'static Shell<T>,
        still_it: impl FnOnce(&T) -> bool,
    ) -> Option<T> {
        let mut g = shell.value.lock();
        if !self.is_live(shell) || !g.as_ref().is_some_and(still_it) {
            return None;
        }
        let value = g.take();
        shell.tag.store(DEAD, Ordering::Release);
        drop(g);
        self.retired.lock().push(shell);
        value
    }

    /// Takes the object out and retires the shell, if it is live.
    pub(crate) fn close(&self, shell: &'static Shell<T>) -> Option<T> {
        self.close_if(shell, |_| true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: Registry<u64> = Registry::new(0xa11e_0001);
    static B: Registry<u64> = Registry::new(0xa11e_0002);

    #[test]
    fn a_handle_resolves_only_while_live_and_only_in_its_own_registry() {
        let s = A.open(7);
        // SAFETY: handles from these registries, and a local word.
        unsafe {
            assert_eq!(A.resolve(s.handle()).map(|s| *s.lock()), Some(Some(7)));
            assert!(B.resolve(s.handle()).is_none());
            assert!(A.resolve(std::ptr::null_mut()).is_none());
            let mut word = 0u64;
            assert!(A.resolve(&mut word as *mut u64 as *mut c_void).is_none());
            assert_eq!(A.close(s), Some(7));
            assert!(A.resolve(s.handle()).is_none(), "stale");
            assert_eq!(A.close(s), None, "closed twice");
        }
    }

    #[test]
    fn retired_shells_are_reused() {
        let s = B.open(1);
        B.close(s);
        let first = s.generation();
        let t = B.open(2);
        assert!(std::ptr::eq(s, t));
        assert_ne!(t.generation(), first);
        assert_eq!(B.close_if(t, |v| *v == 3), None);
        assert_eq!(B.close_if(t, |v| *v == 2), Some(2));
    }
}

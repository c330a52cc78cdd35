//! `zmq_poll` and the draft poller API (`zmq_poller_*`).
//!
//! Poller handles point at shells (`util::handle`) that are never freed: a
//! destroyed shell is marked dead and recycled for a later
//! `zmq_poller_new`, so a stale or double-destroyed handle is caught
//! (EFAULT) or acts on a live poller, never on freed memory. The handle
//! check only reads the 4-byte tag at offset 0, which is what lets
//! `zmq_poller_size(&null_poller)` (a pointer to a NULL pointer) fail
//! cleanly with EFAULT, as libzmq's tag check does.

use super::entry;
use super::types::zmq_pollitem_t;
#[cfg(feature = "draft")]
use super::types::{zmq_fd_t, zmq_poller_event_t};
use crate::error::{Error, Result};
use crate::poll::{self, Item, Target};
use crate::socket::Socket;
use std::os::raw::{c_int, c_long};
#[cfg(feature = "draft")]
use std::os::raw::{c_short, c_void};

/// Polls sockets and file descriptors.
///
/// # Safety
/// `items` is NULL or points at `nitems` readable, writable
/// `zmq_pollitem_t`s whose `socket` members are NULL or handles from
/// `zmq_socket` (see `Socket::from_handle`).
#[no_mangle]
pub unsafe extern "C" fn zmq_poll(
    items: *mut zmq_pollitem_t,
    nitems: c_int,
    timeout: c_long,
) -> c_int {
    entry(|| {
        if nitems < 0 {
            return Err(Error::EINVAL);
        }
        if nitems == 0 {
            return poll::sleep_only(timeout).map(|n| n as c_int);
        }
        if items.is_null() {
            return Err(Error::EFAULT);
        }
        // SAFETY: non-NULL; the caller guarantees `nitems` valid items.
        let raw = unsafe { std::slice::from_raw_parts_mut(items, nitems as usize) };
        let mut v = Vec::with_capacity(raw.len());
        for it in raw.iter() {
            let target = if it.socket.is_null() {
                Target::Fd(it.fd)
            } else {
                // SAFETY: per the caller's contract on `socket`.
                Target::Socket(unsafe { Socket::from_handle(it.socket)? })
            };
            v.push(Item {
                target,
                events: it.events,
                revents: 0,
            });
        }
        let r = poll::poll(&mut v, timeout);
        for (it, item) in raw.iter_mut().zip(&v) {
            it.revents = item.revents;
        }
        Ok(r? as c_int)
    })
}

#[cfg(feature = "draft")]
pub use draft::*;

#[cfg(feature = "draft")]
mod draft {
    use super::*;
    use crate::poll::poller::{Poller, RETIRED_FD};
    use crate::util::handle::{Registry, Shell};

    /// Poller handles (libzmq's live tag for a poller).
    static POLLERS: Registry<Box<Poller>> = Registry::new(0xCAFE_BABE);

    /// Runs `f` on the poller behind a live shell; EFAULT once destroyed.
    fn with<R>(shell: &Shell<Box<Poller>>, f: impl FnOnce(&mut Poller) -> Result<R>) -> Result<R> {
        let mut g = shell.lock();
        let p = g.as_mut().ok_or(Error::EFAULT)?;
        f(p)
    }

    /// Resolves a poller handle; EFAULT for NULL, misaligned or not-live.
    ///
    /// # Safety
    /// `p` is NULL, or points at least 4 readable bytes (a handle from
    /// `zmq_poller_new`, possibly destroyed since, or any other object the
    /// caller owns, e.g. a `void *` variable holding NULL): see
    /// `Registry::resolve`.
    unsafe fn poller_handle(p: *mut c_void) -> Result<&'static Shell<Box<Poller>>> {
        // SAFETY: forwarded from the caller.
        unsafe { POLLERS.resolve(p) }.ok_or(Error::EFAULT)
    }

    /// Resolves a socket handle for the poller: ENOTSOCK for NULL or bad.
    ///
    /// # Safety
    /// As `Socket::from_handle`.
    unsafe fn socket_handle(s: *mut c_void) -> Result<&'static Socket> {
        // SAFETY: forwarded from the caller. Socket shells are never freed,
        // so the reference may be held for 'static.
        unsafe { Socket::from_handle(s) }
    }

    /// Creates a poller.
    #[no_mangle]
    pub extern "C" fn zmq_poller_new() -> *mut c_void {
        entry(|| Ok(POLLERS.open(Box::new(Poller::new())).handle()))
    }

    /// Destroys a poller and sets `*poller_p` to NULL.
    ///
    /// # Safety
    /// `poller_p` is NULL or points at a readable, writable `void *` whose
    /// value meets the contract of `poller_handle`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_destroy(poller_p: *mut *mut c_void) -> c_int {
        entry(|| {
            if poller_p.is_null() {
                return Err(Error::EFAULT);
            }
            // SAFETY: non-NULL; the caller guarantees a readable slot.
            let p = unsafe { *poller_p };
            // SAFETY: per the caller's contract on the slot's content.
            let shell = unsafe { poller_handle(p)? };
            let inner = POLLERS.close(shell).ok_or(Error::EFAULT)?;
            drop(inner);
            // SAFETY: the caller guarantees a writable slot.
            unsafe { *poller_p = std::ptr::null_mut() };
            Ok(0)
        })
    }

    /// Number of registered sockets and fds.
    ///
    /// # Safety
    /// See `poller_handle`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_size(poller: *mut c_void) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller.
            let sh = unsafe { poller_handle(poller)? };
            with(sh, |p| Ok(p.size().min(c_int::MAX as usize) as c_int))
        })
    }

    /// Registers a socket.
    ///
    /// # Safety
    /// See `poller_handle` and `Socket::from_handle`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_add(
        poller: *mut c_void,
        socket: *mut c_void,
        user_data: *mut c_void,
        events: c_short,
    ) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller.
            let sh = unsafe { poller_handle(poller)? };
            // SAFETY: forwarded from the caller.
            let s = unsafe { socket_handle(socket)? };
            with(sh, |p| p.add(s, user_data as usize, events)).map(|_| 0)
        })
    }

    /// Changes the events of a registered socket.
    ///
    /// # Safety
    /// See `poller_handle` and `Socket::from_handle`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_modify(
        poller: *mut c_void,
        socket: *mut c_void,
        events: c_short,
    ) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller.
            let sh = unsafe { poller_handle(poller)? };
            // SAFETY: forwarded from the caller.
            let s = unsafe { socket_handle(socket)? };
            with(sh, |p| p.modify(s, events)).map(|_| 0)
        })
    }

    /// Unregisters a socket.
    ///
    /// # Safety
    /// See `poller_handle` and `Socket::from_handle`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_remove(poller: *mut c_void, socket: *mut c_void) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller.
            let sh = unsafe { poller_handle(poller)? };
            // SAFETY: forwarded from the caller.
            let s = unsafe { socket_handle(socket)? };
            with(sh, |p| p.remove(s)).map(|_| 0)
        })
    }

    /// Registers a plain file descriptor.
    ///
    /// # Safety
    /// See `poller_handle`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_add_fd(
        poller: *mut c_void,
        fd: zmq_fd_t,
        user_data: *mut c_void,
        events: c_short,
    ) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller.
            let sh = unsafe { poller_handle(poller)? };
            with(sh, |p| p.add_fd(fd, user_data as usize, events)).map(|_| 0)
        })
    }

    /// Changes the events of a registered file descriptor.
    ///
    /// # Safety
    /// See `poller_handle`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_modify_fd(
        poller: *mut c_void,
        fd: zmq_fd_t,
        events: c_short,
    ) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller.
            let sh = unsafe { poller_handle(poller)? };
            with(sh, |p| p.modify_fd(fd, events)).map(|_| 0)
        })
    }

    /// Unregisters a file descriptor.
    ///
    /// # Safety
    /// See `poller_handle`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_remove_fd(poller: *mut c_void, fd: zmq_fd_t) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller.
            let sh = unsafe { poller_handle(poller)? };
            with(sh, |p| p.remove_fd(fd)).map(|_| 0)
        })
    }

    const EMPTY_EVENT: zmq_poller_event_t = zmq_poller_event_t {
        socket: std::ptr::null_mut(),
        fd: RETIRED_FD,
        user_data: std::ptr::null_mut(),
        events: 0,
    };

    /// The body of zmq_poller_wait_all.
    ///
    /// # Safety
    /// As `zmq_poller_wait_all`.
    unsafe fn wait_all(
        poller: *mut c_void,
        events: *mut zmq_poller_event_t,
        n: c_int,
        timeout: c_long,
    ) -> Result<c_int> {
        // SAFETY: forwarded from the caller.
        let sh = unsafe { poller_handle(poller)? };
        if events.is_null() {
            return Err(Error::EFAULT);
        }
        if n < 0 {
            return Err(Error::EINVAL);
        }
        let found = with(sh, |p| p.wait(n as usize, timeout))?;
        // SAFETY: non-NULL; the caller guarantees `n` writable events.
        let out = unsafe { std::slice::from_raw_parts_mut(events, n as usize) };
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = match found.get(i) {
                Some(e) => zmq_poller_event_t {
                    socket: e.socket.map_or(std::ptr::null_mut(), |s| s as *mut c_void),
                    fd: e.fd,
                    user_data: e.user_data as *mut c_void,
                    events: e.events,
                },
                None => EMPTY_EVENT,
            };
        }
        Ok(found.len() as c_int)
    }

    /// Waits for one event; 0 on success, -1/EAGAIN on timeout.
    ///
    /// # Safety
    /// See `poller_handle`; `event` is NULL or points at a writable
    /// `zmq_poller_event_t`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_wait(
        poller: *mut c_void,
        event: *mut zmq_poller_event_t,
        timeout: c_long,
    ) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller (one event at `event`).
            let r = unsafe { wait_all(poller, event, 1, timeout) };
            if r.is_err() && !event.is_null() {
                // SAFETY: non-NULL and writable per the contract.
                unsafe { *event = EMPTY_EVENT };
            }
            r.map(|_| 0)
        })
    }

    /// Waits for up to `n_events` events; returns how many were filled.
    ///
    /// # Safety
    /// See `poller_handle`; `events` is NULL or points at `n_events`
    /// writable `zmq_poller_event_t`s.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_wait_all(
        poller: *mut c_void,
        events: *mut zmq_poller_event_t,
        n_events: c_int,
        timeout: c_long,
    ) -> c_int {
        // SAFETY: forwarded from the caller.
        entry(|| unsafe { wait_all(poller, events, n_events, timeout) })
    }

    /// The poller's signalling descriptor (readable when a thread-safe
    /// socket in it has news); EINVAL if no thread-safe socket was added.
    ///
    /// # Safety
    /// See `poller_handle`; `fd` is NULL or points at a writable `zmq_fd_t`.
    #[no_mangle]
    pub unsafe extern "C" fn zmq_poller_fd(poller: *mut c_void, fd: *mut zmq_fd_t) -> c_int {
        entry(|| {
            // SAFETY: forwarded from the caller.
            let sh = unsafe { poller_handle(poller)? };
            let v = with(sh, |p| p.signaler_fd())?;
            if fd.is_null() {
                return Err(Error::EFAULT);
            }
            // SAFETY: non-NULL and writable per the contract.
            unsafe { *fd = v };
            Ok(0)
        })
    }
}

//! Threads blocked on one classic socket at once. libzmq allows one thread
//! per classic socket; we let several share one, as best effort. A blocked
//! thread sleeps on the mailbox's eventfd, the edge `ZMQ_FD` shows, which
//! whichever thread next processes commands consumes: so a thread that
//! took a command or a message can leave the others asleep beside work
//! that is theirs. Once a socket is seen shared, its blocked threads also
//! sleep on an fd of their own, which no other thread reads: one eventfd
//! per such thread, made the first time it blocks on a shared socket. A
//! program that keeps each socket to one thread never makes one.

use parking_lot::Mutex;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The threads blocked on one mailbox: how many, how many without a wake
/// fd, and the wake fds. Every unlock of the socket reads `count`, and
/// every blocking wait counts itself in and out: a cache line of its own
/// keeps the mailbox's other threads (queueing commands) from bouncing it,
/// and a thread without a wake fd (every thread of a program that keeps
/// each socket to one thread) touches no lock.
#[derive(Default)]
#[repr(align(64))]
pub(super) struct Waiters {
    count: AtomicUsize,
    without_fd: AtomicUsize,
    fds: Mutex<Vec<RawFd>>,
}

impl Waiters {
    /// Counts the calling thread in; returns its wake fd, with `private`
    /// (-1 without, or if it could not have one; `poll` ignores it).
    pub(super) fn enter(&self, private: bool) -> RawFd {
        let fd = if private { own_fd() } else { -1 };
        if fd >= 0 {
            self.fds.lock().push(fd);
        } else {
            self.without_fd.fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        fd
    }

    /// Counts a thread out. Under the list's lock, so `wake_all` never
    /// writes to the fd of a thread that has moved on.
    pub(super) fn leave(&self, fd: RawFd) {
        if fd >= 0 {
            let mut fds = self.fds.lock();
            if let Some(i) = fds.iter().position(|&f| f == fd) {
                fds.swap_remove(i);
            }
        } else {
            self.without_fd.fetch_sub(1, Ordering::Relaxed);
        }
        self.count.fetch_sub(1, Ordering::Relaxed);
    }

    pub(super) fn any(&self) -> bool {
        self.count.load(Ordering::Relaxed) > 0
    }

    /// Wakes every counted thread that has a wake fd; returns whether one
    /// without is counted (it must be woken through the mailbox).
    pub(super) fn wake_all(&self) -> bool {
        for &fd in self.fds.lock().iter() {
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a local to an eventfd its thread
            // keeps open while it is counted here.
            unsafe { libc::write(fd, &one as *const u64 as *const libc::c_void, 8) };
        }
        self.any_without_fd()
    }

    /// Whether a counted thread has no wake fd of its own.
    pub(super) fn any_without_fd(&self) -> bool {
        self.without_fd.load(Ordering::Relaxed) > 0
    }
}

thread_local! {
    static WAKE_FD: Option<OwnedFd> = {
        // SAFETY: plain syscall; the result is checked before use.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        // SAFETY: a fresh descriptor this thread owns, closed at its exit.
        (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
    };
}

fn own_fd() -> RawFd {
    WAKE_FD
        .try_with(|f| f.as_ref().map_or(-1, |f| f.as_raw_fd()))
        .unwrap_or(-1)
}

/// Resets a wake fd after it woke its thread.
pub(super) fn drain(fd: RawFd) {
    let mut v: u64 = 0;
    // SAFETY: reads 8 bytes into a local from the calling thread's own
    // non-blocking eventfd.
    unsafe { libc::read(fd, &mut v as *mut u64 as *mut libc::c_void, 8) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_each_counted_thread_through_its_own_fd() {
        let w = Waiters::default();
        assert!(!w.any());
        let fd = w.enter(true);
        assert!(fd >= 0 && w.any() && !w.any_without_fd());
        assert!(!w.wake_all());
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        assert_eq!(unsafe { libc::poll(&mut pfd, 1, 0) }, 1);
        drain(fd);
        // SAFETY: as above.
        assert_eq!(unsafe { libc::poll(&mut pfd, 1, 0) }, 0);
        w.leave(fd);
        assert!(!w.any());
        assert_eq!(w.enter(false), -1);
        assert!(
            w.any_without_fd() && w.wake_all(),
            "one without an fd: the caller must signal"
        );
        w.leave(-1);
        assert!(!w.wake_all());
        // SAFETY: as above.
        assert_eq!(
            unsafe { libc::poll(&mut pfd, 1, 0) },
            0,
            "no longer counted, not woken"
        );
    }
}

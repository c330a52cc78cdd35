//! `zmq_poll` and the (draft) poller: waiting on sockets and plain file
//! descriptors together, with libzmq 4.3.4's algorithm.
//!
//! A socket is "ready" according to its `ZMQ_EVENTS` (computed by
//! [`Socket::events`], which first processes pending commands). Its mailbox
//! eventfd is only an edge hint that commands arrived; so every pass polls
//! the plain descriptors together with the mailbox descriptors, then
//! re-reads the events of every socket.
//!
//! The first pass never blocks (poll(2) with a zero timeout); later passes
//! block until a descriptor fires or the deadline passes.

pub(crate) mod poller;
pub(crate) mod proxy;

use crate::error::{Error, Result};
use crate::socket::Socket;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

pub(crate) use crate::socket::{POLLIN, POLLOUT};
pub(crate) const POLLERR: i16 = crate::consts::ZMQ_POLLERR as i16;
pub(crate) const POLLPRI: i16 = crate::consts::ZMQ_POLLPRI as i16;

/// The longest single poll(2) sleep while a thread-safe socket takes part.
///
/// A thread-safe socket may be used by other threads at the same time; one
/// of them may consume the mailbox signal that would have woken us. The
/// mailbox signal is an edge, so we look again at least this often.
const THREAD_SAFE_SLICE_MS: i32 = 100;

/// What one poll entry watches.
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    Socket(&'a Socket),
    Fd(RawFd),
}

/// One entry of a `zmq_poll` call.
pub(crate) struct Item<'a> {
    pub target: Target<'a>,
    pub events: i16,
    pub revents: i16,
}

/// poll(2) flags for a plain descriptor asked for `events` (ZMQ_POLL* bits).
pub(crate) fn fd_poll_flags(events: i16) -> i16 {
    let mut f = 0;
    if events & POLLIN != 0 {
        f |= libc::POLLIN;
    }
    if events & POLLOUT != 0 {
        f |= libc::POLLOUT;
    }
    if events & POLLPRI != 0 {
        f |= libc::POLLPRI;
    }
    f
}

/// ZMQ_POLL* bits for what poll(2) reported on a plain descriptor: anything
/// other than IN/OUT/PRI (ERR, HUP, NVAL...) is ZMQ_POLLERR, asked for or not.
pub(crate) fn fd_revents(revents: i16) -> i16 {
    let mut e = 0;
    if revents & libc::POLLIN != 0 {
        e |= POLLIN;
    }
    if revents & libc::POLLOUT != 0 {
        e |= POLLOUT;
    }
    if revents & libc::POLLPRI != 0 {
        e |= POLLPRI;
    }
    if revents & !(libc::POLLIN | libc::POLLOUT | libc::POLLPRI) != 0 {
        e |= POLLERR;
    }
    e
}

/// One poll(2) call. EINTR (and any other failure) is returned as is.
pub(crate) fn sys_poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> Result<usize> {
    let n = fds.len() as libc::nfds_t;
    let p = if fds.is_empty() {
        std::ptr::null_mut()
    } else {
        fds.as_mut_ptr()
    };
    // SAFETY: `p` is NULL with n == 0, or points at `n` initialised pollfds
    // we borrow mutably for the duration of the call.
    let rc = unsafe { libc::poll(p, n, timeout_ms) };
    if rc < 0 {
        return Err(Error::last_os());
    }
    Ok(rc as usize)
}

/// Milliseconds (rounded up) from now until `end`, capped to `i32::MAX`.
fn ms_until(end: Instant) -> i32 {
    let now = Instant::now();
    if end <= now {
        return 0;
    }
    let ms = (end - now).as_micros().div_ceil(1000);
    ms.min(i32::MAX as u128) as i32
}

/// The timing skeleton shared by `zmq_poll` and the poller.
///
/// Calls poll(2) on `fds` (zero timeout on the first pass), then `check`,
/// until `check` finds something, or the timeout (ms; negative: none;
/// zero: one pass) has passed. Returns what `check` found last (0 when
/// the time ran out).
pub(crate) fn wait_loop(
    fds: &mut [libc::pollfd],
    timeout_ms: i64,
    thread_safe: bool,
    mut check: impl FnMut(&[libc::pollfd]) -> Result<usize>,
) -> Result<usize> {
    let mut first = true;
    let mut end: Option<Instant> = None;
    loop {
        let mut t = if first {
            0
        } else {
            match end {
                None => -1,
                Some(e) => ms_until(e),
            }
        };
        if thread_safe && !(0..=THREAD_SAFE_SLICE_MS).contains(&t) {
            t = THREAD_SAFE_SLICE_MS;
        }
        for f in fds.iter_mut() {
            f.revents = 0;
        }
        sys_poll(fds, t)?;
        let found = check(fds)?;
        if timeout_ms == 0 || found > 0 {
            return Ok(found);
        }
        if timeout_ms < 0 {
            first = false;
            continue;
        }
        if first {
            first = false;
            let ms = u64::try_from(timeout_ms).unwrap_or(0);
            // `None` (too far away to represent) is as good as forever.
            end = Instant::now().checked_add(Duration::from_millis(ms));
            continue;
        }
        if end.is_some_and(|e| Instant::now() >= e) {
            return Ok(0);
        }
    }
}

/// `zmq_poll` with no items: libzmq sleeps `timeout` ms with usleep(3)
/// (timeout converted to a 32-bit microsecond count, as usleep takes it).
pub(crate) fn sleep_only(timeout_ms: i64) -> Result<usize> {
    if timeout_ms == 0 {
        return Ok(0);
    }
    let us = (timeout_ms.wrapping_mul(1000)) as u32;
    // SAFETY: plain libc call with an integer argument.
    let rc = unsafe { libc::usleep(us) };
    if rc != 0 {
        return Err(Error::last_os());
    }
    Ok(0)
}

/// `zmq_poll`: fills `revents` of every item, returns how many have any.
///
/// `timeout_ms`: negative waits forever, 0 returns at once.
pub(crate) fn poll(items: &mut [Item<'_>], timeout_ms: i64) -> Result<usize> {
    if items.is_empty() {
        return sleep_only(timeout_ms);
    }
    let mut fds = Vec::with_capacity(items.len());
    let mut thread_safe = false;
    for it in items.iter_mut() {
        it.revents = 0;
        match it.target {
            Target::Socket(s) => {
                let fd = s.fd()?;
                thread_safe |= s.is_thread_safe();
                let ev = if it.events != 0 { libc::POLLIN } else { 0 };
                fds.push(libc::pollfd {
                    fd,
                    events: ev,
                    revents: 0,
                });
            }
            Target::Fd(fd) => {
                fds.push(libc::pollfd {
                    fd,
                    events: fd_poll_flags(it.events),
                    revents: 0,
                });
            }
        }
    }
    wait_loop(&mut fds, timeout_ms, thread_safe, |fds| {
        let mut n = 0;
        for (it, pfd) in items.iter_mut().zip(fds) {
            it.revents = match it.target {
                Target::Socket(s) => s.events()? & it.events & (POLLIN | POLLOUT),
                Target::Fd(_) => fd_revents(pfd.revents),
            };
            if it.revents != 0 {
                n += 1;
            }
        }
        Ok(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_flag_mapping() {
        assert_eq!(
            fd_poll_flags(POLLIN | POLLOUT | POLLPRI | POLLERR),
            libc::POLLIN | libc::POLLOUT | libc::POLLPRI
        );
        assert_eq!(fd_poll_flags(0), 0);
        assert_eq!(fd_revents(libc::POLLIN), POLLIN);
        assert_eq!(fd_revents(libc::POLLHUP), POLLERR);
        assert_eq!(
            fd_revents(libc::POLLNVAL | libc::POLLOUT),
            POLLERR | POLLOUT
        );
        assert_eq!(fd_revents(libc::POLLPRI), POLLPRI);
    }

    fn pipe() -> (RawFd, RawFd) {
        let mut p = [0; 2];
        // SAFETY: p has room for two descriptors.
        assert_eq!(unsafe { libc::pipe(p.as_mut_ptr()) }, 0);
        (p[0], p[1])
    }

    fn close(fd: RawFd) {
        // SAFETY: closing a descriptor this test opened.
        unsafe { libc::close(fd) };
    }

    #[test]
    fn plain_fds() {
        let (r, w) = pipe();
        let mut items = [
            Item {
                target: Target::Fd(r),
                events: POLLIN,
                revents: 0,
            },
            Item {
                target: Target::Fd(w),
                events: POLLOUT,
                revents: 0,
            },
        ];
        assert_eq!(poll(&mut items, 0).unwrap(), 1);
        assert_eq!(items[0].revents, 0);
        assert_eq!(items[1].revents, POLLOUT);
        let t = Instant::now();
        assert_eq!(poll(&mut items[..1], 30).unwrap(), 0);
        assert!(t.elapsed() >= Duration::from_millis(30));
        // SAFETY: writes one byte from a local to our pipe.
        assert_eq!(
            unsafe { libc::write(w, b"x".as_ptr() as *const libc::c_void, 1) },
            1
        );
        assert_eq!(poll(&mut items[..1], -1).unwrap(), 1);
        assert_eq!(items[0].revents, POLLIN);
        close(w);
        close(r);
    }

    #[test]
    fn no_items_sleeps() {
        let t = Instant::now();
        assert_eq!(poll(&mut [], 20).unwrap(), 0);
        assert!(t.elapsed() >= Duration::from_millis(20));
        assert_eq!(poll(&mut [], 0).unwrap(), 0);
    }
}

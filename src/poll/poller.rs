//! The poller behind the draft `zmq_poller_*` API (and the proxy): a set of
//! sockets and plain descriptors with the events asked for each, waited on
//! as libzmq 4.3.4's `socket_poller_t` does.
//!
//! Sockets are held as `&'static Socket`: socket shells are never freed
//! (see `crate::socket`), so an entry whose socket was closed meanwhile
//! makes `wait` fail with ENOTSOCK instead of touching freed memory.

use super::{fd_poll_flags, fd_revents, wait_loop, POLLERR, POLLIN, POLLOUT, POLLPRI};
use crate::error::{Error, Result};
use crate::socket::Socket;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// libzmq's `retired_fd`.
pub(crate) const RETIRED_FD: RawFd = -1;

/// EBADF is not one of the crate's named errors.
pub(crate) const EBADF: Error = Error(libc::EBADF);

struct Entry {
    socket: Option<&'static Socket>,
    fd: RawFd,
    user_data: usize,
    events: i16,
}

/// One ready entry, as `zmq_poller_event_t` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Event {
    /// The socket, for a socket entry.
    pub socket: Option<*const Socket>,
    /// The descriptor, for an fd entry; `RETIRED_FD` for a socket.
    pub fd: RawFd,
    /// The caller's pointer, as an address.
    pub user_data: usize,
    pub events: i16,
}

/// Checks an events mask: only POLLIN, POLLOUT, POLLERR and POLLPRI.
pub(crate) fn check_events(events: i16) -> Result<()> {
    if events & !(POLLIN | POLLOUT | POLLERR | POLLPRI) != 0 {
        return Err(Error::EINVAL);
    }
    Ok(())
}

/// A poll set.
#[derive(Default)]
pub(crate) struct Poller {
    items: Vec<Entry>,
    /// Created when the first thread-safe socket is added (libzmq's
    /// signaler): an epoll set of the thread-safe sockets' mailbox fds,
    /// readable whenever one of them is. This is what `zmq_poller_fd` gives.
    signaler: Option<OwnedFd>,
}

impl Poller {
    pub(crate) fn new() -> Poller {
        Poller::default()
    }

    /// Number of entries (sockets and fds).
    pub(crate) fn size(&self) -> usize {
        self.items.len()
    }

    fn find_socket(&self, s: &Socket) -> Option<usize> {
        self.items
            .iter()
            .position(|e| e.socket.is_some_and(|x| std::ptr::eq(x, s)))
    }

    fn find_fd(&self, fd: RawFd) -> Option<usize> {
        self.items
            .iter()
            .position(|e| e.socket.is_none() && e.fd == fd)
    }

    fn signaler_ctl(&mut self, op: libc::c_int, fd: RawFd) -> Result<()> {
        if self.signaler.is_none() {
            if op != libc::EPOLL_CTL_ADD {
                return Ok(());
            }
            // SAFETY: plain syscall; the result is checked before use.
            let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
            if ep < 0 {
                return Err(Error::EMFILE);
            }
            // SAFETY: `ep` is a fresh descriptor nobody else owns.
            self.signaler = Some(unsafe { OwnedFd::from_raw_fd(ep) });
        }
        let Some(ep) = &self.signaler else {
            return Ok(());
        };
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: fd as u64,
        };
        // SAFETY: `ep` is our epoll descriptor, `ev` a valid local; a stale
        // `fd` only makes the call fail, which we ignore.
        unsafe { libc::epoll_ctl(ep.as_raw_fd(), op, fd, &mut ev) };
        Ok(())
    }

    /// Adds a socket; EINVAL if it is already in, or `events` is bad.
    pub(crate) fn add(
        &mut self,
        socket: &'static Socket,
        user_data: usize,
        events: i16,
    ) -> Result<()> {
        check_events(events)?;
        if self.find_socket(socket).is_some() {
            return Err(Error::EINVAL);
        }
        if socket.is_thread_safe() {
            let fd = socket.fd()?;
            self.signaler_ctl(libc::EPOLL_CTL_ADD, fd)?;
        }
        self.items.push(Entry {
            socket: Some(socket),
            fd: RETIRED_FD,
            user_data,
            events,
        });
        Ok(())
    }

    /// Adds a plain descriptor; EBADF for -1, EINVAL if already in or bad events.
    pub(crate) fn add_fd(&mut self, fd: RawFd, user_data: usize, events: i16) -> Result<()> {
        if fd == RETIRED_FD {
            return Err(EBADF);
        }
        check_events(events)?;
        if self.find_fd(fd).is_some() {
            return Err(Error::EINVAL);
        }
        self.items.push(Entry {
            socket: None,
            fd,
            user_data,
            events,
        });
        Ok(())
    }

    pub(crate) fn modify(&mut self, socket: &Socket, events: i16) -> Result<()> {
        check_events(events)?;
        let i = self.find_socket(socket).ok_or(Error::EINVAL)?;
        self.items[i].events = events;
        Ok(())
    }

    pub(crate) fn modify_fd(&mut self, fd: RawFd, events: i16) -> Result<()> {
        if fd == RETIRED_FD {
            return Err(EBADF);
        }
        check_events(events)?;
        let i = self.find_fd(fd).ok_or(Error::EINVAL)?;
        self.items[i].events = events;
        Ok(())
    }

    pub(crate) fn remove(&mut self, socket: &Socket) -> Result<()> {
        let i = self.find_socket(socket).ok_or(Error::EINVAL)?;
        self.items.remove(i);
        if socket.is_thread_safe() {
            if let Ok(fd) = socket.fd() {
                self.signaler_ctl(libc::EPOLL_CTL_DEL, fd)?;
            }
        }
        Ok(())
    }

    pub(crate) fn remove_fd(&mut self, fd: RawFd) -> Result<()> {
        if fd == RETIRED_FD {
            return Err(EBADF);
        }
        let i = self.find_fd(fd).ok_or(Error::EINVAL)?;
        self.items.remove(i);
        Ok(())
    }

    /// `zmq_poller_fd`: EINVAL unless a thread-safe socket was ever added.
    pub(crate) fn signaler_fd(&self) -> Result<RawFd> {
        self.signaler
            .as_ref()
            .map(|f| f.as_raw_fd())
            .ok_or(Error::EINVAL)
    }

    /// Waits for at most `max` ready entries (`timeout_ms`: negative is
    /// forever, 0 is one look). Nothing ready in time is EAGAIN; an empty
    /// set (or one where nothing is asked for) with no timeout is EFAULT,
    /// since it could never return.
    pub(crate) fn wait(&self, max: usize, timeout_ms: i64) -> Result<Vec<Event>> {
        if self.items.is_empty() && timeout_ms < 0 {
            return Err(Error::EFAULT);
        }
        // poll(2) set: one mailbox fd per socket, the fd itself otherwise,
        // for entries that ask for something.
        let mut fds = Vec::new();
        let mut index = Vec::with_capacity(self.items.len());
        let mut thread_safe = false;
        for e in &self.items {
            if e.events == 0 {
                index.push(None);
                continue;
            }
            index.push(Some(fds.len()));
            match e.socket {
                Some(s) => {
                    thread_safe |= s.is_thread_safe();
                    fds.push(libc::pollfd {
                        fd: s.fd()?,
                        events: libc::POLLIN,
                        revents: 0,
                    });
                }
                None => fds.push(libc::pollfd {
                    fd: e.fd,
                    events: fd_poll_flags(e.events),
                    revents: 0,
                }),
            }
        }
        if fds.is_empty() {
            if timeout_ms < 0 {
                return Err(Error::EFAULT);
            }
            if timeout_ms > 0 {
                let _ = super::sleep_only(timeout_ms);
            }
            return Err(Error::EAGAIN);
        }
        let mut out = Vec::new();
        let found = wait_loop(&mut fds, timeout_ms, thread_safe, |fds| {
            out.clear();
            for (e, idx) in self.items.iter().zip(&index) {
                if out.len() >= max {
                    break;
                }
                match e.socket {
                    Some(s) => {
                        let ev = s.events()?;
                        if e.events & ev != 0 {
                            out.push(Event {
                                socket: Some(s as *const Socket),
                                fd: RETIRED_FD,
                                user_data: e.user_data,
                                events: e.events & ev,
                            });
                        }
                    }
                    None => {
                        let Some(i) = idx else { continue };
                        let ev = fd_revents(fds[*i].revents);
                        if ev != 0 {
                            out.push(Event {
                                socket: None,
                                fd: e.fd,
                                user_data: e.user_data,
                                events: ev,
                            });
                        }
                    }
                }
            }
            Ok(out.len())
        })?;
        if found == 0 {
            return Err(Error::EAGAIN);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_mask() {
        assert!(check_events(POLLIN | POLLOUT | POLLERR | POLLPRI).is_ok());
        assert_eq!(check_events(i16::MAX), Err(Error::EINVAL));
        assert_eq!(check_events(16), Err(Error::EINVAL));
    }

    #[test]
    fn fd_entries() {
        let mut p = Poller::new();
        assert_eq!(p.add_fd(-1, 0, POLLIN), Err(EBADF));
        assert_eq!(p.modify_fd(-1, POLLIN), Err(EBADF));
        assert_eq!(p.remove_fd(-1), Err(EBADF));
        assert_eq!(p.wait(1, 0), Err(Error::EAGAIN));
        assert_eq!(p.wait(1, -1), Err(Error::EFAULT));
        let mut fds = [0; 2];
        // SAFETY: room for two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let (r, w) = (fds[0], fds[1]);
        p.add_fd(r, 7, POLLIN).unwrap();
        assert_eq!(p.add_fd(r, 7, POLLIN), Err(Error::EINVAL));
        assert_eq!(p.modify_fd(w, POLLIN), Err(Error::EINVAL));
        assert_eq!(p.add_fd(w, 9, i16::MAX), Err(Error::EINVAL));
        p.add_fd(w, 9, 0).unwrap();
        assert_eq!(p.size(), 2);
        assert_eq!(p.wait(4, 10), Err(Error::EAGAIN));
        p.modify_fd(w, POLLOUT).unwrap();
        let ev = p.wait(4, -1).unwrap();
        assert_eq!(
            ev,
            vec![Event {
                socket: None,
                fd: w,
                user_data: 9,
                events: POLLOUT
            }]
        );
        // SAFETY: one byte from a local into our pipe.
        assert_eq!(
            unsafe { libc::write(w, b"x".as_ptr() as *const libc::c_void, 1) },
            1
        );
        let ev = p.wait(1, 0).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].fd, r);
        assert_eq!(ev[0].user_data, 7);
        assert_eq!(p.wait(0, 0), Err(Error::EAGAIN));
        p.remove_fd(r).unwrap();
        assert_eq!(p.remove_fd(r), Err(Error::EINVAL));
        assert_eq!(p.signaler_fd(), Err(Error::EINVAL));
        // SAFETY: closing descriptors this test opened.
        unsafe {
            libc::close(r);
            libc::close(w);
        }
    }

    #[test]
    fn disabled_entries() {
        let mut p = Poller::new();
        p.add_fd(0, 0, 0).unwrap();
        assert_eq!(p.wait(1, 0), Err(Error::EAGAIN));
        assert_eq!(p.wait(1, -1), Err(Error::EFAULT));
    }
}

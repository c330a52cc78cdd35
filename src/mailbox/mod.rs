//! A command inbox: a queue of commands plus an eventfd that is signalled
//! only when a command arrives while the owner was asleep.
//!
//! For a socket the eventfd is what `ZMQ_FD` returns; its edge-triggered
//! behaviour is the same as libzmq's: one signal per asleep period, consumed
//! by the owner the next time it looks for commands.
//!
//! The mailbox does not know what its commands are: each owner picks its
//! command type (`pipe::SocketCommand` for sockets, `io::Command` for io
//! threads), so this module sits below the pipes and threads that use it.

use crate::error::{Error, Result};
use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

mod waiters;

struct State<C> {
    cmds: VecDeque<C>,
    asleep: bool,
    generation: u64,
    cond_waiters: usize,
}

/// A multi-producer, single-consumer queue of `C`s with a wakeup fd.
pub struct Mailbox<C> {
    state: Mutex<State<C>>,
    cond: Condvar,
    signaled: AtomicBool,
    efd: OwnedFd,
    /// Threads blocked in `wait` (several only when an application shares
    /// a classic socket between threads).
    waiters: waiters::Waiters,
}

/// The calling thread, counted among a mailbox's waiters until dropped.
pub struct WaitTicket<'a, C> {
    mb: &'a Mailbox<C>,
    fd: RawFd,
}

impl<C> Drop for WaitTicket<'_, C> {
    fn drop(&mut self) {
        self.mb.waiters.leave(self.fd);
    }
}

impl<C> Mailbox<C> {
    pub fn new() -> Result<Mailbox<C>> {
        // SAFETY: plain syscall; the result is checked before use.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(Error::last_os());
        }
        Ok(Mailbox {
            state: Mutex::new(State {
                cmds: VecDeque::new(),
                asleep: true,
                generation: 0,
                cond_waiters: 0,
            }),
            cond: Condvar::new(),
            signaled: AtomicBool::new(false),
            // SAFETY: fd is a fresh descriptor we own.
            efd: unsafe { OwnedFd::from_raw_fd(fd) },
            waiters: waiters::Waiters::default(),
        })
    }

    /// The descriptor behind `ZMQ_FD`.
    pub fn fd(&self) -> RawFd {
        self.efd.as_raw_fd()
    }

    /// Queues a command; wakes the owner if it was asleep.
    pub fn send(&self, cmd: C) {
        let mut st = self.state.lock();
        st.cmds.push_back(cmd);
        st.generation += 1;
        let wake = std::mem::replace(&mut st.asleep, false);
        let notify = st.cond_waiters > 0;
        drop(st);
        if wake {
            // The flag goes up before the fd: a waiter woken by the write
            // must not have to wait for this thread, which the scheduler
            // may well preempt right after waking it.
            self.signaled.store(true, Ordering::Release);
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a local to our own eventfd.
            unsafe {
                libc::write(
                    self.efd.as_raw_fd(),
                    &one as *const u64 as *const libc::c_void,
                    8,
                )
            };
        }
        if notify {
            self.cond.notify_all();
        }
    }

    /// Takes the next command without blocking. `active` is the owner's own
    /// flag (false once it found the queue empty and went to sleep).
    pub fn try_recv(&self, active: &mut bool) -> Option<C> {
        self.try_recv_noting(active, &mut false)
    }

    /// `try_recv`, setting `bare` if it consumed a signal that carried no
    /// command (a `kick`).
    #[inline]
    pub fn try_recv_noting(&self, active: &mut bool, bare: &mut bool) -> Option<C> {
        // A socket asks on every send and recv, and nearly always finds
        // nothing: that answer is one load, inlined into the caller.
        if !*active && !self.signaled.load(Ordering::Acquire) {
            return None;
        }
        self.try_recv_slow(active, bare)
    }

    #[inline(never)]
    fn try_recv_slow(&self, active: &mut bool, bare: &mut bool) -> Option<C> {
        if *active {
            let mut st = self.state.lock();
            if let Some(c) = st.cmds.pop_front() {
                return Some(c);
            }
            st.asleep = true;
            *active = false;
            return None;
        }
        if !self.signaled.load(Ordering::Acquire) {
            return None;
        }
        self.signaled.store(false, Ordering::Relaxed);
        self.consume_signal();
        *active = true;
        let mut st = self.state.lock();
        let c = st.cmds.pop_front();
        if c.is_none() {
            st.asleep = true;
            *active = false;
            *bare = true;
        }
        c
    }

    fn consume_signal(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads 8 bytes into a local from our own non-blocking eventfd.
        unsafe {
            libc::read(
                self.efd.as_raw_fd(),
                &mut v as *mut u64 as *mut libc::c_void,
                8,
            )
        };
    }

    /// Takes every queued command (an io thread, woken by the eventfd under
    /// edge-triggered epoll). The eventfd is read first and the queue drained
    /// after, so a command queued meanwhile finds the owner asleep and
    /// signals again: no wakeup is lost, at worst one is spurious.
    pub fn drain_all(&self, out: &mut Vec<C>) {
        self.signaled.store(false, Ordering::Relaxed);
        self.consume_signal();
        let mut st = self.state.lock();
        out.extend(st.cmds.drain(..));
        st.asleep = true;
    }

    /// Whether a signal is pending (the owner may have commands to read).
    pub fn is_signaled(&self) -> bool {
        self.signaled.load(Ordering::Acquire)
    }

    /// Blocks until the eventfd is signalled, `kick` wakes the ticket's
    /// thread, or `deadline` passes (`None`: forever). Returns whether it
    /// was woken; EINTR on a signal.
    pub fn wait(&self, ticket: &WaitTicket<'_, C>, deadline: Option<Instant>) -> Result<bool> {
        loop {
            if self.signaled.load(Ordering::Acquire) {
                return Ok(true);
            }
            let timeout = match deadline {
                None => -1,
                Some(d) => {
                    let now = Instant::now();
                    if d <= now {
                        return Ok(false);
                    }
                    let ms = (d - now).as_micros().div_ceil(1000);
                    ms.min(i32::MAX as u128) as i32
                }
            };
            let mut pfds = [
                libc::pollfd {
                    fd: self.efd.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: ticket.fd,
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let n = if ticket.fd >= 0 { 2 } else { 1 };
            // SAFETY: `n` valid pollfds on the stack.
            let rc = unsafe { libc::poll(pfds.as_mut_ptr(), n, timeout) };
            if rc < 0 {
                return Err(Error::last_os());
            }
            if rc == 0
                && deadline.is_some()
                && Instant::now() >= deadline.unwrap_or_else(Instant::now)
            {
                return Ok(false);
            }
            if pfds[1].revents != 0 {
                waiters::drain(ticket.fd);
                return Ok(true);
            }
            if rc > 0 {
                if self.signaled.load(Ordering::Acquire) {
                    return Ok(true);
                }
                // Readable but not signalled: the owner already took this
                // signal (the flag goes up before the write lands), so the
                // count is stale. Drop it and keep waiting.
                self.consume_signal();
            }
        }
    }

    /// Counts the calling thread among those about to block in `wait`,
    /// until the ticket drops; with `private`, it can be woken through an
    /// fd of its own (`waiters.rs`). Taken with the socket lock held, so
    /// that whoever holds the lock next sees it in `has_waiters`.
    pub fn enter_wait(&self, private: bool) -> WaitTicket<'_, C> {
        WaitTicket {
            mb: self,
            fd: self.waiters.enter(private),
        }
    }

    pub fn has_waiters(&self) -> bool {
        self.waiters.any()
    }

    /// Whether a thread blocked in `wait` can only be woken through the
    /// eventfd `ZMQ_FD` shows.
    pub fn has_waiters_without_fd(&self) -> bool {
        self.waiters.any_without_fd()
    }

    /// Wakes every thread blocked in `wait` so that they look at the socket
    /// again: through their own fds, and through the mailbox's (a signal
    /// with no command, so `ZMQ_FD` may read ready once for nothing, which
    /// its contract allows) for one that has none.
    pub fn kick(&self) {
        if self.waiters.wake_all() {
            self.signaled.store(true, Ordering::Release);
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a local to our own eventfd.
            unsafe {
                libc::write(
                    self.efd.as_raw_fd(),
                    &one as *const u64 as *const libc::c_void,
                    8,
                )
            };
        }
    }

    /// A counter bumped by every command; thread-safe sockets wait on it.
    pub fn generation(&self) -> u64 {
        self.state.lock().generation
    }

    /// Waits until the generation moves past `seen` or `deadline` passes.
    pub fn wait_generation(&self, seen: u64, deadline: Option<Instant>) -> bool {
        let mut st = self.state.lock();
        while st.generation == seen {
            st.cond_waiters += 1;
            let timed_out = match deadline {
                None => {
                    self.cond.wait(&mut st);
                    false
                }
                Some(d) => self.cond.wait_until(&mut st, d).timed_out(),
            };
            st.cond_waiters -= 1;
            if timed_out {
                return st.generation != seen;
            }
        }
        true
    }

    /// Wakes every thread blocked in `wait_generation` (used when the socket
    /// state changes under them, e.g. a message became available).
    pub fn bump(&self) {
        let mut st = self.state.lock();
        st.generation += 1;
        let notify = st.cond_waiters > 0;
        drop(st);
        if notify {
            self.cond.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn fd_readable(fd: RawFd) -> bool {
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut pfd, 1, 0) == 1 }
    }

    #[test]
    fn signals_once_per_sleep() {
        let mb = Mailbox::<u32>::new().unwrap();
        let mut active = false;
        assert!(mb.try_recv(&mut active).is_none());
        mb.send(1);
        assert!(fd_readable(mb.fd()));
        mb.send(2);
        assert_eq!(mb.try_recv(&mut active), Some(1));
        assert!(!fd_readable(mb.fd()), "reading consumes the edge");
        assert_eq!(mb.try_recv(&mut active), Some(2));
        assert!(mb.try_recv(&mut active).is_none());
        assert!(!active);
        mb.send(3);
        assert!(fd_readable(mb.fd()), "a new edge after sleeping again");
    }

    #[test]
    fn kick_wakes_waiters_with_an_fd_and_leaves_zmq_fd_alone() {
        let mb = Arc::new(Mailbox::<u32>::new().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let mb = mb.clone();
            std::thread::spawn(move || {
                let ticket = mb.enter_wait(true);
                tx.send(()).unwrap();
                // A hang guard: false if nothing woke it.
                mb.wait(
                    &ticket,
                    Some(Instant::now() + std::time::Duration::from_secs(30)),
                )
                .unwrap()
            })
        };
        rx.recv().unwrap();
        assert!(mb.has_waiters());
        // Whether or not the waiter is in poll yet, its fd stays readable.
        mb.kick();
        assert!(waiter.join().unwrap(), "woken by the kick");
        assert!(!mb.has_waiters());
        assert!(!fd_readable(mb.fd()), "ZMQ_FD shows commands only");
    }

    #[test]
    fn kick_wakes_a_waiter_without_an_fd_through_zmq_fd() {
        let mb = Mailbox::<u32>::new().unwrap();
        let ticket = mb.enter_wait(false);
        assert!(mb.has_waiters_without_fd());
        mb.kick();
        assert!(fd_readable(mb.fd()));
        assert!(mb.wait(&ticket, Some(Instant::now())).unwrap(), "woken");
        drop(ticket);
        let mut active = false;
        assert!(
            mb.try_recv(&mut active).is_none(),
            "a signal with no command"
        );
        assert!(!fd_readable(mb.fd()));
    }

    #[test]
    fn wait_times_out() {
        let mb = Mailbox::<u32>::new().unwrap();
        let d = Instant::now() + std::time::Duration::from_millis(20);
        assert!(!mb.wait(&mb.enter_wait(false), Some(d)).unwrap());
        assert!(Instant::now() >= d);
    }
}

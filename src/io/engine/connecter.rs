//! The connecting side: dialing the endpoint, the transport's prelude,
//! the connect timeout, and after a failed attempt or a lost connection,
//! the wait before the next one. libzmq keeps trying for as long as the
//! socket wants the endpoint, except where ZMQ_RECONNECT_STOP says a
//! refusal is final.
//!
//! An attempt is `Connecting` until the socket is connected, then, if the
//! transport gave it a prelude, `Prelude` until that is done. CONNECTED
//! is raised when the session starts; a prelude's failure is a failed
//! attempt like a refused connect (CLOSED, then CONNECT_RETRIED), and
//! does not reset the backoff.

use super::{Connection, State};
use crate::error::Error;
use crate::io::config::ReconnectConfig;
use crate::io::link;
use crate::io::reactor::{Reactor, TimerKind};
use crate::transport::{self, peer, Prelude, PreludeStatus};
use mio::unix::SourceFd;
use mio::{Interest, Token};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// ZMQ_RECONNECT_IVL and ZMQ_RECONNECT_IVL_MAX: how long to wait before
/// each attempt.
pub(super) struct Backoff {
    cfg: ReconnectConfig,
    /// The next wait with ZMQ_RECONNECT_IVL_MAX (doubles per failure).
    wait: i32,
}

impl Backoff {
    pub(super) fn new(cfg: ReconnectConfig) -> Backoff {
        Backoff { cfg, wait: cfg.ivl }
    }

    /// A connection was made: the next failure starts from the base
    /// interval again.
    pub(super) fn reset(&mut self) {
        self.wait = self.cfg.ivl;
    }

    /// The wait in ms before the next attempt. With ZMQ_RECONNECT_IVL_MAX
    /// it doubles from ZMQ_RECONNECT_IVL up to the maximum; without, it is
    /// the interval plus up to as much again at random, so that peers
    /// that lost a server together do not all come back at once.
    pub(super) fn next_wait(&mut self, random: impl FnOnce() -> u32) -> i32 {
        let ivl = self.cfg.ivl.max(1);
        if self.cfg.ivl_max > 0 {
            let w = self.wait.max(ivl);
            self.wait = w.saturating_mul(2).min(self.cfg.ivl_max);
            w
        } else {
            ivl + (random() % ivl as u32) as i32
        }
    }
}

impl Connection {
    pub(super) fn connect(&mut self, r: &mut Reactor, me: Token) {
        let started = self
            .transport
            .connect_start(strip_scheme(&self.uri), &self.link.config.transport);
        self.remote = self.policy.remote.clone();
        let d = match started {
            Ok(d) => d,
            Err(e) => return self.connect_failed(r, me, e),
        };
        if !d.in_progress {
            return self.connected(r, me, d.socket, d.prelude);
        }
        let fd = d.socket.as_raw_fd();
        if r.registry()
            .register(&mut SourceFd(&fd), me, Interest::WRITABLE)
            .is_err()
        {
            self.schedule_reconnect(r, me);
            return;
        }
        self.event(link::CONNECT_DELAYED, libc::EINPROGRESS as u64);
        let ms = self.link.config.connect_timeout_ms;
        if ms > 0 && self.policy.timeout {
            r.add_timer(
                me,
                TimerKind::ConnectTimeout,
                Duration::from_millis(ms as u64),
            );
        }
        self.state = State::Connecting {
            sock: d.socket,
            prelude: d.prelude,
        };
    }

    /// The connect in progress is writable: established or failed.
    pub(super) fn connect_done(&mut self, r: &mut Reactor, me: Token) {
        let State::Connecting { sock, prelude } = std::mem::replace(&mut self.state, State::Idle)
        else {
            return;
        };
        let fd = sock.as_raw_fd();
        let _ = r.registry().deregister(&mut SourceFd(&fd));
        match transport::connect_result(&sock) {
            Ok(()) => self.connected(r, me, sock, prelude),
            Err(e) => {
                self.state = State::Connecting { sock, prelude };
                self.connect_failed(r, me, e);
            }
        }
    }

    /// A connect attempt failed: retry, unless ZMQ_RECONNECT_STOP says a
    /// refusal ends this endpoint (then the socket loses it, as in libzmq).
    pub(super) fn connect_failed(&mut self, r: &mut Reactor, me: Token, e: Error) {
        let stop = e == Error::ECONNREFUSED
            && self.link.config.reconnect.stop_on_refusal
            && self.policy.stop_on_refusal;
        if !stop {
            self.schedule_reconnect(r, me);
            return;
        }
        if let Some(fd) = self.drop_attempt(r) {
            self.event(link::CLOSED, fd as u64);
        }
        self.state = State::Closed;
        self.drop_pipe(r);
        r.remove(me);
    }

    /// The socket is connected: the transport's prelude runs first, if it
    /// has one.
    pub(super) fn connected(
        &mut self,
        r: &mut Reactor,
        me: Token,
        sock: socket2::Socket,
        prelude: Option<Box<dyn Prelude>>,
    ) {
        r.cancel_timer(me, TimerKind::ConnectTimeout);
        match prelude {
            None => self.established(r, me, sock),
            Some(prelude) => {
                self.state = State::Prelude {
                    sock,
                    prelude,
                    waiting: None,
                };
                self.step_prelude(r, me);
            }
        }
    }

    /// Steps the prelude; registers for the readiness it waits for. Its
    /// failure is a failed connect attempt.
    pub(super) fn step_prelude(&mut self, r: &mut Reactor, me: Token) {
        let State::Prelude {
            sock,
            prelude,
            waiting,
        } = &mut self.state
        else {
            return;
        };
        let want = match prelude.step(sock) {
            PreludeStatus::Readable => Interest::READABLE,
            PreludeStatus::Writable => Interest::WRITABLE,
            PreludeStatus::Done => {
                let State::Prelude { sock, .. } = std::mem::replace(&mut self.state, State::Idle)
                else {
                    return;
                };
                let fd = sock.as_raw_fd();
                let _ = r.registry().deregister(&mut SourceFd(&fd));
                self.established(r, me, sock);
                return;
            }
            PreludeStatus::Failed(e) => return self.connect_failed(r, me, e),
        };
        if *waiting == Some(want) {
            return;
        }
        let fd = sock.as_raw_fd();
        let done = match waiting {
            None => r.registry().register(&mut SourceFd(&fd), me, want),
            Some(_) => r.registry().reregister(&mut SourceFd(&fd), me, want),
        };
        match done {
            Ok(()) => *waiting = Some(want),
            Err(e) => self.connect_failed(r, me, e.into()),
        }
    }

    /// The connection is up: the session starts on it.
    fn established(&mut self, r: &mut Reactor, me: Token, sock: socket2::Socket) {
        self.backoff.reset();
        let fd = sock.as_raw_fd();
        self.local = peer::socket_name(&sock, peer::End::Local);
        self.remote = self.policy.remote.clone();
        self.event(link::CONNECTED, fd as u64);
        self.activate(r, me, sock);
    }

    /// Ends the attempt under way, if any (connecting, or in its
    /// prelude): its socket leaves the reactor and closes. Returns its fd
    /// for the CLOSED event.
    pub(super) fn drop_attempt(&mut self, r: &mut Reactor) -> Option<RawFd> {
        let sock = match std::mem::replace(&mut self.state, State::Idle) {
            State::Connecting { sock, .. } | State::Prelude { sock, .. } => sock,
            other => {
                self.state = other;
                return None;
            }
        };
        let fd = sock.as_raw_fd();
        let _ = r.registry().deregister(&mut SourceFd(&fd));
        Some(fd)
    }

    pub(super) fn schedule_reconnect(&mut self, r: &mut Reactor, me: Token) {
        if let Some(fd) = self.drop_attempt(r) {
            self.event(link::CLOSED, fd as u64);
        }
        self.state = State::Idle;
        let wait = self.backoff.next_wait(crate::util::random::random_u32);
        self.event(link::CONNECT_RETRIED, wait as u64);
        r.add_timer(me, TimerKind::Reconnect, Duration::from_millis(wait as u64));
    }
}

pub(super) fn strip_scheme(uri: &str) -> &str {
    uri.split_once("://").map_or(uri, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff(ivl: i32, ivl_max: i32) -> Backoff {
        Backoff::new(ReconnectConfig {
            ivl,
            ivl_max,
            stop_on_refusal: false,
        })
    }

    #[test]
    fn with_a_maximum_the_wait_doubles_up_to_it_and_a_connection_resets_it() {
        let mut b = backoff(100, 700);
        let never = || unreachable!("no jitter with a maximum");
        let waits: Vec<i32> = (0..5).map(|_| b.next_wait(never)).collect();
        assert_eq!(waits, [100, 200, 400, 700, 700]);
        b.reset();
        assert_eq!(b.next_wait(never), 100);
        // A maximum below the interval: the interval still applies.
        let mut low = backoff(500, 200);
        assert_eq!((low.next_wait(never), low.next_wait(never)), (500, 500));
    }

    #[test]
    fn without_a_maximum_the_wait_is_the_interval_plus_jitter_below_it() {
        let mut b = backoff(100, 0);
        assert_eq!(b.next_wait(|| 0), 100);
        assert_eq!(b.next_wait(|| 99), 199);
        assert_eq!(b.next_wait(|| 100), 100);
        assert_eq!(b.next_wait(|| u32::MAX), 100 + (u32::MAX % 100) as i32);
        // ZMQ_RECONNECT_IVL 0 or -1 still waits at least 1 ms before the
        // first attempts.
        assert_eq!(backoff(-1, 0).next_wait(|| 7), 1);
        assert_eq!(backoff(0, 0).next_wait(|| 7), 1);
    }

    #[test]
    fn endpoints_lose_their_scheme() {
        assert_eq!(strip_scheme("tcp://127.0.0.1:5555"), "127.0.0.1:5555");
        assert_eq!(strip_scheme("ipc:///tmp/x"), "/tmp/x");
        assert_eq!(strip_scheme("bare"), "bare");
    }
}

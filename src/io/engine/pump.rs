//! Moving data: socket input through the session to the pipe, and the
//! pipe's frames through the session out to the socket, in rounds until
//! nothing moves; then the session's next deadline is armed.

use super::bridge::Delivery;
use super::{Connection, State};
use crate::error::Error;
use crate::io::link;
use crate::io::reactor::{Reactor, TimerKind};
use crate::io::zap::ZapClient;
use crate::proto::mechanism::ZapVerdict;
use crate::proto::session::Event;
use crate::proto::Failure;
use mio::Token;
use std::io::ErrorKind;
use std::time::{Duration, Instant};

/// How much output is queued before the engine stops pulling from the pipe:
/// OUT_BATCH of copied octets (headers, small bodies), and up to
/// OUT_BATCH_BY_REF in all when the rest is large bodies queued uncopied.
/// Large writes matter when the peer runs on another core: each write ends
/// in a push that wakes the reader, and 64 KiB messages written one per
/// call kept a peer process waking, reading one message and sleeping again
/// (thr 65536 across two processes: 21 k msgs/s, 2.8 s of CPU for 40,000
/// messages; with 1 MiB, 56 k msgs/s and 1.2 s). Copies stay at OUT_BATCH,
/// which keeps a batch of small messages in cache. (A CURVE frame is
/// encrypted into a buffer of its own, so one of ZERO_COPY_MIN or more
/// counts as by reference here: a batch may hold up to OUT_BATCH_BY_REF of
/// ciphertext, as it may of plaintext.)
///
/// A tcp peer served by this same thread is the exception: the thread
/// reads what it wrote only after the write, so smaller writes keep both
/// copies in cache, and a megabyte at a time overruns the peer's receive
/// window (one process, thr 65536: 39-42 k msgs/s with OUT_BATCH, 34 k
/// with OUT_BATCH_BY_REF).
const OUT_BATCH: usize = 64 * 1024;
pub(super) const OUT_BATCH_BY_REF: usize = 1024 * 1024;

/// Rounds one pump may run before the thread's other connections get a
/// turn.
const ROUNDS: u32 = 64;

impl Connection {
    /// Moves everything that can move: socket input to the session and on
    /// to the pipe, pipe to the session and out to the socket.
    pub(super) fn pump(&mut self, r: &mut Reactor, me: Token) {
        let mut rounds = 0;
        loop {
            let progressed = match self.step(r, me) {
                Ok(p) => p,
                Err(f) => {
                    self.bridge.settle_wake();
                    self.fail(r, me, f);
                    return;
                }
            };
            if !progressed {
                self.bridge.settle_wake();
                break;
            }
            rounds += 1;
            if rounds == ROUNDS {
                self.bridge.settle_wake();
                // No readiness edge or pipe wakeup will come for work that
                // is already waiting, so come back by timer.
                r.add_timer(me, TimerKind::Continue, Duration::ZERO);
                break;
            }
        }
        self.arm_session_deadline(r, me);
        let handshaked = matches!(
            self.state,
            State::Active {
                handshaked: true,
                ..
            }
        );
        if self.closing && handshaked && self.out_len() == 0 && !self.bridge.has_unsent() {
            self.close(r, me);
        }
    }

    fn arm_session_deadline(&mut self, r: &mut Reactor, me: Token) {
        let State::Active { session, .. } = &self.state else {
            return;
        };
        match session.next_deadline() {
            Some(d) if self.session_deadline == Some(d) => {}
            Some(d) => {
                let after = d.saturating_duration_since(Instant::now());
                r.add_timer(me, TimerKind::Session, after);
                self.session_deadline = Some(d);
            }
            None => self.disarm_session(r, me),
        }
    }

    pub(super) fn disarm_session(&mut self, r: &mut Reactor, me: Token) {
        if self.session_deadline.take().is_some() {
            r.cancel_timer(me, TimerKind::Session);
        }
    }

    fn out_len(&self) -> usize {
        match &self.state {
            State::Active { session, .. } => session.out_len(),
            _ => 0,
        }
    }

    /// One round of reading, delivering, pulling and writing.
    fn step(&mut self, r: &mut Reactor, me: Token) -> Result<bool, Failure> {
        let State::Active {
            stream,
            session,
            handshaked,
        } = &mut self.state
        else {
            return Ok(false);
        };
        let now = Instant::now();
        let mut progressed = false;

        // Input.
        if self.readable && session.wants_input() && self.bridge.can_deliver() {
            let buf = session.read_buffer(r.buffers());
            let room = buf.capacity() - buf.len();
            match stream.read_into(buf) {
                Ok(0) => return Err(session.on_eof()),
                Ok(n) => {
                    self.readable = n == room || self.read_closed;
                    session.on_read();
                    progressed = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.readable = false,
                Err(e) if e.kind() == ErrorKind::Interrupted => progressed = true,
                Err(e) => {
                    return Err(session.on_io_error(Error(e.raw_os_error().unwrap_or(libc::EIO))))
                }
            }
        }

        // Events, while the pipe takes them.
        let mut wrote_pipe = self.bridge.retry_held();
        if let Some(frames) = self.zap_reply.take() {
            if let Some(client) = self.zap.take() {
                client.close(r);
            }
            session.zap_reply(ZapVerdict::Reply(frames), now)?;
            progressed = true;
        }
        while self.bridge.can_deliver() {
            let Some(ev) = session.poll_event(now)? else {
                break;
            };
            match ev {
                Event::Handshake(info) => {
                    *handshaked = true;
                    // The peer recorded its end before sending what
                    // completed this handshake.
                    self.batch_by_ref = match self.tcp_end {
                        Some((local, peer)) if r.serves_peer_of(local, peer) => OUT_BATCH,
                        _ => OUT_BATCH_BY_REF,
                    };
                    if info.monitor_event {
                        self.link.event(
                            link::HANDSHAKE_SUCCEEDED,
                            0,
                            self.side,
                            &self.local,
                            &self.remote,
                        );
                    }
                    let id = if self.link.config.session.recv_routing_id {
                        Some(info.peer_routing_id.unwrap_or_default())
                    } else {
                        None
                    };
                    self.bridge
                        .on_handshake(&self.link, r, me, id, session.as_mut())?;
                    progressed = true;
                }
                Event::Message(m) => match self.bridge.deliver(m) {
                    Delivery::Written => {
                        wrote_pipe = true;
                        progressed = true;
                    }
                    Delivery::Held => progressed = true,
                    Delivery::NoPipe => {}
                },
                Event::ZapRequest(req) => match ZapClient::start(&self.link, r, me, &req) {
                    Some(client) => {
                        if let Some(old) = self.zap.replace(client) {
                            old.close(r);
                        }
                    }
                    None => session.zap_reply(ZapVerdict::NoHandler, now)?,
                },
                Event::Upgraded => self.link.event(
                    link::HANDSHAKE_SUCCEEDED,
                    0,
                    self.side,
                    &self.local,
                    &self.remote,
                ),
                Event::AuthRefused(status) => self.link.event(
                    link::HANDSHAKE_FAILED_AUTH,
                    status as u64,
                    self.side,
                    &self.local,
                    &self.remote,
                ),
            }
        }
        if wrote_pipe {
            self.bridge.publish(self.readable);
        }

        // Output from the pipe.
        if session.can_send() {
            while session.out_len() < OUT_BATCH
                || (session.out_len() < self.batch_by_ref && session.out_copied() < OUT_BATCH)
            {
                let Some(m) = self.bridge.next_outbound() else {
                    break;
                };
                session.send(m)?;
                progressed = true;
            }
        }

        if !self.readable {
            session.release_input(r.buffers());
        }

        // Write.
        while session.out_len() > 0 {
            match stream.write_wire(session.as_ref()) {
                Ok(0) => break,
                Ok(n) => {
                    session.out_consumed(n);
                    progressed = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(session.on_io_error(Error(e.raw_os_error().unwrap_or(libc::EIO))))
                }
            }
        }
        Ok(progressed)
    }
}

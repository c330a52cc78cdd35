//! How a connection ends: failing (reported, then a reconnect or the
//! end), winding down when the socket lets go (what is queued still goes
//! out, within ZMQ_LINGER), and closing for good.

use super::{Connection, State};
use crate::io::link::{self, Side};
use crate::io::reactor::{Reactor, TimerKind};
use crate::io::wire::Raw;
use crate::proto::{Failure, MonitorEvent};
use mio::Token;
use std::time::Duration;

impl Connection {
    /// The connection is over: report it as libzmq does, then reconnect
    /// or let go of the pipe.
    pub(super) fn fail(&mut self, r: &mut Reactor, me: Token, f: Failure) {
        if self.link.config.raw && matches!(self.state, State::Active { .. }) {
            self.bridge.notify_raw(&self.link.config, &Raw::new(&[]));
        }
        if matches!(
            self.state,
            State::Active {
                handshaked: true,
                ..
            }
        ) {
            self.bridge
                .on_peer_lost(&self.link.config, self.side == Side::Bind);
        }
        let fd = match &mut self.state {
            State::Active {
                stream, session, ..
            } => {
                // A last chance for an ERROR command.
                let _ = stream.write_wire(session.as_ref());
                let _ = r.registry().deregister(stream);
                stream.fd()
            }
            _ => -1,
        };
        match f.event {
            MonitorEvent::None => {}
            MonitorEvent::NoDetail(e) => self.event(link::HANDSHAKE_FAILED_NO_DETAIL, e as u64),
            MonitorEvent::Protocol(c) => self.event(link::HANDSHAKE_FAILED_PROTOCOL, c as u64),
            MonitorEvent::Auth(s) => self.event(link::HANDSHAKE_FAILED_AUTH, s as u64),
        }
        self.event(link::DISCONNECTED, fd as u64);
        self.state = State::Closed;
        self.forget_tcp_end(r);
        self.drop_zap(r);
        self.disarm_session(r, me);
        let lingering = self.closing && self.link.linger() != 0 && self.bridge.has_unsent();
        let retry = self.side == Side::Connect
            && (!self.closing || lingering)
            && f.reconnects()
            && self.link.config.reconnect.ivl > 0;
        if retry && !self.link.config.immediate {
            self.bridge.keep_for_reconnect();
            self.bridge.resubscribe(&self.link);
            self.schedule_reconnect(r, me);
            return;
        }
        self.drop_pipe(r);
        if retry {
            self.schedule_reconnect(r, me);
        } else {
            r.remove(me);
        }
    }

    pub(super) fn drop_pipe(&mut self, r: &mut Reactor) {
        self.bridge.settle_wake();
        self.drop_zap(r);
        self.bridge.release(r);
    }

    fn drop_zap(&mut self, r: &mut Reactor) {
        if let Some(z) = self.zap.take() {
            z.close(r);
        }
        self.zap_reply = None;
    }

    /// Closes for good (socket gone, endpoint removed, context ending).
    pub(super) fn close(&mut self, r: &mut Reactor, me: Token) {
        let _ = self.drop_attempt(r);
        // A close we chose is not a disconnection (libzmq reports
        // DISCONNECTED only for connections that failed).
        if let State::Active { mut stream, .. } = std::mem::replace(&mut self.state, State::Closed)
        {
            let _ = r.registry().deregister(&mut stream);
        }
        self.forget_tcp_end(r);
        self.drop_pipe(r);
        r.remove(me);
    }

    /// The socket dropped the pipe or the endpoint: send what is queued
    /// (within linger), then close.
    pub(super) fn wind_down(&mut self, r: &mut Reactor, me: Token) {
        if self.closing {
            return;
        }
        self.closing = true;
        let linger = self.link.linger();
        let active = matches!(
            self.state,
            State::Active {
                handshaked: true,
                ..
            }
        );
        // Not connected yet: linger only matters if something is queued
        // (then, as in libzmq, the connecter keeps trying for it).
        if linger == 0 || (!active && !self.bridge.has_unsent()) {
            self.close(r, me);
            return;
        }
        self.pump(r, me);
        if matches!(self.state, State::Closed) {
            return;
        }
        if linger > 0 {
            r.add_timer(me, TimerKind::Linger, Duration::from_millis(linger as u64));
        }
    }
}

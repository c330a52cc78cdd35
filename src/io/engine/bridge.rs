//! The bridge between a connection's protocol session and its socket's
//! pipe. A full pipe holds back one frame (and with it all input, so the
//! peer is slowed by TCP, not by our memory); a lost connection leaves a
//! message cut in two on either side, which the next connection must not
//! see; and a reader asleep on the pipe is woken once per batch rather
//! than per frame. The messages socket types add on a peer's arrival or
//! loss are written here too, as the endpoint's configuration says.

use crate::io::config::EndpointConfig;
use crate::io::link::Link;
use crate::io::reactor::Reactor;
use crate::io::wire::{Raw, Wire};
use crate::msg::{self, Msg};
use crate::pipe::Pipe;
use crate::pipe::SocketCommand;
use crate::proto::Failure;
use mio::Token;

/// Frames a sleeping reader may be kept waiting for while more input is
/// already there to decode: one wake brings it up to this many.
const WAKE_AFTER: usize = 32;

/// What became of a frame offered to the pipe.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Delivery {
    Written,
    /// The pipe is full: the frame waits for `retry_held`.
    Held,
    /// No pipe (yet): dropped.
    NoPipe,
}

pub(super) struct Bridge {
    /// The io end of the pipe to the socket: from the handshake on, or
    /// from zmq_connect without ZMQ_IMMEDIATE (then kept across
    /// reconnects).
    pipe: Option<Pipe>,
    /// A frame the full pipe refused; delivered before anything else.
    held_in: Option<Msg>,
    /// Frames published to a reader that was asleep and has not been woken
    /// yet: while more input is already waiting, the wake is put off so it
    /// brings a batch (see `WAKE_AFTER`).
    wake_owed: Option<usize>,
    /// Frames of an inbound message already written to the pipe.
    inbound_mid_message: bool,
    /// The last frame taken from the pipe had MORE set.
    outbound_mid_message: bool,
    /// After a reconnect: drop the rest of a message cut in two.
    skip_outbound: bool,
}

impl Bridge {
    pub(super) fn new(pipe: Option<Pipe>) -> Bridge {
        Bridge {
            pipe,
            held_in: None,
            wake_owed: None,
            inbound_mid_message: false,
            outbound_mid_message: false,
            skip_outbound: false,
        }
    }

    pub(super) fn pipe_mut(&mut self) -> Option<&mut Pipe> {
        self.pipe.as_mut()
    }

    /// Nothing is held back: the session's next frame may be taken.
    #[inline]
    pub(super) fn can_deliver(&self) -> bool {
        self.held_in.is_none()
    }

    /// Offers the held frame again; whether the pipe took it (or, with no
    /// pipe left, dropped it).
    #[inline]
    pub(super) fn retry_held(&mut self) -> bool {
        let Some(m) = self.held_in.take() else {
            return false;
        };
        match self.pipe.as_mut().map(|p| p.write(m)) {
            Some(Err(m)) => {
                self.held_in = Some(m);
                false
            }
            _ => true,
        }
    }

    /// One frame from the session to the socket.
    #[inline]
    pub(super) fn deliver(&mut self, m: Msg) -> Delivery {
        let Some(p) = self.pipe.as_mut() else {
            return Delivery::NoPipe;
        };
        let more = m.more();
        match p.write(m) {
            Ok(()) => {
                self.inbound_mid_message = more;
                if let Some(n) = &mut self.wake_owed {
                    *n += 1;
                }
                Delivery::Written
            }
            Err(m) => {
                self.held_in = Some(m);
                Delivery::Held
            }
        }
    }

    /// After frames went into the pipe: makes them visible to the socket,
    /// and wakes its reader now unless `more_input` is waiting and the
    /// batch is still small.
    #[inline]
    pub(super) fn publish(&mut self, more_input: bool) {
        if let Some(p) = &mut self.pipe {
            if p.publish() && self.wake_owed.is_none() {
                self.wake_owed = Some(0);
            }
            if self
                .wake_owed
                .is_some_and(|n| n >= WAKE_AFTER || !more_input)
            {
                self.wake_owed = None;
                p.wake_reader();
            }
        }
    }

    /// Wakes the reader if a wake was put off.
    pub(super) fn settle_wake(&mut self) {
        if self.wake_owed.take().is_some() {
            if let Some(p) = &self.pipe {
                p.wake_reader();
            }
        }
    }

    /// The socket's next frame for the session, less what is left of a
    /// message a reconnect cut in two.
    #[inline]
    pub(super) fn next_outbound(&mut self) -> Option<Msg> {
        let p = self.pipe.as_mut()?;
        loop {
            let m = p.read()?;
            let more = m.more();
            if self.skip_outbound {
                self.skip_outbound = more;
                continue;
            }
            self.outbound_mid_message = more;
            return Some(m);
        }
    }

    /// Messages the socket queued that have not reached the session yet.
    pub(super) fn has_unsent(&self) -> bool {
        self.pipe.as_ref().is_some_and(|p| p.has_unread_messages())
    }

    /// Gives the socket its end of a new pipe (or reuses the pipe kept
    /// across reconnects), preceded by the peer's routing id for sockets
    /// that record ids.
    pub(super) fn attach(&mut self, link: &Link, r: &mut Reactor, me: Token, id: Option<Vec<u8>>) {
        if self.pipe.is_none() {
            let (sock_end, mut io_end) = link.config.network_pipe();
            let _ = io_end.set_owner(r.inbox());
            r.own_pipe(io_end.id(), me);
            if let Some(id) = id {
                push_routing_id(&mut io_end, &id);
            }
            link.socket.send(SocketCommand::Bind(Box::new(sock_end)));
            self.pipe = Some(io_end);
            return;
        }
        if let (Some(p), Some(id)) = (self.pipe.as_mut(), id) {
            push_routing_id(p, &id);
        }
    }

    /// The handshake is done: the socket gets its pipe, the peer gets
    /// ZMQ_HELLO_MSG first, ZMQ_ROUTER_NOTIFY announces the peer, and
    /// what the socket queued before the handshake may flow.
    pub(super) fn on_handshake(
        &mut self,
        link: &Link,
        r: &mut Reactor,
        me: Token,
        id: Option<Vec<u8>>,
        session: &mut dyn Wire,
    ) -> Result<(), Failure> {
        self.attach(link, r, me, id);
        if let Some(h) = link.config.hello_msg.as_ref() {
            session.send(Msg::from_slice(h))?;
        }
        if link.config.notify_connect {
            self.write_notice(Msg::new());
        }
        if let Some(p) = &mut self.pipe {
            p.activate_read();
        }
        Ok(())
    }

    /// A peer that completed its handshake is gone: what it left half
    /// delivered is taken back, then the socket is told with its
    /// ZMQ_DISCONNECT_MSG (on the side that accepted) and ZMQ_ROUTER_NOTIFY.
    pub(super) fn on_peer_lost(&mut self, cfg: &EndpointConfig, accepted: bool) {
        if accepted {
            if let (Some(d), Some(p)) = (cfg.disconnect_msg.as_ref(), self.pipe.as_mut()) {
                p.rollback();
                self.inbound_mid_message = false;
                if p.write(Msg::from_slice(d)).is_ok() {
                    p.flush();
                }
            }
        }
        if cfg.notify_disconnect {
            if let Some(p) = &mut self.pipe {
                p.rollback();
                self.inbound_mid_message = false;
            }
            self.write_notice(Msg::new());
        }
    }

    /// STREAM_NOTIFY: an empty message tells the STREAM socket that a peer
    /// connected or went away.
    pub(super) fn notify_raw(&mut self, cfg: &EndpointConfig, raw: &Raw) {
        if cfg.raw_notify {
            self.write_notice(raw.message(bytes::Bytes::new()));
        }
    }

    fn write_notice(&mut self, m: Msg) {
        if let Some(p) = &mut self.pipe {
            if p.write(m).is_ok() {
                p.flush();
            }
        }
    }

    /// libzmq's clean_pipes, before a reconnect: an inbound message cut in
    /// two is taken back, an outbound one loses its remaining frames.
    pub(super) fn keep_for_reconnect(&mut self) {
        self.held_in = None;
        if let Some(p) = &mut self.pipe {
            if self.inbound_mid_message {
                p.rollback();
            }
        }
        self.inbound_mid_message = false;
        self.skip_outbound = self.outbound_mid_message;
        self.outbound_mid_message = false;
    }

    /// libzmq's hiccup, for subscribers: what they queued for the lost
    /// connection is dropped, and the socket sends all its subscriptions
    /// again for the next one.
    pub(super) fn resubscribe(&mut self, link: &Link) {
        if !link.config.resubscribe {
            return;
        }
        if let Some(p) = &mut self.pipe {
            while p.read().is_some() {}
            link.socket.send(SocketCommand::Hiccup(p.peer_id()));
        }
        self.skip_outbound = false;
    }

    /// Lets go of the pipe: the socket's end sees it terminate.
    pub(super) fn release(&mut self, r: &mut Reactor) {
        if let Some(mut p) = self.pipe.take() {
            r.disown_pipe(p.id());
            p.terminate();
        }
        self.held_in = None;
    }
}

/// A routing-id frame, published at once (it has no MORE to wait for).
pub(crate) fn push_routing_id(p: &mut Pipe, id: &[u8]) {
    let mut m = Msg::from_slice(id);
    m.set_flags(msg::ROUTING_ID);
    if p.write(m).is_ok() {
        p.flush_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipe::{pipe_pair, Inbox, PipeCommand, PipeParams, SocketMailbox};
    use std::sync::Arc;

    /// The socket's end (owned by a mailbox of its own) and a bridge on
    /// the io end, which may have `hwm` messages outstanding (0: no limit).
    fn bridged(hwm: u64) -> (Pipe, Bridge, Arc<SocketMailbox>) {
        let (mut sock, io) = pipe_pair(
            PipeParams {
                out_hwm: 0,
                in_hwm: hwm,
                conflate: false,
            },
            PipeParams {
                out_hwm: hwm,
                in_hwm: 0,
                conflate: false,
            },
        );
        let mb = Arc::new(SocketMailbox::new().unwrap());
        let _ = sock.set_owner(Inbox::Socket(mb.clone()));
        (sock, Bridge::new(Some(io)), mb)
    }

    fn frame(data: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(data);
        if more {
            m.set_flags(msg::MORE);
        }
        m
    }

    fn wakes(mb: &SocketMailbox) -> usize {
        let mut cmds = Vec::new();
        mb.drain_all(&mut cmds);
        cmds.iter()
            .filter(|c| matches!(c, SocketCommand::Pipe(PipeCommand::ActivateRead(_))))
            .count()
    }

    #[test]
    fn a_full_pipe_holds_one_frame_and_stops_delivery_until_it_fits() {
        let (mut sock, mut b, _mb) = bridged(1);
        assert_eq!(b.deliver(frame(b"a", false)), Delivery::Written);
        assert_eq!(b.deliver(frame(b"b", false)), Delivery::Held);
        assert!(!b.can_deliver());
        assert!(!b.retry_held(), "still full");
        b.publish(false);
        assert_eq!(sock.read().unwrap().data(), b"a");
        // The socket's report that it read one.
        b.pipe_mut().unwrap().activate_write(1);
        assert!(b.retry_held());
        assert!(b.can_deliver());
        b.publish(false);
        assert_eq!(sock.read().unwrap().data(), b"b");
        assert_eq!(
            Bridge::new(None).deliver(frame(b"c", false)),
            Delivery::NoPipe
        );
    }

    #[test]
    fn a_reconnect_takes_back_half_a_message_in_and_skips_the_rest_of_one_out() {
        let (mut sock, mut b, _mb) = bridged(0);
        b.deliver(frame(b"in-1", true));
        for (data, more) in [(&b"out-1"[..], true), (b"out-2", false), (b"next", false)] {
            sock.write(frame(data, more)).unwrap();
        }
        sock.flush();
        assert_eq!(b.next_outbound().unwrap().data(), b"out-1");
        b.keep_for_reconnect();
        b.deliver(frame(b"whole", false));
        b.publish(false);
        assert_eq!(sock.read().unwrap().data(), b"whole");
        assert!(sock.read().is_none());
        assert_eq!(b.next_outbound().unwrap().data(), b"next");
        assert!(b.next_outbound().is_none());
    }

    #[test]
    fn a_sleeping_reader_is_woken_once_per_batch_while_input_waits() {
        let (mut sock, mut b, mb) = bridged(0);
        assert!(
            sock.read().is_none(),
            "the socket goes to sleep on the pipe"
        );
        for _ in 0..WAKE_AFTER {
            b.deliver(frame(b"x", false));
            b.publish(true);
        }
        assert_eq!(wakes(&mb), 0, "more input waits: the wake is put off");
        b.deliver(frame(b"x", false));
        b.publish(true);
        assert_eq!(wakes(&mb), 1);
        // The socket takes its wake, reads everything, and sleeps again.
        sock.activate_read();
        assert_eq!(std::iter::from_fn(|| sock.read()).count(), WAKE_AFTER + 1);
        // No more input: woken at once.
        b.deliver(frame(b"x", false));
        b.publish(false);
        assert_eq!(wakes(&mb), 1);
        sock.activate_read();
        assert_eq!(std::iter::from_fn(|| sock.read()).count(), 1);
        // A wake put off is paid when the pump stops.
        b.deliver(frame(b"x", false));
        b.publish(true);
        assert_eq!(wakes(&mb), 0);
        b.settle_wake();
        assert_eq!(wakes(&mb), 1);
    }
}

//! A datagram endpoint on an io thread: one socket of a datagram
//! transport, no connections, beside `Listener` and `Connection`. It sends
//! what the socket's pipe holds and delivers what arrives, one message per
//! datagram: RADIO and DISH messages in `proto::datagram`'s group layout,
//! DGRAM messages as an address frame and a body. A datagram that is
//! malformed, oversized or unaddressed is dropped and counted on its own;
//! the next one is read as if it had never been.
//!
//! As in libzmq, nothing here raises monitor events, a socket that fails
//! to open is tried again after ZMQ_RECONNECT_IVL, and a full pipe stops
//! the reading (the kernel's buffer queues, then drops, in our place).
//! The transport is a `&dyn DatagramTransport` and its resolved address:
//! nothing here names one.

use super::link::Link;
use super::reactor::{Handler, Reactor, Ready, TimerKind};
use crate::msg::{self, Msg};
use crate::pipe::{Pipe, PipeCommand, SocketCommand};
use crate::proto::datagram::{self, MAX_DATAGRAM};
use crate::transport::{DatagramAddress, DatagramRoles, DatagramSocket, DatagramTransport};
use mio::unix::SourceFd;
use mio::{Interest, Token};
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Datagrams moved each way in one turn before the thread's other
/// handlers get theirs.
const BATCH: usize = 256;

/// What an endpoint moved and dropped, shared with its socket.
#[derive(Default, Debug)]
pub(crate) struct DatagramStats {
    sent: AtomicU64,
    received: AtomicU64,
    malformed_in: AtomicU64,
    oversized_in: AtomicU64,
    oversized_out: AtomicU64,
    unaddressed_out: AtomicU64,
    send_failed: AtomicU64,
}

/// A snapshot of [`DatagramStats`], summed over a socket's endpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DatagramCounts {
    pub sent: u64,
    pub received: u64,
    /// Received and dropped: no group length, a group past the end or
    /// with a NUL in it.
    pub malformed_in: u64,
    /// Received and dropped: over `proto::datagram::MAX_DATAGRAM`.
    pub oversized_in: u64,
    /// Not sent: the datagram would be over the limit.
    pub oversized_out: u64,
    /// Not sent (DGRAM): no address frame, or one naming no address.
    pub unaddressed_out: u64,
    /// Not sent: the system refused it (other than "try again").
    pub send_failed: u64,
}

impl DatagramStats {
    pub(crate) fn counts(&self) -> DatagramCounts {
        let v = |c: &AtomicU64| c.load(Ordering::Relaxed);
        DatagramCounts {
            sent: v(&self.sent),
            received: v(&self.received),
            malformed_in: v(&self.malformed_in),
            oversized_in: v(&self.oversized_in),
            oversized_out: v(&self.oversized_out),
            unaddressed_out: v(&self.unaddressed_out),
            send_failed: v(&self.send_failed),
        }
    }
}

impl std::ops::AddAssign for DatagramCounts {
    fn add_assign(&mut self, o: DatagramCounts) {
        self.sent += o.sent;
        self.received += o.received;
        self.malformed_in += o.malformed_in;
        self.oversized_in += o.oversized_in;
        self.oversized_out += o.oversized_out;
        self.unaddressed_out += o.unaddressed_out;
        self.send_failed += o.send_failed;
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// Where the next outbound frame of an addressed (DGRAM) message goes.
enum Next {
    /// An address frame.
    Address,
    /// The body, to this address (None: the frame named none).
    Body(Option<SocketAddr>),
}

pub(crate) struct DatagramEndpoint {
    link: Link,
    transport: &'static dyn DatagramTransport,
    address: Box<dyn DatagramAddress>,
    roles: DatagramRoles,
    /// None until opened (and while waiting to try again).
    socket: Option<DatagramSocket>,
    pipe: Option<Pipe>,
    readable: bool,
    writable: bool,
    /// A datagram in `out` that the socket refused for now, and where it goes.
    unsent: Option<SocketAddr>,
    out: Vec<u8>,
    /// One octet over the limit, so an oversized datagram shows.
    inbuf: Vec<u8>,
    next: Next,
    stats: Arc<DatagramStats>,
}

impl DatagramEndpoint {
    /// Serves `address` from this io thread under the socket's `key`,
    /// moving messages through `pipe` (the io end of a pipe the socket
    /// attached already).
    pub(crate) fn start(
        r: &mut Reactor,
        link: Link,
        transport: &'static dyn DatagramTransport,
        address: Box<dyn DatagramAddress>,
        mut pipe: Pipe,
        key: u64,
        stats: Arc<DatagramStats>,
    ) {
        let t = r.add_placeholder();
        r.tag(key, t);
        let early = pipe.set_owner(r.inbox());
        r.own_pipe(pipe.id(), t);
        let roles = link.config.datagram;
        let mut h = DatagramEndpoint {
            link,
            transport,
            address,
            roles,
            socket: None,
            pipe: Some(pipe),
            readable: false,
            writable: false,
            unsent: None,
            out: Vec::with_capacity(MAX_DATAGRAM),
            inbuf: vec![0; MAX_DATAGRAM + 1],
            next: Next::Address,
            stats,
        };
        h.open(r, t);
        r.fill(t, Box::new(h));
        // Commands the socket sent before the pipe had an owner here.
        for cmd in early {
            r.deliver(cmd);
        }
    }

    fn open(&mut self, r: &mut Reactor, me: Token) {
        let sock = match self.address.open(self.roles, &self.link.config.transport) {
            Ok(s) => s,
            Err(_) => return self.retry_later(r, me),
        };
        let interest = match (self.roles.recv, self.roles.send) {
            (true, true) => Interest::READABLE | Interest::WRITABLE,
            (true, false) => Interest::READABLE,
            _ => Interest::WRITABLE,
        };
        if r.registry()
            .register(&mut SourceFd(&sock.fd()), me, interest)
            .is_err()
        {
            return self.retry_later(r, me);
        }
        self.socket = Some(sock);
        self.readable = true;
        self.writable = true;
        self.pump(r, me);
    }

    /// libzmq's session starts a new udp engine when one fails; we wait
    /// ZMQ_RECONNECT_IVL first. Without an interval the endpoint ends.
    fn retry_later(&mut self, r: &mut Reactor, me: Token) {
        let ivl = self.link.config.reconnect.ivl;
        if ivl > 0 {
            r.add_timer(me, TimerKind::Reconnect, Duration::from_millis(ivl as u64));
        } else {
            self.close(r, me);
        }
    }

    /// Sends and receives what can move now; comes back by timer if a
    /// batch ran out with work left.
    fn pump(&mut self, r: &mut Reactor, me: Token) {
        let more_out = self.send_out();
        let more_in = self.receive();
        if self.pipe.as_ref().is_some_and(Pipe::is_terminated) {
            // The socket let go of the pipe and we read all it left.
            self.close(r, me);
            return;
        }
        if more_out || more_in {
            r.add_timer(me, TimerKind::Continue, Duration::ZERO);
        }
    }

    /// Pipe to socket; true if the batch ran out first.
    fn send_out(&mut self) -> bool {
        let (Some(pipe), Some(sock)) = (self.pipe.as_mut(), self.socket.as_ref()) else {
            return false;
        };
        if !self.roles.send {
            // DISH's joins and leaves: over a datagram transport the
            // filtering is the DISH's own, and there is no one to tell.
            while pipe.read().is_some() {}
            return false;
        }
        for _ in 0..BATCH {
            if let Some(to) = self.unsent {
                match sock.send_to(&self.out, to) {
                    Ok(_) => bump(&self.stats.sent),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        self.writable = false;
                        return false;
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(_) => bump(&self.stats.send_failed),
                }
                self.unsent = None;
            }
            if !self.writable {
                return false;
            }
            let Some(m) = pipe.read() else { return false };
            self.unsent = prepare(
                m,
                self.roles,
                &mut self.next,
                &mut self.out,
                sock,
                self.transport,
                &self.stats,
            );
        }
        true
    }

    /// Socket to pipe; true if the batch ran out first.
    fn receive(&mut self) -> bool {
        if !self.roles.recv || !self.readable {
            return false;
        }
        let (Some(pipe), Some(sock)) = (self.pipe.as_mut(), self.socket.as_ref()) else {
            return false;
        };
        let mut wrote = false;
        let mut exhausted = true;
        for _ in 0..BATCH {
            // A full pipe: leave the rest in the kernel until the socket
            // reads (ActivateWrite brings us back).
            if !pipe.check_write() {
                exhausted = false;
                break;
            }
            match sock.recv_from(&mut self.inbuf) {
                Ok((n, from)) => {
                    let m = deliverable(
                        &self.inbuf[..n],
                        from,
                        self.roles,
                        self.transport,
                        &self.stats,
                    );
                    if let Some((head, body)) = m {
                        wrote |= write_message(pipe, head, body);
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    self.readable = false;
                    exhausted = false;
                    break;
                }
                // A pending socket error (an ICMP report) is consumed by
                // the read that returns it; the next one reads data.
                Err(_) => {}
            }
        }
        if wrote {
            pipe.flush();
        }
        exhausted
    }

    /// Closes for good: the socket, then the pipe (the socket's end sees
    /// it terminate).
    fn close(&mut self, r: &mut Reactor, me: Token) {
        if let Some(s) = self.socket.take() {
            let _ = r.registry().deregister(&mut SourceFd(&s.fd()));
        }
        if let Some(mut p) = self.pipe.take() {
            r.disown_pipe(p.id());
            p.terminate();
        }
        r.remove(me);
    }

    /// The endpoint was removed or the context ends: what the socket
    /// queued goes out now if linger allows (a datagram is sent at once
    /// or never), then it closes.
    fn wind_down(&mut self, r: &mut Reactor, me: Token) {
        if self.link.linger() != 0 {
            self.send_out();
        }
        self.close(r, me);
    }
}

/// The datagram for one frame from the pipe, written into `out`; where to
/// send it, or None if this frame sends nothing (an address frame) or is
/// dropped (counted).
fn prepare(
    m: Msg,
    roles: DatagramRoles,
    next: &mut Next,
    out: &mut Vec<u8>,
    sock: &DatagramSocket,
    transport: &dyn DatagramTransport,
    stats: &DatagramStats,
) -> Option<SocketAddr> {
    if !roles.addressed {
        let group = m.group().unwrap_or_default();
        return match datagram::encode(group, m.data(), out) {
            Ok(()) => sock.destination(),
            Err(_) => {
                bump(&stats.oversized_out);
                None
            }
        };
    }
    match std::mem::replace(next, Next::Address) {
        Next::Address if m.more() => {
            *next = Next::Body(transport.parse_peer(m.data(), sock.is_ipv6()));
            None
        }
        // DGRAM sockets send pairs; anything else is dropped whole.
        Next::Address | Next::Body(None) => {
            bump(&stats.unaddressed_out);
            None
        }
        Next::Body(Some(_)) if m.more() => {
            bump(&stats.unaddressed_out);
            None
        }
        Next::Body(Some(to)) => {
            if !datagram::fits_addressed(m.data()) {
                bump(&stats.oversized_out);
                return None;
            }
            out.clear();
            out.extend_from_slice(m.data());
            Some(to)
        }
    }
}

/// The message a received datagram delivers: an optional first frame (the
/// sender's address, DGRAM) and the body, or None if it is dropped
/// (counted).
fn deliverable(
    data: &[u8],
    from: SocketAddr,
    roles: DatagramRoles,
    transport: &dyn DatagramTransport,
    stats: &DatagramStats,
) -> Option<(Option<Msg>, Msg)> {
    if data.len() > MAX_DATAGRAM {
        bump(&stats.oversized_in);
        return None;
    }
    if roles.addressed {
        let mut head = Msg::from_slice(&transport.peer_text(&from));
        head.set_flags(msg::MORE);
        bump(&stats.received);
        return Some((Some(head), Msg::from_slice(data)));
    }
    match datagram::decode(data) {
        Ok((group, body)) => {
            let mut m = Msg::from_slice(body);
            m.set_group(Some(group));
            bump(&stats.received);
            Some((None, m))
        }
        Err(datagram::Malformed::Oversized) => {
            bump(&stats.oversized_in);
            None
        }
        Err(_) => {
            bump(&stats.malformed_in);
            None
        }
    }
}

/// Writes a whole message; true if it went in. The caller checked that
/// the pipe has room, and a frame with MORE does not count against it, so
/// the body follows its address frame.
fn write_message(pipe: &mut Pipe, head: Option<Msg>, body: Msg) -> bool {
    if let Some(h) = head {
        if pipe.write(h).is_err() {
            return false;
        }
    }
    if pipe.write(body).is_err() {
        pipe.rollback();
        return false;
    }
    true
}

impl Handler for DatagramEndpoint {
    fn ready(&mut self, r: &mut Reactor, me: Token, ready: Ready) {
        self.readable |= ready.readable;
        self.writable |= ready.writable;
        self.pump(r, me);
    }

    fn timer(&mut self, r: &mut Reactor, me: Token, kind: TimerKind) {
        match kind {
            TimerKind::Reconnect => self.open(r, me),
            TimerKind::Continue => self.pump(r, me),
            _ => {}
        }
    }

    fn pipe_command(&mut self, r: &mut Reactor, me: Token, cmd: PipeCommand) {
        let Some(p) = self.pipe.as_mut() else { return };
        match cmd {
            PipeCommand::ActivateRead(_) => {
                p.activate_read();
            }
            PipeCommand::ActivateWrite(_, n) => {
                p.activate_write(n);
            }
            PipeCommand::PipeTerm(_) => {
                p.process_pipe_term();
            }
            // libzmq's udp engine names no endpoints.
            PipeCommand::PipeStatsQuery {
                outbound, reply_to, ..
            } => {
                reply_to.send(SocketCommand::PipeStats {
                    outbound,
                    inbound: p.queued_out(),
                    ends: Box::default(),
                });
                return;
            }
            _ => return,
        }
        self.pump(r, me);
    }

    fn terminate(&mut self, r: &mut Reactor, me: Token) {
        self.wind_down(r, me);
    }

    fn stop(&mut self, r: &mut Reactor, me: Token) {
        self.wind_down(r, me);
    }
}

#[cfg(test)]
#[path = "datagram_tests.rs"]
mod tests;

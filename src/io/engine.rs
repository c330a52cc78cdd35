//! One tcp or ipc connection on an io thread: libzmq's session and engine
//! in one handler. It moves frames between the socket's pipe and a ZMTP
//! [`Session`], and on the connecting side it also connects, and reconnects
//! after a failure, keeping the pipe (and what is queued in it) unless
//! ZMQ_IMMEDIATE is set.

use super::link::{self, Link, Side};
use super::reactor::{Handler, Reactor, Ready, TimerKind};
use super::stream::Stream;
use super::wire::{Raw, Wire};
use super::zap::ZapClient;
use crate::error::Error;
use crate::mailbox::Command;
use crate::msg::{self, Msg};
use crate::pipe::Pipe;
use crate::proto::mechanism::ZapVerdict;
use crate::proto::session::{Config, Event, Session};
use crate::proto::{Failure, MonitorEvent};
use crate::transport::{ipc_address::IpcAddress, ipc_socket, peer, tcp_socket};
use mio::unix::SourceFd;
use mio::{Interest, Token};
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
const OUT_BATCH_BY_REF: usize = 1024 * 1024;
/// Frames a sleeping reader may be kept waiting for while more input is
/// already there to decode: one wake brings it up to this many.
const WAKE_AFTER: usize = 32;


enum State {
    /// Waiting for the reconnect timer (connecting side).
    Idle,
    /// A non-blocking connect is under way.
    Connecting(socket2::Socket),
    Active { stream: Stream, session: Box<dyn Wire>, handshaked: bool },
    Closed,
}

pub struct Connection {
    link: Link,
    side: Side,
    ipc: bool,
    /// The endpoint as given to zmq_connect, or the listener's endpoint.
    uri: String,
    /// This connection's (local, remote) endpoints, for monitor events.
    local: String,
    remote: String,
    state: State,
    pipe: Option<Pipe>,
    /// A frame the full pipe refused; delivered before anything else.
    held_in: Option<Msg>,
    /// The exchange with the ZAP handler, while one is under way.
    zap: Option<ZapClient>,
    /// The handler's reply, for the session's next step.
    zap_reply: Option<Vec<Msg>>,
    /// The socket may have input: set by a readiness event, cleared by a
    /// read that found it drained. (Edge-triggered: a short read means the
    /// kernel had no more, and new data brings a new event.)
    readable: bool,
    /// Frames published to a reader that was asleep and has not been woken
    /// yet: while more input is already waiting, the wake is put off so it
    /// brings a batch (see `WAKE_AFTER`).
    wake_owed: Option<usize>,
    /// The peer's end (or an error) was signalled: read until it shows,
    /// however short the reads.
    read_closed: bool,
    /// Frames of an inbound message already written to the pipe.
    inbound_mid_message: bool,
    /// The last frame taken from the pipe had MORE set.
    outbound_mid_message: bool,
    /// After a reconnect: drop the rest of a message cut in two.
    skip_outbound: bool,
    /// A tcp connection's (local, peer) addresses, as recorded with the
    /// reactor while it is active.
    tcp_end: Option<(std::net::SocketAddr, std::net::SocketAddr)>,
    /// How much output a batch may hold when most of it is large bodies
    /// (see OUT_BATCH).
    batch_by_ref: usize,
    /// The socket let go of the pipe: flush, then close.
    closing: bool,
    reconnect_wait: i32,
    /// The session deadline the Session timer is armed for (None: not
    /// armed). Pumps re-read the deadline every round; re-arming an
    /// unchanged one would leave a dead timer in the reactor's queue per
    /// round until it expired (with a 60 s heartbeat, 124 MB after a
    /// million messages).
    session_deadline: Option<Instant>,
}

impl Connection {
    fn new(link: Link, side: Side, ipc: bool, uri: String) -> Connection {
        let reconnect_wait = link.config.reconnect.ivl;
        Connection {
            link,
            side,
            ipc,
            uri,
            local: String::new(),
            remote: String::new(),
            state: State::Idle,
            pipe: None,
            held_in: None,
            zap: None,
            zap_reply: None,
            readable: true,
            wake_owed: None,
            read_closed: false,
            inbound_mid_message: false,
            outbound_mid_message: false,
            skip_outbound: false,
            tcp_end: None,
            batch_by_ref: OUT_BATCH_BY_REF,
            closing: false,
            reconnect_wait,
            session_deadline: None,
        }
    }

    /// The connecting side of `uri`; `pipe` is the io end of a pipe the
    /// socket already attached (None with ZMQ_IMMEDIATE).
    pub fn start_connect(r: &mut Reactor, link: Link, ipc: bool, uri: String, pipe: Option<Pipe>, key: u64) {
        let mut c = Connection::new(link, Side::Connect, ipc, uri);
        let t = r.add_placeholder();
        r.tag(key, t);
        let mut early = Vec::new();
        if let Some(mut p) = pipe {
            early = p.set_owner(r.mailbox().clone());
            r.own_pipe(p.id(), t);
            c.pipe = Some(p);
        }
        c.connect(r, t);
        r.fill(t, Box::new(c));
        // Commands the socket sent before the pipe had an owner here (a
        // close right after zmq_connect, say).
        for cmd in early {
            r.deliver(cmd);
        }
    }

    /// A connection a listener accepted.
    pub fn start_accepted(r: &mut Reactor, link: Link, ipc: bool, uri: String, sock: socket2::Socket) -> Token {
        let mut c = Connection::new(link, Side::Bind, ipc, uri);
        c.local = peer::socket_name(&sock, peer::End::Local);
        c.remote = peer::socket_name(&sock, peer::End::Remote);
        let t = r.add_placeholder();
        c.activate(r, t, sock);
        r.fill(t, Box::new(c));
        t
    }

    fn disarm_session(&mut self, r: &mut Reactor, me: Token) {
        if self.session_deadline.take().is_some() {
            r.cancel_timer(me, TimerKind::Session);
        }
    }

    fn event(&self, event: u64, value: u64) {
        self.link.event(event, value, self.side, &self.local, &self.remote);
    }

    fn connect(&mut self, r: &mut Reactor, me: Token) {
        let started = if self.ipc {
            IpcAddress::resolve(strip_scheme(&self.uri))
                .and_then(|a| ipc_socket::ipc_connect_start(&a))
                .map(|c| (c.socket, c.in_progress))
        } else {
            tcp_socket::connect_start(strip_scheme(&self.uri), &self.link.config.tcp).map(|c| (c.socket, c.in_progress))
        };
        self.remote = self.uri.clone();
        match started {
            Ok((sock, false)) => self.connected(r, me, sock),
            Ok((sock, true)) => {
                let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
                if r.registry().register(&mut SourceFd(&fd), me, Interest::WRITABLE).is_err() {
                    self.schedule_reconnect(r, me);
                    return;
                }
                self.event(link::CONNECT_DELAYED, libc::EINPROGRESS as u64);
                let ms = self.link.config.connect_timeout_ms;
                if ms > 0 {
                    r.add_timer(me, TimerKind::ConnectTimeout, Duration::from_millis(ms as u64));
                }
                self.state = State::Connecting(sock);
            }
            Err(e) => self.connect_failed(r, me, e),
        }
    }

    /// A connect attempt failed: retry, unless ZMQ_RECONNECT_STOP says a
    /// refusal ends this endpoint (then the socket loses it, as in libzmq).
    fn connect_failed(&mut self, r: &mut Reactor, me: Token, e: Error) {
        let stop = e == Error::ECONNREFUSED && self.link.config.reconnect.stop_on_refusal;
        if !stop {
            self.schedule_reconnect(r, me);
            return;
        }
        if let State::Connecting(sock) = std::mem::replace(&mut self.state, State::Closed) {
            let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
            let _ = r.registry().deregister(&mut SourceFd(&fd));
            self.event(link::CLOSED, fd as u64);
        }
        self.drop_pipe(r);
        r.remove(me);
    }

    fn connected(&mut self, r: &mut Reactor, me: Token, sock: socket2::Socket) {
        r.cancel_timer(me, TimerKind::ConnectTimeout);
        self.reconnect_wait = self.link.config.reconnect.ivl;
        let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
        self.local = peer::socket_name(&sock, peer::End::Local);
        self.remote = self.uri.clone();
        self.event(link::CONNECTED, fd as u64);
        self.activate(r, me, sock);
    }

    /// Starts the ZMTP session on an established stream.
    fn activate(&mut self, r: &mut Reactor, me: Token, sock: socket2::Socket) {
        self.readable = true;
        self.read_closed = false;
        if !self.ipc {
            let _ = tcp_socket::tune_connection(&sock, &self.link.config.tcp);
            // Canonical: a dual-stack (ZMQ_IPV6) end names an IPv4 peer
            // ::ffff:a.b.c.d, where the peer names itself a.b.c.d.
            let addr = |a: std::io::Result<socket2::SockAddr>| {
                a.ok().and_then(|a| a.as_socket()).map(|s| std::net::SocketAddr::new(s.ip().to_canonical(), s.port()))
            };
            if let (Some(local), Some(peer)) = (addr(sock.local_addr()), addr(sock.peer_addr())) {
                self.forget_tcp_end(r);
                r.add_tcp_end(local, peer);
                self.tcp_end = Some((local, peer));
            }
        }
        let peer_address = peer::peer_address_text(&sock).unwrap_or_default();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
        let mut stream = Stream::new(sock, self.ipc);
        if r.registry().register(&mut stream, me, Interest::READABLE | Interest::WRITABLE).is_err() {
            self.forget_tcp_end(r);
            self.state = State::Closed;
            return;
        }
        let mut cfg = self.config(peer_address);
        // libzmq's private property behind ZMQ_SRCFD.
        cfg.engine_properties.insert(0, ("__fd".to_owned(), fd.to_string().into_bytes()));
        if self.link.config.raw {
            // STREAM: no handshake; the connection is usable at once and,
            // with STREAM_NOTIFY, announced by an empty message.
            let raw = Raw::new(&cfg.engine_properties);
            attach_pipe(&mut self.pipe, &self.link, r, me, None);
            self.notify_raw(&raw);
            self.state = State::Active { stream, session: Box::new(raw), handshaked: true };
        } else {
            let session = Box::new(Session::new(cfg, Instant::now()));
            self.state = State::Active { stream, session, handshaked: false };
        }
        self.pump(r, me);
    }

    fn forget_tcp_end(&mut self, r: &mut Reactor) {
        if let Some((local, peer)) = self.tcp_end.take() {
            r.remove_tcp_end(local, peer);
        }
    }

    fn config(&self, peer_address: String) -> Config {
        let mut c = self.link.config.session.clone();
        c.connecting = self.side == Side::Connect;
        if !peer_address.is_empty() {
            c.engine_properties.push(("Peer-Address".to_owned(), peer_address.as_bytes().to_vec()));
        }
        c.peer_address = peer_address;
        c
    }

    /// Moves everything that can move: socket input to the session and on
    /// to the pipe, pipe to the session and out to the socket.
    fn pump(&mut self, r: &mut Reactor, me: Token) {
        let mut rounds = 0;
        loop {
            let progressed = match self.step(r, me) {
                Ok(p) => p,
                Err(f) => {
                    self.settle_wake();
                    self.fail(r, me, f);
                    return;
                }
            };
            if !progressed {
                self.settle_wake();
                break;
            }
            rounds += 1;
            if rounds == 64 {
                self.settle_wake();
                // Let the thread's other connections have a turn. No
                // readiness edge or pipe wakeup will come for work that is
                // already waiting, so come back by timer.
                r.add_timer(me, TimerKind::Continue, Duration::ZERO);
                break;
            }
        }
        if let State::Active { session, .. } = &self.state {
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
        let handshaked = matches!(self.state, State::Active { handshaked: true, .. });
        if self.closing && handshaked && self.out_len() == 0 && !self.has_unsent() {
            self.close(r, me);
        }
    }

    /// Wakes the reader if a wake was put off.
    fn settle_wake(&mut self) {
        if self.wake_owed.take().is_some() {
            if let Some(p) = &self.pipe {
                p.wake_reader();
            }
        }
    }

    /// Messages the socket queued that have not reached the wire yet.
    fn has_unsent(&self) -> bool {
        self.pipe.as_ref().is_some_and(|p| p.has_unread_messages())
    }

    fn out_len(&self) -> usize {
        match &self.state {
            State::Active { session, .. } => session.out_len(),
            _ => 0,
        }
    }

    /// One round of reading, delivering, pulling and writing.
    fn step(&mut self, r: &mut Reactor, me: Token) -> Result<bool, Failure> {
        let State::Active { stream, session, handshaked } = &mut self.state else { return Ok(false) };
        let now = Instant::now();
        let mut progressed = false;

        // Input.
        if self.readable && session.wants_input() && self.held_in.is_none() {
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
                Err(e) => return Err(session.on_io_error(Error(e.raw_os_error().unwrap_or(libc::EIO)))),
            }
        }

        // Events, while the pipe takes them.
        let mut wrote_pipe = false;
        if let Some(m) = self.held_in.take() {
            match self.pipe.as_mut().map(|p| p.write(m)) {
                Some(Err(m)) => self.held_in = Some(m),
                _ => wrote_pipe = true,
            }
        }
        if let Some(frames) = self.zap_reply.take() {
            if let Some(client) = self.zap.take() {
                client.close(r);
            }
            session.zap_reply(ZapVerdict::Reply(frames), now)?;
            progressed = true;
        }
        while self.held_in.is_none() {
            let Some(ev) = session.poll_event(now)? else { break };
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
                        self.link.event(link::HANDSHAKE_SUCCEEDED, 0, self.side, &self.local, &self.remote);
                    }
                    let id = if self.link.config.session.recv_routing_id { Some(info.peer_routing_id.unwrap_or_default()) } else { None };
                    attach_pipe(&mut self.pipe, &self.link, r, me, id);
                    // ZMQ_HELLO_MSG: the first message on every new connection.
                    if let Some(h) = self.link.config.hello_msg.as_ref() {
                        session.send(Msg::from_slice(h))?;
                    }
                    if self.link.config.notify_connect {
                        if let Some(p) = &mut self.pipe {
                            if p.write(Msg::new()).is_ok() {
                                p.flush();
                            }
                        }
                    }
                    if self.pipe.is_some() {
                        // The socket may have queued frames before the handshake.
                        if let Some(p) = &mut self.pipe {
                            p.activate_read();
                        }
                    }
                    progressed = true;
                }
                Event::Message(m) => {
                    let Some(p) = self.pipe.as_mut() else { continue };
                    let more = m.more();
                    match p.write(m) {
                        Ok(()) => {
                            self.inbound_mid_message = more;
                            wrote_pipe = true;
                            if let Some(n) = &mut self.wake_owed {
                                *n += 1;
                            }
                        }
                        Err(m) => self.held_in = Some(m),
                    }
                    progressed = true;
                }
                Event::ZapRequest(req) => match ZapClient::start(&self.link, r, me, &req) {
                    Some(client) => {
                        if let Some(old) = self.zap.replace(client) {
                            old.close(r);
                        }
                    }
                    None => session.zap_reply(ZapVerdict::NoHandler, now)?,
                },
                Event::AuthRefused(status) => self.link.event(link::HANDSHAKE_FAILED_AUTH, status as u64, self.side, &self.local, &self.remote),
            }
        }
        if wrote_pipe {
            if let Some(p) = &mut self.pipe {
                if p.publish() && self.wake_owed.is_none() {
                    self.wake_owed = Some(0);
                }
                // Wake now unless more input is waiting and the batch is small.
                if self.wake_owed.is_some_and(|n| n >= WAKE_AFTER || !self.readable) {
                    self.wake_owed = None;
                    p.wake_reader();
                }
            }
        }

        // Output from the pipe.
        if session.can_send() {
            if let Some(p) = self.pipe.as_mut() {
                while session.out_len() < OUT_BATCH
                    || (session.out_len() < self.batch_by_ref && session.out_copied() < OUT_BATCH)
                {
                    let Some(m) = p.read() else { break };
                    let more = m.more();
                    if self.skip_outbound {
                        self.skip_outbound = more;
                        continue;
                    }
                    self.outbound_mid_message = more;
                    session.send(m)?;
                    progressed = true;
                }
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
                Err(e) => return Err(session.on_io_error(Error(e.raw_os_error().unwrap_or(libc::EIO)))),
            }
        }
        Ok(progressed)
    }

    /// STREAM_NOTIFY: an empty message tells the STREAM socket that a peer
    /// connected or went away.
    fn notify_raw(&mut self, raw: &Raw) {
        if !self.link.config.raw_notify {
            return;
        }
        if let Some(p) = &mut self.pipe {
            if p.write(raw.message(bytes::Bytes::new())).is_ok() {
                p.flush();
            }
        }
    }

    /// The connection is over: report it as libzmq does, then reconnect
    /// or let go of the pipe.
    fn fail(&mut self, r: &mut Reactor, me: Token, f: Failure) {
        if self.link.config.raw && matches!(self.state, State::Active { .. }) {
            let raw = Raw::new(&[]);
            self.notify_raw(&raw);
        }
        let handshaked = matches!(self.state, State::Active { handshaked: true, .. });
        // ZMQ_DISCONNECT_MSG: an accepted peer that got through the
        // handshake and is gone is reported with the socket's own message.
        if handshaked && self.side == Side::Bind {
            if let (Some(d), Some(p)) = (self.link.config.disconnect_msg.as_ref(), self.pipe.as_mut()) {
                p.rollback();
                self.inbound_mid_message = false;
                if p.write(Msg::from_slice(d)).is_ok() {
                    p.flush();
                }
            }
        }
        // ZMQ_ROUTER_NOTIFY: a peer that got through the handshake is
        // announced gone with an empty message, after what it left half sent.
        if handshaked && self.link.config.notify_disconnect {
            if let Some(p) = &mut self.pipe {
                p.rollback();
                self.inbound_mid_message = false;
                if p.write(Msg::new()).is_ok() {
                    p.flush();
                }
            }
        }
        let fd = match &mut self.state {
            State::Active { stream, session, .. } => {
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
        let lingering = self.closing && self.link.linger() != 0 && self.has_unsent();
        let retry = self.side == Side::Connect
            && (!self.closing || lingering)
            && f.reconnects()
            && self.link.config.reconnect.ivl > 0;
        if retry && !self.link.config.immediate {
            self.keep_pipe_for_reconnect();
            self.resubscribe();
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

    /// libzmq's clean_pipes: an inbound message cut in two is taken back,
    /// an outbound one loses its remaining frames.
    fn keep_pipe_for_reconnect(&mut self) {
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

    /// libzmq's hiccup: what a subscriber queued for the lost connection is
    /// dropped, and the socket sends all its subscriptions again for the
    /// next one.
    fn resubscribe(&mut self) {
        if !self.link.config.resubscribe {
            return;
        }
        if let Some(p) = &mut self.pipe {
            while p.read().is_some() {}
            self.link.socket.send(Command::Hiccup(p.peer_id()));
        }
        self.skip_outbound = false;
    }

    fn drop_pipe(&mut self, r: &mut Reactor) {
        self.settle_wake();
        self.drop_zap(r);
        if let Some(mut p) = self.pipe.take() {
            r.disown_pipe(p.id());
            p.terminate();
        }
        self.held_in = None;
    }

    fn drop_zap(&mut self, r: &mut Reactor) {
        if let Some(z) = self.zap.take() {
            z.close(r);
        }
        self.zap_reply = None;
    }

    fn schedule_reconnect(&mut self, r: &mut Reactor, me: Token) {
        if let State::Connecting(sock) = &self.state {
            let fd = std::os::fd::AsRawFd::as_raw_fd(sock);
            let _ = r.registry().deregister(&mut SourceFd(&fd));
            self.event(link::CLOSED, fd as u64);
        }
        self.state = State::Idle;
        let o = &self.link.config.reconnect;
        let ivl = o.ivl.max(1);
        let wait = if o.ivl_max > 0 {
            let w = self.reconnect_wait.max(ivl);
            self.reconnect_wait = (w.saturating_mul(2)).min(o.ivl_max);
            w
        } else {
            ivl + (crate::util::random::random_u32() % ivl as u32) as i32
        };
        self.event(link::CONNECT_RETRIED, wait as u64);
        r.add_timer(me, TimerKind::Reconnect, Duration::from_millis(wait as u64));
    }

    /// Closes for good (socket gone, endpoint removed, context ending).
    fn close(&mut self, r: &mut Reactor, me: Token) {
        match std::mem::replace(&mut self.state, State::Closed) {
            // A close we chose is not a disconnection (libzmq reports
            // DISCONNECTED only for connections that failed).
            State::Active { mut stream, .. } => {
                let _ = r.registry().deregister(&mut stream);
            }
            State::Connecting(sock) => {
                let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
                let _ = r.registry().deregister(&mut SourceFd(&fd));
            }
            _ => {}
        }
        self.forget_tcp_end(r);
        self.drop_pipe(r);
        r.remove(me);
    }

    /// The socket dropped the pipe or the endpoint: send what is queued
    /// (within linger), then close.
    fn wind_down(&mut self, r: &mut Reactor, me: Token) {
        if self.closing {
            return;
        }
        self.closing = true;
        let linger = self.link.linger();
        let active = matches!(self.state, State::Active { handshaked: true, .. });
        // Not connected yet: linger only matters if something is queued
        // (then, as in libzmq, the connecter keeps trying for it).
        if linger == 0 || (!active && !self.has_unsent()) {
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

/// Gives the socket its end of a new pipe after the handshake (or reuses
/// the pipe kept across reconnects), preceded by the peer's routing id for
/// sockets that record ids.
fn attach_pipe(pipe: &mut Option<Pipe>, link: &Link, r: &mut Reactor, me: Token, id: Option<Vec<u8>>) {
    if pipe.is_none() {
        let (sock_end, mut io_end) = link.config.network_pipe();
        let _ = io_end.set_owner(r.mailbox().clone());
        r.own_pipe(io_end.id(), me);
        if let Some(id) = id {
            push_routing_id(&mut io_end, &id);
        }
        link.socket.send(Command::Bind(Box::new(sock_end)));
        *pipe = Some(io_end);
        return;
    }
    if let (Some(p), Some(id)) = (pipe.as_mut(), id) {
        push_routing_id(p, &id);
    }
}

pub(super) fn push_routing_id(p: &mut Pipe, id: &[u8]) {
    let mut m = Msg::from_slice(id);
    m.set_flags(msg::ROUTING_ID);
    if p.write(m).is_ok() {
        p.flush_all();
    }
}

fn strip_scheme(uri: &str) -> &str {
    uri.split_once("://").map_or(uri, |(_, rest)| rest)
}

impl Handler for Connection {
    fn ready(&mut self, r: &mut Reactor, me: Token, ready: Ready) {
        self.readable |= ready.readable;
        self.read_closed |= ready.closed;
        if let State::Connecting(_) = &self.state {
            if !ready.writable {
                return;
            }
            let State::Connecting(sock) = std::mem::replace(&mut self.state, State::Idle) else { return };
            let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
            let _ = r.registry().deregister(&mut SourceFd(&fd));
            match tcp_socket::connect_result(&sock) {
                Ok(()) => self.connected(r, me, sock),
                Err(e) => {
                    self.state = State::Connecting(sock);
                    self.connect_failed(r, me, e);
                }
            }
            return;
        }
        self.pump(r, me);
    }

    fn timer(&mut self, r: &mut Reactor, me: Token, kind: TimerKind) {
        match kind {
            TimerKind::Continue => self.pump(r, me),
            TimerKind::Reconnect => self.connect(r, me),
            TimerKind::Linger => self.close(r, me),
            TimerKind::ConnectTimeout => {
                if let State::Connecting(_) = self.state {
                    self.schedule_reconnect(r, me);
                }
            }
            TimerKind::Session => {
                self.session_deadline = None;
                if let State::Active { session, .. } = &mut self.state {
                    match session.on_timer(Instant::now()) {
                        Ok(()) => self.pump(r, me),
                        Err(f) => self.fail(r, me, f),
                    }
                }
            }
        }
    }

    fn pipe_command(&mut self, r: &mut Reactor, me: Token, cmd: Command) {
        if let Some(zap) = self.zap.as_mut().filter(|z| z.owns(&cmd)) {
            if let Some(reply) = zap.on_command(cmd) {
                self.zap_reply = Some(reply);
                self.pump(r, me);
            }
            return;
        }
        let Some(p) = self.pipe.as_mut() else { return };
        match cmd {
            Command::ActivateRead(_) => {
                p.activate_read();
            }
            Command::ActivateWrite(_, n) => {
                p.activate_write(n);
            }
            Command::PipeTerm(_) => {
                p.process_pipe_term();
                self.wind_down(r, me);
                return;
            }
            // zmq_socket_monitor_pipes_stats: our side of the queue, and the
            // connection's endpoints (a network pipe's names).
            Command::PipeStatsQuery { outbound, reply_to, .. } => {
                let inbound = p.queued_out();
                let ends = Box::new((self.local.clone(), self.remote.clone()));
                reply_to.send(Command::PipeStats { outbound, inbound, ends });
                return;
            }
            _ => return,
        }
        self.pump(r, me);
    }

    fn terminate(&mut self, r: &mut Reactor, me: Token) {
        self.wind_down(r, me);
    }

    /// zmq_ctx_term: what was sent still goes out, within linger.
    fn stop(&mut self, r: &mut Reactor, me: Token) {
        self.wind_down(r, me);
    }
}

//! One connection of a stream transport on an io thread: libzmq's session and engine
//! in one handler. It moves frames between the socket's pipe and a ZMTP
//! [`Session`], and on the connecting side it also connects, and reconnects
//! after a failure, keeping the pipe (and what is queued in it) unless
//! ZMQ_IMMEDIATE is set.
//!
//! The parts, each an `impl Connection` block or a value it owns:
//! - [`connecter`]: dialing, the transport's prelude (an exchange on the
//!   new socket before the session, such as a SOCKS handshake), the
//!   connect timeout, reconnecting with ZMQ_RECONNECT_IVL/_MAX backoff and
//!   ZMQ_RECONNECT_STOP;
//! - [`bridge`]: frames between the session and the socket's pipe, wake
//!   batching, and the messages socket types add (hello, notify,
//!   disconnect);
//! - [`pump`]: read, decode, deliver, pull, encode, write, and how big a
//!   batch may grow;
//! - [`closing`]: a failed connection, linger, close.
//!
//! The session is one `dyn Wire` call per step or frame, as it always was;
//! the parts are plain methods and fields, so splitting them costs no
//! dispatch.

mod bridge;
mod closing;
mod connecter;
#[cfg(test)]
mod prelude_tests;
mod pump;

use super::layered::Layered;
use super::link::{Link, Side};
use super::reactor::{Handler, Reactor, Ready, TimerKind};
use super::stream::Stream;
use super::wire::{Raw, Wire};
use super::zap::ZapClient;
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeCommand, SocketCommand};
use crate::proto::session::{Config, Session, WsSetup};
use crate::transport::{peer, ConnectPolicy, Framing, Prelude, Role, Transport};
use bridge::Bridge;
use connecter::Backoff;
use mio::{Interest, Token};
use std::net::SocketAddr;
use std::time::Instant;

pub(super) use bridge::push_routing_id;

enum State {
    /// Waiting for the reconnect timer (connecting side).
    Idle,
    /// A non-blocking connect is under way; the prelude runs once it is
    /// established.
    Connecting {
        sock: socket2::Socket,
        prelude: Option<Box<dyn Prelude>>,
    },
    /// Connected; the transport's prelude runs before the session starts.
    /// `waiting`: the readiness it is registered for (None: not yet).
    Prelude {
        sock: socket2::Socket,
        prelude: Box<dyn Prelude>,
        waiting: Option<Interest>,
    },
    Active {
        stream: Stream,
        session: Box<dyn Wire>,
        handshaked: bool,
    },
    Closed,
}

pub(crate) struct Connection {
    link: Link,
    side: Side,
    /// Dials and tunes this connection's sockets.
    transport: &'static dyn Transport,
    /// What the transport says of connects to `uri`: the remote name
    /// monitor events give, and which connect limits apply.
    policy: ConnectPolicy,
    /// The endpoint as given to zmq_connect, or the listener's endpoint.
    uri: String,
    /// This connection's (local, remote) endpoints, for monitor events.
    local: String,
    remote: String,
    state: State,
    bridge: Bridge,
    /// The exchange with the ZAP handler, while one is under way.
    zap: Option<ZapClient>,
    /// The handler's reply, for the session's next step.
    zap_reply: Option<Vec<Msg>>,
    /// The socket may have input: set by a readiness event, cleared by a
    /// read that found it drained. (Edge-triggered: a short read means the
    /// kernel had no more, and new data brings a new event.)
    readable: bool,
    /// The peer's end (or an error) was signalled: read until it shows,
    /// however short the reads.
    read_closed: bool,
    /// A tcp connection's (local, peer) addresses, as recorded with the
    /// reactor while it is active.
    tcp_end: Option<(SocketAddr, SocketAddr)>,
    /// How much output a batch may hold when most of it is large bodies
    /// (see `pump::OUT_BATCH`).
    batch_by_ref: usize,
    /// The socket let go of the pipe: flush, then close.
    closing: bool,
    backoff: Backoff,
    /// The session deadline the Session timer is armed for (None: not
    /// armed). Pumps re-read the deadline every round; re-arming an
    /// unchanged one would leave a dead timer in the reactor's queue per
    /// round until it expired (with a 60 s heartbeat, 124 MB after a
    /// million messages).
    session_deadline: Option<Instant>,
}

impl Connection {
    fn new(
        link: Link,
        side: Side,
        transport: &'static dyn Transport,
        uri: String,
        pipe: Option<Pipe>,
    ) -> Connection {
        let backoff = Backoff::new(link.config.reconnect);
        let policy = transport.connect_policy(&uri, &link.config.transport);
        Connection {
            link,
            side,
            transport,
            policy,
            uri,
            local: String::new(),
            remote: String::new(),
            state: State::Idle,
            bridge: Bridge::new(pipe),
            zap: None,
            zap_reply: None,
            readable: true,
            read_closed: false,
            tcp_end: None,
            batch_by_ref: pump::OUT_BATCH_BY_REF,
            closing: false,
            backoff,
            session_deadline: None,
        }
    }

    /// The connecting side of `uri`; `pipe` is the io end of a pipe the
    /// socket already attached (None with ZMQ_IMMEDIATE).
    pub(crate) fn start_connect(
        r: &mut Reactor,
        link: Link,
        transport: &'static dyn Transport,
        uri: String,
        pipe: Option<Pipe>,
        key: u64,
    ) {
        let t = r.add_placeholder();
        r.tag(key, t);
        let mut early = Vec::new();
        let pipe = pipe.map(|mut p| {
            early = p.set_owner(r.inbox());
            r.own_pipe(p.id(), t);
            p
        });
        let mut c = Connection::new(link, Side::Connect, transport, uri, pipe);
        c.connect(r, t);
        r.fill(t, Box::new(c));
        // Commands the socket sent before the pipe had an owner here (a
        // close right after zmq_connect, say).
        for cmd in early {
            r.deliver(cmd);
        }
    }

    /// A connection a listener accepted.
    pub(crate) fn start_accepted(
        r: &mut Reactor,
        link: Link,
        transport: &'static dyn Transport,
        uri: String,
        sock: socket2::Socket,
    ) -> Token {
        let mut c = Connection::new(link, Side::Bind, transport, uri, None);
        c.local = peer::socket_name(&sock, peer::End::Local);
        c.remote = peer::socket_name(&sock, peer::End::Remote);
        let t = r.add_placeholder();
        c.activate(r, t, sock);
        r.fill(t, Box::new(c));
        t
    }

    fn event(&self, event: u64, value: u64) {
        self.link
            .event(event, value, self.side, &self.local, &self.remote);
    }

    /// Starts the ZMTP session on an established stream.
    fn activate(&mut self, r: &mut Reactor, me: Token, sock: socket2::Socket) {
        self.readable = true;
        self.read_closed = false;
        let _ = self.transport.tune(&sock, &self.link.config.transport);
        // Connections between IP addresses are recorded for the same-thread
        // peer check. Canonical: a dual-stack (ZMQ_IPV6) end names an IPv4
        // peer ::ffff:a.b.c.d, where the peer names itself a.b.c.d.
        let addr = |a: std::io::Result<socket2::SockAddr>| {
            a.ok()
                .and_then(|a| a.as_socket())
                .map(|s| SocketAddr::new(s.ip().to_canonical(), s.port()))
        };
        if let (Some(local), Some(peer)) = (addr(sock.local_addr()), addr(sock.peer_addr())) {
            self.forget_tcp_end(r);
            r.add_tcp_end(local, peer);
            self.tcp_end = Some((local, peer));
        }
        let peer_address = peer::peer_address_text(&sock).unwrap_or_default();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
        let mut stream = Stream::new(sock);
        if r.registry()
            .register(&mut stream, me, Interest::READABLE | Interest::WRITABLE)
            .is_err()
        {
            self.forget_tcp_end(r);
            self.state = State::Closed;
            return;
        }
        let mut cfg = self.session_config(peer_address);
        // libzmq's private property behind ZMQ_SRCFD.
        cfg.engine_properties
            .insert(0, ("__fd".to_owned(), fd.to_string().into_bytes()));
        if self.link.config.raw {
            // STREAM: no handshake; the connection is usable at once and,
            // with STREAM_NOTIFY, announced by an empty message.
            let raw = Raw::new(&cfg.engine_properties);
            self.bridge.attach(&self.link, r, me, None);
            self.bridge.notify_raw(&self.link.config, &raw);
            self.state = State::Active {
                stream,
                session: Box::new(raw),
                handshaked: true,
            };
        } else {
            let now = Instant::now();
            let address = connecter::strip_scheme(&self.uri);
            let connecting = self.side == Side::Connect;
            let session = Box::new(match self.transport.framing(address, connecting) {
                Framing::Zmtp => Session::new(cfg, now),
                Framing::WebSocket { client } => {
                    let setup = match client {
                        Some((host, path)) => WsSetup::client(&host, &path),
                        None => WsSetup::server(),
                    };
                    Session::new_ws(cfg, setup, now)
                }
            });
            let role = if connecting {
                Role::Client
            } else {
                Role::Server
            };
            let mut failed = None;
            let session: Box<dyn Wire> =
                match self
                    .transport
                    .layer(address, role, &self.link.config.transport)
                {
                    Ok(None) => session,
                    Ok(Some(layer)) => Box::new(Layered::new(session, layer)),
                    Err(e) => {
                        let mut s = session;
                        failed = Some(s.on_io_error(e));
                        s
                    }
                };
            self.state = State::Active {
                stream,
                session,
                handshaked: false,
            };
            if let Some(f) = failed {
                self.fail(r, me, f);
                return;
            }
        }
        self.pump(r, me);
    }

    fn forget_tcp_end(&mut self, r: &mut Reactor) {
        if let Some((local, peer)) = self.tcp_end.take() {
            r.remove_tcp_end(local, peer);
        }
    }

    /// The endpoint's session settings, with what this connection adds.
    fn session_config(&self, peer_address: String) -> Config {
        let mut c = self.link.config.session.clone();
        c.connecting = self.side == Side::Connect;
        if !peer_address.is_empty() {
            c.engine_properties
                .push(("Peer-Address".to_owned(), peer_address.as_bytes().to_vec()));
        }
        c.peer_address = peer_address;
        c
    }
}

impl Handler for Connection {
    fn ready(&mut self, r: &mut Reactor, me: Token, ready: Ready) {
        self.readable |= ready.readable;
        self.read_closed |= ready.closed;
        match &self.state {
            State::Connecting { .. } => {
                if ready.writable {
                    self.connect_done(r, me);
                }
                return;
            }
            State::Prelude { .. } => {
                self.step_prelude(r, me);
                return;
            }
            _ => {}
        }
        self.pump(r, me);
    }

    fn timer(&mut self, r: &mut Reactor, me: Token, kind: TimerKind) {
        match kind {
            TimerKind::Continue => self.pump(r, me),
            TimerKind::Reconnect => self.connect(r, me),
            TimerKind::Linger => self.close(r, me),
            TimerKind::ConnectTimeout => {
                if let State::Connecting { .. } = self.state {
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

    fn pipe_command(&mut self, r: &mut Reactor, me: Token, cmd: PipeCommand) {
        if let Some(zap) = self.zap.as_mut().filter(|z| z.owns(&cmd)) {
            if let Some(reply) = zap.on_command(cmd) {
                self.zap_reply = Some(reply);
                self.pump(r, me);
            }
            return;
        }
        let Some(p) = self.bridge.pipe_mut() else {
            return;
        };
        match cmd {
            PipeCommand::ActivateRead(_) => {
                p.activate_read();
            }
            PipeCommand::ActivateWrite(_, n) => {
                p.activate_write(n);
            }
            PipeCommand::PipeTerm(_) => {
                p.process_pipe_term();
                self.wind_down(r, me);
                return;
            }
            // zmq_socket_monitor_pipes_stats: our side of the queue, and the
            // connection's endpoints (a network pipe's names).
            PipeCommand::PipeStatsQuery {
                outbound, reply_to, ..
            } => {
                let inbound = p.queued_out();
                let ends = Box::new((self.local.clone(), self.remote.clone()));
                reply_to.send(SocketCommand::PipeStats {
                    outbound,
                    inbound,
                    ends,
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

    /// zmq_ctx_term: what was sent still goes out, within linger.
    fn stop(&mut self, r: &mut Reactor, me: Token) {
        self.wind_down(r, me);
    }
}

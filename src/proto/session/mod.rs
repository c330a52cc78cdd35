//! One ZMTP connection as a state machine: greeting, mechanism handshake,
//! framing, heartbeats and failure classification, with no I/O inside.
//!
//! How an engine drives it:
//! * **Start**: `Session::new(config, now)`; the signature is already in the
//!   output queue.
//! * **Read loop**: while `wants_input()`, read a chunk (ideally into a
//!   `BytesMut`, then `freeze()`) and hand it to `on_input_bytes`
//!   (`on_input` copies). Then call `poll_event(now)` repeatedly until it
//!   returns `Ok(None)`. Events are decoded lazily, one per call: when the
//!   socket-side pipe is full, stop calling `poll_event` and stop reading;
//!   the undecoded input stays inside (`wants_input()` is false while any
//!   is left), which is how TCP pushes back on the sender. Resume by
//!   calling `poll_event` again once the pipe has room.
//! * **Write loop**: hand outgoing frames to `send` (only pull from the
//!   pipe while `can_send()` and `out_len()` is below the batch size); write
//!   `out_chunks()` with a vectored write and report `out_consumed(n)`.
//!   After any call, output may have grown (greeting stages, PONGs, PINGs).
//! * **Timers**: arm one timer at `next_deadline()`; when it passes call
//!   `on_timer(now)` and re-arm.
//! * **End**: EOF → `on_eof()`, a socket error → `on_io_error(e)`. Every
//!   `Err(Failure)` is final: raise `failure.event` (if any) then
//!   DISCONNECTED, try one last non-blocking write of `out_chunks()` (it
//!   may hold an ERROR command), close, and reconnect only if
//!   `failure.reconnects()` and this is the connecting side.

mod flow;
mod groups;
mod ws;

pub use ws::WsSetup;

use crate::error::Error;
use crate::msg::{Metadata, Msg};
use crate::proto::codec::{Decoder, Encoder, OutQueue};
use crate::proto::greeting::{Greeting, Version};
use crate::proto::heartbeat::{Due, TimerConfig, Timers};
use crate::proto::mechanism::curve::crypto::Random;
use crate::proto::mechanism::{Mechanism, MechanismConfig, Status, ZapRequest, ZapVerdict};
use crate::proto::metadata::Properties;
use crate::proto::recycle::{BufferPool, InputBuf};
use crate::proto::{command, Failure, MonitorEvent, Reason};
use crate::types::SocketType;
use bytes::BytesMut;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

/// Everything a connection needs from its socket's options.
#[derive(Clone, Debug)]
pub struct Config {
    pub socket_type: SocketType,
    /// ZMQ_ROUTING_ID (possibly empty).
    pub routing_id: Vec<u8>,
    pub mechanism: MechanismConfig,
    pub zap_domain: Vec<u8>,
    pub zap_enforce_domain: bool,
    /// ZMQ_METADATA properties, sent in READY after Socket-Type/Identity.
    pub metadata: Vec<(String, Vec<u8>)>,
    /// ZMQ_MAXMSGSIZE; negative = unlimited.
    pub max_msg_size: i64,
    pub timers: TimerConfig,
    /// This side called connect (it is the one that reconnects).
    pub connecting: bool,
    /// The socket records peer routing ids (ROUTER, REP, ...): the
    /// handshake event then carries the peer's id.
    pub recv_routing_id: bool,
    /// The peer's address text for ZAP (no port).
    pub peer_address: String,
    /// Properties the engine attaches ahead of all others (`Peer-Address`,
    /// libzmq's private `__fd`).
    pub engine_properties: Vec<(String, Vec<u8>)>,
    /// ZMQ_RECONNECT_STOP & ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED: a handshake
    /// cut short by the peer or a timeout ends reconnection too.
    pub reconnect_stop_handshake_failed: bool,
}

impl Config {
    /// libzmq's defaults for a socket of type `socket_type`.
    pub fn new(socket_type: SocketType) -> Config {
        Config {
            socket_type,
            routing_id: Vec::new(),
            mechanism: MechanismConfig::Null,
            zap_domain: Vec::new(),
            zap_enforce_domain: false,
            metadata: Vec::new(),
            max_msg_size: -1,
            timers: TimerConfig::default(),
            connecting: false,
            recv_routing_id: false,
            peer_address: String::new(),
            engine_properties: Vec::new(),
            reconnect_stop_handshake_failed: false,
        }
    }
}

/// The handshake outcome.
#[derive(Clone, Debug)]
pub struct HandshakeInfo {
    pub version: Version,
    /// When the socket records routing ids: the peer's `Identity` (ZMTP/3.x)
    /// or its identity frame (1.0/2.0), possibly empty (then the socket
    /// makes one up).
    pub peer_routing_id: Option<Vec<u8>>,
    /// What received messages carry; None when there is nothing to carry
    /// (always for ZMTP/1.0 and 2.0 peers, as in libzmq).
    pub metadata: Option<Arc<Metadata>>,
    /// The peer's READY/INITIATE properties.
    pub peer_properties: Properties,
    /// The ZAP user id (empty without ZAP).
    pub user_id: Vec<u8>,
    /// Whether libzmq raises HANDSHAKE_SUCCEEDED (only after a ZMTP/3.x
    /// mechanism handshake; legacy peers get none).
    pub monitor_event: bool,
}

/// What the session has for the socket layer, in wire order.
#[derive(Debug)]
pub enum Event {
    /// Connected: attach the pipe (under the peer's id for ROUTER).
    Handshake(HandshakeInfo),
    /// A frame for the socket: data (MORE as flagged), or a subscription
    /// (`msg::SUBSCRIBE` / `msg::CANCEL`, body = topic) from a 3.1 command.
    Message(Msg),
    /// Deliver to the ZAP handler and answer with `Session::zap_reply`.
    ZapRequest(ZapRequest),
    /// ZAP refused the peer with this status but the connection stays
    /// open: PLAIN and CURVE servers go quiet (after an ERROR for 400 and
    /// 500) and let the peer or the handshake timer end it. Raise
    /// HANDSHAKE_FAILED_AUTH(status) now.
    AuthRefused(i32),
    /// ws: the HTTP upgrade is done. libzmq raises HANDSHAKE_SUCCEEDED
    /// here, and again when a mechanism's handshake completes.
    Upgraded,
}

enum Phase {
    /// ws: the HTTP/1.1 upgrade, in place of a greeting.
    Upgrade,
    Greeting(Box<Greeting>),
    /// ZMTP/1.0 or 2.0: the peer's first frame is its identity.
    LegacyIdentity,
    /// ZMTP/3.x mechanism handshake.
    Handshake,
    Traffic,
}

// A session lives on whichever I/O thread runs its connection.
/// What a read asks for at least: large reads, few system calls. New
/// buffers are `recycle::CHUNK`.
pub(crate) const READ_MIN: usize = 64 * 1024;

/// The largest frame body a peer may announce before its handshake is
/// complete; a larger one drops the connection at once, before any of it
/// is buffered. So a peer that has not authenticated cannot make us hold
/// more than this (and one read), however it frames its bytes. Under a
/// ZMTP/3.x mechanism the drop raises HANDSHAKE_FAILED_PROTOCOL
/// (ZMTP_MALFORMED_COMMAND_UNSPECIFIED, what libzmq raises for a command
/// its own size contradicts); a ZMTP/1.0 or 2.0 identity frame that large
/// is a protocol error with no event, as libzmq reports those.
///
/// Every handshake command but those carrying metadata has a bounded size
/// (RFC 23, 24, 26): HELLO is 200 octets for CURVE and at most 518 for
/// PLAIN (two 255-octet fields), WELCOME 168, ERROR at most 262, a ZMTP/2.0
/// identity 255. READY, and INITIATE's box, carry metadata, whose size the
/// spec leaves open: Socket-Type, an Identity of at most 255 octets, and
/// the application's ZMQ_METADATA properties, which libzmq does not bound.
/// 128 KiB leaves room for twice the largest metadata our interop suite
/// exchanges with libzmq (one 64 KiB property), and a frame this size
/// still fits one pooled input buffer (`recycle::CHUNK`), so an
/// unauthenticated connection never needs a buffer of its own.
/// ZMQ_MAXMSGSIZE, when smaller, applies first, with libzmq's handling.
pub(crate) const HANDSHAKE_FRAME_MAX: usize = 128 * 1024;

// A handshake frame, and the rest of a read behind it, fit one pooled buffer.
const _: () = assert!(HANDSHAKE_FRAME_MAX + 9 + READ_MIN <= crate::proto::recycle::CHUNK);

const _: () = {
    const fn send<T: Send>() {}
    send::<Session>()
};

/// One connection. See the module docs for how to drive it.
pub struct Session {
    cfg: Config,
    phase: Phase,
    version: Option<Version>,
    decoder: Decoder,
    encoder: Encoder,
    out: OutQueue,
    /// Received octets not decoded yet; the engine reads into its spare room.
    input: InputBuf,
    /// The last poll found no whole frame in `input`: time to read.
    starved: bool,
    mech: Option<Box<dyn Mechanism>>,
    timers: Timers,
    events: VecDeque<Event>,
    /// Frames given to `send` before the connection could carry them.
    held: VecDeque<Msg>,
    metadata: Option<Arc<Metadata>>,
    can_send: bool,
    /// Where the mechanism gets its random octets, if not from the OS.
    random: Option<Box<dyn Random>>,
    /// PUB/XPUB facing an unversioned peer: fake a subscribe-all.
    subscribe_all: bool,
    /// RADIO and DISH: groups and joins on the wire (`groups`).
    groups: groups::Groups,
    /// ZMTP over WebSocket: its upgrade and frames replace the greeting
    /// and ZMTP's framing (None: plain ZMTP).
    ws: Option<Box<ws::WsLink>>,
    failed: Option<Failure>,
}

impl Session {
    /// A connection that has just been established at `now`.
    pub fn new(cfg: Config, now: Instant) -> Session {
        let greeting = Greeting::new(cfg.routing_id.len(), cfg.socket_type, cfg.mechanism.name());
        let mut out = OutQueue::new();
        out.push_slice(greeting.signature());
        let framing = crate::proto::codec::Framing::V3_1;
        Session {
            groups: groups::Groups::of(cfg.socket_type),
            decoder: Decoder::new(framing, cfg.max_msg_size),
            encoder: Encoder::new(framing),
            timers: Timers::new(&cfg.timers, now),
            cfg,
            phase: Phase::Greeting(Box::new(greeting)),
            version: None,
            out,
            input: InputBuf::default(),
            starved: true,
            mech: None,
            events: VecDeque::new(),
            held: VecDeque::new(),
            metadata: None,
            can_send: false,
            random: None,
            subscribe_all: false,
            ws: None,
            failed: None,
        }
    }

    /// A ws connection just established at `now`: the HTTP upgrade (a
    /// client's request is already queued), then the mechanism the agreed
    /// protocol names, over WebSocket frames. There is no ZMTP greeting.
    pub fn new_ws(cfg: Config, setup: WsSetup, now: Instant) -> Session {
        let mut s = Session::new(cfg, now);
        s.out = OutQueue::new();
        s.phase = Phase::Upgrade;
        let link = ws::WsLink::new(&s.cfg, setup, &mut s.out);
        s.ws = Some(Box::new(link));
        s
    }

    /// Replaces the OS as the source of the mechanism's random octets
    /// (CURVE keys and nonces), before the greeting completes: a fixed
    /// source makes a recorded exchange replay byte for byte (tests, the
    /// fuzz targets). Never for a real connection.
    pub fn set_random(&mut self, random: Box<dyn Random>) {
        self.random = Some(random);
    }

    /// The negotiated protocol, once the greeting is done.
    pub fn version(&self) -> Option<Version> {
        self.version
    }

    /// The failure that ended this session, if it has ended.
    pub fn failure(&self) -> Option<Failure> {
        self.failed
    }

    /// Whether the engine should read more: false while decodable input is
    /// waiting (the caller stopped pulling events) or after a failure.
    pub fn wants_input(&self) -> bool {
        self.starved && self.failed.is_none()
    }

    /// Octets received but not yet decoded.
    pub fn pending_input(&self) -> usize {
        self.input.len()
    }

    /// Adds received octets (copied).
    pub fn on_input(&mut self, data: &[u8]) {
        self.input.extend_from_slice(data);
        self.starved = false;
    }

    /// The buffer to read into, with room behind the undecoded octets for
    /// at least the rest of the frame they begin, so that the frame ends up
    /// whole in one buffer. Call `on_read` after adding to it.
    pub fn read_buffer(&mut self, pool: &mut BufferPool) -> &mut BytesMut {
        let wanted = match self.ws.as_deref() {
            Some(ws) => ws.wanted(&self.input),
            None => self.decoder.wanted(&self.input),
        };
        let want = wanted.max(READ_MIN);
        pool.make_room(&mut self.input, want);
        &mut self.input
    }

    /// Nothing more to read for now: the input buffer goes back to `pool`
    /// if everything in it has been decoded.
    pub fn release_input(&mut self, pool: &mut BufferPool) {
        pool.release(&mut self.input);
    }

    /// Octets were added through `read_buffer`.
    pub fn on_read(&mut self) {
        self.starved = false;
    }

    /// The next event, decoding at most one frame's worth of input beyond
    /// what is needed to produce it. Ok(None): nothing more until input.
    pub fn poll_event(&mut self, now: Instant) -> Result<Option<Event>, Failure> {
        if let Some(f) = self.failed {
            return Err(f);
        }
        let r = self.next_event(now);
        if let Ok(None) = r {
            self.starved = true;
        }
        r.map_err(|f| self.fail(f))
    }

    /// Whether `send` writes to the wire now (rather than holding frames
    /// until the handshake is done).
    pub fn can_send(&self) -> bool {
        self.can_send && self.failed.is_none()
    }

    /// Queues one outgoing frame (flags: MORE; SUBSCRIBE/CANCEL with the
    /// topic as body). Before the handshake completes frames are held.
    pub fn send(&mut self, msg: Msg) -> Result<(), Failure> {
        if let Some(f) = self.failed {
            return Err(f);
        }
        if self.groups.on() {
            return self.send_grouped(msg);
        }
        self.send_frame(msg)
    }

    /// One frame out, or held until the handshake is done.
    #[inline]
    fn send_frame(&mut self, msg: Msg) -> Result<(), Failure> {
        if !self.can_send {
            self.held.push_back(msg);
            return Ok(());
        }
        let r = self.write_frame(msg);
        r.map_err(|f| self.fail(f))
    }

    /// Octets waiting to be written.
    pub fn out_len(&self) -> usize {
        self.out.len()
    }

    /// Of `out_len()`, the octets held in copies rather than by reference.
    pub fn out_copied(&self) -> usize {
        self.out.copied_len()
    }

    /// The octets to write, in order, for one vectored write.
    pub fn out_chunks(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.out.chunks()
    }

    /// Reports that the first `n` octets of `out_chunks()` were written.
    pub fn out_consumed(&mut self, n: usize) {
        self.out.consume(n);
    }

    /// When `on_timer` must next be called.
    pub fn next_deadline(&self) -> Option<Instant> {
        if self.failed.is_some() {
            return None;
        }
        self.timers.next_deadline()
    }

    /// Handles passed deadlines: sends a due PING, or fails on expiry.
    pub fn on_timer(&mut self, now: Instant) -> Result<(), Failure> {
        if let Some(f) = self.failed {
            return Err(f);
        }
        match self.timers.poll(now) {
            Due::Nothing => Ok(()),
            Due::Ping => {
                if let Some(ws) = self.ws.as_deref_mut() {
                    // Over ws a heartbeat is an empty ping frame; no TTL
                    // travels.
                    ws.ping(&mut self.out);
                    self.timers.ping_sent(now);
                    return Ok(());
                }
                let ping = command::ping(self.timers.ttl_deciseconds(), b"");
                let r = self.write_frame(ping);
                self.timers.ping_sent(now);
                r.map_err(|f| self.fail(f))
            }
            // libzmq reports whatever errno its I/O thread last saw; that
            // is EAGAIN from the last non-blocking read in practice.
            Due::Expired => Err(self.io_failure(Reason::Timeout, Error::EAGAIN)),
        }
    }

    /// The peer closed the connection.
    pub fn on_eof(&mut self) -> Failure {
        self.on_io_error(Error::EPIPE)
    }

    /// Reading or writing failed with `err`.
    pub fn on_io_error(&mut self, err: Error) -> Failure {
        if let Some(f) = self.failed {
            return f;
        }
        self.io_failure(Reason::Connection, err)
    }

    /// The ZAP handler's answer to the request from `Event::ZapRequest`.
    pub fn zap_reply(&mut self, verdict: ZapVerdict, now: Instant) -> Result<(), Failure> {
        if let Some(f) = self.failed {
            return Err(f);
        }
        let r = match self.mech.as_mut() {
            Some(m) => m
                .on_zap_reply(verdict)
                .and_then(|_| self.pump_mechanism(now)),
            None => Err(Failure::protocol(Error::EFSM)),
        };
        r.map_err(|f| self.fail(f))
    }

    /// libzmq's `handshaked` flag: greeting done and no mechanism still
    /// handshaking.
    fn handshaked(&self) -> bool {
        match self.phase {
            Phase::Upgrade | Phase::Greeting(_) => false,
            _ => self
                .mech
                .as_ref()
                .is_none_or(|m| m.status() != Status::Handshaking),
        }
    }

    /// A transport failure or timeout: reported as HANDSHAKE_FAILED_NO_DETAIL
    /// while no mechanism has completed (which, as in libzmq, includes every
    /// ZMTP/1.0 and 2.0 connection).
    fn io_failure(&mut self, reason: Reason, errno: Error) -> Failure {
        let in_handshake = self
            .mech
            .as_ref()
            .is_none_or(|m| m.status() == Status::Handshaking);
        let mut f = Failure {
            event: MonitorEvent::None,
            reason,
            errno,
            handshaked: false,
        };
        if in_handshake {
            f.event = MonitorEvent::NoDetail(errno.0);
            if self.cfg.reconnect_stop_handshake_failed {
                f.reason = Reason::Protocol;
            }
        }
        self.fail(f)
    }

    fn fail(&mut self, mut f: Failure) -> Failure {
        f.handshaked = self.handshaked();
        self.failed = Some(f);
        self.events.clear();
        f
    }
}

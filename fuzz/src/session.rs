//! One side of a ZMTP connection (our `Session`) fed whatever the fuzzer
//! writes as the other side, and driven the way the engine drives it:
//! input in pieces, events pulled one at a time, ZAP answered, replies
//! sent, output drained, virtual time advanced and timers fired.
//!
//! Input layout: two knob octets (socket pair, ZAP answer, heartbeats,
//! MAXMSGSIZE, piece size, clock step), then the peer's byte stream.
//!
//! Keys and randomness are fixed (`FixedRandom`), so a recorded peer
//! stream (`seeds::capture`) replays past CURVE's WELCOME and INITIATE
//! into real MESSAGE traffic.

use std::time::{Duration, Instant};
use zmq::error::Error;
use zmq::msg::{self, Msg};
use zmq::proto::mechanism::curve::crypto::Random;
use zmq::proto::mechanism::{zap, MechanismConfig, ZapVerdict};
use zmq::proto::{Config, Event, Failure, Session, WsSetup};
use zmq::types::SocketType;

/// xorshift64*: the same octets on every run.
pub struct FixedRandom(pub u64);

impl Random for FixedRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        for b in buf {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            *b = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mech {
    Null,
    Plain,
    Curve,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Accepts the connection (PLAIN/CURVE server, asks ZAP).
    Server,
    /// Connects (PLAIN/CURVE client).
    Client,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Server => Side::Client,
            Side::Client => Side::Server,
        }
    }
}

/// A CURVE key pair derived from `seed` (secret octets are arbitrary but
/// fixed; the public key is computed).
pub fn curve_keys(seed: u8) -> ([u8; 32], [u8; 32]) {
    let mut secret = [0u8; 32];
    for (i, b) in secret.iter_mut().enumerate() {
        *b = seed.wrapping_mul(31).wrapping_add(i as u8 * 7);
    }
    (zmq::util::curve::public_from_secret(&secret), secret)
}

/// (client's type, server's type): every pairing family the routing
/// layer distinguishes, one (PUB/PUSH) that READY must refuse, and
/// DISH/RADIO, whose sessions carry JOIN/LEAVE commands one way and
/// group frames the other (proto/session/groups.rs).
pub const PAIRS: [(SocketType, SocketType); 9] = [
    (SocketType::Dealer, SocketType::Router),
    (SocketType::Req, SocketType::Rep),
    (SocketType::Sub, SocketType::Pub),
    (SocketType::XSub, SocketType::XPub),
    (SocketType::Push, SocketType::Pull),
    (SocketType::Pair, SocketType::Pair),
    (SocketType::Client, SocketType::Server),
    (SocketType::Push, SocketType::Pub),
    (SocketType::Dish, SocketType::Radio),
];

/// What the first two input octets select.
#[derive(Clone, Copy, Debug)]
pub struct Knobs {
    pub pair: usize,
    /// How ZAP requests are answered (see `zap_verdict`).
    pub zap: u8,
    /// NULL server: ask ZAP at all (a ZAP domain is set).
    pub zap_domain: bool,
    pub heartbeats: bool,
    pub small_maxmsgsize: bool,
    /// Input piece size (1..=256).
    pub piece: usize,
    /// Virtual milliseconds between pieces.
    pub step_ms: u64,
}

impl Knobs {
    pub fn parse(a: u8, b: u8) -> Knobs {
        Knobs {
            // Octet b's bit 5 is the pair's fourth bit (taken modulo
            // PAIRS.len()): corpora from before DISH/RADIO keep their meaning.
            pair: (a & 7) as usize | usize::from(b >> 5 & 1) << 3,
            zap: (a >> 3) & 7,
            zap_domain: a & 0x40 != 0,
            heartbeats: a & 0x80 != 0,
            small_maxmsgsize: b & 1 != 0,
            piece: [1, 7, 64, 256][((b >> 1) & 3) as usize],
            step_ms: [0, 10, 1000, 40_000][((b >> 3) & 3) as usize],
        }
    }

    /// The octets that select these knobs (for the seed writer).
    pub fn encode(&self) -> [u8; 2] {
        let piece = [1, 7, 64, 256].iter().position(|&p| p == self.piece).unwrap_or(3) as u8;
        let step = [0, 10, 1000, 40_000].iter().position(|&s| s == self.step_ms).unwrap_or(0) as u8;
        [
            (self.pair & 7) as u8 | self.zap << 3 | u8::from(self.zap_domain) << 6 | u8::from(self.heartbeats) << 7,
            u8::from(self.small_maxmsgsize) | piece << 1 | step << 3 | ((self.pair >> 3) as u8 & 1) << 5,
        ]
    }
}

/// The socket configuration of `side` for `mech` under `k`.
pub fn config(mech: Mech, side: Side, k: &Knobs) -> Config {
    let (client_type, server_type) = PAIRS[k.pair % PAIRS.len()];
    let ty = if side == Side::Server { server_type } else { client_type };
    let mut c = Config::new(ty);
    let server = side == Side::Server;
    c.connecting = !server;
    c.recv_routing_id = matches!(ty, SocketType::Router | SocketType::Rep | SocketType::Server);
    if ty == SocketType::Dealer || ty == SocketType::Req {
        c.routing_id = b"fuzz-peer".to_vec();
    }
    c.metadata = vec![("X-Fuzz".to_owned(), b"1".to_vec())];
    c.peer_address = "127.0.0.1".to_owned();
    c.engine_properties = vec![("Peer-Address".to_owned(), b"127.0.0.1".to_vec())];
    if k.heartbeats {
        c.timers.heartbeat_ivl_ms = 100;
        c.timers.heartbeat_ttl_ms = 1000;
        c.timers.heartbeat_timeout_ms = 300;
    }
    if k.small_maxmsgsize {
        c.max_msg_size = 100;
    }
    let (server_public, server_secret) = curve_keys(1);
    let (client_public, client_secret) = curve_keys(2);
    c.mechanism = match (mech, side) {
        (Mech::Null, _) => MechanismConfig::Null,
        (Mech::Plain, Side::Server) => MechanismConfig::Plain { server: true, username: vec![], password: vec![] },
        (Mech::Plain, Side::Client) => {
            MechanismConfig::Plain { server: false, username: b"admin".to_vec(), password: b"password".to_vec() }
        }
        (Mech::Curve, Side::Server) => {
            MechanismConfig::Curve { server: true, public: server_public, secret: server_secret, server_key: [0; 32] }
        }
        (Mech::Curve, Side::Client) => MechanismConfig::Curve {
            server: false,
            public: client_public,
            secret: client_secret,
            server_key: server_public,
        },
    };
    if server && (mech != Mech::Null || k.zap_domain) {
        c.zap_domain = b"global".to_vec();
    }
    c
}

/// The handler's answer for ZAP mode `mode`: no handler, each status,
/// metadata, and replies broken in the ways libzmq names.
pub fn zap_verdict(mode: u8) -> ZapVerdict {
    let parts: [&[u8]; 7] = match mode {
        0 => return ZapVerdict::NoHandler,
        1 => [b"", b"1.0", b"1", b"200", b"OK", b"user", b""],
        2 => [b"", b"1.0", b"1", b"300", b"later", b"", b""],
        3 => [b"", b"1.0", b"1", b"400", b"no", b"", b""],
        4 => [b"", b"1.0", b"1", b"500", b"error", b"", b""],
        5 => [b"", b"1.0", b"1", b"200", b"OK", b"user", b"\x05X-Zap\x00\x00\x00\x02ok"],
        6 => [b"", b"1.0", b"2", b"200", b"OK", b"user", b""],
        _ => [b"", b"1.0", b"1", b"200", b"OK", b"user", b"\x05X-Zap\x00\x00"],
    };
    ZapVerdict::Reply(zap::multipart(&parts))
}

/// How a driven session ended up.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// ws: the HTTP upgrade completed.
    pub upgrades: usize,
    pub handshakes: usize,
    pub messages: usize,
    pub zap_requests: usize,
    pub failure: Option<Failure>,
}

/// Messages the session under test sends, at most, in reply to received
/// ones (keeps output bounded by what the peer sends).
const MAX_REPLIES: usize = 64;

/// Our session plus what the engine and socket would do around it.
pub struct Driver {
    pub s: Session,
    pub now: Instant,
    zap: u8,
    pub outcome: Outcome,
    replies: usize,
}

impl Driver {
    pub fn new(mech: Mech, side: Side, k: &Knobs, now: Instant) -> Driver {
        Driver::start(Session::new(config(mech, side, k), now), side, k, now)
    }

    /// The same over ws (ZWS 2.0): the HTTP upgrade, then WebSocket
    /// frames. The client's key and masks are fixed too.
    pub fn new_ws(mech: Mech, side: Side, k: &Knobs, now: Instant) -> Driver {
        Driver::start(Session::new_ws(config(mech, side, k), ws_setup(side), now), side, k, now)
    }

    fn start(mut s: Session, side: Side, k: &Knobs, now: Instant) -> Driver {
        s.set_random(Box::new(FixedRandom(0x5EED_0000 + side as u64)));
        // Sent before the handshake: held, then released by it.
        let mut early = Msg::from_slice(b"early");
        early.set_flags(msg::MORE);
        let _ = s.send(early);
        let _ = s.send(Msg::from_slice(b"early-end"));
        Driver { s, now, zap: k.zap, outcome: Outcome::default(), replies: 0 }
    }

    pub fn failed(&self) -> bool {
        self.outcome.failure.is_some()
    }

    /// Everything the session wants written.
    pub fn take_output(&mut self) -> Vec<u8> {
        let mut v = Vec::new();
        for c in self.s.out_chunks() {
            v.extend_from_slice(c);
        }
        self.s.out_consumed(v.len());
        v
    }

    /// Octets from the peer, then every event they give.
    pub fn input(&mut self, data: &[u8]) {
        if self.failed() {
            return;
        }
        self.s.on_input(data);
        self.drain();
    }

    fn fail(&mut self, f: Failure) {
        assert!(self.outcome.failure.is_none(), "a second failure: {f:?}");
        self.outcome.failure = Some(f);
        // A failed session stays failed, says so, and asks for nothing.
        assert_eq!(self.s.poll_event(self.now).err(), Some(f));
        assert_eq!(self.s.failure(), Some(f));
        assert!(!self.s.wants_input() && !self.s.can_send());
        assert!(self.s.next_deadline().is_none());
        assert_eq!(self.s.send(Msg::from_slice(b"x")).err(), Some(f));
    }

    fn drain(&mut self) {
        loop {
            let e = match self.s.poll_event(self.now) {
                Ok(Some(e)) => e,
                Ok(None) => {
                    assert!(self.s.wants_input(), "no event and no wish for input");
                    return;
                }
                Err(f) => return self.fail(f),
            };
            let r = match e {
                Event::ZapRequest(req) => {
                    self.outcome.zap_requests += 1;
                    assert!(!req.to_frames().is_empty());
                    self.s.zap_reply(zap_verdict(self.zap), self.now)
                }
                Event::Handshake(_) => {
                    self.outcome.handshakes += 1;
                    assert_eq!(self.outcome.handshakes, 1, "a second handshake");
                    assert!(self.s.can_send() && self.s.version().is_some());
                    let mut sub = Msg::from_slice(b"topic");
                    sub.set_flags(msg::SUBSCRIBE);
                    self.s.send(sub)
                }
                Event::Message(m) => {
                    assert_eq!(self.outcome.handshakes, 1, "a message before the handshake");
                    self.outcome.messages += 1;
                    if self.replies < MAX_REPLIES {
                        self.replies += 1;
                        // Echoed, flags and all (subscriptions too).
                        let mut back = Msg::from_slice(m.data());
                        back.set_flags(m.flags() & (msg::MORE | msg::SUBSCRIBE | msg::CANCEL));
                        self.s.send(back)
                    } else {
                        Ok(())
                    }
                }
                Event::AuthRefused(status) => {
                    assert!(matches!(status, 300 | 400 | 500), "status {status}");
                    Ok(())
                }
                Event::Upgraded => {
                    assert_eq!(self.outcome.handshakes, 0, "upgraded after the handshake");
                    self.outcome.upgrades += 1;
                    assert_eq!(self.outcome.upgrades, 1, "upgraded twice");
                    Ok(())
                }
            };
            if let Err(f) = r {
                return self.fail(f);
            }
        }
    }

    /// Advances the clock by `ms` and fires what is due.
    pub fn tick(&mut self, ms: u64) {
        if self.failed() {
            return;
        }
        self.now += Duration::from_millis(ms);
        // Bounded: each call handles one deadline.
        for _ in 0..4 {
            match self.s.next_deadline() {
                Some(d) if d <= self.now => {
                    if let Err(f) = self.s.on_timer(self.now) {
                        return self.fail(f);
                    }
                }
                _ => break,
            }
        }
        self.drain();
    }

    /// The peer closed.
    pub fn eof(&mut self) {
        if self.failed() {
            return;
        }
        let f = self.s.on_eof();
        self.fail(f);
    }
}

/// A ws session's fixed inputs: the client asks for `/fuzz` on
/// `127.0.0.1` with a fixed key.
pub fn ws_setup(side: Side) -> WsSetup {
    WsSetup {
        client: (side == Side::Client).then(|| ("127.0.0.1".to_owned(), "/fuzz".to_owned())),
        nonce: crate::ws::NONCE,
        mask_seed: 0x3A5C,
    }
}

/// The mechanism a ws target's knobs select: octet b's top two bits (the
/// ZMTP targets leave them unused).
pub fn ws_mech(b: u8) -> Mech {
    [Mech::Null, Mech::Plain, Mech::Curve, Mech::Null][usize::from(b >> 6)]
}

/// The target: `data` as the peer's stream to our `side` of `mech`.
pub fn run(mech: Mech, side: Side, data: &[u8]) -> Outcome {
    let [a, b, stream @ ..] = data else { return Outcome::default() };
    let k = Knobs::parse(*a, *b);
    drive(Driver::new(mech, side, &k, Instant::now()), &k, stream)
}

/// The ws target: `data` as the peer's stream to our ws `side`, the
/// mechanism chosen by the knobs (`ws_mech`).
pub fn run_ws(side: Side, data: &[u8]) -> Outcome {
    let [a, b, stream @ ..] = data else { return Outcome::default() };
    let k = Knobs::parse(*a, *b);
    drive(Driver::new_ws(ws_mech(*b), side, &k, Instant::now()), &k, stream)
}

fn drive(mut d: Driver, k: &Knobs, stream: &[u8]) -> Outcome {
    for piece in stream.chunks(k.piece) {
        d.take_output();
        d.input(piece);
        d.tick(k.step_ms);
        if d.failed() {
            break;
        }
    }
    d.take_output();
    d.eof();
    d.outcome
}

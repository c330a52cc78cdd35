//! CURVE mechanisms driven by hand (no sessions), so that every piece of
//! the handshake can be got wrong on purpose: each mistake must give
//! libzmq's code, and random garbage in any state must never panic.

use crate::error::Error;
use crate::msg::{self, Msg};
use crate::proto::mechanism::curve::crypto::{nonce, BoxKey, KeyPair, Random};
use crate::proto::mechanism::{
    CurveClient, CurveServer, Mechanism, MechanismOptions, PlainClient, PlainServer, Status,
    ZapVerdict,
};
use crate::proto::{code, metadata, Failure, MonitorEvent};
use crate::types::SocketType;

/// xorshift64*: deterministic randomness for scripted handshakes.
pub(super) struct TestRandom(pub u64);

impl TestRandom {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

impl Random for TestRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        for b in buf {
            *b = (self.next() >> 32) as u8;
        }
        Ok(())
    }
}

struct BrokenRandom;

impl Random for BrokenRandom {
    fn fill(&mut self, _: &mut [u8]) -> Result<(), Error> {
        Err(Error(libc::EIO))
    }
}

fn pair(seed: u64) -> KeyPair {
    KeyPair::generate(&mut TestRandom(seed)).unwrap()
}

fn opts(socket_type: SocketType) -> MechanismOptions {
    MechanismOptions::new(socket_type)
}

fn cmd(body: &[u8]) -> Msg {
    let mut m = Msg::from_slice(body);
    m.set_flags(msg::COMMAND);
    m
}

fn event_of(r: Result<(), Failure>) -> MonitorEvent {
    r.expect_err("should fail").event
}

fn protocol(c: i32) -> MonitorEvent {
    MonitorEvent::Protocol(c)
}

fn server(long: &KeyPair, socket_type: SocketType) -> CurveServer {
    server_seeded(long, socket_type, 77)
}

fn server_seeded(long: &KeyPair, socket_type: SocketType, seed: u64) -> CurveServer {
    let mut o = opts(socket_type);
    o.zap_enforce_domain = true; // no domain: no ZAP round trip
    CurveServer::new(o, *long.secret, Box::new(TestRandom(seed)))
}

fn next(m: &mut dyn Mechanism) -> Vec<u8> {
    m.next_handshake_command()
        .unwrap()
        .expect("a command")
        .data()
        .to_vec()
}

/// A client written out step by step, to get any step wrong.
struct HandClient {
    long: KeyPair,
    short: KeyPair,
    server: [u8; 32],
    server_short: [u8; 32],
    cookie: Vec<u8>,
}

impl HandClient {
    fn new(server: [u8; 32]) -> HandClient {
        HandClient {
            long: pair(11),
            short: pair(12),
            server,
            server_short: [0; 32],
            cookie: vec![],
        }
    }

    fn hello(&self) -> Vec<u8> {
        let k = BoxKey::shared(&self.server, &self.short.secret).unwrap();
        let sig = k.seal(&nonce(b"CurveZMQHELLO---", &1u64.to_be_bytes()), &[0; 64]);
        [
            &b"\x05HELLO\x01\x00"[..],
            &[0; 72],
            &self.short.public,
            &1u64.to_be_bytes(),
            &sig,
        ]
        .concat()
    }

    fn take_welcome(&mut self, welcome: &[u8]) {
        let k = BoxKey::shared(&self.server, &self.short.secret).unwrap();
        let plain = k
            .open(&nonce(b"WELCOME-", &welcome[8..24]), &welcome[24..])
            .expect("WELCOME opens");
        self.server_short.copy_from_slice(&plain[..32]);
        self.cookie = plain[32..].to_vec();
    }

    /// INITIATE claiming `claimed` as C, with a vouch sealed by
    /// `vouch_secret` naming `vouched` as C'.
    fn initiate_with(
        &self,
        claimed: &[u8; 32],
        vouch_secret: &[u8; 32],
        vouched: &[u8; 32],
        props: &[u8],
    ) -> Vec<u8> {
        let vk = BoxKey::shared(&self.server_short, vouch_secret).unwrap();
        let vouch = vk.seal(
            &nonce(b"VOUCH---", &[5; 16]),
            &[&vouched[..], &self.server].concat(),
        );
        let plain = [&claimed[..], &[5; 16], &vouch, props].concat();
        let k = BoxKey::shared(&self.server_short, &self.short.secret).unwrap();
        let boxed = k.seal(&nonce(b"CurveZMQINITIATE", &2u64.to_be_bytes()), &plain);
        [
            &b"\x08INITIATE"[..],
            &self.cookie,
            &2u64.to_be_bytes(),
            &boxed,
        ]
        .concat()
    }

    fn initiate(&self, props: &[u8]) -> Vec<u8> {
        self.initiate_with(
            &self.long.public,
            &self.long.secret,
            &self.short.public,
            props,
        )
    }

    fn message(&self, n: u64, inner: &[u8]) -> Vec<u8> {
        let k = BoxKey::shared(&self.server_short, &self.short.secret).unwrap();
        let boxed = k.seal(&nonce(b"CurveZMQMESSAGEC", &n.to_be_bytes()), inner);
        [&b"\x07MESSAGE"[..], &n.to_be_bytes(), &boxed].concat()
    }
}

fn dealer_props() -> Vec<u8> {
    let mut p = Vec::new();
    metadata::basic_properties(&mut p, SocketType::Dealer, b"", &[]);
    p
}

/// A server that has sent WELCOME to a hand client.
fn welcomed() -> (CurveServer, HandClient) {
    let long = pair(1);
    let mut s = server(&long, SocketType::Router);
    let mut c = HandClient::new(long.public);
    s.process_handshake_command(cmd(&c.hello())).unwrap();
    let w = next(&mut s);
    assert_eq!(w.len(), 168);
    c.take_welcome(&w);
    (s, c)
}

#[test]
fn server_checks_hello_in_libzmq_order() {
    let long = pair(1);
    let good = HandClient::new(long.public).hello();
    let mut v2 = good.clone();
    v2[6] = 2;
    let mut tampered = good.clone();
    tampered[150] ^= 1;
    let mut low_order = good.clone();
    low_order[80..112].fill(0);
    let cases: Vec<(Vec<u8>, i32)> = vec![
        (vec![], code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (
            b"\x05HELL".to_vec(),
            code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
        ),
        (b"\x05HELLX..".to_vec(), code::ZMTP_UNEXPECTED_COMMAND),
        (good[..199].to_vec(), code::ZMTP_MALFORMED_COMMAND_HELLO),
        (
            [&good[..], &[0]].concat(),
            code::ZMTP_MALFORMED_COMMAND_HELLO,
        ),
        (v2, code::ZMTP_MALFORMED_COMMAND_HELLO),
        (tampered, code::ZMTP_CRYPTOGRAPHIC),
        (low_order, code::ZMTP_CRYPTOGRAPHIC),
        (
            HandClient::new(pair(9).public).hello(),
            code::ZMTP_CRYPTOGRAPHIC,
        ),
    ];
    for (i, (body, want)) in cases.into_iter().enumerate() {
        let mut s = server(&long, SocketType::Router);
        assert_eq!(
            event_of(s.process_handshake_command(cmd(&body))),
            protocol(want),
            "case {i}"
        );
        assert!(
            s.next_handshake_command().unwrap().is_none(),
            "case {i}: no WELCOME"
        );
    }
    let mut s = server(&long, SocketType::Router);
    s.process_handshake_command(cmd(&good)).unwrap();
    assert!(s.next_handshake_command().unwrap().is_some());
}

#[test]
fn server_checks_initiate_in_libzmq_order() {
    let props = dealer_props();
    let other = pair(21);
    type Make = fn(&HandClient, &KeyPair, &[u8]) -> Vec<u8>;
    let cases: [(Make, MonitorEvent); 11] = [
        (
            |_, _, _| b"\x08INITIAT".to_vec(),
            protocol(code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        ),
        (
            |c, _, p| c.hello().into_iter().chain(p.iter().copied()).collect(),
            protocol(code::ZMTP_UNEXPECTED_COMMAND),
        ),
        (
            |c, _, _| c.initiate(b"")[..256].to_vec(),
            protocol(code::ZMTP_MALFORMED_COMMAND_INITIATE),
        ),
        (
            |c, _, p| {
                let mut i = c.initiate(p);
                i[30] ^= 1; // inside the cookie box
                i
            },
            protocol(code::ZMTP_CRYPTOGRAPHIC),
        ),
        (
            |c, _, p| {
                let mut i = c.initiate(p);
                i[12] ^= 1; // the cookie nonce
                i
            },
            protocol(code::ZMTP_CRYPTOGRAPHIC),
        ),
        (
            |c, _, p| {
                let mut i = c.initiate(p);
                let last = i.len() - 1;
                i[last] ^= 1; // the INITIATE box
                i
            },
            protocol(code::ZMTP_CRYPTOGRAPHIC),
        ),
        // A vouch that does not open with the C it comes with.
        (
            |c, o, p| c.initiate_with(&c.long.public, &o.secret, &c.short.public, p),
            protocol(code::ZMTP_CRYPTOGRAPHIC),
        ),
        // A vouch for some other C'.
        (
            |c, _, p| c.initiate_with(&c.long.public, &c.long.secret, &[9; 32], p),
            protocol(code::ZMTP_KEY_EXCHANGE),
        ),
        // A small-order C cannot vouch for anything.
        (
            |c, _, p| c.initiate_with(&[0; 32], &c.long.secret, &c.short.public, p),
            protocol(code::ZMTP_CRYPTOGRAPHIC),
        ),
        // Metadata problems are reported without detail, as libzmq does.
        (|c, _, _| c.initiate(b"\x03abc"), MonitorEvent::None),
        (
            |c, _, _| c.initiate(b"\x0BSocket-Type\x00\x00\x00\x03PUB"),
            MonitorEvent::None,
        ),
    ];
    for (i, (make, want)) in cases.into_iter().enumerate() {
        let (mut s, c) = welcomed();
        let body = make(&c, &other, &props);
        assert_eq!(
            event_of(s.process_handshake_command(cmd(&body))),
            want,
            "case {i}"
        );
        assert_eq!(s.status(), Status::Handshaking, "case {i}");
    }
    // The real thing, then: READY, and MESSAGE nonces above INITIATE's.
    let (mut s, c) = welcomed();
    s.process_handshake_command(cmd(&c.initiate(&props)))
        .unwrap();
    let ready = next(&mut s);
    assert_eq!(
        ready.len(),
        30 + router_props().len(),
        "ROUTER metadata: Socket-Type and Identity"
    );
    assert_eq!(s.status(), Status::Ready);
    assert_eq!(
        event_of(s.decode(cmd(&c.message(2, b"\x00x"))).map(drop)),
        protocol(code::ZMTP_INVALID_SEQUENCE)
    );
}

#[test]
fn a_cookie_only_opens_where_it_was_made() {
    let (mut s1, c1) = welcomed();
    // Same server key and client, a second connection: its cookie key
    // (and S') differ.
    let long = pair(1);
    let mut c2 = HandClient::new(long.public);
    let mut s2 = server_seeded(&long, SocketType::Router, 78);
    s2.process_handshake_command(cmd(&c2.hello())).unwrap();
    c2.take_welcome(&next(&mut s2));
    let mut crossed = c2.initiate(&dealer_props());
    crossed[9..105].copy_from_slice(&c1.initiate(b"")[9..105]);
    assert_eq!(
        event_of(s2.process_handshake_command(cmd(&crossed))),
        protocol(code::ZMTP_CRYPTOGRAPHIC)
    );
    s1.process_handshake_command(cmd(&c1.initiate(&dealer_props())))
        .unwrap();
}

#[test]
fn server_state_errors() {
    let (mut s, c) = welcomed();
    // A second HELLO where INITIATE belongs.
    assert_eq!(
        event_of(s.process_handshake_command(cmd(&c.hello()))),
        protocol(code::ZMTP_UNEXPECTED_COMMAND)
    );
    // Anything while waiting for ZAP.
    let long = pair(1);
    let mut s = CurveServer::new(
        opts(SocketType::Router),
        *long.secret,
        Box::new(TestRandom(5)),
    );
    let mut c = HandClient::new(long.public);
    s.process_handshake_command(cmd(&c.hello())).unwrap();
    c.take_welcome(&next(&mut s));
    s.process_handshake_command(cmd(&c.initiate(&dealer_props())))
        .unwrap();
    let req = s.take_zap_request().expect("no domain, not enforced: ZAP");
    assert_eq!(req.credentials, vec![c.long.public.to_vec()]);
    assert!(s.next_handshake_command().unwrap().is_none());
    assert_eq!(
        event_of(s.process_handshake_command(cmd(&c.initiate(b"")))),
        protocol(code::ZMTP_UNSPECIFIED)
    );
    // Traffic before READY cannot be encoded.
    assert!(s.encode(Msg::from_slice(b"x")).is_err());
}

#[test]
fn a_failing_random_source_fails_cleanly() {
    let long = pair(1);
    let mut s = CurveServer::new(
        opts(SocketType::Router),
        *long.secret,
        Box::new(BrokenRandom),
    );
    s.process_handshake_command(cmd(&HandClient::new(long.public).hello()))
        .unwrap();
    let f = s.next_handshake_command().unwrap_err();
    assert_eq!(f.errno, Error(libc::EIO));
    let mut c = CurveClient::new(
        opts(SocketType::Dealer),
        long.public,
        *long.secret,
        long.public,
        Box::new(BrokenRandom),
    );
    assert_eq!(
        c.next_handshake_command().unwrap_err().errno,
        Error(libc::EIO)
    );
}

/// A server written out step by step, for the client's checks.
struct HandServer {
    long: KeyPair,
    short: KeyPair,
    client_short: [u8; 32],
}

impl HandServer {
    fn new() -> HandServer {
        HandServer {
            long: pair(31),
            short: pair(32),
            client_short: [0; 32],
        }
    }

    fn welcome_with(&mut self, hello: &[u8], server_short: &[u8; 32]) -> Vec<u8> {
        self.client_short.copy_from_slice(&hello[80..112]);
        let k = BoxKey::shared(&self.client_short, &self.long.secret).unwrap();
        let boxed = k.seal(
            &nonce(b"WELCOME-", &[3; 16]),
            &[&server_short[..], &[0xC0; 96]].concat(),
        );
        [&b"\x07WELCOME"[..], &[3; 16], &boxed].concat()
    }

    fn welcome(&mut self, hello: &[u8]) -> Vec<u8> {
        let short = self.short.public;
        self.welcome_with(hello, &short)
    }

    fn ready(&self, n: u64, props: &[u8]) -> Vec<u8> {
        let k = BoxKey::shared(&self.client_short, &self.short.secret).unwrap();
        [
            &b"\x05READY"[..],
            &n.to_be_bytes(),
            &k.seal(&nonce(b"CurveZMQREADY---", &n.to_be_bytes()), props),
        ]
        .concat()
    }

    fn message(&self, n: u64, inner: &[u8]) -> Vec<u8> {
        let k = BoxKey::shared(&self.client_short, &self.short.secret).unwrap();
        [
            &b"\x07MESSAGE"[..],
            &n.to_be_bytes(),
            &k.seal(&nonce(b"CurveZMQMESSAGES", &n.to_be_bytes()), inner),
        ]
        .concat()
    }
}

fn router_props() -> Vec<u8> {
    let mut p = Vec::new();
    metadata::basic_properties(&mut p, SocketType::Router, b"", &[]);
    p
}

/// A DEALER client that has sent HELLO, and the hand server it talks to.
fn hello_sent() -> (CurveClient, HandServer, Vec<u8>) {
    let hs = HandServer::new();
    let me = pair(41);
    let mut c = CurveClient::new(
        opts(SocketType::Dealer),
        me.public,
        *me.secret,
        hs.long.public,
        Box::new(TestRandom(3)),
    );
    let hello = next(&mut c);
    (c, hs, hello)
}

#[test]
fn client_checks_welcome_ready_error() {
    let (mut c, mut hs, hello) = hello_sent();
    let w = hs.welcome(&hello);
    assert_eq!(
        event_of(c.process_handshake_command(cmd(&w[..167]))),
        protocol(code::ZMTP_CRYPTOGRAPHIC)
    );
    let (mut c, mut hs, hello) = hello_sent();
    let w = hs.welcome(&hello);
    assert_eq!(
        event_of(c.process_handshake_command(cmd(&[&w[..], &[0]].concat()))),
        protocol(code::ZMTP_CRYPTOGRAPHIC)
    );
    let (mut c, mut hs, hello) = hello_sent();
    let mut w = hs.welcome(&hello);
    w[100] ^= 1;
    assert_eq!(
        event_of(c.process_handshake_command(cmd(&w))),
        protocol(code::ZMTP_CRYPTOGRAPHIC)
    );
    // S' of small order: libzmq asserts; we fail the handshake.
    let (mut c, mut hs, hello) = hello_sent();
    let w = hs.welcome_with(&hello, &[0; 32]);
    assert_eq!(
        event_of(c.process_handshake_command(cmd(&w))),
        protocol(code::ZMTP_CRYPTOGRAPHIC)
    );
    // READY before WELCOME: no session key, so it cannot open.
    let (mut c, mut hs, hello) = hello_sent();
    hs.client_short.copy_from_slice(&hello[80..112]);
    let r = hs.ready(1, &router_props());
    assert_eq!(
        event_of(c.process_handshake_command(cmd(&r))),
        protocol(code::ZMTP_CRYPTOGRAPHIC)
    );
    for (body, want) in [
        (&b"\x05ERROR\x03400"[..], MonitorEvent::Auth(400)),
        (b"\x05ERROR\x03bad", MonitorEvent::None),
        (b"\x05ERROR", protocol(code::ZMTP_MALFORMED_COMMAND_ERROR)),
        (
            b"\x05ERROR\x05400",
            protocol(code::ZMTP_MALFORMED_COMMAND_ERROR),
        ),
        (b"\x5ERROR\x03400", protocol(code::ZMTP_UNEXPECTED_COMMAND)),
        (b"\x05HELLO", protocol(code::ZMTP_UNEXPECTED_COMMAND)),
        (b"", protocol(code::ZMTP_UNEXPECTED_COMMAND)),
    ] {
        let (mut c, _, _) = hello_sent();
        assert_eq!(
            event_of(c.process_handshake_command(cmd(body))),
            want,
            "{body:?}"
        );
    }
}

fn initiated() -> (CurveClient, HandServer) {
    let (mut c, mut hs, hello) = hello_sent();
    c.process_handshake_command(cmd(&hs.welcome(&hello)))
        .unwrap();
    let initiate = next(&mut c);
    assert_eq!(&initiate[9..105], &[0xC0; 96], "the cookie is echoed");
    assert_eq!(&initiate[105..113], &2u64.to_be_bytes());
    (c, hs)
}

#[test]
fn client_checks_ready() {
    type Make = fn(&HandServer) -> Vec<u8>;
    let cases: [(Make, MonitorEvent); 5] = [
        (
            |h| h.ready(1, &router_props())[..29].to_vec(),
            protocol(code::ZMTP_MALFORMED_COMMAND_READY),
        ),
        (
            |h| {
                let mut r = h.ready(1, &router_props());
                r[20] ^= 1;
                r
            },
            protocol(code::ZMTP_CRYPTOGRAPHIC),
        ),
        (
            |h| h.ready(1, b"\x03abc"),
            protocol(code::ZMTP_INVALID_METADATA),
        ),
        (
            |h| h.ready(1, b"\x0BSocket-Type\x00\x00\x00\x03SUB"),
            protocol(code::ZMTP_INVALID_METADATA),
        ),
        (
            |h| h.ready(1, &router_props())[..30].to_vec(),
            protocol(code::ZMTP_CRYPTOGRAPHIC),
        ),
    ];
    for (i, (make, want)) in cases.into_iter().enumerate() {
        let (mut c, hs) = initiated();
        assert_eq!(
            event_of(c.process_handshake_command(cmd(&make(&hs)))),
            want,
            "case {i}"
        );
    }
    // An empty property list is fine; MESSAGE nonces must then pass READY's.
    let (mut c, hs) = initiated();
    c.process_handshake_command(cmd(&hs.ready(5, b""))).unwrap();
    assert_eq!(c.status(), Status::Ready);
    assert_eq!(
        event_of(c.decode(cmd(&hs.message(5, b"\x00x"))).map(drop)),
        protocol(code::ZMTP_INVALID_SEQUENCE)
    );
    let (mut c, hs) = initiated();
    c.process_handshake_command(cmd(&hs.ready(5, b""))).unwrap();
    let m = c
        .decode(Msg::from_slice(&hs.message(6, b"\x03hi")))
        .unwrap();
    assert_eq!(
        (m.data(), m.more(), m.flags() & msg::COMMAND),
        (&b"hi"[..], true, msg::COMMAND)
    );
    let m = c
        .decode(Msg::from_slice(&hs.message(1000, &[0xFC])))
        .unwrap();
    assert_eq!(
        (m.data(), m.flags() & (msg::MORE | msg::COMMAND)),
        (&b""[..], 0),
        "unknown flag bits are dropped"
    );
}

#[test]
fn a_replayed_welcome_starts_another_initiate_as_in_libzmq() {
    let (mut c, mut hs, hello) = hello_sent();
    let w = hs.welcome(&hello);
    c.process_handshake_command(cmd(&w)).unwrap();
    let first = next(&mut c);
    c.process_handshake_command(cmd(&w)).unwrap();
    let second = next(&mut c);
    assert_eq!(&second[105..113], &3u64.to_be_bytes());
    assert_ne!(first, second);
}

const PREFIXES: [&[u8]; 9] = [
    b"\x05HELLO",
    b"\x07WELCOME",
    b"\x08INITIATE",
    b"\x05READY",
    b"\x05ERROR",
    &[0x5E, b'R', b'R', b'O', b'R'],
    b"\x07MESSAGE",
    b"",
    b"\x04PING",
];

/// Garbage shaped like commands: a known prefix, lengths near the ones
/// the checks care about, random contents.
fn garbage(r: &mut TestRandom) -> Msg {
    let prefix = PREFIXES[(r.next() % PREFIXES.len() as u64) as usize];
    let len = match r.next() % 6 {
        0 => 200,
        1 => 168,
        2 => 257 + (r.next() % 64) as usize,
        3 => 30 + (r.next() % 8) as usize,
        4 => 33,
        _ => (r.next() % 400) as usize,
    };
    let mut body = prefix.to_vec();
    while body.len() < len {
        body.push(r.next() as u8);
    }
    body.truncate(len.max(r.next() as usize % 3));
    let mut m = Msg::from_slice(&body);
    m.set_flags((r.next() % 4) as u8 & (msg::MORE | msg::COMMAND));
    m
}

fn random_zap(r: &mut TestRandom) -> ZapVerdict {
    let status: &[u8] =
        [&b"200"[..], b"300", b"400", b"500", b"600", b"20"][(r.next() % 6) as usize];
    match r.next() % 4 {
        0 => ZapVerdict::NoHandler,
        1 => ZapVerdict::Reply(vec![Msg::from_slice(b"junk")]),
        _ => ZapVerdict::Reply(super::wire_bytes::zap_reply(status, b"u")),
    }
}

/// Every mechanism, pushed some valid steps in, then fed garbage; nothing
/// may panic, and CURVE never becomes ready on garbage.
#[test]
fn random_garbage_in_every_state_never_panics() {
    let mut r = TestRandom(0xC0FF_EE12_3456_789A);
    for round in 0..4000 {
        let steps = r.next() % 4;
        let mut m: Box<dyn Mechanism> = match round % 4 {
            0 => {
                let (mut s, c) = welcomed();
                if steps > 1 {
                    let _ = s.process_handshake_command(cmd(&c.initiate(&dealer_props())));
                    let _ = s.next_handshake_command();
                }
                Box::new(s)
            }
            1 => {
                let (mut c, hs) = if steps > 0 {
                    initiated()
                } else {
                    let (c, h, _) = hello_sent();
                    (c, h)
                };
                if steps > 1 {
                    let _ = c.process_handshake_command(cmd(&hs.ready(1, &router_props())));
                }
                Box::new(c)
            }
            2 => {
                let mut p = PlainServer::new(opts(SocketType::Router));
                if steps > 0 {
                    let _ = p.process_handshake_command(cmd(b"\x05HELLO\x01u\x01p"));
                    let _ = p.on_zap_reply(random_zap(&mut r));
                    let _ = p.next_handshake_command();
                }
                Box::new(p)
            }
            _ => {
                let mut p =
                    PlainClient::new(opts(SocketType::Dealer), b"u".to_vec(), b"p".to_vec());
                let _ = p.next_handshake_command();
                if steps > 0 {
                    let _ = p.process_handshake_command(cmd(b"\x07WELCOME"));
                    let _ = p.next_handshake_command();
                }
                Box::new(p)
            }
        };
        let curve = round % 4 < 2;
        for _ in 0..(1 + r.next() % 4) {
            let g = garbage(&mut r);
            let ready = m.status() == Status::Ready;
            let _ = if ready {
                m.decode(g).map(drop)
            } else {
                m.process_handshake_command(g)
            };
            let _ = m.next_handshake_command();
            if r.next().is_multiple_of(5) {
                let _ = m.on_zap_reply(random_zap(&mut r));
            }
            let _ = m.take_zap_request();
            let _ = m.take_auth_event();
            if m.status() == Status::Ready {
                // (PLAIN has no secret: a READY or INITIATE that happens to
                // hold valid metadata does complete it.)
                assert!(
                    ready || !curve,
                    "round {round}: CURVE became ready on garbage"
                );
                let _ = m.encode(garbage(&mut r));
            }
        }
    }
}

/// Garbage through whole sessions after a CURVE greeting, both sides.
#[test]
fn random_bytes_into_curve_sessions_never_panic() {
    use super::curve_pairs::{curve_client, curve_server, keys};
    use super::harness::{v3_greeting, Peer};
    let mut r = TestRandom(0xDEAD_BEEF_0BAD_F00D);
    let now = std::time::Instant::now();
    let (sk, ck) = (keys(1), keys(2));
    for round in 0..1500 {
        let c = if round % 2 == 0 {
            curve_server(SocketType::Router, &sk)
        } else {
            curve_client(SocketType::Dealer, &ck, sk.public)
        };
        let mut p = Peer::new(c, now);
        let mut input = v3_greeting(0, (r.next() % 2) as u8, b"CURVE");
        for _ in 0..(r.next() % 6) {
            let g = garbage(&mut r);
            let body = g.data();
            let flags = [0x00u8, 0x04, 0x01][(r.next() % 3) as usize];
            input.extend(super::harness::frame(flags, body));
        }
        p.feed(&input, 1 + (r.next() % 300) as usize, now);
        let _ = p.s.zap_reply(random_zap(&mut r), now);
        let _ = p.s.send(Msg::from_slice(b"x"));
        let _ = p.s.on_eof();
        assert!(p.s.failure().is_some());
    }
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let k = pair(3);
    let c = crate::proto::mechanism::MechanismConfig::Curve {
        server: false,
        public: k.public,
        secret: *k.secret,
        server_key: k.public,
    };
    let text = format!("{c:?}");
    assert!(text.contains("Curve") && !text.contains(&format!("{:?}", *k.secret)));
    let p = crate::proto::mechanism::MechanismConfig::Plain {
        server: false,
        username: b"u".to_vec(),
        password: b"hunter2".to_vec(),
    };
    assert!(!format!("{p:?}").contains("hunter2"));
}

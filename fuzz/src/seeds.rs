//! The seed corpus, generated: real handshakes and traffic recorded by
//! running our sessions back to back (with the fixed keys and randomness
//! the targets use, so they replay), legacy peers written out by hand,
//! and valid and broken examples of every other input.
//!
//! `tests/replay.rs` checks that every seed here is in `corpus/` as
//! generated; `cargo test --release --no-default-features --test replay
//! -- --ignored write_seeds` (re)writes them.

use crate::session::{config, curve_keys, ws_setup, zap_verdict, Driver, FixedRandom, Knobs, Mech, Side, PAIRS};
use crate::zap::encode_frames;
use std::time::Instant;
use zmq::ffi::consts::*;
use zmq::msg::{self, Msg};
use zmq::proto::metadata;
use zmq::proto::{Event, Session};
use zmq::types::SocketType;

/// (target, file name, contents).
pub type Seed = (&'static str, String, Vec<u8>);

pub fn all() -> Vec<Seed> {
    let mut v = Vec::new();
    sessions(&mut v);
    ws_sessions(&mut v);
    greetings_and_frames(&mut v);
    metadata_seeds(&mut v);
    zap_seeds(&mut v);
    endpoints(&mut v);
    z85_seeds(&mut v);
    sockopts(&mut v);
    crypto(&mut v);
    socks_seeds(&mut v);
    datagrams(&mut v);
    ws_seeds(&mut v);
    x509_seeds(&mut v);
    v
}

/// Group datagrams (octet 0 even) and address frames (odd; 3 for an
/// IPv6 socket), good and broken.
fn datagrams(v: &mut Vec<Seed>) {
    let grouped: [(&str, Vec<u8>); 7] = [
        ("tv", b"\x02TVFriends".to_vec()),
        ("empty-group", b"\x00body".to_vec()),
        ("empty", Vec::new()),
        ("overrun", b"\x09short".to_vec()),
        ("nul-group", b"\x02T\x00body".to_vec()),
        ("long-group", [&[255u8][..], &[b'g'; 255], b"x"].concat()),
        ("max", [&[1u8, b'g'][..], &vec![0u8; zmq::proto::datagram::MAX_DATAGRAM - 2]].concat()),
    ];
    for (name, d) in grouped {
        v.push(("datagram", format!("seed-{name}"), [&[0u8][..], &d].concat()));
    }
    let frames: [(&str, u8, &[u8]); 7] = [
        ("v4", 1, b"127.0.0.1:5559"),
        ("v4-nul", 1, b"127.0.0.1:5560\x00"),
        ("short-form", 1, b"0x7f.1:70000"),
        ("broadcast", 1, b"255.255.255.255:1"),
        ("no-port", 1, b"127.0.0.1:0"),
        ("v6", 3, b"[::1]:5559\x00"),
        ("v6-zone", 3, b"[fe80::1%2]:9"),
    ];
    for (name, sel, f) in frames {
        v.push(("datagram", format!("seed-addr-{name}"), [&[sel][..], f].concat()));
    }
}

fn knobs(pair: usize) -> Knobs {
    Knobs { pair, zap: 1, ..Knobs::parse(0, 0) }
}

/// What the peer sends once connected: a multipart message, a frame
/// long enough for the 8-octet size, a subscription and its cancel, and
/// a PING.
fn script(peer: &mut Session, peer_type: SocketType) {
    let mut parts = Vec::new();
    // A DISH joins and leaves; a RADIO's messages carry their group.
    if peer_type == SocketType::Dish {
        for flag in [msg::JOIN, msg::LEAVE, msg::JOIN] {
            let mut m = Msg::new();
            m.set_group(Some(b"weather"));
            m.set_flags(flag);
            parts.push(m);
        }
    }
    if peer_type == SocketType::Radio {
        for (group, body) in [(&b"weather"[..], &b"rain"[..]), (b"", b"no group"), (&[b'g'; 255][..], b"longest")] {
            let mut m = Msg::from_slice(body);
            m.set_group(Some(group));
            parts.push(m);
        }
    }
    let mut m = Msg::from_slice(b"hello");
    m.set_flags(msg::MORE);
    parts.push(m);
    parts.push(Msg::from_slice(b"world"));
    parts.push(Msg::from_slice(&[0x5A; 300]));
    for flag in [msg::SUBSCRIBE, msg::CANCEL] {
        let mut m = Msg::from_slice(b"topic");
        m.set_flags(flag);
        parts.push(m);
    }
    let mut ping = Msg::from_slice(b"\x04PING\x00\x0actx");
    ping.set_flags(msg::COMMAND);
    parts.push(ping);
    for m in parts {
        let _ = peer.send(m);
    }
}

fn take(s: &mut Session) -> Vec<u8> {
    let v: Vec<u8> = s.out_chunks().flatten().copied().collect();
    s.out_consumed(v.len());
    v
}

/// The peer's side of a real exchange with our `side` (driven exactly as
/// the target drives it), as a seed: knob octets, then the peer's bytes.
/// `zmtp30` makes the peer announce ZMTP/3.0.
pub fn capture(mech: Mech, side: Side, k: &Knobs, zmtp30: bool) -> Vec<u8> {
    let now = Instant::now();
    let d = Driver::new(mech, side, k, now);
    let peer = Session::new(config(mech, side.other(), k), now);
    record(d, peer, side, k, zmtp30)
}

/// As `capture`, over ws: the knobs' octet b carries the mechanism
/// (`session::ws_mech`).
pub fn capture_ws(mech: Mech, side: Side, k: &Knobs) -> Vec<u8> {
    let now = Instant::now();
    let d = Driver::new_ws(mech, side, k, now);
    let peer = Session::new_ws(config(mech, side.other(), k), ws_setup(side.other()), now);
    let mut seed = record(d, peer, side, k, false);
    seed[1] |= [0u8, 1, 2][mech as usize] << 6;
    seed
}

fn record(mut d: Driver, mut peer: Session, side: Side, k: &Knobs, zmtp30: bool) -> Vec<u8> {
    peer.set_random(Box::new(FixedRandom(0xBEEF)));
    let mut recorded = k.encode().to_vec();
    let mut scripted = false;
    for _ in 0..100 {
        let to_peer = d.take_output();
        peer.on_input(&to_peer);
        loop {
            match peer.poll_event(d.now) {
                Ok(Some(Event::ZapRequest(_))) => {
                    let _ = peer.zap_reply(zap_verdict(1), d.now);
                }
                Ok(Some(Event::Handshake(_))) if !scripted => {
                    scripted = true;
                    let (client, server) = PAIRS[k.pair % PAIRS.len()];
                    script(&mut peer, if side == Side::Server { client } else { server });
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        let mut from_peer = take(&mut peer);
        if zmtp30 && recorded.len() <= 2 + 11 && recorded.len() + from_peer.len() > 2 + 11 {
            from_peer[2 + 11 - recorded.len()] = 0;
        }
        if to_peer.is_empty() && from_peer.is_empty() {
            break;
        }
        recorded.extend_from_slice(&from_peer);
        for piece in from_peer.chunks(k.piece) {
            d.input(piece);
            d.tick(k.step_ms);
        }
        if d.failed() {
            break;
        }
    }
    recorded
}

fn target_of(mech: Mech, side: Side) -> &'static str {
    match (mech, side) {
        (Mech::Null, Side::Server) => "session_null_server",
        (Mech::Null, Side::Client) => "session_null_client",
        (Mech::Plain, Side::Server) => "session_plain_server",
        (Mech::Plain, Side::Client) => "session_plain_client",
        (Mech::Curve, Side::Server) => "session_curve_server",
        (Mech::Curve, Side::Client) => "session_curve_client",
    }
}

fn ws_sessions(v: &mut Vec<Seed>) {
    for mech in [Mech::Null, Mech::Plain, Mech::Curve] {
        for (side, t) in [(Side::Server, "ws_session_server"), (Side::Client, "ws_session_client")] {
            for pair in [0, 2, 3, 8] {
                v.push((t, format!("seed-{mech:?}-pair{pair}"), capture_ws(mech, side, &knobs(pair))));
            }
            let variants = [
                ("bytewise", Knobs { piece: 1, ..knobs(0) }),
                ("heartbeats", Knobs { heartbeats: true, step_ms: 10, ..knobs(0) }),
                ("maxmsgsize", Knobs { small_maxmsgsize: true, ..knobs(0) }),
            ];
            for (name, k) in variants {
                v.push((t, format!("seed-{mech:?}-{name}"), capture_ws(mech, side, &k)));
            }
        }
    }
}

fn sessions(v: &mut Vec<Seed>) {
    for mech in [Mech::Null, Mech::Plain, Mech::Curve] {
        for side in [Side::Server, Side::Client] {
            let t = target_of(mech, side);
            for pair in 0..PAIRS.len() {
                v.push((t, format!("seed-pair{pair}"), capture(mech, side, &knobs(pair), false)));
            }
            let variants = [
                ("zmtp30", knobs(0), true),
                ("bytewise", Knobs { piece: 1, ..knobs(0) }, false),
                ("heartbeats", Knobs { heartbeats: true, step_ms: 10, ..knobs(0) }, false),
                ("maxmsgsize", Knobs { small_maxmsgsize: true, ..knobs(0) }, false),
            ];
            for (name, k, zmtp30) in variants {
                v.push((t, format!("seed-{name}"), capture(mech, side, &k, zmtp30)));
            }
            if side == Side::Server {
                for zap in 0..8 {
                    let k = Knobs { zap, zap_domain: true, ..knobs(0) };
                    v.push((t, format!("seed-zap{zap}"), capture(mech, side, &k, false)));
                }
            }
        }
    }
    // Peers from before ZMTP/3.0, which only NULL sockets talk to.
    for side in [Side::Server, Side::Client] {
        let t = target_of(Mech::Null, side);
        for (name, stream) in legacy_streams(ZMQ_ROUTER) {
            let mut seed = knobs(0).encode().to_vec();
            seed.extend_from_slice(&stream);
            v.push((t, format!("seed-{name}"), seed));
        }
        let mut seed = Knobs { pair: 2, ..knobs(2) }.encode().to_vec();
        seed.extend_from_slice(&legacy_streams(ZMQ_PUB)[2].1);
        v.push((t, "seed-zmtp20-pub".into(), seed));
    }
}

/// ZMTP/1.0 without and with a revision octet, and 2.0: greeting,
/// identity frame, a two-part message.
fn legacy_streams(peer_type: i32) -> [(&'static str, Vec<u8>); 3] {
    let sig = |rev: u8| vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, rev, peer_type as u8];
    let v1_frames = b"\x01\x00\x06\x01hello\x06\x00world".to_vec();
    let v2_frames = b"\x00\x00\x01\x05hello\x00\x05world".to_vec();
    [
        ("zmtp10-unversioned", v1_frames.clone()),
        ("zmtp10", [sig(0), v1_frames].concat()),
        ("zmtp20", [sig(1), v2_frames].concat()),
    ]
}

fn greetings_and_frames(v: &mut Vec<Seed>) {
    for (i, mech) in [Mech::Null, Mech::Plain, Mech::Curve].into_iter().enumerate() {
        let stream = capture(mech, Side::Client, &knobs(0), false);
        let wire = &stream[2..];
        let sel = ZMQ_DEALER as u8 | (i as u8) << 5;
        v.push(("greeting", format!("seed-{mech:?}"), [&[sel, 64][..], &wire[..64]].concat()));
        v.push(("greeting", format!("seed-{mech:?}-cut"), [&[sel, 3][..], &wire[..80]].concat()));
        // Frames after the greeting, as ZMTP/3.1 reads them.
        v.push(("decoder", format!("seed-{mech:?}"), [&[2, 5][..], &wire[64..]].concat()));
        v.push(("decoder", format!("seed-{mech:?}-max255"), [&[2 | 3 << 2, 1][..], &wire[64..]].concat()));
    }
    for (name, stream) in legacy_streams(ZMQ_ROUTER) {
        v.push(("greeting", format!("seed-{name}"), [&[ZMQ_DEALER as u8, 1][..], &stream].concat()));
    }
    let long_v1 = [&[0xFF, 0, 0, 0, 0, 0, 0, 1, 1, 0][..], &[7; 256]].concat();
    v.push(("decoder", "seed-zmtp10".into(), [&[0, 3][..], b"\x01\x00\x06\x01hello\x06\x00world", &long_v1].concat()));
    let long_v2 = [&[0x02, 0, 0, 0, 0, 0, 0, 1, 0][..], &[7; 256]].concat();
    v.push(("decoder", "seed-zmtp20".into(), [&[1, 7][..], b"\x01\x05hello\x04\x04PING\x00\x05world", &long_v2].concat()));
}

fn metadata_seeds(v: &mut Vec<Seed>) {
    for ty in [SocketType::Dealer, SocketType::Router, SocketType::Pub, SocketType::Sub, SocketType::Req] {
        let mut props = Vec::new();
        metadata::basic_properties(&mut props, ty, b"id", &[("X-Foo".into(), b"bar".to_vec())]);
        let c = ty.as_c();
        v.push(("metadata", format!("seed-ready-{c}"), [&[ZMQ_ROUTER as u8][..], b"\x05READY", &props].concat()));
        v.push(("metadata", format!("seed-props-{c}"), [&[ZMQ_DEALER as u8][..], &props].concat()));
    }
    let cmds: [(&str, &[u8]); 5] = [
        ("ping", b"\x04PING\x00\x0ahello"),
        ("error", b"\x05ERROR\x03400"),
        ("subscribe", b"\x09SUBSCRIBEtopic"),
        ("pong", b"\x04PONGctx"),
        ("broken", b"\x05READY\x0bSocket-Type\x00\x00\x00\x09DEA"),
    ];
    for (name, c) in cmds {
        v.push(("metadata", format!("seed-{name}"), [&[ZMQ_DEALER as u8][..], c].concat()));
    }
}

fn zap_seeds(v: &mut Vec<Seed>) {
    let replies: [(&str, [&[u8]; 7]); 6] = [
        ("200", [b"", b"1.0", b"1", b"200", b"OK", b"user", b""]),
        ("300", [b"", b"1.0", b"1", b"300", b"later", b"", b""]),
        ("400", [b"", b"1.0", b"1", b"400", b"no", b"", b""]),
        ("500", [b"", b"1.0", b"1", b"500", b"error", b"", b""]),
        ("metadata", [b"", b"1.0", b"1", b"200", b"OK", b"u", b"\x05X-Zap\x00\x00\x00\x02ok"]),
        ("socket-type", [b"", b"1.0", b"1", b"200", b"OK", b"u", b"\x0bSocket-Type\x00\x00\x00\x03PUB"]),
    ];
    for mech in 0..3u8 {
        for (name, parts) in &replies {
            v.push(("zap_reply", format!("seed-{mech}-{name}"), [&[mech][..], &encode_frames(parts, false)].concat()));
        }
        let six = encode_frames(&replies[0].1[..6], true);
        v.push(("zap_reply", format!("seed-{mech}-six-frames"), [&[mech][..], &six].concat()));
    }
}

fn endpoints(v: &mut Vec<Seed>) {
    let texts: [&str; 28] = [
        "tcp://127.0.0.1:5555",
        "tcp://*:*",
        "tcp://[::1]:5555",
        "tcp://[fe80::1%1]:5555",
        "tcp://lo:5555",
        "tcp://127.0.0.1:0;127.0.0.1:5555",
        "tcp://localhost:5555",
        "tcp://127.1:70000",
        "tcp://0x7f.1:12x",
        "tcp://[::ffff:1.2.3.4]:1",
        "ipc:///tmp/zmq-fuzz.sock",
        "ipc://@abstract",
        "ipc://*",
        "ipc://@",
        "inproc://name",
        "udp://127.0.0.1:5555",
        "udp://eth0;239.0.0.1:5555",
        "ws://127.0.0.1:80/path",
        "wss://host:443/",
        "tipc://{5560,0,0}",
        "vmci://1:5555",
        "norm://1,127.0.0.1:5555",
        "pgm://eth0;239.192.1.1:5555",
        "epgm://127.0.0.1;239.192.1.1:5555",
        "udp://*:5556",
        "udp://[ff02::7a65:726f:6df1:a01]:5555",
        "udp://lo;239.0.0.1:5555",
        "udp://*;[ff02::1]:*",
    ];
    for (i, t) in texts.iter().enumerate() {
        v.push(("endpoint", format!("seed-{i:02}"), [&[(i % 2) as u8][..], t.as_bytes()].concat()));
    }
    let filters = ["10.0.0.0/8", "::1/128", "192.168.1.1", "1.2.3.4/33", "0.0.0.0/0", "010.0x10.3"];
    for (i, f) in filters.iter().enumerate() {
        v.push(("endpoint", format!("seed-filter{i}"), [&[1u8][..], f.as_bytes()].concat()));
    }
    let v6: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4];
    v.push(("endpoint", "seed-ntop".into(), [&[3u8][..], &v6].concat()));
}

fn z85_seeds(v: &mut Vec<Seed>) {
    let (public, _) = curve_keys(1);
    let key = zmq::util::curve::key_to_z85(&public);
    v.push(("z85", "seed-key".into(), key.to_vec()));
    v.push(("z85", "seed-hello".into(), b"HelloWorld".to_vec()));
    v.push(("z85", "seed-binary".into(), vec![0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]));
    v.push(("z85", "seed-max-group".into(), b"%nSc0%nSc1".to_vec()));
}

fn sockopts(v: &mut Vec<Seed>) {
    let int = |o: i32, x: i32| [&[o as u8, 4][..], &x.to_ne_bytes()].concat();
    let bytes = |o: i32, b: &[u8]| [&[o as u8, b.len() as u8][..], b].concat();
    let key = zmq::util::curve::key_to_z85(&curve_keys(1).0);
    let cases: [(i32, Vec<u8>); 8] = [
        (ZMQ_SUB, [bytes(ZMQ_SUBSCRIBE, b"topic"), bytes(ZMQ_UNSUBSCRIBE, b"topic"), int(ZMQ_RCVHWM, 10)].concat()),
        (ZMQ_ROUTER, [int(ZMQ_ROUTER_MANDATORY, 1), bytes(ZMQ_CONNECT_ROUTING_ID, b"peer"), int(ZMQ_ROUTER_HANDOVER, 1)].concat()),
        (ZMQ_XPUB, [int(ZMQ_XPUB_VERBOSE, 1), bytes(ZMQ_XPUB_WELCOME_MSG, b"hi"), int(ZMQ_XPUB_MANUAL, 1)].concat()),
        (ZMQ_DEALER, [bytes(ZMQ_ROUTING_ID, b"me"), int(ZMQ_CURVE_SERVER, 1), bytes(ZMQ_CURVE_SECRETKEY, &key)].concat()),
        (ZMQ_REQ, [int(ZMQ_REQ_CORRELATE, 1), int(ZMQ_REQ_RELAXED, 1), bytes(ZMQ_PLAIN_USERNAME, b"admin")].concat()),
        (ZMQ_STREAM, [int(ZMQ_STREAM_NOTIFY, 0), bytes(ZMQ_METADATA, b"X-Key:value")].concat()),
        (ZMQ_PUSH, [bytes(ZMQ_TCP_ACCEPT_FILTER, b"127.0.0.1"), int(ZMQ_HEARTBEAT_TTL, 6553599), bytes(ZMQ_MAXMSGSIZE, &(-1i64).to_ne_bytes())].concat()),
        (ZMQ_DISH, [bytes(ZMQ_ZAP_DOMAIN, b"global"), int(ZMQ_HELLO_MSG, 0), bytes(ZMQ_BINDTODEVICE, b"lo")].concat()),
    ];
    for (ty, recs) in cases {
        v.push(("sockopt", format!("seed-type{ty}"), [&[ty as u8][..], &recs].concat()));
    }
    // What the differential against libzmq found (fixed in src/socket/
    // options.rs and src/ffi/socket.rs); kept as regressions.
    let mut nul_key = [0u8; 40];
    nul_key[..10].copy_from_slice(b"HelloWorld");
    let mut bad_key = [b'x'; 40];
    bad_key[5] = b'~';
    let null = |o: i32| [o as u8 | 0x80, 0];
    let bugs: [(&str, i32, Vec<u8>); 10] = [
        ("zap-domain-empty", ZMQ_DEALER, bytes(ZMQ_ZAP_DOMAIN, b"")),
        ("socks-proxy-empty", ZMQ_DEALER, [bytes(ZMQ_SOCKS_PROXY, b"x"), bytes(ZMQ_SOCKS_PROXY, b"")].concat()),
        ("socks-proxy-null", ZMQ_DEALER, [bytes(ZMQ_SOCKS_PROXY, b"x"), null(ZMQ_SOCKS_PROXY).to_vec()].concat()),
        ("plain-username-empty", ZMQ_DEALER, [bytes(ZMQ_PLAIN_USERNAME, b"u"), bytes(ZMQ_PLAIN_USERNAME, b"")].concat()),
        ("plain-username-null", ZMQ_DEALER, [bytes(ZMQ_PLAIN_USERNAME, b"u"), null(ZMQ_PLAIN_USERNAME).to_vec()].concat()),
        ("ipc-filter-empty", ZMQ_PULL, [bytes(ZMQ_IPC_FILTER_UID, b""), bytes(ZMQ_TCP_ACCEPT_FILTER, b""), bytes(ZMQ_BINDTODEVICE, b"")].concat()),
        ("heartbeat-ttl-negative", ZMQ_PUSH, int(ZMQ_HEARTBEAT_TTL, -99)),
        ("connect-routing-id-types", ZMQ_PAIR, bytes(ZMQ_CONNECT_ROUTING_ID, b"peer")),
        ("connect-routing-id-rep", ZMQ_REP, bytes(ZMQ_CONNECT_ROUTING_ID, b"peer")),
        ("curve-key-nul-and-bad-group", ZMQ_DEALER, [bytes(ZMQ_CURVE_SECRETKEY, &nul_key), bytes(ZMQ_CURVE_SECRETKEY, &bad_key)].concat()),
    ];
    for (name, ty, recs) in bugs {
        v.push(("sockopt", format!("bug-{name}"), [&[ty as u8][..], &recs].concat()));
    }
}

fn crypto(v: &mut Vec<Seed>) {
    for len in [0usize, 1, 31, 64, 200, 1000, 4100] {
        let mut d: Vec<u8> = (0..96 + len).map(|i| (i * 131 + len) as u8).collect();
        // Block counter just below 2^32, so longer streams cross it.
        d[56..64].copy_from_slice(&(u64::from(u32::MAX) - 1).to_le_bytes());
        v.push(("crypto_diff", format!("seed-{len}"), d));
    }
}

/// SOCKS5 proxies: what a proxy says to each endpoint, with and without
/// credentials, each followed by the start of a ZMTP greeting (which the
/// client must leave alone), and each way a proxy says no. Octet 0 is the
/// target's selector: bit 0 credentials, bits 1-2 the endpoint, bits 3-7
/// the read size less one.
fn socks_seeds(v: &mut Vec<Seed>) {
    const ZMTP: &[u8] = &[0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f];
    let v4_ok: &[u8] = &[5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90];
    let v6_ok: &[u8] = &[5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1f, 0x90];
    let name_ok: &[u8] = b"\x05\x00\x00\x03\x09localhost\x1f\x90";
    let cases: [(&str, u8, &[&[u8]]); 12] = [
        ("none-ipv4", 0 << 1, &[&[5, 0], v4_ok, ZMTP]),
        ("none-ipv6", 1 << 1, &[&[5, 0], v6_ok, ZMTP]),
        ("none-domain", 2 << 1, &[&[5, 0], name_ok, ZMTP]),
        ("auth-domain", 1 | 2 << 1, &[&[5, 2], &[1, 0], name_ok, ZMTP]),
        ("auth-ipv4-pieces-of-3", 1 | 2 << 3, &[&[5, 2], &[1, 0], v4_ok, ZMTP]),
        ("auth-refused", 1, &[&[5, 2], &[1, 1]]),
        ("no-acceptable-method", 0, &[&[5, 0xff]]),
        ("connection-refused", 0, &[&[5, 0], &[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]]),
        ("host-unreachable-domain", 2 << 1, &[&[5, 0], b"\x05\x04\x00\x03\x00\x00\x00"]),
        ("bad-reserved", 0, &[&[5, 0], &[5, 0, 1, 1, 0, 0, 0, 0, 0, 0]]),
        ("longest-reply", 0, &[&[5, 0], &[5, 0, 0, 3, 255], &[b'n'; 255], &[0, 80], ZMTP]),
        ("port-0", 3 << 1, &[&[5, 0], v4_ok]),
    ];
    for (name, sel, parts) in cases {
        v.push(("socks_reply", format!("seed-{name}"), [&[sel][..], &parts.concat()].concat()));
    }
}

fn ws_seeds(v: &mut Vec<Seed>) {
    use crate::ws::NONCE;
    use zmq::proto::ws::frame::{Control, Encoder, Role};
    use zmq::proto::ws::upgrade::{ClientUpgrade, Mechanism, Protocol, ServerUpgrade};
    let mechs = [Mechanism::Null, Mechanism::Plain, Mechanism::Curve];
    // A stream of one end's frames: parts, a command, a subscription, a
    // body with a 16-bit length, heartbeats and a close.
    let frames = |role: Role| {
        let mut out = Vec::new();
        let mut e = Encoder::new(role, 7);
        let mut part = |data: &[u8], f: u8| {
            let mut m = Msg::from_slice(data);
            m.set_flags(f);
            e.encode(&m, &mut out);
        };
        part(b"\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER", msg::COMMAND);
        part(b"hello", msg::MORE);
        part(b"world", 0);
        part(b"topic", msg::SUBSCRIBE);
        part(&[0x5A; 300], 0);
        e.control(Control::Ping, b"", &mut out);
        e.control(Control::Pong, b"", &mut out);
        e.control(Control::Close, &[0x03, 0xE8], &mut out);
        out
    };
    let to_server = frames(Role::Client);
    let to_client = frames(Role::Server);
    for (i, mech) in mechs.into_iter().enumerate() {
        let client = ClientUpgrade::new(mech, NONCE);
        let req = client.request("127.0.0.1", "/path");
        let sel = (i as u8) << 1;
        v.push(("ws_upgrade", format!("seed-request-{mech:?}"), [&[sel, 200][..], &req, &to_server].concat()));
        v.push(("ws_upgrade", format!("seed-request-{mech:?}-cut"), [&[sel, 3][..], &req].concat()));
        let reply = ServerUpgrade::new(mech).feed(&req).expect("our request").expect("complete").reply;
        v.push(("ws_upgrade", format!("seed-reply-{mech:?}"), [&[sel | 1, 200][..], &reply, &to_client].concat()));
    }
    let bare = String::from_utf8(ClientUpgrade::new(Mechanism::Null, NONCE).request("localhost", "/"))
        .expect("text")
        .replace("ZWS2.0/NULL,ZWS2.0", Protocol::Bare.token());
    v.push(("ws_upgrade", "seed-request-bare".into(), [&[0, 5][..], bare.as_bytes()].concat()));
    let reply = ServerUpgrade::new(Mechanism::Null).feed(bare.as_bytes()).expect("bare").expect("complete").reply;
    v.push(("ws_upgrade", "seed-reply-bare".into(), [&[1, 9][..], &reply].concat()));
    // Masked frames for a server (bit 0 clear), unmasked for a client, under
    // several MAXMSGSIZE; and RFC 6455's examples (section 5.7).
    v.push(("ws_decoder", "seed-to-server".into(), [&[0, 7][..], &to_server].concat()));
    v.push(("ws_decoder", "seed-to-client".into(), [&[1, 11][..], &to_client].concat()));
    v.push(("ws_decoder", "seed-to-server-max125".into(), [&[3 << 1, 64][..], &to_server].concat()));
    v.push(("ws_decoder", "seed-to-client-max0".into(), [&[1 | 1 << 1, 1][..], &to_client].concat()));
    let rfc: [(&str, u8, &[u8]); 4] = [
        ("rfc-ping", 1, &[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]),
        ("rfc-pong", 0, &[0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]),
        ("rfc-text", 1, &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]),
        ("rfc-fragment", 1, &[0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]),
    ];
    for (name, sel, wire) in rfc {
        v.push(("ws_decoder", format!("seed-{name}"), [&[sel, 2][..], wire].concat()));
    }
}

/// The wss tests' certificates (a CA, a leaf with subjectAltNames, a
/// self-signed CA named by its CN alone, an expired one), and cuts of one.
fn x509_seeds(v: &mut Vec<Seed>) {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    let pems = [
        ("ca", include_str!("../../src/transport/tls/testdata/ca.pem")),
        ("server", include_str!("../../src/transport/tls/testdata/server.pem")),
        ("pinned", include_str!("../../src/transport/tls/testdata/pinned.pem")),
        ("expired", include_str!("../../src/transport/tls/testdata/expired.pem")),
    ];
    for (name, pem) in pems {
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).expect("test certificate").to_vec();
        if name == "server" {
            v.push(("x509", "seed-server-cut".to_owned(), der[..der.len() / 2].to_vec()));
        }
        v.push(("x509", format!("seed-{name}"), der));
    }
}

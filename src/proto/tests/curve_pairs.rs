//! CURVE between two sessions: handshakes with every ZAP outcome, the
//! sizes and nonces libzmq puts on the wire, traffic, commands inside
//! MESSAGE, and MESSAGE nonce rules on real frames.

use super::harness::*;
use super::plain::{auth_refusals, zap_frames};
use super::wire_bytes::zap_reply;
use crate::msg::{self, Msg};
use crate::proto::mechanism::{MechanismConfig, ZapVerdict};
use crate::proto::session::Config;
use crate::proto::{code, MonitorEvent, Reason};
use crate::types::SocketType;
use std::time::{Duration, Instant};

pub(super) struct Keys {
    pub public: [u8; 32],
    pub secret: [u8; 32],
}

pub(super) fn keys(seed: u8) -> Keys {
    let mut secret = [0u8; 32];
    for (i, b) in secret.iter_mut().enumerate() {
        *b = seed.wrapping_mul(31).wrapping_add(i as u8 * 7);
    }
    Keys {
        public: crate::util::curve::public_from_secret(&secret),
        secret,
    }
}

pub(super) fn curve_server(socket_type: SocketType, k: &Keys) -> Config {
    let mut c = cfg(socket_type);
    c.mechanism = MechanismConfig::Curve {
        server: true,
        public: k.public,
        secret: k.secret,
        server_key: [0; 32],
    };
    c.peer_address = "127.0.0.1".into();
    c
}

pub(super) fn curve_client(socket_type: SocketType, k: &Keys, server_public: [u8; 32]) -> Config {
    let mut c = cfg(socket_type);
    c.mechanism = MechanismConfig::Curve {
        server: false,
        public: k.public,
        secret: k.secret,
        server_key: server_public,
    };
    c.connecting = true;
    c
}

/// ZMTP/3.x frames in `wire` as (wire flags, body).
pub(super) fn split_frames(mut wire: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while let Some((&flags, rest)) = wire.split_first() {
        let (len, rest) = if flags & 0x02 != 0 {
            let (l, r) = rest.split_at(8);
            (u64::from_be_bytes(l.try_into().unwrap()) as usize, r)
        } else {
            (rest[0] as usize, &rest[1..])
        };
        out.push((flags & !0x02, rest[..len].to_vec()));
        wire = &rest[len..];
    }
    out
}

/// Runs a DEALER client and ROUTER server to the end of the handshake,
/// answering the server's ZAP request with `verdict`.
fn connected(
    client: Config,
    server: Config,
    chunk: usize,
    verdict: Option<ZapVerdict>,
    now: Instant,
) -> (Peer, Peer) {
    let (mut c, mut s) = (Peer::new(client, now), Peer::new(server, now));
    run(&mut c, &mut s, chunk, now);
    if let Some(v) = verdict {
        assert!(zap_frames(&s).is_some(), "the server should be asking ZAP");
        s.s.zap_reply(v, now).unwrap();
        run(&mut c, &mut s, chunk, now);
    }
    (c, s)
}

fn pair_cfgs() -> (Config, Config, Keys) {
    let (sk, ck) = (keys(1), keys(2));
    let mut c = curve_client(SocketType::Dealer, &ck, sk.public);
    c.routing_id = b"abc".to_vec();
    c.metadata = vec![("X-Foo".into(), b"bar".to_vec())];
    let mut s = curve_server(SocketType::Router, &sk);
    s.recv_routing_id = true;
    (c, s, ck)
}

#[test]
fn stonehouse_handshake_and_traffic_all_chunkings() {
    let big: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for chunk in [1usize, 7, 300, 1 << 21] {
        let now = Instant::now();
        let (cc, sc, _) = pair_cfgs();
        let (mut c, mut s) = (Peer::new(cc, now), Peer::new(sc, now));
        c.send(b"early", 0);
        run(&mut c, &mut s, chunk, now);
        // No domain and no ENFORCE_DOMAIN: ZAP is asked; no handler lets it through.
        s.s.zap_reply(ZapVerdict::NoHandler, now).unwrap();
        run(&mut c, &mut s, chunk, now);
        assert!(
            c.failure.is_none() && s.failure.is_none(),
            "chunk {chunk}: {:?} {:?}",
            c.failure,
            s.failure
        );
        let h = s.handshakes();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].peer_routing_id.as_deref(), Some(&b"abc"[..]));
        let md = h[0].metadata.clone().unwrap();
        assert_eq!(md.get("X-Foo").unwrap().to_bytes(), b"bar");
        assert_eq!(md.get("Socket-Type").unwrap().to_bytes(), b"DEALER");
        assert_eq!(
            c.handshakes()[0].peer_properties.get(b"Socket-Type"),
            Some(&b"ROUTER"[..])
        );

        c.send(b"a", msg::MORE);
        c.send(b"", msg::MORE);
        let mut m = Msg::from_bytes(big.clone().into());
        m.set_more(false);
        c.s.send(m).unwrap();
        s.send(b"reply", msg::MORE);
        s.send(&[7u8; 300], 0);
        run(&mut c, &mut s, chunk, now);
        let got = s.messages();
        assert_eq!(got.len(), 4, "chunk {chunk}");
        assert_eq!((got[0].data(), got[0].more()), (&b"early"[..], false));
        assert_eq!((got[1].data(), got[1].more()), (&b"a"[..], true));
        assert_eq!((got[2].data(), got[2].more()), (&b""[..], true));
        assert_eq!(got[3].data(), &big[..]);
        assert!(!got[3].more() && got.iter().all(|m| m.metadata().is_some()));
        let back = c.messages();
        assert_eq!((back[0].data(), back[0].more()), (&b"reply"[..], true));
        assert_eq!(back[1].data(), &[7u8; 300][..]);
    }
}

#[test]
fn command_sizes_nonces_and_outer_flags_as_libzmq() {
    let now = Instant::now();
    let (cc, sc, _) = pair_cfgs();
    let (mut cc, mut sc) = (cc, sc);
    cc.routing_id.clear();
    cc.metadata.clear();
    sc.zap_enforce_domain = true; // no domain: no ZAP at all
    let (mut c, mut s) = (Peer::new(cc, now), Peer::new(sc, now));
    let mut from_c = Vec::new();
    let mut from_s = Vec::new();
    for _ in 0..10 {
        let (a, b) = (c.take_output(), s.take_output());
        from_c.extend_from_slice(&a);
        from_s.extend_from_slice(&b);
        s.feed(&a, 1000, now);
        c.feed(&b, 1000, now);
    }
    assert!(c.handshakes().len() == 1 && s.handshakes().len() == 1);
    assert!(zap_frames(&s).is_none());
    let cf = split_frames(&from_c[64..]);
    let sf = split_frames(&from_s[64..]);
    // HELLO 200, INITIATE 257 + 35 (DEALER metadata), WELCOME 168, READY 30 + 35.
    assert_eq!(
        cf.iter().map(|(f, b)| (*f, b.len())).collect::<Vec<_>>(),
        vec![(0x04, 200), (0x04, 292)]
    );
    assert_eq!(
        sf.iter().map(|(f, b)| (*f, b.len())).collect::<Vec<_>>(),
        vec![(0x04, 168), (0x04, 65)]
    );
    let hello = &cf[0].1;
    assert_eq!(&hello[..8], b"\x05HELLO\x01\x00");
    assert!(hello[8..80].iter().all(|&b| b == 0));
    assert_eq!(
        &hello[112..120],
        &1u64.to_be_bytes(),
        "HELLO is the client's nonce 1"
    );
    assert_eq!(&cf[1].1[105..113], &2u64.to_be_bytes(), "INITIATE is 2");
    assert_eq!(
        &sf[1].1[..14],
        b"\x05READY\0\0\0\0\0\0\0\x01",
        "READY is the server's 1"
    );
    // Messages: plain data frames, each its own MESSAGE, nonces 3.. and 2..
    c.send(b"one", msg::MORE);
    c.send(b"two", 0);
    s.send(b"back", 0);
    let cf = split_frames(&c.take_output());
    let sf = split_frames(&s.take_output());
    assert_eq!(cf.len(), 2);
    for (i, (flags, body)) in cf.iter().enumerate() {
        assert_eq!(*flags, 0x00, "no MORE, no COMMAND outside");
        assert_eq!(&body[..8], b"\x07MESSAGE");
        assert_eq!(&body[8..16], &(3 + i as u64).to_be_bytes());
        assert_eq!(body.len(), 33 + 3);
    }
    assert_eq!(&sf[0].1[8..16], &2u64.to_be_bytes());
    // Long MESSAGEs get a long outer frame, still without other flags.
    c.send(&[1u8; 300], 0);
    let out = c.take_output();
    assert_eq!(out[0], 0x02);
}

#[test]
fn zap_200_carries_the_client_key_and_user_id() {
    let now = Instant::now();
    let (cc, mut sc, ck) = pair_cfgs();
    sc.zap_domain = b"global".to_vec();
    let (mut c, mut s) = (Peer::new(cc, now), Peer::new(sc, now));
    run(&mut c, &mut s, 64, now);
    let req = zap_frames(&s).unwrap();
    let want: Vec<Vec<u8>> = [
        &b""[..],
        b"1.0",
        b"1",
        b"global",
        b"127.0.0.1",
        b"",
        b"CURVE",
        &ck.public,
    ]
    .iter()
    .map(|p| p.to_vec())
    .collect();
    assert_eq!(req, want);
    s.s.zap_reply(ZapVerdict::Reply(zap_reply(b"200", b"bob")), now)
        .unwrap();
    run(&mut c, &mut s, 64, now);
    let h = s.handshakes();
    assert_eq!(h[0].user_id, b"bob");
    assert_eq!(
        h[0].metadata
            .clone()
            .unwrap()
            .get("User-Id")
            .unwrap()
            .to_bytes(),
        b"bob"
    );
    assert_eq!(c.handshakes().len(), 1);
}

#[test]
fn zap_400_and_500_send_error_and_stop_the_client() {
    for (status, text) in [(400, b"400"), (500, b"500")] {
        let now = Instant::now();
        let (cc, sc, _) = pair_cfgs();
        let (mut c, mut s) = (Peer::new(cc, now), Peer::new(sc, now));
        run(&mut c, &mut s, 64, now);
        // As libzmq's server: AUTH(status) at once, the ERROR, then it
        // waits for the client to hang up.
        s.s.zap_reply(ZapVerdict::Reply(zap_reply(text, b"")), now)
            .unwrap();
        s.drain(now);
        assert_eq!(auth_refusals(&s), vec![status]);
        assert!(s.failure.is_none());
        let wire = s.take_output();
        let mut want = b"\x04\x0A\x05ERROR\x03".to_vec();
        want.extend_from_slice(text);
        assert_eq!(wire, want);
        c.feed(&wire, 1, now);
        let f = c.failure.unwrap();
        assert_eq!(
            (f.event, f.reason),
            (MonitorEvent::Auth(status), Reason::Protocol)
        );
        assert!(!f.reconnects());
    }
}

#[test]
fn zap_300_reports_at_once_then_silence() {
    let now = Instant::now();
    let (cc, sc, _) = pair_cfgs();
    let (mut c, mut s) = (Peer::new(cc, now), Peer::new(sc, now));
    run(&mut c, &mut s, 64, now);
    s.s.zap_reply(ZapVerdict::Reply(zap_reply(b"300", b"")), now)
        .unwrap();
    s.drain(now);
    assert_eq!(auth_refusals(&s), vec![300]);
    assert!(s.take_output().is_empty(), "no READY, no ERROR");
    run(&mut c, &mut s, 64, now);
    assert!(c.failure.is_none() && s.failure.is_none());
    let f = s.s.on_timer(now + Duration::from_secs(30)).unwrap_err();
    assert_eq!((f.event, f.reason), (MonitorEvent::None, Reason::Timeout));
    assert_eq!(c.s.on_eof().event, MonitorEvent::NoDetail(libc::EPIPE));
}

#[test]
fn zap_domain_rules() {
    let now = Instant::now();
    // Domain set, no handler, not enforced: Stonehouse.
    let (cc, mut sc, _) = pair_cfgs();
    sc.zap_domain = b"d".to_vec();
    let (c, s) = connected(cc, sc, 64, Some(ZapVerdict::NoHandler), now);
    assert!(c.handshakes().len() == 1 && s.handshakes().len() == 1);
    // Domain set, no handler, enforced: EFAULT.
    let (cc, mut sc, _) = pair_cfgs();
    sc.zap_domain = b"d".to_vec();
    sc.zap_enforce_domain = true;
    let (mut c, mut s) = (Peer::new(cc, now), Peer::new(sc, now));
    run(&mut c, &mut s, 64, now);
    let f = s.s.zap_reply(ZapVerdict::NoHandler, now).unwrap_err();
    assert_eq!(
        (f.event, f.reason),
        (MonitorEvent::NoDetail(libc::EFAULT), Reason::Protocol)
    );
    // No domain, enforced: no request at all.
    let (cc, mut sc, _) = pair_cfgs();
    sc.zap_enforce_domain = true;
    let (c, s) = connected(cc, sc, 64, None, now);
    assert!(zap_frames(&s).is_none());
    assert!(c.handshakes().len() == 1 && s.handshakes().len() == 1);
    // A reply when none was asked for is a state error.
    let (_, sc, _) = pair_cfgs();
    let mut s = Peer::new(sc, now);
    s.feed(&v3_greeting(0, 1, b"CURVE"), 64, now);
    assert!(s.s.zap_reply(ZapVerdict::NoHandler, now).is_err());
}

#[test]
fn wrong_server_key_fails_the_hello() {
    let now = Instant::now();
    let (sk, ck, other) = (keys(1), keys(2), keys(3));
    let (mut c, mut s) = (
        Peer::new(curve_client(SocketType::Dealer, &ck, other.public), now),
        Peer::new(curve_server(SocketType::Router, &sk), now),
    );
    run(&mut c, &mut s, 64, now);
    let f = s.failure.unwrap();
    assert_eq!(
        (f.event, f.reason),
        (
            MonitorEvent::Protocol(code::ZMTP_CRYPTOGRAPHIC),
            Reason::Protocol
        )
    );
    assert!(c.failure.is_none(), "the client just sees the close");
    assert_eq!(c.s.on_eof().event, MonitorEvent::NoDetail(libc::EPIPE));
}

#[test]
fn subscriptions_travel_inside_as_commands_or_data() {
    for v30 in [false, true] {
        let now = Instant::now();
        let (sk, ck) = (keys(4), keys(5));
        let (mut xpub, mut sub) = (
            Peer::new(curve_server(SocketType::XPub, &sk), now),
            Peer::new(curve_client(SocketType::Sub, &ck, sk.public), now),
        );
        let patch: fn(&mut [u8], usize) = if v30 { as_zmtp30 } else { |_, _| {} };
        run_with(&mut xpub, &mut sub, 64, now, &mut |b, n| patch(b, n));
        xpub.s.zap_reply(ZapVerdict::NoHandler, now).unwrap();
        run_with(&mut xpub, &mut sub, 64, now, &mut |b, n| patch(b, n));
        assert!(
            sub.handshakes().len() == 1 && xpub.handshakes().len() == 1,
            "v30 {v30}"
        );
        sub.send(b"AB", msg::SUBSCRIBE);
        sub.send(b"", msg::CANCEL);
        let wire = sub.take_output();
        assert!(
            split_frames(&wire).iter().all(|(f, _)| *f == 0),
            "outer frames are data frames"
        );
        xpub.feed(&wire, 5, now);
        let m = xpub.messages();
        if v30 {
            // The 3.0 peer gets the old data form, inside the box.
            assert_eq!(
                (m[0].data(), m[0].flags() & msg::SUBSCRIBE),
                (&b"\x01AB"[..], 0)
            );
            assert_eq!(m[1].data(), b"\x00");
        } else {
            assert_eq!(
                (m[0].data(), m[0].flags() & msg::SUBSCRIBE),
                (&b"AB"[..], msg::SUBSCRIBE)
            );
            assert_eq!(
                (m[1].data(), m[1].flags() & msg::CANCEL),
                (&b""[..], msg::CANCEL)
            );
        }
        xpub.send(b"AB-news", 0);
        run(&mut xpub, &mut sub, 64, now);
        assert_eq!(sub.messages()[0].data(), b"AB-news");
    }
}

#[test]
fn heartbeats_travel_inside_messages() {
    let now = Instant::now();
    let (mut cc, sc, _) = pair_cfgs();
    cc.timers.heartbeat_ivl_ms = 100;
    cc.timers.heartbeat_ttl_ms = 5000;
    let (mut c, mut s) = connected(cc, sc, 64, Some(ZapVerdict::NoHandler), now);
    let t = now + Duration::from_millis(100);
    c.s.on_timer(t).unwrap();
    let ping = c.take_output();
    let frames = split_frames(&ping);
    assert_eq!(frames.len(), 1);
    assert_eq!(
        (frames[0].0, &frames[0].1[..8]),
        (0x00, &b"\x07MESSAGE"[..])
    );
    s.feed(&ping, 3, t);
    assert!(s.messages().is_empty() && s.failure.is_none());
    let pong = s.take_output();
    assert_eq!(&split_frames(&pong)[0].1[..8], b"\x07MESSAGE");
    c.feed(&pong, 3, t);
    assert!(c.failure.is_none() && c.messages().is_empty());
}

/// One client MESSAGE frame carrying `body`, as on the wire.
fn client_frame(c: &mut Peer, body: &[u8], flags: u8) -> Vec<u8> {
    c.send(body, flags);
    c.take_output()
}

#[test]
fn message_nonces_must_grow_gaps_allowed() {
    let now = Instant::now();
    let (cc, sc, _) = pair_cfgs();
    let (mut c, mut s) = connected(cc, sc, 64, Some(ZapVerdict::NoHandler), now);
    let frames: Vec<Vec<u8>> = (0..4u8).map(|i| client_frame(&mut c, &[i], 0)).collect();
    s.feed(&frames[0], 64, now);
    s.feed(&frames[2], 64, now);
    let got: Vec<&[u8]> = s.messages().iter().map(|m| m.data()).collect();
    assert_eq!(got, vec![&[0u8][..], &[2u8][..]], "a skipped nonce is fine");
    s.feed(&frames[1], 64, now);
    let f = s.failure.unwrap();
    assert_eq!(f.event, MonitorEvent::Protocol(code::ZMTP_INVALID_SEQUENCE));
    assert!(f.handshaked);
}

#[test]
fn replayed_decreasing_and_tampered_messages() {
    type Tweak = fn(&mut Vec<Vec<u8>>) -> Vec<u8>;
    let cases: [(Tweak, i32); 5] = [
        (
            |f| [f[1].clone(), f[0].clone()].concat(),
            code::ZMTP_INVALID_SEQUENCE,
        ),
        (
            |f| [f[0].clone(), f[0].clone()].concat(),
            code::ZMTP_INVALID_SEQUENCE,
        ),
        (
            |f| {
                let last = f[0].len() - 1;
                f[0][last] ^= 1;
                f[0].clone()
            },
            code::ZMTP_CRYPTOGRAPHIC,
        ),
        (
            |f| {
                f[0][3] = b'X'; // after flags and size: "\x07XESSAGE"
                f[0].clone()
            },
            code::ZMTP_UNEXPECTED_COMMAND,
        ),
        (
            |_| frame(0, b"\x07MESSAGE\0\0\0\0\0\0\0\x09"),
            code::ZMTP_MALFORMED_COMMAND_MESSAGE,
        ),
    ];
    for (i, (tweak, want)) in cases.into_iter().enumerate() {
        let now = Instant::now();
        let (cc, sc, _) = pair_cfgs();
        let (mut c, mut s) = connected(cc, sc, 64, Some(ZapVerdict::NoHandler), now);
        let mut frames: Vec<Vec<u8>> = (0..2u8)
            .map(|i| client_frame(&mut c, &[i; 40], 0))
            .collect();
        let input = tweak(&mut frames);
        s.feed(&input, 64, now);
        let f = s.failure.unwrap_or_else(|| panic!("case {i} did not fail"));
        assert_eq!(
            (f.event, f.reason),
            (MonitorEvent::Protocol(want), Reason::Protocol),
            "case {i}"
        );
    }
}

/// libzmq opens the box into the MESSAGE frame's own message and adds the
/// flags inside to the frame's (curve_encoding_t::decode): a MESSAGE sent
/// as a command frame is a command, dropped by the session as libzmq's
/// drops it, and MORE on the frame carries over.
#[test]
fn outer_flags_add_to_inner_flags_as_libzmq() {
    let now = Instant::now();
    let (cc, sc, _) = pair_cfgs();
    let (mut c, mut s) = connected(cc, sc, 64, Some(ZapVerdict::NoHandler), now);
    let mut a = client_frame(&mut c, b"first", msg::MORE);
    let mut b = client_frame(&mut c, b"second", 0);
    let d = client_frame(&mut c, b"third", 0);
    a[0] = 0x04; // sent as a command frame
    b[0] = 0x01; // sent with MORE
    s.feed(&[a, b, d].concat(), 64, now);
    assert!(s.failure.is_none(), "{:?}", s.failure);
    let got: Vec<(&[u8], u8)> = s.messages().iter().map(|m| (m.data(), m.flags())).collect();
    assert_eq!(got, vec![(&b"second"[..], msg::MORE), (&b"third"[..], 0)]);
    assert!(s.take_output().is_empty(), "nothing to answer");
}

#[test]
fn empty_or_odd_frames_after_the_handshake() {
    for (body, want) in [
        (&b""[..], code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"\x07", code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"\x07MESSAG", code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"plain data", code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"\x01plain data", code::ZMTP_UNEXPECTED_COMMAND),
        (b"\x04PING\x00\x00", code::ZMTP_UNEXPECTED_COMMAND),
    ] {
        let now = Instant::now();
        let (cc, sc, _) = pair_cfgs();
        let (_, mut s) = connected(cc, sc, 64, Some(ZapVerdict::NoHandler), now);
        s.feed(&frame(0x04, body), 64, now);
        assert_eq!(
            s.failure.unwrap().event,
            MonitorEvent::Protocol(want),
            "{body:?}"
        );
    }
}

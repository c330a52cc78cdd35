//! Two endpoints talking: every version pairing, chunkings and sizes.

use super::harness::*;
use crate::msg;
use crate::proto::greeting::Version;
use crate::types::SocketType;
use std::time::Instant;

fn dealer_router() -> (crate::proto::Config, crate::proto::Config) {
    let mut d = cfg(SocketType::Dealer);
    d.routing_id = b"abc".to_vec();
    d.metadata = vec![("X-Foo".into(), b"bar".to_vec())];
    d.connecting = true;
    let mut r = cfg(SocketType::Router);
    r.recv_routing_id = true;
    r.engine_properties = vec![("Peer-Address".into(), b"127.0.0.1".to_vec())];
    (d, r)
}

#[test]
fn v31_both_ways_all_chunkings() {
    let big: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for chunk in [1usize, 7, 300, 1 << 21] {
        let now = Instant::now();
        let (dc, rc) = dealer_router();
        let (mut d, mut r) = (Peer::new(dc, now), Peer::new(rc, now));
        d.send(b"early", 0); // held until the handshake is done
        run(&mut d, &mut r, chunk, now);
        assert!(
            d.failure.is_none() && r.failure.is_none(),
            "chunk {chunk}: {:?} {:?}",
            d.failure,
            r.failure
        );
        assert_eq!(d.s.version(), Some(Version::V3_1));
        let hr = r.handshakes();
        assert_eq!(hr.len(), 1);
        assert_eq!(hr[0].peer_routing_id.as_deref(), Some(&b"abc"[..]));
        assert!(hr[0].monitor_event);
        let md = hr[0].metadata.clone().expect("metadata");
        assert_eq!(md.get("Socket-Type").unwrap().to_bytes(), b"DEALER");
        assert_eq!(md.get("Identity").unwrap().to_bytes(), b"abc");
        assert_eq!(md.get("X-Foo").unwrap().to_bytes(), b"bar");
        assert_eq!(md.get("Peer-Address").unwrap().to_bytes(), b"127.0.0.1");
        assert_eq!(
            d.handshakes()[0].peer_routing_id,
            None,
            "DEALER does not record ids"
        );

        d.send(b"a", msg::MORE);
        d.send(b"", msg::MORE);
        let mut m = msg::Msg::from_bytes(big.clone().into());
        m.set_more(false);
        d.s.send(m).unwrap();
        r.send(b"reply", 0);
        run(&mut d, &mut r, chunk, now);
        let got = r.messages();
        assert_eq!(got.len(), 4, "chunk {chunk}");
        assert_eq!((got[0].data(), got[0].more()), (&b"early"[..], false));
        assert_eq!((got[1].data(), got[1].more()), (&b"a"[..], true));
        assert_eq!((got[2].data(), got[2].more()), (&b""[..], true));
        assert_eq!(got[3].data(), &big[..]);
        assert!(!got[3].more());
        assert!(
            got.iter().all(|m| m.metadata().is_some()),
            "metadata on every frame"
        );
        assert_eq!(d.messages()[0].data(), b"reply");
    }
}

#[test]
fn v31_subscriptions_are_commands_and_become_flagged_msgs() {
    let now = Instant::now();
    let (mut sub, mut xpub) = (
        Peer::new(cfg(SocketType::Sub), now),
        Peer::new(cfg(SocketType::XPub), now),
    );
    run(&mut sub, &mut xpub, 5, now);
    sub.send(b"AB", msg::SUBSCRIBE);
    sub.send(b"", msg::SUBSCRIBE);
    sub.send(b"AB", msg::CANCEL);
    let wire = sub.take_output();
    assert_eq!(
        wire,
        [
            &b"\x04\x0C\x09SUBSCRIBEAB"[..],
            b"\x04\x0A\x09SUBSCRIBE",
            b"\x04\x09\x06CANCELAB"
        ]
        .concat()
    );
    xpub.feed(&wire, 3, now);
    let m = xpub.messages();
    assert_eq!(m.len(), 3);
    assert_eq!(
        (m[0].data(), m[0].flags() & (msg::SUBSCRIBE | msg::CANCEL)),
        (&b"AB"[..], msg::SUBSCRIBE)
    );
    assert_eq!(
        (m[1].data(), m[1].flags() & msg::SUBSCRIBE),
        (&b""[..], msg::SUBSCRIBE)
    );
    assert_eq!(
        (m[2].data(), m[2].flags() & msg::CANCEL),
        (&b"AB"[..], msg::CANCEL)
    );
}

#[test]
fn v31_against_v30() {
    for chunk in [1usize, 64, 4096] {
        let now = Instant::now();
        // `old` is a session whose greeting is rewritten to say 3.0.
        let (mut old, mut new) = (
            Peer::new(cfg(SocketType::XPub), now),
            Peer::new(cfg(SocketType::Sub), now),
        );
        run_with(&mut old, &mut new, chunk, now, &mut as_zmtp30);
        assert!(old.failure.is_none() && new.failure.is_none());
        assert_eq!(new.s.version(), Some(Version::V3_0));
        assert_eq!(old.s.version(), Some(Version::V3_1));
        assert!(new.handshakes()[0].monitor_event);
        new.send(b"AB", msg::SUBSCRIBE);
        let wire = new.take_output();
        assert_eq!(
            wire, b"\x00\x03\x01AB",
            "data-frame subscription for a 3.0 peer"
        );
        old.feed(&wire, chunk, now);
        assert_eq!(old.messages()[0].data(), b"\x01AB");
        // A 3.1 command from the other side is still understood.
        old.send(b"T", msg::SUBSCRIBE);
        old.send(b"data", 0);
        run(&mut old, &mut new, chunk, now);
        let m = new.messages();
        assert_eq!(
            (m[0].data(), m[0].flags() & msg::SUBSCRIBE),
            (&b"T"[..], msg::SUBSCRIBE)
        );
        assert_eq!(m[1].data(), b"data");
    }
}

#[test]
fn v31_against_v20_peer() {
    for chunk in [1usize, 3, 1000] {
        let now = Instant::now();
        let mut c = cfg(SocketType::Dealer);
        c.routing_id = b"me".to_vec();
        c.recv_routing_id = true;
        let mut p = Peer::new(c, now);
        let mut peer_bytes = vec![
            0xFF,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            4,
            0x7F,
            0x01,
            SocketType::Router as u8,
        ];
        peer_bytes.extend_from_slice(b"\x00\x03abc\x01\x01x\x00\x00");
        peer_bytes.extend_from_slice(&frame(0, &[9u8; 300]));
        p.feed(&peer_bytes, chunk, now);
        assert!(p.failure.is_none(), "{:?}", p.failure);
        assert_eq!(p.s.version(), Some(Version::V2));
        let h = p.handshakes();
        assert_eq!(h[0].peer_routing_id.as_deref(), Some(&b"abc"[..]));
        assert!(!h[0].monitor_event && h[0].metadata.is_none());
        let m = p.messages();
        assert_eq!(m.len(), 3);
        assert_eq!((m[0].data(), m[0].more()), (&b"x"[..], true));
        assert_eq!(m[1].data(), b"");
        assert_eq!(m[2].size(), 300);
        p.send(b"hi", msg::MORE);
        p.send(b"AB", msg::SUBSCRIBE);
        let out = p.take_output();
        let mut want = vec![
            0xFF,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            3,
            0x7F,
            3,
            SocketType::Dealer as u8,
        ];
        want.extend_from_slice(b"\x00\x02me\x01\x02hi\x00\x03\x01AB");
        assert_eq!(out, want);
    }
}

#[test]
fn v31_against_unversioned_v10_peer() {
    for chunk in [1usize, 2, 100] {
        let now = Instant::now();
        let mut c = cfg(SocketType::Pub);
        c.routing_id = b"me".to_vec();
        c.recv_routing_id = true;
        let mut p = Peer::new(c, now);
        // Identity "abc" (length counts the flags octet), then "hi"+MORE, "".
        p.feed(b"\x04\x00abc\x03\x01hi\x01\x00", chunk, now);
        assert!(p.failure.is_none(), "{:?}", p.failure);
        assert_eq!(p.s.version(), Some(Version::V1Unversioned));
        assert_eq!(
            p.handshakes()[0].peer_routing_id.as_deref(),
            Some(&b"abc"[..])
        );
        let m = p.messages();
        assert_eq!(
            m[0].data(),
            b"\x01",
            "PUB injects a subscribe-all for old peers"
        );
        assert_eq!((m[1].data(), m[1].more()), (&b"hi"[..], true));
        assert_eq!((m[2].data(), m[2].more()), (&b""[..], false));
        p.send(b"news", 0);
        let out = p.take_output();
        // Signature = long header of our identity frame; then its body only.
        let mut want = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0x7F];
        want.extend_from_slice(b"me\x05\x00news");
        assert_eq!(out, want);
    }
}

#[test]
fn unversioned_peer_with_long_identity_header() {
    let now = Instant::now();
    let mut p = Peer::new(cfg(SocketType::Pull), now);
    let mut input = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 6, 0x00];
    input.extend_from_slice(b"ident\x02\x00z");
    p.feed(&input, 1, now);
    assert_eq!(p.s.version(), Some(Version::V1Unversioned));
    assert_eq!(p.messages().len(), 1, "no subscribe-all for PULL");
    assert_eq!(p.messages()[0].data(), b"z");
}

#[test]
fn revision0_peer_uses_v1_framing() {
    let now = Instant::now();
    let mut p = Peer::new(cfg(SocketType::Push), now);
    p.feed(
        &[
            0xFF,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            0x7F,
            0x00,
            SocketType::Pull as u8,
            1,
            0,
            2,
            0,
            b'k',
        ],
        4,
        now,
    );
    assert_eq!(p.s.version(), Some(Version::V1));
    assert_eq!(p.messages()[0].data(), b"k");
    let out = p.take_output();
    assert_eq!(&out[10..], &[3, SocketType::Push as u8, 1, 0]);
}

#[test]
fn events_are_pulled_one_at_a_time_for_backpressure() {
    let now = Instant::now();
    let mut p = Peer::new(cfg(SocketType::Pull), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&ready_frame(&[(b"Socket-Type", b"PUSH")]), 64, now);
    let mut input = Vec::new();
    for body in [&b"one"[..], b"two", b"three"] {
        input.extend(frame(0, body));
    }
    let big: Vec<u8> = vec![3u8; 5000];
    input.extend(frame(0, &big));
    let len = input.len();
    let mut pool = crate::proto::recycle::BufferPool::new();
    let buf = p.s.read_buffer(&mut pool);
    buf.extend_from_slice(&input);
    let base = buf.as_ptr() as usize + buf.len() - len;
    p.s.on_read();
    let next = |p: &mut Peer| match p.s.poll_event(now) {
        Ok(Some(crate::proto::Event::Message(m))) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(next(&mut p).data(), b"one");
    assert!(!p.s.wants_input(), "the pipe is full: do not read more");
    assert_eq!(p.s.pending_input(), len - 5);
    assert_eq!(next(&mut p).data(), b"two");
    assert_eq!(next(&mut p).data(), b"three");
    let m = next(&mut p);
    assert_eq!(
        m.data().as_ptr() as usize,
        base + len - 5000,
        "large body shares the read chunk"
    );
    assert!(p.s.poll_event(now).unwrap().is_none());
    assert!(p.s.wants_input());
}

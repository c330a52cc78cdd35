//! ZMTP over WebSocket between two sessions, and against hand-made
//! peers: the upgrade in place of the greeting, every mechanism, bare
//! ZWS2.0, heartbeats as ping frames, close, and bad input.

use super::curve_pairs::{curve_client, curve_server, keys};
use super::harness::*;
use crate::msg::{self, Msg};
use crate::proto::mechanism::ZapVerdict;
use crate::proto::session::{Config, Event};
use crate::proto::ws::frame::{Control, Decoder, Encoder, Frame, Role};
use crate::proto::{code, MonitorEvent, Reason};
use crate::types::SocketType;
use std::time::{Duration, Instant};

fn upgraded(p: &Peer) -> usize {
    p.events
        .iter()
        .filter(|e| matches!(e, Event::Upgraded))
        .count()
}

/// Answers ZAP requests as a socket without a handler does.
fn answer_zap(p: &mut Peer, now: Instant) {
    let asked = p.events.iter().any(|e| matches!(e, Event::ZapRequest(_)));
    if asked {
        p.events.retain(|e| !matches!(e, Event::ZapRequest(_)));
        p.s.zap_reply(ZapVerdict::NoHandler, now).unwrap();
    }
}

fn exchange(mut c: Peer, mut s: Peer, chunk: usize, now: Instant) {
    run(&mut c, &mut s, chunk, now);
    answer_zap(&mut s, now);
    run(&mut c, &mut s, chunk, now);
    assert!(
        c.failure.is_none() && s.failure.is_none(),
        "{:?} {:?}",
        c.failure,
        s.failure
    );
    assert_eq!((upgraded(&c), upgraded(&s)), (1, 1));
    assert_eq!((c.handshakes().len(), s.handshakes().len()), (1, 1));
    let big: Vec<u8> = (0..(1 << 20) + 3).map(|i| (i % 251) as u8).collect();
    c.send(b"a", msg::MORE);
    c.send(b"", msg::MORE);
    c.send(&[9u8; 200], msg::MORE);
    c.s.send(Msg::from_bytes(big.clone().into())).unwrap();
    s.send(&[5u8; 70_000], 0);
    run(&mut c, &mut s, chunk, now);
    let got = s.messages();
    assert_eq!(got.len(), 4, "chunk {chunk}");
    assert_eq!((got[0].data(), got[0].more()), (&b"a"[..], true));
    assert_eq!((got[1].data(), got[1].more()), (&b""[..], true));
    assert_eq!((got[2].data(), got[2].more()), (&[9u8; 200][..], true));
    assert_eq!((got[3].data(), got[3].more()), (&big[..], false));
    let back = c.messages();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].data(), &[5u8; 70_000][..]);
}

fn null_pair() -> (Config, Config) {
    let mut c = cfg(SocketType::Dealer);
    c.connecting = true;
    let mut s = cfg(SocketType::Router);
    s.recv_routing_id = true;
    (c, s)
}

#[test]
fn null_both_ways_all_chunkings() {
    for chunk in [1usize, 5, 300, 1 << 21] {
        let now = Instant::now();
        let (c, s) = null_pair();
        exchange(Peer::new_ws(c, now), Peer::new_ws(s, now), chunk, now);
    }
}

#[test]
fn curve_both_ways() {
    let now = Instant::now();
    let (sk, ck) = (keys(1), keys(2));
    let mut s = curve_server(SocketType::Router, &sk);
    s.recv_routing_id = true;
    let c = curve_client(SocketType::Dealer, &ck, sk.public);
    exchange(Peer::new_ws(c, now), Peer::new_ws(s, now), 1000, now);
}

#[test]
fn the_client_speaks_first_with_libzmqs_request() {
    let now = Instant::now();
    let (c, _) = null_pair();
    let mut c = Peer::new_ws(c, now);
    let req = String::from_utf8(c.take_output()).unwrap();
    assert!(req.starts_with("GET /p HTTP/1.1\r\nHost: h\r\n"), "{req}");
    assert!(req.contains("Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\n"));
    let (_, s) = null_pair();
    let mut s = Peer::new_ws(s, now);
    assert!(
        s.take_output().is_empty(),
        "the server waits for the request"
    );
}

/// A server, upgraded by a hand-written request offering `protocol`;
/// returns it and the octets it sent after the HTTP reply.
fn upgraded_server(s: Config, protocol: &str, now: Instant) -> (Peer, Vec<u8>) {
    let mut p = Peer::new_ws(s, now);
    let req = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: {protocol}\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    p.feed(req.as_bytes(), 1 << 20, now);
    let out = p.take_output();
    let end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("reply")
        + 4;
    let reply = std::str::from_utf8(&out[..end]).unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{reply}"
    );
    assert!(reply.contains(&format!("Sec-WebSocket-Protocol: {protocol}\r\n")));
    (p, out[end..].to_vec())
}

/// Frames a client would send (masked).
fn client_frames(msgs: &[(&[u8], u8)]) -> Vec<u8> {
    let mut enc = Encoder::new(Role::Client, 3);
    let mut out = Vec::new();
    for (body, flags) in msgs {
        let mut m = Msg::from_slice(body);
        m.set_flags(*flags);
        enc.encode(&m, &mut out);
    }
    out
}

fn server_frames(wire: &[u8]) -> Vec<Frame> {
    let mut dec = Decoder::new(Role::Client, -1);
    let mut buf = bytes::BytesMut::from(wire);
    let mut v = Vec::new();
    while let Some(f) = dec.decode(&mut buf).expect("well-formed") {
        v.push(f);
    }
    assert!(buf.is_empty());
    v
}

#[test]
fn bare_zws20_exchanges_routing_ids_and_no_handshake() {
    let now = Instant::now();
    let mut s = cfg(SocketType::Router);
    s.recv_routing_id = true;
    s.routing_id = b"srv".to_vec();
    let (mut p, after) = upgraded_server(s, "ZWS2.0", now);
    // Its routing id, at once; no READY.
    match &server_frames(&after)[..] {
        [Frame::Message(m)] => assert_eq!((m.data(), m.flags()), (&b"srv"[..], 0)),
        other => panic!("{other:?}"),
    }
    p.feed(&client_frames(&[(b"cli", 0), (b"hello", 0)]), 3, now);
    assert!(p.failure.is_none(), "{:?}", p.failure);
    assert_eq!(upgraded(&p), 1);
    let h = p.handshakes();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].peer_routing_id.as_deref(), Some(&b"cli"[..]));
    assert!(
        !h[0].monitor_event,
        "one HANDSHAKE_SUCCEEDED: the upgrade's"
    );
    assert_eq!(p.messages().len(), 1);
    assert_eq!(p.messages()[0].data(), b"hello");
}

#[test]
fn pings_are_answered_and_zmtp_pings_dropped() {
    let now = Instant::now();
    let (_, s) = null_pair();
    let (mut p, _) = upgraded_server(s, "ZWS2.0/NULL", now);
    let _ = p.take_output();
    let mut enc = Encoder::new(Role::Client, 9);
    let mut input = Vec::new();
    let mut ready = b"\x05READY".to_vec();
    crate::proto::metadata::encode_property(&mut ready, b"Socket-Type", b"DEALER");
    let mut ready = Msg::from_slice(&ready);
    ready.set_flags(msg::COMMAND);
    enc.encode(&ready, &mut input);
    p.feed(&input, 1 << 10, now);
    assert_eq!(p.handshakes().len(), 1);
    input.clear();
    enc.control(Control::Ping, b"ctx", &mut input);
    // A ZMTP PING command in a binary frame: libzmq's ws engine ignores it.
    let mut zping = Msg::from_slice(b"\x04PING\x00\x0a");
    zping.set_flags(msg::COMMAND);
    enc.encode(&zping, &mut input);
    p.feed(&input, 2, now);
    assert!(p.failure.is_none(), "{:?}", p.failure);
    let out = p.take_output();
    assert_eq!(out, [0x8A, 0x00], "one empty pong, unmasked, nothing else");
}

#[test]
fn heartbeats_are_ping_frames_and_a_pong_keeps_the_connection() {
    let now = Instant::now();
    let (mut c, s) = null_pair();
    c.timers.heartbeat_ivl_ms = 100;
    let (mut c, mut s) = (Peer::new_ws(c, now), Peer::new_ws(s, now));
    run(&mut c, &mut s, 1 << 20, now);
    assert_eq!(c.handshakes().len(), 1);
    let t1 = now + Duration::from_millis(100);
    assert_eq!(c.s.next_deadline(), Some(t1));
    c.s.on_timer(t1).unwrap();
    let ping = c.take_output();
    assert_eq!(&ping[..2], &[0x89, 0x80], "a masked, empty ping");
    s.feed(&ping, 1, t1);
    let pong = s.take_output();
    assert_eq!(pong, [0x8A, 0x00]);
    c.feed(&pong, 1, t1);
    let t2 = t1 + Duration::from_millis(100);
    assert!(c.s.on_timer(t2).is_ok(), "answered: no expiry");
    let _ = c.take_output();
    let f = c.s.on_timer(t2 + Duration::from_millis(100)).unwrap_err();
    assert_eq!(f.reason, Reason::Timeout, "unanswered: expired");
}

#[test]
fn a_close_is_echoed_and_ends_the_connection() {
    let now = Instant::now();
    let (_, s) = null_pair();
    let (mut p, _) = upgraded_server(s, "ZWS2.0/NULL", now);
    let mut input = Vec::new();
    Encoder::new(Role::Client, 1).control(Control::Close, b"\x03\xe8bye", &mut input);
    p.feed(&input, 1, now);
    let f = p.failure.expect("closed");
    assert_eq!(
        (f.reason, f.event),
        (Reason::Connection, MonitorEvent::None)
    );
    assert_eq!(p.take_output(), b"\x88\x05\x03\xe8bye");
}

#[test]
fn a_bad_upgrade_is_a_protocol_error_and_nothing_is_sent() {
    let now = Instant::now();
    let (_, s) = null_pair();
    let mut p = Peer::new_ws(s, now);
    p.feed(b"GET / HTTP/1.0\r\n\r\n", 4, now);
    let f = p.failure.expect("refused");
    assert_eq!(f.reason, Reason::Protocol);
    assert_eq!(
        f.event,
        MonitorEvent::Protocol(crate::consts::ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED)
    );
    assert!(p.take_output().is_empty());
    // A client that is answered with something else than 101.
    let (c, _) = null_pair();
    let mut c = Peer::new_ws(c, now);
    let _ = c.take_output();
    c.feed(b"HTTP/1.1 404 Not Found\r\n\r\n", 3, now);
    assert_eq!(c.failure.map(|f| f.reason), Some(Reason::Protocol));
}

#[test]
fn bad_frames_end_the_connection() {
    let now = Instant::now();
    for bad in [
        &b"\x82\x02\x00a"[..],      // unmasked from a client
        &b"\x81\x81\0\0\0\0a"[..],  // text
        &b"\x02\x81\0\0\0\0\0"[..], // a fragment
        &b"\x82\x80\0\0\0\0"[..],   // an empty binary frame (no flags octet)
    ] {
        let (_, s) = null_pair();
        let (mut p, _) = upgraded_server(s, "ZWS2.0/NULL", now);
        p.feed(bad, 1, now);
        let f = p.failure.unwrap_or_else(|| panic!("{bad:02x?} accepted"));
        assert_eq!(f.reason, Reason::Protocol, "{bad:02x?}");
    }
}

#[test]
fn an_oversized_handshake_frame_is_refused_before_it_is_buffered() {
    let now = Instant::now();
    let (_, s) = null_pair();
    let (mut p, _) = upgraded_server(s, "ZWS2.0/NULL", now);
    // A masked binary frame announcing 1 GiB, before READY.
    let mut hdr = vec![0x82, 0xFF];
    hdr.extend_from_slice(&(1u64 << 30).to_be_bytes());
    hdr.extend_from_slice(&[0, 0, 0, 0, 4]);
    p.feed(&hdr, 1 << 10, now);
    let f = p.failure.expect("refused");
    assert_eq!(
        f.event,
        MonitorEvent::Protocol(code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
    );
    assert!(p.s.pending_input() < 64);
}

#[test]
fn subscriptions_travel_as_libzmq_sends_them() {
    let now = Instant::now();
    let mut c = cfg(SocketType::Sub);
    c.connecting = true;
    let s = cfg(SocketType::XPub);
    let (mut c, mut s) = (Peer::new_ws(c, now), Peer::new_ws(s, now));
    run(&mut c, &mut s, 1 << 20, now);
    let mut sub = Msg::from_slice(b"A");
    sub.set_flags(msg::SUBSCRIBE);
    c.s.send(sub).unwrap();
    let wire = c.take_output();
    // Binary, masked, 3 octets: flags 0, then 1, then the topic.
    assert_eq!(&wire[..2], &[0x82, 0x83]);
    let key = [wire[2], wire[3], wire[4], wire[5]];
    let body: Vec<u8> = wire[6..]
        .iter()
        .zip(key.iter().cycle())
        .map(|(b, k)| b ^ k)
        .collect();
    assert_eq!(body, [0, 1, b'A']);
    s.feed(&wire, 1, now);
    let got = s.messages();
    assert_eq!(got.last().map(|m| m.data()), Some(&b"\x01A"[..]));
}

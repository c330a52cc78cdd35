//! Byte-exact comparisons with what libzmq 4.3.x was captured sending.

use super::harness::*;
use crate::msg::Msg;
use crate::proto::mechanism::ZapVerdict;
use crate::proto::session::Event;
use crate::proto::{MonitorEvent, Reason};
use crate::types::SocketType;
use std::time::{Duration, Instant};

/// Our output after a 3.1 NULL greeting from the peer, minus the greeting.
fn after_greeting(c: crate::proto::Config) -> (Peer, Vec<u8>) {
    let now = Instant::now();
    let mut p = Peer::new(c, now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    let out = p.take_output();
    assert!(out.len() >= 64);
    let rest = out[64..].to_vec();
    (p, rest)
}

#[test]
fn greeting_padding_with_and_without_routing_id() {
    let now = Instant::now();
    let mut p = Peer::new(cfg(SocketType::Dealer), now);
    assert_eq!(p.take_output(), [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]);
    let mut c = cfg(SocketType::Dealer);
    c.routing_id = b"abc".to_vec();
    let mut p = Peer::new(c, now);
    assert_eq!(p.take_output(), [0xFF, 0, 0, 0, 0, 0, 0, 0, 4, 0x7F]);
    // Full greeting once the peer's arrives: 3.1, NULL, as-server 0.
    p.feed(&v3_greeting(0, 1, b"NULL"), 1, now);
    let g = p.take_output();
    assert_eq!(&g[..2], &[3, 1]);
    assert_eq!(&g[2..22], b"NULL\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    assert!(g[22..54].iter().all(|&b| b == 0));
}

#[test]
fn ready_dealer_with_id_and_user_property() {
    let mut c = cfg(SocketType::Dealer);
    c.routing_id = b"abc".to_vec();
    c.metadata = vec![("X-Foo".into(), b"bar".to_vec())];
    let (_, ready) = after_greeting(c);
    let mut want = vec![0x04, 0x39];
    want.extend_from_slice(b"\x05READY\x0BSocket-Type\x00\x00\x00\x06DEALER");
    want.extend_from_slice(b"\x08Identity\x00\x00\x00\x03abc\x05X-Foo\x00\x00\x00\x03bar");
    assert_eq!(ready, want);
}

#[test]
fn ready_router_without_id() {
    let (_, ready) = after_greeting(cfg(SocketType::Router));
    let mut want = vec![0x04, 0x29];
    want.extend_from_slice(
        b"\x05READY\x0BSocket-Type\x00\x00\x00\x06ROUTER\x08Identity\x00\x00\x00\x00",
    );
    assert_eq!(ready, want);
}

#[test]
fn ping_with_ttl_5000() {
    let now = Instant::now();
    let mut c = cfg(SocketType::Dealer);
    c.timers.heartbeat_ivl_ms = 100;
    c.timers.heartbeat_ttl_ms = 5000;
    let mut p = Peer::new(c, now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&ready_frame(&[(b"Socket-Type", b"ROUTER")]), 64, now);
    assert_eq!(p.handshakes().len(), 1);
    p.take_output();
    assert_eq!(p.s.next_deadline(), Some(now + Duration::from_millis(100)));
    p.s.on_timer(now + Duration::from_millis(100)).unwrap();
    assert_eq!(p.take_output(), b"\x04\x07\x04PING\x00\x32");
}

#[test]
fn zap_refusal_sends_error_400() {
    let now = Instant::now();
    let mut c = cfg(SocketType::Router);
    c.zap_domain = b"global".to_vec();
    c.peer_address = "127.0.0.1".into();
    let mut p = Peer::new(c, now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.take_output();
    let Some(Event::ZapRequest(req)) = p.events.pop() else {
        panic!("no ZAP request: {:?}", p.events)
    };
    let frames: Vec<Vec<u8>> = req.to_frames().iter().map(|m| m.data().to_vec()).collect();
    assert_eq!(
        frames,
        vec![
            b"".to_vec(),
            b"1.0".to_vec(),
            b"1".to_vec(),
            b"global".to_vec(),
            b"127.0.0.1".to_vec(),
            vec![],
            b"NULL".to_vec()
        ]
    );
    let f =
        p.s.zap_reply(ZapVerdict::Reply(zap_reply(b"400", b"")), now)
            .unwrap_err();
    assert_eq!(
        (f.event, f.reason),
        (MonitorEvent::Auth(400), Reason::Protocol)
    );
    assert!(!f.reconnects());
    assert_eq!(
        p.take_output(),
        b"\x04\x0A\x05ERROR\x03400",
        "no READY, just the ERROR"
    );
}

pub(super) fn zap_reply(status: &[u8], user: &[u8]) -> Vec<Msg> {
    let parts: [&[u8]; 7] = [b"", b"1.0", b"1", status, b"text", user, b""];
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut m = Msg::from_slice(p);
            m.set_more(i < 6);
            m
        })
        .collect()
}

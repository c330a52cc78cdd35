//! Hostile and broken peers: each failure classified as libzmq would.

use super::harness::*;
use super::wire_bytes::zap_reply;
use crate::error::Error;
use crate::msg::Msg;
use crate::proto::mechanism::{MechanismConfig, ZapVerdict};
use crate::proto::{code, Failure, MonitorEvent, Reason};
use crate::types::SocketType;
use std::time::Instant;

/// A DEALER that has completed a NULL handshake with a scripted peer.
fn ready_dealer(c: crate::proto::Config, now: Instant) -> Peer {
    let mut p = Peer::new(c, now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&ready_frame(&[(b"Socket-Type", b"ROUTER")]), 64, now);
    assert_eq!(p.handshakes().len(), 1);
    p.take_output();
    p
}

fn fails_with(p: &Peer, event: MonitorEvent, reason: Reason) -> Failure {
    let f = p.failure.expect("session should have failed");
    assert_eq!((f.event, f.reason), (event, reason), "{f:?}");
    f
}

#[test]
fn garbage_greeting_is_a_protocol_error() {
    let now = Instant::now();
    // First octet != 0xFF: an unversioned peer, whose "length 0" is invalid.
    let mut p = Peer::new(cfg(SocketType::Dealer), now);
    p.feed(b"\x00garbage", 100, now);
    let f = fails_with(&p, MonitorEvent::None, Reason::Protocol);
    assert_eq!(f.errno, Error::EPROTO);
    assert!(!f.reconnects());
    // With security configured, anything that is not ZMTP/3 is refused.
    let mut c = cfg(SocketType::Dealer);
    c.zap_domain = b"d".to_vec();
    let mut p = Peer::new(c, now);
    p.feed(b"GET / HTTP/1.1\r\n", 100, now);
    fails_with(&p, MonitorEvent::None, Reason::Protocol);
}

#[test]
fn legacy_peer_rejected_when_security_is_required() {
    let now = Instant::now();
    let mut c = cfg(SocketType::Dealer);
    c.zap_domain = b"global".to_vec();
    let mut p = Peer::new(c, now);
    p.feed(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 5], 1, now);
    fails_with(&p, MonitorEvent::None, Reason::Protocol);
}

#[test]
fn mechanism_mismatch() {
    let now = Instant::now();
    let mut p = Peer::new(cfg(SocketType::Dealer), now);
    p.feed(&v3_greeting(0, 1, b"PLAIN"), 7, now);
    let f = fails_with(
        &p,
        MonitorEvent::Protocol(code::ZMTP_MECHANISM_MISMATCH),
        Reason::Protocol,
    );
    assert!(!f.reconnects());
}

#[test]
fn socket_type_mismatch_closes_after_ready_without_error() {
    let now = Instant::now();
    let (mut a, mut b) = (
        Peer::new(cfg(SocketType::Pub), now),
        Peer::new(cfg(SocketType::Push), now),
    );
    run(&mut a, &mut b, 1000, now);
    for p in [&a, &b] {
        fails_with(p, MonitorEvent::None, Reason::Protocol);
        assert!(p.handshakes().is_empty());
    }
    // Our READY went out before the check, and nothing after it.
    let mut p = Peer::new(cfg(SocketType::Pub), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&ready_frame(&[(b"Socket-Type", b"PUSH")]), 64, now);
    assert!(p.failure.is_some());
    let out = p.take_output();
    assert_eq!(&out[64..66], &[0x04, 0x19], "READY (Socket-Type PUB) only");
    assert_eq!(out.len(), 64 + 2 + 0x19);
}

#[test]
fn ready_without_socket_type_is_accepted_bad_metadata_is_not() {
    let now = Instant::now();
    let mut p = Peer::new(cfg(SocketType::Dealer), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&ready_frame(&[]), 64, now);
    assert_eq!(p.handshakes().len(), 1);
    let mut p = Peer::new(cfg(SocketType::Dealer), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&frame(0x04, b"\x05READY\x03abc"), 64, now);
    let f = fails_with(&p, MonitorEvent::None, Reason::Protocol);
    assert_eq!(f.errno, Error::EPROTO);
}

#[test]
fn bad_commands_during_the_handshake() {
    let now = Instant::now();
    let cases: [(&[u8], MonitorEvent); 5] = [
        (
            b"\x05REA",
            MonitorEvent::Protocol(code::ZMTP_UNEXPECTED_COMMAND),
        ),
        (
            b"\x05HELLO",
            MonitorEvent::Protocol(code::ZMTP_UNEXPECTED_COMMAND),
        ),
        (b"\x05ERROR\x03400", MonitorEvent::Auth(400)),
        (b"\x05ERROR\x04bad!", MonitorEvent::None),
        (
            b"\x05ERROR\x09400",
            MonitorEvent::Protocol(code::ZMTP_MALFORMED_COMMAND_ERROR),
        ),
    ];
    for (body, event) in cases {
        let mut p = Peer::new(cfg(SocketType::Dealer), now);
        p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
        p.feed(&frame(0x04, body), 1, now);
        let f = fails_with(&p, event, Reason::Protocol);
        assert!(!f.reconnects());
    }
    // A second READY is unexpected.
    let mut p = ready_dealer(cfg(SocketType::Dealer), now);
    p.feed(&ready_frame(&[]), 64, now);
    assert!(
        p.failure.is_none(),
        "after the handshake READY is just an unknown command"
    );
}

#[test]
fn unknown_and_malformed_commands_after_handshake_are_dropped() {
    let now = Instant::now();
    let mut p = ready_dealer(cfg(SocketType::Dealer), now);
    let mut input = frame(0x04, b"\x07UNKNOWNdata");
    input.extend(frame(0x04, b"\x09SUB"));
    input.extend(frame(0x04, b""));
    input.extend(frame(0x04, b"\x04PONG"));
    input.extend(frame(0x00, b"after"));
    p.feed(&input, 2, now);
    assert!(p.failure.is_none());
    let m = p.messages();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].data(), b"after");
}

#[test]
fn truncated_frame_then_eof() {
    let now = Instant::now();
    let mut p = ready_dealer(cfg(SocketType::Dealer), now);
    p.feed(&frame(0x00, b"complete")[..5], 64, now);
    assert!(p.failure.is_none() && p.messages().is_empty());
    let f = p.s.on_eof();
    assert_eq!(
        (f.event, f.reason, f.errno),
        (MonitorEvent::None, Reason::Connection, Error::EPIPE)
    );
    assert!(f.reconnects() && f.handshaked);
    // Mid-handshake, the same EOF is a HANDSHAKE_FAILED_NO_DETAIL(EPIPE).
    let mut p = Peer::new(cfg(SocketType::Dealer), now);
    p.feed(&v3_greeting(0, 1, b"NULL")[..30], 64, now);
    let f = p.s.on_eof();
    assert_eq!(
        (f.event, f.reason),
        (MonitorEvent::NoDetail(libc::EPIPE), Reason::Connection)
    );
    // Legacy connections never leave that state in libzmq's eyes.
    let mut p = Peer::new(cfg(SocketType::Pull), now);
    p.feed(b"\x01\x00\x02\x00x", 64, now);
    assert_eq!(p.s.on_eof().event, MonitorEvent::NoDetail(libc::EPIPE));
}

#[test]
fn oversize_and_absurd_frames() {
    let now = Instant::now();
    let mut c = cfg(SocketType::Dealer);
    c.max_msg_size = 40; // READY must fit too, as in libzmq
    let mut p = ready_dealer(c.clone(), now);
    p.feed(&frame(0, &[1u8; 40]), 64, now);
    assert_eq!(p.messages().len(), 1);
    p.feed(&frame(0, &[1u8; 41]), 64, now);
    let f = fails_with(&p, MonitorEvent::None, Reason::Protocol);
    assert_eq!(f.errno, Error::EMSGSIZE);
    for size in [1u64 << 63, u64::MAX, (1 << 63) + 5] {
        let mut p = ready_dealer(cfg(SocketType::Dealer), now);
        let mut input = vec![0x02];
        input.extend_from_slice(&size.to_be_bytes());
        p.feed(&input, 1, now);
        assert_eq!(
            fails_with(&p, MonitorEvent::None, Reason::Protocol).errno,
            Error::EMSGSIZE
        );
    }
}

#[test]
fn zap_accept_skip_and_enforce() {
    let now = Instant::now();
    let mut c = cfg(SocketType::Dealer);
    c.zap_domain = b"global".to_vec();
    let mut p = Peer::new(c.clone(), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&ready_frame(&[(b"Socket-Type", b"DEALER")]), 64, now);
    assert!(p.handshakes().is_empty(), "waiting for ZAP before READY");
    assert_eq!(p.take_output().len(), 64, "no READY yet");
    p.s.zap_reply(ZapVerdict::Reply(zap_reply(b"200", b"alice")), now)
        .unwrap();
    p.drain(now);
    let h = p.handshakes();
    assert_eq!(h[0].user_id, b"alice");
    assert_eq!(
        h[0].metadata
            .as_ref()
            .unwrap()
            .get("User-Id")
            .unwrap()
            .to_bytes(),
        b"alice"
    );
    assert_eq!(&p.take_output()[2..8], b"\x05READY");

    let mut p = Peer::new(c.clone(), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.s.zap_reply(ZapVerdict::NoHandler, now).unwrap();
    assert_eq!(
        &p.take_output()[66..72],
        b"\x05READY",
        "no handler: ZAP skipped"
    );

    c.zap_enforce_domain = true;
    let mut p = Peer::new(c.clone(), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    let f = p.s.zap_reply(ZapVerdict::NoHandler, now).unwrap_err();
    assert_eq!(f.event, MonitorEvent::NoDetail(libc::EFAULT));

    let mut p = Peer::new(c.clone(), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.take_output();
    let f =
        p.s.zap_reply(ZapVerdict::Reply(zap_reply(b"300", b"")), now)
            .unwrap_err();
    assert_eq!(
        (f.event, f.reason),
        (MonitorEvent::Auth(300), Reason::Protocol)
    );
    assert!(p.take_output().is_empty(), "300: no ERROR");

    let mut p = Peer::new(c, now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    let f =
        p.s.zap_reply(ZapVerdict::Reply(zap_reply(b"2000", b"")), now)
            .unwrap_err();
    assert_eq!(
        f.event,
        MonitorEvent::Protocol(code::ZAP_INVALID_STATUS_CODE)
    );
}

#[test]
fn zap_hook_unused_without_domain() {
    let now = Instant::now();
    let p = ready_dealer(cfg(SocketType::Dealer), now);
    assert!(p
        .events
        .iter()
        .all(|e| !matches!(e, crate::proto::Event::ZapRequest(_))));
    assert!(!MechanismConfig::Null.zap_enabled(b""));
}

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn random_input_never_panics() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let now = Instant::now();
    let types = [
        SocketType::Dealer,
        SocketType::Router,
        SocketType::Pub,
        SocketType::Sub,
        SocketType::Req,
        SocketType::Pair,
    ];
    for round in 0..3000 {
        let mut c = cfg(types[round % types.len()]);
        c.recv_routing_id = round % 2 == 0;
        c.max_msg_size = if round % 3 == 0 { 64 } else { -1 };
        c.timers.heartbeat_ivl_ms = 10;
        let mut p = Peer::new(c, now);
        // Half the rounds start from a valid handshake, to reach framing.
        let mut input = Vec::new();
        if round % 2 == 0 {
            input.extend(v3_greeting(0, (rng.next() % 3) as u8, b"NULL"));
            if round % 4 == 0 {
                input.extend(ready_frame(&[(b"Socket-Type", b"DEALER")]));
            }
        } else if round % 5 == 1 {
            input.push(0xFF);
        }
        let n = (rng.next() % 400) as usize;
        for _ in 0..n {
            let b = rng.next() as u8;
            // Bias towards interesting octets.
            input.push(match rng.next() % 8 {
                0 => 0x04,
                1 => 0x02,
                2 => 0xFF,
                _ => b,
            });
        }
        let chunk = 1 + (rng.next() % 70) as usize;
        p.feed(&input, chunk, now);
        let _ =
            p.s.on_timer(now + std::time::Duration::from_millis(rng.next() % 100));
        let _ = p.s.send(Msg::from_slice(b"x"));
        let _ = p.s.on_eof();
        assert!(p.s.failure().is_some());
    }
}

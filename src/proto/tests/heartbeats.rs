//! Timers with virtual time.

use super::harness::*;
use crate::error::Error;
use crate::proto::{MonitorEvent, Reason};
use crate::types::SocketType;
use std::time::{Duration, Instant};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn connected(a_ivl: i32, a_ttl: i32, now: Instant) -> (Peer, Peer) {
    let mut ac = cfg(SocketType::Dealer);
    ac.timers.heartbeat_ivl_ms = a_ivl;
    ac.timers.heartbeat_ttl_ms = a_ttl;
    let (mut a, mut b) = (Peer::new(ac, now), Peer::new(cfg(SocketType::Dealer), now));
    run(&mut a, &mut b, 1000, now);
    assert_eq!((a.handshakes().len(), b.handshakes().len()), (1, 1));
    (a, b)
}

#[test]
fn unanswered_ping_times_out_and_reconnects() {
    let t = Instant::now();
    let (mut a, _b) = connected(100, 0, t);
    a.s.on_timer(t + ms(100)).unwrap();
    assert!(!a.take_output().is_empty(), "PING written");
    assert_eq!(
        a.s.next_deadline(),
        Some(t + ms(200)),
        "timeout = interval by default"
    );
    let f = a.s.on_timer(t + ms(200)).unwrap_err();
    assert_eq!((f.event, f.reason), (MonitorEvent::None, Reason::Timeout));
    assert!(f.reconnects() && f.handshaked);
}

#[test]
fn pong_cancels_the_timeout() {
    let t = Instant::now();
    let (mut a, mut b) = connected(100, 0, t);
    for i in 1..=5u64 {
        let now = t + ms(100 * i);
        a.s.on_timer(now).unwrap();
        let ping = a.take_output();
        b.feed(&ping, 1, now);
        let pong = b.take_output();
        assert_eq!(pong, b"\x04\x05\x04PONG", "empty context echoed");
        a.feed(&pong, 1, now);
        assert!(a.failure.is_none() && b.failure.is_none());
        assert!(
            a.messages().is_empty() && b.messages().is_empty(),
            "never delivered"
        );
    }
}

#[test]
fn ping_context_is_echoed_and_truncated() {
    let t = Instant::now();
    let (_, mut b) = connected(0, 0, t);
    let ctx: Vec<u8> = (0..20).collect();
    let ping = frame(0x04, &[&b"\x04PING\x00\x00"[..], &ctx].concat());
    b.feed(&ping, 3, t);
    assert_eq!(
        b.take_output(),
        frame(0x04, &[&b"\x04PONG"[..], &ctx[..16]].concat())
    );
    assert_eq!(b.s.next_deadline(), None, "TTL 0 arms nothing");
}

#[test]
fn remote_ttl_expires_without_traffic() {
    let t = Instant::now();
    let (mut a, mut b) = connected(100, 300, t);
    a.s.on_timer(t + ms(100)).unwrap();
    b.feed(&a.take_output(), 64, t + ms(100));
    assert_eq!(b.s.next_deadline(), Some(t + ms(400)));
    // Any frame cancels it.
    b.feed(&frame(0, b"x"), 64, t + ms(350));
    assert_eq!(b.s.next_deadline(), None);
    a.s.on_timer(t + ms(200)).unwrap_err(); // a's own timeout: b's PONG never delivered
    let (mut a, mut b) = connected(100, 300, t);
    a.s.on_timer(t + ms(100)).unwrap();
    b.feed(&a.take_output(), 64, t + ms(100));
    let f = b.s.on_timer(t + ms(400)).unwrap_err();
    assert_eq!((f.event, f.reason), (MonitorEvent::None, Reason::Timeout));
}

#[test]
fn handshake_timeout() {
    let t = Instant::now();
    let mut c = cfg(SocketType::Req);
    c.timers.handshake_ivl_ms = 50;
    let mut p = Peer::new(c.clone(), t);
    p.feed(&v3_greeting(0, 1, b"NULL")[..20], 64, t);
    assert_eq!(p.s.next_deadline(), Some(t + ms(50)));
    p.s.on_timer(t + ms(49)).unwrap();
    let f = p.s.on_timer(t + ms(50)).unwrap_err();
    assert_eq!(
        (f.event, f.reason),
        (MonitorEvent::NoDetail(Error::EAGAIN.0), Reason::Timeout)
    );
    assert!(f.reconnects() && !f.handshaked);
    assert_eq!(p.s.poll_event(t).unwrap_err(), f, "failure is sticky");

    c.reconnect_stop_handshake_failed = true;
    let mut p = Peer::new(c, t);
    let f = p.s.on_timer(t + ms(50)).unwrap_err();
    assert_eq!(
        f.reason,
        Reason::Protocol,
        "RECONNECT_STOP_HANDSHAKE_FAILED"
    );
}

#[test]
fn handshake_timer_ends_with_the_handshake() {
    let t = Instant::now();
    let (a, _) = connected(0, 0, t);
    assert_eq!(a.s.next_deadline(), None);
    // Legacy peers too (libzmq would drop them when HANDSHAKE_IVL passes).
    let mut p = Peer::new(cfg(SocketType::Pull), t);
    p.feed(b"\x01\x00", 1, t);
    assert_eq!(p.s.next_deadline(), None);
}

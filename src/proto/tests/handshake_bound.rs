//! What a peer that has not completed its handshake can make us buffer:
//! at most HANDSHAKE_FRAME_MAX, whatever it announces, under every
//! mechanism and protocol revision; a larger frame ends the connection at
//! its header, with HANDSHAKE_FAILED_PROTOCOL(MALFORMED_COMMAND_UNSPECIFIED)
//! under a mechanism.

use super::curve_pairs::{curve_client, curve_server, keys};
use super::harness::*;
use super::plain::plain_server;
use crate::error::Error;
use crate::proto::mechanism::ZapVerdict;
use crate::proto::session::{Config, HANDSHAKE_FRAME_MAX};
use crate::proto::{code, MonitorEvent, Reason};
use crate::types::SocketType;
use std::time::Instant;

/// A long-form frame header announcing `size` octets.
fn long_header(flags: u8, size: u64) -> Vec<u8> {
    let mut h = vec![flags | 0x02];
    h.extend_from_slice(&size.to_be_bytes());
    h
}

fn refused_at_the_header(p: &Peer, what: &str) {
    let f = p.failure.unwrap_or_else(|| panic!("{what}: not refused"));
    // libzmq raises no handshake event for a protocol error of a peer
    // without a mechanism (ZMTP/1.0 and 2.0).
    let legacy = what.starts_with("ZMTP/") || what == "unversioned";
    let event = if legacy {
        MonitorEvent::None
    } else {
        MonitorEvent::Protocol(code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
    };
    assert_eq!((f.event, f.reason), (event, Reason::Protocol), "{what}");
    assert!(!f.reconnects(), "{what}");
}

/// Sessions after the greeting, waiting for the peer's first handshake
/// command (or, for ZMTP/1.0 and 2.0, its identity frame), with the
/// greeting a peer of that kind sends.
fn waiting_for_the_peer() -> Vec<(&'static str, Config, Vec<u8>)> {
    let mut client = curve_client(SocketType::Dealer, &keys(2), keys(1).public);
    client.connecting = true;
    vec![
        ("NULL", cfg(SocketType::Router), v3_greeting(0, 1, b"NULL")),
        (
            "NULL 3.0",
            cfg(SocketType::Router),
            v3_greeting(0, 0, b"NULL"),
        ),
        (
            "PLAIN server",
            plain_server(SocketType::Router),
            v3_greeting(0, 1, b"PLAIN"),
        ),
        (
            "CURVE server",
            curve_server(SocketType::Router, &keys(1)),
            v3_greeting(0, 1, b"CURVE"),
        ),
        ("CURVE client", client, v3_greeting(0, 1, b"CURVE")),
        (
            "ZMTP/2.0",
            cfg(SocketType::Router),
            vec![
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
                1,
                SocketType::Dealer as u8,
            ],
        ),
        (
            "ZMTP/1.0",
            cfg(SocketType::Router),
            vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0, 0],
        ),
        // No greeting at all: its first octets are the identity's header.
        ("unversioned", cfg(SocketType::Router), vec![]),
    ]
}

/// The header of a frame announcing `size` octets, framed as the peer
/// that sent `greeting` frames it.
fn header_after(greeting: &[u8], flags: u8, size: u64) -> Vec<u8> {
    if greeting.len() == 12 && greeting[10] == 0 || greeting.is_empty() {
        // ZMTP/1.0: 0xFF, a length that counts the flags octet, flags.
        let mut h = vec![0xFF];
        h.extend_from_slice(&(size + 1).to_be_bytes());
        h.push(flags & 1);
        return h;
    }
    long_header(flags, size)
}

#[test]
fn a_frame_too_large_for_any_handshake_command_is_refused_at_its_header() {
    let now = Instant::now();
    for (what, c, greeting) in waiting_for_the_peer() {
        for size in [HANDSHAKE_FRAME_MAX as u64 + 1, 2 << 30, 1 << 47] {
            for flags in [0x04, 0x00] {
                let mut p = Peer::new(c.clone(), now);
                p.feed(&greeting, 64, now);
                assert!(p.failure.is_none(), "{what}: {:?}", p.failure);
                p.feed(&header_after(&greeting, flags, size), 1, now);
                refused_at_the_header(&p, what);
                assert!(
                    p.s.pending_input() <= 10 && !p.s.wants_input(),
                    "{what}: the header only, and no more reads"
                );
            }
        }
    }
}

#[test]
fn a_peer_cannot_make_us_hold_more_than_the_bound_before_its_handshake() {
    // A legal-sized frame that never completes: what we hold is the bound
    // at most, however the bytes are cut; the rest is never read.
    let now = Instant::now();
    for (what, c, greeting) in waiting_for_the_peer() {
        let mut p = Peer::new(c, now);
        p.feed(&greeting, 64, now);
        let mut partial = header_after(&greeting, 0x04, HANDSHAKE_FRAME_MAX as u64);
        partial.extend(std::iter::repeat_n(0x55, HANDSHAKE_FRAME_MAX - 1));
        p.feed(&partial, 4096, now);
        assert!(p.failure.is_none(), "{what}: {:?}", p.failure);
        assert!(p.s.pending_input() <= HANDSHAKE_FRAME_MAX + 10, "{what}");
    }
}

#[test]
fn ready_with_metadata_up_to_the_bound_is_accepted() {
    let now = Instant::now();
    // READY = 6 octets of name, then properties of 1 + name + 4 + value.
    let value_len = HANDSHAKE_FRAME_MAX - 6 - (1 + 11 + 4 + 6) - (1 + 5 + 4);
    let big = vec![b'v'; value_len];
    let ready = ready_frame(&[(b"Socket-Type", b"DEALER"), (b"X-Big", &big)]);
    assert_eq!(ready.len(), 9 + HANDSHAKE_FRAME_MAX, "exactly at the bound");
    let mut p = Peer::new(cfg(SocketType::Router), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&ready, 1000, now);
    assert!(p.failure.is_none(), "{:?}", p.failure);
    assert_eq!(
        p.handshakes()[0].peer_properties.get(b"X-Big"),
        Some(&big[..])
    );
    // After the handshake the bound is gone: frames of any size flow.
    let body = vec![3u8; 4 * HANDSHAKE_FRAME_MAX];
    p.feed(&frame(0, &body), 10_000, now);
    assert!(p.failure.is_none(), "{:?}", p.failure);
    assert_eq!(p.messages()[0].data(), &body[..]);
    // One octet more of metadata is refused.
    let over = vec![b'v'; value_len + 1];
    let mut p = Peer::new(cfg(SocketType::Router), now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(
        &ready_frame(&[(b"Socket-Type", b"DEALER"), (b"X-Big", &over)]),
        1000,
        now,
    );
    refused_at_the_header(&p, "READY one octet over");
}

#[test]
fn curve_initiate_with_large_metadata_within_the_bound() {
    let now = Instant::now();
    for (value_len, ok) in [
        (HANDSHAKE_FRAME_MAX - 1000, true),
        (HANDSHAKE_FRAME_MAX, false),
    ] {
        let (sk, ck) = (keys(1), keys(2));
        let mut cc = curve_client(SocketType::Dealer, &ck, sk.public);
        cc.metadata = vec![("X-Big".into(), vec![b'm'; value_len])];
        let (mut c, mut s) = (
            Peer::new(cc, now),
            Peer::new(curve_server(SocketType::Router, &sk), now),
        );
        run(&mut c, &mut s, 1500, now);
        if !ok {
            refused_at_the_header(&s, "INITIATE over the bound");
            continue;
        }
        s.s.zap_reply(ZapVerdict::NoHandler, now).unwrap();
        run(&mut c, &mut s, 1500, now);
        assert!(
            c.failure.is_none() && s.failure.is_none(),
            "{:?} {:?}",
            c.failure,
            s.failure
        );
        assert_eq!(
            s.handshakes()[0]
                .peer_properties
                .get(b"X-Big")
                .map(<[u8]>::len),
            Some(value_len)
        );
    }
}

#[test]
fn maxmsgsize_below_the_bound_keeps_libzmqs_handling() {
    let now = Instant::now();
    let mut c = cfg(SocketType::Router);
    c.max_msg_size = 100;
    let mut p = Peer::new(c, now);
    p.feed(&v3_greeting(0, 1, b"NULL"), 64, now);
    p.feed(&long_header(0x04, 2 << 30), 1, now);
    let f = p.failure.expect("refused");
    assert_eq!((f.event, f.errno), (MonitorEvent::None, Error::EMSGSIZE));
}

//! PLAIN between two sessions and against scripted peers: ZAP outcomes,
//! captured bytes, every malformed command libzmq names.

use super::harness::*;
use super::wire_bytes::zap_reply;
use crate::msg;
use crate::proto::mechanism::{MechanismConfig, ZapVerdict};
use crate::proto::session::{Config, Event};
use crate::proto::{code, Failure, MonitorEvent, Reason};
use crate::types::SocketType;
use std::time::{Duration, Instant};

pub(super) fn plain_client(socket_type: SocketType, user: &[u8], pass: &[u8]) -> Config {
    let mut c = cfg(socket_type);
    c.mechanism = MechanismConfig::Plain {
        server: false,
        username: user.to_vec(),
        password: pass.to_vec(),
    };
    c.connecting = true;
    c
}

pub(super) fn plain_server(socket_type: SocketType) -> Config {
    let mut c = cfg(socket_type);
    c.mechanism = MechanismConfig::Plain {
        server: true,
        username: vec![],
        password: vec![],
    };
    c.peer_address = "127.0.0.1".into();
    c
}

/// The ZAP request a peer has raised, as frame bodies.
pub(super) fn zap_frames(p: &Peer) -> Option<Vec<Vec<u8>>> {
    p.events.iter().find_map(|e| match e {
        Event::ZapRequest(r) => Some(r.to_frames().iter().map(|m| m.data().to_vec()).collect()),
        _ => None,
    })
}

pub(super) fn auth_refusals(p: &Peer) -> Vec<i32> {
    p.events
        .iter()
        .filter_map(|e| {
            if let Event::AuthRefused(s) = e {
                Some(*s)
            } else {
                None
            }
        })
        .collect()
}

fn failed(p: &Peer, event: MonitorEvent) -> Failure {
    let f = p
        .failure
        .unwrap_or_else(|| panic!("expected failure {event:?}"));
    assert_eq!((f.event, f.reason), (event, Reason::Protocol), "{f:?}");
    f
}

/// A client and server that have exchanged HELLO; the server is waiting
/// for its ZAP handler.
fn at_zap(now: Instant) -> (Peer, Peer) {
    let (mut c, mut s) = (
        Peer::new(plain_client(SocketType::Dealer, b"alice", b"pw"), now),
        Peer::new(plain_server(SocketType::Router), now),
    );
    run(&mut c, &mut s, 1000, now);
    assert!(c.failure.is_none() && s.failure.is_none());
    (c, s)
}

#[test]
fn handshake_with_zap_200_then_traffic() {
    for chunk in [1usize, 5, 4096] {
        let now = Instant::now();
        let mut cc = plain_client(SocketType::Dealer, b"alice", b"pw");
        cc.routing_id = b"abc".to_vec();
        let mut sc = plain_server(SocketType::Router);
        sc.recv_routing_id = true;
        sc.zap_domain = b"global".to_vec();
        let (mut c, mut s) = (Peer::new(cc, now), Peer::new(sc, now));
        c.send(b"early", 0);
        run(&mut c, &mut s, chunk, now);
        let req = zap_frames(&s).expect("PLAIN always asks ZAP");
        let want: Vec<&[u8]> = vec![
            b"",
            b"1.0",
            b"1",
            b"global",
            b"127.0.0.1",
            b"",
            b"PLAIN",
            b"alice",
            b"pw",
        ];
        assert_eq!(req, want);
        assert!(c.handshakes().is_empty() && s.handshakes().is_empty());
        s.s.zap_reply(ZapVerdict::Reply(zap_reply(b"200", b"alice")), now)
            .unwrap();
        run(&mut c, &mut s, chunk, now);
        assert!(
            c.failure.is_none() && s.failure.is_none(),
            "{:?} {:?}",
            c.failure,
            s.failure
        );
        let hs = s.handshakes();
        assert_eq!(hs.len(), 1);
        assert_eq!(hs[0].user_id, b"alice");
        assert_eq!(hs[0].peer_routing_id.as_deref(), Some(&b"abc"[..]));
        let md = hs[0].metadata.clone().unwrap();
        assert_eq!(md.get("User-Id").unwrap().to_bytes(), b"alice");
        assert_eq!(md.get("Socket-Type").unwrap().to_bytes(), b"DEALER");
        assert_eq!(
            c.handshakes()[0]
                .metadata
                .clone()
                .unwrap()
                .get("Socket-Type")
                .unwrap()
                .to_bytes(),
            b"ROUTER"
        );
        c.send(b"a", msg::MORE);
        c.send(b"b", 0);
        s.send(b"back", 0);
        run(&mut c, &mut s, chunk, now);
        let got: Vec<&[u8]> = s.messages().iter().map(|m| m.data()).collect();
        assert_eq!(got, vec![&b"early"[..], b"a", b"b"]);
        assert!(s.messages()[1].more());
        assert_eq!(c.messages()[0].data(), b"back");
    }
}

#[test]
fn wire_bytes_match_libzmq_captures() {
    let now = Instant::now();
    let mut c = Peer::new(plain_client(SocketType::Dealer, b"alice", b"pw"), now);
    c.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
    let out = c.take_output();
    assert_eq!(&out[12..17], b"PLAIN");
    assert_eq!(&out[64..], b"\x04\x0F\x05HELLO\x05alice\x02pw");

    let mut s = Peer::new(plain_server(SocketType::Router), now);
    s.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
    s.feed(&frame(0x04, b"\x05HELLO\x05alice\x02pw"), 64, now);
    assert_eq!(s.take_output().len(), 64, "nothing before ZAP answers");
    s.s.zap_reply(ZapVerdict::Reply(zap_reply(b"200", b"")), now)
        .unwrap();
    assert_eq!(s.take_output(), b"\x04\x08\x07WELCOME");
}

#[test]
fn zap_400_and_500_send_libzmqs_malformed_error() {
    for (status, text) in [(400, b"400"), (500, b"500")] {
        let now = Instant::now();
        let (mut c, mut s) = at_zap(now);
        // As libzmq's server: AUTH(status) at once, the ERROR, then it
        // waits for the client to hang up.
        s.s.zap_reply(ZapVerdict::Reply(zap_reply(text, b"")), now)
            .unwrap();
        s.drain(now);
        assert_eq!(auth_refusals(&s), vec![status]);
        assert!(s.failure.is_none());
        let wire = s.take_output();
        let mut want = b"\x04\x09\x5ERROR\x03".to_vec();
        want.extend_from_slice(text);
        assert_eq!(wire, want, "5E 'RROR', as libzmq sends it");
        c.feed(&wire, 3, now);
        let f = failed(&c, MonitorEvent::Auth(status));
        assert!(!f.reconnects());
    }
}

#[test]
fn zap_300_reports_at_once_and_goes_quiet() {
    let now = Instant::now();
    let (mut c, mut s) = at_zap(now);
    s.s.zap_reply(ZapVerdict::Reply(zap_reply(b"300", b"")), now)
        .unwrap();
    s.drain(now);
    assert_eq!(auth_refusals(&s), vec![300]);
    assert!(s.failure.is_none());
    run(&mut c, &mut s, 64, now);
    assert!(c.failure.is_none() && s.failure.is_none() && c.handshakes().is_empty());
    // The handshake timer ends it, with no HANDSHAKE_FAILED_NO_DETAIL: as in
    // libzmq the mechanism is past handshaking.
    let later = now + Duration::from_millis(30_000);
    let f = s.s.on_timer(later).unwrap_err();
    assert_eq!((f.event, f.reason), (MonitorEvent::None, Reason::Timeout));
    assert!(f.handshaked);
    // The client only sees the close, and retries.
    let f = c.s.on_eof();
    assert_eq!(f.event, MonitorEvent::NoDetail(libc::EPIPE));
    assert!(f.reconnects());
    // An early close by the client is no handshake failure either.
    let (_, mut s) = at_zap(now);
    s.s.zap_reply(ZapVerdict::Reply(zap_reply(b"300", b"")), now)
        .unwrap();
    assert_eq!(s.s.on_eof().event, MonitorEvent::None);
}

#[test]
fn command_after_refusal_or_while_waiting_is_unspecified() {
    let now = Instant::now();
    let (_, mut s) = at_zap(now);
    s.feed(&frame(0x04, b"\x08INITIATE"), 64, now);
    failed(&s, MonitorEvent::Protocol(code::ZMTP_UNSPECIFIED));
    let (_, mut s) = at_zap(now);
    s.s.zap_reply(ZapVerdict::Reply(zap_reply(b"300", b"")), now)
        .unwrap();
    s.feed(&frame(0x04, b"\x08INITIATE"), 64, now);
    failed(&s, MonitorEvent::Protocol(code::ZMTP_UNSPECIFIED));
}

#[test]
fn no_zap_handler_is_efault_whatever_the_options() {
    for (domain, enforce) in [(&b""[..], false), (b"d", false), (b"d", true)] {
        let now = Instant::now();
        let mut sc = plain_server(SocketType::Router);
        sc.zap_domain = domain.to_vec();
        sc.zap_enforce_domain = enforce;
        let (mut c, mut s) = (
            Peer::new(plain_client(SocketType::Dealer, b"u", b"p"), now),
            Peer::new(sc, now),
        );
        run(&mut c, &mut s, 64, now);
        let f = s.s.zap_reply(ZapVerdict::NoHandler, now).unwrap_err();
        assert_eq!(
            (f.event, f.reason),
            (MonitorEvent::NoDetail(libc::EFAULT), Reason::Protocol)
        );
    }
}

#[test]
fn client_accepts_both_error_forms() {
    for (body, event) in [
        (&b"\x5ERROR\x03400"[..], MonitorEvent::Auth(400)),
        (b"\x05ERROR\x03500", MonitorEvent::Auth(500)),
        (b"\x05ERROR\x03300", MonitorEvent::Auth(300)),
        (b"\x05ERROR\x05nope!", MonitorEvent::None),
        (
            b"\x5ERROR",
            MonitorEvent::Protocol(code::ZMTP_MALFORMED_COMMAND_ERROR),
        ),
        (
            b"\x5ERROR\x04400",
            MonitorEvent::Protocol(code::ZMTP_MALFORMED_COMMAND_ERROR),
        ),
        (
            b"\x05ERROR",
            MonitorEvent::Protocol(code::ZMTP_MALFORMED_COMMAND_ERROR),
        ),
    ] {
        let now = Instant::now();
        let mut c = Peer::new(plain_client(SocketType::Dealer, b"u", b"p"), now);
        c.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
        c.feed(&frame(0x04, body), 64, now);
        failed(&c, event);
    }
}

/// A client that has its WELCOME (true) or not yet (false).
fn client_at(welcomed: bool, now: Instant) -> Peer {
    let mut c = Peer::new(plain_client(SocketType::Dealer, b"u", b"p"), now);
    c.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
    if welcomed {
        c.feed(&frame(0x04, b"\x07WELCOME"), 64, now);
        assert!(c.failure.is_none());
    }
    c.take_output();
    c
}

#[test]
fn client_checks_in_libzmq_order() {
    let now = Instant::now();
    let ready = |props: &[(&[u8], &[u8])]| ready_frame(props);
    let cases: Vec<(bool, Vec<u8>, MonitorEvent)> = vec![
        (
            false,
            frame(0x04, b"\x07WELCOMEx"),
            MonitorEvent::Protocol(code::ZMTP_MALFORMED_COMMAND_WELCOME),
        ),
        (
            true,
            frame(0x04, b"\x07WELCOME"),
            MonitorEvent::Protocol(code::ZMTP_UNEXPECTED_COMMAND),
        ),
        (
            false,
            ready(&[(b"Socket-Type", b"ROUTER")]),
            MonitorEvent::Protocol(code::ZMTP_UNEXPECTED_COMMAND),
        ),
        (
            true,
            frame(0x04, b"\x05READY\x03abc"),
            MonitorEvent::Protocol(code::ZMTP_INVALID_METADATA),
        ),
        (
            true,
            ready(&[(b"Socket-Type", b"PUB")]),
            MonitorEvent::Protocol(code::ZMTP_INVALID_METADATA),
        ),
        (
            false,
            frame(0x04, b"\x05HELLO\x00\x00"),
            MonitorEvent::Protocol(code::ZMTP_UNEXPECTED_COMMAND),
        ),
        (
            false,
            frame(0x04, b""),
            MonitorEvent::Protocol(code::ZMTP_UNEXPECTED_COMMAND),
        ),
        (
            false,
            frame(0x00, b"data"),
            MonitorEvent::Protocol(code::ZMTP_UNEXPECTED_COMMAND),
        ),
    ];
    for (i, (welcomed, input, event)) in cases.into_iter().enumerate() {
        let mut c = client_at(welcomed, now);
        c.feed(&input, 2, now);
        let f = c.failure.unwrap_or_else(|| panic!("case {i} did not fail"));
        assert_eq!(f.event, event, "case {i}");
    }
    // READY after WELCOME completes it, and INITIATE carried our metadata.
    let mut c = Peer::new(plain_client(SocketType::Dealer, b"u", b"p"), now);
    c.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
    c.take_output();
    c.feed(&frame(0x04, b"\x07WELCOME"), 64, now);
    let initiate = c.take_output();
    assert_eq!(&initiate[2..11], b"\x08INITIATE");
    assert_eq!(&initiate[11..23], b"\x0BSocket-Type");
    c.feed(&ready(&[(b"Socket-Type", b"ROUTER")]), 64, now);
    assert_eq!(c.handshakes().len(), 1);
}

#[test]
fn server_checks_hello_in_libzmq_order() {
    let now = Instant::now();
    let cases: [(&[u8], i32); 10] = [
        (b"", code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"\x05", code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"\x05HELL", code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"\x05HELLX", code::ZMTP_UNEXPECTED_COMMAND),
        (b"\x08INITIATE", code::ZMTP_UNEXPECTED_COMMAND),
        (b"\x05HELLO", code::ZMTP_MALFORMED_COMMAND_HELLO),
        (b"\x05HELLO\x05abc", code::ZMTP_MALFORMED_COMMAND_HELLO),
        (b"\x05HELLO\x03abc", code::ZMTP_MALFORMED_COMMAND_HELLO),
        (b"\x05HELLO\x03abc\x02p", code::ZMTP_MALFORMED_COMMAND_HELLO),
        (
            b"\x05HELLO\x03abc\x01pX",
            code::ZMTP_MALFORMED_COMMAND_HELLO,
        ),
    ];
    for (body, want) in cases {
        let mut s = Peer::new(plain_server(SocketType::Router), now);
        s.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
        s.feed(&frame(0x04, body), 64, now);
        failed(&s, MonitorEvent::Protocol(want));
        assert!(
            zap_frames(&s).is_none(),
            "{body:?}: no ZAP request for a bad HELLO"
        );
    }
    // Empty credentials are well formed.
    let mut s = Peer::new(plain_server(SocketType::Router), now);
    s.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
    s.feed(&frame(0x04, b"\x05HELLO\x00\x00"), 64, now);
    assert_eq!(zap_frames(&s).unwrap()[7..], [Vec::<u8>::new(), Vec::new()]);
}

#[test]
fn server_checks_initiate() {
    let now = Instant::now();
    let welcomed = || {
        let mut s = Peer::new(plain_server(SocketType::Router), now);
        s.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
        s.feed(&frame(0x04, b"\x05HELLO\x01u\x01p"), 64, now);
        s.s.zap_reply(ZapVerdict::Reply(zap_reply(b"200", b"")), now)
            .unwrap();
        s.take_output();
        s
    };
    let mut s = welcomed();
    s.feed(&frame(0x04, b"\x05READY"), 64, now);
    failed(&s, MonitorEvent::Protocol(code::ZMTP_UNEXPECTED_COMMAND));
    // Bad metadata and a wrong socket type: no detailed event, as libzmq.
    for body in [
        &b"\x08INITIATE\x03abc"[..],
        b"\x08INITIATE\x0BSocket-Type\x00\x00\x00\x03PUB",
    ] {
        let mut s = welcomed();
        s.feed(&frame(0x04, body), 64, now);
        failed(&s, MonitorEvent::None);
    }
    let mut s = welcomed();
    s.feed(
        &frame(0x04, b"\x08INITIATE\x0BSocket-Type\x00\x00\x00\x03REQ"),
        64,
        now,
    );
    assert_eq!(s.handshakes().len(), 1);
    let out = s.take_output();
    assert_eq!(&out[2..8], b"\x05READY");
}

#[test]
fn overlong_credentials_fail_instead_of_truncating() {
    let now = Instant::now();
    let mut c = Peer::new(plain_client(SocketType::Dealer, &[b'u'; 256], b"p"), now);
    c.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
    assert!(c.failure.is_some());
    let mut c = Peer::new(
        plain_client(SocketType::Dealer, &[b'u'; 255], &[b'p'; 255]),
        now,
    );
    c.feed(&v3_greeting(0, 1, b"PLAIN"), 64, now);
    assert!(c.failure.is_none());
    let out = c.take_output();
    assert_eq!(out[64], 0x06, "COMMAND | LONG: 518 octets");
}

#[test]
fn plain_refuses_a_null_peer() {
    let now = Instant::now();
    let (mut c, mut s) = (
        Peer::new(plain_client(SocketType::Dealer, b"u", b"p"), now),
        Peer::new(cfg(SocketType::Router), now),
    );
    run(&mut c, &mut s, 64, now);
    failed(&c, MonitorEvent::Protocol(code::ZMTP_MECHANISM_MISMATCH));
    failed(&s, MonitorEvent::Protocol(code::ZMTP_MECHANISM_MISMATCH));
    assert!(MechanismConfig::Plain {
        server: true,
        username: vec![],
        password: vec![]
    }
    .zap_enabled(b""));
}

//! The option rules, checked against what libzmq 4.3.4 does.

use super::*;
use crate::error::{Error, Result};

fn set_int(o: &mut Options, opt: i32, v: i32) -> Result<()> {
    o.set(opt, OptIn(&v.to_ne_bytes()))
}

#[test]
fn int_options_need_exact_size_and_range() {
    let mut o = Options::new(SocketType::Pair);
    assert_eq!(o.set(ZMQ_SNDHWM, OptIn(&[1, 0])), Err(Error::EINVAL));
    assert_eq!(set_int(&mut o, ZMQ_SNDHWM, -1), Err(Error::EINVAL));
    set_int(&mut o, ZMQ_SNDHWM, 5).unwrap();
    let mut buf = [0u8; 4];
    let mut len = 4;
    o.get(
        ZMQ_SNDHWM,
        &mut OptOut {
            buf: &mut buf,
            len: &mut len,
        },
    )
    .unwrap();
    assert_eq!(i32::from_ne_bytes(buf), 5);
    let mut big = [0u8; 8];
    let mut len = 8;
    assert!(o
        .get(
            ZMQ_SNDHWM,
            &mut OptOut {
                buf: &mut big,
                len: &mut len
            }
        )
        .is_err());
}

#[test]
fn routing_id_bounds() {
    let mut o = Options::new(SocketType::Pair);
    assert!(o.set(ZMQ_ROUTING_ID, OptIn(b"")).is_err());
    assert!(o.set(ZMQ_ROUTING_ID, OptIn(&[1u8; 256])).is_err());
    o.set(ZMQ_ROUTING_ID, OptIn(b"\0abc")).unwrap();
    assert_eq!(o.routing_id, b"\0abc");
}

#[test]
fn string_get_needs_room_for_nul() {
    let mut o = Options::new(SocketType::Pair);
    o.set(ZMQ_ZAP_DOMAIN, OptIn(b"global")).unwrap();
    let mut buf = [0u8; 6];
    let mut len = 6;
    assert!(o
        .get(
            ZMQ_ZAP_DOMAIN,
            &mut OptOut {
                buf: &mut buf,
                len: &mut len
            }
        )
        .is_err());
    let mut buf = [0u8; 7];
    let mut len = 7;
    o.get(
        ZMQ_ZAP_DOMAIN,
        &mut OptOut {
            buf: &mut buf,
            len: &mut len,
        },
    )
    .unwrap();
    assert_eq!(&buf, b"global\0");
}

#[test]
fn heartbeat_ttl_in_deciseconds() {
    let mut o = Options::new(SocketType::Pair);
    set_int(&mut o, ZMQ_HEARTBEAT_TTL, 5000).unwrap();
    assert_eq!(o.heartbeat_ttl, 50);
    assert!(set_int(&mut o, ZMQ_HEARTBEAT_TTL, 6_553_600).is_err());
}

/// As libzmq 4.3.4's options.cpp and socket_base.cpp (found by the
/// sockopt fuzz target against Debian's libzmq).
#[test]
fn rules_found_by_fuzzing_against_libzmq() {
    let mut o = Options::new(SocketType::Dealer);
    assert_eq!(o.set(ZMQ_ZAP_DOMAIN, OptIn(b"")), Err(Error::EINVAL));
    set_int(&mut o, ZMQ_HEARTBEAT_TTL, -99).unwrap();
    assert_eq!(o.heartbeat_ttl, 0);
    assert!(set_int(&mut o, ZMQ_HEARTBEAT_TTL, -100).is_err());
    set_int(&mut o, ZMQ_HEARTBEAT_TTL, 6_553_599).unwrap();
    // ZMQ_CONNECT_ROUTING_ID per socket type: socket::types::tests.
    // Z85 key text is read up to a NUL and decoded in place.
    let mut k = Options::new(SocketType::Dealer);
    k.set(ZMQ_CURVE_SECRETKEY, OptIn(&[7u8; 32])).unwrap();
    let mut text = [0u8; 40];
    text[..10].copy_from_slice(b"HelloWorld");
    k.set(ZMQ_CURVE_SECRETKEY, OptIn(&text)).unwrap();
    assert_eq!(
        k.curve_secret_key[..8],
        [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
    );
    assert_eq!(k.curve_secret_key[8..], [7u8; 24]);
    k.set(ZMQ_CURVE_SECRETKEY, OptIn(&[7u8; 32])).unwrap();
    let mut bad = [b'x'; 40];
    bad[..5].copy_from_slice(b"Hello");
    bad[5] = b'~';
    assert_eq!(k.set(ZMQ_CURVE_SECRETKEY, OptIn(&bad)), Err(Error::EINVAL));
    assert_eq!(
        k.curve_secret_key[..4],
        [0x86, 0x4F, 0xD2, 0x6F],
        "the group before the bad one is written"
    );
    assert_eq!(k.curve_secret_key[4..], [7u8; 28]);
}

#[test]
fn accept_filters() {
    let mut o = Options::new(SocketType::Pair);
    for ok in [
        &b"127.0.0.1"[..],
        b"10.0.0.0/8",
        b"13",
        b"10.1/8x",
        b"127/07\xd6",
        b"1.2.3.4\0junk",
    ] {
        o.set(ZMQ_TCP_ACCEPT_FILTER, OptIn(ok))
            .unwrap_or_else(|e| panic!("{ok:?}: {e:?}"));
    }
    assert_eq!(
        o.tcp_accept_filters.last().map(Vec::as_slice),
        Some(&b"1.2.3.4"[..])
    );
    for bad in [
        &b"10.0.0.0/33"[..],
        b"localhost",
        b"::1/128",
        b"\0",
        b"10.0.0.0/",
        b"1.2.3.\xd6",
    ] {
        assert_eq!(
            o.set(ZMQ_TCP_ACCEPT_FILTER, OptIn(bad)),
            Err(Error::EINVAL),
            "{bad:?}"
        );
    }
    o.ipv6 = true;
    o.set(ZMQ_TCP_ACCEPT_FILTER, OptIn(b"::1/128")).unwrap();
    o.set(ZMQ_TCP_ACCEPT_FILTER, OptIn(b"")).unwrap();
    assert!(o.tcp_accept_filters.is_empty());
}

#[test]
fn socks_credentials_take_empty_as_unset_and_at_most_255_octets() {
    // libzmq 4.3.4 (and Debian's build of it): an empty username or
    // password clears it; upstream test_socks sets "" and expects 0.
    let mut o = Options::new(SocketType::Sub);
    for opt in [ZMQ_SOCKS_USERNAME, ZMQ_SOCKS_PASSWORD] {
        o.set(opt, OptIn(b"someone")).unwrap();
        o.set(opt, OptIn(b"")).unwrap();
        o.set(opt, OptIn(&[b'a'; 255])).unwrap();
        assert_eq!(o.set(opt, OptIn(&[b'a'; 256])), Err(Error::EINVAL));
    }
    assert_eq!(o.socks_username, [b'a'; 255]);
    o.set(ZMQ_SOCKS_USERNAME, OptIn(b"")).unwrap();
    assert!(o.socks_username.is_empty());
    // The proxy has no length limit; NULL (empty here) clears it.
    o.set(ZMQ_SOCKS_PROXY, OptIn(&[b'h'; 300])).unwrap();
    o.set(ZMQ_SOCKS_PROXY, OptIn(b"")).unwrap();
    assert!(o.socks_proxy.is_empty());
    assert!(NULL_CLEARS_EMPTY_INVALID.contains(&ZMQ_SOCKS_PROXY));
    assert!(!NULL_CLEARS_EMPTY_INVALID.contains(&ZMQ_SOCKS_USERNAME));
}

#[test]
fn wss_options_are_write_only_and_taken_as_given() {
    // libzmq 4.3.4 (checked against its build with wss): the four texts
    // take any octets, empty included, and keep the last value; the
    // trust flag is a strict 0/1 int; zmq_getsockopt knows none of them.
    let mut o = Options::new(SocketType::Req);
    let texts = [
        ZMQ_WSS_KEY_PEM,
        ZMQ_WSS_CERT_PEM,
        ZMQ_WSS_TRUST_PEM,
        ZMQ_WSS_HOSTNAME,
    ];
    for opt in texts {
        o.set(opt, OptIn(&[0xFF; 70_000])).unwrap();
        o.set(opt, OptIn(b"")).unwrap();
        o.set(opt, OptIn(b"-----BEGIN junk\0")).unwrap();
    }
    assert_eq!(o.wss_key_pem, b"-----BEGIN junk\0");
    assert_eq!(o.wss_hostname, b"-----BEGIN junk\0");
    set_int(&mut o, ZMQ_WSS_TRUST_SYSTEM, 1).unwrap();
    assert!(o.wss_trust_system);
    assert_eq!(set_int(&mut o, ZMQ_WSS_TRUST_SYSTEM, 2), Err(Error::EINVAL));
    assert_eq!(
        o.set(ZMQ_WSS_TRUST_SYSTEM, OptIn(&1i64.to_ne_bytes())),
        Err(Error::EINVAL)
    );
    assert!(o.wss_trust_system);
    set_int(&mut o, ZMQ_WSS_TRUST_SYSTEM, 0).unwrap();
    assert!(!o.wss_trust_system);
    for opt in texts.into_iter().chain([ZMQ_WSS_TRUST_SYSTEM]) {
        for size in [4, 8, 256, 70_000] {
            let mut buf = vec![0u8; size];
            let mut len = size;
            let out = &mut OptOut {
                buf: &mut buf,
                len: &mut len,
            };
            assert_eq!(o.get(opt, out), Err(Error::EINVAL), "{opt}, {size}");
        }
    }
    // Not among the options whose NULL and empty values differ.
    for opt in texts {
        assert!(!NULL_CLEARS_EMPTY_INVALID.contains(&opt));
    }
}

use super::*;

fn v4(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[test]
fn a_unicast_bind_is_the_local_address_and_a_connect_the_destination() {
    let b = resolve("127.0.0.1:5556", true, false).unwrap();
    assert_eq!(
        (b.local, b.target),
        (v4("127.0.0.1:5556"), v4("127.0.0.1:5556"))
    );
    assert!(!b.multicast);
    assert_eq!(
        b.text, "127.0.0.1:5556",
        "LAST_ENDPOINT is the text as given"
    );

    let c = resolve("127.0.0.1:5556", false, false).unwrap();
    assert_eq!(
        (c.local, c.target),
        (v4("0.0.0.0:5556"), v4("127.0.0.1:5556"))
    );
    assert_eq!(c.interface, Some(0));

    let any = resolve("*:5556", true, false).unwrap();
    assert_eq!(any.local, v4("0.0.0.0:5556"));
    let any6 = resolve("*:5556", true, true).unwrap();
    assert_eq!(any6.local, "[::]:5556".parse().unwrap());
    // An ephemeral port: `*` binds port 0 and is reported as given.
    let eph = resolve("*:*", true, false).unwrap();
    assert_eq!((eph.local.port(), eph.text.as_str()), (0, "*:*"));
}

#[test]
fn a_multicast_group_is_the_target_on_both_sides() {
    for bind in [true, false] {
        let m = resolve("239.0.0.1:5555", bind, false).unwrap();
        assert!(m.multicast);
        assert_eq!(
            (m.local, m.target),
            (v4("0.0.0.0:5555"), v4("239.0.0.1:5555"))
        );
        assert_eq!(m.interface, Some(0));
    }
    let m6 = resolve("[ff02::7a65:726f:6df1:a01]:5555", true, true).unwrap();
    assert!(m6.multicast && m6.local.is_ipv6());
    assert_eq!(m6.local.port(), 5555);
}

#[test]
fn an_interface_names_where_the_group_is_joined() {
    let m = resolve("lo;239.0.0.1:5555", true, false).unwrap();
    assert_eq!(
        (m.local, m.target),
        (v4("127.0.0.1:5555"), v4("239.0.0.1:5555"))
    );
    assert_eq!(m.interface, Some(nic::interface_index("lo")));
    let star = resolve("*;239.0.0.1:5555", false, false).unwrap();
    assert_eq!((star.local, star.interface), (v4("0.0.0.0:5555"), Some(0)));
    // A literal source has no index (fine for IPv4, which joins by address).
    let lit = resolve("127.0.0.1;239.0.0.1:5555", true, false).unwrap();
    assert_eq!((lit.local, lit.interface), (v4("127.0.0.1:5555"), None));
}

#[test]
fn errnos_are_libzmqs() {
    let e = |s: &str, bind: bool, ipv6: bool| resolve(s, bind, ipv6).err();
    // No port, a bad port, `*` where a destination is needed.
    assert_eq!(e("127.0.0.1", true, false), Some(Error::EINVAL));
    assert_eq!(e("127.0.0.1:x", false, false), Some(Error::EINVAL));
    assert_eq!(e("127.0.0.1:*", false, false), Some(Error::EINVAL));
    // An interface needs a multicast target; a source cannot be multicast.
    assert_eq!(e("lo;127.0.0.1:5555", true, false), Some(Error::EINVAL));
    assert_eq!(
        e("239.0.0.2;239.0.0.1:5555", true, false),
        Some(Error::EINVAL)
    );
    // Binding a name that is neither an interface nor a literal.
    assert_eq!(e("no-such-if0:5555", true, false), Some(Error::ENODEV));
    assert_eq!(
        e("no-such-if0;239.0.0.1:5555", true, false),
        Some(Error::ENODEV)
    );
    // IPv6 multicast needs an interface index: a literal source has none.
    assert_eq!(e("::1;[ff02::1]:5555", true, true), Some(Error::ENODEV));
}

#[test]
fn peer_text_is_what_libzmq_writes_with_its_nul() {
    assert_eq!(peer_text(&v4("127.0.0.1:5560")), b"127.0.0.1:5560\0");
    let mapped: SocketAddr = "[::ffff:10.1.2.3]:7".parse().unwrap();
    assert_eq!(peer_text(&mapped), b"10.1.2.3:7\0");
    let six: SocketAddr = "[::1]:9".parse().unwrap();
    assert_eq!(peer_text(&six), b"[::1]:9\0");
}

#[test]
fn address_frames_parse_as_libzmq_reads_them() {
    let p = |s: &[u8]| parse_peer(s, false);
    assert_eq!(p(b"127.0.0.1:5559"), Some(v4("127.0.0.1:5559")));
    // The NUL a received frame carries, and inet_addr's short forms.
    assert_eq!(p(b"127.0.0.1:5559\0"), Some(v4("127.0.0.1:5559")));
    assert_eq!(p(b"127.1:80"), Some(v4("127.0.0.1:80")));
    // atoi ports: junk after the digits ignored, 16-bit truncation.
    assert_eq!(p(b"127.0.0.1:80x"), Some(v4("127.0.0.1:80")));
    assert_eq!(p(b"127.0.0.1:70000"), Some(v4("127.0.0.1:4464")));
    // inet_aton stops at a blank.
    assert_eq!(p(b"127.0.0.1 junk:80"), Some(v4("127.0.0.1:80")));
    for bad in [
        &b""[..],
        b"127.0.0.1",
        b"127.0.0.1:0",
        b"127.0.0.1:",
        b"127.0.0.1:-0",
        b"localhost:80",
        b"255.255.255.255:80",
        b"1.2.3.4.5:80",
        b":80",
        b"[::1]:80",
        b"\xff\xfe:80",
    ] {
        assert_eq!(p(bad), None, "{:?}", String::from_utf8_lossy(bad));
    }
    // On an IPv6 socket: IPv4 as mapped, IPv6 in brackets, numeric zones.
    assert_eq!(
        parse_peer(b"127.0.0.1:5", true),
        Some("[::ffff:127.0.0.1]:5".parse().unwrap())
    );
    assert_eq!(
        parse_peer(b"[::1]:5\0", true),
        Some("[::1]:5".parse().unwrap())
    );
    let z = parse_peer(b"[fe80::1%3]:5", true).unwrap();
    assert!(matches!(z, SocketAddr::V6(a) if a.scope_id() == 3));
    assert_eq!(parse_peer(b"[fe80::1%eth0]:5", true), None);
    assert_eq!(parse_peer(b"[nope]:5", true), None);
}

#[test]
fn what_peer_text_writes_parses_back() {
    for a in ["1.2.3.4:1", "255.255.255.254:65535"] {
        assert_eq!(parse_peer(&peer_text(&v4(a)), false), Some(v4(a)));
    }
    for a in ["[::1]:5", "[2001:db8::7]:65535", "[fe80::1%4]:9"] {
        let a: SocketAddr = a.parse().unwrap();
        assert_eq!(parse_peer(&peer_text(&a), true), Some(a));
    }
}

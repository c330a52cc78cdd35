//! Expected results were taken from Debian's libzmq 4.3.4 through
//! python3-zmq (bind + ZMQ_LAST_ENDPOINT, or the errno of the failed call).

use super::*;

fn bind_text(addr: &str, ipv6: bool) -> std::result::Result<String, i32> {
    resolve_bind(addr, ipv6)
        .map(|a| endpoint_string(&a.addr))
        .map_err(Error::errno)
}

const EINVAL: i32 = libc::EINVAL;
const ENODEV: i32 = libc::ENODEV;

#[test]
fn bind_addresses_as_libzmq() {
    let table: &[(&str, bool, std::result::Result<&str, i32>)] = &[
        ("*:*", false, Ok("tcp://0.0.0.0:0")),
        ("*:0", false, Ok("tcp://0.0.0.0:0")),
        ("*:5555", false, Ok("tcp://0.0.0.0:5555")),
        ("[*]:*", false, Ok("tcp://0.0.0.0:0")),
        (":*", false, Err(ENODEV)),
        ("127.0.0.1:0", false, Ok("tcp://127.0.0.1:0")),
        ("127.0.0.1", false, Err(EINVAL)),
        ("127.0.0.1:", false, Err(EINVAL)),
        ("127.0.0.1:abc", false, Err(EINVAL)),
        ("127.0.0.1:-1", false, Ok("tcp://127.0.0.1:65535")),
        ("127.0.0.1:70000", false, Ok("tcp://127.0.0.1:4464")),
        ("127.0.0.1:65536", false, Err(EINVAL)),
        ("127.0.0.1: 45123", false, Ok("tcp://127.0.0.1:45123")),
        ("127.0.0.1:45124x", false, Ok("tcp://127.0.0.1:45124")),
        ("127.0.0.1:*%", false, Err(EINVAL)),
        ("localhost:*", false, Err(ENODEV)),
        ("localhost:*", true, Err(ENODEV)),
        ("lo:*", false, Ok("tcp://127.0.0.1:0")),
        ("nosuchif0:*", false, Err(ENODEV)),
        ("[::1]:*", false, Err(ENODEV)),
        ("::1:*", false, Err(ENODEV)),
        ("[127.0.0.1]:*", false, Ok("tcp://127.0.0.1:0")),
        ("1.2.3.4:*", false, Ok("tcp://1.2.3.4:0")),
        ("*", false, Err(EINVAL)),
        (":", false, Err(EINVAL)),
        ("[::1%lo]:*", false, Err(ENODEV)),
        ("[::1%]:*", false, Err(EINVAL)),
        ("[fe80::1%nosuch]:*", false, Err(EINVAL)),
        ("127.1:*", false, Ok("tcp://127.0.0.1:0")),
        ("*;127.0.0.1:*", false, Err(EINVAL)),
        ("*:*", true, Ok("tcp://[::]:0")),
        ("[::1]:*", true, Ok("tcp://[::1]:0")),
        ("::1:*", true, Ok("tcp://[::1]:0")),
        ("127.0.0.1:*", true, Ok("tcp://[::ffff:127.0.0.1]:0")),
        ("lo:*", true, Ok("tcp://[::1]:0")),
        ("[::]:*", true, Ok("tcp://[::]:0")),
        (
            "[::ffff:127.0.0.1]:*",
            true,
            Ok("tcp://[::ffff:127.0.0.1]:0"),
        ),
        ("", false, Err(EINVAL)),
        ("[]:5", false, Err(ENODEV)),
        ("[:5", false, Err(ENODEV)),
        ("%:5", false, Err(EINVAL)),
        ("\u{e9}:5", false, Err(ENODEV)),
    ];
    for &(addr, ipv6, want) in table {
        assert_eq!(
            bind_text(addr, ipv6),
            want.map(str::to_string),
            "bind {addr:?} ipv6={ipv6}"
        );
    }
}

#[test]
fn zone_ids_become_scope_ids() {
    let lo = nic::interface_index("lo");
    let a = resolve_bind("[fe80::1%lo]:5", true).unwrap().addr;
    assert_eq!(
        a,
        SocketAddr::V6(SocketAddrV6::new("fe80::1".parse().unwrap(), 5, 0, lo))
    );
    assert_eq!(endpoint_string(&a), "tcp://[fe80::1%lo]:5");
    let a = resolve_bind("[fe80::1%7]:5", true).unwrap().addr;
    assert_eq!(
        a,
        SocketAddr::V6(SocketAddrV6::new("fe80::1".parse().unwrap(), 5, 0, 7))
    );
    assert_eq!(resolve_bind("[fe80::1%0]:5", true), Err(Error::EINVAL));
    // An IPv4 result ignores the zone.
    assert_eq!(
        bind_text("127.0.0.1%1:5", false),
        Ok("tcp://127.0.0.1:5".into())
    );
}

#[test]
fn connect_syntax_as_zmq_connect() {
    let ok = [
        "127.0.0.1:0",
        "localhost:5555",
        "nosuch.invalid:5555",
        "[::1]:5555",
        "127.0.0.1:5x",
        ":5555",
        "127.0.0.1:5555;127.0.0.1:5556",
        "a_b:5555",
        "[::1%lo]:5555",
        "a:::5",
    ];
    for a in ok {
        assert_eq!(check_connect_syntax(a), Ok(()), "{a:?}");
    }
    let bad = [
        "127.0.0.1:*",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:x5",
        "-a:5555",
        "a b:5555",
        "*:5555",
        "a/b:5555",
        "_x:5555",
        "\u{e9}:5555",
        "a:5555:",
        "",
        "*:*;127.0.0.1:5556",
    ];
    for a in bad {
        assert_eq!(check_connect_syntax(a), Err(Error::EINVAL), "{a:?}");
    }
}

#[test]
fn connect_addresses_resolve_late() {
    let a = resolve_connect("127.0.0.1:5555", false).unwrap();
    assert_eq!(
        a,
        TcpAddress {
            addr: "127.0.0.1:5555".parse().unwrap(),
            source: None
        }
    );
    // Port 0 is a (useless) connect target; `*` is not.
    assert_eq!(
        resolve_connect("127.0.0.1:0", false).unwrap().addr.port(),
        0
    );
    assert_eq!(resolve_connect("127.0.0.1:*", false), Err(Error::EINVAL));
    // No interfaces and no wildcard on the connect side; failures are EINVAL.
    assert_eq!(resolve_connect("lo:5555", false), Err(Error::EINVAL));
    assert_eq!(resolve_connect("*:5555", false), Err(Error::EINVAL));
    assert_eq!(resolve_connect("[::1]:5555", false), Err(Error::EINVAL));
    assert_eq!(resolve_connect(":5555", false), Err(Error::EINVAL));
    let a = resolve_connect("[::1]:5555", true).unwrap().addr;
    assert_eq!(endpoint_string(&a), "tcp://[::1]:5555");
    let a = resolve_connect("127.0.0.1:5555", true).unwrap().addr;
    assert_eq!(endpoint_string(&a), "tcp://[::ffff:127.0.0.1]:5555");
    // DNS: localhost is in /etc/hosts everywhere.
    let a = resolve_connect("localhost:5555", false).unwrap().addr;
    assert_eq!(a, "127.0.0.1:5555".parse().unwrap());
    assert!(resolve_connect("localhost:5555", true)
        .unwrap()
        .addr
        .is_ipv6());
    assert_eq!(
        resolve_connect("nosuch.invalid:5555", false),
        Err(Error::EINVAL)
    );
}

#[test]
fn source_addresses() {
    let a = resolve_connect("127.0.0.1:*;127.0.0.1:5556", false).unwrap();
    assert_eq!(a.source, Some("127.0.0.1:0".parse().unwrap()));
    assert_eq!(a.addr, "127.0.0.1:5556".parse().unwrap());
    let a = resolve_connect("*:4000;127.0.0.1:5556", false).unwrap();
    assert_eq!(a.source, Some("0.0.0.0:4000".parse().unwrap()));
    let a = resolve_connect("lo:0;localhost:5556", false).unwrap();
    assert_eq!(a.source, Some("127.0.0.1:0".parse().unwrap()));
    // The source never goes to DNS, and unknown names are ENODEV.
    assert_eq!(
        resolve_connect("localhost:1;127.0.0.1:5556", false),
        Err(Error::ENODEV)
    );
    assert_eq!(
        resolve_connect("127.0.0.1;127.0.0.1:5556", false),
        Err(Error::EINVAL)
    );
    // The last ';' splits.
    assert_eq!(
        resolve_connect("a;127.0.0.1:1;127.0.0.1:5556", false),
        Err(Error::ENODEV)
    );
}

#[test]
fn unbind_keys_as_libzmq() {
    let bound = ["tcp://127.0.0.1:41967", "tcp://0.0.0.0:39613"];
    let known = |s: &str| bound.contains(&s);
    let key = |u: &str| term_endpoint_key(u, false, known);
    assert_eq!(key("tcp://localhost:41967"), "tcp://127.0.0.1:41967");
    assert_eq!(key("tcp://127.1:41967"), "tcp://127.0.0.1:41967");
    assert_eq!(key("tcp://0.0.0.0:39613"), "tcp://0.0.0.0:39613");
    // Not found by libzmq either (ENOENT).
    assert!(!known(&key("tcp://*:39613")));
    assert!(!known(&key("tcp://lo:41967")));
    assert_eq!(key("inproc://x"), "inproc://x");
    let v6 = ["tcp://[::ffff:127.0.0.1]:46667"];
    assert_eq!(
        term_endpoint_key("tcp://127.0.0.1:46667", true, |s| v6.contains(&s)),
        v6[0]
    );
}

#[test]
fn no_panic_on_odd_input() {
    for s in [
        "[",
        "]",
        "[]",
        ":",
        "::",
        "%",
        "[%]:1",
        ";",
        ";;:1",
        "\u{1f600}:1",
        "[\u{e9}]:1",
        "a%\u{e9}:1",
    ] {
        let _ = resolve_bind(s, false);
        let _ = resolve_bind(s, true);
        let _ = check_connect_syntax(s);
        let _ = term_endpoint_key(s, false, |_| false);
    }
}

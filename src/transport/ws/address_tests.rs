//! Expected results are libzmq 4.3.4's with ws (tools/build-ref-libzmq):
//! ZMQ_LAST_ENDPOINT after zmq_bind (ports 0 here, where the real bind
//! shows the port it got), or the errno of the failed call.

use super::*;

const EINVAL: i32 = libc::EINVAL;
const ENODEV: i32 = libc::ENODEV;

fn bind_text(scheme: Scheme, addr: &str, ipv6: bool) -> std::result::Result<String, i32> {
    resolve_for_bind(addr, ipv6)
        .map(|b| endpoint_string(scheme, &b.tcp.addr, &b.path))
        .map_err(Error::errno)
}

#[test]
fn bind_addresses_as_libzmq() {
    let table: &[(&str, bool, std::result::Result<&str, i32>)] = &[
        ("*:*/roundtrip", false, Ok("ws://0.0.0.0:0/roundtrip")),
        ("*:*", false, Ok("ws://0.0.0.0:0/")),
        ("127.0.0.1:*", false, Ok("ws://127.0.0.1:0/")),
        ("127.0.0.1:5555/", false, Ok("ws://127.0.0.1:5555/")),
        ("127.0.0.1:5555/a/b", false, Ok("ws://127.0.0.1:5555/b")),
        ("127.0.0.1:5555x/p", false, Ok("ws://127.0.0.1:5555/p")),
        ("127.0.0.1:5555/p:q", false, Ok("ws://127.0.0.1:5555/p:q")),
        ("127.0.0.1:*/a/b", false, Err(EINVAL)),
        ("127.0.0.1:0/a/b", false, Err(EINVAL)),
        ("127.0.0.1", false, Err(EINVAL)),
        ("127.0.0.1:/x", false, Err(EINVAL)),
        ("127.0.0.1:abc", false, Err(EINVAL)),
        ("/x:5", false, Err(EINVAL)),
        ("", false, Err(EINVAL)),
        ("localhost:5555", false, Err(ENODEV)),
        ("lo:*/x", false, Ok("ws://127.0.0.1:0/x")),
        ("[::1]:*", false, Err(ENODEV)),
        ("[::1]:*", true, Ok("ws://[::1]:0/")),
        ("*:*", true, Ok("ws://[::]:0/")),
        ("127.0.0.1:*", true, Ok("ws://[::ffff:127.0.0.1]:0/")),
    ];
    for (addr, ipv6, want) in table {
        let got = bind_text(Scheme::Ws, addr, *ipv6);
        assert_eq!(
            got.as_deref(),
            want.as_deref(),
            "bind ws://{addr} ipv6={ipv6}"
        );
    }
    assert_eq!(
        bind_text(Scheme::Wss, "127.0.0.1:*/s", false).as_deref(),
        Ok("wss://127.0.0.1:0/s")
    );
}

#[test]
fn connect_addresses_as_libzmq() {
    let ok = |addr: &str, ipv6: bool| resolve_for_connect(addr, ipv6).expect(addr);
    let a = ok("127.0.0.1:5555/path", false);
    assert_eq!((a.host.as_str(), a.path.as_str()), ("127.0.0.1", "/path"));
    assert_eq!(a.addr, "127.0.0.1:5555".parse().unwrap());
    let a = ok("127.0.0.1:5555", false);
    assert_eq!((a.host.as_str(), a.path.as_str()), ("127.0.0.1", "/"));
    let a = ok("[::1]:80/x", true);
    assert_eq!((a.host.as_str(), a.path.as_str()), ("[::1]", "/x"));
    assert_eq!(a.addr, "[::1]:80".parse().unwrap());
    // Port 0 may be connected to; `*` may not.
    assert_eq!(ok("127.0.0.1:0", false).addr.port(), 0);
    let err = |addr: &str, ipv6: bool| resolve_for_connect(addr, ipv6).map_err(Error::errno).err();
    assert_eq!(err("127.0.0.1:*", false), Some(EINVAL));
    assert_eq!(err("127.0.0.1", false), Some(EINVAL));
    assert_eq!(err("[::1]:80", false), Some(EINVAL));
    assert_eq!(err("lo:80", false), Some(EINVAL));
    assert_eq!(err("*:80", false), Some(EINVAL));
    // The Host header keeps whatever came before the last colon, path and all.
    let a = ok("127.0.0.1:5555/a:1", false);
    assert_eq!(
        (a.host.as_str(), a.path.as_str()),
        ("127.0.0.1:5555/a", "/a:1")
    );
}

#[test]
fn the_connecter_dials_the_whole_text_with_tcps_rules() {
    // libzmq's ws_connecter opens its tcp socket on the address with the
    // path still on: atoi stops at the slash.
    let t = crate::transport::tcp::address::resolve_connect("127.0.0.1:5555/path", false).unwrap();
    assert_eq!(t.addr, "127.0.0.1:5555".parse().unwrap());
}

//! The handshake driven over a real (non-blocking) socket pair, the proxy's
//! end played by the test.

use super::*;
use socket2::{Domain, Type};
use std::io::Write;

fn pair() -> (Socket, Socket) {
    let (ours, proxy) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    ours.set_nonblocking(true).unwrap();
    (ours, proxy)
}

fn read_exact(s: &Socket, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    let mut got = 0;
    let mut r = s;
    while got < n {
        let k = r.read(&mut buf[got..]).unwrap();
        assert!(k > 0, "closed after {got} of {n}");
        got += k;
    }
    buf
}

#[test]
fn the_prelude_waits_for_each_reply_and_leaves_the_peers_octets() {
    let (ours, proxy) = pair();
    let mut p = SocksPrelude {
        client: Client::new("somedomainname.org:5555", b"u", b"p"),
    };
    assert_eq!(p.step(&ours), PreludeStatus::Readable);
    assert_eq!(read_exact(&proxy, 3), [5, 1, 2]);
    (&proxy).write_all(&[5]).unwrap();
    assert_eq!(p.step(&ours), PreludeStatus::Readable, "half a choice");
    (&proxy).write_all(&[2]).unwrap();
    assert_eq!(p.step(&ours), PreludeStatus::Readable);
    assert_eq!(read_exact(&proxy, 5), b"\x01\x01u\x01p");
    (&proxy).write_all(&[1, 0]).unwrap();
    assert_eq!(p.step(&ours), PreludeStatus::Readable);
    assert_eq!(
        read_exact(&proxy, 25),
        b"\x05\x01\x00\x03\x12somedomainname.org\x15\xb3"
    );
    // The reply and the peer's greeting in one write.
    (&proxy)
        .write_all(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x50\xff\x00")
        .unwrap();
    assert_eq!(p.step(&ours), PreludeStatus::Done);
    assert_eq!(read_exact(&ours_blocking(&ours), 2), [0xff, 0]);
}

fn ours_blocking(s: &Socket) -> Socket {
    let s = s.try_clone().unwrap();
    s.set_nonblocking(false).unwrap();
    s
}

#[test]
fn a_proxy_that_hangs_up_or_refuses_fails_the_prelude() {
    let (ours, proxy) = pair();
    let mut p = SocksPrelude {
        client: Client::new("127.0.0.1:5555", b"", b""),
    };
    assert_eq!(p.step(&ours), PreludeStatus::Readable);
    drop(proxy);
    assert_eq!(p.step(&ours), PreludeStatus::Failed(Error::ECONNRESET));

    let (ours, proxy) = pair();
    let mut p = SocksPrelude {
        client: Client::new("127.0.0.1:5555", b"", b""),
    };
    p.step(&ours);
    (&proxy).write_all(&[5, 0]).unwrap();
    assert_eq!(p.step(&ours), PreludeStatus::Readable);
    read_exact(&proxy, 3 + 10);
    (&proxy).write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap();
    assert_eq!(p.step(&ours), PreludeStatus::Failed(Error::ECONNREFUSED));
}

#[test]
fn a_full_socket_makes_the_prelude_wait_to_write() {
    let (ours, proxy) = pair();
    ours.set_send_buffer_size(4096).unwrap();
    // Fill our side until it would block.
    let junk = [0u8; 4096];
    while ours.send_with_flags(&junk, libc::MSG_NOSIGNAL).is_ok() {}
    let mut p = SocksPrelude {
        client: Client::new("127.0.0.1:5555", b"", b""),
    };
    assert_eq!(p.step(&ours), PreludeStatus::Writable);
    drop(proxy);
}

#[test]
fn monitor_events_name_the_proxy_and_no_connect_limits_apply() {
    let cfg = SocksConfig {
        proxy: "127.0.0.1:1080".into(),
        ..SocksConfig::default()
    };
    assert_eq!(
        connect_policy(&cfg),
        ConnectPolicy {
            remote: "tcp://127.0.0.1:1080".into(),
            timeout: false,
            stop_on_refusal: false,
        }
    );
    let tcp: &dyn crate::transport::Transport = &crate::transport::tcp::Tcp;
    let with = Config {
        socks: cfg,
        ..Config::default()
    };
    assert_eq!(
        tcp.connect_policy("tcp://h:1", &with),
        connect_policy(&with.socks)
    );
    assert!(
        tcp.connect_policy("tcp://h:1", &Config::default())
            .stop_on_refusal
    );
}

#[test]
fn a_proxied_dial_goes_to_the_proxy_with_a_prelude() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let cfg = Config {
        socks: SocksConfig {
            proxy: l.local_addr().unwrap().to_string(),
            ..SocksConfig::default()
        },
        ..Config::default()
    };
    // The endpoint is not resolved here: a name that does not resolve is
    // the proxy's business.
    let tcp: &dyn crate::transport::Transport = &crate::transport::tcp::Tcp;
    let d = tcp
        .connect_start("no.such.name.invalid:5555", &cfg)
        .unwrap();
    assert!(d.prelude.is_some());
    let (_conn, from) = l.accept().unwrap();
    assert_eq!(
        d.socket.local_addr().unwrap().as_socket(),
        Some(from),
        "the socket is connected to the proxy"
    );
    let bad = Config {
        socks: SocksConfig {
            proxy: "no-port".into(),
            ..SocksConfig::default()
        },
        ..Config::default()
    };
    assert_eq!(tcp.connect_start("h:1", &bad).err(), Some(Error::EINVAL));
}

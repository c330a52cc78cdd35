//! Real loopback sockets. Endpoint formats were checked against Debian's
//! libzmq 4.3.4 (python3-zmq): `tcp://0.0.0.0:P`, `tcp://[::]:P`,
//! `tcp://[::ffff:127.0.0.1]:P`, EADDRNOTAVAIL for a foreign address,
//! ENODEV for an unknown ZMQ_BINDTODEVICE.

use super::*;
use crate::transport::peer::{get_int_option, peer_address_text};
use crate::transport::tcp::address::term_endpoint_key;
use std::os::fd::AsRawFd;
use std::time::Duration;

fn opts() -> TcpConfig {
    TcpConfig::default()
}

fn port_of(endpoint: &str) -> u16 {
    endpoint.rsplit(':').next().unwrap().parse().unwrap()
}

fn has_ipv6_loopback() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

/// Waits until `sock` is writable (a non-blocking connect has finished).
fn wait_writable(sock: &Socket) {
    let mut p = libc::pollfd {
        fd: sock.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd, for the duration of the call.
    let n = unsafe { libc::poll(&mut p, 1, 5000) };
    assert_eq!(n, 1, "connect did not finish");
}

/// Connects to `endpoint` and returns both ends, established.
fn connect_pair(l: &TcpListener, o: &TcpConfig) -> (Socket, Socket, SocketAddr) {
    let target = format!("127.0.0.1:{}", port_of(l.endpoint()));
    let c = connect_start(&target, o).unwrap();
    if c.in_progress {
        wait_writable(&c.socket);
    }
    connect_finish(&c.socket, o).unwrap();
    for _ in 0..500 {
        match l.accept(o) {
            Ok(Some((s, peer))) => return (c.socket, s, peer),
            Ok(None) => panic!("filtered"),
            Err(e) if e == Error::EAGAIN => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("{e:?}"),
        }
    }
    panic!("nothing to accept");
}

#[test]
fn ephemeral_binds_report_the_real_port() {
    let o = opts();
    let l = TcpListener::bind("127.0.0.1:*", &o).unwrap();
    assert!(
        l.endpoint().starts_with("tcp://127.0.0.1:"),
        "{}",
        l.endpoint()
    );
    assert_ne!(port_of(l.endpoint()), 0);
    assert!(l.socket().reuse_address().unwrap());
    assert!(l.socket().nonblocking().unwrap());
    let l = TcpListener::bind("*:0", &o).unwrap();
    assert!(
        l.endpoint().starts_with("tcp://0.0.0.0:"),
        "{}",
        l.endpoint()
    );
    let l = TcpListener::bind("lo:*", &o).unwrap();
    assert!(
        l.endpoint().starts_with("tcp://127.0.0.1:"),
        "{}",
        l.endpoint()
    );
    // The reported endpoint is what unbind looks for, and a `*` never is.
    let ep = l.endpoint().to_string();
    let key = |u: &str| term_endpoint_key(u, false, |k| k == ep);
    assert_eq!(key(&format!("tcp://localhost:{}", port_of(&ep))), ep);
    assert_ne!(key(&format!("tcp://*:{}", port_of(&ep))), ep);
}

#[test]
fn bind_errors_from_the_os() {
    let o = opts();
    let l = TcpListener::bind("127.0.0.1:*", &o).unwrap();
    let again = format!("127.0.0.1:{}", port_of(l.endpoint()));
    assert_eq!(
        TcpListener::bind(&again, &o).unwrap_err(),
        Error::EADDRINUSE
    );
    assert_eq!(
        TcpListener::bind("1.2.3.4:*", &o).unwrap_err(),
        Error::EADDRNOTAVAIL
    );
    assert_eq!(
        TcpListener::bind("localhost:*", &o).unwrap_err(),
        Error::ENODEV
    );
    assert_eq!(
        TcpListener::bind("127.0.0.1", &o).unwrap_err(),
        Error::EINVAL
    );
    let mut o = opts();
    o.bound_device = b"no-such-dev0".to_vec();
    assert_eq!(
        TcpListener::bind("127.0.0.1:*", &o).unwrap_err(),
        Error::ENODEV
    );
}

#[test]
fn connections_are_tuned_and_name_their_peer() {
    let mut o = opts();
    o.tos = 0x28;
    o.sndbuf = 65536;
    o.rcvbuf = 65536;
    o.keepalive = 1;
    o.keepalive_cnt = 3;
    o.keepalive_idle = 30;
    o.keepalive_intvl = 5;
    o.maxrt = 1500;
    o.bound_device = b"lo".to_vec();
    o.priority = 3;
    let l = TcpListener::bind("127.0.0.1:*", &o).unwrap();
    assert_eq!(l.socket().tos().unwrap(), 0x28);
    assert_eq!(l.socket().device().unwrap().as_deref(), Some(&b"lo"[..]));
    assert!(l.socket().send_buffer_size().unwrap() >= 65536);
    let (c, s, peer) = connect_pair(&l, &o);
    assert_eq!(peer.ip(), std::net::IpAddr::from([127, 0, 0, 1]));
    for sock in [&c, &s] {
        assert!(sock.nodelay().unwrap());
        assert!(sock.nonblocking().unwrap());
        assert!(sock.keepalive().unwrap());
        assert_eq!(sock.keepalive_retries().unwrap(), 3);
        assert_eq!(sock.keepalive_time().unwrap(), Duration::from_secs(30));
        assert_eq!(sock.keepalive_interval().unwrap(), Duration::from_secs(5));
        assert_eq!(
            sock.tcp_user_timeout().unwrap(),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(sock.tos().unwrap(), 0x28);
        assert_eq!(
            get_int_option(sock, libc::SOL_SOCKET, libc::SO_PRIORITY),
            Ok(3)
        );
    }
    assert_eq!(peer_address_text(&s).as_deref(), Some("127.0.0.1"));
    assert_eq!(socket_name(&s, End::Local), l.endpoint());
    assert_eq!(socket_name(&c, End::Remote), l.endpoint());
}

#[test]
fn keepalive_zero_turns_it_off_and_minus_one_leaves_it() {
    let mut o = opts();
    o.keepalive = 0;
    let l = TcpListener::bind("127.0.0.1:*", &o).unwrap();
    let (c, _s, _) = connect_pair(&l, &o);
    assert!(!c.keepalive().unwrap());
    assert_eq!(c.tcp_user_timeout().unwrap(), None);
}

#[test]
fn nothing_pending_is_eagain() {
    let l = TcpListener::bind("127.0.0.1:*", &opts()).unwrap();
    assert_eq!(l.accept(&opts()).unwrap_err(), Error::EAGAIN);
}

#[test]
fn accept_filters_close_unlisted_peers() {
    let mut o = opts();
    o.accept_filters = vec![b"10.0.0.1".to_vec()];
    let l = TcpListener::bind("127.0.0.1:*", &o).unwrap();
    let c = connect_start(&format!("127.0.0.1:{}", port_of(l.endpoint())), &o).unwrap();
    let mut refused = false;
    for _ in 0..500 {
        match l.accept(&o) {
            Ok(None) => {
                refused = true;
                break;
            }
            Ok(Some(_)) => panic!("filter let it through"),
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    assert!(refused);
    drop(c);
    o.accept_filters.push(b"127.0.0.0/8".to_vec());
    let (_c, _s, _) = connect_pair(&l, &o);
}

#[test]
fn closed_port_is_refused() {
    let o = opts();
    let port = {
        let l = TcpListener::bind("127.0.0.1:*", &o).unwrap();
        port_of(l.endpoint())
    };
    match connect_start(&format!("127.0.0.1:{port}"), &o) {
        Err(e) => assert_eq!(e, Error::ECONNREFUSED),
        Ok(c) => {
            assert!(c.in_progress);
            wait_writable(&c.socket);
            assert_eq!(connect_finish(&c.socket, &o), Err(Error::ECONNREFUSED));
        }
    }
    assert_eq!(connect_start("127.0.0.1:*", &o).unwrap_err(), Error::EINVAL);
    assert_eq!(
        connect_start("nosuch.invalid:5", &o).unwrap_err(),
        Error::EINVAL
    );
}

#[test]
fn source_address_is_bound_before_connecting() {
    let o = opts();
    let l = TcpListener::bind("127.0.0.1:*", &o).unwrap();
    let src = TcpListener::bind("127.0.0.1:*", &o).unwrap();
    let src_port = port_of(src.endpoint());
    drop(src);
    let c = connect_start(
        &format!("127.0.0.1:{src_port};127.0.0.1:{}", port_of(l.endpoint())),
        &o,
    )
    .unwrap();
    assert_eq!(
        c.address.source,
        Some(SocketAddr::from(([127, 0, 0, 1], src_port)))
    );
    assert!(c.socket.reuse_address().unwrap());
    assert_eq!(
        socket_name(&c.socket, End::Local),
        format!("tcp://127.0.0.1:{src_port}")
    );
}

#[test]
fn ipv6_and_dual_stack() {
    if !has_ipv6_loopback() {
        eprintln!("no ::1 here; skipped");
        return;
    }
    let mut o6 = opts();
    o6.ipv6 = true;
    let l = TcpListener::bind("[::1]:*", &o6).unwrap();
    assert!(l.endpoint().starts_with("tcp://[::1]:"), "{}", l.endpoint());
    let any = TcpListener::bind("*:*", &o6).unwrap();
    assert!(
        any.endpoint().starts_with("tcp://[::]:"),
        "{}",
        any.endpoint()
    );
    assert!(!any.socket().only_v6().unwrap());
    // An IPv4 client reaches the dual-stack listener and shows up mapped.
    let (_c, s, peer) = connect_pair(&any, &opts());
    assert_eq!(peer_address_text(&s).as_deref(), Some("::ffff:127.0.0.1"));
    assert!(peer.is_ipv6());
    // IPv4 binds with ZMQ_IPV6 are IPv4-mapped IPv6 sockets.
    let m = TcpListener::bind("127.0.0.1:*", &o6).unwrap();
    assert!(
        m.endpoint().starts_with("tcp://[::ffff:127.0.0.1]:"),
        "{}",
        m.endpoint()
    );
    let ep = m.endpoint().to_string();
    let plain = format!("tcp://127.0.0.1:{}", port_of(&ep));
    assert_eq!(term_endpoint_key(&plain, true, |k| k == ep), ep);
    // ZMQ_IPV6 connects to IPv4 targets through a mapped address.
    let c = connect_start(&format!("127.0.0.1:{}", port_of(&ep)), &o6).unwrap();
    assert!(c.address.addr.is_ipv6());
    let mut o6t = o6.clone();
    o6t.tos = 0x10;
    let l = TcpListener::bind("[::1]:*", &o6t).unwrap();
    assert_eq!(l.socket().tclass_v6().unwrap(), 0x10);
}

#[test]
fn adopted_listener_reports_its_own_address() {
    use std::os::fd::IntoRawFd;
    let std_l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = std_l.local_addr().unwrap().port();
    // SAFETY: the fd comes straight from into_raw_fd; nothing else owns it.
    let l = unsafe { TcpListener::adopt(std_l.into_raw_fd()) }.unwrap();
    assert_eq!(l.endpoint(), format!("tcp://127.0.0.1:{port}"));
    assert!(l.socket().nonblocking().unwrap());
    let (_c, _s, _) = connect_pair(&l, &opts());
}

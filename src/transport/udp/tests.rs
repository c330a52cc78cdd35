//! The transport's sockets on loopback: what a receiver binds, where a
//! sender sends, and what the table entry answers.

use super::*;
use crate::error::Error;
use crate::transport::{find, Scheme};
use std::time::Duration;

fn cfg() -> Config {
    Config::default()
}

const SEND: DatagramRoles = DatagramRoles {
    send: true,
    recv: false,
    addressed: false,
};
const RECV: DatagramRoles = DatagramRoles {
    send: false,
    recv: true,
    addressed: false,
};
const BOTH: DatagramRoles = DatagramRoles {
    send: true,
    recv: true,
    addressed: true,
};

/// Waits (bounded) for one datagram on a non-blocking socket.
fn recv_one(s: &DatagramSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = [0u8; 64];
    for _ in 0..2000 {
        match s.recv_from(&mut buf) {
            Ok((n, from)) => return (buf[..n].to_vec(), from),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("recv: {e}"),
        }
    }
    panic!("no datagram within 10 s");
}

#[test]
fn the_scheme_table_serves_udp_as_a_datagram_transport() {
    let Some(Scheme::Datagram(t)) = find("udp") else {
        panic!("udp is a datagram transport");
    };
    assert_eq!(t.scheme(), "udp");
    let a = t.resolve("*:5556", true, &cfg()).unwrap();
    assert_eq!(a.endpoint(), "*:5556");
    assert_eq!(t.resolve("nope", true, &cfg()).err(), Some(Error::EINVAL));
}

#[test]
fn a_sender_reaches_a_bound_receiver_and_is_seen_from_its_port() {
    let rx_addr = address::resolve("127.0.0.1:0", true, false).unwrap();
    let rx = rx_addr.open(RECV, &cfg()).unwrap();
    assert_eq!(rx.destination(), None);
    let port = rx.local_addr().unwrap().port();
    assert_ne!(port, 0);

    let tx_addr = address::resolve(&format!("127.0.0.1:{port}"), false, false).unwrap();
    let tx = tx_addr.open(SEND, &cfg()).unwrap();
    let to = tx.destination().expect("a sender has a destination");
    assert_eq!(to, format!("127.0.0.1:{port}").parse().unwrap());
    tx.send_to(b"\x02TVFriends", to).unwrap();
    let (data, from) = recv_one(&rx);
    assert_eq!(data, b"\x02TVFriends");
    assert!(from.ip().is_loopback());
}

#[test]
fn an_addressed_socket_both_binds_and_sends_where_told() {
    let a = address::resolve("127.0.0.1:0", true, false)
        .unwrap()
        .open(BOTH, &cfg())
        .unwrap();
    let b = address::resolve("127.0.0.1:0", true, false)
        .unwrap()
        .open(BOTH, &cfg())
        .unwrap();
    assert_eq!(a.destination(), None, "each message names its peer");
    let b_at = b.local_addr().unwrap();
    a.send_to(b"question", b_at).unwrap();
    let (data, from) = recv_one(&b);
    assert_eq!(
        (data.as_slice(), from),
        (&b"question"[..], a.local_addr().unwrap())
    );
    // The reply goes to what the address frame said.
    let text = address::peer_text(&from);
    let back = address::parse_peer(&text, b.is_ipv6()).unwrap();
    b.send_to(b"answer", back).unwrap();
    assert_eq!(recv_one(&a).0, b"answer");
}

#[test]
fn receivers_share_a_port_and_failures_are_the_systems() {
    let first = address::resolve("127.0.0.1:0", true, false)
        .unwrap()
        .open(RECV, &cfg())
        .unwrap();
    let port = first.local_addr().unwrap().port();
    // SO_REUSEADDR on both: libzmq lets two DISHes bind one port.
    let again = address::resolve(&format!("127.0.0.1:{port}"), true, false).unwrap();
    assert!(again.open(RECV, &cfg()).is_ok());
    // An address this host does not have.
    let foreign = address::resolve("203.0.113.7:5555", true, false).unwrap();
    assert_eq!(foreign.open(RECV, &cfg()).err(), Some(Error::EADDRNOTAVAIL));
    // A device that does not exist.
    let mut c = cfg();
    c.udp.bound_device = b"no-such-if0".to_vec();
    let dev = address::resolve("127.0.0.1:0", true, false).unwrap();
    assert!(dev.open(RECV, &c).is_err());
}

#[test]
fn socket_buffers_follow_the_options() {
    let mut c = cfg();
    c.udp.rcvbuf = 65536;
    c.udp.sndbuf = 32768;
    let s = address::resolve("127.0.0.1:0", true, false)
        .unwrap()
        .open(BOTH, &c)
        .unwrap();
    let sock = socket2::SockRef::from(&s.socket);
    // Linux doubles what it is given.
    assert_eq!(sock.recv_buffer_size().unwrap(), 2 * 65536);
    assert_eq!(sock.send_buffer_size().unwrap(), 2 * 32768);
}

#[test]
fn a_sender_to_a_group_gets_loop_hops_and_interface() {
    let defaults = address::resolve("239.0.0.1:5555", false, false)
        .unwrap()
        .open(SEND, &cfg())
        .unwrap();
    let sock = socket2::SockRef::from(&defaults.socket);
    assert!(sock.multicast_loop_v4().unwrap());
    assert_eq!(sock.multicast_ttl_v4().unwrap(), 1);
    assert_eq!(
        defaults.destination(),
        Some("239.0.0.1:5555".parse().unwrap())
    );

    let mut c = cfg();
    c.udp.multicast_loop = false;
    c.udp.multicast_hops = 7;
    let on_lo = address::resolve("lo;239.0.0.1:5555", false, false)
        .unwrap()
        .open(SEND, &c)
        .unwrap();
    let sock = socket2::SockRef::from(&on_lo.socket);
    assert!(!sock.multicast_loop_v4().unwrap());
    assert_eq!(sock.multicast_ttl_v4().unwrap(), 7);
    assert_eq!(
        sock.multicast_if_v4().unwrap(),
        std::net::Ipv4Addr::LOCALHOST
    );
}

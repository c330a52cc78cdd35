//! The datagram handler's per-datagram decisions, without a reactor: what
//! a received datagram delivers, what a pipe frame sends, and what is
//! dropped and counted. (The handler on a real io thread is exercised
//! through sockets in tests/udp.rs.)

use super::*;
use crate::transport::udp::{address, Udp};
use crate::transport::Config;

const GROUPED_IN: DatagramRoles = DatagramRoles {
    send: false,
    recv: true,
    addressed: false,
};
const GROUPED_OUT: DatagramRoles = DatagramRoles {
    send: true,
    recv: false,
    addressed: false,
};
const ADDRESSED: DatagramRoles = DatagramRoles {
    send: true,
    recv: true,
    addressed: true,
};

fn from() -> SocketAddr {
    "127.0.0.1:5560".parse().unwrap()
}

fn socket(roles: DatagramRoles, at: &str) -> DatagramSocket {
    address::resolve(at, !roles.send || roles.addressed, false)
        .unwrap()
        .open(roles, &Config::default())
        .unwrap()
}

fn group_msg(group: &[u8], body: &[u8]) -> Msg {
    let mut m = Msg::from_slice(body);
    m.set_group(Some(group));
    m
}

fn frame(data: &[u8], more: bool) -> Msg {
    let mut m = Msg::from_slice(data);
    if more {
        m.set_flags(msg::MORE);
    }
    m
}

#[test]
fn a_group_datagram_delivers_one_message_with_its_group() {
    let stats = DatagramStats::default();
    let (head, m) = deliverable(b"\x02TVFriends", from(), GROUPED_IN, &Udp, &stats).unwrap();
    assert!(head.is_none());
    assert_eq!(
        (m.group(), m.data(), m.more()),
        (Some(&b"TV"[..]), &b"Friends"[..], false)
    );
    assert_eq!(stats.counts().received, 1);
}

#[test]
fn malformed_and_oversized_datagrams_are_dropped_and_counted() {
    let stats = DatagramStats::default();
    for bad in [&b""[..], b"\x05TV", b"\x02T\0x"] {
        assert!(deliverable(bad, from(), GROUPED_IN, &Udp, &stats).is_none());
    }
    let big = vec![0u8; MAX_DATAGRAM + 1];
    assert!(deliverable(&big, from(), GROUPED_IN, &Udp, &stats).is_none());
    assert!(deliverable(&big, from(), ADDRESSED, &Udp, &stats).is_none());
    let c = stats.counts();
    assert_eq!((c.malformed_in, c.oversized_in, c.received), (3, 2, 0));
    // The largest that fits still goes through, whole.
    let max = vec![0u8; MAX_DATAGRAM];
    let (_, m) = deliverable(&max, from(), ADDRESSED, &Udp, &stats).unwrap();
    assert_eq!(m.size(), MAX_DATAGRAM);
}

#[test]
fn an_addressed_datagram_delivers_the_sender_then_the_body() {
    let stats = DatagramStats::default();
    let (head, body) = deliverable(b"", from(), ADDRESSED, &Udp, &stats).unwrap();
    let head = head.expect("an address frame");
    assert_eq!((head.data(), head.more()), (&b"127.0.0.1:5560\0"[..], true));
    assert_eq!(
        (body.data(), body.more()),
        (&b""[..], false),
        "empty bodies are data"
    );
}

#[test]
fn group_messages_go_to_the_fixed_destination_in_libzmqs_layout() {
    let stats = DatagramStats::default();
    let sock = socket(GROUPED_OUT, "127.0.0.1:5599");
    let (mut next, mut out) = (Next::Address, Vec::new());
    let to = prepare(
        group_msg(b"TV", b"Friends"),
        GROUPED_OUT,
        &mut next,
        &mut out,
        &sock,
        &Udp,
        &stats,
    );
    assert_eq!(to, Some("127.0.0.1:5599".parse().unwrap()));
    assert_eq!(out, b"\x02TVFriends");
    // A message without a group goes out with an empty one, as libzmq's.
    let to = prepare(
        Msg::from_slice(b"x"),
        GROUPED_OUT,
        &mut next,
        &mut out,
        &sock,
        &Udp,
        &stats,
    );
    assert!(to.is_some());
    assert_eq!(out, b"\x00x");
    let big = group_msg(b"TV", &vec![0u8; MAX_DATAGRAM]);
    assert_eq!(
        prepare(big, GROUPED_OUT, &mut next, &mut out, &sock, &Udp, &stats),
        None
    );
    assert_eq!(stats.counts().oversized_out, 1);
}

#[test]
fn addressed_messages_go_where_their_first_frame_says() {
    let stats = DatagramStats::default();
    let sock = socket(ADDRESSED, "127.0.0.1:0");
    let (mut next, mut out) = (Next::Address, Vec::new());
    let mut send = |m: Msg| prepare(m, ADDRESSED, &mut next, &mut out, &sock, &Udp, &stats);
    assert_eq!(
        send(frame(b"127.0.0.1:5559", true)),
        None,
        "an address sends nothing"
    );
    assert_eq!(
        send(frame(b"question", false)),
        Some("127.0.0.1:5559".parse().unwrap())
    );
    // A bad address drops its body; the pair after it is unaffected.
    assert_eq!(send(frame(b"nowhere", true)), None);
    assert_eq!(send(frame(b"lost", false)), None);
    // A lone frame (no MORE where an address belongs) is dropped alone.
    assert_eq!(send(frame(b"stray", false)), None);
    // An oversized body.
    assert_eq!(send(frame(b"127.0.0.1:5559", true)), None);
    assert_eq!(send(frame(&vec![0u8; MAX_DATAGRAM + 1], false)), None);
    assert_eq!(send(frame(b"127.0.0.1:5558", true)), None);
    assert_eq!(
        send(frame(b"answer", false)),
        Some("127.0.0.1:5558".parse().unwrap())
    );
    assert_eq!(out, b"answer");
    let c = stats.counts();
    assert_eq!((c.unaddressed_out, c.oversized_out), (2, 1));
}

#[test]
fn a_message_goes_into_the_pipe_whole_or_not_at_all() {
    use crate::pipe::{pipe_pair, PipeParams};
    let p = PipeParams {
        out_hwm: 1,
        in_hwm: 1,
        conflate: false,
    };
    let (mut io_end, mut sock_end) = pipe_pair(p, p);
    let stats = DatagramStats::default();
    let (h, b) = deliverable(b"a", from(), ADDRESSED, &Udp, &stats).unwrap();
    assert!(write_message(&mut io_end, h, b));
    let (h, b) = deliverable(b"b", from(), ADDRESSED, &Udp, &stats).unwrap();
    assert!(!io_end.check_write(), "full at one message");
    assert!(!write_message(&mut io_end, h, b));
    io_end.flush();
    let got: Vec<Vec<u8>> = std::iter::from_fn(|| sock_end.read())
        .map(|m| m.data().to_vec())
        .collect();
    assert_eq!(got, [b"127.0.0.1:5560\0".to_vec(), b"a".to_vec()]);
}

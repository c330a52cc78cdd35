//! Datagrams as a udp endpoint receives them: RADIO/DISH's group layout
//! (decoded, then encoded again: the same octets), and DGRAM's address
//! frames (parsed as a destination, which written back as a sender's
//! address parses to the same place).
//!
//! Input: octet 0 picks what to read (bit 0: an address frame rather
//! than a datagram; bit 1: for an IPv6 socket); the rest is the datagram
//! or frame.

use std::net::SocketAddr;
use zmq::proto::datagram::{decode, encode, Malformed, Unsendable, MAX_DATAGRAM};
use zmq::transport::udp::address::{parse_peer, peer_text};

pub fn datagram(data: &[u8]) {
    let [sel, input @ ..] = data else { return };
    if sel & 1 != 0 {
        address_frame(input, sel & 2 != 0);
    } else {
        group_datagram(input);
    }
}

fn group_datagram(input: &[u8]) {
    match decode(input) {
        Ok((group, body)) => {
            assert!(input.len() <= MAX_DATAGRAM);
            assert_eq!(usize::from(input[0]), group.len());
            assert!(!group.contains(&0));
            assert_eq!(1 + group.len() + body.len(), input.len());
            let mut out = Vec::new();
            encode(group, body, &mut out).expect("what decodes encodes");
            assert_eq!(out, input, "encoded again, the same datagram");
        }
        Err(Malformed::Empty) => assert!(input.is_empty()),
        Err(Malformed::Oversized) => assert!(input.len() > MAX_DATAGRAM),
        Err(Malformed::GroupOverrun) => assert!(input.len() - 1 < usize::from(input[0])),
        Err(Malformed::NulInGroup) => {
            assert!(input[1..=usize::from(input[0])].contains(&0));
        }
    }
    // The input cut anywhere as a group and a body: sendable exactly when
    // it fits, and then it decodes to the same parts (unless the group
    // has a NUL, which zmq_msg_set_group would not have let through).
    if input.is_empty() {
        return;
    }
    let cut = usize::from(input[0]).min(input.len() - 1);
    let (group, body) = input[1..].split_at(cut);
    let mut out = Vec::new();
    match encode(group, body, &mut out) {
        Ok(()) => {
            assert!(out.len() <= MAX_DATAGRAM);
            if !group.contains(&0) {
                assert_eq!(decode(&out), Ok((group, body)));
            }
        }
        Err(Unsendable::Oversized) => assert!(1 + group.len() + body.len() > MAX_DATAGRAM),
        Err(Unsendable::GroupTooLong) => assert!(group.len() > 255),
    }
}

fn address_frame(frame: &[u8], ipv6: bool) {
    let Some(to) = parse_peer(frame, ipv6) else { return };
    assert_ne!(to.port(), 0);
    assert_eq!(to.is_ipv6(), ipv6, "{to} for a {} socket", if ipv6 { "v6" } else { "v4" });
    let text = peer_text(&to);
    assert_eq!(text.last(), Some(&0), "written with its NUL");
    assert_eq!(parse_peer(&text, ipv6), Some(to), "{:?}", String::from_utf8_lossy(&text));
    if let SocketAddr::V4(a) = to {
        assert!(!a.ip().is_broadcast(), "inet_addr's error value");
    }
}

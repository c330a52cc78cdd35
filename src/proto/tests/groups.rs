//! RADIO and DISH over ZMTP, byte for byte as libzmq's radio and dish
//! sessions put them on the wire: joins and leaves as commands, a message
//! as its group frame then its body; and what a DISH makes of a RADIO
//! that breaks that.

use super::harness::*;
use crate::error::Error;
use crate::msg::{self, Msg};
use crate::types::SocketType;
use std::time::Instant;

fn connected() -> (Peer, Peer, Instant) {
    let now = Instant::now();
    let mut dish = Peer::new(cfg(SocketType::Dish), now);
    let mut radio = Peer::new(cfg(SocketType::Radio), now);
    run(&mut dish, &mut radio, 64, now);
    assert_eq!((dish.handshakes().len(), radio.handshakes().len()), (1, 1));
    (dish, radio, now)
}

fn membership(group: &[u8], flag: u8) -> Msg {
    let mut m = Msg::new();
    m.set_group(Some(group));
    m.set_flags(flag);
    m
}

#[test]
fn joins_and_leaves_are_commands_a_radio_turns_back_into_messages() {
    let (mut dish, mut radio, now) = connected();
    dish.s.send(membership(b"TV", msg::JOIN)).unwrap();
    dish.s.send(membership(b"Movies", msg::LEAVE)).unwrap();
    let wire = dish.take_output();
    assert_eq!(
        wire,
        [&b"\x04\x07\x04JOINTV"[..], b"\x04\x0c\x05LEAVEMovies"].concat()
    );
    radio.feed(&wire, 3, now);
    let got = radio.messages();
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].group(), got[0].flags() & msg::JOIN),
        (Some(&b"TV"[..]), msg::JOIN)
    );
    assert_eq!(
        (got[1].group(), got[1].flags() & msg::LEAVE),
        (Some(&b"Movies"[..]), msg::LEAVE)
    );
    assert!(radio.failure.is_none());
}

#[test]
fn a_radio_message_is_its_group_then_its_body() {
    let (mut dish, mut radio, now) = connected();
    let mut m = Msg::from_slice(b"Friends");
    m.set_group(Some(b"TV"));
    radio.s.send(m).unwrap();
    radio.s.send(Msg::from_slice(b"no group")).unwrap();
    let wire = radio.take_output();
    assert_eq!(
        wire,
        [
            &b"\x01\x02TV\x00\x07Friends"[..],
            b"\x01\x00\x00\x08no group"
        ]
        .concat()
    );
    dish.feed(&wire, 1, now);
    let got = dish.messages();
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].group(), got[0].data(), got[0].more()),
        (Some(&b"TV"[..]), &b"Friends"[..], false)
    );
    assert_eq!(
        (got[1].group(), got[1].data()),
        (Some(&b""[..]), &b"no group"[..])
    );
    assert!(got[0].metadata().is_some(), "metadata as on any message");
}

#[test]
fn other_types_send_and_take_groups_as_nothing_special() {
    let now = Instant::now();
    let (mut a, mut b) = (
        Peer::new(cfg(SocketType::Pair), now),
        Peer::new(cfg(SocketType::Pair), now),
    );
    run(&mut a, &mut b, 64, now);
    let mut m = Msg::from_slice(b"x");
    m.set_group(Some(b"TV"));
    a.s.send(m).unwrap();
    let mut j = Msg::from_slice(b"\x04JOINTV");
    j.set_flags(msg::COMMAND);
    a.s.send(j).unwrap();
    run(&mut a, &mut b, 64, now);
    let got = b.messages();
    assert_eq!(got.len(), 1, "one frame, and the JOIN command dropped");
    assert_eq!((got[0].data(), got[0].group()), (&b"x"[..], None));
}

#[test]
fn a_dish_refuses_group_frames_libzmq_refuses() {
    // No MORE on the group frame; a group over 255 octets; a body with MORE.
    let cases: [&[u8]; 3] = [
        b"\x00\x02TV",
        &[&[0x03, 0, 0, 0, 0, 0, 0, 1, 0][..], &[b'g'; 256]].concat(),
        b"\x01\x02TV\x01\x01x",
    ];
    for wire in cases {
        let (mut dish, _radio, now) = connected();
        dish.feed(wire, 64, now);
        let f = dish.failure.expect("a protocol error");
        assert_eq!(f.errno, Error::EFAULT);
        assert!(!f.reconnects());
        assert!(dish.messages().is_empty());
    }
    // A RADIO drops joins it cannot hold.
    let (_dish, mut radio, now) = connected();
    let long = [&b"\x06\0\0\0\0\0\0\x01\x05\x04JOIN"[..], &[b'g'; 256]].concat();
    radio.feed(&long, 64, now);
    radio.feed(b"\x04\x08\x04JOINT\x00V", 64, now);
    assert!(radio.messages().is_empty() && radio.failure.is_none());
}

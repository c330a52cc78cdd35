use super::super::{Decoder, Frame};
use super::*;

fn server(m: &Msg) -> Vec<u8> {
    let mut out = Vec::new();
    Encoder::new(Role::Server, 0).encode(m, &mut out);
    out
}

fn flagged(data: &[u8], f: u8) -> Msg {
    let mut m = Msg::from_slice(data);
    m.set_flags(f);
    m
}

/// One frame as a client with this key would send it.
fn keyed(opcode: u8, prefix: &[u8], body: &[u8], key: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::new();
    write(opcode, prefix, body, Some(key), &mut out, || {
        Bytes::copy_from_slice(body)
    });
    out
}

#[test]
fn flags_octet_and_subscriptions() {
    assert_eq!(server(&flagged(b"hi", msg::MORE)), b"\x82\x03\x01hi");
    assert_eq!(
        server(&flagged(b"\x05READY", msg::COMMAND)),
        b"\x82\x07\x02\x05READY"
    );
    assert_eq!(server(&flagged(b"", 0)), b"\x82\x01\x00");
    // libzmq's ws encoder: subscribe and cancel as 1/0 data frames.
    assert_eq!(server(&flagged(b"A", msg::SUBSCRIBE)), b"\x82\x03\x00\x01A");
    assert_eq!(server(&flagged(b"A", msg::CANCEL)), b"\x82\x03\x00\x00A");
    assert_eq!(server(&flagged(b"", msg::SUBSCRIBE)), b"\x82\x02\x00\x01");
}

#[test]
fn length_forms_at_their_edges() {
    // Payload = body + the flags octet.
    let w = server(&Msg::from_slice(&[0u8; 124]));
    assert_eq!(&w[..2], &[0x82, 125]);
    let w = server(&Msg::from_slice(&[0u8; 125]));
    assert_eq!(&w[..4], &[0x82, 126, 0, 126]);
    let w = server(&Msg::from_slice(&[0u8; 65534]));
    assert_eq!(&w[..4], &[0x82, 126, 0xFF, 0xFF]);
    let w = server(&Msg::from_slice(&[0u8; 65535]));
    assert_eq!(&w[..10], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert_eq!(w.len(), 10 + 1 + 65535);
}

#[test]
fn rfc6455_control_frame_examples() {
    // Section 5.7: an unmasked ping and a masked pong, both "Hello".
    let mut out = Vec::new();
    Encoder::new(Role::Server, 0).control(Control::Ping, b"Hello", &mut out);
    assert_eq!(out, [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    let pong = keyed(
        Control::Pong.opcode(),
        b"",
        b"Hello",
        [0x37, 0xfa, 0x21, 0x3d],
    );
    assert_eq!(
        pong,
        [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
    );
    // libzmq's heartbeat: empty ping; the answer: empty pong.
    let mut out = Vec::new();
    Encoder::new(Role::Server, 0).control(Control::Pong, b"", &mut out);
    assert_eq!(out, [0x8A, 0x00]);
    assert_eq!(
        keyed(Control::Ping.opcode(), b"", b"", [1, 2, 3, 4]),
        [0x89, 0x80, 1, 2, 3, 4]
    );
}

#[test]
fn a_client_masks_flags_and_body_as_one_payload() {
    let key = [0x10, 0x20, 0x30, 0x40];
    let w = keyed(OP_BINARY, &[WS_MORE], b"abcdefg", key);
    assert_eq!(&w[..6], &[0x82, 0x88, 0x10, 0x20, 0x30, 0x40]);
    let mut payload = w[6..].to_vec();
    mask::apply(&mut payload, key, 0);
    assert_eq!(payload, b"\x01abcdefg");
    // Bodies past the stack chunk and the by-reference threshold too.
    for size in [255, 256, 257, ZERO_COPY_MIN - 1, ZERO_COPY_MIN, 70_000] {
        let body: Vec<u8> = (0..size).map(|i| (i * 7) as u8).collect();
        let w = keyed(OP_BINARY, &[0, 1], &body, key);
        let hdr = if size + 2 <= 125 {
            2
        } else if size + 2 <= 0xFFFF {
            4
        } else {
            10
        };
        let mut payload = w[hdr + 4..].to_vec();
        mask::apply(&mut payload, key, 0);
        assert_eq!(&payload[..2], &[0, 1]);
        assert!(payload[2..] == body[..], "size {size}");
    }
}

#[test]
fn a_servers_large_bodies_go_by_reference() {
    struct Chunks(Vec<Bytes>);
    impl Sink for Chunks {
        fn push_slice(&mut self, d: &[u8]) {
            self.0.push(Bytes::copy_from_slice(d));
        }
        fn push_bytes(&mut self, d: Bytes) {
            self.0.push(d);
        }
    }
    let body = Bytes::from(vec![5u8; ZERO_COPY_MIN]);
    let mut out = Chunks(Vec::new());
    let mut e = Encoder::new(Role::Server, 0);
    e.encode(&Msg::from_bytes(body.clone()), &mut out);
    assert_eq!(out.0.len(), 2);
    assert_eq!(out.0[1].as_ptr(), body.as_ptr(), "not copied");
    // A client's are masked copies.
    let mut out = Chunks(Vec::new());
    Encoder::new(Role::Client, 1).encode(&Msg::from_bytes(body.clone()), &mut out);
    assert_eq!(out.0.len(), 2);
    assert_ne!(out.0[1].as_ptr(), body.as_ptr());
    assert_eq!(
        body[..],
        [5u8; ZERO_COPY_MIN][..],
        "the message itself is untouched"
    );
}

#[test]
fn each_end_decodes_what_the_other_encodes() {
    for (from, to) in [(Role::Client, Role::Server), (Role::Server, Role::Client)] {
        let mut e = Encoder::new(from, 99);
        let mut wire = Vec::new();
        let sent: Vec<Msg> = [0usize, 1, 23, 24, 125, 126, 3000, 65_536]
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                flagged(
                    &vec![i as u8; n],
                    if i % 2 == 0 { msg::MORE } else { msg::COMMAND },
                )
            })
            .collect();
        for m in &sent {
            e.encode(m, &mut wire);
        }
        e.control(Control::Ping, b"", &mut wire);
        e.control(Control::Close, &[0x03, 0xE8], &mut wire);
        let mut d = Decoder::new(to, -1);
        let mut input = bytes::BytesMut::from(&wire[..]);
        for m in &sent {
            match d.decode(&mut input) {
                Ok(Some(Frame::Message(got))) => {
                    assert_eq!((got.data(), got.flags()), (m.data(), m.flags()));
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(d.decode(&mut input), Ok(Some(Frame::Ping(p))) if p.is_empty()));
        assert!(matches!(d.decode(&mut input), Ok(Some(Frame::Close(p))) if p[..] == [3, 0xE8]));
        assert!(input.is_empty());
    }
}

#[test]
fn client_keys_change_per_frame() {
    let mut e = Encoder::new(Role::Client, 5);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    e.encode(&Msg::from_slice(b"x"), &mut a);
    e.encode(&Msg::from_slice(b"x"), &mut b);
    assert_eq!((a[1], b[1]), (0x82, 0x82));
    assert_ne!(a[2..6], b[2..6]);
}

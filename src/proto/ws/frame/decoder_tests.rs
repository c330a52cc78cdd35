use super::*;
use crate::util::alloc_count::measure;

/// A decoder's results for `wire`, fed `piece` octets at a time (appended
/// behind what is still undecoded, as an engine reads), and how it ended.
fn decode_in(role: Role, max: i64, wire: &[u8], piece: usize) -> (Vec<Frame>, Result<()>) {
    let mut d = Decoder::new(role, max);
    let mut input = BytesMut::new();
    let mut out = Vec::new();
    for chunk in wire.chunks(piece.max(1)) {
        input.extend_from_slice(chunk);
        loop {
            match d.decode(&mut input) {
                Ok(Some(f)) => out.push(f),
                Ok(None) => break,
                Err(e) => return (out, Err(e)),
            }
        }
    }
    (out, Ok(()))
}

/// The frames in `wire`, which must decode whole and the same bytewise.
fn frames(role: Role, wire: &[u8]) -> Vec<Frame> {
    let (whole, r) = decode_in(role, -1, wire, wire.len());
    assert_eq!(r, Ok(()));
    let (bytewise, r) = decode_in(role, -1, wire, 1);
    assert_eq!(r, Ok(()));
    assert_eq!(show(&whole), show(&bytewise), "cut into single octets");
    whole
}

fn error(role: Role, max: i64, wire: &[u8]) -> Error {
    let (_, r) = decode_in(role, max, wire, wire.len());
    let (_, r1) = decode_in(role, max, wire, 1);
    assert_eq!(r, r1, "same error bytewise");
    r.expect_err("must fail")
}

/// Comparable text of decoded frames.
fn show(fs: &[Frame]) -> Vec<(String, u8, Vec<u8>)> {
    fs.iter()
        .map(|f| match f {
            Frame::Message(m) => ("msg".into(), m.flags(), m.data().to_vec()),
            Frame::Ping(b) => ("ping".into(), 0, b.to_vec()),
            Frame::Pong(b) => ("pong".into(), 0, b.to_vec()),
            Frame::Close(b) => ("close".into(), 0, b.to_vec()),
        })
        .collect()
}

fn one(role: Role, wire: &[u8]) -> (String, u8, Vec<u8>) {
    let fs = frames(role, wire);
    assert_eq!(fs.len(), 1);
    show(&fs).remove(0)
}

#[test]
fn rfc6455_examples() {
    // Section 5.7. Text frames and fragments: libzmq speaks neither.
    let hello_text = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    assert_eq!(error(Role::Client, -1, &hello_text), Error::EPROTO);
    let masked_text = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    assert_eq!(error(Role::Server, -1, &masked_text), Error::EPROTO);
    let fragment = [0x01, 0x03, 0x48, 0x65, 0x6c];
    assert_eq!(error(Role::Client, -1, &fragment), Error::EPROTO);
    let last_fragment = [0x80, 0x02, 0x6c, 0x6f];
    assert_eq!(error(Role::Client, -1, &last_fragment), Error::EPROTO);
    // Unmasked ping (server to client), masked pong (client to server).
    let ping = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    assert_eq!(
        one(Role::Client, &ping),
        ("ping".into(), 0, b"Hello".to_vec())
    );
    let pong = [
        0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    assert_eq!(
        one(Role::Server, &pong),
        ("pong".into(), 0, b"Hello".to_vec())
    );
    // 256 and 65536 octets of binary payload, unmasked: 16- and 64-bit
    // lengths. The first payload octet is the ZMTP flags.
    let mut short = vec![0x82, 0x7E, 0x01, 0x00, 0x01];
    short.extend((0..255).map(|i| i as u8));
    let (kind, flags, body) = one(Role::Client, &short);
    assert_eq!((kind.as_str(), flags, body.len()), ("msg", msg::MORE, 255));
    assert_eq!(body[254], 254);
    let mut long = vec![0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0, 0x02];
    long.extend(std::iter::repeat_n(7u8, 65535));
    let (kind, flags, body) = one(Role::Client, &long);
    assert_eq!(
        (kind.as_str(), flags, body.len()),
        ("msg", msg::COMMAND, 65535)
    );
}

#[test]
fn masking_must_match_the_role() {
    // A client's frame (masked) reaching a client, a server's reaching a server.
    let masked = [0x82, 0x81, 1, 2, 3, 4, 0x01];
    assert_eq!(error(Role::Client, -1, &masked), Error::EPROTO);
    assert_eq!(one(Role::Server, &masked), ("msg".into(), 0, vec![]));
    let plain = [0x82, 0x01, 0x00];
    assert_eq!(error(Role::Server, -1, &plain), Error::EPROTO);
    assert_eq!(one(Role::Client, &plain), ("msg".into(), 0, vec![]));
    // Control frames too.
    assert_eq!(error(Role::Server, -1, &[0x89, 0x00]), Error::EPROTO);
    assert_eq!(
        error(Role::Client, -1, &[0x89, 0x80, 0, 0, 0, 0]),
        Error::EPROTO
    );
}

#[test]
fn opcodes_libzmq_refuses_and_what_it_ignores() {
    for op in [0x0, 0x1, 0x3, 0x7, 0xB, 0xF] {
        assert_eq!(
            error(Role::Client, -1, &[0x80 | op, 0x01, 0x00]),
            Error::EPROTO,
            "{op}"
        );
    }
    // Empty binary frame: not even flags.
    assert_eq!(error(Role::Client, -1, &[0x82, 0x00]), Error::EPROTO);
    assert_eq!(
        error(Role::Server, -1, &[0x82, 0x80, 1, 2, 3, 4]),
        Error::EPROTO
    );
    // The RSV bits are not checked; unknown flag bits are ignored.
    assert_eq!(
        one(Role::Client, &[0xF2, 0x02, 0xFC, b'x']),
        ("msg".into(), 0, b"x".to_vec())
    );
    assert_eq!(
        one(Role::Client, &[0x82, 0x02, 0xFF, b'x']),
        ("msg".into(), msg::MORE | msg::COMMAND, b"x".to_vec())
    );
    // Nor is the 125-octet bound on control frames, nor a minimal length.
    let mut ping = vec![0x89, 126, 0, 200];
    ping.extend([9u8; 200]);
    assert_eq!(one(Role::Client, &ping), ("ping".into(), 0, vec![9; 200]));
    assert_eq!(
        one(Role::Client, &[0x8A, 127, 0, 0, 0, 0, 0, 0, 0, 1, 5]),
        ("pong".into(), 0, vec![5])
    );
    assert_eq!(
        one(Role::Client, &[0x88, 0x02, 0x03, 0xE8]),
        ("close".into(), 0, vec![3, 0xE8])
    );
}

#[test]
fn maxmsgsize_counts_the_body_of_binary_and_the_payload_of_control() {
    // Binary: 4-octet payload = flags + 3-octet body.
    let bin = [0x82, 0x04, 0x00, b'a', b'b', b'c'];
    assert_eq!(decode_in(Role::Client, 3, &bin, 6).1, Ok(()));
    assert_eq!(error(Role::Client, 2, &bin), Error::EMSGSIZE);
    let ping = [0x89, 0x03, b'a', b'b', b'c'];
    assert_eq!(decode_in(Role::Client, 3, &ping, 5).1, Ok(()));
    assert_eq!(error(Role::Client, 2, &ping), Error::EMSGSIZE);
    // MAXMSGSIZE 0 still lets an empty body through.
    assert_eq!(decode_in(Role::Client, 0, &[0x82, 0x01, 0x00], 3).1, Ok(()));
    // Known before the body arrives: no need to wait for it.
    let (_, r) = decode_in(Role::Client, 10, &[0x82, 126, 0x01, 0x00, 0x00], 5);
    assert_eq!(r, Err(Error::EMSGSIZE));
}

#[test]
fn impossible_sizes_and_the_handshake_limit() {
    let huge = [0x82, 127, 0x00, 0x00, 0x80, 0, 0, 0, 0, 2, 0x00];
    assert_eq!(error(Role::Client, -1, &huge), Error::ENOMEM);
    let top = [
        0x82, 127, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
    ];
    assert_eq!(error(Role::Client, -1, &top), Error::ENOMEM);
    let mut d = Decoder::new(Role::Client, -1);
    d.set_limit(Some(4));
    let mut ok = BytesMut::from(&[0x82, 0x05, 0x00, 1, 2, 3, 4][..]);
    assert!(matches!(d.decode(&mut ok), Ok(Some(Frame::Message(_)))));
    let mut over = BytesMut::from(&[0x82, 0x06, 0x00][..]);
    assert_eq!(d.decode(&mut over).err(), Some(Error::ENOBUFS));
    d.set_limit(None);
    let mut again = BytesMut::from(&[0x82, 0x06, 0x00, 1, 2, 3, 4, 5][..]);
    assert!(matches!(d.decode(&mut again), Ok(Some(Frame::Message(_)))));
}

#[test]
fn masked_bodies_unmask_in_place_without_a_copy() {
    let key = [0xA1, 0xB2, 0xC3, 0xD4];
    let body: Vec<u8> = (0..100u8).collect();
    let mut payload = vec![0x01];
    payload.extend(&body);
    mask::apply(&mut payload, key, 0);
    let mut wire = vec![0x82, 0x80 | 101];
    wire.extend(key);
    wire.extend(&payload);
    let mut input = BytesMut::from(&wire[..]);
    let range = input.as_ptr() as usize..input.as_ptr() as usize + input.len();
    let mut d = Decoder::new(Role::Server, -1);
    let Ok(Some(Frame::Message(m))) = d.decode(&mut input) else {
        panic!("no message");
    };
    assert_eq!((m.data(), m.flags()), (&body[..], msg::MORE));
    assert!(
        range.contains(&(m.data().as_ptr() as usize)),
        "sliced from the input"
    );
    assert!(input.is_empty());
}

#[test]
fn a_partial_frame_says_how_much_more_it_needs() {
    let mut d = Decoder::new(Role::Client, -1);
    let mut input = BytesMut::from(&[0x82, 126, 0x03, 0xE8, 0x00, 1, 2][..]);
    assert!(d.decode(&mut input).unwrap().is_none());
    assert_eq!(d.wanted(&input), 4 + 1000 - 7);
    assert!(d.in_frame(&input));
    input.extend(vec![0u8; 997]);
    assert!(matches!(d.decode(&mut input), Ok(Some(Frame::Message(m))) if m.size() == 999));
    assert_eq!((d.wanted(&input), d.in_frame(&input)), (0, false));
    // A header cut short asks for nothing in particular.
    let mut input = BytesMut::from(&[0x82][..]);
    assert!(d.decode(&mut input).unwrap().is_none());
    assert_eq!(d.wanted(&input), 0);
}

#[test]
fn large_bodies_collect_as_they_arrive_and_unmask_across_reads() {
    for role in [Role::Client, Role::Server] {
        let size = CONTIGUOUS_MAX + 12_345;
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let mut wire = Vec::new();
        let mut enc = super::super::Encoder::new(
            if role == Role::Server {
                Role::Client
            } else {
                Role::Server
            },
            42,
        );
        enc.encode(&Msg::from_slice(&body), &mut wire);
        enc.encode(&Msg::from_slice(b"next"), &mut wire);
        for piece in [wire.len(), 65_536, 7_777] {
            let (fs, r) = decode_in(role, -1, &wire, piece);
            assert_eq!(r, Ok(()));
            let s = show(&fs);
            assert_eq!(s.len(), 2, "{role:?} piece {piece}");
            assert!(s[0].2 == body, "{role:?} piece {piece}: body differs");
            assert_eq!(s[1].2, b"next");
        }
    }
}

#[test]
fn an_announced_huge_frame_costs_only_what_arrived() {
    // 1 GiB announced, 64 KiB sent: the decoder holds about what came.
    let mut wire = vec![0x82, 127, 0, 0, 0, 0, 0x40, 0, 0, 1, 0x00];
    wire.extend(vec![1u8; 64 * 1024]);
    let (d, net, peak) = measure(|| {
        let mut d = Decoder::new(Role::Client, -1);
        let mut input = BytesMut::from(&wire[..]);
        assert!(d.decode(&mut input).unwrap().is_none());
        assert!(d.in_frame(&input));
        drop(input);
        d
    });
    assert!(net <= (PREALLOC_MAX + 4096) as isize, "kept {net}");
    assert!(
        peak <= (PREALLOC_MAX + 2 * wire.len() + 4096) as isize,
        "peak {peak}"
    );
    drop(d);
}

#[test]
fn back_to_back_frames_of_every_kind() {
    let mut wire = vec![0x82, 0x03, 0x01, b'h', b'i'];
    wire.extend([0x89, 0x00, 0x8A, 0x01, b'p', 0x82, 0x01, 0x02, 0x88, 0x00]);
    let s = show(&frames(Role::Client, &wire));
    assert_eq!(
        s,
        vec![
            ("msg".into(), msg::MORE, b"hi".to_vec()),
            ("ping".into(), 0, vec![]),
            ("pong".into(), 0, b"p".to_vec()),
            ("msg".into(), msg::COMMAND, vec![]),
            ("close".into(), 0, vec![]),
        ]
    );
}

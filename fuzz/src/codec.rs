//! The greeting and the frame decoder of every ZMTP revision, each
//! checked against itself: however the input is cut into reads, the
//! result must be the same, and what decodes must encode back to the
//! same frames.

use bytes::BytesMut;
use zmq::msg::{self, Msg};
use zmq::proto::codec::{Decoder, Encoder, Framing, OutQueue};
use zmq::proto::greeting::{Greeting, Version, V3_GREETING_LEN};
use zmq::types::SocketType;

/// Greeting: octet 0 picks socket type (its low 5 bits, modulo the number
/// of types) and mechanism, octet 1 how reads cut the rest, which is the
/// peer's greeting (and whatever follows).
pub fn greeting(data: &[u8]) {
    let [sel, cut, input @ ..] = data else { return };
    let mechs: [&[u8]; 4] = [b"NULL", b"PLAIN", b"CURVE", b"NULL\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"];
    let ty = SocketType::ALL[usize::from(sel & 0x1F) % SocketType::ALL.len()];
    let mech = mechs[usize::from(sel >> 5) & 3];
    let whole = feed(ty, mech, input, input.len().max(1));
    let cut = feed(ty, mech, input, usize::from(*cut).max(1));
    assert_eq!(whole, cut, "the same greeting read in pieces of {}", data[1]);
    let (used, version, out, received) = whole;
    assert!(used <= input.len() && used <= V3_GREETING_LEN);
    assert_eq!(&received[..], &input[..used], "received octets are the input");
    if let Some(v) = version {
        let want = match v {
            Version::V1Unversioned => 1..=10,
            Version::V1 | Version::V2 => 12..=12,
            Version::V3_0 | Version::V3_1 => 64..=64,
        };
        assert!(want.contains(&used), "{v:?} after {used} octets");
        if v >= Version::V3_0 {
            // We sent all of ours: signature (not in `out`), then the rest.
            assert_eq!(out.len(), V3_GREETING_LEN - 10);
        }
    }
}

/// (octets used, version, what we sent after the signature, received).
type Fed = (usize, Option<Version>, Vec<u8>, Vec<u8>);

fn feed(ty: SocketType, mech: &[u8], input: &[u8], piece: usize) -> Fed {
    let mut g = Greeting::new(3, ty, mech);
    assert_eq!(g.signature().len(), 10);
    let (mut used, mut out) = (0, Vec::new());
    for chunk in input.chunks(piece) {
        let mut at = 0;
        while at < chunk.len() {
            let (n, v) = g.feed(&chunk[at..], &mut out);
            assert!(n <= chunk.len() - at);
            at += n;
            used += n;
            if v.is_some() {
                return (used, v, out, g.received().to_vec());
            }
            if n == 0 {
                break;
            }
        }
    }
    (used, None, out, g.received().to_vec())
}

/// Decoder: octet 0 picks the framing and MAXMSGSIZE, octet 1 the read
/// size; the rest is the frame stream.
pub fn decoder(data: &[u8]) {
    let [sel, cut, wire @ ..] = data else { return };
    let framing = [Framing::V1, Framing::V2, Framing::V3_1][usize::from(sel & 3) % 3];
    let max = [-1i64, 0, 1, 255, 256, 70_000, 1 << 40, i64::MAX][usize::from(sel >> 2) & 7];
    let whole = decode_all(framing, max, wire, wire.len().max(1));
    let cut = decode_all(framing, max, wire, usize::from(*cut).max(1));
    assert_eq!(whole, cut, "the same stream read in pieces of {}", data[1]);
    let (frames, _end) = whole;
    for (body, flags) in &frames {
        assert!(max < 0 || body.len() as u64 <= max as u64, "{} octets over MAXMSGSIZE {max}", body.len());
        let allowed = if framing == Framing::V1 { msg::MORE } else { msg::MORE | msg::COMMAND };
        assert_eq!(flags & !allowed, 0);
    }
    // Encoded again (the way we write this framing) they decode the same.
    let enc_framing = if framing == Framing::V3_1 { Framing::V2 } else { framing };
    let mut q = OutQueue::new();
    let e = Encoder::new(enc_framing);
    for (body, flags) in &frames {
        let mut m = Msg::from_slice(body);
        m.set_flags(*flags);
        e.encode(&m, &mut q);
    }
    let again = decode_all(framing, max, &q.to_vec(), 1 << 20);
    assert_eq!(again.0, frames, "re-encoded frames decode differently");
    assert_eq!(again.1, End::Clean);
}

/// How a stream ended: cleanly between frames, inside one, or with errno.
#[derive(Debug, PartialEq, Eq)]
enum End {
    Clean,
    Partial,
    Error(i32),
}

fn decode_all(framing: Framing, max: i64, wire: &[u8], piece: usize) -> (Vec<(Vec<u8>, u8)>, End) {
    let mut d = Decoder::new(framing, max);
    let mut input = BytesMut::new();
    let mut frames = Vec::new();
    for chunk in wire.chunks(piece) {
        input.extend_from_slice(chunk);
        loop {
            match d.decode(&mut input) {
                Ok(Some(m)) => frames.push((m.data().to_vec(), m.flags())),
                Ok(None) => break,
                Err(e) => return (frames, End::Error(e.0)),
            }
        }
    }
    let end = if d.in_frame(&input) { End::Partial } else { End::Clean };
    (frames, end)
}

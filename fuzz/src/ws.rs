//! ZMTP over WebSocket: the HTTP upgrade parser of either side and the
//! frame decoder of either end, each checked against itself (however the
//! input is cut into reads, the result is the same) and, for frames,
//! against our encoder (what decodes encodes back to the same frames).

use bytes::BytesMut;
use zmq::msg::{self, Msg};
use zmq::proto::ws::frame::{Control, Decoder, Encoder, Frame, Role};
use zmq::proto::ws::upgrade::{ClientUpgrade, Mechanism, Protocol, ServerUpgrade, UpgradeError, Upgraded};

const MECHS: [Mechanism; 3] = [Mechanism::Null, Mechanism::Plain, Mechanism::Curve];

/// The nonce our client uses: RFC 6455's sample, so a response built
/// around its accept key (`s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`) gets through.
pub const NONCE: [u8; 16] = *b"the sample nonce";

/// Upgrade: octet 0 picks the side (bit 0: 0 server, 1 client) and the
/// mechanism (bits 1-2), octet 1 how reads cut the rest, which is the
/// peer's request or response (and whatever follows it).
pub fn ws_upgrade(data: &[u8]) {
    let [sel, cut, input @ ..] = data else { return };
    let client = sel & 1 == 1;
    let mech = MECHS[usize::from(sel >> 1 & 3) % 3];
    let whole = feed(client, mech, input, input.len().max(1));
    let cut = feed(client, mech, input, usize::from(*cut).max(1));
    assert_eq!(whole, cut, "the same input read in pieces of {}", data[1]);
    let Ok(Some(u)) = whole else { return };
    assert!(u.used >= 4 && u.used <= input.len());
    assert_eq!(&input[u.used - 4..u.used], b"\r\n\r\n", "ends at the empty line");
    assert_eq!(Protocol::select(mech, u.protocol.token().as_bytes()), Some(u.protocol));
    if client {
        assert!(u.reply.is_empty());
        assert!(input.starts_with(b"HTTP/1.1 "));
    } else {
        let reply = String::from_utf8(u.reply).expect("the reply is text");
        assert!(reply.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
        assert!(reply.ends_with(&format!("Sec-WebSocket-Protocol: {}\r\n\r\n", u.protocol.token())));
        assert!(input.starts_with(b"GET "));
    }
}

/// Feeds `input` in pieces; the outcome with `used` counted from the
/// start of `input`. After an outcome, more input must fail.
fn feed(client: bool, mech: Mechanism, input: &[u8], piece: usize) -> Result<Option<Upgraded>, UpgradeError> {
    let mut server = ServerUpgrade::new(mech);
    let mut cl = ClientUpgrade::new(mech, NONCE);
    let mut step = |b: &[u8]| if client { cl.feed(b) } else { server.feed(b) };
    let mut at = 0;
    for chunk in input.chunks(piece) {
        match step(chunk) {
            Ok(None) => at += chunk.len(),
            Ok(Some(mut u)) => {
                assert!(u.used <= chunk.len());
                u.used += at;
                assert_eq!(step(b"x"), Err(UpgradeError::Finished));
                return Ok(Some(u));
            }
            Err(e) => {
                assert_eq!(step(b"x"), Err(e), "a failure is final");
                return Err(e);
            }
        }
    }
    Ok(None)
}

/// Frames: octet 0 picks the decoding end (bit 0: 0 server, which wants
/// masked frames, 1 client) and MAXMSGSIZE (bits 1-3), octet 1 the read
/// size; the rest is the frame stream.
pub fn ws_decoder(data: &[u8]) {
    let [sel, cut, wire @ ..] = data else { return };
    let role = if sel & 1 == 1 { Role::Client } else { Role::Server };
    let max = [-1i64, 0, 1, 125, 126, 70_000, 1 << 40, i64::MAX][usize::from(sel >> 1 & 7)];
    let whole = decode_all(role, max, wire, wire.len().max(1));
    let cut = decode_all(role, max, wire, usize::from(*cut).max(1));
    assert_eq!(whole, cut, "the same stream read in pieces of {}", data[1]);
    let (frames, _end) = whole;
    for (kind, flags, body) in &frames {
        assert!(max < 0 || body.len() as u64 <= max as u64, "{} octets over MAXMSGSIZE {max}", body.len());
        assert_eq!(flags & !(msg::MORE | msg::COMMAND), 0);
        assert!(*kind == Kind::Message || *flags == 0);
    }
    // Encoded again by the other end, they decode the same.
    let other = if role == Role::Server { Role::Client } else { Role::Server };
    let mut e = Encoder::new(other, u64::from(data[1]));
    let mut again = Vec::new();
    for (kind, flags, body) in &frames {
        match kind {
            Kind::Message => {
                let mut m = Msg::from_slice(body);
                m.set_flags(*flags);
                e.encode(&m, &mut again);
            }
            Kind::Ping => e.control(Control::Ping, body, &mut again),
            Kind::Pong => e.control(Control::Pong, body, &mut again),
            Kind::Close => e.control(Control::Close, body, &mut again),
        }
    }
    let round = decode_all(role, max, &again, 1 << 20);
    assert_eq!(round.0, frames, "re-encoded frames decode differently");
    assert_eq!(round.1, End::Clean);
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Message,
    Ping,
    Pong,
    Close,
}

/// How a stream ended: cleanly between frames, inside one, or with errno.
#[derive(Debug, PartialEq, Eq)]
enum End {
    Clean,
    Partial,
    Error(i32),
}

type Decoded = (Vec<(Kind, u8, Vec<u8>)>, End);

fn decode_all(role: Role, max: i64, wire: &[u8], piece: usize) -> Decoded {
    let mut d = Decoder::new(role, max);
    let mut input = BytesMut::new();
    let mut frames = Vec::new();
    for chunk in wire.chunks(piece) {
        input.extend_from_slice(chunk);
        loop {
            match d.decode(&mut input) {
                Ok(Some(f)) => frames.push(match f {
                    Frame::Message(m) => (Kind::Message, m.flags(), m.data().to_vec()),
                    Frame::Ping(b) => (Kind::Ping, 0, b.to_vec()),
                    Frame::Pong(b) => (Kind::Pong, 0, b.to_vec()),
                    Frame::Close(b) => (Kind::Close, 0, b.to_vec()),
                }),
                Ok(None) => break,
                Err(e) => return (frames, End::Error(e.0)),
            }
        }
    }
    let end = if d.in_frame(&input) { End::Partial } else { End::Clean };
    (frames, end)
}

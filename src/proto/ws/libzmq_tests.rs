//! Test vectors from libzmq 4.3.4 itself: what its ws engine sent over
//! loopback, recorded with `tools/ws-capture` against the reference build
//! of `tools/build-ref-libzmq` (libzmq to libzmq through a logging relay,
//! and raw clients for close frames and bare `ZWS2.0`). Each is checked
//! both ways: our parsers and decoders read libzmq's bytes, and our
//! generators and encoders write the same bytes (a client's with the
//! masking keys libzmq used).

use super::frame::encoder::{binary_frame, control_frame};
use super::frame::{Control, Decoder, Frame, Role};
use super::upgrade::{ClientUpgrade, Mechanism, Protocol, ServerUpgrade};
use crate::msg::{self, Msg};
use base64::Engine as _;
use bytes::BytesMut;

/// REQ connecting to REP at `ws://127.0.0.1:*/roundtrip` (through a
/// logging relay): the request, and the reply with REP's READY behind it.
const REQ_REQUEST: &[u8] = b"GET /roundtrip HTTP/1.1\r\n\
      Host: 127.0.0.1\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Key: Udyw9EqU6CopH46julgbvQ==\r\n\
      Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\n\
      Sec-WebSocket-Version: 13\r\n\
      \r\n";
const REP_REPLY: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Accept: havU8YegcRa6Hze++StrRTpuUcM=\r\n\
      Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n\
      \r\n\
      \x82\x1a\x02\x05READY\x0bSocket-Type\x00\x00\x00\x03REP";
/// REQ's READY, then "\x00\x01\x02\x03\x04" after an empty delimiter.
const REQ_READY_AND_REQUEST: &str =
    "82a7aeb141f2acb413b7eff518f9fdde2299cbc56ca6d7c124f2aeb142a0ebe049bbcad4\
      2f86c7c538f2aeb141828179e2a9e3788286515f007c515f017e525b";
/// REP's answer: the delimiter, then the body reversed.
const REP_ANSWER: &str = "8201018206000403020100";
/// REQ's 255-octet request (octets 0..=254), masked: a 16-bit length.
const REQ_255: &str = "8281122008541382fe01000216231b021622190112261d051e2a11091a2e150d06320911\
      02360d150e3a01190a3e051d3602392132063d253e0a31293a0e352d2612293122162d35\
      2e1a21392a1e253d5662594152665d455e6a51495a6e554d4672495142764d554e7a4159\
      4a7e455d7642796172467d657e4a71697a4e756d6652697162566d756e5a61796a5e657d\
      96a2998192a69d859eaa91899aae958d86b2899182b68d958eba81998abe859db682b9a1\
      b286bda5be8ab1a9ba8eb5ada692a9b1a296adb5ae9aa1b9aa9ea5bdd6e2d9c1d2e6ddc5\
      deead1c9daeed5cdc6f2c9d1c2f6cdd5cefac1d9cafec5ddf6c2f9e1f2c6fde5fecaf1e9\
      facef5ede6d2e9f1e2d6edf5eedae102172118";
/// REP's 255-octet answer, unmasked.
const REP_255: &str = "820101827e01000003020100faf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3\
      e2e1e0dfdedddcdbdad9d8d7d6d5d4d3d2d1d0cfcecdcccbcac9c8c7c6c5c4c3c2c1c0bf\
      bebdbcbbbab9b8b7b6b5b4b3b2b1b0afaeadacabaaa9a8a7a6a5a4a3a2a1a09f9e9d9c9b\
      9a999897969594939291908f8e8d8c8b8a898887868584838281807f7e7d7c7b7a797877\
      767574737271706f6e6d6c6b6a696867666564636261605f5e5d5c5b5a59585756555453\
      5251504f4e4d4c4b4a494847464544434241403f3e3d3c3b3a393837363534333231302f\
      2e2d2c2b2a292827262524232221201f1e1d1c1b1a191817161514131211100f0e0d0c0b\
      0a09080706050403020100";
/// The first 300 octets REQ and REP sent for 65536-octet bodies.
const REQ_65536_HEAD: &str =
    "82819190cde79082ff0000000000010001140e0f76140e0e74170a0a701306067c1f0202\
      781b1e1e64071a1a600316166c0f1212680b2e2e54372a2a503326265c3f2222583b3e3e\
      44273a3a402336364c2f3232482b4e4e34574a4a305346463c5f4242385b5e5e24475a5a\
      204356562c4f5252284b6e6e14776a6a107366661c7f6262187b7e7e04677a7a00637676\
      0c6f7272086b8e8ef4978a8af0938686fc9f8282f89b9e9ee4879a9ae0839696ec8f9292\
      e88baeaed4b7aaaad0b3a6a6dcbfa2a2d8bbbebec4a7babac0a3b6b6ccafb2b2c8abcece\
      b4d7cacab0d3c6c6bcdfc2c2b8dbdedea4c7dadaa0c3d6d6accfd2d2a8cbeeee94f7eaea\
      90f3e6e69cffe2e298fbfefe84e7fafa80e3f6f68c140f0d75100b09711c07057d180301\
      79041f1d65001b19610c1715";
const REP_65536_HEAD: &str =
    "820101827f0000000000010001001817161514131211100f0e0d0c0b0a09080706050403\
      020100faf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0dfdedddcdbda\
      d9d8d7d6d5d4d3d2d1d0cfcecdcccbcac9c8c7c6c5c4c3c2c1c0bfbebdbcbbbab9b8b7b6\
      b5b4b3b2b1b0afaeadacabaaa9a8a7a6a5a4a3a2a1a09f9e9d9c9b9a9998979695949392\
      91908f8e8d8c8b8a898887868584838281807f7e7d7c7b7a797877767574737271706f6e\
      6d6c6b6a696867666564636261605f5e5d5c5b5a595857565554535251504f4e4d4c4b4a\
      494847464544434241403f3e3d3c3b3a393837363534333231302f2e2d2c2b2a29282726\
      2524232221201f1e1d1c1b1a191817161514131211100f0e0d0c0b0a0908070605040302\
      0100faf9f8f7f6f5f4f3f2f1";

/// SUB (subscribed to "A") connecting to XPUB.
const SUB_REQUEST: &[u8] = b"GET / HTTP/1.1\r\n\
      Host: 127.0.0.1\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Key: LvmckDPC3P/JxKdBZvtqTg==\r\n\
      Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\n\
      Sec-WebSocket-Version: 13\r\n\
      \r\n";
const XPUB_REPLY: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Accept: AkkRtjR9c8VGtL8poED6f7NtMiA=\r\n\
      Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n\
      \r\n\
      \x82\x1b\x02\x05READY\x0bSocket-Type\x00\x00\x00\x04XPUB";
/// SUB's READY, then its subscription.
const SUB_READY_AND_SUBSCRIBE: &str =
    "829ad19b500dd39e024890df090682f43366b4ef7d59a8eb350dd19b535e84d982833f2d\
      ba313f2cfb";
/// XPUB's "A-msg".
const XPUB_MESSAGE: &str = "820600412d6d7367";

/// DEALER with ZMQ_HEARTBEAT_IVL 100 ms connecting to a DEALER.
const HB_REQUEST: &[u8] = b"GET /hb HTTP/1.1\r\n\
      Host: 127.0.0.1\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Key: ozBxJSVhbMMFsTqzWKhDpA==\r\n\
      Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\n\
      Sec-WebSocket-Version: 13\r\n\
      \r\n";
const HB_REPLY: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Accept: KvO11+mOUzQ1cyaY5G1Vh2vjTZI=\r\n\
      Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n\
      \r\n\
      \x82*\x02\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00";
/// The client's READY and "x", then three heartbeats, each answered with
/// an empty pong (`8a00`).
const HB_READY_AND_X: &str =
    "82aa6763845e6566d61b2627dd55340ce7350217a90a1e13e15e6763821a2222c81b356b\
      cd3a020df037131a845e6763828208edbdab0895";
const HB_PINGS: [&str; 3] = ["89804353d0cd", "8980189a769b", "8980f1f32454"];

/// DEALER under PLAIN ("admin"/"secret") connecting to a PLAIN server
/// DEALER (with a ZAP handler that accepts everyone).
const PLAIN_REQUEST: &[u8] = b"GET /plain HTTP/1.1\r\n\
      Host: 127.0.0.1\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Key: aZg85FHcsPRKlOgqKR+Oow==\r\n\
      Sec-WebSocket-Protocol: ZWS2.0/PLAIN\r\n\
      Sec-WebSocket-Version: 13\r\n\
      \r\n";
const PLAIN_REPLY: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Accept: 3rHGv98BAM4Yl1zwMrpTcpnmrvc=\r\n\
      Sec-WebSocket-Protocol: ZWS2.0/PLAIN\r\n\
      \r\n";
const PLAIN_HELLO: &str = "8294bd1b58babf1e10fff15717bfdc7f35d3d31d2bdfde693dce";
const PLAIN_WELCOME: &str = "8209020757454c434f4d45";
const PLAIN_INITIATE: &str =
    "82adaeb141f2acb908bce7e508b3faf44aa1c1d22a97da9c158bded441f2aeb705b7effd\
      04a0a6f82597c0c52886d7b141f2ae";
const PLAIN_READY: &str =
    "822a020552454144590b536f636b65742d54797065000000064445414c4552084964656e\
      7469747900000000";
const PLAIN_HI: &str = "828379e2a9e3798ac0";

/// A raw client's masked close (code 1000, "bye"; key 11 22 33 44) and
/// libzmq's echo of it, unmasked.
const RAW_CLOSE: &str = "88851122334412ca513d74";
const CLOSE_ECHO: &str = "880503e8627965";
/// A raw client's masked ping "hb", and libzmq's answer: an empty pong.
const RAW_PING: &str = "8982112233447940";
const PONG: &str = "8a00";
/// libzmq's reply to a client offering only `ZWS2.0`, then its routing id
/// (empty) as the first message: no READY.
const BARE_REPLY: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
      Upgrade: websocket\r\n\
      Connection: Upgrade\r\n\
      Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
      Sec-WebSocket-Protocol: ZWS2.0\r\n\
      \r\n\
      \x82\x01\x00";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The nonce behind a request's Sec-WebSocket-Key.
fn nonce_of(request: &[u8]) -> [u8; 16] {
    let text = std::str::from_utf8(request).expect("text");
    let key = text
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .expect("a key");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(key)
        .expect("base64");
    raw.try_into().expect("16 octets")
}

/// Where the HTTP part of `b` ends.
fn http_len(b: &[u8]) -> usize {
    b.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an empty line")
        + 4
}

/// The masking keys of the client frames in `wire`, in order.
fn keys(mut wire: &[u8]) -> Vec<[u8; 4]> {
    let mut out = Vec::new();
    while wire.len() >= 2 {
        let (len, at) = match wire[1] & 0x7F {
            126 => (usize::from(u16::from_be_bytes([wire[2], wire[3]])), 4),
            127 => (
                u64::from_be_bytes(wire[2..10].try_into().expect("8")) as usize,
                10,
            ),
            n => (usize::from(n), 2),
        };
        out.push(wire[at..at + 4].try_into().expect("4"));
        wire = &wire[(at + 4 + len).min(wire.len())..];
    }
    out
}

/// Every frame of `wire` as `role` decodes it: (opcode name, flags, body).
fn decode(role: Role, wire: &[u8]) -> Vec<(&'static str, u8, Vec<u8>)> {
    let mut d = Decoder::new(role, -1);
    let mut input = BytesMut::from(wire);
    let mut out = Vec::new();
    while let Some(f) = d.decode(&mut input).expect("libzmq's frames decode") {
        out.push(match f {
            Frame::Message(m) => ("msg", m.flags(), m.data().to_vec()),
            Frame::Ping(b) => ("ping", 0, b.to_vec()),
            Frame::Pong(b) => ("pong", 0, b.to_vec()),
            Frame::Close(b) => ("close", 0, b.to_vec()),
        });
    }
    assert!(input.is_empty(), "whole frames");
    out
}

fn flagged(data: &[u8], flags: u8) -> Msg {
    let mut m = Msg::from_slice(data);
    m.set_flags(flags);
    m
}

/// Frames encoded as libzmq's client did, key for key (None: unmasked).
fn encoded(msgs: &[Msg], keys: &[[u8; 4]]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        binary_frame(m, keys.get(i).copied(), &mut out);
    }
    out
}

/// A READY command body with Socket-Type (and an empty Identity).
fn ready(socket_type: &str, identity: bool) -> Vec<u8> {
    let mut b = b"\x05READY\x0bSocket-Type".to_vec();
    b.extend((socket_type.len() as u32).to_be_bytes());
    b.extend(socket_type.as_bytes());
    if identity {
        b.extend(b"\x08Identity\x00\x00\x00\x00");
    }
    b
}

const CAPTURES: [(&[u8], &[u8], Mechanism, &str); 4] = [
    (REQ_REQUEST, REP_REPLY, Mechanism::Null, "/roundtrip"),
    (SUB_REQUEST, XPUB_REPLY, Mechanism::Null, "/"),
    (HB_REQUEST, HB_REPLY, Mechanism::Null, "/hb"),
    (PLAIN_REQUEST, PLAIN_REPLY, Mechanism::Plain, "/plain"),
];

#[test]
fn our_request_is_libzmqs_byte_for_byte() {
    for (request, _, mech, path) in CAPTURES {
        let ours = ClientUpgrade::new(mech, nonce_of(request)).request("127.0.0.1", path);
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(request)
        );
    }
}

#[test]
fn our_reply_is_libzmqs_byte_for_byte() {
    for (request, reply, mech, _) in CAPTURES {
        let u = ServerUpgrade::new(mech)
            .feed(request)
            .expect("accepted")
            .expect("complete");
        assert_eq!(u.used, request.len());
        assert_eq!(u.protocol, Protocol::Zmtp(mech));
        assert_eq!(
            String::from_utf8_lossy(&u.reply),
            String::from_utf8_lossy(&reply[..http_len(reply)])
        );
    }
}

#[test]
fn libzmqs_reply_upgrades_our_client_and_its_frames_follow() {
    let readies: [Option<Vec<u8>>; 4] = [
        Some(ready("REP", false)),
        Some(ready("XPUB", false)),
        Some(ready("DEALER", true)),
        None,
    ];
    for ((request, reply, mech, _), ready) in CAPTURES.into_iter().zip(readies) {
        let mut c = ClientUpgrade::new(mech, nonce_of(request));
        let u = c.feed(reply).expect("accepted").expect("complete");
        assert_eq!(
            (u.used, u.protocol),
            (http_len(reply), Protocol::Zmtp(mech))
        );
        let rest = &reply[u.used..];
        match ready {
            Some(body) => {
                // NULL: the server's READY came in the same write.
                assert_eq!(
                    decode(Role::Client, rest),
                    vec![("msg", msg::COMMAND, body.clone())]
                );
                assert_eq!(encoded(&[flagged(&body, msg::COMMAND)], &[]), rest);
            }
            None => assert!(rest.is_empty()),
        }
    }
}

#[test]
fn req_rep_frames_both_ways() {
    let body: Vec<u8> = (0..5).collect();
    let sent = [
        flagged(&ready("REQ", true), msg::COMMAND),
        flagged(b"", msg::MORE),
        flagged(&body, 0),
    ];
    let wire = unhex(REQ_READY_AND_REQUEST);
    let got = decode(Role::Server, &wire);
    let want: Vec<_> = sent
        .iter()
        .map(|m| ("msg", m.flags(), m.data().to_vec()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(encoded(&sent, &keys(&wire)), wire);
    let rev: Vec<u8> = body.iter().rev().copied().collect();
    let answer = [flagged(b"", msg::MORE), flagged(&rev, 0)];
    assert_eq!(encoded(&answer, &[]), unhex(REP_ANSWER));
    assert_eq!(decode(Role::Client, &unhex(REP_ANSWER)).len(), 2);
}

#[test]
fn sixteen_and_sixty_four_bit_lengths_both_ways() {
    let body: Vec<u8> = (0..255).map(|i| (i % 251) as u8).collect();
    let rev: Vec<u8> = body.iter().rev().copied().collect();
    let wire = unhex(REQ_255);
    let parts = [flagged(b"", msg::MORE), flagged(&body, 0)];
    assert_eq!(decode(Role::Server, &wire)[1], ("msg", 0, body.clone()));
    assert_eq!(encoded(&parts, &keys(&wire)), wire);
    let wire = unhex(REP_255);
    assert_eq!(decode(Role::Client, &wire)[1], ("msg", 0, rev));
    assert_eq!(
        encoded(
            &[
                flagged(b"", msg::MORE),
                flagged(&body.iter().rev().copied().collect::<Vec<_>>(), 0)
            ],
            &[]
        ),
        wire
    );

    let big: Vec<u8> = (0..65536).map(|i| (i % 251) as u8).collect();
    let head = unhex(REQ_65536_HEAD);
    let ours = encoded(&[flagged(b"", msg::MORE), flagged(&big, 0)], &keys(&head));
    assert_eq!(
        ours.len(),
        7 + 2 + 8 + 4 + 1 + 65536,
        "what libzmq sent in all"
    );
    assert_eq!(ours[..head.len()], head[..]);
    let mut d = Decoder::new(Role::Server, -1);
    let mut input = BytesMut::from(&ours[..]);
    assert!(matches!(d.decode(&mut input), Ok(Some(Frame::Message(_)))));
    assert!(matches!(d.decode(&mut input), Ok(Some(Frame::Message(m))) if m.data() == &big[..]));
    let big_rev: Vec<u8> = big.iter().rev().copied().collect();
    let ours = encoded(&[flagged(b"", msg::MORE), flagged(&big_rev, 0)], &[]);
    let head = unhex(REP_65536_HEAD);
    assert_eq!(ours.len(), 3 + 10 + 1 + 65536);
    assert_eq!(ours[..head.len()], head[..]);
}

#[test]
fn a_subscription_is_a_data_frame_led_by_1() {
    let wire = unhex(SUB_READY_AND_SUBSCRIBE);
    assert_eq!(
        decode(Role::Server, &wire),
        vec![
            ("msg", msg::COMMAND, ready("SUB", false)),
            ("msg", 0, b"\x01A".to_vec())
        ]
    );
    let sent = [
        flagged(&ready("SUB", false), msg::COMMAND),
        flagged(b"A", msg::SUBSCRIBE),
    ];
    assert_eq!(encoded(&sent, &keys(&wire)), wire);
    assert_eq!(encoded(&[flagged(b"A-msg", 0)], &[]), unhex(XPUB_MESSAGE));
}

#[test]
fn heartbeats_are_empty_pings_answered_by_empty_pongs() {
    let wire = unhex(HB_READY_AND_X);
    let sent = [
        flagged(&ready("DEALER", true), msg::COMMAND),
        flagged(b"x", 0),
    ];
    assert_eq!(
        decode(Role::Server, &wire),
        sent.iter()
            .map(|m| ("msg", m.flags(), m.data().to_vec()))
            .collect::<Vec<_>>()
    );
    assert_eq!(encoded(&sent, &keys(&wire)), wire);
    for ping in HB_PINGS {
        let wire = unhex(ping);
        assert_eq!(decode(Role::Server, &wire), vec![("ping", 0, vec![])]);
        let mut ours = Vec::new();
        control_frame(Control::Ping, b"", Some(keys(&wire)[0]), &mut ours);
        assert_eq!(ours, wire);
    }
    // libzmq's pong carries nothing, even for a ping that did.
    assert_eq!(
        decode(Role::Server, &unhex(RAW_PING)),
        vec![("ping", 0, b"hb".to_vec())]
    );
    let mut pong = Vec::new();
    control_frame(Control::Pong, b"", None, &mut pong);
    assert_eq!(pong, unhex(PONG));
}

#[test]
fn a_close_is_echoed_unmasked() {
    let wire = unhex(RAW_CLOSE);
    let got = decode(Role::Server, &wire);
    assert_eq!(got, vec![("close", 0, b"\x03\xe8bye".to_vec())]);
    let mut echo = Vec::new();
    control_frame(Control::Close, &got[0].2, None, &mut echo);
    assert_eq!(echo, unhex(CLOSE_ECHO));
}

#[test]
fn plain_handshake_frames() {
    let hello = unhex(PLAIN_HELLO);
    let sent = [flagged(b"\x05HELLO\x05admin\x06secret", msg::COMMAND)];
    assert_eq!(
        decode(Role::Server, &hello),
        vec![("msg", msg::COMMAND, sent[0].data().to_vec())]
    );
    assert_eq!(encoded(&sent, &keys(&hello)), hello);
    let welcome = [flagged(b"\x07WELCOME", msg::COMMAND)];
    assert_eq!(encoded(&welcome, &[]), unhex(PLAIN_WELCOME));
    let initiate = unhex(PLAIN_INITIATE);
    let mut body = b"\x08INITIATE".to_vec();
    body.extend(&ready("DEALER", true)[6..]);
    let sent = [flagged(&body, msg::COMMAND)];
    assert_eq!(
        decode(Role::Server, &initiate),
        vec![("msg", msg::COMMAND, body.clone())]
    );
    assert_eq!(encoded(&sent, &keys(&initiate)), initiate);
    assert_eq!(
        encoded(&[flagged(&ready("DEALER", true), msg::COMMAND)], &[]),
        unhex(PLAIN_READY)
    );
    let hi = unhex(PLAIN_HI);
    assert_eq!(encoded(&[flagged(b"hi", 0)], &keys(&hi)), hi);
}

#[test]
fn bare_zws2_is_chosen_when_offered_alone_and_starts_with_routing_ids() {
    let request = REQ_REQUEST.to_vec();
    let text = String::from_utf8(request)
        .expect("text")
        .replace("ZWS2.0/NULL,ZWS2.0", "ZWS2.0");
    let text = text
        .replace("Udyw9EqU6CopH46julgbvQ==", "dGhlIHNhbXBsZSBub25jZQ==")
        .replace("/roundtrip", "/");
    let u = ServerUpgrade::new(Mechanism::Null)
        .feed(text.as_bytes())
        .expect("accepted")
        .expect("complete");
    assert_eq!(u.protocol, Protocol::Bare);
    assert_eq!(u.reply, BARE_REPLY[..http_len(BARE_REPLY)]);
    assert_eq!(
        encoded(&[flagged(b"", 0)], &[]),
        BARE_REPLY[http_len(BARE_REPLY)..]
    );
}

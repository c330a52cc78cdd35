//! CURVE (CurveZMQ, RFC 26) as libzmq 4.3 implements it: the handshake
//! (`client.rs`, `server.rs`), the boxes (`crypto.rs` over `salsa20.rs`
//! and `poly1305.rs`), and here the MESSAGE layer both sides share,
//! libzmq's `curve_encoding_t`. ZMTP-NOTES.md section 4 has the layouts.

mod client;
pub mod crypto;
// Public so that fuzz/ can check them against RustCrypto's crates.
pub mod poly1305;
pub mod salsa20;
mod server;

#[cfg(test)]
mod diff_tests;
#[cfg(test)]
mod kat_tests;

pub use client::CurveClient;
pub use server::CurveServer;

use crate::error::Error;
use crate::msg::{self, Msg};
use crate::proto::{code, command, Failure};
use bytes::{Buf, Bytes};
use crypto::{BoxKey, PrefixKey, BOX_OVERHEAD};

pub(crate) const HELLO: &[u8] = b"\x05HELLO";
pub(crate) const WELCOME: &[u8] = b"\x07WELCOME";
pub(crate) const INITIATE: &[u8] = b"\x08INITIATE";
pub(crate) const MESSAGE: &[u8] = b"\x07MESSAGE";

/// Command sizes libzmq insists on (exact for HELLO and WELCOME).
pub(crate) const HELLO_LEN: usize = 200;
pub(crate) const WELCOME_LEN: usize = 168;
pub(crate) const INITIATE_MIN: usize = 257;
pub(crate) const READY_MIN: usize = 30;

/// Nonce prefixes (ZMTP-NOTES.md section 4.2).
pub(crate) const HELLO_NONCE: &[u8; 16] = b"CurveZMQHELLO---";
pub(crate) const WELCOME_NONCE: &[u8; 8] = b"WELCOME-";
pub(crate) const COOKIE_NONCE: &[u8; 8] = b"COOKIE--";
pub(crate) const INITIATE_NONCE: &[u8; 16] = b"CurveZMQINITIATE";
pub(crate) const VOUCH_NONCE: &[u8; 8] = b"VOUCH---";
pub(crate) const READY_NONCE: &[u8; 16] = b"CurveZMQREADY---";
pub(crate) const CLIENT_MESSAGE_NONCE: &[u8; 16] = b"CurveZMQMESSAGEC";
pub(crate) const SERVER_MESSAGE_NONCE: &[u8; 16] = b"CurveZMQMESSAGES";

/// MESSAGE: name, 8-octet short nonce, then the box.
const MESSAGE_HEADER: usize = 8 + 8;
/// Flags octet inside the box: bit 0 MORE, bit 1 COMMAND (libzmq's own
/// flag values, which is what goes on the wire).
const INNER_MORE: u8 = 0x01;
const INNER_COMMAND: u8 = 0x02;
/// The shortest MESSAGE: header, tag and the flags octet.
const MESSAGE_MIN: usize = MESSAGE_HEADER + BOX_OVERHEAD + 1;
/// Box plus flags up to which a frame is opened on the stack: the
/// payload then fits a `Msg` inline and needs no allocation at all.
const INLINE_BOX: usize = BOX_OVERHEAD + 1 + msg::INLINE_MAX;

/// The short-nonce counters and the session key, libzmq's
/// `curve_encoding_t`: our nonce counts 1, 2, ... over every box we seal
/// with a short nonce (HELLO, INITIATE, READY, MESSAGEs); the peer's must
/// grow strictly from one MESSAGE to the next (gaps allowed).
pub(crate) struct Channel {
    /// Precomputed from the two short-term keys once both are known
    /// (READY uses it), and bound to each MESSAGE nonce prefix.
    key: Option<BoxKey>,
    send: Option<PrefixKey>,
    recv: Option<PrefixKey>,
    send_prefix: &'static [u8; 16],
    recv_prefix: &'static [u8; 16],
    next_nonce: u64,
    peer_nonce: u64,
    /// ZMTP/3.0 peer: subscriptions go inside as `01/00 + topic` data.
    downgrade_subscriptions: bool,
}

impl Channel {
    pub(crate) fn new(
        send_prefix: &'static [u8; 16],
        recv_prefix: &'static [u8; 16],
        downgrade: bool,
    ) -> Channel {
        Channel {
            key: None,
            send: None,
            recv: None,
            send_prefix,
            recv_prefix,
            next_nonce: 1,
            peer_nonce: 1,
            downgrade_subscriptions: downgrade,
        }
    }

    pub(crate) fn set_key(&mut self, key: BoxKey) {
        self.send = Some(key.with_prefix(self.send_prefix));
        self.recv = Some(key.with_prefix(self.recv_prefix));
        self.key = Some(key);
    }

    pub(crate) fn key(&self) -> Option<&BoxKey> {
        self.key.as_ref()
    }

    /// The next short nonce, big-endian. Running out (2^64 boxes) ends the
    /// connection rather than ever reusing a nonce.
    pub(crate) fn take_nonce(&mut self) -> Result<[u8; 8], Failure> {
        let n = self.next_nonce;
        self.next_nonce = n.checked_add(1).ok_or(Failure::protocol(Error::EPROTO))?;
        Ok(n.to_be_bytes())
    }

    /// Records a handshake command's nonce, which later MESSAGEs must
    /// exceed (libzmq does not check handshake nonces themselves).
    pub(crate) fn set_peer_nonce(&mut self, short: [u8; 8]) {
        self.peer_nonce = u64::from_be_bytes(short);
    }

    /// One outgoing frame as one MESSAGE, written as a plain data frame.
    /// One allocation: the MESSAGE itself, sealed in place.
    pub(crate) fn encode(&mut self, frame: Msg) -> Result<Msg, Failure> {
        let f = frame.flags();
        let mut inner = 0;
        if f & msg::MORE != 0 {
            inner |= INNER_MORE;
        }
        if f & msg::COMMAND != 0 {
            inner |= INNER_COMMAND;
        }
        let (sub, cancel) = (f & msg::SUBSCRIBE != 0, f & msg::CANCEL != 0);
        // Subscriptions are encoded here, as libzmq's curve_encoding_t
        // does, since the frame encoder never sees inside the box.
        let name: &[u8] = match (sub || cancel, self.downgrade_subscriptions) {
            (false, _) => b"",
            (true, true) => {
                if sub {
                    b"\x01"
                } else {
                    b"\x00"
                }
            }
            (true, false) => {
                inner |= INNER_COMMAND;
                if sub {
                    command::SUBSCRIBE
                } else {
                    command::CANCEL
                }
            }
        };
        if self.send.is_none() {
            return Err(Failure::protocol(Error::EFSM));
        }
        let short = self.take_nonce()?;
        let data = frame.data();
        let mut body = Vec::with_capacity(MESSAGE_MIN + name.len() + data.len());
        body.extend_from_slice(MESSAGE);
        body.extend_from_slice(&short);
        body.extend_from_slice(&[0u8; BOX_OVERHEAD]);
        body.push(inner);
        body.extend_from_slice(name);
        body.extend_from_slice(data);
        if let (Some(key), Some(boxed)) = (self.send.as_ref(), body.get_mut(MESSAGE_HEADER..)) {
            key.seal_in_place(&short, boxed);
        }
        Ok(Msg::from_bytes(Bytes::from(body)))
    }

    /// One received MESSAGE, checked in libzmq's order, back to the frame
    /// it carries. Its MORE and COMMAND are those in the box OR'd with the
    /// MESSAGE frame's own, as libzmq's `curve_encoding_t::decode` leaves
    /// them (it opens the box into the frame's `msg_t`, whose flags stay,
    /// and `set_flags` adds). So a MESSAGE sent as a command frame comes out
    /// a command, which the session drops unless it is a PING or a
    /// subscription, as libzmq's does. Senders (libzmq, us) put no flags on
    /// the frame itself.
    pub(crate) fn decode(&mut self, frame: Msg) -> Result<Msg, Failure> {
        let outer = frame.flags() & (msg::MORE | msg::COMMAND);
        let data = frame.data();
        super::check_basic_structure(data)?;
        if !data.starts_with(MESSAGE) {
            return Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND));
        }
        if data.len() < MESSAGE_MIN {
            return Err(Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_MESSAGE));
        }
        let Some((&short8, boxed)) = data[MESSAGE.len()..].split_first_chunk::<8>() else {
            return Err(Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_MESSAGE));
        };
        let n = u64::from_be_bytes(short8);
        if n <= self.peer_nonce {
            return Err(Failure::protocol_code(code::ZMTP_INVALID_SEQUENCE));
        }
        let Some(key) = self.recv.as_ref() else {
            return Err(Failure::protocol(Error::EFSM));
        };
        let cryptographic = || Failure::protocol_code(code::ZMTP_CRYPTOGRAPHIC);
        // Past the tag: flags, then the payload.
        let payload_at = BOX_OVERHEAD + 1;
        let (flags, mut m) = if boxed.len() <= INLINE_BOX {
            let mut buf = [0u8; INLINE_BOX];
            let buf = &mut buf[..boxed.len()];
            buf.copy_from_slice(boxed);
            if !key.open_in_place(&short8, buf) {
                return Err(cryptographic());
            }
            (
                flags_of(buf),
                Msg::from_slice(buf.get(payload_at..).unwrap_or_default()),
            )
        } else {
            // The frame usually shares the read buffer, so the plaintext
            // needs a buffer of its own: copy once, open in place, and let
            // the message start past tag and flags.
            let mut buf = boxed.to_vec();
            if !key.open_in_place(&short8, &mut buf) {
                return Err(cryptographic());
            }
            let flags = flags_of(&buf);
            let mut b = Bytes::from(buf);
            b.advance(payload_at.min(b.len()));
            (flags, Msg::from_bytes(b))
        };
        self.peer_nonce = n;
        m.set_flags(outer);
        if flags & INNER_MORE != 0 {
            m.set_flags(msg::MORE);
        }
        if flags & INNER_COMMAND != 0 {
            m.set_flags(msg::COMMAND);
        }
        Ok(m)
    }
}

/// The flags octet of an opened MESSAGE box (tag, flags, payload).
fn flags_of(opened: &[u8]) -> u8 {
    opened.get(BOX_OVERHEAD).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Channel, Channel) {
        let a = crypto::KeyPair {
            public: crate::util::curve::public_from_secret(&[1; 32]),
            secret: [1; 32].into(),
        };
        let b = crypto::KeyPair {
            public: crate::util::curve::public_from_secret(&[2; 32]),
            secret: [2; 32].into(),
        };
        let mut client = Channel::new(CLIENT_MESSAGE_NONCE, SERVER_MESSAGE_NONCE, false);
        let mut server = Channel::new(SERVER_MESSAGE_NONCE, CLIENT_MESSAGE_NONCE, false);
        client.set_key(BoxKey::shared(&b.public, &a.secret).unwrap());
        server.set_key(BoxKey::shared(&a.public, &b.secret).unwrap());
        // As after a handshake: HELLO and INITIATE took 1 and 2, READY 1.
        let (hello, initiate, ready) = (
            client.take_nonce().unwrap(),
            client.take_nonce().unwrap(),
            server.take_nonce().unwrap(),
        );
        server.set_peer_nonce(hello);
        server.set_peer_nonce(initiate);
        client.set_peer_nonce(ready);
        (client, server)
    }

    #[test]
    fn frames_round_trip_with_flags() {
        let (mut c, mut s) = pair();
        for (len, flags) in [
            (0usize, 0u8),
            (1, msg::MORE),
            (22, msg::COMMAND),
            (23, 0),
            (24, msg::MORE),
            (5000, 0),
        ] {
            let body: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut m = Msg::from_slice(&body);
            m.set_flags(flags);
            let wire = c.encode(m).unwrap();
            assert_eq!(wire.flags(), 0, "a plain data frame outside");
            assert_eq!(wire.size(), MESSAGE_MIN + len);
            let back = s.decode(wire).unwrap();
            assert_eq!((back.data(), back.flags()), (&body[..], flags), "len {len}");
        }
        assert!(c.decode(Msg::from_slice(b"\x07MESSAGE")).is_err());
    }

    #[test]
    fn frame_flags_add_to_those_in_the_box() {
        let (mut c, mut s) = pair();
        for (outer, inner, want) in [
            (msg::COMMAND, 0, msg::COMMAND),
            (msg::MORE, 0, msg::MORE),
            (
                msg::MORE | msg::COMMAND,
                msg::MORE,
                msg::MORE | msg::COMMAND,
            ),
            (0, msg::COMMAND, msg::COMMAND),
        ] {
            let mut m = Msg::from_slice(b"payload");
            m.set_flags(inner);
            let mut wire = c.encode(m).unwrap();
            wire.set_flags(outer);
            let back = s.decode(wire).unwrap();
            assert_eq!(
                (back.data(), back.flags()),
                (&b"payload"[..], want),
                "outer {outer:#x} inner {inner:#x}"
            );
        }
    }

    /// Encode + decode throughput, to compare with libzmq's
    /// `curve_encoding_t` over libsodium. Run with
    /// `cargo test --release --lib curve_throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn curve_throughput() {
        // CURVE_BENCH=64 or 65536 runs one size (for profiling).
        let only: Option<usize> = std::env::var("CURVE_BENCH")
            .ok()
            .and_then(|v| v.parse().ok());
        for (size, iters) in [(64usize, 1_000_000u32), (65536, 20_000)] {
            if only.is_some_and(|o| o != size) {
                continue;
            }
            let (mut c, mut s) = pair();
            let payload = Msg::from_bytes(vec![3u8; size].into());
            let start = std::time::Instant::now();
            let mut check = 0usize;
            for _ in 0..iters {
                let m = s.decode(c.encode(payload.clone()).unwrap()).unwrap();
                check += m.size();
            }
            let ns = start.elapsed().as_nanos() as f64 / f64::from(iters);
            println!(
                "curve encode+decode {size} B: {ns:.0} ns, {:.0} MB/s",
                size as f64 / ns * 1e3
            );
            assert_eq!(check, size * iters as usize);
        }
    }
}

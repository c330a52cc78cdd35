//! WebSocket frame encoder: ZMTP frames (a `Msg` and its flags) and
//! control frames in, octets out into a [`Sink`], the way libzmq 4.3.4's
//! `ws_encoder` lays them out.
//!
//! A server's large bodies go to the sink by reference, uncopied. A
//! client must mask, so it copies every body (libzmq masks in place when
//! the message is its own, and copies shared or constant ones; our bodies
//! are shared `Bytes`, so a copy it is).

use super::{mask, Control, MaskGen, Role, FIN, MASKED, OP_BINARY, WS_COMMAND, WS_MORE};
use crate::msg::{self, Msg};
use bytes::{Bytes, BytesMut};

/// Bodies at least this long go to the sink by reference (when not
/// masked): below it a copy costs less than another iovec entry, as in the
/// ZMTP encoder.
pub const ZERO_COPY_MIN: usize = 2048;

/// Where encoded octets go: the engine's output queue, or a `Vec` in tests.
pub trait Sink {
    /// Appends a copy of `data` (headers and small bodies, coalesced into
    /// one write).
    fn push_slice(&mut self, data: &[u8]);
    /// Appends `data` by reference (large bodies, written uncopied).
    fn push_bytes(&mut self, data: Bytes);
}

impl Sink for Vec<u8> {
    fn push_slice(&mut self, data: &[u8]) {
        self.extend_from_slice(data);
    }
    fn push_bytes(&mut self, data: Bytes) {
        self.extend_from_slice(&data);
    }
}

pub struct Encoder {
    /// A client's key source; None for a server, which does not mask.
    masks: Option<MaskGen>,
}

/// The longest header: two octets, an eight-octet length, a key, and a
/// binary frame's flags and subscription octets.
const HEADER_MAX: usize = 2 + 8 + 4 + 2;

impl Encoder {
    /// The encoder for the `role` end. A client masks each frame with a
    /// key from a generator seeded with `seed` (take it from the OS once
    /// per connection); a server ignores it.
    pub fn new(role: Role, seed: u64) -> Encoder {
        Encoder {
            masks: (role == Role::Client).then(|| MaskGen::new(seed)),
        }
    }

    /// Appends one ZMTP frame as a binary frame: `msg::MORE` and
    /// `msg::COMMAND` become the flags octet; a `msg::SUBSCRIBE` /
    /// `msg::CANCEL` frame (body = topic) becomes a data frame starting
    /// with `1` / `0`, which is how libzmq's ws encoder sends them.
    pub fn encode(&mut self, m: &Msg, out: &mut impl Sink) {
        let key = self.masks.as_mut().map(MaskGen::next_key);
        binary_frame(m, key, out);
    }

    /// Appends a ping, pong or close frame carrying `payload`.
    pub fn control(&mut self, c: Control, payload: &[u8], out: &mut impl Sink) {
        let key = self.masks.as_mut().map(MaskGen::next_key);
        control_frame(c, payload, key, out);
    }
}

/// [`Encoder::encode`] with the masking key given (None: unmasked).
pub(crate) fn binary_frame(m: &Msg, key: Option<[u8; 4]>, out: &mut impl Sink) {
    let f = m.flags();
    let mut prefix = [0u8; 2];
    if f & msg::MORE != 0 {
        prefix[0] |= WS_MORE;
    }
    if f & msg::COMMAND != 0 {
        prefix[0] |= WS_COMMAND;
    }
    let n = if f & (msg::SUBSCRIBE | msg::CANCEL) != 0 {
        prefix[1] = u8::from(f & msg::SUBSCRIBE != 0);
        2
    } else {
        1
    };
    write(OP_BINARY, &prefix[..n], m.data(), key, out, || m.to_bytes());
}

/// [`Encoder::control`] with the masking key given (None: unmasked).
pub(crate) fn control_frame(c: Control, payload: &[u8], key: Option<[u8; 4]>, out: &mut impl Sink) {
    write(c.opcode(), &[], payload, key, out, || {
        Bytes::copy_from_slice(payload)
    });
}

/// One final frame: header, `prefix` (the payload's first octets, inside
/// the header's copy) and `body`; `shared` gives the body by reference.
fn write(
    opcode: u8,
    prefix: &[u8],
    body: &[u8],
    key: Option<[u8; 4]>,
    out: &mut impl Sink,
    shared: impl FnOnce() -> Bytes,
) {
    let payload = prefix.len() + body.len();
    let mut hdr = [0u8; HEADER_MAX];
    hdr[0] = FIN | opcode;
    let mut n = if payload <= 125 {
        hdr[1] = payload as u8;
        2
    } else if payload <= 0xFFFF {
        hdr[1] = 126;
        hdr[2..4].copy_from_slice(&(payload as u16).to_be_bytes());
        4
    } else {
        hdr[1] = 127;
        hdr[2..10].copy_from_slice(&(payload as u64).to_be_bytes());
        10
    };
    if let Some(k) = key {
        hdr[1] |= MASKED;
        hdr[n..n + 4].copy_from_slice(&k);
        n += 4;
    }
    hdr[n..n + prefix.len()].copy_from_slice(prefix);
    if let Some(k) = key {
        mask::apply(&mut hdr[n..n + prefix.len()], k, 0);
    }
    n += prefix.len();
    out.push_slice(&hdr[..n]);
    let phase = prefix.len();
    match key {
        None if body.len() >= ZERO_COPY_MIN => out.push_bytes(shared()),
        None => out.push_slice(body),
        Some(k) if body.len() >= ZERO_COPY_MIN => {
            let mut b = BytesMut::from(body);
            mask::apply(&mut b, k, phase);
            out.push_bytes(b.freeze());
        }
        Some(k) => {
            // Through a small buffer on the stack, into the coalesced copy.
            let mut chunk = [0u8; 256];
            for (i, piece) in body.chunks(chunk.len()).enumerate() {
                let c = &mut chunk[..piece.len()];
                c.copy_from_slice(piece);
                mask::apply(c, k, phase + i * 256);
                out.push_slice(c);
            }
        }
    }
}

#[cfg(test)]
#[path = "encoder_tests.rs"]
mod tests;

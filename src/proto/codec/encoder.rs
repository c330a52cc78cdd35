//! Frame encoder: Msg flags in, wire frames out into an [`OutQueue`].

use super::{Framing, OutQueue, WIRE_COMMAND, WIRE_LONG, WIRE_MORE};
use crate::msg::{self, Msg};
use crate::proto::command;

/// Bodies at least this long are queued by reference instead of copied:
/// below it, a copy costs less than another iovec entry and keeps batches
/// of small messages in one contiguous write.
pub(super) const ZERO_COPY_MIN: usize = 2048;

pub struct Encoder {
    framing: Framing,
}

impl Encoder {
    pub fn new(framing: Framing) -> Encoder {
        Encoder { framing }
    }

    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Appends one frame. `msg::SUBSCRIBE` / `msg::CANCEL` frames carry the
    /// topic as their body and become SUBSCRIBE/CANCEL commands on ZMTP/3.1,
    /// `0x01/0x00 + topic` data frames on older revisions.
    pub fn encode(&self, m: &Msg, out: &mut OutQueue) {
        let f = m.flags();
        let data = m.data();
        let (sub, cancel) = (f & msg::SUBSCRIBE != 0, f & msg::CANCEL != 0);
        let mut hdr = [0u8; 24];
        let mut n;
        match self.framing {
            Framing::V3_1 => {
                let prefix: &[u8] = if sub {
                    command::SUBSCRIBE
                } else if cancel {
                    command::CANCEL
                } else {
                    b""
                };
                let size = data.len() + prefix.len();
                let mut wire = if f & msg::MORE != 0 { WIRE_MORE } else { 0 };
                if f & msg::COMMAND != 0 || sub || cancel {
                    wire |= WIRE_COMMAND;
                }
                n = put_v2_size(&mut hdr, wire, size);
                hdr[n..n + prefix.len()].copy_from_slice(prefix);
                n += prefix.len();
            }
            Framing::V2 => {
                let size = data.len() + (sub || cancel) as usize;
                let mut wire = if f & msg::MORE != 0 { WIRE_MORE } else { 0 };
                if f & msg::COMMAND != 0 {
                    wire |= WIRE_COMMAND;
                }
                n = put_v2_size(&mut hdr, wire, size);
                if sub || cancel {
                    hdr[n] = sub as u8;
                    n += 1;
                }
            }
            Framing::V1 => {
                let size = data.len() + 1 + (sub || cancel) as usize;
                if size < 255 {
                    hdr[0] = size as u8;
                    n = 1;
                } else {
                    hdr[0] = 0xFF;
                    hdr[1..9].copy_from_slice(&(size as u64).to_be_bytes());
                    n = 9;
                }
                hdr[n] = f & msg::MORE;
                n += 1;
                if sub || cancel {
                    hdr[n] = sub as u8;
                    n += 1;
                }
            }
        }
        out.push_slice(&hdr[..n]);
        if data.len() >= ZERO_COPY_MIN {
            out.push_bytes(m.to_bytes());
        } else {
            out.push_slice(data);
        }
    }
}

/// Writes flags and size; LONG exactly when the size needs it (libzmq 4.3.5
/// decides after counting a command name, which 4.3.3/4 got wrong).
fn put_v2_size(hdr: &mut [u8; 24], wire: u8, size: usize) -> usize {
    if size > 255 {
        hdr[0] = wire | WIRE_LONG;
        hdr[1..9].copy_from_slice(&(size as u64).to_be_bytes());
        9
    } else {
        hdr[0] = wire;
        hdr[1] = size as u8;
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(framing: Framing, m: &Msg) -> Vec<u8> {
        let mut q = OutQueue::new();
        Encoder::new(framing).encode(m, &mut q);
        q.to_vec()
    }

    fn flagged(data: &[u8], f: u8) -> Msg {
        let mut m = Msg::from_slice(data);
        m.set_flags(f);
        m
    }

    #[test]
    fn subscriptions_match_captures() {
        assert_eq!(
            enc(Framing::V3_1, &flagged(b"AB", msg::SUBSCRIBE)),
            b"\x04\x0C\x09SUBSCRIBEAB"
        );
        assert_eq!(
            enc(Framing::V3_1, &flagged(b"", msg::SUBSCRIBE)),
            b"\x04\x0A\x09SUBSCRIBE"
        );
        assert_eq!(
            enc(Framing::V3_1, &flagged(b"AB", msg::CANCEL)),
            b"\x04\x09\x06CANCELAB"
        );
        assert_eq!(
            enc(Framing::V2, &flagged(b"AB", msg::SUBSCRIBE)),
            b"\x00\x03\x01AB"
        );
        assert_eq!(
            enc(Framing::V2, &flagged(b"AB", msg::CANCEL)),
            b"\x00\x03\x00AB"
        );
        assert_eq!(
            enc(Framing::V1, &flagged(b"AB", msg::SUBSCRIBE)),
            b"\x04\x00\x01AB"
        );
    }

    #[test]
    fn long_flag_after_the_command_name() {
        // 246 + 10 = 256 octets: must be LONG (4.3.5 behaviour).
        let w = enc(Framing::V3_1, &flagged(&[b'x'; 246], msg::SUBSCRIBE));
        assert_eq!(&w[..9], &[0x06, 0, 0, 0, 0, 0, 0, 1, 0]);
        assert_eq!(&w[9..19], b"\x09SUBSCRIBE");
        let w = enc(Framing::V3_1, &flagged(&[b'x'; 245], msg::SUBSCRIBE));
        assert_eq!(&w[..2], &[0x04, 255]);
    }

    #[test]
    fn data_frames_and_long_sizes() {
        assert_eq!(
            enc(Framing::V3_1, &flagged(b"hi", msg::MORE)),
            b"\x01\x02hi"
        );
        assert_eq!(enc(Framing::V2, &flagged(b"", 0)), b"\x00\x00");
        let w = enc(Framing::V3_1, &flagged(&[1u8; 256], msg::MORE));
        assert_eq!(&w[..9], &[0x03, 0, 0, 0, 0, 0, 0, 1, 0]);
        assert_eq!(
            enc(Framing::V1, &flagged(b"abc", msg::MORE)),
            b"\x04\x01abc"
        );
        let w = enc(Framing::V1, &flagged(&[0u8; 254], 0));
        assert_eq!(&w[..10], &[0xFF, 0, 0, 0, 0, 0, 0, 0, 255, 0]);
        assert_eq!(enc(Framing::V1, &flagged(&[0u8; 253], 0))[0], 254);
    }

    #[test]
    fn big_bodies_go_by_reference() {
        let body = bytes::Bytes::from(vec![5u8; ZERO_COPY_MIN]);
        let m = Msg::from_bytes(body.clone());
        let mut q = OutQueue::new();
        let e = Encoder::new(Framing::V3_1);
        e.encode(&Msg::from_slice(b"a"), &mut q);
        e.encode(&m, &mut q);
        let chunks: Vec<&[u8]> = q.chunks().collect();
        assert_eq!(
            chunks.len(),
            2,
            "small frame and header coalesced, body separate"
        );
        assert_eq!(chunks[1].as_ptr(), body.as_ptr());
    }
}

//! Frame decoder. It works on the connection's input buffer and yields one
//! frame per call, so the caller decides how many frames it can take
//! (backpressure). A frame that has not fully arrived stays in the buffer,
//! undecoded, and the caller makes room for the rest behind it: bodies
//! then come out as slices of the buffer, never copied, however the reads
//! happened to cut them. Only bodies too large to buffer whole are
//! collected on their own, in a [`BodyMap`] that costs what has arrived.

use super::body_map::BodyMap;
use super::{Framing, WIRE_COMMAND, WIRE_LONG, WIRE_MORE};
use crate::error::{Error, Result};
use crate::msg::{self, Msg};
use bytes::{Buf, Bytes, BytesMut};

/// Frames up to this size (header included) are kept whole in the input
/// buffer; larger bodies are collected separately.
pub(super) const CONTIGUOUS_MAX: usize = 1 << 20;

/// A separately collected body is never given more address space up front
/// than this; the rest grows as octets actually arrive, so a peer
/// announcing a huge size costs nothing until it sends the data.
const PREALLOC_MAX: usize = 1 << 20;

enum State {
    /// At a frame boundary in the input.
    Header,
    /// Collecting a body too large to buffer whole.
    Body {
        flags: u8,
        size: usize,
        buf: BodyMap,
    },
}

pub struct Decoder {
    framing: Framing,
    max_msg_size: i64,
    /// The largest body accepted at all (see `set_limit`).
    limit: u64,
    state: State,
    /// Octets the frame at the front of the input occupies, once its header
    /// is known and the input holds less than that; 0 otherwise.
    pending: usize,
}

/// The header's meaning once enough of it is present.
enum Header {
    Need,
    Done {
        hdr_len: usize,
        flags: u8,
        size: usize,
    },
}

impl Decoder {
    /// `max_msg_size` is ZMQ_MAXMSGSIZE: negative means unlimited.
    pub fn new(framing: Framing, max_msg_size: i64) -> Decoder {
        let framing = if framing == Framing::V3_1 {
            Framing::V2
        } else {
            framing
        };
        Decoder {
            framing,
            max_msg_size,
            limit: u64::MAX,
            state: State::Header,
            pending: 0,
        }
    }

    /// Refuses, with ENOBUFS, any frame whose body is announced larger than
    /// `limit` octets (None: no such limit). The session bounds what a peer
    /// that has not completed its handshake can make us buffer this way.
    /// Sizes libzmq refuses on their own (over MAXMSGSIZE, unallocatable)
    /// keep their errors.
    pub fn set_limit(&mut self, limit: Option<usize>) {
        self.limit = limit.map_or(u64::MAX, |l| l as u64);
    }

    /// Whether a frame is partly received (a close now would cut it).
    pub fn in_frame(&self, input: &[u8]) -> bool {
        !input.is_empty() || matches!(self.state, State::Body { .. })
    }

    /// How many more octets the input needs to complete the frame at its
    /// front, when the frame is known and kept whole in the input.
    pub fn wanted(&self, input: &[u8]) -> usize {
        self.pending.saturating_sub(input.len())
    }

    /// Decodes the next frame from `input`, consuming what it uses. Ok(None)
    /// means no whole frame is there yet: a partial frame stays in `input`
    /// (or, for a very large body, has been moved into the decoder). The
    /// frame comes back as a Msg with `msg::MORE` / `msg::COMMAND` flags.
    /// Errors: EMSGSIZE (over MAXMSGSIZE, or a size of 2^63 or more), ENOBUFS
    /// (over `set_limit`), EPROTO (ZMTP/1.0 length 0), ENOMEM.
    pub fn decode(&mut self, input: &mut BytesMut) -> Result<Option<Msg>> {
        if let State::Body { size, buf, .. } = &mut self.state {
            let take = (*size - buf.len()).min(input.len());
            buf.extend_from_slice(&input[..take], *size)?;
            input.advance(take);
            if buf.len() < *size {
                return Ok(None);
            }
            let State::Body { flags, buf, .. } = std::mem::replace(&mut self.state, State::Header)
            else {
                return Ok(None);
            };
            let mut m = Msg::from_bytes(Bytes::from_owner(buf));
            m.set_flags(flags);
            return Ok(Some(m));
        }
        let (hdr_len, flags, size) = match self.parse_header(input)? {
            Header::Done {
                hdr_len,
                flags,
                size,
            } => (hdr_len, flags, size),
            Header::Need => {
                self.pending = 0;
                return Ok(None);
            }
        };
        let total = hdr_len + size;
        if total > CONTIGUOUS_MAX {
            input.advance(hdr_len);
            let buf = BodyMap::new(size.min(PREALLOC_MAX), size)?;
            self.state = State::Body { flags, size, buf };
            self.pending = 0;
            return self.decode(input);
        }
        if input.len() < total {
            self.pending = total;
            return Ok(None);
        }
        self.pending = 0;
        input.advance(hdr_len);
        let mut m = if size <= msg::INLINE_MAX {
            let m = Msg::from_slice(&input[..size]);
            input.advance(size);
            m
        } else {
            Msg::from_bytes(input.split_to(size).freeze())
        };
        m.set_flags(flags);
        Ok(Some(m))
    }

    /// Interprets a header prefix: how many more octets it needs, or its
    /// flags (as Msg flags) and body size, checked against the limits.
    fn parse_header(&self, h: &[u8]) -> Result<Header> {
        match self.framing {
            Framing::V1 => {
                let Some(&first) = h.first() else {
                    return Ok(Header::Need);
                };
                let (len, at) = if first == 0xFF {
                    if h.len() < 9 {
                        return Ok(Header::Need);
                    }
                    (
                        u64::from_be_bytes(h[1..9].try_into().map_err(|_| Error::EPROTO)?),
                        9,
                    )
                } else {
                    (first as u64, 1)
                };
                if len == 0 {
                    return Err(Error::EPROTO);
                }
                let size = self.check_size(len - 1)?;
                let Some(&flags) = h.get(at) else {
                    return Ok(Header::Need);
                };
                Ok(Header::Done {
                    hdr_len: at + 1,
                    flags: flags & msg::MORE,
                    size,
                })
            }
            _ => {
                let Some(&wire) = h.first() else {
                    return Ok(Header::Need);
                };
                let (size, hdr_len) = if wire & WIRE_LONG != 0 {
                    if h.len() < 9 {
                        return Ok(Header::Need);
                    }
                    (
                        u64::from_be_bytes(h[1..9].try_into().map_err(|_| Error::EPROTO)?),
                        9,
                    )
                } else {
                    let Some(&s) = h.get(1) else {
                        return Ok(Header::Need);
                    };
                    (s as u64, 2)
                };
                let size = self.check_size(size)?;
                let mut flags = 0;
                if wire & WIRE_MORE != 0 {
                    flags |= msg::MORE;
                }
                if wire & WIRE_COMMAND != 0 {
                    flags |= msg::COMMAND;
                }
                Ok(Header::Done {
                    hdr_len,
                    flags,
                    size,
                })
            }
        }
    }

    fn check_size(&self, size: u64) -> Result<usize> {
        if self.max_msg_size >= 0 && size > self.max_msg_size as u64 {
            return Err(Error::EMSGSIZE);
        }
        if size >= 1 << 63 {
            return Err(Error::EMSGSIZE);
        }
        // libzmq allocates the whole body up front, so a size no process
        // can map (beyond x86-64's 47-bit user space) fails at once there.
        // We do not allocate it, but fail the same way instead of waiting
        // for bytes that will never fit.
        if size > ADDRESS_SPACE {
            return Err(Error::ENOMEM);
        }
        if size > self.limit {
            return Err(Error::ENOBUFS);
        }
        usize::try_from(size).map_err(|_| Error::EMSGSIZE)
    }
}

/// The most a body can claim before it counts as unallocatable.
const ADDRESS_SPACE: u64 = 1 << 47;

#[cfg(test)]
mod tests {
    use super::super::body_map::SPARE_BYTES;
    use super::*;

    fn all(d: &mut Decoder, input: Bytes) -> Result<Vec<Msg>> {
        let mut input = BytesMut::from(&input[..]);
        let v = drain(d, &mut input)?;
        assert!(input.is_empty());
        Ok(v)
    }

    fn drain(d: &mut Decoder, input: &mut BytesMut) -> Result<Vec<Msg>> {
        let mut v = Vec::new();
        while let Some(m) = d.decode(input)? {
            v.push(m);
        }
        Ok(v)
    }

    /// Octets arrive one at a time, appended behind what is still undecoded.
    fn bytewise(d: &mut Decoder, wire: &[u8]) -> Result<Vec<Msg>> {
        let mut v = Vec::new();
        let mut input = BytesMut::new();
        for b in wire {
            input.extend_from_slice(&[*b]);
            v.extend(drain(d, &mut input)?);
        }
        assert!(input.is_empty());
        Ok(v)
    }

    #[test]
    fn v2_frames_in_one_chunk_and_bytewise() {
        let mut wire = vec![
            0x01, 3, b'a', b'b', b'c', 0x04, 1, b'x', 0x02, 0, 0, 0, 0, 0, 0, 0, 2, b'l', b'g',
        ];
        wire.extend_from_slice(&[0x00, 0]);
        for chunked in [false, true] {
            let mut d = Decoder::new(Framing::V3_1, -1);
            let v = if chunked {
                bytewise(&mut d, &wire)
            } else {
                all(&mut d, Bytes::from(wire.clone()))
            }
            .unwrap();
            assert_eq!(v.len(), 4);
            assert_eq!((v[0].data(), v[0].flags()), (&b"abc"[..], msg::MORE));
            assert_eq!((v[1].data(), v[1].flags()), (&b"x"[..], msg::COMMAND));
            assert_eq!(
                (v[2].data(), v[2].flags()),
                (&b"lg"[..], 0),
                "LONG accepted for any size"
            );
            assert_eq!((v[3].data(), v[3].flags()), (&b""[..], 0));
            assert!(!d.in_frame(&[]));
        }
    }

    #[test]
    fn large_body_is_sliced_without_copy() {
        let mut wire = vec![0x02, 0, 0, 0, 0, 0, 0, 1, 0];
        wire.extend(std::iter::repeat_n(7u8, 256));
        let mut input = BytesMut::from(&wire[..]);
        let base = input.as_ptr() as usize;
        let mut d = Decoder::new(Framing::V2, -1);
        let v = drain(&mut d, &mut input).unwrap();
        assert_eq!(v[0].size(), 256);
        assert_eq!(
            v[0].data().as_ptr() as usize,
            base + 9,
            "body shares the read buffer"
        );
    }

    #[test]
    fn a_frame_cut_by_reads_stays_whole_in_the_buffer() {
        let mut wire = vec![0x01, 1, b'a', 0x02, 0, 0, 0, 0, 0, 0, 1, 0];
        wire.extend(std::iter::repeat_n(9u8, 256));
        let mut input = BytesMut::with_capacity(wire.len());
        let base = input.as_ptr() as usize;
        let mut d = Decoder::new(Framing::V2, -1);
        input.extend_from_slice(&wire[..3 + 5]);
        assert_eq!(drain(&mut d, &mut input).unwrap().len(), 1);
        assert_eq!(d.wanted(&input), 0, "the header is not complete yet");
        input.extend_from_slice(&wire[8..100]);
        assert!(drain(&mut d, &mut input).unwrap().is_empty());
        assert_eq!(d.wanted(&input), wire.len() - 100);
        assert!(d.in_frame(&input));
        input.extend_from_slice(&wire[100..]);
        let v = drain(&mut d, &mut input).unwrap();
        assert_eq!(v[0].data(), &[9u8; 256][..]);
        assert_eq!(
            v[0].data().as_ptr() as usize,
            base + 12,
            "no copy for a cut frame"
        );
        assert!(input.is_empty() && !d.in_frame(&input));
    }

    #[test]
    fn a_body_too_large_to_buffer_is_collected_apart() {
        let size = CONTIGUOUS_MAX + 10;
        let mut wire = vec![0x02];
        wire.extend_from_slice(&(size as u64).to_be_bytes());
        wire.extend((0..size).map(|i| i as u8));
        let mut d = Decoder::new(Framing::V2, -1);
        let mut input = BytesMut::new();
        let mut got = Vec::new();
        for piece in wire.chunks(100_000) {
            input.extend_from_slice(piece);
            got.extend(drain(&mut d, &mut input).unwrap());
            assert!(input.is_empty(), "a large body does not stay in the input");
        }
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].data(), &wire[9..]);
    }

    /// The collected body of the frame being decoded: (octets, address space).
    fn partial_body(d: &Decoder) -> (usize, usize, *const u8) {
        match &d.state {
            State::Body { buf, .. } => (buf.len(), buf.capacity(), buf.as_ref().as_ptr()),
            State::Header => (0, 0, std::ptr::null()),
        }
    }

    #[test]
    fn a_large_body_costs_what_has_arrived_and_is_never_copied_whole() {
        // Announced: 1 TiB. Sent: 8 MiB. Held: address space for at most
        // twice that, or a spare mapping's (only pages written, or already
        // resident, cost memory), never the announced size.
        let mut d = Decoder::new(Framing::V2, -1);
        let mut input = BytesMut::from(&long_frame_header(1 << 40)[..]);
        assert!(drain(&mut d, &mut input).unwrap().is_empty());
        let piece = vec![0x5Au8; 64 * 1024];
        for i in 1..=128 {
            input.extend_from_slice(&piece);
            assert!(drain(&mut d, &mut input).unwrap().is_empty());
            let (len, cap, _) = partial_body(&d);
            assert_eq!(len, i * piece.len());
            assert!(
                cap <= (2 * len).max(PREALLOC_MAX).max(SPARE_BYTES),
                "{cap} for {len}"
            );
        }
        // A body that completes becomes the message where it lies.
        for size in [CONTIGUOUS_MAX + 5, 3 * CONTIGUOUS_MAX + 5] {
            let mut d = Decoder::new(Framing::V2, -1);
            let mut input = BytesMut::from(&long_frame_header(size as u64)[..]);
            let body: Vec<u8> = (0..size).map(|i| (i % 249) as u8).collect();
            input.extend_from_slice(&body[..size - 1]);
            assert!(drain(&mut d, &mut input).unwrap().is_empty());
            let (_, cap, at) = partial_body(&d);
            assert!(cap >= size, "room for the announced size once that is near");
            input.extend_from_slice(&body[size - 1..]);
            let v = drain(&mut d, &mut input).unwrap();
            assert_eq!(v[0].data(), &body[..]);
            assert_eq!(v[0].data().as_ptr(), at, "no copy on completion");
        }
    }

    fn long_frame_header(size: u64) -> Vec<u8> {
        let mut h = vec![0x02];
        h.extend_from_slice(&size.to_be_bytes());
        h
    }

    #[test]
    fn a_limit_refuses_larger_announcements_at_the_header() {
        let mut d = Decoder::new(Framing::V2, -1);
        d.set_limit(Some(300));
        assert_eq!(all(&mut d, Bytes::from(frame_of(300))).unwrap().len(), 1);
        assert_eq!(
            bytewise(&mut d, &long_frame_header(301)).unwrap_err(),
            Error::ENOBUFS
        );
        let mut d = Decoder::new(Framing::V1, -1);
        d.set_limit(Some(300));
        assert_eq!(
            bytewise(&mut d, &[0xFF, 0, 0, 0, 0, 0, 0, 1, 46]).unwrap_err(),
            Error::ENOBUFS
        );
        // MAXMSGSIZE and unallocatable sizes keep their own errors.
        let mut d = Decoder::new(Framing::V2, 100);
        d.set_limit(Some(300));
        assert_eq!(
            bytewise(&mut d, &long_frame_header(301)).unwrap_err(),
            Error::EMSGSIZE
        );
        let mut d = Decoder::new(Framing::V2, -1);
        d.set_limit(Some(300));
        assert_eq!(
            bytewise(&mut d, &long_frame_header(1 << 48)).unwrap_err(),
            Error::ENOMEM
        );
        let mut d = Decoder::new(Framing::V2, -1);
        d.set_limit(Some(300));
        d.set_limit(None);
        let mut input = BytesMut::from(&frame_of(1 << 16)[..]);
        assert_eq!(drain(&mut d, &mut input).unwrap()[0].size(), 1 << 16);
    }

    fn frame_of(size: usize) -> Vec<u8> {
        let mut f = long_frame_header(size as u64);
        f.extend(std::iter::repeat_n(1u8, size));
        f
    }

    #[test]
    fn v1_frames() {
        // length counts the flags octet; 0xFF + u64 is the long form.
        let mut wire = vec![4, 1, b'a', b'b', b'c', 1, 0];
        wire.extend_from_slice(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0, b'h', b'i']);
        for chunked in [false, true] {
            let mut d = Decoder::new(Framing::V1, -1);
            let v = if chunked {
                bytewise(&mut d, &wire)
            } else {
                all(&mut d, Bytes::from(wire.clone()))
            }
            .unwrap();
            assert_eq!(v.len(), 3);
            assert_eq!((v[0].data(), v[0].more()), (&b"abc"[..], true));
            assert_eq!((v[1].data(), v[1].more()), (&b""[..], false));
            assert_eq!(v[2].data(), b"hi");
        }
        let mut d = Decoder::new(Framing::V1, -1);
        assert_eq!(
            all(&mut d, Bytes::from_static(&[0])).unwrap_err(),
            Error::EPROTO
        );
        let mut d = Decoder::new(Framing::V1, -1);
        assert_eq!(
            all(&mut d, Bytes::from_static(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 0])).unwrap_err(),
            Error::EPROTO
        );
    }

    #[test]
    fn maxmsgsize_and_huge_sizes() {
        let mut d = Decoder::new(Framing::V2, 3);
        assert_eq!(
            all(&mut d, Bytes::from_static(&[0, 3, 1, 2, 3]))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            all(&mut d, Bytes::from_static(&[0, 4])).unwrap_err(),
            Error::EMSGSIZE
        );
        let mut d = Decoder::new(Framing::V1, 3);
        assert_eq!(
            all(&mut d, Bytes::from_static(&[5])).unwrap_err(),
            Error::EMSGSIZE
        );
        for framing in [Framing::V2, Framing::V1] {
            // ZMTP/1.0 lengths count the flags octet.
            let over = (1u64 << 63) + (framing == Framing::V1) as u64;
            for size in [over, u64::MAX] {
                let mut d = Decoder::new(framing, -1);
                let mut wire = vec![if framing == Framing::V1 { 0xFF } else { 0x02 }];
                wire.extend_from_slice(&size.to_be_bytes());
                assert_eq!(bytewise(&mut d, &wire).unwrap_err(), Error::EMSGSIZE);
            }
        }
        // Up to 2^47 a size could be allocated (libzmq would try): it is
        // legal, but must not be allocated up front.
        let mut d = Decoder::new(Framing::V2, -1);
        let mut wire = vec![0x02];
        wire.extend_from_slice(&(1u64 << 47).to_be_bytes());
        wire.extend_from_slice(b"partial");
        assert!(all(&mut d, Bytes::from(wire)).unwrap().is_empty());
        assert!(d.in_frame(&[]));
        // Beyond, libzmq's allocation fails at once; so do we.
        for size in [(1u64 << 47) + 1, 1 << 62] {
            let mut d = Decoder::new(Framing::V2, -1);
            let mut wire = vec![0x02];
            wire.extend_from_slice(&size.to_be_bytes());
            assert_eq!(bytewise(&mut d, &wire).unwrap_err(), Error::ENOMEM);
        }
    }
}

//! Frame decoder. It takes whole read chunks and yields one frame per call,
//! so the caller decides how many frames it can take (backpressure) and
//! bodies larger than the inline limit are sliced out of the chunk without
//! a copy when the whole body is in it.

use super::{Framing, WIRE_COMMAND, WIRE_LONG, WIRE_MORE};
use crate::error::{Error, Result};
use crate::msg::{self, Msg};
use bytes::{Buf, Bytes};

/// A partial body is never given more memory up front than this; the rest
/// grows as octets actually arrive, so a peer announcing a huge size costs
/// nothing until it sends the data.
const PREALLOC_MAX: usize = 1 << 20;

enum State {
    /// Collecting the header (`hdr[..hdr_len]`).
    Header,
    /// Collecting a body that did not arrive in one chunk.
    Body { flags: u8, size: usize, buf: Vec<u8> },
}

pub struct Decoder {
    framing: Framing,
    max_msg_size: i64,
    state: State,
    hdr: [u8; 10],
    hdr_len: usize,
}

/// The header's meaning once enough of it is present.
enum Header {
    Need,
    Done { hdr_len: usize, flags: u8, size: usize },
}

impl Decoder {
    /// `max_msg_size` is ZMQ_MAXMSGSIZE: negative means unlimited.
    pub fn new(framing: Framing, max_msg_size: i64) -> Decoder {
        let framing = if framing == Framing::V3_1 { Framing::V2 } else { framing };
        Decoder { framing, max_msg_size, state: State::Header, hdr: [0; 10], hdr_len: 0 }
    }

    /// Whether a frame is partly decoded (a close now would cut it).
    pub fn in_frame(&self) -> bool {
        self.hdr_len > 0 || matches!(self.state, State::Body { .. })
    }

    /// Decodes the next frame from `input`, consuming what it uses. Ok(None)
    /// means all of `input` was consumed without completing a frame. The
    /// frame comes back as a Msg with `msg::MORE` / `msg::COMMAND` flags.
    /// Errors: EMSGSIZE (over MAXMSGSIZE, or a size of 2^63 or more), EPROTO
    /// (ZMTP/1.0 length 0), ENOMEM.
    pub fn decode(&mut self, input: &mut Bytes) -> Result<Option<Msg>> {
        loop {
            match &mut self.state {
                State::Header => {
                    let (flags, size) = if self.hdr_len == 0 {
                        // Fast path: the whole header is in the chunk.
                        match self.parse_header(input)? {
                            Header::Done { hdr_len, flags, size } => {
                                input.advance(hdr_len);
                                (flags, size)
                            }
                            Header::Need => {
                                if !self.buffer_header(input)? {
                                    return Ok(None);
                                }
                                continue;
                            }
                        }
                    } else if !self.buffer_header(input)? {
                        return Ok(None);
                    } else {
                        continue;
                    };
                    if let Some(m) = self.start_body(flags, size, input)? {
                        return Ok(Some(m));
                    }
                }
                State::Body { size, buf, .. } => {
                    let take = (*size - buf.len()).min(input.len());
                    buf.extend_from_slice(&input[..take]);
                    input.advance(take);
                    if buf.len() < *size {
                        return Ok(None);
                    }
                    let State::Body { flags, buf, .. } = std::mem::replace(&mut self.state, State::Header) else {
                        unreachable!("state checked by the match")
                    };
                    let mut m = if buf.len() <= msg::INLINE_MAX { Msg::from_slice(&buf) } else { Msg::from_bytes(buf.into()) };
                    m.set_flags(flags);
                    return Ok(Some(m));
                }
            }
        }
    }

    /// Moves header octets from `input` into `hdr` one at a time until the
    /// header is complete; returns whether it is, and then switches to the
    /// body with the header consumed.
    fn buffer_header(&mut self, input: &mut Bytes) -> Result<bool> {
        while !input.is_empty() {
            self.hdr[self.hdr_len] = input[0];
            self.hdr_len += 1;
            input.advance(1);
            let hdr = self.hdr;
            match self.parse_header(&hdr[..self.hdr_len])? {
                Header::Need => continue,
                Header::Done { flags, size, .. } => {
                    self.hdr_len = 0;
                    self.state = State::Body { flags, size, buf: Vec::new() };
                    if let State::Body { buf, .. } = &mut self.state {
                        reserve(buf, size)?;
                    }
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Begins a body whose header has been consumed from `input`: returns
    /// the frame at once if it is all there.
    fn start_body(&mut self, flags: u8, size: usize, input: &mut Bytes) -> Result<Option<Msg>> {
        if input.len() >= size {
            let mut m = if size <= msg::INLINE_MAX {
                let m = Msg::from_slice(&input[..size]);
                input.advance(size);
                m
            } else {
                Msg::from_bytes(input.split_to(size))
            };
            m.set_flags(flags);
            return Ok(Some(m));
        }
        let mut buf = Vec::new();
        reserve(&mut buf, size)?;
        self.state = State::Body { flags, size, buf };
        Ok(None)
    }

    /// Interprets a header prefix: how many more octets it needs, or its
    /// flags (as Msg flags) and body size, checked against the limits.
    fn parse_header(&self, h: &[u8]) -> Result<Header> {
        match self.framing {
            Framing::V1 => {
                let Some(&first) = h.first() else { return Ok(Header::Need) };
                let (len, at) = if first == 0xFF {
                    if h.len() < 9 {
                        return Ok(Header::Need);
                    }
                    (u64::from_be_bytes(h[1..9].try_into().map_err(|_| Error::EPROTO)?), 9)
                } else {
                    (first as u64, 1)
                };
                if len == 0 {
                    return Err(Error::EPROTO);
                }
                let size = self.check_size(len - 1)?;
                let Some(&flags) = h.get(at) else { return Ok(Header::Need) };
                Ok(Header::Done { hdr_len: at + 1, flags: flags & msg::MORE, size })
            }
            _ => {
                let Some(&wire) = h.first() else { return Ok(Header::Need) };
                let (size, hdr_len) = if wire & WIRE_LONG != 0 {
                    if h.len() < 9 {
                        return Ok(Header::Need);
                    }
                    (u64::from_be_bytes(h[1..9].try_into().map_err(|_| Error::EPROTO)?), 9)
                } else {
                    let Some(&s) = h.get(1) else { return Ok(Header::Need) };
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
                Ok(Header::Done { hdr_len, flags, size })
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
        usize::try_from(size).map_err(|_| Error::EMSGSIZE)
    }
}

/// The most a body can claim before it counts as unallocatable.
const ADDRESS_SPACE: u64 = 1 << 47;

fn reserve(buf: &mut Vec<u8>, size: usize) -> Result<()> {
    buf.try_reserve_exact(size.min(PREALLOC_MAX)).map_err(|_| Error::ENOMEM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(d: &mut Decoder, mut input: Bytes) -> Result<Vec<Msg>> {
        let mut v = Vec::new();
        while let Some(m) = d.decode(&mut input)? {
            v.push(m);
        }
        assert!(input.is_empty());
        Ok(v)
    }

    fn bytewise(d: &mut Decoder, input: &[u8]) -> Result<Vec<Msg>> {
        let mut v = Vec::new();
        for b in input {
            v.extend(all(d, Bytes::copy_from_slice(&[*b]))?);
        }
        Ok(v)
    }

    #[test]
    fn v2_frames_in_one_chunk_and_bytewise() {
        let mut wire = vec![0x01, 3, b'a', b'b', b'c', 0x04, 1, b'x', 0x02, 0, 0, 0, 0, 0, 0, 0, 2, b'l', b'g'];
        wire.extend_from_slice(&[0x00, 0]);
        for chunked in [false, true] {
            let mut d = Decoder::new(Framing::V3_1, -1);
            let v = if chunked { bytewise(&mut d, &wire) } else { all(&mut d, Bytes::from(wire.clone())) }.unwrap();
            assert_eq!(v.len(), 4);
            assert_eq!((v[0].data(), v[0].flags()), (&b"abc"[..], msg::MORE));
            assert_eq!((v[1].data(), v[1].flags()), (&b"x"[..], msg::COMMAND));
            assert_eq!((v[2].data(), v[2].flags()), (&b"lg"[..], 0), "LONG accepted for any size");
            assert_eq!((v[3].data(), v[3].flags()), (&b""[..], 0));
            assert!(!d.in_frame());
        }
    }

    #[test]
    fn large_body_is_sliced_without_copy() {
        let mut wire = vec![0x02, 0, 0, 0, 0, 0, 0, 1, 0];
        wire.extend(std::iter::repeat_n(7u8, 256));
        let chunk = Bytes::from(wire);
        let base = chunk.as_ptr() as usize;
        let mut d = Decoder::new(Framing::V2, -1);
        let v = all(&mut d, chunk).unwrap();
        assert_eq!(v[0].size(), 256);
        assert_eq!(v[0].data().as_ptr() as usize, base + 9, "body shares the read buffer");
    }

    #[test]
    fn v1_frames() {
        // length counts the flags octet; 0xFF + u64 is the long form.
        let mut wire = vec![4, 1, b'a', b'b', b'c', 1, 0];
        wire.extend_from_slice(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0, b'h', b'i']);
        for chunked in [false, true] {
            let mut d = Decoder::new(Framing::V1, -1);
            let v = if chunked { bytewise(&mut d, &wire) } else { all(&mut d, Bytes::from(wire.clone())) }.unwrap();
            assert_eq!(v.len(), 3);
            assert_eq!((v[0].data(), v[0].more()), (&b"abc"[..], true));
            assert_eq!((v[1].data(), v[1].more()), (&b""[..], false));
            assert_eq!(v[2].data(), b"hi");
        }
        let mut d = Decoder::new(Framing::V1, -1);
        assert_eq!(all(&mut d, Bytes::from_static(&[0])).unwrap_err(), Error::EPROTO);
        let mut d = Decoder::new(Framing::V1, -1);
        assert_eq!(all(&mut d, Bytes::from_static(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 0])).unwrap_err(), Error::EPROTO);
    }

    #[test]
    fn maxmsgsize_and_huge_sizes() {
        let mut d = Decoder::new(Framing::V2, 3);
        assert_eq!(all(&mut d, Bytes::from_static(&[0, 3, 1, 2, 3])).unwrap().len(), 1);
        assert_eq!(all(&mut d, Bytes::from_static(&[0, 4])).unwrap_err(), Error::EMSGSIZE);
        let mut d = Decoder::new(Framing::V1, 3);
        assert_eq!(all(&mut d, Bytes::from_static(&[5])).unwrap_err(), Error::EMSGSIZE);
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
        assert!(d.in_frame());
        // Beyond, libzmq's allocation fails at once; so do we.
        for size in [(1u64 << 47) + 1, 1 << 62] {
            let mut d = Decoder::new(Framing::V2, -1);
            let mut wire = vec![0x02];
            wire.extend_from_slice(&size.to_be_bytes());
            assert_eq!(bytewise(&mut d, &wire).unwrap_err(), Error::ENOMEM);
        }
    }
}

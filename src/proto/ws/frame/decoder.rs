//! WebSocket frame decoder, shaped as ZMTP's (`proto::codec::Decoder`): it
//! works on the connection's input buffer and yields one frame per call.
//! A frame that has not fully arrived stays in the buffer, and `wanted`
//! tells the reader how much room the rest needs, so that bodies come out
//! as slices of the buffer, unmasked in place: no copy however the reads
//! cut them. Only bodies too large to buffer whole are collected on their
//! own, in memory that grows as their octets arrive.

use super::{
    mask, Frame, Role, FIN, MASKED, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, WS_COMMAND, WS_MORE,
};
use crate::error::{Error, Result};
use crate::msg::{self, Msg};
use bytes::{Buf, Bytes, BytesMut};

/// Frames up to this size (header included) are kept whole in the input
/// buffer; larger bodies are collected separately.
pub const CONTIGUOUS_MAX: usize = 1 << 20;

/// A separately collected body starts with at most this much room; the
/// rest grows as octets arrive, so a peer announcing a huge frame costs
/// nothing until it sends the data.
const PREALLOC_MAX: usize = 1 << 20;

/// The most a body can claim before it counts as unallocatable: libzmq
/// allocates the whole body when the header arrives, which fails (ENOMEM)
/// beyond what x86-64's 47-bit user space can map.
const ADDRESS_SPACE: u64 = 1 << 47;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Message,
    Ping,
    Pong,
    Close,
}

/// What a complete header says.
struct Head {
    /// Octets before the body: the header, and a binary frame's flags.
    len: usize,
    kind: Kind,
    /// `msg::MORE` / `msg::COMMAND`.
    flags: u8,
    /// The body's size (a binary frame's payload less its flags octet).
    size: usize,
    key: Option<[u8; 4]>,
    /// The body's offset in the payload, for unmasking.
    phase: usize,
}

enum State {
    /// At a frame boundary in the input.
    Header,
    /// Collecting a body too large to buffer whole.
    Body { head: Head, buf: BytesMut },
}

pub struct Decoder {
    /// Whether frames must be masked (we are the server).
    masked: bool,
    max_msg_size: i64,
    limit: u64,
    state: State,
    /// Octets the frame at the front of the input occupies, once its
    /// header is known and the input holds less than that; 0 otherwise.
    pending: usize,
}

impl Decoder {
    /// The decoder for the `role` end; `max_msg_size` is ZMQ_MAXMSGSIZE
    /// (negative: unlimited).
    pub fn new(role: Role, max_msg_size: i64) -> Decoder {
        Decoder {
            masked: role == Role::Server,
            max_msg_size,
            limit: u64::MAX,
            state: State::Header,
            pending: 0,
        }
    }

    /// Refuses, with ENOBUFS, any frame whose body is announced larger
    /// than `limit` octets (None: no such limit): what the session uses to
    /// bound what a peer that has not completed its handshake can make us
    /// buffer. MAXMSGSIZE and unallocatable sizes keep their errors.
    pub fn set_limit(&mut self, limit: Option<usize>) {
        self.limit = limit.map_or(u64::MAX, |l| l as u64);
    }

    /// Whether a frame is partly received (a close now would cut it).
    pub fn in_frame(&self, input: &[u8]) -> bool {
        !input.is_empty() || matches!(self.state, State::Body { .. })
    }

    /// How many more octets the input needs to complete the frame at its
    /// front, when that frame is known and kept whole in the input.
    pub fn wanted(&self, input: &[u8]) -> usize {
        self.pending.saturating_sub(input.len())
    }

    /// Decodes the next frame from `input`, consuming what it uses (and
    /// unmasking its payload in place). Ok(None): no whole frame yet.
    /// Errors end the connection: EPROTO (a fragment, a text,
    /// continuation or unknown opcode, the wrong masking, an empty binary
    /// frame), EMSGSIZE (over MAXMSGSIZE), ENOMEM (a size no process could
    /// allocate), ENOBUFS (over `set_limit`).
    pub fn decode(&mut self, input: &mut BytesMut) -> Result<Option<Frame>> {
        if let State::Body { head, buf } = &mut self.state {
            let take = (head.size - buf.len()).min(input.len());
            let at = buf.len();
            buf.extend_from_slice(&input[..take]);
            input.advance(take);
            if let Some(key) = head.key {
                mask::apply(&mut buf[at..], key, head.phase + at);
            }
            if buf.len() < head.size {
                return Ok(None);
            }
            let State::Body { head, buf } = std::mem::replace(&mut self.state, State::Header)
            else {
                return Ok(None);
            };
            return Ok(Some(frame(&head, buf.freeze())));
        }
        let Some(head) = self.parse_header(input)? else {
            self.pending = 0;
            return Ok(None);
        };
        let total = head.len + head.size;
        if total > CONTIGUOUS_MAX {
            input.advance(head.len);
            let buf = BytesMut::with_capacity(head.size.min(PREALLOC_MAX));
            self.state = State::Body { head, buf };
            self.pending = 0;
            return self.decode(input);
        }
        if input.len() < total {
            self.pending = total;
            return Ok(None);
        }
        self.pending = 0;
        input.advance(head.len);
        if let Some(key) = head.key {
            mask::apply(&mut input[..head.size], key, head.phase);
        }
        if head.kind == Kind::Message && head.size <= msg::INLINE_MAX {
            // Small bodies are copied into the message itself.
            let m = Msg::from_slice(&input[..head.size]);
            input.advance(head.size);
            return Ok(Some(message(&head, m)));
        }
        let body = input.split_to(head.size).freeze();
        Ok(Some(frame(&head, body)))
    }

    /// Interprets a header prefix: None if more octets are needed.
    fn parse_header(&self, h: &[u8]) -> Result<Option<Head>> {
        let (Some(&b0), Some(&b1)) = (h.first(), h.get(1)) else {
            return Ok(None);
        };
        if b0 & FIN == 0 {
            return Err(Error::EPROTO);
        }
        let kind = match b0 & 0x0F {
            OP_BINARY => Kind::Message,
            OP_CLOSE => Kind::Close,
            OP_PING => Kind::Ping,
            OP_PONG => Kind::Pong,
            _ => return Err(Error::EPROTO),
        };
        if (b1 & MASKED != 0) != self.masked {
            return Err(Error::EPROTO);
        }
        let (mut payload, mut at) = match b1 & 0x7F {
            126 => match h.get(2..4) {
                Some(s) => (u64::from(u16::from_be_bytes([s[0], s[1]])), 4),
                None => return Ok(None),
            },
            127 => match h.get(2..10) {
                Some(s) => {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(s);
                    (u64::from_be_bytes(b), 10)
                }
                None => return Ok(None),
            },
            n => (u64::from(n), 2),
        };
        if kind == Kind::Message && payload == 0 {
            // Not even the flags octet.
            return Err(Error::EPROTO);
        }
        let key = if self.masked {
            let Some(k) = h.get(at..at + 4) else {
                return Ok(None);
            };
            at += 4;
            Some([k[0], k[1], k[2], k[3]])
        } else {
            None
        };
        let (mut flags, mut phase) = (0, 0);
        if kind == Kind::Message {
            let Some(&wire) = h.get(at) else {
                return Ok(None);
            };
            let wire = wire ^ key.map_or(0, |k| k[0]);
            if wire & WS_MORE != 0 {
                flags |= msg::MORE;
            }
            if wire & WS_COMMAND != 0 {
                flags |= msg::COMMAND;
            }
            at += 1;
            payload -= 1;
            phase = 1;
        }
        Ok(Some(Head {
            len: at,
            kind,
            flags,
            size: self.check_size(payload)?,
            key,
            phase,
        }))
    }

    fn check_size(&self, size: u64) -> Result<usize> {
        if self.max_msg_size >= 0 && size > self.max_msg_size as u64 {
            return Err(Error::EMSGSIZE);
        }
        if size > ADDRESS_SPACE {
            return Err(Error::ENOMEM);
        }
        if size > self.limit {
            return Err(Error::ENOBUFS);
        }
        usize::try_from(size).map_err(|_| Error::EMSGSIZE)
    }
}

fn message(head: &Head, mut m: Msg) -> Frame {
    m.set_flags(head.flags);
    Frame::Message(m)
}

fn frame(head: &Head, body: Bytes) -> Frame {
    match head.kind {
        Kind::Message => message(head, Msg::from_bytes(body)),
        Kind::Ping => Frame::Ping(body),
        Kind::Pong => Frame::Pong(body),
        Kind::Close => Frame::Close(body),
    }
}

#[cfg(test)]
#[path = "decoder_tests.rs"]
mod tests;

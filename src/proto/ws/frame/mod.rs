//! ZMTP frames in WebSocket frames, as libzmq 4.3.4's `ws_encoder` and
//! `ws_decoder` put them (RFC 6455 section 5 for the frame itself).
//!
//! Each ZMTP frame is one final WebSocket frame; libzmq neither sends nor
//! accepts fragments:
//!
//! * a message part or a ZMTP command is a **binary** frame whose payload
//!   is one flags octet (`1` MORE, `2` COMMAND; other bits ignored) and
//!   then the body. A binary frame with an empty payload is an error.
//!   A subscription (SUB to XPUB) is a data frame whose body starts with
//!   `1` (subscribe) or `0` (cancel), as in ZMTP/3.0;
//! * heartbeats are WebSocket **ping** and **pong** frames (libzmq sends
//!   both empty, and does not echo a ping's payload), not ZMTP PING
//!   commands;
//! * a **close** frame from the peer is echoed back with its payload, then
//!   the connection is dropped; libzmq never starts a close itself.
//!
//! A client masks every frame it sends and a server none; a frame masked
//! the other way, a fragment (FIN clear), a continuation or text frame,
//! or an unknown opcode ends the connection. RSV bits are not checked,
//! and control frames may be longer than RFC 6455's 125 octets (libzmq
//! checks neither). ZMQ_MAXMSGSIZE applies to a binary frame's body and
//! to a control frame's whole payload.

pub mod decoder;
pub mod encoder;
pub mod mask;

pub use decoder::Decoder;
pub use encoder::{Encoder, Sink};
pub use mask::MaskGen;

use crate::msg::Msg;
use bytes::Bytes;

/// First header octet: the final fragment.
pub const FIN: u8 = 0x80;
/// Opcodes (RFC 6455 section 5.2) libzmq uses or refuses by name.
pub const OP_CONTINUATION: u8 = 0x0;
pub const OP_TEXT: u8 = 0x1;
pub const OP_BINARY: u8 = 0x2;
pub const OP_CLOSE: u8 = 0x8;
pub const OP_PING: u8 = 0x9;
pub const OP_PONG: u8 = 0xA;
/// Second header octet: the payload is masked.
pub const MASKED: u8 = 0x80;

/// Flags octet of a binary frame: another part of the message follows.
pub const WS_MORE: u8 = 1;
/// Flags octet of a binary frame: a ZMTP command.
pub const WS_COMMAND: u8 = 2;

/// Which end of the connection this codec serves. The client (the side
/// that connected and sent the HTTP request) masks what it sends and
/// expects unmasked frames; the server the reverse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Client,
    Server,
}

/// A control frame's kind, for [`Encoder::control`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Ping,
    Pong,
    Close,
}

impl Control {
    pub fn opcode(self) -> u8 {
        match self {
            Control::Ping => OP_PING,
            Control::Pong => OP_PONG,
            Control::Close => OP_CLOSE,
        }
    }
}

/// One decoded WebSocket frame.
#[derive(Debug)]
pub enum Frame {
    /// A binary frame: one ZMTP frame, with `msg::MORE` and `msg::COMMAND`
    /// as its flags octet said.
    Message(Msg),
    Ping(Bytes),
    Pong(Bytes),
    /// The peer is closing; the payload (status code and reason, if any) is
    /// what libzmq echoes.
    Close(Bytes),
}

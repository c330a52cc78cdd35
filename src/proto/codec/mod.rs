//! Frame encoding and decoding for every ZMTP revision libzmq speaks.
//!
//! Wire flags (ZMTP/2.0 and 3.x): MORE = 1, LONG = 2, COMMAND = 4.
//! ZMTP/1.0 frames are `length (incl. the flags octet) | flags | body`,
//! with `0xFF + u64` as the long form of the length.

mod body_map;
mod decoder;
mod encoder;
mod out_queue;

pub use decoder::Decoder;
pub use encoder::Encoder;
pub use out_queue::OutQueue;

/// Wire flag: another frame of the same message follows.
pub const WIRE_MORE: u8 = 1;
/// Wire flag: the size field is eight octets.
pub const WIRE_LONG: u8 = 2;
/// Wire flag: a command frame (ZMTP/3.x).
pub const WIRE_COMMAND: u8 = 4;

/// Which frame layout a codec reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// ZMTP/1.0: length includes the flags octet.
    V1,
    /// ZMTP/2.0 and 3.0: subscriptions travel as `0x01/0x00 + topic` frames.
    V2,
    /// ZMTP/3.1: subscriptions travel as SUBSCRIBE/CANCEL commands.
    V3_1,
}

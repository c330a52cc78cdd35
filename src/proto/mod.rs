//! Sans-IO ZMTP: everything a tcp/ipc connection says and hears, with no
//! sockets, clocks or threads inside, so that every byte libzmq would put on
//! the wire can be checked in memory and every hostile input fuzzed.
//!
//! The entry point is [`Session`]: one per connection, fed input bytes,
//! drained of output chunks, events and deadlines. The lower modules are
//! public so other mechanisms (PLAIN, CURVE) and the engine can reuse them.
//!
//! [`datagram`] is the other wire format: RADIO and DISH messages as udp
//! datagrams (a group length, the group, the body), equally sans-IO.

pub mod codec;
pub mod command;
pub mod datagram;
pub(crate) mod failure;
pub mod greeting;
pub(crate) mod heartbeat;
pub mod mechanism;
pub mod metadata;
pub(crate) mod recycle;
pub(crate) mod session;
pub mod ws;

#[cfg(test)]
mod tests;

pub use failure::{Failure, MonitorEvent, Reason};
pub use greeting::Version;
pub use session::{Config, Event, HandshakeInfo, Session, WsSetup};

/// libzmq's `ZMQ_PROTOCOL_ERROR_*` codes, the value of a
/// HANDSHAKE_FAILED_PROTOCOL monitor event.
pub mod code {
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID as ZAP_BAD_REQUEST_ID;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION as ZAP_BAD_VERSION;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA as ZAP_INVALID_METADATA;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE as ZAP_INVALID_STATUS_CODE;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY as ZAP_MALFORMED_REPLY;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED as ZAP_UNSPECIFIED;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC as ZMTP_CRYPTOGRAPHIC;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA as ZMTP_INVALID_METADATA;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE as ZMTP_INVALID_SEQUENCE;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE as ZMTP_KEY_EXCHANGE;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR as ZMTP_MALFORMED_COMMAND_ERROR;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO as ZMTP_MALFORMED_COMMAND_HELLO;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE as ZMTP_MALFORMED_COMMAND_INITIATE;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE as ZMTP_MALFORMED_COMMAND_MESSAGE;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY as ZMTP_MALFORMED_COMMAND_READY;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED as ZMTP_MALFORMED_COMMAND_UNSPECIFIED;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME as ZMTP_MALFORMED_COMMAND_WELCOME;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH as ZMTP_MECHANISM_MISMATCH;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND as ZMTP_UNEXPECTED_COMMAND;
    pub use crate::consts::ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED as ZMTP_UNSPECIFIED;
}

//! ZMTP over WebSocket (`ws://`, and `wss://` over TLS) as libzmq 4.3.4
//! speaks it, sans-IO: the pieces an engine drives, with no sockets,
//! clocks or threads inside.
//!
//! - [`address`]: endpoints, their errnos and ZMQ_LAST_ENDPOINT text.
//! - [`upgrade`]: the HTTP/1.1 upgrade, client and server, and the
//!   Sec-WebSocket-Protocol that picks the ZMTP mechanism (there is no
//!   ZMTP greeting over ws).
//! - [`frame`]: WebSocket frames carrying ZMTP frames, masking, ping,
//!   pong and close.
//!
//! How a connection runs, in order: the client sends
//! [`upgrade::ClientUpgrade::request`] and feeds the reply to
//! [`upgrade::ClientUpgrade::feed`]; the server feeds the request to
//! [`upgrade::ServerUpgrade::feed`] and sends its `reply`. Whatever input
//! follows the HTTP exchange (`Upgraded::used` on) is frames, for a
//! [`frame::Decoder`]; output goes through a [`frame::Encoder`]. The
//! ZMTP mechanism named by the agreed [`upgrade::Protocol`] then runs
//! over those frames, as it would after a greeting.

pub mod address;
pub mod frame;
pub mod upgrade;

#[cfg(test)]
mod libzmq_tests;

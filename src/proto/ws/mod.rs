//! ZMTP over WebSocket (`ws://`, and `wss://` over TLS) as libzmq 4.3.4
//! speaks it, sans-IO: the pieces a session drives, with no sockets,
//! clocks or threads inside. (The transport, addresses and sockets, is
//! `transport::ws`.)
//!
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
//!
//! What libzmq 4.3.4's ws engine does around these pieces, as observed
//! with `tools/ws-capture` (for the engine that will drive them):
//! * the server writes its reply and, in the same write, its first
//!   frame (READY under NULL); with bare `ZWS2.0` each side's first
//!   message is its routing id (`82 01 00` for an empty one);
//! * it answers a ping, whatever its payload, with an empty pong, and
//!   sends its own heartbeats as empty pings (ZMQ_HEARTBEAT_IVL; no TTL
//!   travels, and ZMTP PING commands in binary frames are ignored);
//! * it echoes a close frame (after the handshake) and means to drop the
//!   connection then, but only does when the socket next sends (still
//!   open 5 s later otherwise);
//! * on a bad frame (unmasked from a client, text, fragment) its decoder
//!   leaves a stale EAGAIN in errno, so the engine takes the error for
//!   back-pressure: it stops reading but keeps the connection open, and
//!   goes on sending on it. We should close it (a protocol error, no
//!   event);
//! * it never arms ZMQ_HANDSHAKE_IVL for ws (only the ZMTP engine does),
//!   so a peer that never finishes the upgrade holds the connection; we
//!   should apply it;
//! * zmq_has answers "WS" and "WSS" in capitals (lower case is 0).

pub mod frame;
pub mod upgrade;

#[cfg(test)]
mod libzmq_tests;

//! What the handlers of one endpoint know of their socket, as
//! plain values the socket layer fills in when the endpoint is made
//! (libzmq copies the options at that point too: later zmq_setsockopt
//! calls do not reach existing endpoints). Socket-type rules arrive here
//! already applied, as data: the io layer never looks at a socket type.

use crate::pipe::{pipe_pair, Pipe, PipeParams};
use crate::proto::session::Config as SessionConfig;

#[derive(Clone, Debug)]
pub(crate) struct EndpointConfig {
    /// Each connection's ZMTP session, less what the connection adds
    /// itself (which side it is, the peer's address, engine properties).
    pub session: SessionConfig,
    /// What the transport's sockets are set up with.
    pub transport: crate::transport::Config,
    /// The socket's end and the connection's end of a network pipe
    /// (SNDHWM/RCVHWM, CONFLATE).
    pub pipe: (PipeParams, PipeParams),
    pub reconnect: ReconnectConfig,
    /// ZMQ_CONNECT_TIMEOUT in ms; 0: the OS decides.
    pub connect_timeout_ms: i32,
    /// ZMQ_IMMEDIATE: no pipe before the handshake, none kept across a
    /// reconnect.
    pub immediate: bool,
    /// STREAM: raw bytes, no ZMTP.
    pub raw: bool,
    /// ZMQ_STREAM_NOTIFY: a raw connection's start and end are announced
    /// by an empty message.
    pub raw_notify: bool,
    /// ZMQ_HELLO_MSG, where the socket type sends it: the first message
    /// out on every new connection.
    pub hello_msg: Option<Vec<u8>>,
    /// ZMQ_DISCONNECT_MSG, where the socket type receives it: delivered
    /// when an accepted peer that completed its handshake is gone.
    pub disconnect_msg: Option<Vec<u8>>,
    /// ZMQ_ROUTER_NOTIFY: an empty message announces a peer's handshake
    /// (`notify_connect`) and its loss (`notify_disconnect`).
    pub notify_connect: bool,
    pub notify_disconnect: bool,
    /// The socket subscribes (SUB, XSUB, DISH): after a lost connection
    /// what it queued is dropped and it sends every subscription again.
    pub resubscribe: bool,
    /// What the socket of a datagram endpoint does: send (RADIO), receive
    /// (DISH), or both with an address frame per message (DGRAM).
    pub datagram: crate::transport::DatagramRoles,
}

/// ZMQ_RECONNECT_IVL, ZMQ_RECONNECT_IVL_MAX, ZMQ_RECONNECT_STOP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReconnectConfig {
    /// ms; at most 0: a connection that was up and failed is not retried.
    pub ivl: i32,
    /// ms; 0: no exponential backoff, a random extra wait instead.
    pub ivl_max: i32,
    /// ZMQ_RECONNECT_STOP_CONN_REFUSED: a refused connect ends the
    /// endpoint.
    pub stop_on_refusal: bool,
}

impl EndpointConfig {
    /// A new pipe between the socket (`.0`) and a connection (`.1`).
    pub(crate) fn network_pipe(&self) -> (Pipe, Pipe) {
        pipe_pair(self.pipe.0, self.pipe.1)
    }
}

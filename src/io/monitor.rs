//! Where the io threads report connection events (zmq_socket_monitor):
//! a sink the socket layer implements, so a handler raises an event
//! without knowing how the socket delivers it, and without waiting for
//! the socket's own thread.

/// Monitor event numbers (zmq.h).
pub mod events {
    pub const CONNECTED: u64 = 0x0001;
    pub const CONNECT_DELAYED: u64 = 0x0002;
    pub const CONNECT_RETRIED: u64 = 0x0004;
    pub const LISTENING: u64 = 0x0008;
    pub const BIND_FAILED: u64 = 0x0010;
    pub const ACCEPTED: u64 = 0x0020;
    pub const ACCEPT_FAILED: u64 = 0x0040;
    pub const CLOSED: u64 = 0x0080;
    pub const DISCONNECTED: u64 = 0x0200;
    pub const HANDSHAKE_FAILED_NO_DETAIL: u64 = 0x0800;
    pub const HANDSHAKE_SUCCEEDED: u64 = 0x1000;
    pub const HANDSHAKE_FAILED_PROTOCOL: u64 = 0x2000;
    pub const HANDSHAKE_FAILED_AUTH: u64 = 0x4000;
    pub const MONITOR_STOPPED: u64 = 0x0400;
    pub const PIPES_STATS: u64 = 0x10000;
}

/// Takes a socket's monitor events from any thread. Called once per
/// connection event, never per message.
pub trait MonitorSink: Send + Sync {
    /// `event` with one value about the endpoint pair (`local`, `remote`);
    /// version-1 frames name `v1_endpoint` (libzmq names the bound
    /// endpoint on the bind side and the peer on the connect side).
    fn event(&self, event: u64, value: u64, v1_endpoint: &str, local: &str, remote: &str);
}

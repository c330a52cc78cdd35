//! Where the io threads report connection events (zmq_socket_monitor):
//! a sink the socket layer implements, so a handler raises an event
//! without knowing how the socket delivers it, and without waiting for
//! the socket's own thread.

/// Monitor event numbers, as the sink takes them.
pub(crate) mod events {
    use crate::consts;

    pub(crate) const CONNECTED: u64 = consts::ZMQ_EVENT_CONNECTED as u64;
    pub(crate) const CONNECT_DELAYED: u64 = consts::ZMQ_EVENT_CONNECT_DELAYED as u64;
    pub(crate) const CONNECT_RETRIED: u64 = consts::ZMQ_EVENT_CONNECT_RETRIED as u64;
    pub(crate) const LISTENING: u64 = consts::ZMQ_EVENT_LISTENING as u64;
    pub(crate) const BIND_FAILED: u64 = consts::ZMQ_EVENT_BIND_FAILED as u64;
    pub(crate) const ACCEPTED: u64 = consts::ZMQ_EVENT_ACCEPTED as u64;
    pub(crate) const ACCEPT_FAILED: u64 = consts::ZMQ_EVENT_ACCEPT_FAILED as u64;
    pub(crate) const CLOSED: u64 = consts::ZMQ_EVENT_CLOSED as u64;
    pub(crate) const DISCONNECTED: u64 = consts::ZMQ_EVENT_DISCONNECTED as u64;
    pub(crate) const HANDSHAKE_FAILED_NO_DETAIL: u64 =
        consts::ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL as u64;
    pub(crate) const HANDSHAKE_SUCCEEDED: u64 = consts::ZMQ_EVENT_HANDSHAKE_SUCCEEDED as u64;
    pub(crate) const HANDSHAKE_FAILED_PROTOCOL: u64 =
        consts::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL as u64;
    pub(crate) const HANDSHAKE_FAILED_AUTH: u64 = consts::ZMQ_EVENT_HANDSHAKE_FAILED_AUTH as u64;
    pub(crate) const MONITOR_STOPPED: u64 = consts::ZMQ_EVENT_MONITOR_STOPPED as u64;
    pub(crate) const PIPES_STATS: u64 = consts::ZMQ_EVENT_PIPES_STATS as u64;
}

/// Takes a socket's monitor events from any thread. Called once per
/// connection event, never per message.
pub(crate) trait MonitorSink: Send + Sync {
    /// `event` with one value about the endpoint pair (`local`, `remote`);
    /// version-1 frames name `v1_endpoint` (libzmq names the bound
    /// endpoint on the bind side and the peer on the connect side).
    fn event(&self, event: u64, value: u64, v1_endpoint: &str, local: &str, remote: &str);
}

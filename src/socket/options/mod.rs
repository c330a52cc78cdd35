//! Socket options common to every socket type. Type-specific options live
//! with their socket type.
//!
//! * this file: the [`Options`] a socket holds, their defaults, and what
//!   they mean for the socket's type (conflate, hello and disconnect
//!   messages, network pipe limits);
//! * `value`: an option value as zmq_setsockopt passes it and
//!   zmq_getsockopt returns it (sizes, NULs, Z85 keys, errno);
//! * `table`: zmq_setsockopt/zmq_getsockopt of the generic options, one
//!   match arm per option with libzmq's ranges;
//! * `security`: the same for the mechanism options (PLAIN, CURVE, ZAP),
//!   whose settings change the mechanism as libzmq's do.

mod security;
mod table;
mod value;

#[cfg(test)]
mod tests;

pub(crate) use value::{OptIn, OptOut};

use crate::consts::*;
use crate::types::SocketType;

/// String and set options for which libzmq tells a NULL value from a
/// pointer to zero octets: NULL clears (or, for the PLAIN credentials,
/// resets the mechanism), an empty value is EINVAL. Only the C entry
/// point still knows which it was given.
pub(crate) const NULL_CLEARS_EMPTY_INVALID: [i32; 8] = [
    ZMQ_TCP_ACCEPT_FILTER,
    ZMQ_PLAIN_USERNAME,
    ZMQ_PLAIN_PASSWORD,
    ZMQ_IPC_FILTER_PID,
    ZMQ_IPC_FILTER_UID,
    ZMQ_IPC_FILTER_GID,
    ZMQ_SOCKS_PROXY,
    ZMQ_BINDTODEVICE,
];

/// Every option that is not specific to one socket type.
#[derive(Clone, Debug)]
pub struct Options {
    pub socket_type: SocketType,
    pub sndhwm: i32,
    pub rcvhwm: i32,
    pub affinity: u64,
    pub routing_id: Vec<u8>,
    pub rate: i32,
    pub recovery_ivl: i32,
    pub multicast_hops: i32,
    pub multicast_maxtpdu: i32,
    pub sndbuf: i32,
    pub rcvbuf: i32,
    pub tos: i32,
    pub priority: i32,
    pub linger: i32,
    pub connect_timeout: i32,
    pub tcp_maxrt: i32,
    pub reconnect_stop: i32,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    pub backlog: i32,
    pub maxmsgsize: i64,
    pub rcvtimeo: i32,
    pub sndtimeo: i32,
    pub ipv6: bool,
    pub immediate: bool,
    pub tcp_keepalive: i32,
    pub tcp_keepalive_cnt: i32,
    pub tcp_keepalive_idle: i32,
    pub tcp_keepalive_intvl: i32,
    /// Raw accept-filter strings; parsed by the tcp transport.
    pub tcp_accept_filters: Vec<Vec<u8>>,
    pub ipc_uid_filters: Vec<u32>,
    pub ipc_gid_filters: Vec<u32>,
    pub ipc_pid_filters: Vec<i32>,
    pub mechanism: i32,
    pub as_server: bool,
    pub plain_username: Vec<u8>,
    pub plain_password: Vec<u8>,
    pub curve_public_key: [u8; 32],
    pub curve_secret_key: [u8; 32],
    pub curve_server_key: [u8; 32],
    pub socks_proxy: Vec<u8>,
    pub socks_username: Vec<u8>,
    pub socks_password: Vec<u8>,
    /// ZMQ_WSS_KEY_PEM, ZMQ_WSS_CERT_PEM, ZMQ_WSS_TRUST_PEM,
    /// ZMQ_WSS_HOSTNAME as given (write-only, any length, checked only
    /// when a wss endpoint uses them), and ZMQ_WSS_TRUST_SYSTEM.
    pub wss_key_pem: Vec<u8>,
    pub wss_cert_pem: Vec<u8>,
    pub wss_trust_pem: Vec<u8>,
    pub wss_hostname: Vec<u8>,
    pub wss_trust_system: bool,
    pub conflate: bool,
    pub zap_domain: Vec<u8>,
    pub zap_enforce_domain: bool,
    pub handshake_ivl: i32,
    pub connected: bool,
    pub heartbeat_ivl: i32,
    pub heartbeat_ttl: u16,
    pub heartbeat_timeout: i32,
    pub use_fd: i32,
    pub bound_device: Vec<u8>,
    pub loopback_fastpath: bool,
    pub multicast_loop: bool,
    pub in_batch_size: i32,
    pub out_batch_size: i32,
    pub invert_matching: bool,
    /// ZMQ_METADATA properties, "X-Name" → value.
    pub app_metadata: Vec<(String, Vec<u8>)>,
    /// ZMQ_CONNECT_ROUTING_ID, for the next connect only. Only the routing
    /// types (ROUTER, REP, STREAM) accept it: see `types::set_connect_routing_id`.
    pub connect_routing_id: Vec<u8>,
    pub hello_msg: Option<Vec<u8>>,
    pub disconnect_msg: Option<Vec<u8>>,
    /// Whether the socket wants peers' routing ids (ROUTER, STREAM, SERVER...).
    pub recv_routing_id: bool,
    pub raw_socket: bool,
    pub raw_notify: bool,
    /// ZMQ_ROUTER_NOTIFY bits: 1 announce connects, 2 disconnects.
    pub router_notify: i32,
    pub filter: bool,
}

impl Options {
    /// ZMQ_CONFLATE, where the socket type honours it.
    pub fn effective_conflate(&self) -> bool {
        self.conflate && self.socket_type.honours_conflate()
    }

    /// ZMQ_HELLO_MSG (draft), where the socket type greets new peers with it.
    pub fn effective_hello_msg(&self) -> Option<Vec<u8>> {
        self.hello_msg
            .clone()
            .filter(|_| self.socket_type.sends_hello_msg())
    }

    /// ZMQ_DISCONNECT_MSG (draft), where the socket type is told of a lost
    /// peer with it.
    pub fn effective_disconnect_msg(&self) -> Option<Vec<u8>> {
        self.disconnect_msg
            .clone()
            .filter(|_| self.socket_type.receives_disconnect_msg())
    }

    /// A pipe between this socket and a network connection: the socket's
    /// end (`.0`) may queue ZMQ_SNDHWM messages, the connection's ZMQ_RCVHWM;
    /// neither limit with ZMQ_CONFLATE.
    pub fn network_pipe(&self) -> (crate::pipe::Pipe, crate::pipe::Pipe) {
        let (a, b) = self.network_pipe_params();
        crate::pipe::pipe_pair(a, b)
    }

    /// The two ends' parameters of a `network_pipe`.
    pub fn network_pipe_params(&self) -> (crate::pipe::PipeParams, crate::pipe::PipeParams) {
        let conflate = self.effective_conflate();
        let (hs, hr) = if conflate {
            (0, 0)
        } else {
            (self.sndhwm.max(0) as u64, self.rcvhwm.max(0) as u64)
        };
        (
            crate::pipe::PipeParams {
                out_hwm: hs,
                in_hwm: hr,
                conflate,
            },
            crate::pipe::PipeParams {
                out_hwm: hr,
                in_hwm: hs,
                conflate,
            },
        )
    }

    pub fn new(socket_type: SocketType) -> Options {
        Options {
            socket_type,
            sndhwm: 1000,
            rcvhwm: 1000,
            affinity: 0,
            routing_id: Vec::new(),
            rate: 100,
            recovery_ivl: 10000,
            multicast_hops: 1,
            multicast_maxtpdu: 1500,
            sndbuf: -1,
            rcvbuf: -1,
            tos: 0,
            priority: 0,
            linger: -1,
            connect_timeout: 0,
            tcp_maxrt: 0,
            reconnect_stop: 0,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            backlog: 100,
            maxmsgsize: -1,
            rcvtimeo: -1,
            sndtimeo: -1,
            ipv6: false,
            immediate: false,
            tcp_keepalive: -1,
            tcp_keepalive_cnt: -1,
            tcp_keepalive_idle: -1,
            tcp_keepalive_intvl: -1,
            tcp_accept_filters: Vec::new(),
            ipc_uid_filters: Vec::new(),
            ipc_gid_filters: Vec::new(),
            ipc_pid_filters: Vec::new(),
            mechanism: ZMQ_NULL,
            as_server: false,
            plain_username: Vec::new(),
            plain_password: Vec::new(),
            curve_public_key: [0; 32],
            curve_secret_key: [0; 32],
            curve_server_key: [0; 32],
            socks_proxy: Vec::new(),
            socks_username: Vec::new(),
            socks_password: Vec::new(),
            wss_key_pem: Vec::new(),
            wss_cert_pem: Vec::new(),
            wss_trust_pem: Vec::new(),
            wss_hostname: Vec::new(),
            wss_trust_system: false,
            conflate: false,
            zap_domain: Vec::new(),
            zap_enforce_domain: false,
            handshake_ivl: 30000,
            connected: false,
            heartbeat_ivl: 0,
            heartbeat_ttl: 0,
            heartbeat_timeout: -1,
            use_fd: -1,
            bound_device: Vec::new(),
            loopback_fastpath: false,
            multicast_loop: true,
            in_batch_size: 8192,
            out_batch_size: 8192,
            invert_matching: false,
            app_metadata: Vec::new(),
            connect_routing_id: Vec::new(),
            hello_msg: None,
            disconnect_msg: None,
            recv_routing_id: false,
            raw_socket: false,
            raw_notify: true,
            router_notify: 0,
            filter: false,
        }
    }
}

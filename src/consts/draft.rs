//! zmq.h's draft API: the numeric macros under `ZMQ_BUILD_DRAFT_API`.
//!
//! Compiled in every build: the layers below ffi handle the draft options
//! and types whether or not the draft functions are exported. Only the
//! header and `ffi::consts` hide them without the `draft` feature.
#![allow(missing_docs)]
// Without the draft feature nothing re-exports this file, and the numbers
// no layer uses (the WSS options, DGRAM ...) would be dead code.
#![cfg_attr(not(feature = "draft"), allow(dead_code))]

use super::stable::ZMQ_EVENT_ALL;
use std::os::raw::c_int;

// Socket types.
pub const ZMQ_SERVER: c_int = 12;
pub const ZMQ_CLIENT: c_int = 13;
pub const ZMQ_RADIO: c_int = 14;
pub const ZMQ_DISH: c_int = 15;
pub const ZMQ_GATHER: c_int = 16;
pub const ZMQ_SCATTER: c_int = 17;
pub const ZMQ_DGRAM: c_int = 18;
pub const ZMQ_PEER: c_int = 19;
pub const ZMQ_CHANNEL: c_int = 20;

// Socket options.
pub const ZMQ_ZAP_ENFORCE_DOMAIN: c_int = 93;
pub const ZMQ_LOOPBACK_FASTPATH: c_int = 94;
pub const ZMQ_METADATA: c_int = 95;
pub const ZMQ_MULTICAST_LOOP: c_int = 96;
pub const ZMQ_ROUTER_NOTIFY: c_int = 97;
pub const ZMQ_XPUB_MANUAL_LAST_VALUE: c_int = 98;
pub const ZMQ_SOCKS_USERNAME: c_int = 99;
pub const ZMQ_SOCKS_PASSWORD: c_int = 100;
pub const ZMQ_IN_BATCH_SIZE: c_int = 101;
pub const ZMQ_OUT_BATCH_SIZE: c_int = 102;
pub const ZMQ_WSS_KEY_PEM: c_int = 103;
pub const ZMQ_WSS_CERT_PEM: c_int = 104;
pub const ZMQ_WSS_TRUST_PEM: c_int = 105;
pub const ZMQ_WSS_HOSTNAME: c_int = 106;
pub const ZMQ_WSS_TRUST_SYSTEM: c_int = 107;
pub const ZMQ_ONLY_FIRST_SUBSCRIBE: c_int = 108;
pub const ZMQ_RECONNECT_STOP: c_int = 109;
pub const ZMQ_HELLO_MSG: c_int = 110;
pub const ZMQ_DISCONNECT_MSG: c_int = 111;
pub const ZMQ_PRIORITY: c_int = 112;

// Bits of ZMQ_RECONNECT_STOP.
pub const ZMQ_RECONNECT_STOP_CONN_REFUSED: c_int = 0x1;
pub const ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED: c_int = 0x2;
pub const ZMQ_RECONNECT_STOP_AFTER_DISCONNECT: c_int = 0x3;

// Context option.
pub const ZMQ_ZERO_COPY_RECV: c_int = 10;

/// Message property name: the peer's routing id (the header defines the
/// same string; cbindgen does not emit string constants).
/// cbindgen:ignore
pub const ZMQ_MSG_PROPERTY_ROUTING_ID: &str = "Routing-Id";
/// Message property name: the peer's socket type.
/// cbindgen:ignore
pub const ZMQ_MSG_PROPERTY_SOCKET_TYPE: &str = "Socket-Type";
/// Message property name: the user id the ZAP handler returned.
/// cbindgen:ignore
pub const ZMQ_MSG_PROPERTY_USER_ID: &str = "User-Id";
/// Message property name: the peer's address.
/// cbindgen:ignore
pub const ZMQ_MSG_PROPERTY_PEER_ADDRESS: &str = "Peer-Address";

// ZMQ_ROUTER_NOTIFY bits.
pub const ZMQ_NOTIFY_CONNECT: c_int = 1;
pub const ZMQ_NOTIFY_DISCONNECT: c_int = 2;

// Monitor events and versions.
pub const ZMQ_EVENT_PIPES_STATS: c_int = 0x10000;
pub const ZMQ_CURRENT_EVENT_VERSION: c_int = 1;
pub const ZMQ_CURRENT_EVENT_VERSION_DRAFT: c_int = 2;
/// Every event of monitor protocol version 1.
pub const ZMQ_EVENT_ALL_V1: c_int = ZMQ_EVENT_ALL;
/// Every event of monitor protocol version 2.
pub const ZMQ_EVENT_ALL_V2: c_int = ZMQ_EVENT_ALL_V1 | ZMQ_EVENT_PIPES_STATS;

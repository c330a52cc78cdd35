//! The address and socket-setup layer of the tcp and ipc transports: what
//! an endpoint string means, which errno a bad one gets, the text libzmq
//! reports for it, and sockets opened, tuned, bound, accepted and
//! connected the way libzmq 4.3 does. No threads, no polling: listeners and
//! connecters drive these from their reactor.
//!
//! - [`tcp_address`] — `tcp://` parsing and resolution, canonical endpoint
//!   strings, the zmq_connect syntax check, unbind keys.
//! - [`ipc_address`] — `ipc://` paths, abstract names, wildcard directories.
//! - [`tcp_socket`] / [`ipc_socket`] — listeners, accept, non-blocking
//!   connect and its completion.
//! - [`peer`] — endpoint names of either end, `Peer-Address`, SO_PEERCRED.
//! - [`accept_filter`] — ZMQ_TCP_ACCEPT_FILTER.
//! - [`ip_text`], [`nic`] — glibc-compatible IP text, interface lookups.

pub mod accept_filter;
pub mod ip_text;
pub mod ipc_address;
pub mod ipc_socket;
pub mod nic;
pub mod peer;
pub mod tcp_address;
pub mod tcp_socket;

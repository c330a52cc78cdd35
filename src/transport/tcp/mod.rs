//! The tcp transport: `tcp://host:port`, with an optional source address
//! (`tcp://src;host:port`), names resolved as libzmq resolves them,
//! ZMQ_TCP_ACCEPT_FILTER, and the socket options libzmq sets.
//!
//! - [`address`]: parsing and resolution, canonical endpoint strings, the
//!   zmq_connect syntax check, unbind keys.
//! - [`socket`]: listeners, accept, non-blocking connect, tuning.
//! - [`accept_filter`]: ZMQ_TCP_ACCEPT_FILTER.
//!
//! With ZMQ_SOCKS_PROXY set, a connect dials the proxy instead and asks it
//! for the endpoint ([`super::socks`]), as libzmq's SOCKS connecter does.

pub mod accept_filter;
pub mod address;
pub(crate) mod socket;

pub use socket::{TcpConfig, TcpListener};

use super::{socks, Config, ConnectPolicy, Dialing, Listening, Transport};
use crate::error::Result;
use std::os::fd::{AsRawFd, RawFd};

/// `tcp://`.
pub struct Tcp;

impl Transport for Tcp {
    fn scheme(&self) -> &'static str {
        "tcp"
    }

    fn capability(&self) -> Option<&'static str> {
        None
    }

    fn check_connect(&self, address: &str, _ipv6: bool) -> Result<()> {
        address::check_connect_syntax(address)
    }

    fn bind(&self, address: &str, cfg: &Config) -> Result<Box<dyn Listening>> {
        Ok(Box::new(TcpListener::bind(address, &cfg.tcp)?))
    }

    unsafe fn adopt(&self, fd: RawFd) -> Result<Box<dyn Listening>> {
        // SAFETY: the caller hands over an fd nothing else will close.
        Ok(Box::new(unsafe { TcpListener::adopt(fd) }?))
    }

    fn connect_start(&self, address: &str, cfg: &Config) -> Result<Dialing> {
        if cfg.socks.enabled() {
            return socks::dial(address, cfg);
        }
        let c = socket::connect_start(address, &cfg.tcp)?;
        Ok(Dialing {
            socket: c.socket,
            in_progress: c.in_progress,
            prelude: None,
        })
    }

    fn tune(&self, sock: &socket2::Socket, cfg: &Config) -> Result<()> {
        socket::tune_connection(sock, &cfg.tcp)
    }

    fn connect_policy(&self, uri: &str, cfg: &Config) -> ConnectPolicy {
        if cfg.socks.enabled() {
            return socks::connect_policy(&cfg.socks);
        }
        ConnectPolicy {
            remote: uri.to_owned(),
            timeout: true,
            stop_on_refusal: true,
        }
    }

    fn term_key(&self, uri: &str, ipv6: bool, known: &dyn Fn(&str) -> bool) -> String {
        address::term_endpoint_key(uri, ipv6, known)
    }
}

impl Listening for TcpListener {
    fn endpoint(&self) -> &str {
        TcpListener::endpoint(self)
    }

    fn fd(&self) -> RawFd {
        self.socket().as_raw_fd()
    }

    fn accept(&self, cfg: &Config) -> Result<Option<socket2::Socket>> {
        Ok(TcpListener::accept(self, &cfg.tcp)?.map(|(sock, _)| sock))
    }
}

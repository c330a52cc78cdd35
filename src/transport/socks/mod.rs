//! tcp connects through a SOCKS5 proxy (ZMQ_SOCKS_PROXY, with
//! ZMQ_SOCKS_USERNAME and ZMQ_SOCKS_PASSWORD), as libzmq 4.3 makes them:
//! the attempt dials the proxy, runs the SOCKS5 handshake as a
//! [`Prelude`], and ZMTP starts over the stream the proxy relays.
//!
//! - [`client`]: the handshake as a state machine over octets.
//! - [`target`]: the endpoint as the CONNECT request names it.
//! - [`reply`]: the proxy's reply to CONNECT.
//!
//! Where libzmq's SOCKS connecter differs from its tcp connecter, this
//! does too (see [`connect_policy`]): monitor events name the proxy
//! (`tcp://` and ZMQ_SOCKS_PROXY as set); ZMQ_CONNECT_TIMEOUT and
//! ZMQ_RECONNECT_STOP_CONN_REFUSED do not apply; and every failure,
//! refused credentials included, is CLOSED then CONNECT_RETRIED, for as
//! long as the endpoint is wanted.

pub mod client;
pub mod reply;
pub mod target;

use super::tcp::socket::connect_start;
use super::{Config, ConnectPolicy, Dialing, Prelude, PreludeStatus};
use crate::error::Error;
use client::{Client, Status};
use reply::MAX_REPLY;
use socket2::Socket;
use std::io::{ErrorKind, Read};

/// The proxy and the credentials for it, as the options hold them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SocksConfig {
    /// ZMQ_SOCKS_PROXY: `host:port`, optionally `source;host:port`, as a
    /// tcp connect address (empty: no proxy).
    pub proxy: String,
    /// ZMQ_SOCKS_USERNAME (empty: no authentication).
    pub username: Vec<u8>,
    pub password: Vec<u8>,
}

impl SocksConfig {
    pub fn enabled(&self) -> bool {
        !self.proxy.is_empty()
    }
}

/// Starts a connect to `target` (a tcp address) through the proxy: the
/// socket goes to the proxy, with the handshake as its prelude. Errors are
/// those of opening a connection to the proxy's address.
pub(crate) fn dial(target: &str, cfg: &Config) -> crate::error::Result<Dialing> {
    let c = connect_start(&cfg.socks.proxy, &cfg.tcp)?;
    let client = Client::new(target, &cfg.socks.username, &cfg.socks.password);
    Ok(Dialing {
        socket: c.socket,
        in_progress: c.in_progress,
        prelude: Some(Box::new(SocksPrelude { client })),
    })
}

/// libzmq's SOCKS connecter reports its endpoint as the proxy, and has
/// neither the connect timer nor the refusal check of its tcp connecter.
pub(crate) fn connect_policy(cfg: &SocksConfig) -> ConnectPolicy {
    ConnectPolicy {
        remote: format!("tcp://{}", cfg.proxy),
        timeout: false,
        stop_on_refusal: false,
    }
}

/// The handshake on a connected socket.
pub(crate) struct SocksPrelude {
    client: Client,
}

impl Prelude for SocksPrelude {
    fn step(&mut self, sock: &Socket) -> PreludeStatus {
        loop {
            match self.client.status() {
                Status::Send => {
                    match sock.send_with_flags(self.client.output(), libc::MSG_NOSIGNAL) {
                        Ok(n) => self.client.sent(n),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            return PreludeStatus::Writable
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(e) => return PreludeStatus::Failed(e.into()),
                    }
                }
                Status::Receive => {
                    let mut buf = [0u8; MAX_REPLY];
                    let want = self.client.wants();
                    let mut s = sock;
                    match s.read(&mut buf[..want]) {
                        Ok(0) => return PreludeStatus::Failed(Error::ECONNRESET),
                        Ok(n) => {
                            self.client.received(&buf[..n]);
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            return PreludeStatus::Readable
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(e) => return PreludeStatus::Failed(e.into()),
                    }
                }
                Status::Done => return PreludeStatus::Done,
                Status::Failed(e) => return PreludeStatus::Failed(e),
            }
        }
    }
}

#[cfg(test)]
mod tests;

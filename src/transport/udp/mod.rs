//! The udp transport (draft, RADIO/DISH and DGRAM): `udp://[iface;]host:port`,
//! unicast or multicast. A datagram transport: no connections, one socket
//! per endpoint, which a DISH or DGRAM binds and a RADIO connects.
//!
//! - [`address`]: parsing and resolution, the ZMQ_LAST_ENDPOINT text,
//!   DGRAM's `ip:port` address frames.
//! - [`socket`]: the endpoint's socket, bound, joined and tuned.

pub mod address;
pub(crate) mod socket;

pub use socket::UdpConfig;

use super::{Config, DatagramAddress, DatagramRoles, DatagramSocket, DatagramTransport};
use crate::error::Result;
use address::UdpAddress;
use std::net::SocketAddr;

/// `udp://`.
pub struct Udp;

impl DatagramTransport for Udp {
    fn scheme(&self) -> &'static str {
        "udp"
    }

    fn capability(&self) -> Option<&'static str> {
        // libzmq's zmq_has has no "udp".
        None
    }

    fn resolve(&self, address: &str, bind: bool, cfg: &Config) -> Result<Box<dyn DatagramAddress>> {
        Ok(Box::new(address::resolve(address, bind, cfg.udp.ipv6)?))
    }

    fn peer_text(&self, from: &SocketAddr) -> Vec<u8> {
        address::peer_text(from)
    }

    fn parse_peer(&self, frame: &[u8], ipv6_socket: bool) -> Option<SocketAddr> {
        address::parse_peer(frame, ipv6_socket)
    }
}

impl DatagramAddress for UdpAddress {
    fn endpoint(&self) -> &str {
        &self.text
    }

    fn open(&self, roles: DatagramRoles, cfg: &Config) -> Result<DatagramSocket> {
        socket::open(self, roles, &cfg.udp)
    }
}

#[cfg(test)]
mod tests;

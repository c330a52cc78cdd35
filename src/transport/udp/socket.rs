//! The socket of a udp endpoint, set up as libzmq's udp engine sets it up:
//! a sender gets the multicast loop, hops and interface for a group; a
//! receiver shares its port (SO_REUSEADDR, and SO_REUSEPORT for a group),
//! binds the wildcard for a group and joins it on the named interface.
//! Non-blocking and close-on-exec.

use super::address::UdpAddress;
use crate::error::Result;
use crate::transport::{DatagramRoles, DatagramSocket};
use socket2::{Domain, Protocol, Socket, Type};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The options a udp endpoint's socket is set up with, copied from the
/// socket's options when the endpoint is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UdpConfig {
    /// ZMQ_IPV6: IPv6 names and literals resolve.
    pub ipv6: bool,
    /// ZMQ_MULTICAST_LOOP: a group's datagrams reach this host's members.
    pub multicast_loop: bool,
    /// ZMQ_MULTICAST_HOPS (0 or less: the OS default).
    pub multicast_hops: i32,
    /// ZMQ_SNDBUF, ZMQ_RCVBUF (-1: the OS default). libzmq 4.3.4's udp
    /// engine leaves them alone; we apply them as tcp does.
    pub sndbuf: i32,
    pub rcvbuf: i32,
    /// ZMQ_BINDTODEVICE (empty: none).
    pub bound_device: Vec<u8>,
}

impl Default for UdpConfig {
    /// libzmq's defaults.
    fn default() -> UdpConfig {
        UdpConfig {
            ipv6: false,
            multicast_loop: true,
            multicast_hops: 1,
            sndbuf: -1,
            rcvbuf: -1,
            bound_device: Vec::new(),
        }
    }
}

/// Opens the socket for `addr` in the given roles. Errors are the
/// system's; the io layer retries after ZMQ_RECONNECT_IVL, as libzmq's
/// session restarts a udp engine that failed to start.
pub(crate) fn open(
    addr: &UdpAddress,
    roles: DatagramRoles,
    cfg: &UdpConfig,
) -> Result<DatagramSocket> {
    // libzmq takes the family of the local address (the same as the
    // target's: resolution checked).
    let sock = Socket::new(
        Domain::for_address(addr.local),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    sock.set_nonblocking(true)?;
    if !cfg.bound_device.is_empty() {
        sock.bind_device(Some(&cfg.bound_device))?;
    }
    // The kernel clamps rather than refuses: failures are ignored.
    if cfg.sndbuf >= 0 {
        let _ = sock.set_send_buffer_size(cfg.sndbuf as usize);
    }
    if cfg.rcvbuf >= 0 {
        let _ = sock.set_recv_buffer_size(cfg.rcvbuf as usize);
    }
    let mut destination = None;
    if roles.send && !roles.addressed {
        destination = Some(addr.target);
        if addr.multicast {
            set_sending_to_group(&sock, addr, cfg)?;
        }
    }
    if roles.recv {
        sock.set_reuse_address(true)?;
        let local = if addr.multicast {
            // Every socket on the port gets a copy of the group's datagrams.
            sock.set_reuse_port(true)?;
            let any = match addr.local {
                SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            };
            SocketAddr::new(any, addr.local.port())
        } else {
            addr.local
        };
        sock.bind(&local.into())?;
        if addr.multicast {
            join_group(&sock, addr)?;
        }
    }
    Ok(DatagramSocket::new(sock, destination, addr.local.is_ipv6()))
}

fn set_sending_to_group(sock: &Socket, addr: &UdpAddress, cfg: &UdpConfig) -> Result<()> {
    match addr.local {
        SocketAddr::V4(local) => {
            sock.set_multicast_loop_v4(cfg.multicast_loop)?;
            if cfg.multicast_hops > 0 {
                sock.set_multicast_ttl_v4(cfg.multicast_hops as u32)?;
            }
            if !local.ip().is_unspecified() {
                sock.set_multicast_if_v4(local.ip())?;
            }
        }
        SocketAddr::V6(_) => {
            sock.set_multicast_loop_v6(cfg.multicast_loop)?;
            // libzmq passes IP_MULTICAST_TTL at the IPv6 level here, which
            // is not the hop limit; IPV6_MULTICAST_HOPS is.
            if cfg.multicast_hops > 0 {
                sock.set_multicast_hops_v6(cfg.multicast_hops as u32)?;
            }
            if let Some(i) = addr.interface.filter(|&i| i > 0) {
                sock.set_multicast_if_v6(i)?;
            }
        }
    }
    Ok(())
}

fn join_group(sock: &Socket, addr: &UdpAddress) -> Result<()> {
    match (addr.target.ip(), addr.local.ip()) {
        (IpAddr::V4(group), IpAddr::V4(iface)) => sock.join_multicast_v4(&group, &iface)?,
        (IpAddr::V6(group), _) => sock.join_multicast_v6(&group, addr.interface.unwrap_or(0))?,
        // Resolution refuses mixed families.
        (IpAddr::V4(_), IpAddr::V6(_)) => return Err(crate::error::Error::EINVAL),
    }
    Ok(())
}

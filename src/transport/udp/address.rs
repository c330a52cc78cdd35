//! `udp://` addresses as libzmq 4.3 reads them, and the peer addresses a
//! DGRAM socket trades with its application (`"ip:port"` frames). No
//! sockets here; a connect address may consult DNS, as libzmq's does.
//!
//! An endpoint is `[iface;]host:port`. Without an interface the meaning
//! depends on the side: a multicast host is the group on either side; a
//! unicast host is the local address on a bind and the destination on a
//! connect. With an interface (`eth0;239.0.0.1:5555`, `*;...`,
//! `10.0.0.2;...`) the host must be multicast, and the interface is where
//! the group is joined and sent from.

use crate::error::{Error, Result};
use crate::transport::ip_text::{atoi, format_ipv6, parse_ipv4_aton};
use crate::transport::nic;
use crate::transport::tcp::address::{resolve_ip, ResolveOpts};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

/// A resolved `udp://` address (libzmq's `udp_address_t`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UdpAddress {
    /// The text after `udp://`, as given: what libzmq reports as
    /// ZMQ_LAST_ENDPOINT for udp (no scheme, wildcards unresolved).
    pub text: String,
    /// Where a sending socket sends: the group, or the unicast peer.
    pub target: SocketAddr,
    /// The local side: the interface's address, or the unicast bind
    /// address, or the wildcard; always with the target's port.
    pub local: SocketAddr,
    /// The interface index IPv6 multicast joins and sends on: `Some(0)`
    /// for "any", `None` where no index is known (libzmq's -1).
    pub interface: Option<u32>,
    pub multicast: bool,
}

/// Resolves the part after `udp://` for a bind (`bind`: the socket
/// receives here) or a connect (it sends here), with the errno zmq_bind
/// or zmq_connect gives.
pub fn resolve(name: &str, bind: bool, ipv6: bool) -> Result<UdpAddress> {
    let mut interface: Option<u32> = None;
    let mut local = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
    let mut explicit = false;
    let mut rest = name;
    if let Some(i) = name.rfind(';') {
        let src = &name[..i];
        // Literals and interface names only: no DNS, no port.
        let o = ResolveOpts {
            bindable: true,
            allow_dns: false,
            allow_nic: true,
            ipv6,
            expect_port: false,
        };
        local = resolve_ip(src, o)?;
        if local.ip().is_multicast() {
            return Err(Error::EINVAL);
        }
        // IPv6 joins by interface index, which only a name gives.
        interface = if src == "*" {
            Some(0)
        } else {
            Some(nic::interface_index(src)).filter(|&i| i != 0)
        };
        explicit = true;
        rest = &name[i + 1..];
    }
    let o = ResolveOpts {
        bindable: bind,
        allow_dns: !bind,
        allow_nic: bind,
        ipv6,
        expect_port: true,
    };
    let target = resolve_ip(rest, o)?;
    let multicast = target.ip().is_multicast();
    if explicit {
        if !multicast {
            return Err(Error::EINVAL);
        }
        local.set_port(target.port());
    } else if multicast || !bind {
        local = SocketAddr::new(unspecified_like(&target), target.port());
        interface = Some(0);
    } else {
        local = target;
    }
    if local.is_ipv6() != target.is_ipv6() {
        return Err(Error::EINVAL);
    }
    if ipv6 && multicast && interface.is_none() {
        return Err(Error::ENODEV);
    }
    Ok(UdpAddress {
        text: name.to_owned(),
        target,
        local,
        interface,
        multicast,
    })
}

fn unspecified_like(a: &SocketAddr) -> IpAddr {
    match a {
        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// The address frame a DGRAM socket receives before each body: the
/// sender as `a.b.c.d:port` and a terminating NUL, which libzmq counts in
/// the frame's size. An IPv4 sender reaching a dual-stack socket is
/// written the IPv4 way; an IPv6 one as `[addr]:port` (libzmq aborts on
/// those: its DGRAM is IPv4 only).
pub fn peer_text(from: &SocketAddr) -> Vec<u8> {
    let text = match from {
        SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => match a.ip().to_ipv4_mapped() {
            Some(v4) => format!("{v4}:{}", a.port()),
            None if a.scope_id() != 0 => {
                format!("[{}%{}]:{}", format_ipv6(a.ip()), a.scope_id(), a.port())
            }
            None => format!("[{}]:{}", format_ipv6(a.ip()), a.port()),
        },
    };
    let mut v = text.into_bytes();
    v.push(0);
    v
}

/// The destination a DGRAM application names in an address frame, as
/// libzmq reads it: up to the last `:` an IPv4 address in `inet_addr`'s
/// forms (`255.255.255.255`, its error value, is refused), after it a port
/// read by `atoi` and truncated to 16 bits, 0 refused. The frame may keep
/// the NUL it arrived with. We also take `[IPv6]:port` (and give IPv4
/// destinations of an IPv6 socket as mapped addresses). `None`: not an
/// address; the message is dropped.
pub fn parse_peer(frame: &[u8], ipv6_socket: bool) -> Option<SocketAddr> {
    let colon = frame.iter().rposition(|&c| c == b':')?;
    let (host, port) = (&frame[..colon], &frame[colon + 1..]);
    let port = atoi(&String::from_utf8_lossy(port)) as u16;
    if port == 0 {
        return None;
    }
    // A C string: whatever follows a NUL is not seen.
    let host = host.split(|&c| c == 0).next().unwrap_or_default();
    if let [b'[', inner @ .., b']'] = host {
        if !ipv6_socket {
            return None;
        }
        return parse_v6_with_zone(std::str::from_utf8(inner).ok()?, port);
    }
    // inet_aton (which inet_addr calls) stops at the first blank.
    let end = host
        .iter()
        .position(|c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .unwrap_or(host.len());
    let v4 = parse_ipv4_aton(std::str::from_utf8(&host[..end]).ok()?)?;
    if v4 == Ipv4Addr::BROADCAST {
        return None;
    }
    Some(if ipv6_socket {
        SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), port)
    } else {
        SocketAddr::new(IpAddr::V4(v4), port)
    })
}

fn parse_v6_with_zone(s: &str, port: u16) -> Option<SocketAddr> {
    let (ip, zone) = match s.split_once('%') {
        Some((ip, z)) => (ip, z.parse::<u32>().ok()?),
        None => (s, 0),
    };
    let ip: Ipv6Addr = ip.parse().ok()?;
    Some(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, zone)))
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;

//! What the CONNECT request asks the proxy for: the host and port of the
//! endpoint, read as libzmq's SOCKS connecter reads them, and the request's
//! octets (RFC 1928 section 4). Nothing is resolved here: a name goes to
//! the proxy as a name.

use crate::error::{Error, Result};
use crate::transport::ip_text::{atoi, parse_ipv4_aton};
use crate::transport::nic;
use std::net::{Ipv4Addr, Ipv6Addr};

/// SOCKS5 address types.
pub const ATYP_IPV4: u8 = 0x01;
pub const ATYP_DOMAIN: u8 = 0x03;
pub const ATYP_IPV6: u8 = 0x04;

/// The destination's host, as the request carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    /// A name the proxy resolves (at most 255 octets).
    Domain(Vec<u8>),
}

/// The destination of a CONNECT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub host: Host,
    pub port: u16,
}

impl Target {
    /// The address part of a `tcp://` endpoint: the host before the last
    /// `:` (without the brackets of `[host]:port`), the port after it, read
    /// by `atoi` as libzmq does (`70000` is 4464). A numeric host, as
    /// `getaddrinfo(AI_NUMERICHOST)` reads one (`127.1` included), is sent
    /// as an address; anything else as a name.
    ///
    /// EINVAL: no `:`, port 0, or a name over 255 octets (which libzmq
    /// asserts on).
    pub fn parse(address: &str) -> Result<Target> {
        let i = address.rfind(':').ok_or(Error::EINVAL)?;
        let b = address.as_bytes();
        let host = if i >= 2 && b[0] == b'[' && b[i - 1] == b']' {
            &address[1..i - 1]
        } else {
            &address[..i]
        };
        let port = atoi(&address[i + 1..]) as u16;
        if port == 0 {
            return Err(Error::EINVAL);
        }
        let host = if let Some(a) = parse_ipv4_aton(host) {
            Host::V4(a)
        } else if let Some(a) = numeric_ipv6(host) {
            Host::V6(a)
        } else if host.len() <= 255 {
            Host::Domain(host.as_bytes().to_vec())
        } else {
            return Err(Error::EINVAL);
        };
        Ok(Target { host, port })
    }

    /// VER CMD(CONNECT) RSV ATYP DST.ADDR DST.PORT.
    pub fn request(&self) -> Vec<u8> {
        let mut out = vec![0x05, 0x01, 0x00];
        match &self.host {
            Host::V4(a) => {
                out.push(ATYP_IPV4);
                out.extend_from_slice(&a.octets());
            }
            Host::V6(a) => {
                out.push(ATYP_IPV6);
                out.extend_from_slice(&a.octets());
            }
            Host::Domain(name) => {
                out.push(ATYP_DOMAIN);
                // Checked in `parse`: a name has at most 255 octets.
                out.push(name.len() as u8);
                out.extend_from_slice(name);
            }
        }
        out.extend_from_slice(&self.port.to_be_bytes());
        out
    }
}

/// An IPv6 literal as glibc's numeric getaddrinfo takes it: with an
/// optional `%scope`, numeric, or an interface name on a link-local
/// address. The scope does not travel: the proxy gets the 16 octets.
fn numeric_ipv6(host: &str) -> Option<Ipv6Addr> {
    let (addr, scope) = match host.split_once('%') {
        Some((a, s)) => (a, Some(s)),
        None => (host, None),
    };
    let a: Ipv6Addr = addr.parse().ok()?;
    match scope {
        None => Some(a),
        Some(s) if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) => {
            s.parse::<u32>().ok().map(|_| a)
        }
        Some(s) => {
            let link_local =
                a.segments()[0] & 0xffc0 == 0xfe80 || (a.segments()[0] & 0xff0f == 0xff02);
            (link_local && nic::interface_index(s) != 0).then_some(a)
        }
    }
}

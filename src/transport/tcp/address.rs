//! `tcp://` addresses: what zmq_bind and zmq_connect accept, the address
//! each resolves to, and the canonical text libzmq reports for it
//! (ZMQ_LAST_ENDPOINT, monitor events, unbind keys). Every errno here is
//! the one libzmq 4.3 gives for the same input.

use crate::error::{Error, Result};
use crate::transport::ip_text::{atoi, atoi_port, format_host, parse_numeric_host};
use crate::transport::nic;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};

/// What a resolution may use, as libzmq's `ip_resolver_options_t`.
#[derive(Clone, Copy, Debug)]
pub struct ResolveOpts {
    /// `*` host and `*` port allowed; failures are ENODEV, not EINVAL.
    pub bindable: bool,
    pub allow_dns: bool,
    pub allow_nic: bool,
    pub ipv6: bool,
    pub expect_port: bool,
}

/// A resolved tcp address: the peer (connect) or local (bind) address, and
/// for `src;dst` connects the source to bind first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpAddress {
    pub addr: SocketAddr,
    pub source: Option<SocketAddr>,
}

/// Resolves the address part of a `tcp://` bind endpoint (`*:*`, `ip:port`,
/// `[v6]:port`, `eth0:5555`). Never consults DNS: a host name that is not an
/// interface is ENODEV, as in libzmq.
pub fn resolve_bind(addr: &str, ipv6: bool) -> Result<TcpAddress> {
    resolve(addr, true, ipv6)
}

/// Resolves the address part of a `tcp://` connect endpoint, including the
/// optional `source;` prefix. May block on DNS; libzmq does this when the
/// connecter opens its socket, not in zmq_connect.
pub fn resolve_connect(addr: &str, ipv6: bool) -> Result<TcpAddress> {
    resolve(addr, false, ipv6)
}

/// libzmq's `tcp_address_t::resolve`: `local` selects bind rules.
pub(crate) fn resolve(addr: &str, local: bool, ipv6: bool) -> Result<TcpAddress> {
    let (source, dest) = match addr.rfind(';') {
        Some(i) => {
            // Source addresses are literals or interfaces only: no DNS and no
            // service names, whatever the destination allows.
            let o = ResolveOpts {
                bindable: true,
                allow_dns: false,
                allow_nic: true,
                ipv6,
                expect_port: true,
            };
            (Some(resolve_ip(&addr[..i], o)?), &addr[i + 1..])
        }
        None => (None, addr),
    };
    let o = ResolveOpts {
        bindable: local,
        allow_dns: !local,
        allow_nic: local,
        ipv6,
        expect_port: true,
    };
    Ok(TcpAddress {
        addr: resolve_ip(dest, o)?,
        source,
    })
}

/// libzmq's `ip_resolver_t::resolve` for one `host[:port]`.
pub fn resolve_ip(name: &str, o: ResolveOpts) -> Result<SocketAddr> {
    let (mut host, port) = if o.expect_port {
        // The last colon: IPv6 literals contain colons of their own.
        let i = name.rfind(':').ok_or(Error::EINVAL)?;
        let p = &name[i + 1..];
        let port = match p {
            "*" if o.bindable => 0,
            "*" => return Err(Error::EINVAL),
            "0" => 0,
            _ => match atoi_port(p) {
                0 => return Err(Error::EINVAL),
                n => n,
            },
        };
        (&name[..i], port)
    } else {
        (name, 0)
    };
    if host.len() >= 2 && host.starts_with('[') && host.ends_with(']') {
        host = &host[1..host.len() - 1];
    }
    let mut zone = 0u32;
    if let Some(i) = host.rfind('%') {
        let z = &host[i + 1..];
        host = &host[..i];
        zone = match z.as_bytes().first() {
            None => return Err(Error::EINVAL),
            Some(c) if c.is_ascii_alphabetic() => nic::interface_index(z),
            Some(_) => atoi(z) as u32,
        };
        if zone == 0 {
            return Err(Error::EINVAL);
        }
    }
    let ip = if o.bindable && host == "*" {
        if o.ipv6 {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        }
    } else {
        let by_nic = if o.allow_nic {
            nic::interface_address(host, o.ipv6)?
        } else {
            None
        };
        match by_nic {
            Some(ip) => ip,
            None => resolve_host(host, o)?,
        }
    };
    // The zone replaces whatever scope an interface address carried, as in
    // libzmq (which always overwrites sin6_scope_id).
    Ok(match ip {
        IpAddr::V4(a) => SocketAddr::new(IpAddr::V4(a), port),
        IpAddr::V6(a) => SocketAddr::V6(SocketAddrV6::new(a, port, 0, zone)),
    })
}

/// A literal, or (when allowed) a DNS name taking the first answer of the
/// wanted family; with ZMQ_IPV6 an IPv4-only name maps into IPv6.
fn resolve_host(host: &str, o: ResolveOpts) -> Result<IpAddr> {
    let fail = if o.bindable {
        Error::ENODEV
    } else {
        Error::EINVAL
    };
    if let Some(ip) = parse_numeric_host(host, o.ipv6) {
        return Ok(ip);
    }
    if !o.allow_dns || host.is_empty() {
        return Err(fail);
    }
    let answers: Vec<SocketAddr> = (host, 0u16).to_socket_addrs().map_err(|_| fail)?.collect();
    let v4 = || {
        answers.iter().find_map(|a| match a.ip() {
            IpAddr::V4(v) => Some(v),
            IpAddr::V6(_) => None,
        })
    };
    let ip = if o.ipv6 {
        let v6 = answers.iter().find_map(|a| match a.ip() {
            IpAddr::V6(v) => Some(IpAddr::V6(v)),
            IpAddr::V4(_) => None,
        });
        v6.or_else(|| v4().map(|a| IpAddr::V6(a.to_ipv6_mapped())))
    } else {
        v4().map(IpAddr::V4)
    };
    ip.ok_or(fail)
}

/// The endpoint text libzmq reports for a tcp socket address:
/// `tcp://0.0.0.0:41234`, `tcp://[::]:41234`, `tcp://[::ffff:127.0.0.1]:5555`.
pub fn endpoint_string(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(_) => format!("tcp://{}:{}", format_host(addr), addr.port()),
        SocketAddr::V6(_) => format!("tcp://[{}]:{}", format_host(addr), addr.port()),
    }
}

/// The syntax zmq_connect checks before accepting a `tcp://` address (the
/// address itself is resolved later, by the connecter): a restricted
/// alphabet and a last `:` followed by a digit. Wrong: EINVAL.
pub fn check_connect_syntax(addr: &str) -> Result<()> {
    let b = addr.as_bytes();
    let mut i = 0;
    if b.first()
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'[' || c == b':')
    {
        i = 1;
        while b
            .get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || b".-:%;[]_*".contains(&c))
        {
            i += 1;
        }
    }
    if i != b.len() {
        return Err(Error::EINVAL);
    }
    match addr.rfind(':') {
        Some(k) if b.get(k + 1).is_some_and(u8::is_ascii_digit) => Ok(()),
        _ => Err(Error::EINVAL),
    }
}

/// The key zmq_unbind/zmq_disconnect look up for `uri` among the
/// endpoints for which `known` is true: the text as given if known, else
/// (for tcp) its resolution as a connect address, else as a bind address.
/// This is how `tcp://localhost:5555` unbinds `tcp://127.0.0.1:5555`, and
/// `tcp://127.0.0.1:5555` unbinds `tcp://[::ffff:127.0.0.1]:5555`, while
/// `tcp://*:5555` never matches (a connect address cannot be `*`).
pub fn term_endpoint_key(uri: &str, ipv6: bool, known: impl Fn(&str) -> bool) -> String {
    let Some(path) = uri.strip_prefix("tcp://") else {
        return uri.to_string();
    };
    if known(uri) {
        return uri.to_string();
    }
    let Ok(remote) = resolve(path, false, ipv6) else {
        return uri.to_string();
    };
    let key = endpoint_string(&remote.addr);
    if known(&key) {
        return key;
    }
    match resolve(path, true, ipv6) {
        Ok(local) => endpoint_string(&local.addr),
        Err(_) => key,
    }
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;

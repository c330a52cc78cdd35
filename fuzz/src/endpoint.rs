//! Endpoint and address text: `proto://address` splitting, tcp bind and
//! connect addresses (never DNS: connect addresses resolve as literals
//! only), ipc paths, accept filters, and glibc's own readers and writers
//! as the reference for ours (`inet_aton` via `getaddrinfo`, `inet_ntop`,
//! `atoi`).
//!
//! Input: octet 0 picks ZMQ_IPV6 and what else to read; the rest is the
//! text (not UTF-8: skipped, as zmq_bind's C string would be refused).

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use zmq::socket::inproc::parse_endpoint;
use zmq::error::Error;
use zmq::transport::tcp::accept_filter::AcceptFilter;
use zmq::transport::ip_text;
use zmq::transport::ipc::address::{self as ipc_address, IpcAddress};
use zmq::transport::tcp::address::{self as tcp_address, ResolveOpts};
use zmq::transport::udp::address as udp_address;

pub fn endpoint(data: &[u8]) {
    let [sel, raw @ ..] = data else { return };
    let ipv6 = sel & 1 != 0;
    if sel & 2 != 0 && raw.len() >= 16 {
        // 16 octets as an address to print.
        let a: [u8; 16] = raw[..16].try_into().unwrap_or([0; 16]);
        format_v6(&Ipv6Addr::from(a));
    }
    let Ok(text) = std::str::from_utf8(raw) else { return };
    uri(text, ipv6);
    host_literals(text, ipv6);
    let _ = AcceptFilter::parse(text, ipv6).map(|f| {
        assert!(f.bits <= if f.network.is_ipv6() { 128 } else { 32 });
        let peer = SocketAddr::new(f.network, 1);
        assert!(f.matches(&peer), "a filter must match its own network");
    });
}

/// A whole endpoint as zmq_bind / zmq_connect split and read it.
fn uri(text: &str, ipv6: bool) {
    let Ok((proto, rest)) = parse_endpoint(text) else { return };
    assert!(!proto.is_empty() && !rest.is_empty());
    match proto {
        "tcp" => tcp(rest, ipv6),
        "ipc" => ipc(rest),
        "udp" => udp(rest, ipv6),
        // ws, wss, tipc, vmci, norm, pgm, epgm: refused by protocol for
        // now; their address readers get their cases here when they land.
        _ => {}
    }
}

/// udp as a DISH binds it (a connect may ask DNS: not here). What is
/// reported is the text as given; the parts are consistent.
fn udp(rest: &str, ipv6: bool) {
    let Ok(a) = udp_address::resolve(rest, true, ipv6) else { return };
    assert_eq!(a.text, rest);
    assert_eq!(a.local.is_ipv6(), a.target.is_ipv6(), "{rest}: {a:?}");
    assert_eq!(a.local.port(), a.target.port(), "{rest}: {a:?}");
    assert_eq!(a.multicast, a.target.ip().is_multicast());
    if !ipv6 {
        assert!(a.target.is_ipv4(), "{rest} resolved as {a:?} without ZMQ_IPV6");
    }
    if a.multicast && ipv6 {
        assert!(a.interface.is_some(), "IPv6 groups need an interface index");
    }
    if !a.multicast && !rest.contains(';') {
        assert_eq!(a.local, a.target, "a unicast bind is its own address");
    }
}

fn tcp(rest: &str, ipv6: bool) {
    let _ = tcp_address::check_connect_syntax(rest);
    // Bind: literals, `*`, interface names; ENODEV/EINVAL otherwise.
    match tcp_address::resolve_bind(rest, ipv6) {
        Ok(a) => {
            if !ipv6 {
                assert!(a.addr.is_ipv4(), "{rest} bound as {a:?} without ZMQ_IPV6");
            }
            // The text we report must resolve to the same address.
            let text = tcp_address::endpoint_string(&a.addr);
            let again = tcp_address::resolve_bind(text.strip_prefix("tcp://").unwrap_or(""), ipv6);
            if let (Ok(b), SocketAddr::V4(_)) = (again, a.addr) {
                assert_eq!(b.addr, a.addr, "{text}");
            }
        }
        Err(e) => assert!(matches!(e, Error::EINVAL | Error::ENODEV) || e.0 == libc::ENODEV, "{e:?}"),
    }
    // Connect, as the connecter would, without DNS.
    let (source, dest) = match rest.rfind(';') {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    let lit = ResolveOpts { bindable: false, allow_dns: false, allow_nic: false, ipv6, expect_port: true };
    if let Some(src) = source {
        let o = ResolveOpts { bindable: true, allow_nic: true, ..lit };
        let _ = tcp_address::resolve_ip(src, o);
    }
    if let Ok(a) = tcp_address::resolve_ip(dest, lit) {
        if !ipv6 {
            assert!(a.is_ipv4());
        }
        let _ = tcp_address::endpoint_string(&a);
    }
}

fn ipc(rest: &str) {
    match IpcAddress::resolve(rest) {
        Ok(a) => {
            assert!(rest.len() < 108 && rest != "@");
            assert_eq!(a.endpoint_string(), format!("ipc://{rest}"));
            // A path with a NUL cannot be a socket address; otherwise the
            // address must round-trip to the same endpoint text.
            if let Ok(sa) = a.sockaddr() {
                if !rest.contains('\0') && !a.is_abstract() {
                    assert_eq!(ipc_address::endpoint_from_sockaddr(&sa), Some(a.endpoint_string()));
                }
            }
            let _ = ipc_address::is_wildcard(rest);
        }
        Err(e) => assert!(e.0 == libc::ENAMETOOLONG || e == Error::EINVAL),
    }
}

/// Our readers of numeric hosts against glibc's `getaddrinfo` with
/// AI_NUMERICHOST (what libzmq calls), and `atoi` against glibc's.
fn host_literals(text: &str, ipv6: bool) {
    let Ok(c) = CString::new(text) else { return };
    // SAFETY: `c` is a valid NUL-terminated string.
    let theirs = unsafe { libc::atoi(c.as_ptr()) };
    assert_eq!(ip_text::atoi(text), theirs, "atoi({text:?})");
    if text.contains('%') {
        return; // scope ids are split off before these readers
    }
    let ours = ip_text::parse_numeric_host(text, ipv6);
    let theirs = getaddrinfo_numeric(&c, ipv6);
    assert_eq!(ours, theirs, "numeric host {text:?} (ipv6 {ipv6})");
    assert_eq!(ip_text::parse_ipv4_aton(text), getaddrinfo_numeric(&c, false).map(|a| match a {
        IpAddr::V4(a) => a,
        IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
    }));
}

extern "C" {
    // Not in the libc crate; glibc's, declared as in <arpa/inet.h>.
    fn inet_ntop(af: libc::c_int, src: *const libc::c_void, dst: *mut libc::c_char, size: libc::socklen_t) -> *const libc::c_char;
}

fn getaddrinfo_numeric(host: &CStr, ipv6: bool) -> Option<IpAddr> {
    // SAFETY: an all-zero addrinfo is a valid hints value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = if ipv6 { libc::AF_INET6 } else { libc::AF_INET };
    hints.ai_socktype = libc::SOCK_STREAM;
    hints.ai_flags = libc::AI_NUMERICHOST | if ipv6 { libc::AI_V4MAPPED } else { 0 };
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid string and hints; `res` is freed below.
    let rc = unsafe { libc::getaddrinfo(host.as_ptr(), std::ptr::null(), &hints, &mut res) };
    if rc != 0 || res.is_null() {
        return None;
    }
    // SAFETY: getaddrinfo succeeded: `res` is a valid list whose first
    // entry's address is of the family asked for.
    let ip = unsafe {
        let ai = &*res;
        let ip = match ai.ai_family {
            libc::AF_INET => {
                let sa = &*(ai.ai_addr as *const libc::sockaddr_in);
                Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(sa.sin_addr.s_addr))))
            }
            libc::AF_INET6 => {
                let sa = &*(ai.ai_addr as *const libc::sockaddr_in6);
                Some(IpAddr::V6(Ipv6Addr::from(sa.sin6_addr.s6_addr)))
            }
            _ => None,
        };
        libc::freeaddrinfo(res);
        ip
    };
    ip
}

/// `format_ipv6` against glibc's `inet_ntop`.
fn format_v6(a: &Ipv6Addr) {
    let mut buf = [0 as libc::c_char; 64];
    let octets = a.octets();
    // SAFETY: `octets` is an in6_addr's 16 octets; `buf` holds 64.
    let p = unsafe { inet_ntop(libc::AF_INET6, octets.as_ptr().cast(), buf.as_mut_ptr(), buf.len() as u32) };
    assert!(!p.is_null());
    // SAFETY: inet_ntop wrote a NUL-terminated string into `buf`.
    let theirs = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap_or_default().to_owned();
    assert_eq!(ip_text::format_ipv6(a), theirs);
}

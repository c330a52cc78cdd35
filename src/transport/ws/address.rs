//! `ws://` and `wss://` endpoints: what zmq_bind and zmq_connect accept,
//! what the HTTP request carries, and the text libzmq reports
//! (ZMQ_LAST_ENDPOINT, monitor events). Every errno is libzmq 4.3.4's for
//! the same input.
//!
//! libzmq's `ws_address_t::resolve` splits the address part
//! (`host:port/path`) twice, each time at the *last* separator:
//! * the host, for the `Host:` header, is everything before the last `:`
//!   (no port: `127.0.0.1`, `[::1]`, `example.com`, even `*`);
//! * the path is everything from the last `/` (`/` when there is none),
//!   so `ws://h:1/a/b` has path `/b`;
//! * what is left before that `/` is resolved like a tcp address (last
//!   `:` then port, with C's `atoi`, so `5555/a` is port 5555), except that
//!   the host part is cut at its first `/`.
//!
//! Binding resolves as tcp binds (no DNS, interface names, `*`), and the
//! listener then binds what tcp makes of the text before the last `/`.
//! zmq_connect resolves at once, with DNS (a failure is EINVAL, as is a
//! `*` port); the connecter later dials the whole address text with tcp's
//! rules, as libzmq's ws_connecter does. zmq_unbind and zmq_disconnect
//! match the endpoint text as given (no resolution, unlike tcp).

use crate::error::{Error, Result};
use crate::transport::tcp::address::{
    endpoint_string as tcp_endpoint, resolve_bind, resolve_ip, ResolveOpts, TcpAddress,
};
use std::net::SocketAddr;

/// Plain or over TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Ws,
    Wss,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Ws => "ws",
            Scheme::Wss => "wss",
        }
    }
}

/// A resolved ws address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsAddress {
    /// The `Host:` header's value: the text before the last `:`.
    pub host: String,
    /// The request target: from the last `/`, or `/`.
    pub path: String,
    /// What the host and port resolved to.
    pub addr: SocketAddr,
}

/// The `Host:` header value and the request target of an address part,
/// split as libzmq splits them, without resolving anything (what a
/// connecter needs for its request). EINVAL without a colon.
pub fn host_and_path(address: &str) -> Result<(&str, &str)> {
    let colon = address.rfind(':').ok_or(Error::EINVAL)?;
    let path = address.rfind('/').map_or("/", |i| &address[i..]);
    Ok((&address[..colon], path))
}

/// libzmq's `ws_address_t::resolve`; `local` selects bind rules.
fn resolve(address: &str, local: bool, ipv6: bool) -> Result<WsAddress> {
    let (host_header, path) = host_and_path(address)?;
    let rest = address.rfind('/').map_or(address, |i| &address[..i]);
    // libzmq's resolver with `allow_path`: port after the last colon, and
    // the host cut at its first slash.
    let port_at = rest.rfind(':').ok_or(Error::EINVAL)?;
    let host = &rest[..port_at];
    let host = host.find('/').map_or(host, |i| &host[..i]);
    let opts = ResolveOpts {
        bindable: local,
        allow_dns: !local,
        allow_nic: local,
        ipv6,
        expect_port: true,
    };
    let addr = resolve_ip(&format!("{host}:{}", &rest[port_at + 1..]), opts)?;
    Ok(WsAddress {
        host: host_header.to_owned(),
        path: path.to_owned(),
        addr,
    })
}

/// A bind endpoint's address part, checked as libzmq checks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsBind {
    /// The path ZMQ_LAST_ENDPOINT ends with.
    pub path: String,
    /// What the listening socket binds: tcp's reading of the text before
    /// the last `/`.
    pub tcp: TcpAddress,
}

/// Resolves a bind address (`*:*/path`, `127.0.0.1:5555`, `eth0:*`...), or
/// gives zmq_bind's errno (EINVAL for a missing or bad port, ENODEV for a
/// host that is neither an address nor an interface).
pub fn resolve_for_bind(address: &str, ipv6: bool) -> Result<WsBind> {
    let ws = resolve(address, true, ipv6)?;
    let host_part = address.rfind('/').map_or(address, |i| &address[..i]);
    Ok(WsBind {
        path: ws.path,
        tcp: resolve_bind(host_part, ipv6)?,
    })
}

/// Resolves a connect address as zmq_connect does before returning (DNS
/// allowed), or gives its errno: EINVAL for anything that does not
/// resolve, a `*` or missing port.
pub fn resolve_for_connect(address: &str, ipv6: bool) -> Result<WsAddress> {
    resolve(address, false, ipv6)
}

/// The endpoint text libzmq reports for a listening socket bound at
/// `local` with `path`: `ws://0.0.0.0:41234/path`, `wss://[::1]:5555/`.
pub fn endpoint_string(scheme: Scheme, local: &SocketAddr, path: &str) -> String {
    let tcp = tcp_endpoint(local);
    let hostport = tcp.strip_prefix("tcp://").unwrap_or(&tcp);
    format!("{}://{hostport}{path}", scheme.name())
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;

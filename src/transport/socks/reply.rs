//! The proxy's reply to CONNECT (RFC 1928 section 6), judged as libzmq
//! judges it: each header octet is checked as soon as it is there, and the
//! reply is read in the pieces libzmq reads it in (five octets, then the
//! rest of the bound address), never past its end: what follows is the
//! peer's first ZMTP octets.

use super::target::{ATYP_DOMAIN, ATYP_IPV4, ATYP_IPV6};
use crate::error::{Error, Result};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

/// The longest reply: a 255-octet bound name.
pub const MAX_REPLY: usize = 4 + 1 + 255 + 2;

/// The highest reply code RFC 1928 defines; libzmq refuses any above at
/// once.
const LAST_CODE: u8 = 0x08;

/// The address the proxy says it connected from (BND.ADDR, BND.PORT).
/// libzmq ignores it; it is parsed so that every address type is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    V4(SocketAddrV4),
    V6(SocketAddrV6),
    Domain(Vec<u8>, u16),
}

/// A whole reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// REP: 0 succeeded; 1 to 8 are the RFC's failures.
    pub code: u8,
    pub bound: Bound,
    /// Its length in octets: what follows in the input is not the reply's.
    pub len: usize,
}

/// How far the octets read so far go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A valid start: read at most this many more octets (never 0).
    Need(usize),
    Complete(Reply),
}

/// Judges the start of a reply. `Err(EPROTO)`: a version other than 5, a
/// code above 8, a reserved octet other than 0, or an unknown address
/// type, whatever follows.
pub fn parse_reply(buf: &[u8]) -> Result<Progress> {
    let bad = |i: usize, ok: fn(u8) -> bool| buf.get(i).is_some_and(|&b| !ok(b));
    if bad(0, |v| v == 0x05)
        || bad(1, |c| c <= LAST_CODE)
        || bad(2, |r| r == 0)
        || bad(3, |t| matches!(t, ATYP_IPV4 | ATYP_DOMAIN | ATYP_IPV6))
    {
        return Err(Error::EPROTO);
    }
    if buf.len() < 5 {
        return Ok(Progress::Need(5 - buf.len()));
    }
    let total = match buf[3] {
        ATYP_IPV4 => 4 + 4 + 2,
        ATYP_IPV6 => 4 + 16 + 2,
        _ => 4 + 1 + usize::from(buf[4]) + 2,
    };
    if buf.len() < total {
        return Ok(Progress::Need(total - buf.len()));
    }
    let port = u16::from_be_bytes([buf[total - 2], buf[total - 1]]);
    let addr = &buf[4..total - 2];
    let bound = match buf[3] {
        ATYP_IPV4 => {
            let a: [u8; 4] = addr.try_into().map_err(|_| Error::EPROTO)?;
            Bound::V4(SocketAddrV4::new(Ipv4Addr::from(a), port))
        }
        ATYP_IPV6 => {
            let a: [u8; 16] = addr.try_into().map_err(|_| Error::EPROTO)?;
            Bound::V6(SocketAddrV6::new(Ipv6Addr::from(a), port, 0, 0))
        }
        _ => Bound::Domain(addr[1..].to_vec(), port),
    };
    Ok(Progress::Complete(Reply {
        code: buf[1],
        bound,
        len: total,
    }))
}

/// The errno a failure code stands for (libzmq only retries, whatever the
/// code; ours is what ZMQ_RECONNECT_STOP_CONN_REFUSED would look at, and
/// proxied connects do not look).
pub fn code_errno(code: u8) -> Error {
    match code {
        0x02 => Error::EACCES,
        0x03 => Error::ENETUNREACH,
        0x04 => Error::EHOSTUNREACH,
        0x05 => Error::ECONNREFUSED,
        0x06 => Error::ETIMEDOUT,
        0x07 => Error(libc::EOPNOTSUPP),
        0x08 => Error::EAFNOSUPPORT,
        _ => Error::ECONNABORTED,
    }
}

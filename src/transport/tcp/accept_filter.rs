//! ZMQ_TCP_ACCEPT_FILTER (deprecated but still honoured): a tcp listener
//! closes accepted connections whose peer matches none of the
//! `address[/bits]` filters. The endpoint's `TcpConfig` keeps the raw
//! strings; they are read here with the rules of libzmq's
//! `tcp_address_mask_t`.

use super::address::{resolve_ip, ResolveOpts};
use crate::error::{Error, Result};
use crate::transport::ip_text::atoi;
use std::net::{IpAddr, SocketAddr};

/// One network: an address and how many leading bits must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcceptFilter {
    pub network: IpAddr,
    pub bits: u32,
}

impl AcceptFilter {
    /// Reads `addr`, `addr/bits`; with ZMQ_IPV6 an IPv4 address becomes
    /// IPv4-mapped (and `bits` then counts from the start of the IPv6 form,
    /// as in libzmq). Bad text, an empty or out-of-range mask: EINVAL.
    pub fn parse(text: &str, ipv6: bool) -> Result<AcceptFilter> {
        let (addr, mask) = match text.rfind('/') {
            Some(i) => (&text[..i], Some(&text[i + 1..])),
            None => (text, None),
        };
        if mask == Some("") {
            return Err(Error::EINVAL);
        }
        let o = ResolveOpts {
            bindable: false,
            allow_dns: false,
            allow_nic: false,
            ipv6,
            expect_port: false,
        };
        let network = resolve_ip(addr, o)?.ip();
        let full = if network.is_ipv6() { 128 } else { 32 };
        let bits = match mask {
            None => full,
            Some("0") => 0,
            // strtol: leading digits count, anything else reads as 0.
            Some(m) => match atoi(m) {
                b if b < 1 || b as u32 > full => return Err(Error::EINVAL),
                b => b as u32,
            },
        };
        Ok(AcceptFilter { network, bits })
    }

    /// Whether a peer address falls in this network; never across families
    /// (an IPv4 peer on a dual-stack listener shows up as IPv4-mapped IPv6).
    pub fn matches(&self, peer: &SocketAddr) -> bool {
        let (ours, theirs): (Vec<u8>, Vec<u8>) = match (self.network, peer.ip()) {
            (IpAddr::V4(a), IpAddr::V4(b)) => (a.octets().to_vec(), b.octets().to_vec()),
            (IpAddr::V6(a), IpAddr::V6(b)) => (a.octets().to_vec(), b.octets().to_vec()),
            _ => return false,
        };
        let bits = self.bits as usize;
        let full = bits / 8;
        if ours[..full] != theirs[..full] {
            return false;
        }
        let rest = bits % 8;
        if rest == 0 {
            return true;
        }
        let m = 0xffu8 << (8 - rest);
        ours[full] & m == theirs[full] & m
    }
}

/// Whether a tcp listener keeps a connection from `peer` under the raw
/// ZMQ_TCP_ACCEPT_FILTER strings: yes with no filters, else if any matches.
/// A filter that no longer parses (ZMQ_IPV6 changed after it was set)
/// matches nothing rather than vanishing, so filtering stays closed.
pub fn accept_allowed(filters: &[Vec<u8>], ipv6: bool, peer: &SocketAddr) -> bool {
    if filters.is_empty() {
        return true;
    }
    filters.iter().any(|f| {
        std::str::from_utf8(f)
            .ok()
            .and_then(|s| AcceptFilter::parse(s, ipv6).ok())
            .is_some_and(|flt| flt.matches(peer))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_like_tcp_address_mask() {
        let f = AcceptFilter::parse("127.0.0.1", false).unwrap();
        assert_eq!(
            f,
            AcceptFilter {
                network: "127.0.0.1".parse().unwrap(),
                bits: 32
            }
        );
        assert_eq!(AcceptFilter::parse("10.0.0.0/8", false).unwrap().bits, 8);
        assert_eq!(AcceptFilter::parse("10.0.0.0/0", false).unwrap().bits, 0);
        assert_eq!(AcceptFilter::parse("10.0.0.0/8x", false).unwrap().bits, 8);
        assert_eq!(AcceptFilter::parse("::1", true).unwrap().bits, 128);
        let f = AcceptFilter::parse("127.0.0.1", true).unwrap();
        assert_eq!(f.network, "::ffff:127.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(f.bits, 128);
        for bad in [
            "10.0.0.0/",
            "10.0.0.0/33",
            "10.0.0.0/00",
            "10.0.0.0/abc",
            "10.0.0.0/-1",
            "localhost",
            "*",
            "",
        ] {
            assert_eq!(
                AcceptFilter::parse(bad, false),
                Err(Error::EINVAL),
                "{bad:?}"
            );
        }
        assert_eq!(AcceptFilter::parse("::1", false), Err(Error::EINVAL));
        assert_eq!(AcceptFilter::parse("::1/129", true), Err(Error::EINVAL));
        assert_eq!(AcceptFilter::parse("[::1]/64", true).unwrap().bits, 64);
    }

    #[test]
    fn matches_by_prefix_and_family() {
        let f = AcceptFilter::parse("192.168.1.0/23", false).unwrap();
        assert!(f.matches(&sa("192.168.0.7:1")));
        assert!(f.matches(&sa("192.168.1.255:1")));
        assert!(!f.matches(&sa("192.168.2.1:1")));
        assert!(!f.matches(&sa("[::ffff:192.168.1.1]:1")));
        let any = AcceptFilter::parse("1.2.3.4/0", false).unwrap();
        assert!(any.matches(&sa("9.9.9.9:1")));
        assert!(!any.matches(&sa("[::1]:1")));
        let f = AcceptFilter::parse("127.0.0.1", true).unwrap();
        assert!(f.matches(&sa("[::ffff:127.0.0.1]:1")));
        assert!(!f.matches(&sa("127.0.0.1:1")));
    }

    #[test]
    fn filter_lists() {
        let peer = sa("127.0.0.1:9");
        assert!(accept_allowed(&[], false, &peer));
        assert!(accept_allowed(
            &[b"10.0.0.1".to_vec(), b"127.0.0.0/8".to_vec()],
            false,
            &peer
        ));
        assert!(!accept_allowed(&[b"10.0.0.1".to_vec()], false, &peer));
        assert!(!accept_allowed(&[b"::1".to_vec()], false, &peer));
        assert!(!accept_allowed(&[vec![0xff, 0xfe]], false, &peer));
    }
}

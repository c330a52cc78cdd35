//! IP addresses and ports as text, read and written the way glibc does for
//! libzmq: `atoi` for ports, `getaddrinfo(AI_NUMERICHOST)` for literals and
//! `getnameinfo(NI_NUMERICHOST)` for the strings users see in
//! ZMQ_LAST_ENDPOINT, monitor events and `Peer-Address`. Rust's own parsers
//! and `Display` differ in corners (`127.1`, `::1.2.3.4`), and those corners
//! decide whether an endpoint string matches the one libzmq would produce.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// C `atoi`: leading blanks, a sign, digits, junk ignored; the `long` result
/// saturates and is then truncated to `int`. libzmq reads ports and zone
/// ids this way, so `70000` means 4464 and `12x` means 12.
pub fn atoi(s: &str) -> i32 {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    // strtol's `long`, saturating on overflow.
    let mut v: i64 = 0;
    while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
        let d = i64::from(d - b'0');
        v = if neg {
            v.checked_mul(10)
                .and_then(|x| x.checked_sub(d))
                .unwrap_or(i64::MIN)
        } else {
            v.checked_mul(10)
                .and_then(|x| x.checked_add(d))
                .unwrap_or(i64::MAX)
        };
        i += 1;
    }
    v as i32
}

/// A port as libzmq's resolver reads it after `uint16_t` truncation: 0 means
/// "not a port" unless the text is exactly `0` (the caller checks that).
pub fn atoi_port(s: &str) -> u16 {
    atoi(s) as u16
}

/// glibc's `inet_aton` in its exact form, which `getaddrinfo` uses for
/// numeric IPv4 hosts: one to four parts, each decimal, octal (`0` prefix)
/// or hex (`0x`), the last part filling the remaining octets.
pub fn parse_ipv4_aton(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    let mut parts: [u32; 3] = [0; 3];
    let mut nparts = 0;
    let mut i = 0;
    let last = loop {
        if !b.get(i)?.is_ascii_digit() {
            return None;
        }
        let (mut base, mut val, mut digit) = (10u32, 0u64, false);
        if b[i] == b'0' {
            i += 1;
            if matches!(b.get(i), Some(b'x' | b'X')) {
                base = 16;
                i += 1;
            } else {
                base = 8;
                digit = true;
            }
        }
        while let Some(&c) = b.get(i) {
            let d = match c {
                b'0'..=b'9' if base != 8 || c < b'8' => u64::from(c - b'0'),
                b'a'..=b'f' if base == 16 => u64::from(c - b'a' + 10),
                b'A'..=b'F' if base == 16 => u64::from(c - b'A' + 10),
                _ => break,
            };
            val = val * u64::from(base) + d;
            if val > 0xffff_ffff {
                return None;
            }
            digit = true;
            i += 1;
        }
        if !digit {
            return None;
        }
        match b.get(i) {
            Some(b'.') => {
                if nparts == 3 || val > 0xff {
                    return None;
                }
                parts[nparts] = val as u32;
                nparts += 1;
                i += 1;
            }
            None => break val as u32,
            Some(_) => return None,
        }
    };
    let room = 32 - 8 * nparts as u32;
    if room < 32 && last >> room != 0 {
        return None;
    }
    let mut v = last;
    for (k, p) in parts[..nparts].iter().enumerate() {
        v |= p << (24 - 8 * k as u32);
    }
    Some(Ipv4Addr::from(v))
}

/// A numeric host as `getaddrinfo(AI_NUMERICHOST)` reads it for libzmq:
/// IPv4 only without ZMQ_IPV6; with it, IPv6 literals and IPv4 literals
/// mapped into IPv6 (AI_V4MAPPED), because the socket will be AF_INET6.
pub fn parse_numeric_host(s: &str, ipv6: bool) -> Option<IpAddr> {
    if !ipv6 {
        return parse_ipv4_aton(s).map(IpAddr::V4);
    }
    if let Ok(a) = s.parse::<Ipv6Addr>() {
        return Some(IpAddr::V6(a));
    }
    parse_ipv4_aton(s).map(|a| IpAddr::V6(a.to_ipv6_mapped()))
}

/// `inet_ntop(AF_INET6)` as glibc writes it: the first longest run of two or
/// more zero groups becomes `::`; a dotted IPv4 tail only for `::a.b.c.d`
/// and `::ffff:a.b.c.d`.
pub fn format_ipv6(a: &Ipv6Addr) -> String {
    let w = a.segments();
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut out = String::with_capacity(40);
    let mut i = 0;
    while i < 8 {
        if i == best {
            if i == 0 {
                out.push(':');
            }
            out.push(':');
            i += best_len;
            continue;
        }
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let o = a.octets();
            out.push_str(&format!("{}.{}.{}.{}", o[12], o[13], o[14], o[15]));
            break;
        }
        out.push_str(&format!("{:x}", w[i]));
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

/// The host part as `getnameinfo(NI_NUMERICHOST)` writes it: a scope id
/// follows as `%name` for link-local addresses when the interface exists,
/// otherwise as `%number`.
pub fn format_host(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => {
            let mut s = format_ipv6(a.ip());
            if a.scope_id() != 0 {
                let seg0 = a.ip().segments()[0];
                let link_local = seg0 & 0xffc0 == 0xfe80 || seg0 & 0xff0f == 0xff02;
                let name = if link_local {
                    super::nic::interface_name(a.scope_id())
                } else {
                    None
                };
                s.push('%');
                s.push_str(&name.unwrap_or_else(|| a.scope_id().to_string()));
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_matches_c() {
        for (s, v) in [
            ("5555", 5555),
            (" 12", 12),
            ("+7", 7),
            ("-1", -1),
            ("12x", 12),
            ("x12", 0),
            ("", 0),
            ("99999999999999999999", -1),
            ("-99999999999999999999", 0),
        ] {
            assert_eq!(atoi(s), v, "{s:?}");
        }
        assert_eq!(atoi_port("70000"), 4464);
        assert_eq!(atoi_port("65536"), 0);
        assert_eq!(atoi_port("-1"), 65535);
    }

    /// Expected values from glibc getaddrinfo(AI_NUMERICHOST), via python3.
    #[test]
    fn ipv4_literals_as_glibc() {
        let ok = [
            ("127.0.0.1", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("0x7f.1", "127.0.0.1"),
            ("017.0.0.1", "15.0.0.1"),
            ("1", "0.0.0.1"),
            ("4294967295", "255.255.255.255"),
            ("0x7f000001", "127.0.0.1"),
            ("1.2.65535", "1.2.255.255"),
            ("0", "0.0.0.0"),
        ];
        for (s, want) in ok {
            assert_eq!(
                parse_ipv4_aton(s).map(|a| a.to_string()).as_deref(),
                Some(want),
                "{s:?}"
            );
        }
        for s in [
            "127.0.0.1 ",
            "1.2.3.4.5",
            "256.1.1.1",
            "4294967296",
            "1.2.65536",
            "08.1.1.1",
            "0x.1.1.1",
            "",
            "127.0.0.1x",
            "1.2.3.",
            "1..2",
            "+1.2.3.4",
            " 1.2.3.4",
            "*",
            "::1",
            "0x",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_ipv4_aton(s), None, "{s:?}");
        }
    }

    #[test]
    fn numeric_hosts_map_ipv4_into_ipv6_when_asked() {
        assert_eq!(parse_numeric_host("::1", false), None);
        assert_eq!(
            parse_numeric_host("127.1", true).unwrap().to_string(),
            "::ffff:127.0.0.1"
        );
        assert_eq!(parse_numeric_host("::1", true).unwrap().to_string(), "::1");
        assert_eq!(parse_numeric_host("localhost", true), None);
    }

    /// Expected values from glibc inet_ntop, via python3.
    #[test]
    fn ipv6_text_as_glibc() {
        for (s, want) in [
            ("::1.2.3.4", "::1.2.3.4"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
            ("0:0:0:0:0:1:0:0", "::1:0:0"),
            ("fe80::1", "fe80::1"),
            ("::ffff:0:1.2.3.4", "::ffff:0:102:304"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("::2", "::2"),
            ("::0.0.1.0", "::100"),
            ("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        ] {
            assert_eq!(format_ipv6(&s.parse().unwrap()), want, "{s}");
        }
    }

    #[test]
    fn scope_ids_follow_getnameinfo() {
        let lo = super::super::nic::interface_index("lo");
        let a = SocketAddr::V6(std::net::SocketAddrV6::new(
            "fe80::1".parse().unwrap(),
            5,
            0,
            lo,
        ));
        assert_eq!(format_host(&a), "fe80::1%lo");
        let a: SocketAddr = "[2001:db8::1%1]:5".parse().unwrap();
        assert_eq!(format_host(&a), "2001:db8::1%1");
        let a: SocketAddr = "[fe80::1%4000000]:5".parse().unwrap();
        assert_eq!(format_host(&a), "fe80::1%4000000");
    }
}

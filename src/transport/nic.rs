//! Network interface lookups: libzmq accepts interface names where a bind
//! (or connect source) address is expected (`tcp://eth0:5555`), and
//! interface names or numbers as IPv6 zone ids (`fe80::1%eth0`).

use crate::error::{Error, Result};
use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The first address of the given family (IPv6 when `ipv6`) on the named
/// interface, as `getifaddrs` lists them. `Ok(None)` when there is no such
/// interface or it has no address of that family: libzmq then tries the
/// name as a literal and reports ENODEV if that fails too.
pub(crate) fn interface_address(name: &str, ipv6: bool) -> Result<Option<IpAddr>> {
    let want = if ipv6 { libc::AF_INET6 } else { libc::AF_INET };
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we own into `list` on success.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        let e = Error::last_os();
        // Kernels without netlink support (WSL1) answer EINVAL/EOPNOTSUPP.
        if e.0 == libc::EINVAL || e.0 == libc::EOPNOTSUPP {
            return Ok(None);
        }
        return Err(e);
    }
    let mut found = None;
    let mut p = list;
    while !p.is_null() {
        // SAFETY: `p` is a node of the list getifaddrs returned, not yet freed.
        let ifa = unsafe { &*p };
        p = ifa.ifa_next;
        if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: non-null ifa_addr points to a sockaddr at least as long as
        // its family requires; ifa_name is a NUL-terminated string.
        let (family, ifname) = unsafe {
            (
                i32::from((*ifa.ifa_addr).sa_family),
                CStr::from_ptr(ifa.ifa_name),
            )
        };
        if family != want || ifname.to_bytes() != name.as_bytes() {
            continue;
        }
        found = Some(if ipv6 {
            // SAFETY: the family is AF_INET6, so this is a sockaddr_in6.
            let sa = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
            IpAddr::V6(Ipv6Addr::from(sa.sin6_addr.s6_addr))
        } else {
            // SAFETY: the family is AF_INET, so this is a sockaddr_in.
            let sa = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
            IpAddr::V4(Ipv4Addr::from(u32::from_be(sa.sin_addr.s_addr)))
        });
        break;
    }
    // SAFETY: `list` came from a successful getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(list) };
    Ok(found)
}

/// The index of the named interface, 0 if there is none (as
/// `if_nametoindex`, which libzmq uses for zone ids).
pub(crate) fn interface_index(name: &str) -> u32 {
    let Ok(c) = CString::new(name) else { return 0 };
    // SAFETY: `c` is a valid NUL-terminated string for the call's duration.
    unsafe { libc::if_nametoindex(c.as_ptr()) }
}

/// The name of the interface with this index, if it exists.
pub(crate) fn interface_name(index: u32) -> Option<String> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: `buf` has the IF_NAMESIZE bytes if_indextoname may write.
    let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: on success `buf` holds a NUL-terminated name.
    let s = unsafe { CStr::from_ptr(buf.as_ptr()) };
    Some(s.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_interface_resolves() {
        let v4 = interface_address("lo", false).unwrap();
        assert_eq!(v4, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(interface_address("no-such-if0", false).unwrap(), None);
        assert_eq!(interface_address("", true).unwrap(), None);
        let i = interface_index("lo");
        assert!(i > 0);
        assert_eq!(interface_name(i).as_deref(), Some("lo"));
        assert_eq!(interface_index("no-such-if0"), 0);
        assert_eq!(interface_index("l\0o"), 0);
        assert_eq!(interface_name(0x7fff_fff0), None);
    }
}

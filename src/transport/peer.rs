//! What a connected socket says about its ends: endpoint strings for
//! monitor events, the `Peer-Address` metadata, and the credentials of an
//! ipc peer (for `Peer-Address` and the ZMQ_IPC_FILTER_* checks). Also the
//! few integer socket options socket2 does not cover.

use super::ip_text::format_host;
use super::ipc::address as ipc_address;
use super::tcp::address as tcp_address;
use crate::error::{Error, Result};
use socket2::{SockAddr, Socket};
use std::os::fd::AsRawFd;

/// Which end of a socket to name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    Local,
    Remote,
}

/// The endpoint text of one end (`tcp://127.0.0.1:5555`, `ipc:///tmp/x`),
/// or "" if the socket cannot say, as libzmq's `get_socket_name`.
pub(crate) fn socket_name(sock: &Socket, end: End) -> String {
    let addr = match end {
        End::Local => sock.local_addr(),
        End::Remote => sock.peer_addr(),
    };
    addr.ok()
        .and_then(|a| sockaddr_endpoint(&a))
        .unwrap_or_default()
}

/// The endpoint text of a tcp or ipc socket address.
pub(crate) fn sockaddr_endpoint(addr: &SockAddr) -> Option<String> {
    match addr.as_socket() {
        Some(sa) => Some(tcp_address::endpoint_string(&sa)),
        None => ipc_address::endpoint_from_sockaddr(addr),
    }
}

/// The value of the `Peer-Address` message property: the peer's IP without
/// port for tcp (`127.0.0.1`, `::ffff:10.0.0.1`); for ipc `localhost`
/// followed by `:uid:gid:pid` of the peer process. `None` (no property)
/// when the peer is gone.
pub(crate) fn peer_address_text(sock: &Socket) -> Option<String> {
    let addr = sock.peer_addr().ok()?;
    if let Some(sa) = addr.as_socket() {
        return Some(format_host(&sa));
    }
    if addr.family() != libc::AF_UNIX as libc::sa_family_t {
        return None;
    }
    // glibc's getnameinfo(NI_NUMERICHOST) names every unix socket so.
    let mut s = String::from("localhost");
    if let Ok(c) = peer_credentials(sock) {
        s.push_str(&format!(":{}:{}:{}", c.uid, c.gid, c.pid));
    }
    Some(s)
}

/// The peer process of a unix socket, as the kernel recorded it at connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PeerCred {
    pub pid: i32,
    pub uid: u32,
    pub gid: u32,
}

/// SO_PEERCRED of a connected unix socket.
pub(crate) fn peer_credentials(sock: &Socket) -> Result<PeerCred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the sizes given.
    let rc = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(Error::last_os());
    }
    Ok(PeerCred {
        pid: cred.pid,
        uid: cred.uid,
        gid: cred.gid,
    })
}

/// Sets an `int` socket option.
pub(crate) fn set_int_option(sock: &Socket, level: i32, name: i32, value: i32) -> Result<()> {
    // SAFETY: the option value is a live c_int of the stated size.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            level,
            name,
            (&value as *const i32).cast(),
            std::mem::size_of::<i32>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(Error::last_os());
    }
    Ok(())
}

/// Reads an `int` socket option.
#[cfg(test)]
pub(crate) fn get_int_option(sock: &Socket, level: i32, name: i32) -> Result<i32> {
    let mut v: i32 = 0;
    let mut len = std::mem::size_of::<i32>() as libc::socklen_t;
    // SAFETY: `v` and `len` are valid for writes of the sizes given.
    let rc = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            level,
            name,
            (&mut v as *mut i32).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(Error::last_os());
    }
    Ok(v)
}

/// Whether the user `uid` is listed as a member of group `gid` (the
/// supplementary membership libzmq's ZMQ_IPC_FILTER_GID also accepts).
pub(crate) fn user_in_group(uid: u32, gid: u32) -> bool {
    let Some(user) = user_name(uid) else {
        return false;
    };
    let mut buf = vec![0 as libc::c_char; 4096];
    loop {
        // SAFETY: an all-zero `group` is a valid out-parameter.
        let mut grp: libc::group = unsafe { std::mem::zeroed() };
        let mut res: *mut libc::group = std::ptr::null_mut();
        // SAFETY: every pointer is valid and `buf.len()` bounds the writes.
        let rc = unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut res) };
        if rc == libc::ERANGE && buf.len() < 1 << 24 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || res.is_null() || grp.gr_mem.is_null() {
            return false;
        }
        let mut i = 0;
        loop {
            // SAFETY: gr_mem is a NULL-terminated array inside `buf`.
            let m = unsafe { *grp.gr_mem.add(i) };
            if m.is_null() {
                return false;
            }
            // SAFETY: each member is a NUL-terminated string inside `buf`.
            if unsafe { std::ffi::CStr::from_ptr(m) }.to_bytes() == user.as_slice() {
                return true;
            }
            i += 1;
        }
    }
}

fn user_name(uid: u32) -> Option<Vec<u8>> {
    let mut buf = vec![0 as libc::c_char; 4096];
    loop {
        // SAFETY: an all-zero `passwd` is a valid out-parameter.
        let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
        let mut res: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid and `buf.len()` bounds the writes.
        let rc = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut res) };
        if rc == libc::ERANGE && buf.len() < 1 << 24 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || res.is_null() || pw.pw_name.is_null() {
            return None;
        }
        // SAFETY: pw_name is a NUL-terminated string inside `buf`.
        return Some(
            unsafe { std::ffi::CStr::from_ptr(pw.pw_name) }
                .to_bytes()
                .to_vec(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_of_a_socketpair() {
        let (a, b) = Socket::pair(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap();
        let c = peer_credentials(&a).unwrap();
        // SAFETY: getuid/getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        assert_eq!(
            c,
            PeerCred {
                pid: std::process::id() as i32,
                uid,
                gid
            }
        );
        let text = peer_address_text(&b).unwrap();
        assert_eq!(
            text,
            format!("localhost:{uid}:{gid}:{}", std::process::id())
        );
        assert_eq!(socket_name(&a, End::Local), "ipc://");
    }

    #[test]
    fn group_membership() {
        // root is never listed as a supplementary member of a group that
        // does not exist.
        assert!(!user_in_group(0, 0x7fff_fff0));
        assert!(!user_in_group(0x7fff_fff0, 0));
        if let Some(user) = user_name(0) {
            assert_eq!(user, b"root");
        }
    }

    #[test]
    fn peer_of_unconnected_socket() {
        let s = Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        assert_eq!(peer_address_text(&s), None);
        assert_eq!(socket_name(&s, End::Remote), "");
        assert_eq!(socket_name(&s, End::Local), "tcp://0.0.0.0:0");
        assert!(set_int_option(&s, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1).is_ok());
        assert_eq!(
            get_int_option(&s, libc::IPPROTO_TCP, libc::TCP_NODELAY),
            Ok(1)
        );
        assert_eq!(
            set_int_option(&s, libc::SOL_SOCKET, 0x7fff, 1),
            Err(Error(libc::ENOPROTOOPT))
        );
    }
}

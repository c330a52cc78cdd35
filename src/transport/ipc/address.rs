//! `ipc://` addresses: filesystem paths, Linux abstract names (`@name`),
//! and the `*` wildcard that binds in a fresh private directory.

use crate::error::{Error, Result};
use socket2::SockAddr;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// `sizeof(sockaddr_un::sun_path)` on Linux.
const SUN_PATH_LEN: usize = 108;

/// A resolved ipc address: the text after `ipc://`, kept as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpcAddress {
    path: String,
}

impl IpcAddress {
    /// Checks an ipc path as libzmq does: too long for `sun_path` (with its
    /// NUL) is ENAMETOOLONG; a bare `@` names no abstract socket: EINVAL.
    /// Whether a filesystem path exists is only found out at bind/connect.
    pub fn resolve(path: &str) -> Result<IpcAddress> {
        if path.len() >= SUN_PATH_LEN {
            return Err(Error(libc::ENAMETOOLONG));
        }
        if path == "@" {
            return Err(Error::EINVAL);
        }
        Ok(IpcAddress {
            path: path.to_string(),
        })
    }

    /// The text after `ipc://`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether this names a socket in Linux's abstract namespace (no file).
    pub fn is_abstract(&self) -> bool {
        self.path.starts_with('@')
    }

    /// The socket address; an abstract name gets its leading NUL and no
    /// trailing one, so peers see exactly the bytes that were named.
    pub fn sockaddr(&self) -> Result<SockAddr> {
        let mut bytes = self.path.as_bytes().to_vec();
        if self.is_abstract() {
            bytes[0] = 0;
        }
        SockAddr::unix(OsStr::from_bytes(&bytes)).map_err(|_| Error(libc::ENAMETOOLONG))
    }

    /// `ipc://` + the path, as ZMQ_LAST_ENDPOINT reports it.
    pub fn endpoint_string(&self) -> String {
        format!("ipc://{}", self.path)
    }
}

/// The endpoint text of a unix socket address as libzmq writes it: `@` for
/// an abstract name, the path up to its NUL, and `ipc://` alone for an
/// unnamed socket.
pub fn endpoint_from_sockaddr(addr: &SockAddr) -> Option<String> {
    if addr.family() != libc::AF_UNIX as libc::sa_family_t {
        return None;
    }
    if let Some(name) = addr.as_abstract_namespace() {
        let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
        if end == 0 {
            return Some("ipc://".to_string());
        }
        return Some(format!("ipc://@{}", String::from_utf8_lossy(&name[..end])));
    }
    let path = addr
        .as_pathname()
        .map(|p| p.as_os_str().as_bytes().to_vec())
        .unwrap_or_default();
    Some(format!("ipc://{}", String::from_utf8_lossy(&path)))
}

/// Whether an ipc bind address asks for a wildcard: libzmq treats any
/// address starting with `*` so (`ipc://*foo` too).
pub fn is_wildcard(path: &str) -> bool {
    path.starts_with('*')
}

/// Makes a private (0700) directory for a wildcard bind and returns it with
/// the socket path inside it (`<dir>/socket`). The directory goes in the
/// first of TMPDIR, TEMPDIR, TMP that names a directory, and otherwise in
/// the current directory (a relative `tmpXXXXXX/socket`), as libzmq does.
pub fn create_wildcard_dir() -> Result<(PathBuf, String)> {
    create_wildcard_dir_in(&wildcard_base())
}

/// Where libzmq puts wildcard directories: `$TMPDIR/` and so on, or "".
fn wildcard_base() -> Vec<u8> {
    ["TMPDIR", "TEMPDIR", "TMP"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|d| std::fs::metadata(d).is_ok_and(|m| m.is_dir()))
        .map(|d| {
            let mut s = d.as_bytes().to_vec();
            if s.last() != Some(&b'/') {
                s.push(b'/');
            }
            s
        })
        .unwrap_or_default()
}

/// `create_wildcard_dir` under `base` (a directory prefix ending in `/`,
/// or empty for the current directory).
pub(crate) fn create_wildcard_dir_in(base: &[u8]) -> Result<(PathBuf, String)> {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for _ in 0..100 {
        let mut rnd = [0u8; 6];
        getrandom::getrandom(&mut rnd).map_err(|_| Error(libc::EIO))?;
        let mut dir = base.to_vec();
        dir.extend_from_slice(b"tmp");
        dir.extend(rnd.iter().map(|r| CHARS[*r as usize % CHARS.len()]));
        let dir = PathBuf::from(OsStr::from_bytes(&dir));
        let mut b = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        match b.create(&dir) {
            Ok(()) => {
                let file = format!(
                    "{}/socket",
                    String::from_utf8_lossy(dir.as_os_str().as_bytes())
                );
                return Ok((dir, file));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error(libc::EEXIST))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_as_libzmq() {
        let a = IpcAddress::resolve("/tmp/x").unwrap();
        assert_eq!(a.endpoint_string(), "ipc:///tmp/x");
        assert!(!a.is_abstract());
        let a = IpcAddress::resolve(&"a".repeat(107)).unwrap();
        assert_eq!(a.path().len(), 107);
        assert!(a.sockaddr().is_ok());
        assert_eq!(
            IpcAddress::resolve(&"a".repeat(108)),
            Err(Error(libc::ENAMETOOLONG))
        );
        assert_eq!(IpcAddress::resolve("@"), Err(Error::EINVAL));
        let a = IpcAddress::resolve("@abstract-x").unwrap();
        assert!(a.is_abstract());
        let sa = a.sockaddr().unwrap();
        assert_eq!(sa.as_abstract_namespace(), Some(&b"abstract-x"[..]));
        assert_eq!(
            endpoint_from_sockaddr(&sa).as_deref(),
            Some("ipc://@abstract-x")
        );
        let sa = IpcAddress::resolve("relative").unwrap().sockaddr().unwrap();
        assert_eq!(
            endpoint_from_sockaddr(&sa).as_deref(),
            Some("ipc://relative")
        );
        let sa = SockAddr::from("127.0.0.1:1".parse::<std::net::SocketAddr>().unwrap());
        assert_eq!(endpoint_from_sockaddr(&sa), None);
    }

    #[test]
    fn wildcards() {
        assert!(is_wildcard("*"));
        assert!(is_wildcard("*foo"));
        assert!(!is_wildcard("/tmp/*"));
        let (dir, file) = create_wildcard_dir_in(b"/tmp/").unwrap();
        let meta = std::fs::metadata(&dir).unwrap();
        assert!(meta.is_dir());
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
            0o700
        );
        assert_eq!(file, format!("{}/socket", dir.display()));
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        assert!(name.starts_with("tmp") && name.len() == 9, "{name}");
        assert!(file.starts_with("/tmp/tmp"));
        std::fs::remove_dir(&dir).unwrap();
    }
}

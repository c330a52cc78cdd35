//! ipc (unix stream) sockets as libzmq sets them up: the listener with its
//! file-system side effects (a stale socket file is removed before bind; a
//! wildcard's directory is removed on close, a named file is left), the
//! accept filters on peer credentials, and the non-blocking connect.

use super::address::{self as ipc_address, IpcAddress};
use crate::error::{Error, Result};
use crate::transport::peer::{peer_credentials, user_in_group};
use socket2::{Domain, Socket, Type};
use std::os::fd::{FromRawFd, RawFd};
use std::path::PathBuf;

/// What an ipc endpoint's sockets are set up with, copied from the
/// ZMQ_* options when the endpoint is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpcConfig {
    pub backlog: i32,
    /// ZMQ_IPC_FILTER_UID/GID/PID: with any set, only matching peers are
    /// accepted.
    pub uid_filters: Vec<u32>,
    pub gid_filters: Vec<u32>,
    pub pid_filters: Vec<i32>,
}

impl Default for IpcConfig {
    /// libzmq's defaults.
    fn default() -> IpcConfig {
        IpcConfig {
            backlog: 100,
            uid_filters: Vec::new(),
            gid_filters: Vec::new(),
            pid_filters: Vec::new(),
        }
    }
}

/// A listening unix socket and the endpoint it reports. Dropping it closes
/// the socket and, for a wildcard bind, removes the socket file and its
/// private directory; [`IpcListener::close`] does the same and says
/// whether the clean-up failed (the CLOSE_FAILED monitor event).
#[derive(Debug)]
pub struct IpcListener {
    socket: Option<Socket>,
    endpoint: String,
    /// The wildcard directory this listener made, removed on close.
    tmp_dir: Option<PathBuf>,
    file: String,
}

impl IpcListener {
    /// Binds and listens (ZMQ_BACKLOG) on the path part of an `ipc://`
    /// endpoint. `*` binds `<tmpdir>/tmpXXXXXX/socket` in a new 0700
    /// directory; a file left at the path by an earlier run is unlinked
    /// first, as libzmq does. Errors: ENAMETOOLONG, EINVAL (`@`), then the
    /// OS's (ENOENT for a missing directory, EADDRINUSE for an abstract
    /// name in use, EACCES...).
    pub fn bind(path: &str, opts: &IpcConfig) -> Result<IpcListener> {
        Self::bind_in(path, opts, None)
    }

    /// `bind` with the wildcard directory made under `tmp_base` instead of
    /// the environment's choice (tests must not touch the environment).
    pub(crate) fn bind_in(
        path: &str,
        opts: &IpcConfig,
        tmp_base: Option<&[u8]>,
    ) -> Result<IpcListener> {
        let (tmp_dir, file) = if ipc_address::is_wildcard(path) {
            let (d, f) = match tmp_base {
                Some(b) => ipc_address::create_wildcard_dir_in(b)?,
                None => ipc_address::create_wildcard_dir()?,
            };
            (Some(d), f)
        } else {
            (None, path.to_string())
        };
        // Whatever fails from here on must not leave the directory behind.
        let mut l = IpcListener {
            socket: None,
            endpoint: String::new(),
            tmp_dir,
            file,
        };
        // (libzmq also unlinks `@name` as a relative path; we do not.)
        if !l.file.starts_with('@') {
            let _ = std::fs::remove_file(&l.file);
        }
        let addr = IpcAddress::resolve(&l.file)?;
        l.endpoint = addr.endpoint_string();
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        socket.bind(&addr.sockaddr()?)?;
        socket.listen(opts.backlog)?;
        socket.set_nonblocking(true)?;
        l.socket = Some(socket);
        Ok(l)
    }

    /// Takes over a socket the application bound and listened on itself
    /// (ZMQ_USE_FD). Its file is the application's: never unlinked here.
    ///
    /// # Safety
    /// `fd` must be an open socket that nothing else will close.
    pub unsafe fn adopt(fd: RawFd) -> Result<IpcListener> {
        // SAFETY: the caller hands over sole ownership of an open fd.
        let socket = unsafe { Socket::from_raw_fd(fd) };
        socket.set_nonblocking(true)?;
        socket.set_cloexec(true)?;
        let endpoint = socket
            .local_addr()
            .ok()
            .and_then(|a| ipc_address::endpoint_from_sockaddr(&a))
            .unwrap_or_default();
        Ok(IpcListener {
            socket: Some(socket),
            endpoint,
            tmp_dir: None,
            file: String::new(),
        })
    }

    /// `ipc://` + the bound path (the generated one for a wildcard).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The listening socket, for registering with a poller.
    pub fn socket(&self) -> Option<&Socket> {
        self.socket.as_ref()
    }

    /// Accepts one pending connection (non-blocking, close-on-exec).
    /// `Ok(None)`: refused by the ZMQ_IPC_FILTER_* options (closed, no
    /// event in libzmq). `Err(EAGAIN)`: nothing pending. Other errors are
    /// ACCEPT_FAILED events.
    pub fn accept(&self, opts: &IpcConfig) -> Result<Option<Socket>> {
        let Some(l) = &self.socket else {
            return Err(Error::EINVAL);
        };
        let (sock, _) = l.accept4(libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK)?;
        Ok(if ipc_filter_allows(&sock, opts) {
            Some(sock)
        } else {
            None
        })
    }

    /// Closes the socket and removes a wildcard's file and directory. An
    /// error is the errno of the failed removal (libzmq: CLOSE_FAILED).
    pub fn close(mut self) -> Result<()> {
        self.cleanup()
    }

    fn cleanup(&mut self) -> Result<()> {
        self.socket = None;
        if let Some(dir) = self.tmp_dir.take() {
            // A bind that failed may not have made the file.
            match std::fs::remove_file(&self.file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => std::fs::remove_dir(&dir)?,
            }
        }
        Ok(())
    }
}

impl Drop for IpcListener {
    fn drop(&mut self) {
        let _ = self.cleanup();
    }
}

/// Whether an accepted ipc connection passes ZMQ_IPC_FILTER_UID/GID/PID:
/// with no filters, yes; else if the peer's uid, gid or pid is listed, or
/// its user is a listed member of one of the filter groups.
pub(crate) fn ipc_filter_allows(sock: &Socket, opts: &IpcConfig) -> bool {
    if opts.uid_filters.is_empty() && opts.gid_filters.is_empty() && opts.pid_filters.is_empty() {
        return true;
    }
    let Ok(c) = peer_credentials(sock) else {
        return false;
    };
    opts.uid_filters.contains(&c.uid)
        || opts.gid_filters.contains(&c.gid)
        || opts.pid_filters.contains(&c.pid)
        || opts.gid_filters.iter().any(|&g| user_in_group(c.uid, g))
}

/// An outgoing ipc connection that has been started; `in_progress` as for
/// tcp (rare for unix sockets, but possible when the backlog is full).
#[derive(Debug)]
pub(crate) struct IpcConnect {
    pub socket: Socket,
    pub in_progress: bool,
}

/// Starts a non-blocking connect to an ipc address. Errors (ENOENT,
/// ECONNREFUSED for no listener, EAGAIN for a full backlog) mean "retry
/// after the reconnect interval". Finish with
/// [`connect_result`](crate::transport::connect_result).
pub(crate) fn ipc_connect_start(addr: &IpcAddress) -> Result<IpcConnect> {
    let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    socket.set_nonblocking(true)?;
    let in_progress = match socket.connect(&addr.sockaddr()?) {
        Ok(()) => false,
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINPROGRESS | libc::EINTR)) => true,
        Err(e) => return Err(e.into()),
    };
    Ok(IpcConnect {
        socket,
        in_progress,
    })
}

#[cfg(test)]
#[path = "socket_tests.rs"]
mod tests;

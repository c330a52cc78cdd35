//! The ipc transport: unix stream sockets at a path (`ipc:///tmp/x`), an
//! abstract name (`ipc://@name`) or a wildcard (`ipc://*`), with the
//! ZMQ_IPC_FILTER_* checks on the peer's credentials.
//!
//! - [`address`]: paths, abstract names, wildcard directories.
//! - [`socket`]: the listener and its file-system side effects, accept
//!   filters, non-blocking connect.

pub mod address;
pub(crate) mod socket;

pub use address::IpcAddress;
pub use socket::{IpcConfig, IpcListener};

use super::{Config, Dialing, Listening, Transport};
use crate::error::Result;
use std::os::fd::{AsRawFd, RawFd};

/// `ipc://`.
pub struct Ipc;

impl Transport for Ipc {
    fn scheme(&self) -> &'static str {
        "ipc"
    }

    fn capability(&self) -> Option<&'static str> {
        Some("ipc")
    }

    fn check_connect(&self, address: &str, _ipv6: bool) -> Result<()> {
        IpcAddress::resolve(address).map(drop)
    }

    fn bind(&self, address: &str, cfg: &Config) -> Result<Box<dyn Listening>> {
        Ok(Box::new(IpcListener::bind(address, &cfg.ipc)?))
    }

    unsafe fn adopt(&self, fd: RawFd) -> Result<Box<dyn Listening>> {
        // SAFETY: the caller hands over an fd nothing else will close.
        Ok(Box::new(unsafe { IpcListener::adopt(fd) }?))
    }

    fn connect_start(&self, address: &str, _cfg: &Config) -> Result<Dialing> {
        let c = socket::ipc_connect_start(&IpcAddress::resolve(address)?)?;
        Ok(Dialing {
            socket: c.socket,
            in_progress: c.in_progress,
            prelude: None,
        })
    }

    /// libzmq sets nothing on an established ipc connection.
    fn tune(&self, _sock: &socket2::Socket, _cfg: &Config) -> Result<()> {
        Ok(())
    }
}

impl Listening for IpcListener {
    fn endpoint(&self) -> &str {
        IpcListener::endpoint(self)
    }

    fn fd(&self) -> RawFd {
        self.socket().map_or(-1, |s| s.as_raw_fd())
    }

    fn accept(&self, cfg: &Config) -> Result<Option<socket2::Socket>> {
        IpcListener::accept(self, &cfg.ipc)
    }
}

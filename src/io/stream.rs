//! A connected stream as the reactor sees it: one non-blocking socket,
//! whichever transport made it. Reads and writes are plain system calls
//! on the descriptor, so the hot path is the same for every transport.

use mio::event::Source;
use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};
use std::io::{self, IoSlice};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

pub(crate) struct Stream {
    fd: OwnedFd,
}

impl Stream {
    /// Wraps a connected, non-blocking socket from the transport layer.
    pub(crate) fn new(sock: socket2::Socket) -> Stream {
        Stream {
            fd: OwnedFd::from(sock),
        }
    }

    pub(crate) fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Reads into the spare capacity of `buf` (no zeroing, no allocation
    /// when there is room) and extends it by what arrived.
    pub(crate) fn read_into(&mut self, buf: &mut bytes::BytesMut) -> io::Result<usize> {
        let spare = buf.spare_capacity_mut();
        // SAFETY: the kernel writes at most `spare.len()` bytes into memory
        // we own for the duration of the call; nothing reads it before.
        let n = unsafe {
            libc::read(
                self.fd(),
                spare.as_mut_ptr() as *mut libc::c_void,
                spare.len(),
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = n as usize;
        // SAFETY: read(2) initialised the first `n` spare bytes.
        unsafe { buf.set_len(buf.len() + n) };
        Ok(n)
    }

    /// Writes as much of `wire`'s output as the socket takes, in one
    /// vectored call.
    pub(crate) fn write_wire(&mut self, wire: &dyn super::wire::Wire) -> io::Result<usize> {
        let mut slices = [IoSlice::new(&[]); 64];
        let n = wire.out_slices(&mut slices);
        self.write_vectored(&slices[..n])
    }

    /// writev, but with MSG_NOSIGNAL: a peer that went away must give
    /// EPIPE, not kill an application that never ignored SIGPIPE.
    pub(crate) fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut hdr: libc::msghdr = unsafe_zeroed_msghdr();
        hdr.msg_iov = bufs.as_ptr() as *mut libc::iovec;
        hdr.msg_iovlen = bufs.len().min(libc::UIO_MAXIOV as usize) as _;
        // SAFETY: `hdr` points at `bufs`, whose IoSlices are iovecs by
        // layout (std guarantees it) and outlive the call; no name, no
        // control data.
        let n = unsafe { libc::sendmsg(self.fd(), &hdr, libc::MSG_NOSIGNAL) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}

fn unsafe_zeroed_msghdr() -> libc::msghdr {
    // SAFETY: msghdr is plain data for which all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

impl Source for Stream {
    fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        SourceFd(&self.fd()).register(r, t, i)
    }
    fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        SourceFd(&self.fd()).reregister(r, t, i)
    }
    fn deregister(&mut self, r: &Registry) -> io::Result<()> {
        SourceFd(&self.fd()).deregister(r)
    }
}

//! tcp sockets set up as libzmq sets them up: which options apply to the
//! listening socket, to each accepted connection and to each outgoing one,
//! and which failures are errors rather than ignored. Every socket returned
//! is close-on-exec and non-blocking; nothing here waits except DNS.

use super::accept_filter::accept_allowed;
use super::address::{resolve, TcpAddress};
use crate::error::{Error, Result};
use crate::transport::peer::{set_int_option, socket_name, End};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, RawFd};

/// The socket options a tcp endpoint's sockets are set up with: the
/// ZMQ_* values as the application set them (-1 leaves the OS default
/// where libzmq does), copied when the endpoint is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpConfig {
    /// ZMQ_IPV6: dual-stack sockets, IPv6 names resolved.
    pub ipv6: bool,
    pub tos: i32,
    pub priority: i32,
    /// ZMQ_BINDTODEVICE (empty: none).
    pub bound_device: Vec<u8>,
    pub sndbuf: i32,
    pub rcvbuf: i32,
    pub backlog: i32,
    pub keepalive: i32,
    pub keepalive_cnt: i32,
    pub keepalive_idle: i32,
    pub keepalive_intvl: i32,
    /// ZMQ_TCP_MAXRT in ms (0: the OS default).
    pub maxrt: i32,
    /// ZMQ_TCP_ACCEPT_FILTER strings as set; read by [`accept_allowed`].
    pub accept_filters: Vec<Vec<u8>>,
}

impl Default for TcpConfig {
    /// libzmq's defaults.
    fn default() -> TcpConfig {
        TcpConfig {
            ipv6: false,
            tos: 0,
            priority: 0,
            bound_device: Vec::new(),
            sndbuf: -1,
            rcvbuf: -1,
            backlog: 100,
            keepalive: -1,
            keepalive_cnt: -1,
            keepalive_idle: -1,
            keepalive_intvl: -1,
            maxrt: 0,
            accept_filters: Vec::new(),
        }
    }
}

/// Creates the socket for a tcp endpoint with the options libzmq applies
/// before bind/connect: dual-stack for IPv6, TOS, priority, device, buffer
/// sizes. If the kernel has no IPv6 while ZMQ_IPV6 is set, falls back to
/// IPv4 (re-resolving the address) as libzmq does.
pub(crate) fn open_tcp_socket(
    addr: &str,
    local: bool,
    opts: &TcpConfig,
) -> Result<(Socket, TcpAddress)> {
    let mut a = resolve(addr, local, opts.ipv6)?;
    let sock = match Socket::new(
        Domain::for_address(a.addr),
        Type::STREAM,
        Some(Protocol::TCP),
    ) {
        Ok(s) => s,
        Err(e) if e.raw_os_error() == Some(libc::EAFNOSUPPORT) && a.addr.is_ipv6() && opts.ipv6 => {
            a = resolve(addr, local, false)?;
            Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?
        }
        Err(e) => return Err(e.into()),
    };
    if a.addr.is_ipv6() {
        // IPv4 peers reach an IPv6 socket as ::ffff:a.b.c.d.
        sock.set_only_v6(false)?;
    }
    if opts.tos != 0 {
        set_type_of_service(&sock, opts.tos)?;
    }
    if opts.priority != 0 {
        set_int_option(&sock, libc::SOL_SOCKET, libc::SO_PRIORITY, opts.priority)?;
    }
    if !opts.bound_device.is_empty() {
        sock.bind_device(Some(&opts.bound_device))?;
    }
    // libzmq ignores failures here: the kernel clamps rather than refuses.
    if opts.sndbuf >= 0 {
        let _ = sock.set_send_buffer_size(opts.sndbuf as usize);
    }
    if opts.rcvbuf >= 0 {
        let _ = sock.set_recv_buffer_size(opts.rcvbuf as usize);
    }
    sock.set_nonblocking(true)?;
    Ok((sock, a))
}

/// ZMQ_TOS: IP_TOS, and IPV6_TCLASS where the socket has IPv6 (an IPv4
/// socket refuses that one, which is expected).
pub(crate) fn set_type_of_service(sock: &Socket, tos: i32) -> Result<()> {
    set_int_option(sock, libc::IPPROTO_IP, libc::IP_TOS, tos)?;
    match set_int_option(sock, libc::IPPROTO_IPV6, libc::IPV6_TCLASS, tos) {
        Err(e) if e.0 != libc::ENOPROTOOPT && e.0 != libc::EINVAL && e.0 != libc::EOPNOTSUPP => {
            Err(e)
        }
        _ => Ok(()),
    }
}

/// What libzmq does to every established tcp connection: no Nagle, the
/// ZMQ_TCP_KEEPALIVE* settings (each -1 leaves the OS default), and
/// ZMQ_TCP_MAXRT as TCP_USER_TIMEOUT. A failure means the connection is
/// given up (ACCEPT_FAILED on the listener, a reconnect on the connecter).
pub(crate) fn tune_connection(sock: &Socket, opts: &TcpConfig) -> Result<()> {
    sock.set_nodelay(true)?;
    if opts.keepalive != -1 {
        set_int_option(sock, libc::SOL_SOCKET, libc::SO_KEEPALIVE, opts.keepalive)?;
        for (name, v) in [
            (libc::TCP_KEEPCNT, opts.keepalive_cnt),
            (libc::TCP_KEEPIDLE, opts.keepalive_idle),
            (libc::TCP_KEEPINTVL, opts.keepalive_intvl),
        ] {
            if v != -1 {
                set_int_option(sock, libc::IPPROTO_TCP, name, v)?;
            }
        }
    }
    if opts.maxrt > 0 {
        set_int_option(sock, libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT, opts.maxrt)?;
    }
    Ok(())
}

/// A listening tcp socket and the endpoint it reports.
#[derive(Debug)]
pub struct TcpListener {
    socket: Socket,
    endpoint: String,
}

impl TcpListener {
    /// Binds and listens on the address part of a `tcp://` endpoint, with
    /// SO_REUSEADDR (a restarted server can rebind while old connections
    /// linger in TIME_WAIT) and ZMQ_BACKLOG. Errors: those of
    /// [`resolve_bind`](super::address::resolve_bind), then the OS's
    /// (EADDRINUSE, EADDRNOTAVAIL, EACCES, ENODEV for ZMQ_BINDTODEVICE...).
    pub fn bind(addr: &str, opts: &TcpConfig) -> Result<TcpListener> {
        let (socket, a) = open_tcp_socket(addr, true, opts)?;
        socket.set_reuse_address(true)?;
        socket.bind(&SockAddr::from(a.addr))?;
        socket.listen(opts.backlog)?;
        let endpoint = socket_name(&socket, End::Local);
        Ok(TcpListener { socket, endpoint })
    }

    /// Takes over a socket the application bound and listened on itself
    /// (ZMQ_USE_FD); the endpoint is whatever it is bound to.
    ///
    /// # Safety
    /// `fd` must be an open socket that nothing else will close: the
    /// listener owns it from now on, as libzmq's does.
    pub unsafe fn adopt(fd: RawFd) -> Result<TcpListener> {
        // SAFETY: the caller hands over sole ownership of an open fd.
        let socket = unsafe { Socket::from_raw_fd(fd) };
        socket.set_nonblocking(true)?;
        socket.set_cloexec(true)?;
        let endpoint = socket_name(&socket, End::Local);
        Ok(TcpListener { socket, endpoint })
    }

    /// The canonical endpoint (`tcp://0.0.0.0:41234`): ZMQ_LAST_ENDPOINT,
    /// the monitor events' endpoint and the key zmq_unbind looks up.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The listening socket, for registering with a poller.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// Accepts one pending connection, ready for an engine (tuned as
    /// [`tune_connection`], TOS and priority applied). `Ok(None)`: a
    /// connection came but ZMQ_TCP_ACCEPT_FILTER refused it (already
    /// closed, no event in libzmq). `Err(EAGAIN)`: nothing pending. Other
    /// errors are ACCEPT_FAILED events; the listener stays usable.
    pub fn accept(&self, opts: &TcpConfig) -> Result<Option<(Socket, SocketAddr)>> {
        let (sock, peer) = self
            .socket
            .accept4(libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK)?;
        let Some(peer) = peer.as_socket() else {
            return Err(Error::EINVAL);
        };
        if !accept_allowed(&opts.accept_filters, opts.ipv6, &peer) {
            return Ok(None);
        }
        if opts.tos != 0 {
            set_type_of_service(&sock, opts.tos)?;
        }
        if opts.priority != 0 {
            set_int_option(&sock, libc::SOL_SOCKET, libc::SO_PRIORITY, opts.priority)?;
        }
        tune_connection(&sock, opts)?;
        Ok(Some((sock, peer)))
    }
}

/// An outgoing tcp connection that has been started.
#[derive(Debug)]
pub(crate) struct TcpConnect {
    pub socket: Socket,
    /// What the endpoint resolved to this time (names may resolve
    /// differently on each reconnect). Only the tests look: the
    /// connecter reports the endpoint as given, as libzmq does.
    #[cfg_attr(not(test), allow(dead_code))]
    pub address: TcpAddress,
    /// The connect is still under way: wait for the socket to become
    /// writable, then call [`connect_result`](crate::transport::connect_result). libzmq reports this as
    /// CONNECT_DELAYED with EINPROGRESS.
    pub in_progress: bool,
}

/// Starts connecting to the address part of a `tcp://` endpoint: resolves it
/// (DNS may block), opens the socket, binds the source address if one was
/// given (with SO_REUSEADDR, so one source port can reach several
/// servers), and issues a non-blocking connect. Any error means "retry
/// after the reconnect interval" to the connecter; ECONNREFUSED is what
/// ZMQ_RECONNECT_STOP_CONN_REFUSED looks for.
pub(crate) fn connect_start(addr: &str, opts: &TcpConfig) -> Result<TcpConnect> {
    let (socket, address) = open_tcp_socket(addr, false, opts)?;
    if let Some(src) = address.source {
        socket.set_reuse_address(true)?;
        socket.bind(&SockAddr::from(src))?;
    }
    let in_progress = match socket.connect(&SockAddr::from(address.addr)) {
        Ok(()) => false,
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINPROGRESS | libc::EINTR)) => true,
        Err(e) => return Err(e.into()),
    };
    Ok(TcpConnect {
        socket,
        address,
        in_progress,
    })
}

/// [`connect_result`](crate::transport::connect_result) then [`tune_connection`]: what the tcp connecter
/// does when its socket becomes writable. `Ok`: hand the socket to an
/// engine; `Err`: close it and schedule a reconnect.
#[cfg(test)]
pub(crate) fn connect_finish(sock: &Socket, opts: &TcpConfig) -> Result<()> {
    crate::transport::connect_result(sock)?;
    tune_connection(sock, opts)
}

#[cfg(test)]
#[path = "socket_tests.rs"]
mod tests;

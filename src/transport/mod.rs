//! Transports: what an endpoint string means, which errno a bad one gets,
//! the text libzmq reports for it, and sockets opened, tuned, bound,
//! accepted and connected the way libzmq 4.3 does. No threads, no
//! polling: the io layer's listeners and connecters drive these from their
//! reactor, through the [`Transport`] interface, and know no transport by
//! name.
//!
//! - [`tcp`], [`ipc`]: one module per transport, each with its address
//!   rules and socket setup, and a unit value implementing [`Transport`].
//! - [`ws`]: ZMTP over WebSocket, sans-IO so far (the upgrade, the frame
//!   codec, endpoints); not in the scheme table until an engine runs it.
//! - [`find`]: the scheme table (`tcp://` -> [`tcp::Tcp`]...). A new
//!   stream transport is a module here and one line in `TRANSPORTS`.
//! - [`peer`]: endpoint names of either end, `Peer-Address`, SO_PEERCRED.
//! - [`ip_text`], [`nic`]: glibc-compatible IP text, interface lookups.
//!
//! What a transport gets from the socket is [`Config`], plain values
//! copied from the options when the endpoint is made.

pub mod ip_text;
pub mod ipc;
pub(crate) mod nic;
pub(crate) mod peer;
pub mod tcp;
pub mod ws;

use crate::error::Result;
use socket2::Socket;
use std::os::fd::RawFd;

/// Every transport's settings for one endpoint. Each transport reads its
/// own part; the socket layer fills them all in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub tcp: tcp::TcpConfig,
    pub ipc: ipc::IpcConfig,
}

/// A byte-stream transport: each connection is one connected,
/// non-blocking socket, on which the io layer runs ZMTP (or raw bytes for
/// STREAM sockets). Implementations are stateless unit values in the
/// scheme table; everything per endpoint is in the arguments.
pub trait Transport: Sync {
    /// The scheme, as in `scheme://address`.
    fn scheme(&self) -> &'static str;

    /// The zmq_has capability this transport answers for, if libzmq has
    /// one for it (it has none for tcp, which is always there).
    fn capability(&self) -> Option<&'static str>;

    /// What zmq_connect checks before it returns: the errno libzmq gives
    /// at once for a malformed address. What only an attempt can tell
    /// (a name that does not resolve, a refusal) is the connecter's.
    fn check_connect(&self, address: &str) -> Result<()>;

    /// Binds and listens on `address` (the part after `scheme://`), or
    /// gives the errno zmq_bind returns.
    fn bind(&self, address: &str, cfg: &Config) -> Result<Box<dyn Listening>>;

    /// ZMQ_USE_FD: serves a socket the application bound and listened on
    /// itself.
    ///
    /// # Safety
    /// `fd` must be an open listening socket that nothing else will
    /// close: the listener owns it from now on, as libzmq's does.
    unsafe fn adopt(&self, fd: RawFd) -> Result<Box<dyn Listening>>;

    /// Starts one non-blocking connect attempt to `address`. Any error
    /// means "retry after the reconnect interval"; ECONNREFUSED is what
    /// ZMQ_RECONNECT_STOP_CONN_REFUSED looks for.
    fn connect_start(&self, address: &str, cfg: &Config) -> Result<Dialing>;

    /// Per-connection socket options, applied once a connection is
    /// established (connected or accepted).
    fn tune(&self, sock: &Socket, cfg: &Config) -> Result<()>;

    /// The key zmq_unbind/zmq_disconnect look `uri` up by, among the
    /// endpoints for which `known` is true. By default the text as given;
    /// tcp also matches what a name resolves to.
    fn term_key(&self, uri: &str, ipv6: bool, known: &dyn Fn(&str) -> bool) -> String {
        let _ = (ipv6, known);
        uri.to_owned()
    }
}

/// A bound endpoint, listening. Dropping it closes the socket and removes
/// whatever the bind created (an ipc wildcard's file and directory).
pub trait Listening: Send {
    /// The canonical endpoint: ZMQ_LAST_ENDPOINT, the monitor events'
    /// endpoint, and the key zmq_unbind looks up.
    fn endpoint(&self) -> &str;

    /// The listening socket, for the reactor.
    fn fd(&self) -> RawFd;

    /// Accepts one pending connection (non-blocking, close-on-exec).
    /// `Ok(None)`: refused by the transport's filters (already closed, no
    /// event in libzmq). `Err(EAGAIN)`: nothing pending. Other errors are
    /// ACCEPT_FAILED events; the listener stays usable.
    fn accept(&self, cfg: &Config) -> Result<Option<Socket>>;
}

/// A connect attempt that has been started.
#[derive(Debug)]
pub struct Dialing {
    pub socket: Socket,
    /// Still under way: wait for the socket to become writable, then ask
    /// [`connect_result`]. libzmq reports this as CONNECT_DELAYED with
    /// EINPROGRESS.
    pub in_progress: bool,
}

/// How a connect that was in progress ended, once the socket is writable:
/// `Ok` if established, else the error (ECONNREFUSED, ETIMEDOUT,
/// EHOSTUNREACH...). Only meaningful after writability: before that it
/// reports `Ok` too.
pub fn connect_result(sock: &Socket) -> Result<()> {
    match sock.take_error()? {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// The scheme table. Order does not matter; schemes are unique (a unit
/// test checks).
static TRANSPORTS: &[&dyn Transport] = &[&tcp::Tcp, &ipc::Ipc];

/// The transport serving `scheme://` endpoints, if this build has one.
pub fn find(scheme: &str) -> Option<&'static dyn Transport> {
    TRANSPORTS.iter().copied().find(|t| t.scheme() == scheme)
}

/// Whether some transport answers zmq_has for `capability`.
pub fn has_capability(capability: &str) -> bool {
    TRANSPORTS
        .iter()
        .any(|t| t.capability() == Some(capability))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_unique_and_found() {
        for (i, t) in TRANSPORTS.iter().enumerate() {
            assert!(
                TRANSPORTS[..i].iter().all(|o| o.scheme() != t.scheme()),
                "{} twice",
                t.scheme()
            );
            assert_eq!(find(t.scheme()).map(|f| f.scheme()), Some(t.scheme()));
        }
        assert!(find("tcp").is_some() && find("ipc").is_some());
        assert!(find("inproc").is_none() && find("TCP").is_none() && find("").is_none());
    }

    #[test]
    fn capabilities_are_libzmqs() {
        // libzmq's zmq_has names ipc but not tcp (always built in).
        assert!(has_capability("ipc"));
        assert!(!has_capability("tcp") && !has_capability("inproc"));
    }

    #[test]
    fn connect_checks_are_the_transports_own() {
        let tcp = find("tcp").unwrap();
        assert_eq!(tcp.check_connect("127.0.0.1:5555"), Ok(()));
        assert_eq!(
            tcp.check_connect("127.0.0.1"),
            Err(crate::error::Error::EINVAL)
        );
        let ipc = find("ipc").unwrap();
        assert_eq!(ipc.check_connect("/tmp/x"), Ok(()));
    }
}

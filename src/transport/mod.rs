//! Transports: what an endpoint string means, which errno a bad one gets,
//! the text libzmq reports for it, and sockets opened, tuned, bound,
//! accepted and connected the way libzmq 4.3 does. No threads, no
//! polling: the io layer's listeners and connecters drive these from their
//! reactor, through the [`Transport`] interface, and know no transport by
//! name.
//!
//! - [`tcp`], [`ipc`]: one module per stream transport, each with its
//!   address rules and socket setup, and a unit value implementing
//!   [`Transport`].
//! - [`socks`]: tcp connects through a SOCKS5 proxy (ZMQ_SOCKS_PROXY), a
//!   [`Prelude`] the tcp transport attaches to its connect attempts.
//! - [`udp`]: the datagram transport, a unit value implementing
//!   [`DatagramTransport`]: no connections, one socket per endpoint.
//! - [`find`]: the scheme table (`tcp://` -> [`tcp::Tcp`]...), which says
//!   which kind each scheme is ([`Scheme`]). A new transport is a module
//!   here and one line in `TRANSPORTS`.
//! - [`ws`]: ZMTP over WebSocket: tcp sockets whose connections carry
//!   [`Framing::WebSocket`] (the session runs `proto::ws` on them).
//! - [`tls`]: TLS for `wss://` (rustls), as a [`StreamLayer`] the engine
//!   runs between the socket and the session, with the ZMQ_WSS_* options
//!   ([`tls::WssConfig`]).
//! - [`peer`]: endpoint names of either end, `Peer-Address`, SO_PEERCRED.
//! - [`ip_text`], [`nic`]: glibc-compatible IP text, interface lookups.
//!
//! What a transport gets from the socket is [`Config`], plain values
//! copied from the options when the endpoint is made.

pub mod ip_text;
pub mod ipc;
pub(crate) mod nic;
pub(crate) mod peer;
pub mod socks;
pub mod tcp;
pub mod tls;
pub mod udp;
pub mod ws;

use crate::error::{Error, Result};
use socket2::Socket;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

/// Every transport's settings for one endpoint. Each transport reads its
/// own part; the socket layer fills them all in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub tcp: tcp::TcpConfig,
    pub ipc: ipc::IpcConfig,
    /// ZMQ_SOCKS_PROXY and its credentials (tcp connects only).
    pub socks: socks::SocksConfig,
    pub udp: udp::UdpConfig,
    /// ZMQ_WSS_*: certificates, trust and the name to check (wss only).
    pub wss: tls::WssConfig,
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
    /// `ipv6`: ZMQ_IPV6.
    fn check_connect(&self, address: &str, ipv6: bool) -> Result<()>;

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

    /// How the connecter names and bounds the connects to `uri` (the
    /// whole endpoint, scheme included). By default: monitor events name
    /// `uri`, and ZMQ_CONNECT_TIMEOUT and ZMQ_RECONNECT_STOP_CONN_REFUSED
    /// apply.
    fn connect_policy(&self, uri: &str, cfg: &Config) -> ConnectPolicy {
        let _ = cfg;
        ConnectPolicy {
            remote: uri.to_owned(),
            timeout: true,
            stop_on_refusal: true,
        }
    }

    /// The key zmq_unbind/zmq_disconnect look `uri` up by, among the
    /// endpoints for which `known` is true. By default the text as given;
    /// tcp also matches what a name resolves to.
    fn term_key(&self, uri: &str, ipv6: bool, known: &dyn Fn(&str) -> bool) -> String {
        let _ = (ipv6, known);
        uri.to_owned()
    }

    /// What runs over a connection to or from `address` (the part after
    /// `scheme://`): ZMTP by default.
    fn framing(&self, address: &str, connecting: bool) -> Framing {
        let _ = (address, connecting);
        Framing::Zmtp
    }

    /// The layer a connection to or from `address` (the part after
    /// `scheme://`) runs between its socket and its session: TLS for
    /// wss; None (the default) for the session on the bytes themselves.
    /// An error fails that one connection (a connecting side retries
    /// after the reconnect interval).
    fn layer(
        &self,
        address: &str,
        role: Role,
        cfg: &Config,
    ) -> Result<Option<Box<dyn StreamLayer>>> {
        let _ = (address, role, cfg);
        Ok(None)
    }
}

/// Which end of a connection this is, for a [`StreamLayer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// This end connected (a TLS client).
    Client,
    /// This end accepted (a TLS server).
    Server,
}

/// A byte-stream layer between a connection's socket and its session
/// (TLS for wss), sans-IO: the engine reads the socket into [`input`],
/// lets the layer [`decode`] it into plaintext for the session, hands it
/// the session's output to [`encode`], and writes what [`output`] holds.
///
/// Memory is bounded whatever the peer sends: `input` never offers more
/// room than [`LAYER_INPUT_MAX`] in all, and one `decode` yields at most
/// that much plaintext. A failure (a refused handshake, a bad record, an
/// alert from the peer) is final: every later call gives it again.
///
/// [`input`]: StreamLayer::input
/// [`decode`]: StreamLayer::decode
/// [`encode`]: StreamLayer::encode
/// [`output`]: StreamLayer::output
pub trait StreamLayer: Send {
    /// Received octets not yet decoded, with room behind them to read
    /// into (the spare capacity; none when the buffer is full).
    fn input(&mut self) -> &mut bytes::BytesMut;

    /// Decodes what `input` holds: handshake messages are answered (into
    /// `output`), application data is appended to `plain`. Err: the errno
    /// to report for the connection (EPROTO for TLS failures).
    fn decode(&mut self, plain: &mut bytes::BytesMut) -> Result<()>;

    /// Nothing is left to decode: lets go of the input buffer.
    fn release_input(&mut self);

    /// The handshake is still under way: it needs input before anything
    /// can be encoded.
    fn handshaking(&self) -> bool;

    /// The peer ended its side cleanly (TLS close_notify): nothing more
    /// will be decoded.
    fn peer_closed(&self) -> bool;

    /// Encodes `plain` for the peer, after what `output` holds. Only once
    /// the handshake is over.
    fn encode(&mut self, plain: &[u8]) -> Result<()>;

    /// What to write to the socket next, in order.
    fn output(&self) -> &[u8];

    /// The first `n` octets of `output` were written.
    fn output_consumed(&mut self, n: usize);
}

/// The most a [`StreamLayer`]'s input buffer holds: received octets not
/// yet decoded plus the room to read into. No more than a session's
/// smallest read buffer (`proto::session::READ_MIN`), so that one decode's
/// plaintext always fits where the session reads.
pub const LAYER_INPUT_MAX: usize = 64 * 1024;

/// How a stream transport's connections carry ZMTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Framing {
    /// A greeting, then ZMTP frames on the bytes (tcp, ipc).
    Zmtp,
    /// An HTTP upgrade, then ZMTP frames in WebSocket frames (ZWS 2.0).
    /// `client`: on the connecting side, the request's `Host:` value and
    /// path.
    WebSocket { client: Option<(String, String)> },
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
pub struct Dialing {
    pub socket: Socket,
    /// Still under way: wait for the socket to become writable, then ask
    /// [`connect_result`]. libzmq reports this as CONNECT_DELAYED with
    /// EINPROGRESS.
    pub in_progress: bool,
    /// An exchange to run on the socket once it is connected, before the
    /// session starts (None: the session starts at once).
    pub prelude: Option<Box<dyn Prelude>>,
}

impl std::fmt::Debug for Dialing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialing")
            .field("socket", &self.socket)
            .field("in_progress", &self.in_progress)
            .field("prelude", &self.prelude.is_some())
            .finish()
    }
}

/// A non-blocking exchange on a new connection before its session starts:
/// the SOCKS5 handshake with a proxy (later, a WebSocket upgrade). The io
/// layer steps it on the readiness it asks for; it does its own reads and
/// writes on the socket.
///
/// Two rules make it safe to hand the socket on afterwards:
/// - readiness is edge-triggered, so `step` goes on until the socket would
///   block (or the exchange ends): it answers `Readable` or `Writable`
///   only after a read or write said EAGAIN;
/// - it reads no further than its own exchange: whatever the peer sent
///   next is the session's, still in the socket.
pub trait Prelude: Send {
    /// Advances the exchange as far as the socket allows without waiting.
    fn step(&mut self, sock: &Socket) -> PreludeStatus;
}

/// Where a [`Prelude`] stands after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreludeStatus {
    /// Step again once the socket is readable.
    Readable,
    /// Step again once the socket is writable.
    Writable,
    /// Over: the session may start on the socket.
    Done,
    /// The connection is given up, as a failed connect is (the errno is
    /// what a refusal check sees: ECONNREFUSED...).
    Failed(Error),
}

/// How the connecter treats the connects to one endpoint, where a
/// transport departs from the usual (see [`Transport::connect_policy`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectPolicy {
    /// The remote endpoint monitor events name for these connections.
    pub remote: String,
    /// ZMQ_CONNECT_TIMEOUT bounds a connect in progress.
    pub timeout: bool,
    /// A refused connect ends the endpoint under
    /// ZMQ_RECONNECT_STOP_CONN_REFUSED.
    pub stop_on_refusal: bool,
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

/// A datagram transport: an endpoint is one socket that sends datagrams
/// to a fixed destination (or to one each message names) and receives
/// them from anyone; the io layer runs a datagram handler on it instead of
/// listeners and connections. Called per endpoint, never per datagram,
/// except for DGRAM's address frames.
pub trait DatagramTransport: Sync {
    /// The scheme, as in `scheme://address`.
    fn scheme(&self) -> &'static str;

    /// The zmq_has capability this transport answers for, if any.
    fn capability(&self) -> Option<&'static str>;

    /// Resolves `address` (the part after `scheme://`) for a bind (the
    /// socket receives there) or a connect (it sends there), with the
    /// errno zmq_bind/zmq_connect gives. Nothing is opened yet.
    fn resolve(&self, address: &str, bind: bool, cfg: &Config) -> Result<Box<dyn DatagramAddress>>;

    /// A sender's address as an address-framed socket (DGRAM) receives it.
    fn peer_text(&self, from: &SocketAddr) -> Vec<u8>;

    /// The destination an address frame names, for a socket of the given
    /// family; None if the frame names none (the message is dropped).
    fn parse_peer(&self, frame: &[u8], ipv6_socket: bool) -> Option<SocketAddr>;
}

/// A resolved datagram endpoint, not yet opened.
pub trait DatagramAddress: Send {
    /// ZMQ_LAST_ENDPOINT for it.
    fn endpoint(&self) -> &str;

    /// Opens its socket for `roles`: bound (and joined to its group) when
    /// it receives, aimed at its destination when it sends. An error is
    /// retried by the io layer.
    fn open(&self, roles: DatagramRoles, cfg: &Config) -> Result<DatagramSocket>;
}

/// What a datagram endpoint's socket does, from its socket type: RADIO
/// sends, DISH receives, DGRAM does both with a peer address per message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DatagramRoles {
    pub send: bool,
    pub recv: bool,
    /// Each message names its destination, and each received one its
    /// sender, in an address frame (DGRAM); otherwise the endpoint's
    /// destination is fixed and messages carry a group (RADIO, DISH).
    pub addressed: bool,
}

/// An open datagram socket, non-blocking.
#[derive(Debug)]
pub struct DatagramSocket {
    socket: std::net::UdpSocket,
    destination: Option<SocketAddr>,
    ipv6: bool,
}

impl DatagramSocket {
    pub(crate) fn new(sock: Socket, destination: Option<SocketAddr>, ipv6: bool) -> DatagramSocket {
        DatagramSocket {
            socket: sock.into(),
            destination,
            ipv6,
        }
    }

    pub fn fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// Where datagrams go when messages do not say (None: they must).
    pub fn destination(&self) -> Option<SocketAddr> {
        self.destination
    }

    /// An IPv6 socket (peer addresses are IPv6, IPv4 ones mapped).
    pub fn is_ipv6(&self) -> bool {
        self.ipv6
    }

    /// One datagram into `buf`, cut to its length, and its sender.
    pub fn recv_from(&self, buf: &mut [u8]) -> std::io::Result<(usize, SocketAddr)> {
        self.socket.recv_from(buf)
    }

    pub fn send_to(&self, datagram: &[u8], to: SocketAddr) -> std::io::Result<usize> {
        self.socket.send_to(datagram, to)
    }

    /// The address it is bound to.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }
}

/// What serves a scheme: a stream transport (listeners and connections)
/// or a datagram one (one socket per endpoint).
#[derive(Clone, Copy)]
pub enum Scheme {
    Stream(&'static dyn Transport),
    Datagram(&'static dyn DatagramTransport),
}

impl Scheme {
    pub fn scheme(&self) -> &'static str {
        match self {
            Scheme::Stream(t) => t.scheme(),
            Scheme::Datagram(t) => t.scheme(),
        }
    }

    fn capability(&self) -> Option<&'static str> {
        match self {
            Scheme::Stream(t) => t.capability(),
            Scheme::Datagram(t) => t.capability(),
        }
    }
}

/// The scheme table. Order does not matter; schemes are unique (a unit
/// test checks).
static TRANSPORTS: &[Scheme] = &[
    Scheme::Stream(&tcp::Tcp),
    Scheme::Stream(&ipc::Ipc),
    Scheme::Datagram(&udp::Udp),
    Scheme::Stream(&ws::Ws),
    Scheme::Stream(&ws::Wss),
];

/// What serves `scheme://` endpoints, if this build has something.
pub fn find(scheme: &str) -> Option<Scheme> {
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
        assert!(matches!(find("tcp"), Some(Scheme::Stream(_))));
        assert!(matches!(find("ipc"), Some(Scheme::Stream(_))));
        assert!(matches!(find("udp"), Some(Scheme::Datagram(_))));
        assert!(find("inproc").is_none() && find("TCP").is_none() && find("").is_none());
    }

    #[test]
    fn capabilities_are_libzmqs() {
        // libzmq's zmq_has names ipc but not tcp (always built in).
        assert!(has_capability("ipc"));
        assert!(!has_capability("tcp") && !has_capability("inproc") && !has_capability("udp"));
    }

    #[test]
    fn connect_checks_are_the_transports_own() {
        let stream = |s| match find(s) {
            Some(Scheme::Stream(t)) => t,
            _ => panic!("{s} is a stream transport"),
        };
        let tcp = stream("tcp");
        assert_eq!(tcp.check_connect("127.0.0.1:5555", false), Ok(()));
        assert_eq!(
            tcp.check_connect("127.0.0.1", false),
            Err(crate::error::Error::EINVAL)
        );
        let ipc = stream("ipc");
        assert_eq!(ipc.check_connect("/tmp/x", false), Ok(()));
    }
}

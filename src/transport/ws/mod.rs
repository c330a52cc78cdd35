//! The `ws://` and `wss://` transports: endpoints, their errnos and
//! ZMQ_LAST_ENDPOINT text, and the tcp sockets under them. What travels
//! over the socket (the HTTP upgrade, WebSocket frames) is
//! `proto::ws`, run by the session.

pub mod address;

use crate::error::Result;
use crate::transport::tcp::{self, TcpListener};
use crate::transport::{Config, Dialing, Framing, Listening, Role, StreamLayer, Transport};
use address::Scheme;
use std::os::fd::{AsRawFd, RawFd};

/// `ws://`: ZMTP over WebSocket over tcp.
pub struct Ws;

/// The text before the path: what tcp binds or dials (libzmq's ws
/// listener and connecter hand tcp the address without its path).
fn tcp_part(address: &str) -> &str {
    address.rfind('/').map_or(address, |i| &address[..i])
}

/// A tcp listener reporting its endpoint as libzmq's ws listener does.
struct WsListener {
    tcp: TcpListener,
    endpoint: String,
}

impl WsListener {
    fn bind(scheme: Scheme, address: &str, cfg: &Config) -> Result<WsListener> {
        let checked = address::resolve_for_bind(address, cfg.tcp.ipv6)?;
        let tcp = TcpListener::bind(tcp_part(address), &cfg.tcp)?;
        let local = tcp
            .socket()
            .local_addr()?
            .as_socket()
            .ok_or(crate::error::Error::EINVAL)?;
        let endpoint = address::endpoint_string(scheme, &local, &checked.path);
        Ok(WsListener { tcp, endpoint })
    }
}

impl Listening for WsListener {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn fd(&self) -> RawFd {
        self.tcp.socket().as_raw_fd()
    }

    fn accept(&self, cfg: &Config) -> Result<Option<socket2::Socket>> {
        Ok(self.tcp.accept(&cfg.tcp)?.map(|(sock, _)| sock))
    }
}

impl Transport for Ws {
    fn scheme(&self) -> &'static str {
        "ws"
    }

    fn capability(&self) -> Option<&'static str> {
        // libzmq 4.3.4 answers the capital name only.
        Some("WS")
    }

    fn check_connect(&self, address: &str, ipv6: bool) -> Result<()> {
        // zmq_connect resolves ws addresses at once (tcp's it only parses).
        address::resolve_for_connect(address, ipv6).map(|_| ())
    }

    fn bind(&self, address: &str, cfg: &Config) -> Result<Box<dyn Listening>> {
        Ok(Box::new(WsListener::bind(Scheme::Ws, address, cfg)?))
    }

    unsafe fn adopt(&self, fd: RawFd) -> Result<Box<dyn Listening>> {
        // SAFETY: the caller hands over an fd nothing else will close.
        let tcp = unsafe { TcpListener::adopt(fd) }?;
        let endpoint = tcp.endpoint().replacen("tcp://", "ws://", 1);
        Ok(Box::new(WsListener { tcp, endpoint }))
    }

    fn connect_start(&self, address: &str, cfg: &Config) -> Result<Dialing> {
        tcp::Tcp.connect_start(tcp_part(address), &cfg_without_socks(cfg))
    }

    fn tune(&self, sock: &socket2::Socket, cfg: &Config) -> Result<()> {
        tcp::Tcp.tune(sock, cfg)
    }

    fn framing(&self, address: &str, connecting: bool) -> Framing {
        let client = connecting
            .then(|| address::host_and_path(address).ok())
            .flatten()
            .map(|(h, p)| (h.to_owned(), p.to_owned()));
        Framing::WebSocket { client }
    }
}

/// libzmq's ws connecter dials directly: ZMQ_SOCKS_PROXY is tcp's only.
fn cfg_without_socks(cfg: &Config) -> std::borrow::Cow<'_, Config> {
    if cfg.socks.enabled() {
        let mut c = cfg.clone();
        c.socks = Default::default();
        std::borrow::Cow::Owned(c)
    } else {
        std::borrow::Cow::Borrowed(cfg)
    }
}

/// `wss://`: ws over TLS.
pub struct Wss;

impl Transport for Wss {
    fn scheme(&self) -> &'static str {
        "wss"
    }
    fn capability(&self) -> Option<&'static str> {
        Some("WSS")
    }
    fn check_connect(&self, address: &str, ipv6: bool) -> Result<()> {
        Ws.check_connect(address, ipv6)
    }
    fn bind(&self, address: &str, cfg: &Config) -> Result<Box<dyn Listening>> {
        super::tls::check_server(&cfg.wss)?;
        Ok(Box::new(WsListener::bind(Scheme::Wss, address, cfg)?))
    }
    unsafe fn adopt(&self, fd: RawFd) -> Result<Box<dyn Listening>> {
        // SAFETY: forwarded.
        let tcp = unsafe { TcpListener::adopt(fd) }?;
        let endpoint = tcp.endpoint().replacen("tcp://", "wss://", 1);
        Ok(Box::new(WsListener { tcp, endpoint }))
    }
    fn connect_start(&self, address: &str, cfg: &Config) -> Result<Dialing> {
        Ws.connect_start(address, cfg)
    }
    fn tune(&self, sock: &socket2::Socket, cfg: &Config) -> Result<()> {
        Ws.tune(sock, cfg)
    }
    fn framing(&self, address: &str, connecting: bool) -> Framing {
        Ws.framing(address, connecting)
    }
    fn layer(
        &self,
        address: &str,
        role: Role,
        cfg: &Config,
    ) -> Result<Option<Box<dyn StreamLayer>>> {
        Ok(Some(match role {
            Role::Client => super::tls::client(&cfg.wss, address::host_and_path(address)?.0)?,
            Role::Server => super::tls::server(&cfg.wss)?,
        }))
    }
}

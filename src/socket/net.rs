//! The socket side of network endpoints (every transport in
//! `transport`'s scheme table): binding and starting connects in the
//! caller's thread (so errors and ZMQ_LAST_ENDPOINT are immediate, as in
//! libzmq), then handing them to an io thread: a `Listener` or a
//! `Connection` for a stream transport, a `DatagramEndpoint` for a
//! datagram one. Nothing here names a transport.

use super::base::{Base, Core};
use super::options::Options;
use crate::consts::{
    ZMQ_CURVE, ZMQ_NOTIFY_CONNECT, ZMQ_NOTIFY_DISCONNECT, ZMQ_PLAIN,
    ZMQ_RECONNECT_STOP_CONN_REFUSED, ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED,
};
use crate::error::{Error, Result};
use crate::io::config::{EndpointConfig, ReconnectConfig};
use crate::io::datagram::{DatagramCounts, DatagramEndpoint, DatagramStats};
use crate::io::engine::Connection;
use crate::io::link::{self, Link, Side};
use crate::io::listener::Listener;
use crate::io::threads::IoThread;
use crate::proto::mechanism::MechanismConfig;
use crate::proto::session::Config as SessionConfig;
use crate::transport::ipc::IpcConfig;
use crate::transport::socks::SocksConfig;
use crate::transport::tcp::TcpConfig;
use crate::transport::tls::WssConfig;
use crate::transport::udp::UdpConfig;
use crate::transport::{self, DatagramRoles, DatagramTransport, Scheme, Transport};
use crate::types::SocketType;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A network endpoint of this socket, served by an io thread.
pub struct NetEndpoint {
    /// What zmq_unbind/zmq_disconnect name it by: the resolved endpoint
    /// for a bind, the address as given for a connect.
    pub uri: String,
    thread: Arc<IoThread>,
    key: u64,
    /// What a datagram endpoint moved and dropped (None: a stream one).
    datagrams: Option<Arc<DatagramStats>>,
}

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// What serves `scheme://` endpoints here (None: inproc.rs has the rest).
pub(crate) fn transport_of(scheme: &str) -> Option<Scheme> {
    transport::find(scheme)
}

fn link_of(b: &Base) -> Link {
    Link {
        socket: b.mailbox.clone(),
        config: Arc::new(endpoint_config(&b.options)),
        monitor: b.monitor.clone(),
        linger: b.linger.clone(),
        zap: b.ctx.clone(),
    }
}

/// What a new endpoint's io handlers work from: the options as they are
/// now, with the socket type's rules applied.
fn endpoint_config(o: &Options) -> EndpointConfig {
    EndpointConfig {
        session: session_config(o),
        transport: transport::Config {
            tcp: tcp_config(o),
            ipc: ipc_config(o),
            socks: socks_config(o),
            udp: udp_config(o),
            wss: wss_config(o),
        },
        pipe: o.network_pipe_params(),
        reconnect: ReconnectConfig {
            ivl: o.reconnect_ivl,
            ivl_max: o.reconnect_ivl_max,
            stop_on_refusal: o.reconnect_stop & ZMQ_RECONNECT_STOP_CONN_REFUSED != 0,
        },
        connect_timeout_ms: o.connect_timeout,
        immediate: o.immediate,
        raw: o.raw_socket,
        raw_notify: o.raw_notify,
        hello_msg: o.effective_hello_msg(),
        disconnect_msg: o.effective_disconnect_msg(),
        notify_connect: o.router_notify & ZMQ_NOTIFY_CONNECT != 0,
        notify_disconnect: o.router_notify & ZMQ_NOTIFY_DISCONNECT != 0,
        resubscribe: o.socket_type.resubscribes(),
        datagram: datagram_roles(o.socket_type),
    }
}

/// What a udp endpoint's socket does for each type that may have one.
fn datagram_roles(ty: SocketType) -> DatagramRoles {
    let (send, recv, addressed) = match ty {
        SocketType::Radio => (true, false, false),
        SocketType::Dish => (false, true, false),
        SocketType::Dgram => (true, true, true),
        _ => (false, false, false),
    };
    DatagramRoles {
        send,
        recv,
        addressed,
    }
}

/// The ZMTP session settings every connection of the endpoint starts from.
fn session_config(o: &Options) -> SessionConfig {
    let mut c = SessionConfig::new(o.socket_type);
    c.routing_id = o.routing_id.clone();
    c.mechanism = mechanism_of(o);
    c.zap_domain = o.zap_domain.clone();
    c.zap_enforce_domain = o.zap_enforce_domain;
    c.metadata = o.app_metadata.clone();
    c.max_msg_size = o.maxmsgsize;
    c.timers.handshake_ivl_ms = o.handshake_ivl;
    c.timers.heartbeat_ivl_ms = o.heartbeat_ivl;
    c.timers.heartbeat_ttl_ms = i32::from(o.heartbeat_ttl) * 100;
    c.timers.heartbeat_timeout_ms = o.heartbeat_timeout;
    c.recv_routing_id = o.recv_routing_id;
    c.reconnect_stop_handshake_failed = o.reconnect_stop & ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED != 0;
    c
}

/// ZMQ_MECHANISM and the keys or credentials that go with it.
fn mechanism_of(o: &Options) -> MechanismConfig {
    match o.mechanism {
        ZMQ_PLAIN => MechanismConfig::Plain {
            server: o.as_server,
            username: o.plain_username.clone(),
            password: o.plain_password.clone(),
        },
        ZMQ_CURVE => MechanismConfig::Curve {
            server: o.as_server,
            public: o.curve_public_key,
            secret: o.curve_secret_key,
            server_key: o.curve_server_key,
        },
        _ => MechanismConfig::Null,
    }
}

fn tcp_config(o: &Options) -> TcpConfig {
    TcpConfig {
        ipv6: o.ipv6,
        tos: o.tos,
        priority: o.priority,
        bound_device: o.bound_device.clone(),
        sndbuf: o.sndbuf,
        rcvbuf: o.rcvbuf,
        backlog: o.backlog,
        keepalive: o.tcp_keepalive,
        keepalive_cnt: o.tcp_keepalive_cnt,
        keepalive_idle: o.tcp_keepalive_idle,
        keepalive_intvl: o.tcp_keepalive_intvl,
        maxrt: o.tcp_maxrt,
        accept_filters: o.tcp_accept_filters.clone(),
    }
}

fn udp_config(o: &Options) -> UdpConfig {
    UdpConfig {
        ipv6: o.ipv6,
        multicast_loop: o.multicast_loop,
        multicast_hops: o.multicast_hops,
        sndbuf: o.sndbuf,
        rcvbuf: o.rcvbuf,
        bound_device: o.bound_device.clone(),
    }
}

fn ipc_config(o: &Options) -> IpcConfig {
    IpcConfig {
        backlog: o.backlog,
        uid_filters: o.ipc_uid_filters.clone(),
        gid_filters: o.ipc_gid_filters.clone(),
        pid_filters: o.ipc_pid_filters.clone(),
    }
}

/// ZMQ_SOCKS_PROXY and its credentials. The proxy is an address, so text
/// (libzmq reads it as a C string; octets that are not UTF-8 cannot
/// resolve either way).
fn socks_config(o: &Options) -> SocksConfig {
    SocksConfig {
        proxy: String::from_utf8_lossy(&o.socks_proxy).into_owned(),
        username: o.socks_username.clone(),
        password: o.socks_password.clone(),
    }
}

/// The ZMQ_WSS_* options, as libzmq's wss listener and connecter take
/// them from the socket when the endpoint is made.
fn wss_config(o: &Options) -> WssConfig {
    WssConfig::new(
        &o.wss_key_pem,
        &o.wss_cert_pem,
        &o.wss_trust_pem,
        &o.wss_hostname,
        o.wss_trust_system,
    )
}

pub(crate) fn bind(
    core: &mut Core,
    addr: &str,
    transport: &'static dyn Transport,
    rest: &str,
) -> Result<()> {
    if core.base.options.socket_type.udp_only() {
        return Err(Error::ENOCOMPATPROTO);
    }
    let thread = core.base.ctx.io_thread()?;
    let link = link_of(&core.base);
    let fd = core.base.options.use_fd;
    let bound = if fd >= 0 {
        // ZMQ_USE_FD: the application bound and listened itself; the
        // address is not used.
        // SAFETY: ZMQ_USE_FD hands the library a listening socket to own,
        // as libzmq takes it; the application must not close it.
        unsafe { transport.adopt(fd) }
    } else {
        transport.bind(rest, &link.config.transport)
    };
    let bound = match bound {
        Ok(b) => b,
        Err(e) => {
            link.event(link::BIND_FAILED, e.0 as u64, Side::Bind, addr, "");
            return Err(e);
        }
    };
    let endpoint = bound.endpoint().to_owned();
    link.event(
        link::LISTENING,
        bound.fd() as u64,
        Side::Bind,
        &endpoint,
        "",
    );
    core.base.last_endpoint = endpoint.clone();
    let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    thread.run(move |r| Listener::start(r, link, transport, bound, key));
    core.base.mailbox.send(crate::pipe::SocketCommand::Own);
    core.base.net.push(NetEndpoint {
        uri: endpoint,
        thread,
        key,
        datagrams: None,
    });
    Ok(())
}

pub(crate) fn connect(
    core: &mut Core,
    addr: &str,
    transport: &'static dyn Transport,
    rest: &str,
) -> Result<()> {
    if core.base.options.socket_type.udp_only() {
        return Err(Error::ENOCOMPATPROTO);
    }
    transport.check_connect(rest, core.base.options.ipv6)?;
    let thread = core.base.ctx.io_thread()?;
    if core.base.options.socket_type.connects_once_per_endpoint()
        && core.base.net.iter().any(|e| e.uri == addr)
    {
        return Ok(());
    }
    let link = link_of(&core.base);
    let o = &core.base.options;
    // Without IMMEDIATE the pipe exists from now on, so messages queue
    // before the connection is up.
    let pipe = if o.immediate {
        None
    } else {
        let (mut mine, mut theirs) = o.network_pipe();
        mine.endpoint = addr.to_owned();
        theirs.endpoint = addr.to_owned();
        core.attach_pipe(mine, false, true);
        Some(theirs)
    };
    core.base.last_endpoint = addr.to_owned();
    let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    let uri = addr.to_owned();
    thread.run(move |r| Connection::start_connect(r, link, transport, uri, pipe, key));
    core.base.mailbox.send(crate::pipe::SocketCommand::Own);
    core.base.net.push(NetEndpoint {
        uri: addr.to_owned(),
        thread,
        key,
        datagrams: None,
    });
    Ok(())
}

/// zmq_bind of a datagram endpoint (DISH, DGRAM). As in libzmq the
/// address is resolved now and the socket opened on the io thread: a bind
/// that resolves succeeds, and one the system refuses is tried again
/// there.
pub(crate) fn bind_datagram(
    core: &mut Core,
    addr: &str,
    transport: &'static dyn DatagramTransport,
    rest: &str,
) -> Result<()> {
    let ty = core.base.options.socket_type;
    if !ty.may_use_udp() || !ty.binds_udp() {
        return Err(Error::ENOCOMPATPROTO);
    }
    let thread = core.base.ctx.io_thread()?;
    start_datagram(core, addr, transport, rest, true, thread)
}

/// zmq_connect of a datagram endpoint (RADIO); libzmq picks the io thread
/// before it checks the direction.
pub(crate) fn connect_datagram(
    core: &mut Core,
    addr: &str,
    transport: &'static dyn DatagramTransport,
    rest: &str,
) -> Result<()> {
    let ty = core.base.options.socket_type;
    if !ty.may_use_udp() {
        return Err(Error::ENOCOMPATPROTO);
    }
    let thread = core.base.ctx.io_thread()?;
    if !ty.connects_udp() {
        return Err(Error::ENOCOMPATPROTO);
    }
    start_datagram(core, addr, transport, rest, false, thread)
}

/// The pipe is made and attached now, for every group (the socket's end
/// takes all messages: a datagram transport has no subscriptions), as in
/// libzmq; ZMQ_LAST_ENDPOINT is the address as given, without the scheme.
fn start_datagram(
    core: &mut Core,
    addr: &str,
    transport: &'static dyn DatagramTransport,
    rest: &str,
    bind: bool,
    thread: Arc<IoThread>,
) -> Result<()> {
    let link = link_of(&core.base);
    let address = transport.resolve(rest, bind, &link.config.transport)?;
    let (mut mine, mut theirs) = core.base.options.network_pipe();
    mine.endpoint = addr.to_owned();
    theirs.endpoint = addr.to_owned();
    core.attach_pipe(mine, true, true);
    core.base.last_endpoint = address.endpoint().to_owned();
    let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    let stats = Arc::new(DatagramStats::default());
    let counted = stats.clone();
    thread.run(move |r| DatagramEndpoint::start(r, link, transport, address, theirs, key, counted));
    core.base.mailbox.send(crate::pipe::SocketCommand::Own);
    core.base.net.push(NetEndpoint {
        uri: addr.to_owned(),
        thread,
        key,
        datagrams: Some(stats),
    });
    Ok(())
}

/// What the socket's datagram endpoints moved and dropped, summed.
pub(crate) fn datagram_counts(b: &Base) -> DatagramCounts {
    let mut c = DatagramCounts::default();
    for s in b.net.iter().filter_map(|e| e.datagrams.as_ref()) {
        c += s.counts();
    }
    c
}

/// zmq_unbind / zmq_disconnect of a network endpoint; ENOENT if this
/// socket has no such endpoint.
pub(crate) fn term(core: &mut Core, addr: &str, scheme: Scheme) -> Result<()> {
    let ipv6 = core.base.options.ipv6;
    let net = &core.base.net;
    let key = match scheme {
        Scheme::Stream(t) => t.term_key(addr, ipv6, &|k| net.iter().any(|e| e.uri == k)),
        // libzmq keys a udp endpoint by the text as given.
        Scheme::Datagram(_) => addr.to_owned(),
    };
    let mut found = false;
    let mut i = 0;
    while i < core.base.net.len() {
        if core.base.net[i].uri == key {
            let e = core.base.net.remove(i);
            e.thread.run(move |r| r.terminate_tagged(e.key));
            found = true;
        } else {
            i += 1;
        }
    }
    // The socket's ends of connect pipes go too (queued messages are lost).
    for s in core.base.pipes.slots() {
        let p = core.base.pipes.get(s);
        if p.locally_initiated && p.endpoint == key {
            core.base.pipes.terminate(s);
        }
    }
    core.sweep();
    if found {
        Ok(())
    } else {
        Err(Error::ENOENT)
    }
}

/// zmq_close: every endpoint ends (connections still linger on their io
/// thread for what was sent). Returns the io thread told last, if any.
pub(crate) fn close_all(b: &mut Base) -> Option<Arc<IoThread>> {
    let mut last = None;
    for e in b.net.drain(..) {
        let key = e.key;
        e.thread.run(move |r| r.terminate_tagged(key));
        last = Some(e.thread);
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SocketType::{self, Dealer, Pub, Router, Stream, Sub, XSub};

    #[test]
    fn transport_defaults_are_the_options_defaults() {
        let o = Options::new(Pub);
        assert_eq!(tcp_config(&o), TcpConfig::default());
        assert_eq!(ipc_config(&o), IpcConfig::default());
        assert_eq!(socks_config(&o), SocksConfig::default());
        assert!(!socks_config(&o).enabled());
        assert_eq!(udp_config(&o), UdpConfig::default());
        assert_eq!(wss_config(&o), WssConfig::default());
    }

    #[test]
    fn wss_options_reach_the_transport() {
        let mut o = Options::new(Dealer);
        o.wss_cert_pem = b"cert".to_vec();
        o.wss_key_pem = b"PRIVATE".to_vec();
        o.wss_trust_pem = b"trust".to_vec();
        o.wss_hostname = b"zeromq.org".to_vec();
        o.wss_trust_system = true;
        let cfg = endpoint_config(&o).transport.wss;
        assert_eq!(
            cfg,
            WssConfig::new(b"PRIVATE", b"cert", b"trust", b"zeromq.org", true)
        );
        assert_ne!(
            cfg,
            WssConfig::new(b"PRIVATE", b"cert", b"trust", b"zeromq.org", false)
        );
        assert_ne!(
            cfg,
            WssConfig::new(b"PRIVATE", b"cert", b"trust", b"", true)
        );
        // The private key stays out of debug output, as text or octets.
        let shown = format!("{cfg:?}");
        assert!(
            !shown.contains("PRIVATE") && !shown.contains("80, 82, 73"),
            "{shown}"
        );
        assert!(shown.contains("zeromq.org"), "{shown}");
    }

    #[test]
    fn socket_type_rules_arrive_as_data() {
        let with = |ty: SocketType, f: &dyn Fn(&mut Options)| {
            let mut o = Options::new(ty);
            crate::socket::types::adjust_options(ty, &mut o);
            f(&mut o);
            endpoint_config(&o)
        };
        let msgs = |o: &mut Options| {
            o.hello_msg = Some(b"hi".to_vec());
            o.disconnect_msg = Some(b"bye".to_vec());
        };
        let dealer = with(Dealer, &msgs);
        assert_eq!(
            (
                dealer.hello_msg.as_deref(),
                dealer.disconnect_msg.as_deref()
            ),
            (Some(&b"hi"[..]), None)
        );
        let router = with(Router, &msgs);
        assert_eq!(
            (
                router.hello_msg.as_deref(),
                router.disconnect_msg.as_deref()
            ),
            (Some(&b"hi"[..]), Some(&b"bye"[..]))
        );
        assert!(router.session.recv_routing_id);
        let publisher = with(Pub, &msgs);
        assert_eq!(
            (publisher.hello_msg, publisher.disconnect_msg),
            (None, None)
        );
        assert!(
            with(Sub, &|_| {}).resubscribe
                && with(XSub, &|_| {}).resubscribe
                && !publisher.resubscribe
        );
        let stream = with(Stream, &|_| {});
        assert!(stream.raw && stream.raw_notify);
        let notify = with(Router, &|o| o.router_notify = ZMQ_NOTIFY_DISCONNECT);
        assert!(!notify.notify_connect && notify.notify_disconnect);
        let stop = with(Dealer, &|o| {
            o.reconnect_stop = ZMQ_RECONNECT_STOP_CONN_REFUSED | ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED
        });
        assert!(stop.reconnect.stop_on_refusal && stop.session.reconnect_stop_handshake_failed);
    }
}

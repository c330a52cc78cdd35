//! tcp connects through a real SOCKS5 proxy: Debian's microsocks, started
//! here on loopback (`.ci/deps` installs it; without it these tests say
//! so and skip). Without and with username/password authentication, to
//! an IPv4 address, an IPv6 address and a name the proxy resolves; and
//! the failures, with the monitor events libzmq 4.3.4 gives for them
//! (checked against Debian's libzmq with the same proxy): CONNECT_DELAYED,
//! CLOSED, CONNECT_RETRIED, over and over, naming the proxy, whatever
//! ZMQ_RECONNECT_STOP says.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zmq::ctx::CtxShared;
use zmq::ffi::consts::*;
use zmq::msg::Msg;
use zmq::socket::Socket;
use zmq::types::SocketType;

/// A username and password, if any.
type Credentials<'a> = Option<(&'a [u8], &'a [u8])>;

/// Only against hangs: nothing here measures time.
const HANG_GUARD: Duration = Duration::from_secs(30);

fn microsocks() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join("microsocks"))
        .find(|p| p.is_file())
}

macro_rules! proxy_or_skip {
    () => {
        match microsocks() {
            Some(p) => p,
            None => {
                eprintln!(
                    "SKIPPED: microsocks is not installed (apt-get install microsocks; .ci/deps installs it)"
                );
                return;
            }
        }
    };
}

/// A microsocks process on 127.0.0.1, killed when dropped.
struct Proxy {
    child: Child,
    port: u16,
}

impl Proxy {
    fn start(bin: &Path, credentials: Option<(&str, &str)>) -> Proxy {
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            // A free port, then the proxy on it; another process may take
            // it in between, in which case microsocks exits and we retry.
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let mut cmd = Command::new(bin);
            cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
            if let Some((u, p)) = credentials {
                cmd.args(["-u", u, "-P", p]);
            }
            let child = cmd
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("microsocks starts");
            let mut proxy = Proxy { child, port };
            loop {
                assert!(Instant::now() < deadline, "microsocks never listened");
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return proxy;
                }
                if proxy.child.try_wait().expect("microsocks status").is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn set(s: &Socket, opt: i32, v: &[u8]) {
    s.setsockopt(opt, v).unwrap();
}

fn set_int(s: &Socket, opt: i32, v: i32) {
    set(s, opt, &v.to_ne_bytes());
}

fn last_endpoint(s: &Socket) -> String {
    let mut buf = [0u8; 256];
    let mut len = buf.len();
    s.getsockopt(ZMQ_LAST_ENDPOINT, &mut buf, &mut len).unwrap();
    String::from_utf8(buf[..len - 1].to_vec()).unwrap()
}

/// A REP bound on 127.0.0.1 and ::1, the same port on both (a name may
/// resolve to either at the proxy).
fn server(ctx: &Arc<CtxShared>) -> (&'static Socket, u16) {
    loop {
        let rep = Socket::create(ctx, SocketType::Rep).unwrap();
        set_int(rep, ZMQ_IPV6, 1);
        set_int(rep, ZMQ_LINGER, 0);
        rep.bind("tcp://127.0.0.1:*").unwrap();
        let ep = last_endpoint(rep);
        let port: u16 = ep.rsplit(':').next().unwrap().parse().unwrap();
        if rep.bind(&format!("tcp://[::1]:{port}")).is_ok() {
            return (rep, port);
        }
        rep.close().unwrap();
    }
}

/// A monitor on `s` for every event (version 1 frames).
fn monitor(ctx: &Arc<CtxShared>, s: &Socket, name: &str) -> &'static Socket {
    let addr = format!("inproc://{name}");
    s.monitor(Some(&addr), ZMQ_EVENT_ALL as u64, 1, Some(SocketType::Pair))
        .unwrap();
    let m = Socket::create(ctx, SocketType::Pair).unwrap();
    set_int(m, ZMQ_RCVTIMEO, HANG_GUARD.as_millis() as i32);
    m.connect(&addr).unwrap();
    m
}

/// The next event: (event, value, endpoint).
fn event(m: &Socket) -> (i32, u32, String) {
    let mut msg = Msg::new();
    m.recv(&mut msg, 0)
        .expect("a monitor event before the hang guard");
    let d = msg.data();
    let e = i32::from(u16::from_ne_bytes([d[0], d[1]]));
    let v = u32::from_ne_bytes([d[2], d[3], d[4], d[5]]);
    m.recv(&mut msg, 0).unwrap();
    (e, v, String::from_utf8(msg.data().to_vec()).unwrap())
}

/// A REQ that connects to `target` through the proxy.
fn client(
    ctx: &Arc<CtxShared>,
    proxy: &Proxy,
    credentials: Credentials<'_>,
    target: &str,
    name: &str,
) -> (&'static Socket, &'static Socket) {
    let req = Socket::create(ctx, SocketType::Req).unwrap();
    set_int(req, ZMQ_LINGER, 0);
    set_int(req, ZMQ_RECONNECT_IVL, 20);
    // A refusal by the proxy does not end the endpoint, whatever this says.
    set_int(req, ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_CONN_REFUSED);
    set(req, ZMQ_SOCKS_PROXY, proxy.address().as_bytes());
    if let Some((u, p)) = credentials {
        set(req, ZMQ_SOCKS_USERNAME, u);
        set(req, ZMQ_SOCKS_PASSWORD, p);
    }
    let mon = monitor(ctx, req, name);
    req.connect(target).unwrap();
    // The endpoint as given, not the proxy.
    assert_eq!(last_endpoint(req), target);
    (req, mon)
}

fn round_trip(req: &Socket, rep: &Socket, text: &[u8]) {
    req.send(&mut Msg::from_slice(text), 0).unwrap();
    let mut m = Msg::new();
    rep.recv(&mut m, 0).unwrap();
    assert_eq!(m.data(), text);
    rep.send(&mut Msg::from_slice(b"back"), 0).unwrap();
    req.recv(&mut m, 0).unwrap();
    assert_eq!(m.data(), b"back");
}

/// Through the proxy to each kind of address; the monitor names the
/// proxy, as libzmq's does: (CONNECT_DELAYED,) CONNECTED,
/// HANDSHAKE_SUCCEEDED.
fn each_target_works(proxy: &Proxy, credentials: Credentials<'_>, tag: &str) {
    let ctx = CtxShared::new();
    let (rep, port) = server(&ctx);
    for (i, host) in ["127.0.0.1", "[::1]", "localhost"].iter().enumerate() {
        let target = format!("tcp://{host}:{port}");
        let (req, mon) = client(&ctx, proxy, credentials, &target, &format!("{tag}-{i}"));
        set_int(rep, ZMQ_RCVTIMEO, HANG_GUARD.as_millis() as i32);
        set_int(req, ZMQ_RCVTIMEO, HANG_GUARD.as_millis() as i32);
        round_trip(req, rep, target.as_bytes());
        let mut seen = Vec::new();
        loop {
            let (e, v, ep) = event(mon);
            assert_eq!(ep, format!("tcp://{}", proxy.address()), "{target}: {e:#x}");
            seen.push(e);
            if e == ZMQ_EVENT_CONNECT_DELAYED {
                assert_eq!(v, libc::EINPROGRESS as u32);
            }
            if e == ZMQ_EVENT_HANDSHAKE_SUCCEEDED {
                break;
            }
        }
        seen.retain(|&e| e != ZMQ_EVENT_CONNECT_DELAYED);
        assert_eq!(
            seen,
            [ZMQ_EVENT_CONNECTED, ZMQ_EVENT_HANDSHAKE_SUCCEEDED],
            "{target}"
        );
        req.close().unwrap();
        mon.close().unwrap();
    }
    rep.close().unwrap();
    ctx.terminate();
}

/// A connect the proxy turns away: per attempt (CONNECT_DELAYED,) CLOSED,
/// CONNECT_RETRIED, naming the proxy; never CONNECTED. Three rounds.
fn refused(proxy_address: &str, mon: &Socket) {
    let mut round = Vec::new();
    let mut rounds = 0;
    while rounds < 3 {
        let (e, _, ep) = event(mon);
        assert_eq!(ep, format!("tcp://{proxy_address}"), "event {e:#x}");
        round.push(e);
        if e == ZMQ_EVENT_CONNECT_RETRIED {
            round.retain(|&e| e != ZMQ_EVENT_CONNECT_DELAYED);
            assert_eq!(round, [ZMQ_EVENT_CLOSED, ZMQ_EVENT_CONNECT_RETRIED]);
            round.clear();
            rounds += 1;
        }
    }
}

#[test]
fn through_a_proxy_without_authentication() {
    let bin = proxy_or_skip!();
    let proxy = Proxy::start(&bin, None);
    each_target_works(&proxy, None, "none");
    // Credentials set to "" mean no authentication.
    each_target_works(&proxy, Some((b"", b"")), "empty");
}

#[test]
fn through_a_proxy_with_username_and_password() {
    let bin = proxy_or_skip!();
    let proxy = Proxy::start(&bin, Some(("someuser", "somepass")));
    each_target_works(&proxy, Some((b"someuser", b"somepass")), "auth");
}

#[test]
fn refused_credentials_are_retried_as_libzmq_does() {
    let bin = proxy_or_skip!();
    let proxy = Proxy::start(&bin, Some(("someuser", "somepass")));
    let ctx = CtxShared::new();
    let (rep, port) = server(&ctx);
    let target = format!("tcp://127.0.0.1:{port}");
    let cases: [(Credentials<'_>, &str); 2] = [
        // RFC 1929 status 1.
        (Some((b"someuser", b"wrong")), "wrong-password"),
        // Username/password required, none offered: method 0xff.
        (None, "no-credentials"),
    ];
    for (credentials, name) in cases {
        let (req, mon) = client(&ctx, &proxy, credentials, &target, name);
        refused(&proxy.address(), mon);
        req.close().unwrap();
        mon.close().unwrap();
    }
    rep.close().unwrap();
    ctx.terminate();
}

#[test]
fn a_proxy_that_is_down_is_retried_even_with_reconnect_stop() {
    // libzmq's SOCKS connecter ignores ZMQ_RECONNECT_STOP_CONN_REFUSED
    // (its tcp connecter stops): the proxy is retried.
    let bin = proxy_or_skip!();
    let down = Proxy::start(&bin, None);
    let address = down.address();
    drop(down);
    let ctx = CtxShared::new();
    let req = Socket::create(&ctx, SocketType::Req).unwrap();
    set_int(req, ZMQ_LINGER, 0);
    set_int(req, ZMQ_RECONNECT_IVL, 20);
    set_int(req, ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_CONN_REFUSED);
    set(req, ZMQ_SOCKS_PROXY, address.as_bytes());
    let mon = monitor(&ctx, req, "down");
    req.connect("tcp://127.0.0.1:5555").unwrap();
    refused(&address, mon);
    req.close().unwrap();
    mon.close().unwrap();
    ctx.terminate();
}

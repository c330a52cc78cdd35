//! The prelude phase with a transport made up here (not SOCKS): its
//! prelude writes `HELLO` and waits for `OK` (go on) or `NO` (refused).
//! The session must start only after it, on the same socket, and a
//! refusal must take the reconnect path.

use super::Connection;
use crate::error::{Error, Result};
use crate::io::config::{EndpointConfig, ReconnectConfig};
use crate::io::link::{self, Link};
use crate::io::monitor::MonitorSink;
use crate::io::threads::IoThreads;
use crate::io::zap::{ZapDirectory, ZapHandler};
use crate::pipe::{PipeParams, SocketMailbox};
use crate::proto::session::Config as SessionConfig;
use crate::transport::{Config, Dialing, Listening, Prelude, PreludeStatus, Transport};
use crate::types::SocketType;
use socket2::{Domain, SockAddr, Socket, Type};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::RawFd;
use std::sync::atomic::AtomicI32;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

struct Knock;

impl Transport for Knock {
    fn scheme(&self) -> &'static str {
        "knock"
    }
    fn capability(&self) -> Option<&'static str> {
        None
    }
    fn check_connect(&self, _: &str, _: bool) -> Result<()> {
        Ok(())
    }
    fn bind(&self, _: &str, _: &Config) -> Result<Box<dyn Listening>> {
        Err(Error::EPROTONOSUPPORT)
    }
    unsafe fn adopt(&self, _: RawFd) -> Result<Box<dyn Listening>> {
        Err(Error::EPROTONOSUPPORT)
    }
    fn connect_start(&self, address: &str, _: &Config) -> Result<Dialing> {
        let addr: SocketAddr = address.parse().map_err(|_| Error::EINVAL)?;
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        socket.set_nonblocking(true)?;
        let in_progress = match socket.connect(&SockAddr::from(addr)) {
            Ok(()) => false,
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => true,
            Err(e) => return Err(e.into()),
        };
        Ok(Dialing {
            socket,
            in_progress,
            prelude: Some(Box::new(KnockPrelude {
                sent: 0,
                got: Vec::new(),
            })),
        })
    }
    fn tune(&self, _: &Socket, _: &Config) -> Result<()> {
        Ok(())
    }
}

struct KnockPrelude {
    sent: usize,
    got: Vec<u8>,
}

impl Prelude for KnockPrelude {
    fn step(&mut self, sock: &Socket) -> PreludeStatus {
        while self.sent < 5 {
            match sock.send_with_flags(&b"HELLO"[self.sent..], libc::MSG_NOSIGNAL) {
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return PreludeStatus::Writable,
                Err(e) => return PreludeStatus::Failed(e.into()),
            }
        }
        while self.got.len() < 2 {
            let mut b = [0u8; 2];
            let mut s = sock;
            match s.read(&mut b[..2 - self.got.len()]) {
                Ok(0) => return PreludeStatus::Failed(Error::ECONNRESET),
                Ok(n) => self.got.extend_from_slice(&b[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return PreludeStatus::Readable,
                Err(e) => return PreludeStatus::Failed(e.into()),
            }
        }
        if self.got == b"OK" {
            PreludeStatus::Done
        } else {
            PreludeStatus::Failed(Error::ECONNREFUSED)
        }
    }
}

/// (event, remote endpoint) as the monitor gets them.
struct Recorder(Mutex<Sender<(u64, String)>>);

impl MonitorSink for Recorder {
    fn event(&self, event: u64, _: u64, _: &str, _: &str, remote: &str) {
        let _ = self.0.lock().unwrap().send((event, remote.to_owned()));
    }
}

struct NoZap;

impl ZapDirectory for NoZap {
    fn zap_handler(&self) -> Option<ZapHandler> {
        None
    }
}

static KNOCK: Knock = Knock;

/// Starts a DEALER-like connect to `uri` on a new io thread.
fn start(uri: String, stop_on_refusal: bool) -> (IoThreads, Receiver<(u64, String)>) {
    let (tx, rx) = channel();
    let hwm = PipeParams {
        out_hwm: 1000,
        in_hwm: 1000,
        conflate: false,
    };
    let config = EndpointConfig {
        session: SessionConfig::new(SocketType::Dealer),
        transport: Config::default(),
        pipe: (hwm, hwm),
        reconnect: ReconnectConfig {
            ivl: 10,
            ivl_max: 0,
            stop_on_refusal,
        },
        connect_timeout_ms: 0,
        immediate: true,
        raw: false,
        raw_notify: false,
        hello_msg: None,
        disconnect_msg: None,
        notify_connect: false,
        notify_disconnect: false,
        resubscribe: false,
        datagram: Default::default(),
    };
    let link = Link {
        socket: Arc::new(SocketMailbox::new().unwrap()),
        config: Arc::new(config),
        monitor: Arc::new(Recorder(Mutex::new(tx))),
        linger: Arc::new(AtomicI32::new(0)),
        zap: Arc::new(NoZap),
    };
    let io = IoThreads::start(1, "").unwrap();
    io.choose()
        .unwrap()
        .run(move |r| Connection::start_connect(r, link, &KNOCK, uri, None, 1));
    (io, rx)
}

fn accept(l: &TcpListener) -> TcpStream {
    let (s, _) = l.accept().unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

fn read_n(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf).unwrap();
    buf
}

/// The next event other than CONNECT_DELAYED.
fn next_event(rx: &Receiver<(u64, String)>) -> (u64, String) {
    loop {
        let e = rx.recv_timeout(WAIT).expect("a monitor event");
        if e.0 != link::CONNECT_DELAYED {
            return e;
        }
    }
}

#[test]
fn the_session_starts_after_the_prelude_on_the_same_socket() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("knock://{}", l.local_addr().unwrap());
    let (io, rx) = start(uri.clone(), false);
    let mut peer = accept(&l);
    // The prelude's octets come first: the session has not written yet.
    assert_eq!(read_n(&mut peer, 5), b"HELLO");
    peer.write_all(b"OK").unwrap();
    assert_eq!(next_event(&rx), (link::CONNECTED, uri));
    // Then the ZMTP greeting, on the same connection.
    let greeting = read_n(&mut peer, 10);
    assert_eq!((greeting[0], greeting[9]), (0xff, 0x7f));
    io.stop_and_join();
}

#[test]
fn a_failed_prelude_is_a_failed_attempt_and_is_retried() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("knock://{}", l.local_addr().unwrap());
    let (io, rx) = start(uri.clone(), false);
    for _ in 0..2 {
        let mut peer = accept(&l);
        assert_eq!(read_n(&mut peer, 5), b"HELLO");
        peer.write_all(b"NO").unwrap();
        assert_eq!(next_event(&rx).0, link::CLOSED);
        assert_eq!(next_event(&rx), (link::CONNECT_RETRIED, uri.clone()));
    }
    io.stop_and_join();
}

#[test]
fn a_refused_prelude_ends_the_endpoint_under_reconnect_stop() {
    // The default connect policy lets ZMQ_RECONNECT_STOP_CONN_REFUSED see
    // a prelude's ECONNREFUSED, as it sees a refused connect.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("knock://{}", l.local_addr().unwrap());
    let (io, rx) = start(uri.clone(), true);
    let mut peer = accept(&l);
    assert_eq!(read_n(&mut peer, 5), b"HELLO");
    peer.write_all(b"NO").unwrap();
    assert_eq!(next_event(&rx).0, link::CLOSED);
    // The connection left the reactor: the io thread stops with nothing
    // left, and no retry was scheduled before it did.
    io.stop_and_join();
    assert!(rx.try_iter().all(|(e, _)| e != link::CONNECT_RETRIED));
}

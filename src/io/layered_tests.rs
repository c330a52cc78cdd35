//! Sessions (ZMTP under NULL and CURVE, and ws) through TLS client and
//! server layers, driven as the engine drives a wire, over in-memory
//! sockets: messages both ways up to 1 MiB, refusals that fail the
//! connection cleanly, and what a peer can make us read.

use super::*;
use crate::proto::mechanism::MechanismConfig;
use crate::proto::session::{Config, Session, WsSetup};
use crate::proto::{MonitorEvent, Reason};
use crate::transport::tls::{self, WssConfig};
use crate::types::SocketType;
use std::collections::VecDeque;

const CA: &str = include_str!("../transport/tls/testdata/ca.pem");
const OTHER_CA: &str = include_str!("../transport/tls/testdata/other-ca.pem");
const SERVER: &str = include_str!("../transport/tls/testdata/server.pem");
const SERVER_KEY: &str = include_str!("../transport/tls/testdata/server.key");

fn server_tls() -> Box<dyn StreamLayer> {
    tls::server(&WssConfig::new(
        SERVER_KEY.as_bytes(),
        SERVER.as_bytes(),
        b"",
        b"",
        false,
    ))
    .unwrap()
}

fn client_tls(trust: &str, hostname: &str) -> Box<dyn StreamLayer> {
    tls::client(
        &WssConfig::new(b"", b"", trust.as_bytes(), hostname.as_bytes(), false),
        "localhost",
    )
    .unwrap()
}

/// One end of a connection, as its engine sees it.
struct End {
    wire: Box<dyn Wire>,
    pool: BufferPool,
    handshakes: usize,
    received: Vec<Msg>,
    failure: Option<Failure>,
    /// The most room a read may be offered.
    max_room: usize,
}

impl End {
    fn new(wire: Box<dyn Wire>) -> End {
        End {
            wire,
            pool: BufferPool::new(),
            handshakes: 0,
            received: Vec::new(),
            failure: None,
            max_room: usize::MAX,
        }
    }

    fn poll(&mut self, now: Instant) {
        while self.failure.is_none() {
            match self.wire.poll_event(now) {
                Ok(Some(Event::Handshake(_))) => self.handshakes += 1,
                Ok(Some(Event::Message(m))) => self.received.push(m),
                Ok(Some(Event::ZapRequest(_))) => {
                    if let Err(f) = self.wire.zap_reply(ZapVerdict::NoHandler, now) {
                        self.failure = Some(f);
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(f) => self.failure = Some(f),
            }
        }
    }

    /// Writes what the wire has into `socket`, `chunk` octets per write.
    fn write(&mut self, socket: &mut VecDeque<u8>, chunk: usize) -> bool {
        let mut moved = false;
        while self.failure.is_none() && self.wire.out_len() > 0 {
            let mut slices = [IoSlice::new(&[]); 64];
            let n = self.wire.out_slices(&mut slices);
            assert!(n > 0, "octets to write that are not there");
            let mut taken = 0;
            for s in &slices[..n] {
                // Encrypted ahead of the socket by SEAL_AHEAD at most.
                assert!(s.len() <= SEAL_AHEAD + 4096, "{} octets sealed", s.len());
                let take = s.len().min(chunk - taken);
                socket.extend(&s[..take]);
                taken += take;
                if taken == chunk {
                    break;
                }
            }
            self.wire.out_consumed(taken);
            moved = true;
        }
        moved
    }

    /// Reads from `socket` as the engine would, `chunk` octets at most
    /// per read, delivering after each.
    fn read(&mut self, socket: &mut VecDeque<u8>, chunk: usize, now: Instant) -> bool {
        let mut moved = false;
        while self.failure.is_none() && self.wire.wants_input() && !socket.is_empty() {
            let buf = self.wire.read_buffer(&mut self.pool);
            let room = buf.capacity() - buf.len();
            assert!(room <= self.max_room, "{room} octets of room");
            let n = room.min(chunk).min(socket.len());
            buf.extend(socket.drain(..n));
            self.wire.on_read();
            moved = true;
            self.poll(now);
        }
        if socket.is_empty() {
            self.wire.release_input(&mut self.pool);
        }
        moved
    }

    fn send(&mut self, body: Vec<u8>) {
        assert!(self.wire.can_send());
        let msg = if body.len() <= crate::msg::INLINE_MAX {
            Msg::from_slice(&body)
        } else {
            Msg::from_bytes(body.into())
        };
        self.wire.send(msg).unwrap();
    }
}

/// Moves octets both ways until nothing moves.
fn run(a: &mut End, b: &mut End, chunk: usize, now: Instant) {
    let (mut ab, mut ba) = (VecDeque::new(), VecDeque::new());
    for _ in 0..100_000 {
        a.poll(now);
        b.poll(now);
        let moved = a.write(&mut ab, chunk)
            | b.write(&mut ba, chunk)
            | b.read(&mut ab, chunk, now)
            | a.read(&mut ba, chunk, now);
        if !moved {
            return;
        }
    }
    panic!("the connection never went quiet");
}

fn pair_cfg(connecting: bool) -> Config {
    let mut c = Config::new(SocketType::Pair);
    c.connecting = connecting;
    c.peer_address = "127.0.0.1".into();
    c
}

fn zmtp(cfg: Config, now: Instant) -> Box<dyn Wire> {
    Box::new(Session::new(cfg, now))
}

fn over_tls(inner: Box<dyn Wire>, layer: Box<dyn StreamLayer>) -> End {
    let mut end = End::new(Box::new(Layered::new(inner, layer)));
    end.max_room = LAYER_INPUT_MAX;
    end
}

fn bodies() -> Vec<Vec<u8>> {
    let big: Vec<u8> = (0..1024 * 1024u32).map(|i| (i * 31 % 253) as u8).collect();
    vec![
        b"hello".to_vec(),
        vec![7; 300],
        big,
        b"".to_vec(),
        vec![9; 70_000],
    ]
}

/// Both ends shake hands, then each sends every body; both get them all,
/// in order.
fn exchange(client: &mut End, server: &mut End, chunk: usize, now: Instant) {
    run(client, server, chunk, now);
    assert_eq!((client.failure, server.failure), (None, None));
    assert_eq!((client.handshakes, server.handshakes), (1, 1));
    for body in bodies() {
        client.send(body.clone());
        server.send(body);
    }
    run(client, server, chunk, now);
    assert_eq!((client.failure, server.failure), (None, None));
    for end in [&*client, &*server] {
        let got: Vec<&[u8]> = end.received.iter().map(|m| m.data()).collect();
        let want = bodies();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert!(*g == &w[..], "a body of {} octets differs", w.len());
        }
    }
}

#[test]
fn null_sessions_exchange_messages_through_tls() {
    for chunk in [1 << 20, 1000] {
        let now = Instant::now();
        let mut client = over_tls(zmtp(pair_cfg(true), now), client_tls(CA, "localhost"));
        let mut server = over_tls(zmtp(pair_cfg(false), now), server_tls());
        exchange(&mut client, &mut server, chunk, now);
    }
}

#[test]
fn curve_sessions_exchange_messages_through_tls() {
    let keys = |seed: u8| {
        let secret = [seed; 32];
        (crate::util::curve::public_from_secret(&secret), secret)
    };
    let (server_public, server_secret) = keys(1);
    let (client_public, client_secret) = keys(2);
    let now = Instant::now();
    let mut c = pair_cfg(true);
    c.mechanism = MechanismConfig::Curve {
        server: false,
        public: client_public,
        secret: client_secret,
        server_key: server_public,
    };
    let mut s = pair_cfg(false);
    s.mechanism = MechanismConfig::Curve {
        server: true,
        public: server_public,
        secret: server_secret,
        server_key: [0; 32],
    };
    let mut client = over_tls(zmtp(c, now), client_tls(CA, "zmq.test"));
    let mut server = over_tls(zmtp(s, now), server_tls());
    exchange(&mut client, &mut server, 16_000, now);
}

#[test]
fn ws_sessions_run_over_tls() {
    let now = Instant::now();
    let client_ws = Session::new_ws(pair_cfg(true), WsSetup::client("localhost:5555", "/p"), now);
    let server_ws = Session::new_ws(pair_cfg(false), WsSetup::server(), now);
    let mut client = over_tls(Box::new(client_ws), client_tls(CA, ""));
    let mut server = over_tls(Box::new(server_ws), server_tls());
    exchange(&mut client, &mut server, 4096, now);
}

/// The client's failure after a handshake its layer refused: reported as
/// a failed handshake, and the connection retried (libzmq's
/// HANDSHAKE_FAILED_NO_DETAIL, then DISCONNECTED and a reconnect).
fn refused(client: &mut End, server: &mut End) -> Failure {
    let now = Instant::now();
    run(client, server, 1 << 20, now);
    assert_eq!(client.handshakes, 0);
    assert!(client.received.is_empty());
    let f = client.failure.expect("the client failed");
    assert_eq!(f.reason, Reason::Connection);
    f
}

#[test]
fn a_refused_certificate_fails_the_client() {
    let now = Instant::now();
    for (trust, hostname) in [(OTHER_CA, ""), ("", ""), (CA, "example.org")] {
        let mut client = over_tls(zmtp(pair_cfg(true), now), client_tls(trust, hostname));
        let mut server = over_tls(zmtp(pair_cfg(false), now), server_tls());
        let f = refused(&mut client, &mut server);
        assert_eq!(
            f.event,
            MonitorEvent::NoDetail(libc::EAGAIN),
            "{trust:.30} {hostname}"
        );
        assert_eq!(server.handshakes, 0);
        assert!(server.received.is_empty());
        // Final: the wire keeps saying so, and wants nothing more.
        assert!(matches!(client.wire.poll_event(now), Err(g) if g == f));
        assert!(!client.wire.wants_input() && !client.wire.can_send());
    }
}

#[test]
fn a_peer_that_speaks_no_tls_fails_the_connection() {
    let now = Instant::now();
    // A plain ZMTP client at a wss server: its greeting is no TLS.
    let mut plain = End::new(zmtp(pair_cfg(true), now));
    let mut server = over_tls(zmtp(pair_cfg(false), now), server_tls());
    run(&mut plain, &mut server, 1 << 20, now);
    let f = server.failure.expect("the server failed");
    assert_eq!(f.event, MonitorEvent::NoDetail(libc::EAGAIN));
    assert_eq!(server.handshakes, 0);
    // A wss client at a plain ZMTP server, which greets first (and takes
    // the ClientHello for a ZMTP/1.0 peer's identity, as libzmq would).
    let mut client = over_tls(zmtp(pair_cfg(true), now), client_tls(CA, ""));
    let mut plain = End::new(zmtp(pair_cfg(false), now));
    let f = refused(&mut client, &mut plain);
    assert_eq!(f.event, MonitorEvent::NoDetail(libc::EAGAIN));
}

#[test]
fn a_session_with_undelivered_input_stops_the_reading() {
    let now = Instant::now();
    let mut client = over_tls(zmtp(pair_cfg(true), now), client_tls(CA, "localhost"));
    let mut server = over_tls(zmtp(pair_cfg(false), now), server_tls());
    run(&mut client, &mut server, 1 << 20, now);
    assert_eq!((client.handshakes, server.handshakes), (1, 1));
    for _ in 0..64 {
        client.send(vec![5; 65_536]);
    }
    let mut ab = VecDeque::new();
    client.write(&mut ab, 1 << 20);
    assert!(ab.len() > 64 * 65_536);
    // The server's engine reads once, and delivers nothing (its pipe is
    // full): the wire then wants no more input, however much is waiting.
    let buf = server.wire.read_buffer(&mut server.pool);
    let n = (buf.capacity() - buf.len()).min(ab.len());
    assert!(n <= LAYER_INPUT_MAX);
    buf.extend(ab.drain(..n));
    server.wire.on_read();
    assert!(!server.wire.wants_input());
    // Once it delivers again, everything arrives.
    server.poll(now);
    assert!(server.wire.wants_input());
    server.read(&mut ab, 1 << 20, now);
    assert!(ab.is_empty());
    assert_eq!(server.received.len(), 64);
    assert!(server.received.iter().all(|m| m.data() == [5; 65_536]));
    assert_eq!(server.failure, None);
}

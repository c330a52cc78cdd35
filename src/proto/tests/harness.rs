//! A tiny in-memory "network" for sessions.

use crate::msg::Msg;
use crate::proto::session::{Config, Event, Session, WsSetup};
use crate::proto::Failure;
use crate::types::SocketType;
use std::time::Instant;

/// A session plus everything it has reported.
pub(super) struct Peer {
    pub s: Session,
    pub events: Vec<Event>,
    pub failure: Option<Failure>,
}

impl Peer {
    pub(super) fn new(cfg: Config, now: Instant) -> Peer {
        Peer {
            s: Session::new(cfg, now),
            events: Vec::new(),
            failure: None,
        }
    }

    /// A ws session: the client (connecting) side asks for `/p` on host
    /// `h`, with fixed random inputs.
    pub(super) fn new_ws(cfg: Config, now: Instant) -> Peer {
        let setup = WsSetup {
            client: cfg.connecting.then(|| ("h".to_owned(), "/p".to_owned())),
            nonce: [7; 16],
            mask_seed: 42,
        };
        Peer {
            s: Session::new_ws(cfg, setup, now),
            events: Vec::new(),
            failure: None,
        }
    }

    /// Pulls every available event.
    pub(super) fn drain(&mut self, now: Instant) {
        loop {
            match self.s.poll_event(now) {
                Ok(Some(e)) => self.events.push(e),
                Ok(None) => return,
                Err(f) => {
                    self.failure = Some(f);
                    return;
                }
            }
        }
    }

    /// Feeds `data` in pieces of `chunk` octets, draining after each.
    pub(super) fn feed(&mut self, data: &[u8], chunk: usize, now: Instant) {
        for piece in data.chunks(chunk.max(1)) {
            if self.failure.is_some() {
                return;
            }
            self.s.on_input(piece);
            self.drain(now);
        }
    }

    /// Takes everything the session wants written.
    pub(super) fn take_output(&mut self) -> Vec<u8> {
        let mut v = Vec::new();
        for c in self.s.out_chunks() {
            v.extend_from_slice(c);
        }
        self.s.out_consumed(v.len());
        v
    }

    pub(super) fn messages(&self) -> Vec<&Msg> {
        self.events
            .iter()
            .filter_map(|e| {
                if let Event::Message(m) = e {
                    Some(m)
                } else {
                    None
                }
            })
            .collect()
    }

    pub(super) fn handshakes(&self) -> Vec<&crate::proto::HandshakeInfo> {
        self.events
            .iter()
            .filter_map(|e| {
                if let Event::Handshake(h) = e {
                    Some(h)
                } else {
                    None
                }
            })
            .collect()
    }

    pub(super) fn send(&mut self, data: &[u8], flags: u8) {
        let mut m = Msg::from_slice(data);
        m.set_flags(flags);
        self.s.send(m).expect("send");
    }
}

/// Moves bytes both ways until nothing moves, in pieces of `chunk`;
/// `patch` may rewrite what `a` sends (to impersonate an older peer).
pub(super) fn run_with(
    a: &mut Peer,
    b: &mut Peer,
    chunk: usize,
    now: Instant,
    patch: &mut dyn FnMut(&mut [u8], usize),
) {
    let mut a_sent = 0;
    for _ in 0..10_000 {
        let mut out_a = a.take_output();
        patch(&mut out_a, a_sent);
        a_sent += out_a.len();
        let out_b = b.take_output();
        if out_a.is_empty() && out_b.is_empty() {
            a.drain(now);
            b.drain(now);
            if a.s.out_len() == 0 && b.s.out_len() == 0 {
                return;
            }
            continue;
        }
        b.feed(&out_a, chunk, now);
        a.feed(&out_b, chunk, now);
    }
    panic!("sessions never went quiet");
}

pub(super) fn run(a: &mut Peer, b: &mut Peer, chunk: usize, now: Instant) {
    run_with(a, b, chunk, now, &mut |_, _| {});
}

/// Makes a 3.1 session's greeting announce minor version 0.
pub(super) fn as_zmtp30(out: &mut [u8], already_sent: usize) {
    if already_sent <= 11 && already_sent + out.len() > 11 {
        out[11 - already_sent] = 0;
    }
}

pub(super) fn cfg(socket_type: SocketType) -> Config {
    Config::new(socket_type)
}

/// The ZMTP/3.x greeting a libzmq 4.3.3+ NULL peer sends, in full.
pub(super) fn v3_greeting(routing_id_len: u8, minor: u8, mechanism: &[u8]) -> Vec<u8> {
    let mut g = vec![
        0xFF,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        routing_id_len + 1,
        0x7F,
        3,
        minor,
    ];
    let mut m = [0u8; 20];
    m[..mechanism.len()].copy_from_slice(mechanism);
    g.extend_from_slice(&m);
    g.extend_from_slice(&[0u8; 32]);
    g
}

/// A READY command frame as a 3.x peer sends it.
pub(super) fn ready_frame(props: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut body = b"\x05READY".to_vec();
    for (n, v) in props {
        crate::proto::metadata::encode_property(&mut body, n, v);
    }
    frame(0x04, &body)
}

/// One ZMTP/2.0+ frame with the given wire flags (LONG added if needed).
pub(super) fn frame(flags: u8, body: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    if body.len() > 255 {
        f.push(flags | 0x02);
        f.extend_from_slice(&(body.len() as u64).to_be_bytes());
    } else {
        f.push(flags);
        f.push(body.len() as u8);
    }
    f.extend_from_slice(body);
    f
}

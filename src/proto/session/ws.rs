//! ZMTP over WebSocket inside the session: the HTTP upgrade in place of
//! the greeting, WebSocket frames in place of ZMTP's framing, ping and
//! pong frames for heartbeats (see `proto::ws` for the wire format).

use super::{Config, Event, Session, HANDSHAKE_FRAME_MAX};
use crate::error::Error;
use crate::msg::Msg;
use crate::proto::codec::OutQueue;
use crate::proto::greeting::Version;
use crate::proto::mechanism::MechanismConfig;
use crate::proto::ws::frame::{Control, Decoder, Encoder, Frame, Role, Sink};
use crate::proto::ws::upgrade::{ClientUpgrade, Mechanism, Protocol, ServerUpgrade};
use crate::proto::{Failure, Reason};
use bytes::{Buf, Bytes};
use std::time::Instant;

/// Which end of a ws connection a session is, and its random inputs.
#[derive(Clone, Debug)]
pub struct WsSetup {
    /// The connecting side: the `Host:` text (the endpoint before its last
    /// colon) and the path it asks for. None: the accepting side.
    pub client: Option<(String, String)>,
    /// The client's Sec-WebSocket-Key material.
    pub nonce: [u8; 16],
    /// Seeds the client's masking keys.
    pub mask_seed: u64,
}

impl WsSetup {
    /// The connecting side, with fresh random inputs from the OS.
    pub fn client(host: &str, path: &str) -> WsSetup {
        WsSetup {
            client: Some((host.to_owned(), path.to_owned())),
            ..WsSetup::server()
        }
    }

    /// The accepting side.
    pub fn server() -> WsSetup {
        let mut r = [0u8; 24];
        // Masking keys only defeat proxy cache poisoning, and the key is
        // a nonce the server echoes hashed: the clock will do without an
        // OS generator.
        if getrandom::getrandom(&mut r).is_err() {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(7);
            r[..16].copy_from_slice(&t.to_le_bytes());
            r[16..].copy_from_slice(&(t as u64).rotate_left(17).to_le_bytes());
        }
        let mut nonce = [0u8; 16];
        nonce.copy_from_slice(&r[..16]);
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&r[16..]);
        WsSetup {
            client: None,
            nonce,
            mask_seed: u64::from_le_bytes(seed),
        }
    }
}

enum Upgrade {
    Client(ClientUpgrade),
    Server(ServerUpgrade),
    Done,
}

pub(super) struct WsLink {
    upgrade: Upgrade,
    decoder: Decoder,
    encoder: Encoder,
}

impl Sink for OutQueue {
    fn push_slice(&mut self, data: &[u8]) {
        OutQueue::push_slice(self, data)
    }
    fn push_bytes(&mut self, data: Bytes) {
        OutQueue::push_bytes(self, data)
    }
}

fn mechanism(cfg: &MechanismConfig) -> Mechanism {
    match cfg {
        MechanismConfig::Null => Mechanism::Null,
        MechanismConfig::Plain { .. } => Mechanism::Plain,
        MechanismConfig::Curve { .. } => Mechanism::Curve,
    }
}

impl WsLink {
    /// A client queues its request in `out` at once.
    pub(super) fn new(cfg: &Config, setup: WsSetup, out: &mut OutQueue) -> WsLink {
        let mech = mechanism(&cfg.mechanism);
        let (role, upgrade) = match &setup.client {
            Some((host, path)) => {
                let c = ClientUpgrade::new(mech, setup.nonce);
                out.push_slice(&c.request(host, path));
                (Role::Client, Upgrade::Client(c))
            }
            None => (Role::Server, Upgrade::Server(ServerUpgrade::new(mech))),
        };
        let mut decoder = Decoder::new(role, cfg.max_msg_size);
        decoder.set_limit(Some(HANDSHAKE_FRAME_MAX));
        WsLink {
            upgrade,
            decoder,
            encoder: Encoder::new(role, setup.mask_seed),
        }
    }

    pub(super) fn wanted(&self, input: &[u8]) -> usize {
        match self.upgrade {
            Upgrade::Done => self.decoder.wanted(input),
            _ => 0,
        }
    }

    pub(super) fn encode(&mut self, m: &Msg, out: &mut OutQueue) {
        self.encoder.encode(m, out);
    }

    pub(super) fn ping(&mut self, out: &mut OutQueue) {
        self.encoder.control(Control::Ping, b"", out);
    }
}

impl Session {
    /// Feeds the HTTP upgrade; true once it is done and the protocol it
    /// agreed has started.
    pub(super) fn advance_upgrade(&mut self, now: Instant) -> Result<bool, Failure> {
        let Some(ws) = self.ws.as_deref_mut() else {
            return Ok(true);
        };
        let fed = match &mut ws.upgrade {
            Upgrade::Client(c) => c.feed(&self.input),
            Upgrade::Server(s) => s.feed(&self.input),
            Upgrade::Done => return Ok(true),
        };
        // libzmq raises HANDSHAKE_FAILED_PROTOCOL, sends nothing more and
        // does not reconnect.
        let up = match fed {
            Err(e) => return Err(Failure::protocol_code(e.code())),
            Ok(None) => {
                let n = self.input.len();
                self.input.advance(n);
                return Ok(false);
            }
            Ok(Some(up)) => up,
        };
        ws.upgrade = Upgrade::Done;
        self.input.advance(up.used);
        self.out.push_slice(&up.reply);
        self.events.push_back(Event::Upgraded);
        match up.protocol {
            Protocol::Bare => {
                // As ZMTP/2.0: each side's first message is its routing id.
                self.version = Some(Version::V2);
                let id = Msg::from_slice(&self.cfg.routing_id);
                ws.encode(&id, &mut self.out);
                self.start_legacy(now)?;
            }
            Protocol::Zmtp(_) => {
                self.version = Some(Version::V3_1);
                self.start_mechanism(false, now)?;
            }
        }
        Ok(true)
    }

    /// The next ws frame that carries a ZMTP frame, answering pings and
    /// echoing a close on the way. Ok(None): none whole yet.
    pub(super) fn next_ws_frame(&mut self) -> Result<Option<Msg>, Failure> {
        let Some(ws) = self.ws.as_deref_mut() else {
            return Ok(None);
        };
        loop {
            let frame = match ws.decoder.decode(&mut self.input) {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(None),
                Err(e) => return Err(self.decode_failure(e)),
            };
            // Any frame proves the peer alive, as in libzmq's ws engine.
            self.timers.on_inbound();
            match frame {
                Frame::Message(m) => return Ok(Some(m)),
                // Answered with an empty pong, whatever the ping carried.
                Frame::Ping(_) => ws.encoder.control(Control::Pong, b"", &mut self.out),
                Frame::Pong(_) => {}
                Frame::Close(payload) => {
                    // Echoed, then the connection ends (libzmq ends it when
                    // it next sends; we at once, after the echo goes out).
                    ws.encoder.control(Control::Close, &payload, &mut self.out);
                    return Err(Failure {
                        event: crate::proto::MonitorEvent::None,
                        reason: Reason::Connection,
                        errno: Error::ECONNRESET,
                        handshaked: false,
                    });
                }
            }
        }
    }

    /// Bounds (Some) or unbounds the frames the decoder accepts.
    pub(super) fn set_decode_limit(&mut self, limit: Option<usize>) {
        match self.ws.as_deref_mut() {
            Some(ws) => ws.decoder.set_limit(limit),
            None => self.decoder.set_limit(limit),
        }
    }
}

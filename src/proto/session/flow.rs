//! The session's inner steps: finishing the greeting, driving the
//! mechanism, and turning frames into events.

use super::{Event, HandshakeInfo, Phase, Session, HANDSHAKE_FRAME_MAX};
use crate::error::Error;
use crate::msg::{self, Msg};
use crate::proto::codec::{Decoder, Encoder, Framing};
use crate::proto::command::{self, Command};
use crate::proto::greeting::Version;
use crate::proto::mechanism::{MechanismOptions, Status};
use crate::proto::metadata::Properties;
use crate::proto::recycle::InputBuf;
use crate::proto::{code, Failure};
use bytes::{Buf, BufMut, BytesMut};
use std::sync::Arc;
use std::time::Instant;

impl Session {
    pub(super) fn next_event(&mut self, now: Instant) -> Result<Option<Event>, Failure> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Ok(Some(e));
            }
            if let Phase::Greeting(_) = self.phase {
                if !self.advance_greeting(now)? {
                    return Ok(None);
                }
                continue;
            }
            if let Phase::Upgrade = self.phase {
                if !self.advance_upgrade(now)? {
                    return Ok(None);
                }
                continue;
            }
            if self.ws.is_some() {
                match self.next_ws_frame()? {
                    Some(frame) => match self.on_frame(frame, now)? {
                        Some(e) => return Ok(Some(e)),
                        None => continue,
                    },
                    None => return Ok(None),
                }
            }
            let frame = match self.decoder.decode(&mut self.input) {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(None),
                Err(e) => return Err(self.decode_failure(e)),
            };
            if let Some(e) = self.on_frame(frame, now)? {
                return Ok(Some(e));
            }
        }
    }

    /// What a decoder's error ends the connection as.
    pub(super) fn decode_failure(&self, e: Error) -> Failure {
        match e {
            // Over HANDSHAKE_FRAME_MAX: no handshake command is that large.
            Error::ENOBUFS if matches!(self.phase, Phase::Handshake) => {
                Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
            }
            e => Failure::protocol(e),
        }
    }

    /// Feeds the greeting; true once it is complete and the session has
    /// moved on.
    fn advance_greeting(&mut self, now: Instant) -> Result<bool, Failure> {
        let Phase::Greeting(g) = &mut self.phase else {
            return Ok(true);
        };
        let mut staged = Vec::new();
        let (used, version) = g.feed(&self.input, &mut staged);
        self.input.advance(used);
        self.out.push_slice(&staged);
        let Some(version) = version else {
            return Ok(false);
        };
        self.version = Some(version);
        if !version.has_mechanism() && self.cfg.mechanism.zap_enabled(&self.cfg.zap_domain) {
            // Security is configured: a peer that cannot do it is refused.
            return Err(Failure::protocol(Error::EPROTO));
        }
        match version {
            Version::V1Unversioned => {
                // What looked like a greeting is the peer's identity frame.
                let mut replay = BytesMut::with_capacity(g.received().len() + self.input.len());
                replay.put_slice(g.received());
                replay.put_slice(&self.input);
                self.input = InputBuf::foreign(replay);
                self.set_framing(Framing::V1, Framing::V1);
                // Our signature already was the header of our identity
                // frame (0xFF, u64 id_len + 1, flags): only its body is left.
                let id = self.cfg.routing_id.clone();
                self.out.push_slice(&id);
                self.subscribe_all = self.cfg.socket_type.subscribes_to_all_on_old_links();
                self.start_legacy(now)?;
            }
            Version::V1 | Version::V2 => {
                let f = if version == Version::V1 {
                    Framing::V1
                } else {
                    Framing::V2
                };
                self.set_framing(f, f);
                let id = Msg::from_slice(&self.cfg.routing_id);
                self.encoder.encode(&id, &mut self.out);
                self.start_legacy(now)?;
            }
            Version::V3_0 | Version::V3_1 => {
                if g.peer_mechanism() != g.our_mechanism() {
                    return Err(Failure::protocol_code(code::ZMTP_MECHANISM_MISMATCH));
                }
                let enc = if version == Version::V3_0 {
                    Framing::V2
                } else {
                    Framing::V3_1
                };
                self.set_framing(enc, Framing::V2);
                self.start_mechanism(version == Version::V3_0, now)?;
            }
        }
        Ok(true)
    }

    /// Creates the mechanism and starts its handshake (ZMTP/3.x, and ws
    /// with a mechanism).
    pub(super) fn start_mechanism(&mut self, downgrade: bool, now: Instant) -> Result<(), Failure> {
        let opts = MechanismOptions {
            socket_type: self.cfg.socket_type,
            routing_id: self.cfg.routing_id.clone(),
            app_metadata: self.cfg.metadata.clone(),
            recv_routing_id: self.cfg.recv_routing_id,
            zap_domain: self.cfg.zap_domain.clone(),
            zap_enforce_domain: self.cfg.zap_enforce_domain,
            peer_address: self.cfg.peer_address.clone(),
            downgrade_subscriptions: downgrade,
        };
        self.mech = Some(match self.random.take() {
            Some(random) => self.cfg.mechanism.create_with(opts, random),
            None => self.cfg.mechanism.create(opts),
        });
        self.phase = Phase::Handshake;
        self.pump_mechanism(now)
    }

    /// Only called before the handshake: the decoder starts bounded.
    fn set_framing(&mut self, encode: Framing, decode: Framing) {
        self.encoder = Encoder::new(encode);
        self.decoder = Decoder::new(decode, self.cfg.max_msg_size);
        self.decoder.set_limit(Some(HANDSHAKE_FRAME_MAX));
    }

    /// ZMTP/1.0 and 2.0 have no handshake beyond identities: frames may flow.
    /// (libzmq leaves its handshake timer running here and drops the
    /// connection when it fires; we do not copy that bug.)
    pub(super) fn start_legacy(&mut self, now: Instant) -> Result<(), Failure> {
        // Bare ZWS2.0 has heartbeats (libzmq starts them with no
        // mechanism there); ZMTP/1.0 and 2.0 do not.
        self.timers.handshake_done(now, self.ws.is_some());
        self.phase = Phase::LegacyIdentity;
        self.release_held()
    }

    /// Sends what the mechanism has to send, surfaces its ZAP request and
    /// acts on its status.
    pub(super) fn pump_mechanism(&mut self, now: Instant) -> Result<(), Failure> {
        let Some(mech) = self.mech.as_mut() else {
            return Ok(());
        };
        if !matches!(self.phase, Phase::Handshake) {
            return Ok(());
        }
        while let Some(cmd) = mech.next_handshake_command()? {
            match self.ws.as_deref_mut() {
                Some(ws) => ws.encode(&cmd, &mut self.out),
                None => self.encoder.encode(&cmd, &mut self.out),
            }
        }
        if let Some(req) = mech.take_zap_request() {
            self.events.push_back(Event::ZapRequest(req));
        }
        if let Some(status) = mech.take_auth_event() {
            self.events.push_back(Event::AuthRefused(status));
        }
        match mech.status() {
            Status::Handshaking | Status::Refused => Ok(()),
            Status::Failed(f) => Err(f),
            Status::Ready => self.mechanism_ready(now),
        }
    }

    /// The handshake is complete: compile the metadata messages will carry
    /// (engine properties, then ZAP's, then the peer's; first name wins).
    fn mechanism_ready(&mut self, now: Instant) -> Result<(), Failure> {
        let Some(mech) = self.mech.as_ref() else {
            return Ok(());
        };
        self.timers.handshake_done(now, true);
        let peer = mech.peer();
        let mut props = Properties::new();
        for (n, v) in &self.cfg.engine_properties {
            props.insert_absent(n.as_bytes(), v);
        }
        props.merge_absent(&peer.zap_properties);
        props.merge_absent(&peer.properties);
        self.metadata = (!props.is_empty()).then(|| Arc::new(props.to_metadata()));
        let info = HandshakeInfo {
            version: self.version.unwrap_or(Version::V3_1),
            peer_routing_id: self.cfg.recv_routing_id.then(|| peer.routing_id.clone()),
            metadata: self.metadata.clone(),
            peer_properties: peer.properties.clone(),
            user_id: peer.user_id.clone(),
            monitor_event: true,
        };
        self.events.push_back(Event::Handshake(info));
        self.phase = Phase::Traffic;
        self.set_decode_limit(None);
        self.release_held()
    }

    /// Writes the frames `send` held back during the handshake.
    fn release_held(&mut self) -> Result<(), Failure> {
        self.can_send = true;
        while let Some(m) = self.held.pop_front() {
            self.write_frame(m)?;
        }
        Ok(())
    }

    fn on_frame(&mut self, frame: Msg, now: Instant) -> Result<Option<Event>, Failure> {
        match self.phase {
            Phase::Upgrade | Phase::Greeting(_) => Ok(None),
            Phase::LegacyIdentity => {
                self.phase = Phase::Traffic;
                self.set_decode_limit(None);
                if self.subscribe_all {
                    // Old subscribers never say what they want: everything.
                    self.events.push_back(Event::Message(Msg::from_slice(&[1])));
                }
                Ok(Some(Event::Handshake(HandshakeInfo {
                    version: self.version.unwrap_or(Version::V2),
                    peer_routing_id: self.cfg.recv_routing_id.then(|| frame.data().to_vec()),
                    metadata: None,
                    peer_properties: Properties::new(),
                    user_id: Vec::new(),
                    monitor_event: false,
                })))
            }
            Phase::Handshake => {
                if let Some(mech) = self.mech.as_mut() {
                    mech.process_handshake_command(frame)?;
                }
                self.pump_mechanism(now)?;
                Ok(None)
            }
            Phase::Traffic => {
                let Some(mech) = self.mech.as_mut() else {
                    // ZMTP/2.0 has no commands; libzmq's session drops them.
                    return Ok((frame.flags() & msg::COMMAND == 0).then_some(Event::Message(frame)));
                };
                let mut m = mech.decode(frame)?;
                self.timers.on_inbound();
                if m.flags() & msg::COMMAND != 0 {
                    return self.on_command(m, now);
                }
                if self.groups.on() {
                    let Some(whole) = self.dish_frame(m)? else {
                        return Ok(None);
                    };
                    m = whole;
                }
                m.set_metadata(self.metadata.clone());
                Ok(Some(Event::Message(m)))
            }
        }
    }

    /// Commands after the handshake. Unknown and malformed ones are dropped,
    /// as libzmq drops them.
    fn on_command(&mut self, m: Msg, now: Instant) -> Result<Option<Event>, Failure> {
        let (flag, topic_at) = match command::parse(m.data()) {
            // Over ws heartbeats are ping frames; libzmq's ws engine
            // drops ZMTP PINGs and PONGs in binary frames.
            Ok(Command::Ping { .. }) if self.ws.is_some() => return Ok(None),
            Ok(Command::Ping { ttl, context }) => {
                self.timers.on_ping(ttl, now);
                let pong = command::pong(context);
                self.write_frame(pong)?;
                return Ok(None);
            }
            Ok(Command::Subscribe(_)) => (msg::SUBSCRIBE, command::SUBSCRIBE.len()),
            Ok(Command::Cancel(_)) => (msg::CANCEL, command::CANCEL.len()),
            Ok(Command::Other { name, data }) if name == b"JOIN" || name == b"LEAVE" => {
                return Ok(self.membership(name == b"JOIN", data).map(Event::Message));
            }
            _ => return Ok(None),
        };
        let mut sub = if m.size() - topic_at <= msg::INLINE_MAX {
            Msg::from_slice(&m.data()[topic_at..])
        } else {
            Msg::from_bytes(m.to_bytes().slice(topic_at..))
        };
        sub.set_flags(flag);
        sub.set_metadata(self.metadata.clone());
        Ok(Some(Event::Message(sub)))
    }

    /// Writes one frame after the greeting, through the mechanism when the
    /// protocol has one.
    pub(super) fn write_frame(&mut self, m: Msg) -> Result<(), Failure> {
        let m = match self.mech.as_mut() {
            Some(mech) => mech.encode(m)?,
            None => m,
        };
        match self.ws.as_deref_mut() {
            Some(ws) => ws.encode(&m, &mut self.out),
            None => self.encoder.encode(&m, &mut self.out),
        }
        Ok(())
    }
}

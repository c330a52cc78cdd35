//! The CURVE server: HELLO -> WELCOME (with a cookie only this connection
//! can open), INITIATE -> ZAP (per ZMTP-NOTES.md section 5) -> READY or
//! ERROR. Checks, their order and their codes are libzmq's
//! `curve_server_t`.

use super::crypto::{nonce, BoxKey, KeyPair, Random, KEY_LEN};
use super::{
    Channel, CLIENT_MESSAGE_NONCE, COOKIE_NONCE, HELLO, HELLO_LEN, HELLO_NONCE, INITIATE,
    INITIATE_MIN, INITIATE_NONCE, READY_NONCE, SERVER_MESSAGE_NONCE, VOUCH_NONCE, WELCOME,
    WELCOME_LEN, WELCOME_NONCE,
};
use crate::error::Error;
use crate::msg::{self, Msg};
use crate::proto::mechanism::zap::{self, Judgement, ZapRequest, ZapVerdict};
use crate::proto::mechanism::{
    check_basic_structure, Mechanism, MechanismOptions, PeerInfo, Status,
};
use crate::proto::{code, command, metadata, Failure};
use zeroize::Zeroizing;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    WaitHello,
    SendWelcome,
    WaitInitiate,
    WaitZap,
    SendReady,
    Ready,
    /// ZAP said 400/500: send ERROR with it, then fail.
    SendError(i32),
    ErrorSent(i32),
    /// ZAP said 300: silence until the peer or the handshake timer gives up.
    Refused,
}

/// Cookie: 16-octet nonce suffix ‖ secretbox[C' ‖ s'] (80).
const COOKIE_LEN: usize = 96;

/// One connection's server side.
pub struct CurveServer {
    opts: MechanismOptions,
    peer: PeerInfo,
    state: State,
    /// Our long-term secret key s.
    secret: Zeroizing<[u8; KEY_LEN]>,
    random: Box<dyn Random>,
    /// C', from HELLO.
    client_short: [u8; KEY_LEN],
    /// Box key for C' and s (HELLO, WELCOME).
    hello_key: Option<BoxKey>,
    /// S', s': made with the WELCOME, as is the cookie key.
    short: Option<KeyPair>,
    cookie_key: Zeroizing<[u8; KEY_LEN]>,
    channel: Channel,
    request: Option<ZapRequest>,
    auth_event: Option<i32>,
}

impl CurveServer {
    pub fn new(
        opts: MechanismOptions,
        secret: [u8; KEY_LEN],
        random: Box<dyn Random>,
    ) -> CurveServer {
        let channel = Channel::new(
            SERVER_MESSAGE_NONCE,
            CLIENT_MESSAGE_NONCE,
            opts.downgrade_subscriptions,
        );
        CurveServer {
            opts,
            peer: PeerInfo::default(),
            state: State::WaitHello,
            secret: Zeroizing::new(secret),
            random,
            client_short: [0; KEY_LEN],
            hello_key: None,
            short: None,
            cookie_key: Zeroizing::new([0; KEY_LEN]),
            channel,
            request: None,
            auth_event: None,
        }
    }

    fn hello(&mut self, data: &[u8]) -> Result<(), Failure> {
        check_basic_structure(data)?;
        if !data.starts_with(HELLO) {
            return Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND));
        }
        let Ok(hello) = <&[u8; HELLO_LEN]>::try_from(data) else {
            return Err(Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_HELLO));
        };
        if hello[6..8] != [1, 0] {
            return Err(Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_HELLO));
        }
        // libzmq neither checks the padding nor that the box holds zeros.
        self.client_short.copy_from_slice(&hello[80..112]);
        let mut short = [0u8; 8];
        short.copy_from_slice(&hello[112..120]);
        self.channel.set_peer_nonce(short);
        let key = BoxKey::shared(&self.client_short, &self.secret).ok_or_else(crypto_failure)?;
        key.open(&nonce(HELLO_NONCE, &short), &hello[120..])
            .ok_or_else(crypto_failure)?;
        self.hello_key = Some(key);
        self.state = State::SendWelcome;
        Ok(())
    }

    /// WELCOME: random nonce suffix, Box[S' ‖ cookie](S->C'). Everything
    /// random about the connection is drawn here, so a failing generator
    /// ends it cleanly.
    fn welcome(&mut self) -> Result<Msg, Failure> {
        let short = KeyPair::generate(self.random.as_mut()).map_err(Failure::protocol)?;
        let mut cookie_suffix = [0u8; 16];
        let mut welcome_suffix = [0u8; 16];
        self.random
            .fill(&mut self.cookie_key[..])
            .map_err(Failure::protocol)?;
        self.random
            .fill(&mut cookie_suffix)
            .map_err(Failure::protocol)?;
        self.random
            .fill(&mut welcome_suffix)
            .map_err(Failure::protocol)?;
        let mut cookie_plain = Zeroizing::new([0u8; 2 * KEY_LEN]);
        cookie_plain[..KEY_LEN].copy_from_slice(&self.client_short);
        cookie_plain[KEY_LEN..].copy_from_slice(&short.secret[..]);
        let cookie = BoxKey::secret(&self.cookie_key)
            .seal(&nonce(COOKIE_NONCE, &cookie_suffix), &cookie_plain[..]);
        let mut plain = Zeroizing::new(Vec::with_capacity(KEY_LEN + COOKIE_LEN));
        plain.extend_from_slice(&short.public);
        plain.extend_from_slice(&cookie_suffix);
        plain.extend_from_slice(&cookie);
        let Some(key) = self.hello_key.as_ref() else {
            return Err(Failure::protocol(Error::EFSM));
        };
        let boxed = key.seal(&nonce(WELCOME_NONCE, &welcome_suffix), &plain);
        let mut body = Vec::with_capacity(WELCOME_LEN);
        body.extend_from_slice(WELCOME);
        body.extend_from_slice(&welcome_suffix);
        body.extend_from_slice(&boxed);
        self.short = Some(short);
        Ok(command_msg(body))
    }

    fn initiate(&mut self, data: &[u8]) -> Result<(), Failure> {
        check_basic_structure(data)?;
        if !data.starts_with(INITIATE) {
            return Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND));
        }
        if data.len() < INITIATE_MIN {
            return Err(Failure::protocol_code(
                code::ZMTP_MALFORMED_COMMAND_INITIATE,
            ));
        }
        let Some(short) = self.short.as_ref() else {
            return Err(Failure::protocol(Error::EFSM));
        };
        // Command name, cookie, short nonce; the box follows.
        let Some((head, boxed)) = data.split_first_chunk::<{ 9 + COOKIE_LEN + 8 }>() else {
            return Err(Failure::protocol_code(
                code::ZMTP_MALFORMED_COMMAND_INITIATE,
            ));
        };
        // The cookie must be ours, for this C' and this S'.
        let cookie = BoxKey::secret(&self.cookie_key)
            .open(&nonce(COOKIE_NONCE, &head[9..25]), &head[25..105])
            .map(Zeroizing::new)
            .ok_or_else(crypto_failure)?;
        if cookie.get(..KEY_LEN) != Some(&self.client_short[..])
            || cookie.get(KEY_LEN..) != Some(&short.secret[..])
        {
            return Err(crypto_failure());
        }
        let mut short_nonce = [0u8; 8];
        short_nonce.copy_from_slice(&head[105..]);
        self.channel.set_peer_nonce(short_nonce);
        let session =
            BoxKey::shared(&self.client_short, &short.secret).ok_or_else(crypto_failure)?;
        let plain = session
            .open(&nonce(INITIATE_NONCE, &short_nonce), boxed)
            .map(Zeroizing::new)
            .ok_or_else(crypto_failure)?;
        // At least C ‖ vouch nonce ‖ vouch box, as INITIATE_MIN ensures.
        let Some((client_key, rest)) = plain.split_first_chunk::<KEY_LEN>() else {
            return Err(crypto_failure());
        };
        let Some((vouch_suffix, rest)) = rest.split_first_chunk::<16>() else {
            return Err(crypto_failure());
        };
        let Some((vouch_box, props)) = rest.split_first_chunk::<80>() else {
            return Err(crypto_failure());
        };
        let vouch_key = BoxKey::shared(client_key, &short.secret).ok_or_else(crypto_failure)?;
        let vouch = vouch_key
            .open(&nonce(VOUCH_NONCE, vouch_suffix), vouch_box)
            .ok_or_else(crypto_failure)?;
        // The vouch must name our C'; libzmq does not look at its S half.
        if vouch.get(..KEY_LEN) != Some(&self.client_short[..]) {
            return Err(Failure::protocol_code(code::ZMTP_KEY_EXCHANGE));
        }
        self.channel.set_key(session);
        // ZMTP-NOTES.md section 5: with no domain, ENFORCE_DOMAIN skips ZAP.
        if !self.opts.zap_domain.is_empty() || !self.opts.zap_enforce_domain {
            self.request = Some(ZapRequest {
                domain: self.opts.zap_domain.clone(),
                address: self.opts.peer_address.clone(),
                routing_id: self.opts.routing_id.clone(),
                mechanism: b"CURVE",
                credentials: vec![client_key.to_vec()],
            });
            self.state = State::WaitZap;
        } else {
            self.state = State::SendReady;
        }
        // As in libzmq, after the ZAP decision, and reported without detail.
        self.peer
            .apply_properties(props, &self.opts, false)
            .map_err(Failure::protocol)
    }

    /// READY: short nonce (1, our first), Box[metadata](S'->C').
    fn ready(&mut self) -> Result<Msg, Failure> {
        let mut props = Zeroizing::new(Vec::new());
        metadata::basic_properties(
            &mut props,
            self.opts.socket_type,
            &self.opts.routing_id,
            &self.opts.app_metadata,
        );
        let n = self.channel.take_nonce()?;
        let Some(key) = self.channel.key() else {
            return Err(Failure::protocol(Error::EFSM));
        };
        let boxed = key.seal(&nonce(READY_NONCE, &n), &props);
        let mut body = Vec::with_capacity(command::READY.len() + 8 + boxed.len());
        body.extend_from_slice(command::READY);
        body.extend_from_slice(&n);
        body.extend_from_slice(&boxed);
        Ok(command_msg(body))
    }
}

fn crypto_failure() -> Failure {
    Failure::protocol_code(code::ZMTP_CRYPTOGRAPHIC)
}

fn command_msg(body: Vec<u8>) -> Msg {
    let mut m = Msg::from_bytes(body.into());
    m.set_flags(msg::COMMAND);
    m
}

impl Mechanism for CurveServer {
    fn next_handshake_command(&mut self) -> Result<Option<Msg>, Failure> {
        match self.state {
            State::SendWelcome => {
                let m = self.welcome()?;
                self.state = State::WaitInitiate;
                Ok(Some(m))
            }
            State::SendReady => {
                let m = self.ready()?;
                self.state = State::Ready;
                Ok(Some(m))
            }
            State::SendError(status) => {
                self.state = State::ErrorSent(status);
                Ok(Some(command::error(status.to_string().as_bytes())))
            }
            _ => Ok(None),
        }
    }

    fn process_handshake_command(&mut self, frame: Msg) -> Result<(), Failure> {
        match self.state {
            State::WaitHello => self.hello(frame.data()),
            State::WaitInitiate => self.initiate(frame.data()),
            // Anything while waiting for ZAP or after refusing.
            _ => Err(Failure::protocol_code(code::ZMTP_UNSPECIFIED)),
        }
    }

    fn status(&self) -> Status {
        match self.state {
            State::Ready => Status::Ready,
            // As libzmq's server: after the ERROR it waits for the client
            // to hang up (or the handshake timer), and takes nothing more.
            State::ErrorSent(_) => Status::Refused,
            State::Refused => Status::Refused,
            _ => Status::Handshaking,
        }
    }

    // Only once the handshake is over (libzmq asserts it).
    fn encode(&mut self, frame: Msg) -> Result<Msg, Failure> {
        if self.state != State::Ready {
            return Err(Failure::protocol(Error::EFSM));
        }
        self.channel.encode(frame)
    }

    fn decode(&mut self, frame: Msg) -> Result<Msg, Failure> {
        if self.state != State::Ready {
            return Err(Failure::protocol(Error::EFSM));
        }
        self.channel.decode(frame)
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }

    fn take_zap_request(&mut self) -> Option<ZapRequest> {
        self.request.take()
    }

    fn on_zap_reply(&mut self, verdict: ZapVerdict) -> Result<(), Failure> {
        if self.state != State::WaitZap {
            return Err(Failure::protocol(Error::EFSM));
        }
        self.state = match verdict {
            // No handler: Stonehouse (encryption without authentication)
            // unless the domain is enforced.
            ZapVerdict::NoHandler if self.opts.zap_enforce_domain => return Err(zap::no_handler()),
            ZapVerdict::NoHandler => State::SendReady,
            ZapVerdict::Reply(frames) => match zap::judge(&frames, &mut self.peer, &self.opts)? {
                Judgement::Allow => State::SendReady,
                Judgement::TryLater => {
                    self.auth_event = Some(zap::TRY_LATER);
                    State::Refused
                }
                Judgement::Deny(status) => {
                    self.auth_event = Some(status);
                    State::SendError(status)
                }
            },
        };
        Ok(())
    }

    fn take_auth_event(&mut self) -> Option<i32> {
        self.auth_event.take()
    }
}

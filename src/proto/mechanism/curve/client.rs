//! The CURVE client: HELLO, then INITIATE once WELCOME has given the
//! server's short-term key and cookie, then READY. Checks and their codes
//! are libzmq's `curve_client_t`.

use super::crypto::{nonce, BoxKey, KeyPair, Random, KEY_LEN};
use super::{
    Channel, CLIENT_MESSAGE_NONCE, HELLO, HELLO_LEN, HELLO_NONCE, INITIATE, INITIATE_NONCE,
    READY_MIN, READY_NONCE, SERVER_MESSAGE_NONCE, VOUCH_NONCE, WELCOME, WELCOME_LEN, WELCOME_NONCE,
};
use crate::error::Error;
use crate::msg::Msg;
use crate::proto::mechanism::{self, Mechanism, MechanismOptions, PeerInfo, Status};
use crate::proto::{code, command, metadata, Failure};
use zeroize::Zeroizing;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    SendHello,
    ExpectWelcome,
    SendInitiate,
    ExpectReady,
    Connected,
}

/// One connection's client side.
pub struct CurveClient {
    opts: MechanismOptions,
    peer: PeerInfo,
    state: State,
    /// Our long-term pair (C, c) and the server's long-term key S.
    public: [u8; KEY_LEN],
    secret: Zeroizing<[u8; KEY_LEN]>,
    server_key: [u8; KEY_LEN],
    random: Box<dyn Random>,
    /// C', c': made with the HELLO.
    short: Option<KeyPair>,
    /// Box key for S and c' (HELLO, WELCOME).
    hello_key: Option<BoxKey>,
    /// From WELCOME: S' and the cookie to echo.
    server_short: [u8; KEY_LEN],
    cookie: [u8; 96],
    channel: Channel,
}

impl CurveClient {
    pub fn new(
        opts: MechanismOptions,
        public: [u8; KEY_LEN],
        secret: [u8; KEY_LEN],
        server_key: [u8; KEY_LEN],
        random: Box<dyn Random>,
    ) -> CurveClient {
        let channel = Channel::new(
            CLIENT_MESSAGE_NONCE,
            SERVER_MESSAGE_NONCE,
            opts.downgrade_subscriptions,
        );
        CurveClient {
            opts,
            peer: PeerInfo::default(),
            state: State::SendHello,
            public,
            secret: Zeroizing::new(secret),
            server_key,
            random,
            short: None,
            hello_key: None,
            server_short: [0; KEY_LEN],
            cookie: [0; 96],
            channel,
        }
    }

    /// HELLO: version 1.0, 72 octets of anti-amplification padding, C',
    /// short nonce 1, Box[64 zeros](C'->S).
    fn hello(&mut self) -> Result<Msg, Failure> {
        let short = KeyPair::generate(self.random.as_mut()).map_err(Failure::protocol)?;
        // libzmq reports a box it cannot make (a small-order S) as
        // CRYPTOGRAPHIC.
        let key = BoxKey::shared(&self.server_key, &short.secret).ok_or_else(crypto_failure)?;
        let n = self.channel.take_nonce()?;
        let signature = key.seal(&nonce(HELLO_NONCE, &n), &[0u8; 64]);
        let mut body = Vec::with_capacity(HELLO_LEN);
        body.extend_from_slice(HELLO);
        body.extend_from_slice(&[1, 0]);
        body.extend_from_slice(&[0u8; 72]);
        body.extend_from_slice(&short.public);
        body.extend_from_slice(&n);
        body.extend_from_slice(&signature);
        self.short = Some(short);
        self.hello_key = Some(key);
        Ok(command_msg(body))
    }

    /// WELCOME: Box[S' ‖ cookie](S->C'). libzmq does not check the state
    /// here, so a second WELCOME that opens starts a second INITIATE.
    fn welcome(&mut self, data: &[u8]) -> Result<(), Failure> {
        // libzmq reports a wrong size as CRYPTOGRAPHIC, not MALFORMED.
        if data.len() != WELCOME_LEN {
            return Err(crypto_failure());
        }
        let (Some(key), Some(short)) = (self.hello_key.as_ref(), self.short.as_ref()) else {
            return Err(crypto_failure());
        };
        let suffix = data.get(8..24).unwrap_or_default();
        let plain = key
            .open(
                &nonce(WELCOME_NONCE, suffix),
                data.get(24..).unwrap_or_default(),
            )
            .ok_or_else(crypto_failure)?;
        let (Some(s_short), Some(cookie)) =
            (plain.get(..KEY_LEN), plain.get(KEY_LEN..KEY_LEN + 96))
        else {
            return Err(crypto_failure());
        };
        self.server_short.copy_from_slice(s_short);
        self.cookie.copy_from_slice(cookie);
        let session =
            BoxKey::shared(&self.server_short, &short.secret).ok_or_else(crypto_failure)?;
        self.channel.set_key(session);
        self.state = State::SendInitiate;
        Ok(())
    }

    /// INITIATE: the cookie, short nonce, Box[C ‖ vouch ‖ metadata](C'->S')
    /// with vouch = nonce suffix ‖ Box[C' ‖ S](C->S').
    fn initiate(&mut self) -> Result<Msg, Failure> {
        let Some(short) = self.short.as_ref() else {
            return Err(crypto_failure());
        };
        let mut vouch_suffix = [0u8; 16];
        self.random
            .fill(&mut vouch_suffix)
            .map_err(Failure::protocol)?;
        let vouch_key =
            BoxKey::shared(&self.server_short, &self.secret).ok_or_else(crypto_failure)?;
        let mut vouched = [0u8; 2 * KEY_LEN];
        vouched[..KEY_LEN].copy_from_slice(&short.public);
        vouched[KEY_LEN..].copy_from_slice(&self.server_key);
        let vouch = vouch_key.seal(&nonce(VOUCH_NONCE, &vouch_suffix), &vouched);
        let mut plain = Zeroizing::new(Vec::with_capacity(128 + 64));
        plain.extend_from_slice(&self.public);
        plain.extend_from_slice(&vouch_suffix);
        plain.extend_from_slice(&vouch);
        metadata::basic_properties(
            &mut plain,
            self.opts.socket_type,
            &self.opts.routing_id,
            &self.opts.app_metadata,
        );
        let n = self.channel.take_nonce()?;
        let Some(key) = self.channel.key() else {
            return Err(crypto_failure());
        };
        let boxed = key.seal(&nonce(INITIATE_NONCE, &n), &plain);
        let mut body = Vec::with_capacity(INITIATE.len() + 96 + 8 + boxed.len());
        body.extend_from_slice(INITIATE);
        body.extend_from_slice(&self.cookie);
        body.extend_from_slice(&n);
        body.extend_from_slice(&boxed);
        Ok(command_msg(body))
    }

    /// READY: short nonce, Box[metadata](S'->C').
    fn ready(&mut self, data: &[u8]) -> Result<(), Failure> {
        if data.len() < READY_MIN {
            return Err(Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_READY));
        }
        let Some((&short, boxed)) = data
            .get(command::READY.len()..)
            .unwrap_or_default()
            .split_first_chunk::<8>()
        else {
            return Err(Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_READY));
        };
        // Before WELCOME there is no session key; libzmq would try a key
        // it never computed, which does not open either.
        let Some(key) = self.channel.key() else {
            return Err(crypto_failure());
        };
        let props = key
            .open(&nonce(READY_NONCE, &short), boxed)
            .ok_or_else(crypto_failure)?;
        self.channel.set_peer_nonce(short);
        self.peer
            .apply_properties(&props, &self.opts, false)
            .map_err(|_| Failure::protocol_code(code::ZMTP_INVALID_METADATA))?;
        self.state = State::Connected;
        Ok(())
    }
}

fn crypto_failure() -> Failure {
    Failure::protocol_code(code::ZMTP_CRYPTOGRAPHIC)
}

fn command_msg(body: Vec<u8>) -> Msg {
    let mut m = Msg::from_bytes(body.into());
    m.set_flags(crate::msg::COMMAND);
    m
}

impl Mechanism for CurveClient {
    fn next_handshake_command(&mut self) -> Result<Option<Msg>, Failure> {
        match self.state {
            State::SendHello => {
                let m = self.hello()?;
                self.state = State::ExpectWelcome;
                Ok(Some(m))
            }
            State::SendInitiate => {
                let m = self.initiate()?;
                self.state = State::ExpectReady;
                Ok(Some(m))
            }
            _ => Ok(None),
        }
    }

    fn process_handshake_command(&mut self, frame: Msg) -> Result<(), Failure> {
        let data = frame.data();
        if data.starts_with(WELCOME) {
            self.welcome(data)
        } else if data.starts_with(command::READY) {
            self.ready(data)
        } else if let Some(rest) = data.strip_prefix(command::ERROR) {
            if !matches!(self.state, State::ExpectWelcome | State::ExpectReady) {
                return Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND));
            }
            Err(mechanism::error_command_failure(rest))
        } else {
            Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND))
        }
    }

    fn status(&self) -> Status {
        if self.state == State::Connected {
            Status::Ready
        } else {
            Status::Handshaking
        }
    }

    // Only once the handshake is over (libzmq asserts it).
    fn encode(&mut self, frame: Msg) -> Result<Msg, Failure> {
        if self.state != State::Connected {
            return Err(Failure::protocol(Error::EFSM));
        }
        self.channel.encode(frame)
    }

    fn decode(&mut self, frame: Msg) -> Result<Msg, Failure> {
        if self.state != State::Connected {
            return Err(Failure::protocol(Error::EFSM));
        }
        self.channel.decode(frame)
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }
}

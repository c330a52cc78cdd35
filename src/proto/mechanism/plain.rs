//! PLAIN (RFC 24) as libzmq 4.3 speaks it: C:HELLO -> S asks ZAP ->
//! S:WELCOME -> C:INITIATE -> S:READY. The server always needs a ZAP
//! handler. Checks, their order and their codes are libzmq's
//! `plain_client_t` / `plain_server_t`.
//!
//! libzmq's PLAIN ERROR is malformed: its prefix literal `"\x05ERROR"` is
//! parsed by C as `\x5E` + `RROR`, so it sends `5E 'RROR'` + len + status
//! and its client only recognises that form. Our server sends the same
//! bytes so libzmq clients report HANDSHAKE_FAILED_AUTH; our client
//! accepts both it and a correct `05 'ERROR'`.

use super::zap::{self, Judgement, ZapRequest, ZapVerdict};
use super::{
    check_basic_structure, error_command_failure, Mechanism, MechanismOptions, PeerInfo, Status,
};
use crate::error::Error;
use crate::msg::{self, Msg};
use crate::proto::{code, command, metadata, Failure};

const HELLO: &[u8] = b"\x05HELLO";
const WELCOME: &[u8] = b"\x07WELCOME";
const INITIATE: &[u8] = b"\x08INITIATE";
/// libzmq's PLAIN ERROR prefix (see the module docs).
const LIBZMQ_ERROR: &[u8] = &[0x5E, b'R', b'R', b'O', b'R'];
/// Username and password each fit a one-octet length.
const CREDENTIAL_MAX: usize = 255;

fn command_msg(parts: &[&[u8]]) -> Msg {
    let body = parts.concat();
    let mut m = if body.len() <= msg::INLINE_MAX {
        Msg::from_slice(&body)
    } else {
        Msg::from_bytes(body.into())
    };
    m.set_flags(msg::COMMAND);
    m
}

fn initiate_or_ready(prefix: &[u8], opts: &MechanismOptions) -> Msg {
    let mut props = Vec::new();
    metadata::basic_properties(
        &mut props,
        opts.socket_type,
        &opts.routing_id,
        &opts.app_metadata,
    );
    command_msg(&[prefix, &props])
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ClientState {
    SendHello,
    WaitWelcome,
    SendInitiate,
    WaitReady,
    Ready,
}

/// The PLAIN client (ZMQ_PLAIN_USERNAME / ZMQ_PLAIN_PASSWORD set).
pub struct PlainClient {
    opts: MechanismOptions,
    peer: PeerInfo,
    username: Vec<u8>,
    password: zeroize::Zeroizing<Vec<u8>>,
    state: ClientState,
}

impl PlainClient {
    pub fn new(opts: MechanismOptions, username: Vec<u8>, password: Vec<u8>) -> PlainClient {
        PlainClient {
            opts,
            peer: PeerInfo::default(),
            username,
            password: password.into(),
            state: ClientState::SendHello,
        }
    }

    /// HELLO: `u8 len` + username, `u8 len` + password.
    fn hello(&self) -> Result<Msg, Failure> {
        // The option layer keeps both within 255; libzmq asserts it.
        if self.username.len() > CREDENTIAL_MAX || self.password.len() > CREDENTIAL_MAX {
            return Err(Failure::protocol(Error::EINVAL));
        }
        Ok(command_msg(&[
            HELLO,
            &[self.username.len() as u8],
            &self.username,
            &[self.password.len() as u8],
            &self.password,
        ]))
    }
}

impl Mechanism for PlainClient {
    fn next_handshake_command(&mut self) -> Result<Option<Msg>, Failure> {
        match self.state {
            ClientState::SendHello => {
                let m = self.hello()?;
                self.state = ClientState::WaitWelcome;
                Ok(Some(m))
            }
            ClientState::SendInitiate => {
                self.state = ClientState::WaitReady;
                Ok(Some(initiate_or_ready(INITIATE, &self.opts)))
            }
            _ => Ok(None),
        }
    }

    fn process_handshake_command(&mut self, frame: Msg) -> Result<(), Failure> {
        let data = frame.data();
        let unexpected = || Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND);
        if data.starts_with(WELCOME) {
            if self.state != ClientState::WaitWelcome {
                return Err(unexpected());
            }
            if data.len() != WELCOME.len() {
                return Err(Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_WELCOME));
            }
            self.state = ClientState::SendInitiate;
            Ok(())
        } else if let Some(props) = data.strip_prefix(command::READY) {
            if self.state != ClientState::WaitReady {
                return Err(unexpected());
            }
            self.peer
                .apply_properties(props, &self.opts, false)
                .map_err(|_| Failure::protocol_code(code::ZMTP_INVALID_METADATA))?;
            self.state = ClientState::Ready;
            Ok(())
        } else if let Some(rest) = data
            .strip_prefix(LIBZMQ_ERROR)
            .or_else(|| data.strip_prefix(command::ERROR))
        {
            if !matches!(
                self.state,
                ClientState::WaitWelcome | ClientState::WaitReady
            ) {
                return Err(unexpected());
            }
            Err(error_command_failure(rest))
        } else {
            Err(unexpected())
        }
    }

    fn status(&self) -> Status {
        if self.state == ClientState::Ready {
            Status::Ready
        } else {
            Status::Handshaking
        }
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ServerState {
    WaitHello,
    WaitZap,
    SendWelcome,
    WaitInitiate,
    SendReady,
    Ready,
    SendError(i32),
    ErrorSent(i32),
    /// ZAP said 300: silence until the peer or the handshake timer gives up.
    Refused,
}

/// The PLAIN server (ZMQ_PLAIN_SERVER set).
pub struct PlainServer {
    opts: MechanismOptions,
    peer: PeerInfo,
    state: ServerState,
    request: Option<ZapRequest>,
    auth_event: Option<i32>,
}

impl PlainServer {
    pub fn new(opts: MechanismOptions) -> PlainServer {
        PlainServer {
            opts,
            peer: PeerInfo::default(),
            state: ServerState::WaitHello,
            request: None,
            auth_event: None,
        }
    }

    fn hello(&mut self, data: &[u8]) -> Result<(), Failure> {
        check_basic_structure(data)?;
        let Some(rest) = data.strip_prefix(HELLO) else {
            return Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND));
        };
        let malformed = || Failure::protocol_code(code::ZMTP_MALFORMED_COMMAND_HELLO);
        let (username, rest) = short_string(rest).ok_or_else(malformed)?;
        let (password, rest) = short_string(rest).ok_or_else(malformed)?;
        if !rest.is_empty() {
            return Err(malformed());
        }
        self.request = Some(ZapRequest {
            domain: self.opts.zap_domain.clone(),
            address: self.opts.peer_address.clone(),
            routing_id: self.opts.routing_id.clone(),
            mechanism: b"PLAIN",
            credentials: vec![username.to_vec(), password.to_vec()],
        });
        self.state = ServerState::WaitZap;
        Ok(())
    }

    fn initiate(&mut self, data: &[u8]) -> Result<(), Failure> {
        let Some(props) = data.strip_prefix(INITIATE) else {
            return Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND));
        };
        // libzmq's server reports bad metadata without a detailed event.
        self.peer
            .apply_properties(props, &self.opts, false)
            .map_err(Failure::protocol)?;
        self.state = ServerState::SendReady;
        Ok(())
    }
}

/// `u8 len` + that many octets, and what follows.
fn short_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&len, rest) = data.split_first()?;
    rest.split_at_checked(len as usize)
}

impl Mechanism for PlainServer {
    fn next_handshake_command(&mut self) -> Result<Option<Msg>, Failure> {
        match self.state {
            ServerState::SendWelcome => {
                self.state = ServerState::WaitInitiate;
                Ok(Some(command_msg(&[WELCOME])))
            }
            ServerState::SendReady => {
                self.state = ServerState::Ready;
                Ok(Some(initiate_or_ready(command::READY, &self.opts)))
            }
            ServerState::SendError(status) => {
                self.state = ServerState::ErrorSent(status);
                let status = status.to_string();
                Ok(Some(command_msg(&[
                    LIBZMQ_ERROR,
                    &[status.len() as u8],
                    status.as_bytes(),
                ])))
            }
            _ => Ok(None),
        }
    }

    fn process_handshake_command(&mut self, frame: Msg) -> Result<(), Failure> {
        match self.state {
            ServerState::WaitHello => self.hello(frame.data()),
            ServerState::WaitInitiate => self.initiate(frame.data()),
            _ => Err(Failure::protocol_code(code::ZMTP_UNSPECIFIED)),
        }
    }

    fn status(&self) -> Status {
        match self.state {
            ServerState::Ready => Status::Ready,
            // As libzmq's server: after the ERROR it waits for the client
            // to hang up (or the handshake timer), and takes nothing more.
            ServerState::ErrorSent(_) => Status::Refused,
            ServerState::Refused => Status::Refused,
            _ => Status::Handshaking,
        }
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }

    fn take_zap_request(&mut self) -> Option<ZapRequest> {
        self.request.take()
    }

    fn on_zap_reply(&mut self, verdict: ZapVerdict) -> Result<(), Failure> {
        if self.state != ServerState::WaitZap {
            return Err(Failure::protocol(Error::EFSM));
        }
        self.state = match verdict {
            // There is no point to PLAIN without someone to check the
            // password: libzmq fails whatever ENFORCE_DOMAIN says.
            ZapVerdict::NoHandler => return Err(zap::no_handler()),
            ZapVerdict::Reply(frames) => match zap::judge(&frames, &mut self.peer, &self.opts)? {
                Judgement::Allow => ServerState::SendWelcome,
                Judgement::TryLater => {
                    self.auth_event = Some(zap::TRY_LATER);
                    ServerState::Refused
                }
                Judgement::Deny(status) => {
                    self.auth_event = Some(status);
                    ServerState::SendError(status)
                }
            },
        };
        Ok(())
    }

    fn take_auth_event(&mut self) -> Option<i32> {
        self.auth_event.take()
    }
}

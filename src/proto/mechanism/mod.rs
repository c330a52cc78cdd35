//! Security mechanisms behind one trait. The session drives a mechanism
//! through the handshake (commands in, commands out, an optional ZAP round
//! trip performed by the socket layer), then passes every frame through its
//! `encode`/`decode`, which is where CURVE boxes frames and NULL/PLAIN do
//! nothing.

pub mod curve;
mod null;
mod plain;
pub mod zap;

pub use curve::{CurveClient, CurveServer};
pub use null::NullMechanism;
pub use plain::{PlainClient, PlainServer};
pub use zap::{ZapReply, ZapRequest, ZapVerdict};

use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::proto::metadata::{self, Properties};
use crate::proto::{code, command, Failure};
use crate::types::SocketType;

/// Where a mechanism stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Handshaking,
    /// Handshake done: traffic flows through `encode`/`decode`.
    Ready,
    /// The handshake failed. Commands already produced (an ERROR) should
    /// still be written before the connection closes.
    Failed(Failure),
    /// ZAP refused the peer (300; or 400/500 once the ERROR is out): a
    /// PLAIN or CURVE server then sends nothing more and waits for the peer
    /// to give up or the handshake timer to fire. As in libzmq (whose
    /// mechanism is already in its `error` state), neither counts as a
    /// failed handshake: no HANDSHAKE_FAILED_NO_DETAIL, only the AUTH
    /// event raised at once (see [`Mechanism::take_auth_event`]).
    Refused,
}

/// The socket options every mechanism needs.
#[derive(Clone, Debug)]
pub struct MechanismOptions {
    pub socket_type: SocketType,
    /// ZMQ_ROUTING_ID: sent as `Identity`, and as the ZAP request's identity.
    pub routing_id: Vec<u8>,
    /// ZMQ_METADATA properties (`X-...`), in the order to send them.
    pub app_metadata: Vec<(String, Vec<u8>)>,
    /// Whether the local socket records peer routing ids (ROUTER etc.);
    /// only then is the peer's `Identity` taken as its routing id.
    pub recv_routing_id: bool,
    /// ZMQ_ZAP_DOMAIN; for NULL a non-empty domain turns ZAP on.
    pub zap_domain: Vec<u8>,
    /// ZMQ_ZAP_ENFORCE_DOMAIN: fail rather than skip ZAP without a handler.
    pub zap_enforce_domain: bool,
    /// The peer's address text (no port) for ZAP requests.
    pub peer_address: String,
    /// ZMTP/3.0 peer: subscriptions must travel as data frames (CURVE
    /// needs this because it encodes them inside its boxes).
    pub downgrade_subscriptions: bool,
}

impl MechanismOptions {
    /// A socket of type `socket_type` with every other option at its default.
    pub fn new(socket_type: SocketType) -> MechanismOptions {
        MechanismOptions {
            socket_type,
            routing_id: Vec::new(),
            app_metadata: Vec::new(),
            recv_routing_id: false,
            zap_domain: Vec::new(),
            zap_enforce_domain: false,
            peer_address: String::new(),
            downgrade_subscriptions: false,
        }
    }
}

/// Which mechanism a socket is configured for (ZMQ_MECHANISM), with what
/// it needs from the socket options. Debug output leaves secrets out.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum MechanismConfig {
    #[default]
    Null,
    /// ZMQ_PLAIN_SERVER, or a client's ZMQ_PLAIN_USERNAME/PASSWORD (each
    /// at most 255 octets).
    Plain {
        server: bool,
        username: Vec<u8>,
        password: Vec<u8>,
    },
    /// ZMQ_CURVE_SERVER; our long-term key pair (ZMQ_CURVE_PUBLICKEY /
    /// SECRETKEY) and, for a client, the server's (ZMQ_CURVE_SERVERKEY).
    Curve {
        server: bool,
        public: [u8; 32],
        secret: [u8; 32],
        server_key: [u8; 32],
    },
}

impl std::fmt::Debug for MechanismConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MechanismConfig::Null => f.write_str("Null"),
            MechanismConfig::Plain {
                server, username, ..
            } => f
                .debug_struct("Plain")
                .field("server", server)
                .field("username", &String::from_utf8_lossy(username))
                .finish_non_exhaustive(),
            MechanismConfig::Curve {
                server,
                public,
                server_key,
                ..
            } => f
                .debug_struct("Curve")
                .field("server", server)
                .field(
                    "public",
                    &String::from_utf8_lossy(&crate::util::curve::key_to_z85(public)),
                )
                .field(
                    "server_key",
                    &String::from_utf8_lossy(&crate::util::curve::key_to_z85(server_key)),
                )
                .finish_non_exhaustive(),
        }
    }
}

impl MechanismConfig {
    /// The greeting's mechanism name.
    pub fn name(&self) -> &'static [u8] {
        match self {
            MechanismConfig::Null => b"NULL",
            MechanismConfig::Plain { .. } => b"PLAIN",
            MechanismConfig::Curve { .. } => b"CURVE",
        }
    }

    /// libzmq's `zap_enabled`: any mechanism but NULL, or a ZAP domain.
    /// Such sockets refuse ZMTP/1.0 and 2.0 peers.
    pub fn zap_enabled(&self, zap_domain: &[u8]) -> bool {
        *self != MechanismConfig::Null || !zap_domain.is_empty()
    }

    /// A mechanism for one connection, made once the greeting is done.
    pub fn create(&self, opts: MechanismOptions) -> Box<dyn Mechanism> {
        self.create_with(opts, Box::new(curve::crypto::OsRandom))
    }

    /// As [`MechanismConfig::create`], with CURVE's random octets (short-term
    /// keys, cookie key, nonces) taken from `random`: a fixed source makes
    /// a handshake replayable, which the fuzz targets rely on.
    pub fn create_with(
        &self,
        opts: MechanismOptions,
        random: Box<dyn curve::crypto::Random>,
    ) -> Box<dyn Mechanism> {
        match self {
            MechanismConfig::Null => Box::new(NullMechanism::new(opts)),
            MechanismConfig::Plain { server: true, .. } => Box::new(PlainServer::new(opts)),
            MechanismConfig::Plain {
                server: false,
                username,
                password,
            } => Box::new(PlainClient::new(opts, username.clone(), password.clone())),
            MechanismConfig::Curve {
                server: true,
                secret,
                ..
            } => Box::new(CurveServer::new(opts, *secret, random)),
            MechanismConfig::Curve {
                server: false,
                public,
                secret,
                server_key,
            } => Box::new(CurveClient::new(
                opts,
                *public,
                *secret,
                *server_key,
                random,
            )),
        }
    }
}

/// One connection's security mechanism (libzmq's mechanism_t).
pub trait Mechanism: Send {
    /// The next handshake command to send (a COMMAND frame), or None if
    /// nothing is to be sent now (waiting for the peer or for ZAP).
    fn next_handshake_command(&mut self) -> std::result::Result<Option<Msg>, Failure>;

    /// Handles a frame received during the handshake (libzmq hands every
    /// frame to the mechanism then, whatever its COMMAND bit).
    fn process_handshake_command(&mut self, frame: Msg) -> std::result::Result<(), Failure>;

    fn status(&self) -> Status;

    /// Wraps an outgoing frame after the handshake. The frame may carry
    /// `msg::COMMAND`, `msg::SUBSCRIBE` or `msg::CANCEL`.
    fn encode(&mut self, frame: Msg) -> std::result::Result<Msg, Failure> {
        Ok(frame)
    }

    /// Unwraps an incoming frame after the handshake.
    fn decode(&mut self, frame: Msg) -> std::result::Result<Msg, Failure> {
        Ok(frame)
    }

    /// What the peer learned about itself: its READY/INITIATE properties
    /// and what ZAP said (user id, ZAP metadata).
    fn peer(&self) -> &PeerInfo;

    /// A ZAP request the socket layer must deliver to the handler bound at
    /// `inproc://zeromq.zap.01`, answering with [`Mechanism::on_zap_reply`].
    fn take_zap_request(&mut self) -> Option<ZapRequest> {
        None
    }

    /// The handler's answer (or that there is no handler).
    fn on_zap_reply(&mut self, _verdict: ZapVerdict) -> std::result::Result<(), Failure> {
        Err(Failure::protocol(Error::EFSM))
    }

    /// A HANDSHAKE_FAILED_AUTH status to report now although the
    /// connection carries on (ZAP's 300 in PLAIN and CURVE, see
    /// [`Status::Refused`]); each is returned once.
    fn take_auth_event(&mut self) -> Option<i32> {
        None
    }
}

/// libzmq's `check_basic_command_structure`: at least two octets and
/// longer than the name length in the first.
pub(crate) fn check_basic_structure(data: &[u8]) -> std::result::Result<(), Failure> {
    match data.first() {
        Some(&name_len) if data.len() > 1 && data.len() > name_len as usize => Ok(()),
        _ => Err(Failure::protocol_code(
            code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
        )),
    }
}

/// What an ERROR received during a handshake means, given the data after
/// its name: a reason that does not fit is MALFORMED_COMMAND_ERROR; a ZAP
/// status (3xx..5xx) is HANDSHAKE_FAILED_AUTH; any other reason ends the
/// handshake with no detailed event, as in libzmq.
pub(crate) fn error_command_failure(data: &[u8]) -> Failure {
    match command::error_reason(data) {
        Err(code) => Failure::protocol_code(code),
        Ok(reason) => match command::zap_status_of(reason) {
            Some(status) => Failure::auth(status),
            None => Failure::protocol(Error::EPROTO),
        },
    }
}

/// What a mechanism learned about its peer.
#[derive(Clone, Debug, Default)]
pub struct PeerInfo {
    /// Properties from the peer's READY / INITIATE.
    pub properties: Properties,
    /// User-Id plus the ZAP handler's metadata.
    pub zap_properties: Properties,
    pub user_id: Vec<u8>,
    /// The peer's `Identity`, kept only when the socket records routing ids.
    pub routing_id: Vec<u8>,
}

impl PeerInfo {
    /// Takes in a property list as libzmq's parse_metadata does: Identity
    /// becomes the routing id (if wanted), a Socket-Type present must be
    /// compatible (EINVAL otherwise), everything is stored. EPROTO for a
    /// malformed list.
    pub fn apply_properties(
        &mut self,
        data: &[u8],
        opts: &MechanismOptions,
        from_zap: bool,
    ) -> Result<()> {
        let props = metadata::parse(data)?;
        for (name, value) in props.iter() {
            if name == metadata::IDENTITY && opts.recv_routing_id {
                self.routing_id = value.to_vec();
            } else if name == metadata::SOCKET_TYPE && !opts.socket_type.accepts_peer_named(value) {
                return Err(Error::EINVAL);
            }
        }
        let target = if from_zap {
            &mut self.zap_properties
        } else {
            &mut self.properties
        };
        target.merge_absent(&props);
        Ok(())
    }

    /// Records the ZAP user id; it is also exposed as the `User-Id` property.
    pub fn set_user_id(&mut self, id: &[u8]) {
        self.user_id = id.to_vec();
        self.zap_properties.insert_absent(metadata::USER_ID, id);
    }
}

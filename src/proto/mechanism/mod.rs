//! Security mechanisms behind one trait. The session drives a mechanism
//! through the handshake (commands in, commands out, an optional ZAP round
//! trip performed by the socket layer), then passes every frame through its
//! `encode`/`decode`, which is where CURVE boxes frames and NULL/PLAIN do
//! nothing.

mod null;
pub mod zap;

pub use null::NullMechanism;
pub use zap::{ZapReply, ZapRequest, ZapVerdict};

use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::proto::metadata::{self, Properties};
use crate::proto::Failure;

/// Where a mechanism stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Handshaking,
    /// Handshake done: traffic flows through `encode`/`decode`.
    Ready,
    /// The handshake failed. Commands already produced (an ERROR) should
    /// still be written before the connection closes.
    Failed(Failure),
}

/// The socket options every mechanism needs.
#[derive(Clone, Debug, Default)]
pub struct MechanismOptions {
    pub socket_type: i32,
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

/// Which mechanism a socket is configured for (ZMQ_MECHANISM).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum MechanismConfig {
    #[default]
    Null,
}

impl MechanismConfig {
    /// The greeting's mechanism name.
    pub fn name(&self) -> &'static [u8] {
        match self {
            MechanismConfig::Null => b"NULL",
        }
    }

    /// libzmq's `zap_enabled`: any mechanism but NULL, or a ZAP domain.
    /// Such sockets refuse ZMTP/1.0 and 2.0 peers.
    pub fn zap_enabled(&self, zap_domain: &[u8]) -> bool {
        *self != MechanismConfig::Null || !zap_domain.is_empty()
    }

    /// A mechanism for one connection, made once the greeting is done.
    pub fn create(&self, opts: MechanismOptions) -> Box<dyn Mechanism> {
        match self {
            MechanismConfig::Null => Box::new(NullMechanism::new(opts)),
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
    pub fn apply_properties(&mut self, data: &[u8], opts: &MechanismOptions, from_zap: bool) -> Result<()> {
        let props = metadata::parse(data)?;
        for (name, value) in props.iter() {
            if name == metadata::IDENTITY && opts.recv_routing_id {
                self.routing_id = value.to_vec();
            } else if name == metadata::SOCKET_TYPE && !metadata::compatible(opts.socket_type, value) {
                return Err(Error::EINVAL);
            }
        }
        let target = if from_zap { &mut self.zap_properties } else { &mut self.properties };
        target.merge_absent(&props);
        Ok(())
    }

    /// Records the ZAP user id; it is also exposed as the `User-Id` property.
    pub fn set_user_id(&mut self, id: &[u8]) {
        self.user_id = id.to_vec();
        self.zap_properties.insert_absent(metadata::USER_ID, id);
    }
}

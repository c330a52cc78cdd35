//! How a connection ends, classified the way libzmq's engine classifies it,
//! because applications observe the classification twice: as a monitor event
//! and as whether the connecting side tries again.

use crate::error::Error;

/// The HANDSHAKE_FAILED_* monitor event libzmq raises before DISCONNECTED
/// (which it always raises, and which the engine must raise too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorEvent {
    /// Only DISCONNECTED: a failure after the handshake, or a protocol
    /// violation libzmq does not report in detail (bad framing, oversize
    /// message, socket-type mismatch, malformed metadata in NULL's READY).
    None,
    /// HANDSHAKE_FAILED_NO_DETAIL with an errno (EPIPE on a close mid-handshake).
    NoDetail(i32),
    /// HANDSHAKE_FAILED_PROTOCOL with a `ZMQ_PROTOCOL_ERROR_*` code.
    Protocol(i32),
    /// HANDSHAKE_FAILED_AUTH with a ZAP status code (300, 400, 500).
    Auth(i32),
}

/// libzmq's `error_reason_t`: it decides whether the session reconnects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The transport failed or the peer closed.
    Connection,
    /// A handshake or heartbeat deadline passed.
    Timeout,
    /// The peer broke the protocol or was refused: retrying would not help.
    Protocol,
}

/// The end of one connection. Once a session has failed it stays failed and
/// keeps returning the same `Failure`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    pub event: MonitorEvent,
    pub reason: Reason,
    /// The underlying errno, for logs; libzmq reports it only via `event`.
    pub errno: Error,
    /// libzmq's `handshaked` flag for `engine_error`: the greeting was done
    /// and the mechanism (if any) had left the handshaking state.
    pub handshaked: bool,
}

impl Failure {
    /// A protocol violation with no detailed monitor event.
    pub fn protocol(errno: Error) -> Failure {
        Failure {
            event: MonitorEvent::None,
            reason: Reason::Protocol,
            errno,
            handshaked: false,
        }
    }

    /// A protocol violation reported as HANDSHAKE_FAILED_PROTOCOL(code).
    pub fn protocol_code(code: i32) -> Failure {
        Failure {
            event: MonitorEvent::Protocol(code),
            ..Failure::protocol(Error::EPROTO)
        }
    }

    /// Refused by ZAP (or told so by the peer's ERROR): HANDSHAKE_FAILED_AUTH.
    pub fn auth(status: i32) -> Failure {
        Failure {
            event: MonitorEvent::Auth(status),
            ..Failure::protocol(Error::EPROTO)
        }
    }

    /// Whether libzmq's connecting side would schedule a reconnect (the
    /// accepting side never reconnects).
    pub fn reconnects(&self) -> bool {
        self.reason != Reason::Protocol
    }
}

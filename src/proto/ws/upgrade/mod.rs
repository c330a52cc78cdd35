//! The HTTP/1.1 upgrade that opens a ws connection (RFC 6455 section 4),
//! with libzmq 4.3.4's texts and rules.
//!
//! The client sends
//!
//! ```text
//! GET <path> HTTP/1.1
//! Host: <host>
//! Upgrade: websocket
//! Connection: Upgrade
//! Sec-WebSocket-Key: <base64 of 16 random octets>
//! Sec-WebSocket-Protocol: <offer>
//! Sec-WebSocket-Version: 13
//! ```
//!
//! where the offer depends on the socket's mechanism: `ZWS2.0/NULL,ZWS2.0`,
//! `ZWS2.0/PLAIN` or `ZWS2.0/CURVE`. The server picks the first offered
//! protocol its own mechanism allows and answers
//!
//! ```text
//! HTTP/1.1 101 Switching Protocols
//! Upgrade: websocket
//! Connection: Upgrade
//! Sec-WebSocket-Accept: <base64 of SHA-1 of key + RFC 6455's GUID>
//! Sec-WebSocket-Protocol: <the one picked>
//! ```
//!
//! Then WebSocket frames flow, and there is no ZMTP greeting: the protocol
//! names the mechanism, whose handshake starts at once (`ZWS2.0/NULL`:
//! READY both ways), or, for bare `ZWS2.0`, each side's first message is
//! its routing id and there is no handshake at all.
//!
//! What each side insists on, as libzmq does: the exact start line (the
//! server ignores the request target and `Sec-WebSocket-Version`);
//! `Upgrade: websocket` and `Connection: Upgrade` (names and values in any
//! case, but `Connection: keep-alive, Upgrade` does not count); a
//! protocol it accepts; and a non-empty `Sec-WebSocket-Key` (server) or
//! `Sec-WebSocket-Accept` (client). Anything else is a protocol error:
//! libzmq sends no HTTP error, raises HANDSHAKE_FAILED_PROTOCOL with
//! ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED and closes, and the connecting side
//! does not retry.
//!
//! One deliberate difference: libzmq does not check the server's
//! `Sec-WebSocket-Accept` (its code says "TODO: validate accept key"); we
//! do, as RFC 6455 requires of a client. Every server that implements the
//! RFC, libzmq included, sends the right one.

mod http;

pub use http::{NAME_MAX, VALUE_MAX};

use crate::consts::ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED;
use base64::Engine as _;
use http::{Parser, Step};
use sha1::{Digest, Sha1};

/// RFC 6455's GUID, appended to the key before hashing.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The local socket's security mechanism, which decides what a client
/// offers and what a server accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    Null,
    Plain,
    Curve,
}

impl Mechanism {
    /// A client's Sec-WebSocket-Protocol value.
    pub fn offer(self) -> &'static str {
        match self {
            Mechanism::Null => "ZWS2.0/NULL,ZWS2.0",
            Mechanism::Plain => "ZWS2.0/PLAIN",
            Mechanism::Curve => "ZWS2.0/CURVE",
        }
    }
}

/// The protocol both sides agreed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `ZWS2.0`: no mechanism and no handshake; each side's first message
    /// is its routing id (as on a ZMTP/2.0 link). Only with NULL.
    Bare,
    /// `ZWS2.0/NULL`, `/PLAIN`, `/CURVE`: that mechanism's ZMTP/3.1
    /// handshake, without a greeting.
    Zmtp(Mechanism),
}

impl Protocol {
    /// The Sec-WebSocket-Protocol token.
    pub fn token(self) -> &'static str {
        match self {
            Protocol::Bare => "ZWS2.0",
            Protocol::Zmtp(Mechanism::Null) => "ZWS2.0/NULL",
            Protocol::Zmtp(Mechanism::Plain) => "ZWS2.0/PLAIN",
            Protocol::Zmtp(Mechanism::Curve) => "ZWS2.0/CURVE",
        }
    }

    /// The protocol `token` names if a socket with `mech` accepts it
    /// (exact, case-sensitive match, as libzmq's strcmp).
    pub fn select(mech: Mechanism, token: &[u8]) -> Option<Protocol> {
        let p = match token {
            b"ZWS2.0" => Protocol::Bare,
            b"ZWS2.0/NULL" => Protocol::Zmtp(Mechanism::Null),
            b"ZWS2.0/PLAIN" => Protocol::Zmtp(Mechanism::Plain),
            b"ZWS2.0/CURVE" => Protocol::Zmtp(Mechanism::Curve),
            _ => return None,
        };
        let ours = match p {
            Protocol::Bare => Mechanism::Null,
            Protocol::Zmtp(m) => m,
        };
        (ours == mech).then_some(p)
    }
}

/// Why an upgrade failed. Every one is libzmq's
/// ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED (see [`UpgradeError::code`]); the
/// variants are for logs and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpgradeError {
    /// Not the request or status line libzmq accepts.
    StartLine,
    /// A malformed header line (a bare LF, a CR without LF).
    HeaderLine,
    /// A header name over 1024 octets or a value over 2048.
    TooLong,
    /// The headers ended without `Upgrade: websocket`.
    NotWebsocket,
    /// The headers ended without `Connection: Upgrade`.
    NotUpgrade,
    /// No offered protocol is one this socket's mechanism accepts (or the
    /// server named none).
    NoProtocol,
    /// The server named a second protocol after one with a mechanism.
    SecondProtocol,
    /// The request had no Sec-WebSocket-Key.
    NoKey,
    /// The response had no Sec-WebSocket-Accept, or not the one that
    /// answers our key.
    BadAccept,
    /// Input after the upgrade was complete or had failed.
    Finished,
}

impl UpgradeError {
    /// The ZMQ_PROTOCOL_ERROR_* code of the HANDSHAKE_FAILED_PROTOCOL event.
    pub fn code(self) -> i32 {
        ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED
    }
}

/// A completed upgrade.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upgraded {
    /// Octets of the input given to the last `feed` that belonged to the
    /// HTTP exchange; what follows them is WebSocket frames.
    pub used: usize,
    pub protocol: Protocol,
    /// What the server sends back (empty for a client).
    pub reply: Vec<u8>,
}

/// `Sec-WebSocket-Accept` for `key`: base64 of SHA-1 of the key (up to a
/// NUL, as libzmq's C string) followed by RFC 6455's GUID.
pub fn accept_key(key: &[u8]) -> String {
    let key = key.iter().position(|&c| c == 0).map_or(key, |i| &key[..i]);
    let mut h = Sha1::new();
    h.update(key);
    h.update(GUID);
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// `Sec-WebSocket-Key` from 16 random octets.
pub fn new_key(nonce: [u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(nonce)
}

/// The headers both sides look for, and the failure once there is one.
struct Common {
    http: Parser,
    upgrade: bool,
    connection: bool,
    failed: Option<UpgradeError>,
    done: bool,
}

impl Common {
    fn new(http: Parser) -> Common {
        Common {
            http,
            upgrade: false,
            connection: false,
            failed: None,
            done: false,
        }
    }

    /// Upgrade and Connection: true if the header was one of them. The
    /// last of each counts, as in libzmq.
    fn header(&mut self) -> bool {
        let (name, value) = (self.http.name(), self.http.value());
        if name.eq_ignore_ascii_case(b"upgrade") {
            self.upgrade = value.eq_ignore_ascii_case(b"websocket");
        } else if name.eq_ignore_ascii_case(b"connection") {
            self.connection = value.eq_ignore_ascii_case(b"upgrade");
        } else {
            return false;
        }
        true
    }

    /// Records `e` as final.
    fn fail<T>(&mut self, e: UpgradeError) -> Result<T, UpgradeError> {
        self.failed = Some(e);
        Err(e)
    }

    fn check(&self) -> Result<(), UpgradeError> {
        if !self.upgrade {
            return Err(UpgradeError::NotWebsocket);
        }
        if !self.connection {
            return Err(UpgradeError::NotUpgrade);
        }
        Ok(())
    }

    /// Feeds `input` until the end of the headers, calling `on_header` for
    /// each header other than Upgrade and Connection; at the end, checks
    /// those two. Ok(Some(n)): the headers ended after `n` octets.
    fn feed(
        &mut self,
        input: &[u8],
        mut on_header: impl FnMut(&Parser) -> Result<(), UpgradeError>,
    ) -> Result<Option<usize>, UpgradeError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if self.done {
            return Err(UpgradeError::Finished);
        }
        let r = self
            .run(input, &mut on_header)
            .and_then(|end| end.map(|n| self.check().map(|()| n)).transpose());
        match r {
            Err(e) => self.failed = Some(e),
            Ok(Some(_)) => self.done = true,
            Ok(None) => {}
        }
        r
    }

    fn run(
        &mut self,
        input: &[u8],
        on_header: &mut impl FnMut(&Parser) -> Result<(), UpgradeError>,
    ) -> Result<Option<usize>, UpgradeError> {
        for (i, &c) in input.iter().enumerate() {
            match self.http.step(c)? {
                Step::More => {}
                Step::Header => {
                    if !self.header() {
                        on_header(&self.http)?;
                    }
                }
                Step::End => return Ok(Some(i + 1)),
            }
        }
        Ok(None)
    }
}

/// The accepting side of an upgrade.
pub struct ServerUpgrade {
    mech: Mechanism,
    common: Common,
    key: Vec<u8>,
    protocol: Option<Protocol>,
}

impl ServerUpgrade {
    /// For a socket whose mechanism is `mech`.
    pub fn new(mech: Mechanism) -> ServerUpgrade {
        ServerUpgrade {
            mech,
            common: Common::new(Parser::request()),
            key: Vec::new(),
            protocol: None,
        }
    }

    /// Feeds the client's octets. Ok(None): all taken, more needed.
    /// Ok(Some): the request is complete and acceptable; send `reply`.
    /// An error is final (libzmq answers nothing and closes).
    pub fn feed(&mut self, input: &[u8]) -> Result<Option<Upgraded>, UpgradeError> {
        let mech = self.mech;
        let (key, protocol) = (&mut self.key, &mut self.protocol);
        let on_header = |h: &Parser| {
            let name = h.name();
            if name.eq_ignore_ascii_case(b"sec-websocket-key") {
                *key = h.value().to_vec();
            } else if name.eq_ignore_ascii_case(b"sec-websocket-protocol") && protocol.is_none() {
                // A comma-separated list, each item without one leading
                // space; the first one accepted wins, and later headers
                // are not looked at.
                *protocol = h
                    .value()
                    .split(|&c| c == b',')
                    .find_map(|t| Protocol::select(mech, t.strip_prefix(b" ").unwrap_or(t)));
            }
            Ok(())
        };
        let Some(used) = self.common.feed(input, on_header)? else {
            return Ok(None);
        };
        let Some(protocol) = self.protocol else {
            return self.common.fail(UpgradeError::NoProtocol);
        };
        if self.key.is_empty() {
            return self.common.fail(UpgradeError::NoKey);
        }
        let reply = format!(
            "HTTP/1.1 101 Switching Protocols\r\n\
             Upgrade: websocket\r\n\
             Connection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n\
             Sec-WebSocket-Protocol: {}\r\n\
             \r\n",
            accept_key(&self.key),
            protocol.token()
        );
        Ok(Some(Upgraded {
            used,
            protocol,
            reply: reply.into_bytes(),
        }))
    }
}

/// The connecting side of an upgrade.
pub struct ClientUpgrade {
    mech: Mechanism,
    common: Common,
    key: String,
    accept: Vec<u8>,
    protocol: Option<Protocol>,
}

impl ClientUpgrade {
    /// For a socket whose mechanism is `mech`; `nonce` (16 random octets)
    /// makes the key.
    pub fn new(mech: Mechanism, nonce: [u8; 16]) -> ClientUpgrade {
        ClientUpgrade {
            mech,
            common: Common::new(Parser::response()),
            key: new_key(nonce),
            accept: Vec::new(),
            protocol: None,
        }
    }

    /// The request to send: `host` is the endpoint's text before its last
    /// colon (no port, as libzmq sends it), `path` its path.
    pub fn request(&self, host: &str, path: &str) -> Vec<u8> {
        format!(
            "GET {path} HTTP/1.1\r\n\
             Host: {host}\r\n\
             Upgrade: websocket\r\n\
             Connection: Upgrade\r\n\
             Sec-WebSocket-Key: {}\r\n\
             Sec-WebSocket-Protocol: {}\r\n\
             Sec-WebSocket-Version: 13\r\n\
             \r\n",
            self.key,
            self.mech.offer()
        )
        .into_bytes()
    }

    /// Feeds the server's octets. Ok(None): all taken, more needed.
    /// Ok(Some): upgraded; frames start at `used`. An error is final.
    pub fn feed(&mut self, input: &[u8]) -> Result<Option<Upgraded>, UpgradeError> {
        let mech = self.mech;
        let (accept, protocol) = (&mut self.accept, &mut self.protocol);
        let on_header = |h: &Parser| {
            let name = h.name();
            if name.eq_ignore_ascii_case(b"sec-websocket-accept") {
                *accept = h.value().to_vec();
            } else if name.eq_ignore_ascii_case(b"sec-websocket-protocol") {
                // The whole value is one token. Once one with a mechanism
                // is chosen, another protocol header is an error.
                if matches!(protocol, Some(Protocol::Zmtp(_))) {
                    return Err(UpgradeError::SecondProtocol);
                }
                if let Some(p) = Protocol::select(mech, h.value()) {
                    *protocol = Some(p);
                }
            }
            Ok(())
        };
        let Some(used) = self.common.feed(input, on_header)? else {
            return Ok(None);
        };
        let Some(protocol) = self.protocol else {
            return self.common.fail(UpgradeError::NoProtocol);
        };
        if self.accept != accept_key(self.key.as_bytes()).as_bytes() {
            return self.common.fail(UpgradeError::BadAccept);
        }
        Ok(Some(Upgraded {
            used,
            protocol,
            reply: Vec::new(),
        }))
    }
}

#[cfg(test)]
mod tests;

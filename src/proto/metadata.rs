//! ZMTP property lists (READY, INITIATE, CURVE boxes, ZAP replies) and the
//! socket-type rules that READY enforces.

use crate::consts;
use crate::error::{Error, Result};
use crate::msg::Metadata;
use crate::types::SocketType;

/// Property names libzmq itself sends and interprets (case-sensitive).
pub const SOCKET_TYPE: &[u8] = consts::ZMQ_MSG_PROPERTY_SOCKET_TYPE.as_bytes();
pub const IDENTITY: &[u8] = b"Identity";
pub const USER_ID: &[u8] = consts::ZMQ_MSG_PROPERTY_USER_ID.as_bytes();
pub const PEER_ADDRESS: &[u8] = consts::ZMQ_MSG_PROPERTY_PEER_ADDRESS.as_bytes();

/// Name/value pairs in wire order. Names are bytes because the wire allows
/// any octets; lookups are exact, as libzmq's std::map keys are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties {
    items: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Properties {
    pub fn new() -> Properties {
        Properties::default()
    }

    /// Adds a property unless one of that name is already present: libzmq
    /// merges property sources with map insert, so the first source wins.
    pub fn insert_absent(&mut self, name: &[u8], value: &[u8]) {
        if self.get(name).is_none() {
            self.items.push((name.to_vec(), value.to_vec()));
        }
    }

    /// The first value stored under `name`.
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.items
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.items.iter().map(|(n, v)| (n.as_slice(), v.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Merges `other` in, keeping existing names (libzmq's precedence:
    /// engine properties, then ZAP's, then the peer's).
    pub fn merge_absent(&mut self, other: &Properties) {
        for (n, v) in other.iter() {
            self.insert_absent(n, v);
        }
    }

    /// The form attached to received messages (`zmq_msg_gets`).
    pub fn to_metadata(&self) -> Metadata {
        let mut m = Metadata::new();
        // Insert in reverse so that, for duplicate names, the first wins in
        // Metadata (whose insert replaces).
        for (n, v) in self.items.iter().rev() {
            m.insert(&String::from_utf8_lossy(n), v);
        }
        m
    }
}

/// Appends one property. Names must be 1..=255 octets and values under 2^31,
/// which the option layer guarantees; anything else is skipped rather than
/// put on the wire malformed.
pub fn encode_property(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    if name.is_empty() || name.len() > 255 || value.len() > 0x7FFF_FFFF {
        debug_assert!(false, "invalid property {name:?}");
        return;
    }
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

/// libzmq's READY/INITIATE property list: Socket-Type, then Identity (even
/// empty) for REQ, DEALER and ROUTER, then the ZMQ_METADATA properties.
pub fn basic_properties(
    out: &mut Vec<u8>,
    socket_type: SocketType,
    routing_id: &[u8],
    app: &[(String, Vec<u8>)],
) {
    encode_property(out, SOCKET_TYPE, socket_type.name().as_bytes());
    if socket_type.announces_identity() {
        encode_property(out, IDENTITY, routing_id);
    }
    for (name, value) in app {
        encode_property(out, name.as_bytes(), value);
    }
}

/// Parses a property list. Like libzmq, a zero-length name is accepted and a
/// tail too short to hold a whole property is EPROTO.
pub fn parse(mut data: &[u8]) -> Result<Properties> {
    let mut props = Properties::new();
    while data.len() > 1 {
        let name_len = data[0] as usize;
        let rest = &data[1..];
        if rest.len() < name_len + 4 {
            return Err(Error::EPROTO);
        }
        let (name, rest) = rest.split_at(name_len);
        let (len, rest) = rest.split_at(4);
        let value_len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if rest.len() < value_len {
            return Err(Error::EPROTO);
        }
        let (value, rest) = rest.split_at(value_len);
        props.insert_absent(name, value);
        data = rest;
    }
    if data.is_empty() {
        Ok(props)
    } else {
        Err(Error::EPROTO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SocketType;

    #[test]
    fn dealer_ready_properties_match_capture() {
        let mut out = Vec::new();
        basic_properties(
            &mut out,
            SocketType::Dealer,
            b"abc",
            &[("X-Foo".into(), b"bar".to_vec())],
        );
        let mut want = Vec::new();
        want.extend_from_slice(b"\x0BSocket-Type\x00\x00\x00\x06DEALER");
        want.extend_from_slice(b"\x08Identity\x00\x00\x00\x03abc");
        want.extend_from_slice(b"\x05X-Foo\x00\x00\x00\x03bar");
        assert_eq!(out, want);
    }

    #[test]
    fn identity_only_for_req_dealer_router() {
        for (t, has) in [
            (SocketType::Req, true),
            (SocketType::Dealer, true),
            (SocketType::Router, true),
            (SocketType::Pub, false),
            (SocketType::Pair, false),
        ] {
            let mut out = Vec::new();
            basic_properties(&mut out, t, b"", &[]);
            let p = parse(&out).unwrap();
            assert_eq!(p.get(IDENTITY).is_some(), has, "type {t:?}");
            assert_eq!(p.get(SOCKET_TYPE), Some(t.name().as_bytes()));
        }
    }

    #[test]
    fn parse_rejects_partial_properties() {
        let mut ok = Vec::new();
        encode_property(&mut ok, b"A", b"xyz");
        assert_eq!(parse(&ok).unwrap().get(b"A"), Some(&b"xyz"[..]));
        for cut in 1..ok.len() {
            assert_eq!(parse(&ok[..cut]), Err(Error::EPROTO), "cut at {cut}");
        }
        let mut trailing = ok.clone();
        trailing.push(7);
        assert_eq!(parse(&trailing), Err(Error::EPROTO));
        // A value length beyond the data must not be trusted.
        assert_eq!(parse(b"\x01A\xFF\xFF\xFF\xFFab"), Err(Error::EPROTO));
        assert!(parse(b"").unwrap().is_empty());
    }

    #[test]
    fn names_are_case_sensitive_and_first_wins() {
        let mut raw = Vec::new();
        encode_property(&mut raw, b"Socket-Type", b"PUB");
        encode_property(&mut raw, b"socket-type", b"SUB");
        encode_property(&mut raw, b"Socket-Type", b"XPUB");
        let p = parse(&raw).unwrap();
        assert_eq!(p.get(SOCKET_TYPE), Some(&b"PUB"[..]));
        assert_eq!(p.get(b"socket-type"), Some(&b"SUB"[..]));
        let m = p.to_metadata();
        assert_eq!(m.get("Socket-Type").unwrap().to_bytes(), b"PUB");
    }

    #[test]
    fn compatibility_matrix() {
        let compatible = |local: SocketType, peer: &[u8]| local.accepts_peer_named(peer);
        assert!(compatible(SocketType::Req, b"ROUTER") && !compatible(SocketType::Req, b"REQ"));
        assert!(
            compatible(SocketType::Dealer, b"DEALER") && !compatible(SocketType::Dealer, b"PUB")
        );
        assert!(compatible(SocketType::XPub, b"SUB") && compatible(SocketType::Sub, b"XPUB"));
        assert!(!compatible(SocketType::Sub, b"pub"), "case-sensitive");
        assert!(
            compatible(SocketType::Client, b"SERVER") && compatible(SocketType::Dish, b"RADIO")
        );
        assert!(
            compatible(SocketType::Scatter, b"GATHER") && compatible(SocketType::Peer, b"PEER")
        );
        assert!(
            compatible(SocketType::Channel, b"CHANNEL")
                && !compatible(SocketType::Stream, b"STREAM")
        );
        assert!(compatible(SocketType::Pair, b"PAIR") && !compatible(SocketType::Pair, b"PAIR\0"));
    }
}

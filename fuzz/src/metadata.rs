//! Property lists (READY, INITIATE, ZAP metadata) and command bodies.
//! Octet 0 picks the local socket type; the rest is parsed both as a
//! property list and as a command.

use zmq::error::Error;
use zmq::proto::command::{self, Command};
use zmq::proto::mechanism::{MechanismOptions, PeerInfo};
use zmq::proto::metadata::{self, Properties};
use zmq::types::SocketType;

pub fn metadata(data: &[u8]) {
    let [sel, body @ ..] = data else { return };
    properties(SocketType::ALL[usize::from(*sel) % SocketType::ALL.len()], body);
    commands(body);
}

fn properties(socket_type: SocketType, body: &[u8]) {
    let parsed = metadata::parse(body);
    let opts = MechanismOptions { recv_routing_id: socket_type.as_c() & 1 == 0, ..MechanismOptions::new(socket_type) };
    let mut peer = PeerInfo::default();
    let applied = peer.apply_properties(body, &opts, false);
    let props = match parsed {
        Err(e) => {
            assert_eq!(e, Error::EPROTO);
            assert_eq!(applied, Err(Error::EPROTO));
            return;
        }
        Ok(p) => p,
    };
    // The first of each name wins, and every name is there.
    let mut seen: Vec<&[u8]> = Vec::new();
    for (n, v) in props.iter() {
        assert!(!seen.contains(&n), "duplicate name kept");
        seen.push(n);
        assert_eq!(props.get(n), Some(v));
    }
    // A Socket-Type the local type cannot talk to is EINVAL, else stored.
    let refused = props.get(metadata::SOCKET_TYPE).is_some_and(|t| !socket_type.accepts_peer_named(t));
    if refused {
        assert_eq!(applied, Err(Error::EINVAL));
    } else {
        assert_eq!(applied, Ok(()));
        assert_eq!(peer.properties, props);
        if opts.recv_routing_id {
            assert_eq!(peer.routing_id, props.get(metadata::IDENTITY).unwrap_or_default());
        }
    }
    // What we would send back encodes to a list that parses the same
    // (names must be 1..=255 octets to be sent at all).
    if props.iter().all(|(n, _)| !n.is_empty()) {
        let mut wire = Vec::new();
        for (n, v) in props.iter() {
            metadata::encode_property(&mut wire, n, v);
        }
        assert_eq!(metadata::parse(&wire).as_ref(), Ok(&props));
    }
    // As message metadata: every name readable, values cut at a NUL.
    let md = props.to_metadata();
    let mut merged = Properties::new();
    merged.merge_absent(&props);
    assert_eq!(merged, props);
    for (n, v) in props.iter() {
        let name = String::from_utf8_lossy(n);
        let got = md.get(&name).expect("property missing from metadata");
        let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
        // Lossy names can collide: only the first original keeps its value.
        if merged.iter().find(|(m, _)| String::from_utf8_lossy(m) == name).map(|(m, _)| m) == Some(n) {
            assert_eq!(got.to_bytes(), &v[..end]);
        }
    }
}

fn commands(body: &[u8]) {
    let Ok(cmd) = command::parse(body) else {
        assert!(body.is_empty() || body.len() <= usize::from(body[0]));
        return;
    };
    match cmd {
        Command::Ping { ttl: _, context } => {
            assert!(context.len() <= command::PING_CONTEXT_MAX);
            let pong = command::pong(context);
            assert_eq!(command::parse(pong.data()), Ok(Command::Pong(context)));
        }
        Command::Error(data) => {
            if let Ok(reason) = command::error_reason(data) {
                assert!(reason.len() < 256);
                if let Some(status) = command::zap_status_of(reason) {
                    assert!(matches!(status, 300 | 400 | 500));
                }
                let e = command::error(reason);
                assert_eq!(command::parse(e.data()), Ok(Command::Error(&data[..=reason.len()])));
            }
        }
        Command::Ready(props) => {
            let r = command::ready(props);
            assert_eq!(command::parse(r.data()), Ok(Command::Ready(props)));
        }
        Command::Subscribe(_) | Command::Cancel(_) | Command::Pong(_) | Command::Other { .. } => {}
    }
}

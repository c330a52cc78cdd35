//! The greeting exchange, staged exactly as libzmq stages it: a peer that
//! waits for our bytes before sending its own must never deadlock with us,
//! and legacy peers must see the 12-octet greeting they understand.

use crate::types::SocketType;

/// Octets of the signature; enough to tell ZMTP/1.0 from later versions.
pub const SIGNATURE_LEN: usize = 10;
/// The greeting of ZMTP/1.0 (revision 0) and 2.0 (revision 1) peers.
pub const V2_GREETING_LEN: usize = 12;
/// The ZMTP/3.x greeting.
pub const V3_GREETING_LEN: usize = 64;
/// Width of the NUL-padded mechanism name field.
pub const MECHANISM_LEN: usize = 20;

/// The protocol a connection settled on. It decides framing, how
/// subscriptions travel, and whether a mechanism handshake happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// A peer that sent no version at all: its greeting bytes are already
    /// the start of its identity frame.
    V1Unversioned,
    /// Revision 0: ZMTP/1.0 framing after a 12-octet greeting.
    V1,
    /// Revision 1: ZMTP/2.0.
    V2,
    /// ZMTP/3.0: commands, but subscriptions still as data frames.
    V3_0,
    /// ZMTP/3.1 (and any unknown revision): SUBSCRIBE/CANCEL commands.
    V3_1,
}

impl Version {
    /// Whether a mechanism handshake (READY etc.) follows the greeting.
    pub fn has_mechanism(self) -> bool {
        self >= Version::V3_0
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sent {
    Signature,
    Major,
    All,
}

/// One side's greeting state. Bytes to send are appended to the `out`
/// buffer passed in; nothing is sent ahead of libzmq's schedule.
pub struct Greeting {
    ours: [u8; V3_GREETING_LEN],
    socket_type: u8,
    sent: Sent,
    recv: [u8; V3_GREETING_LEN],
    recv_len: usize,
    expect: usize,
}

impl Greeting {
    /// Our greeting for a socket whose routing id has `routing_id_len`
    /// octets. The padding carries `routing_id_len + 1` because for a
    /// ZMTP/1.0 peer the signature doubles as the long-form header of our
    /// identity frame.
    pub fn new(routing_id_len: usize, socket_type: SocketType, mechanism: &[u8]) -> Greeting {
        let mut ours = [0u8; V3_GREETING_LEN];
        ours[0] = 0xFF;
        ours[1..9].copy_from_slice(&(routing_id_len as u64 + 1).to_be_bytes());
        ours[9] = 0x7F;
        ours[10] = 3;
        ours[11] = 1;
        let n = mechanism.len().min(MECHANISM_LEN);
        ours[12..12 + n].copy_from_slice(&mechanism[..n]);
        Greeting {
            ours,
            socket_type: socket_type.as_c() as u8,
            sent: Sent::Signature,
            recv: [0; V3_GREETING_LEN],
            recv_len: 0,
            expect: V2_GREETING_LEN,
        }
    }

    /// What to write as soon as the connection exists.
    pub fn signature(&self) -> &[u8] {
        &self.ours[..SIGNATURE_LEN]
    }

    /// Consumes greeting bytes from `input` (never more than the greeting)
    /// and appends whatever we may send next to `out`. Returns the octets
    /// consumed and, once the peer's greeting is complete, its version.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> (usize, Option<Version>) {
        let mut used = 0;
        while self.recv_len < self.expect && used < input.len() {
            self.recv[self.recv_len] = input[used];
            self.recv_len += 1;
            used += 1;
            if self.recv[0] != 0xFF {
                return (used, Some(Version::V1Unversioned));
            }
            if self.recv_len < SIGNATURE_LEN {
                continue;
            }
            if self.recv[9] & 1 == 0 {
                return (used, Some(Version::V1Unversioned));
            }
            if self.sent == Sent::Signature {
                out.push(self.ours[10]);
                self.sent = Sent::Major;
            }
            if self.recv_len > SIGNATURE_LEN && self.sent == Sent::Major {
                if self.recv[10] <= 1 {
                    out.push(self.socket_type);
                } else {
                    out.extend_from_slice(&self.ours[11..]);
                    self.expect = V3_GREETING_LEN;
                }
                self.sent = Sent::All;
            }
        }
        if self.recv_len < self.expect {
            return (used, None);
        }
        let version = match (self.recv[10], self.recv[11]) {
            (0, _) => Version::V1,
            (1, _) => Version::V2,
            (3, 0) => Version::V3_0,
            _ => Version::V3_1,
        };
        (used, Some(version))
    }

    /// The peer's greeting octets received so far. For an unversioned peer
    /// these are the start of its first frame and must be decoded as such.
    pub fn received(&self) -> &[u8] {
        &self.recv[..self.recv_len]
    }

    /// The peer's 20-octet mechanism field (ZMTP/3.x only).
    pub fn peer_mechanism(&self) -> &[u8] {
        &self.recv[12..12 + MECHANISM_LEN]
    }

    /// Our mechanism field, for comparison with the peer's.
    pub fn our_mechanism(&self) -> &[u8] {
        &self.ours[12..12 + MECHANISM_LEN]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v3_peer(minor: u8, mech: &[u8]) -> Vec<u8> {
        let g = Greeting::new(0, SocketType::Dealer, mech);
        let mut all = g.signature().to_vec();
        all.push(3);
        all.push(minor);
        all.extend_from_slice(&g.ours[12..]);
        all
    }

    #[test]
    fn padding_is_routing_id_len_plus_one() {
        let g = Greeting::new(0, SocketType::Dealer, b"NULL");
        assert_eq!(g.signature(), &[0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]);
        let g = Greeting::new(3, SocketType::Dealer, b"NULL");
        assert_eq!(g.signature(), &[0xFF, 0, 0, 0, 0, 0, 0, 0, 4, 0x7F]);
    }

    #[test]
    fn staged_sending_against_v3_peer() {
        let mut g = Greeting::new(0, SocketType::Dealer, b"NULL");
        let peer = v3_peer(1, b"NULL");
        let mut out = Vec::new();
        assert_eq!(g.feed(&peer[..9], &mut out), (9, None));
        assert!(
            out.is_empty(),
            "nothing beyond the signature before the peer's 10 octets"
        );
        assert_eq!(g.feed(&peer[9..10], &mut out), (1, None));
        assert_eq!(out, [3], "major version once the peer's signature is in");
        assert_eq!(g.feed(&peer[10..11], &mut out), (1, None));
        assert_eq!(out.len(), 1 + 53);
        assert_eq!(&out[1..3], &[1, b'N']);
        assert!(
            out[1 + 21..].iter().all(|&b| b == 0),
            "as-server and filler are zero"
        );
        assert_eq!(g.feed(&peer[11..], &mut out), (53, Some(Version::V3_1)));
        assert_eq!(g.peer_mechanism(), g.our_mechanism());
    }

    #[test]
    fn versions_from_revision_and_minor() {
        let mut out = Vec::new();
        let mut g = Greeting::new(0, SocketType::Dealer, b"NULL");
        let mut peer = v3_peer(0, b"NULL");
        peer.extend_from_slice(b"extra");
        assert_eq!(g.feed(&peer, &mut out), (64, Some(Version::V3_0)));
        for (rev, v) in [(0u8, Version::V1), (1, Version::V2)] {
            let (mut g, mut out) = (Greeting::new(0, SocketType::Sub, b"NULL"), Vec::new());
            let peer = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, rev, 1, 0xAA];
            assert_eq!(g.feed(&peer, &mut out), (12, Some(v)));
            assert_eq!(out, [3, 2], "major, then our socket type");
        }
        for rev in [2u8, 4, 0xFF] {
            let (mut g, mut out) = (Greeting::new(0, SocketType::Sub, b"NULL"), Vec::new());
            let mut peer = v3_peer(0, b"NULL");
            peer[10] = rev;
            assert_eq!(g.feed(&peer, &mut out), (64, Some(Version::V3_1)));
        }
    }

    #[test]
    fn unversioned_detection() {
        let mut g = Greeting::new(0, SocketType::Dealer, b"NULL");
        let mut out = Vec::new();
        assert_eq!(
            g.feed(b"\x04\x00abc", &mut out),
            (1, Some(Version::V1Unversioned))
        );
        assert_eq!(g.received(), b"\x04");
        let mut g = Greeting::new(0, SocketType::Dealer, b"NULL");
        let peer = [0xFF, 0, 0, 0, 0, 0, 0, 0, 6, 0x00, b'x'];
        assert_eq!(g.feed(&peer, &mut out), (10, Some(Version::V1Unversioned)));
        assert_eq!(g.received(), &peer[..10]);
        assert!(out.is_empty(), "only the signature was ever sent");
    }
}

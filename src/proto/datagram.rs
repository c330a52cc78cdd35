//! The datagram layout of RADIO and DISH over a datagram transport, as
//! libzmq's udp engine writes it: one message per datagram, a group
//! length octet, the group, then the body. No handshake, no framing
//! beyond that; a datagram that does not parse is dropped on its own
//! (there is no stream to fall out of step with).
//!
//! libzmq's engine buffers 8192 octets each way: it refuses to send more
//! (4.3.5; 4.3.4 overran its buffer) and cuts longer datagrams short on
//! receipt. We refuse both ways, so a datagram is delivered whole or not
//! at all.

/// The largest datagram sent or accepted (libzmq's MAX_UDP_MSG).
pub const MAX_DATAGRAM: usize = 8192;

/// Why a datagram was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// Not even the group length octet.
    Empty,
    /// The group length runs past the end of the datagram.
    GroupOverrun,
    /// The group holds a NUL octet: groups are C strings (zmq_msg_group).
    NulInGroup,
    /// Over [`MAX_DATAGRAM`] octets: a receiver reads into one octet more
    /// to tell.
    Oversized,
}

/// Why a message could not be sent as a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsendable {
    /// The group is longer than its length octet can say (zmq_msg_set_group
    /// refuses those, so only a bug gets here).
    GroupTooLong,
    /// The datagram would exceed [`MAX_DATAGRAM`].
    Oversized,
}

/// Splits a received datagram into (group, body).
pub fn decode(datagram: &[u8]) -> Result<(&[u8], &[u8]), Malformed> {
    if datagram.len() > MAX_DATAGRAM {
        return Err(Malformed::Oversized);
    }
    let (&len, rest) = datagram.split_first().ok_or(Malformed::Empty)?;
    let len = usize::from(len);
    if rest.len() < len {
        return Err(Malformed::GroupOverrun);
    }
    let (group, body) = rest.split_at(len);
    if group.contains(&0) {
        return Err(Malformed::NulInGroup);
    }
    Ok((group, body))
}

/// Writes the datagram for a message of `group` and `body` into `out`
/// (cleared first).
pub fn encode(group: &[u8], body: &[u8], out: &mut Vec<u8>) -> Result<(), Unsendable> {
    let len = u8::try_from(group.len()).map_err(|_| Unsendable::GroupTooLong)?;
    if 1 + group.len() + body.len() > MAX_DATAGRAM {
        return Err(Unsendable::Oversized);
    }
    out.clear();
    out.push(len);
    out.extend_from_slice(group);
    out.extend_from_slice(body);
    Ok(())
}

/// Whether an addressed (DGRAM) datagram fits: the body alone is sent.
pub fn fits_addressed(body: &[u8]) -> bool {
    body.len() <= MAX_DATAGRAM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libzmqs_layout_both_ways() {
        let mut out = Vec::new();
        encode(b"TV", b"Friends", &mut out).unwrap();
        assert_eq!(out, b"\x02TVFriends");
        assert_eq!(decode(&out), Ok((&b"TV"[..], &b"Friends"[..])));
        // Empty group (a message sent without one), empty body.
        encode(b"", b"", &mut out).unwrap();
        assert_eq!(out, b"\x00");
        assert_eq!(decode(b"\x00"), Ok((&b""[..], &b""[..])));
        // The longest group: the length octet is unsigned (libzmq 4.3.4
        // read it signed, and broke on groups over 127 octets).
        let g = [b'g'; 255];
        encode(&g, b"x", &mut out).unwrap();
        assert_eq!(out[0], 255);
        assert_eq!(decode(&out), Ok((&g[..], &b"x"[..])));
    }

    #[test]
    fn malformed_datagrams_are_named() {
        assert_eq!(decode(b""), Err(Malformed::Empty));
        assert_eq!(decode(b"\x03TV"), Err(Malformed::GroupOverrun));
        assert_eq!(decode(b"\xffabc"), Err(Malformed::GroupOverrun));
        assert_eq!(decode(b"\x02T\0body"), Err(Malformed::NulInGroup));
        // A NUL in the body is data.
        assert_eq!(decode(b"\x01T\0\0"), Ok((&b"T"[..], &b"\0\0"[..])));
    }

    #[test]
    fn the_size_limit_holds_both_ways() {
        let mut out = Vec::new();
        let body = vec![7u8; MAX_DATAGRAM - 3];
        encode(b"TV", &body, &mut out).unwrap();
        assert_eq!(out.len(), MAX_DATAGRAM);
        assert_eq!(decode(&out).unwrap().1.len(), MAX_DATAGRAM - 3);
        let over = vec![7u8; MAX_DATAGRAM - 2];
        assert_eq!(encode(b"TV", &over, &mut out), Err(Unsendable::Oversized));
        out.push(0);
        assert_eq!(decode(&out), Err(Malformed::Oversized));
        assert_eq!(
            encode(&[b'g'; 256], b"", &mut out),
            Err(Unsendable::GroupTooLong)
        );
        assert!(fits_addressed(&[0; MAX_DATAGRAM]) && !fits_addressed(&[0; MAX_DATAGRAM + 1]));
    }
}

//! ZAP (RFC 27) as libzmq's zap_client speaks it. The proto layer builds the
//! request frames and judges the reply frames; moving them to and from the
//! handler socket is the socket layer's job, since that is where the
//! in-process pipe to `inproc://zeromq.zap.01` lives.

use crate::error::Error;
use crate::msg::{self, Msg};
use crate::proto::{code, Failure, MonitorEvent, Reason};

/// One authentication request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZapRequest {
    pub domain: Vec<u8>,
    pub address: String,
    /// The *local* socket's routing id, as libzmq sends it.
    pub routing_id: Vec<u8>,
    pub mechanism: &'static [u8],
    pub credentials: Vec<Vec<u8>>,
}

impl ZapRequest {
    /// The frames to write to the handler: empty delimiter, "1.0", request
    /// id "1" (always, in libzmq), domain, address, identity, mechanism,
    /// credentials; MORE on all but the last.
    pub fn to_frames(&self) -> Vec<Msg> {
        let mut parts: Vec<&[u8]> = vec![
            b"",
            b"1.0",
            b"1",
            &self.domain,
            self.address.as_bytes(),
            &self.routing_id,
        ];
        parts.push(self.mechanism);
        parts.extend(self.credentials.iter().map(|c| c.as_slice()));
        multipart(&parts)
    }
}

/// One message of these frames: MORE on all but the last.
pub fn multipart(parts: &[&[u8]]) -> Vec<Msg> {
    let last = parts.len().saturating_sub(1);
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut m = Msg::from_slice(p);
            m.set_more(i < last);
            m
        })
        .collect()
}

/// The socket layer's answer to a [`ZapRequest`].
#[derive(Debug)]
pub enum ZapVerdict {
    /// Nothing is bound at the ZAP endpoint.
    NoHandler,
    /// The reply frames as read from the handler (delimiter included).
    Reply(Vec<Msg>),
}

/// A well-formed reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZapReply {
    /// 200, 300, 400 or 500.
    pub status: i32,
    pub user_id: Vec<u8>,
    /// The raw metadata frame (a ZMTP property list).
    pub metadata: Vec<u8>,
}

/// Checks a reply in libzmq's order; each defect has its own
/// HANDSHAKE_FAILED_PROTOCOL code.
pub fn parse_reply(frames: &[Msg]) -> Result<ZapReply, Failure> {
    const FRAMES: usize = 7;
    for i in 0..FRAMES {
        let Some(f) = frames.get(i) else {
            return Err(Failure::protocol_code(code::ZAP_MALFORMED_REPLY));
        };
        if (f.flags() & msg::MORE != 0) != (i < FRAMES - 1) {
            return Err(Failure::protocol_code(code::ZAP_MALFORMED_REPLY));
        }
    }
    if !frames[0].data().is_empty() {
        return Err(Failure::protocol_code(code::ZAP_UNSPECIFIED));
    }
    if frames[1].data() != b"1.0" {
        return Err(Failure::protocol_code(code::ZAP_BAD_VERSION));
    }
    if frames[2].data() != b"1" {
        return Err(Failure::protocol_code(code::ZAP_BAD_REQUEST_ID));
    }
    let status = match frames[3].data() {
        [d @ b'2'..=b'5', b'0', b'0'] => (d - b'0') as i32 * 100,
        _ => return Err(Failure::protocol_code(code::ZAP_INVALID_STATUS_CODE)),
    };
    Ok(ZapReply {
        status,
        user_id: frames[5].data().to_vec(),
        metadata: frames[6].data().to_vec(),
    })
}

/// Judges a reply and records its user id and metadata in `peer`, as every
/// mechanism does; returns the status for the mechanism to act on.
pub fn accept_reply(
    frames: &[Msg],
    peer: &mut super::PeerInfo,
    opts: &super::MechanismOptions,
) -> Result<i32, Failure> {
    let r = parse_reply(frames)?;
    peer.set_user_id(&r.user_id);
    peer.apply_properties(&r.metadata, opts, true)
        .map_err(|_| Failure::protocol_code(code::ZAP_INVALID_METADATA))?;
    Ok(r.status)
}

/// The status of a temporary refusal: PLAIN and CURVE servers stop
/// answering instead of sending ERROR.
pub const TRY_LATER: i32 = 300;

/// What a server mechanism does with a well-formed reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// 200: carry on.
    Allow,
    /// 300: no ERROR; raise HANDSHAKE_FAILED_AUTH(300) and go quiet.
    TryLater,
    /// 400 or 500: send ERROR with the status, then fail with it.
    Deny(i32),
}

/// [`accept_reply`], sorted into what the mechanism must do next.
pub fn judge(
    frames: &[Msg],
    peer: &mut super::PeerInfo,
    opts: &super::MechanismOptions,
) -> Result<Judgement, Failure> {
    Ok(match accept_reply(frames, peer, opts)? {
        200 => Judgement::Allow,
        TRY_LATER => Judgement::TryLater,
        status => Judgement::Deny(status),
    })
}

/// The failure when a handler is required and none is bound: libzmq
/// reports HANDSHAKE_FAILED_NO_DETAIL(EFAULT) and does not retry.
pub fn no_handler() -> Failure {
    Failure {
        event: MonitorEvent::NoDetail(Error::EFAULT.0),
        reason: Reason::Protocol,
        errno: Error::EFAULT,
        handshaked: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn reply(parts: &[&[u8]]) -> Vec<Msg> {
        multipart(parts)
    }

    #[test]
    fn request_frames() {
        let r = ZapRequest {
            domain: b"global".to_vec(),
            address: "127.0.0.1".into(),
            routing_id: vec![],
            mechanism: b"NULL",
            credentials: vec![],
        };
        let f = r.to_frames();
        let data: Vec<&[u8]> = f.iter().map(|m| m.data()).collect();
        assert_eq!(
            data,
            vec![
                &b""[..],
                b"1.0",
                b"1",
                b"global",
                b"127.0.0.1",
                b"",
                b"NULL"
            ]
        );
        assert!(f[..6].iter().all(|m| m.more()) && !f[6].more());
    }

    #[test]
    fn reply_checks_in_order() {
        let ok = reply(&[b"", b"1.0", b"1", b"200", b"OK", b"user", b""]);
        assert_eq!(
            parse_reply(&ok).unwrap(),
            ZapReply {
                status: 200,
                user_id: b"user".to_vec(),
                metadata: vec![]
            }
        );
        let code_of = |parts: &[&[u8]]| parse_reply(&reply(parts)).unwrap_err().event;
        use crate::proto::MonitorEvent::Protocol;
        assert_eq!(
            code_of(&[b"", b"1.0", b"1", b"200", b"OK", b"u"]),
            Protocol(code::ZAP_MALFORMED_REPLY)
        );
        assert_eq!(
            code_of(&[b"", b"1.0", b"1", b"200", b"OK", b"u", b"", b""]),
            Protocol(code::ZAP_MALFORMED_REPLY)
        );
        assert_eq!(
            code_of(&[b"x", b"1.0", b"1", b"200", b"OK", b"u", b""]),
            Protocol(code::ZAP_UNSPECIFIED)
        );
        assert_eq!(
            code_of(&[b"", b"2.0", b"1", b"200", b"OK", b"u", b""]),
            Protocol(code::ZAP_BAD_VERSION)
        );
        assert_eq!(
            code_of(&[b"", b"1.0", b"2", b"200", b"OK", b"u", b""]),
            Protocol(code::ZAP_BAD_REQUEST_ID)
        );
        assert_eq!(
            code_of(&[b"", b"1.0", b"1", b"201", b"OK", b"u", b""]),
            Protocol(code::ZAP_INVALID_STATUS_CODE)
        );
        assert_eq!(
            code_of(&[b"", b"1.0", b"1", b"600", b"OK", b"u", b""]),
            Protocol(code::ZAP_INVALID_STATUS_CODE)
        );
        let mut no_more = ok.clone();
        no_more[2].set_more(false);
        assert_eq!(
            parse_reply(&no_more).unwrap_err().event,
            Protocol(code::ZAP_MALFORMED_REPLY)
        );
    }
}

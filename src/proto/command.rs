//! ZMTP command bodies (`u8 name_len, name, data`), built as `Msg`s with the
//! COMMAND flag so that a mechanism can wrap them like any other frame.

use crate::msg::{self, Msg};
use crate::proto::code;

pub const READY: &[u8] = b"\x05READY";
pub const ERROR: &[u8] = b"\x05ERROR";
pub const PING: &[u8] = b"\x04PING";
pub const PONG: &[u8] = b"\x04PONG";
pub const SUBSCRIBE: &[u8] = b"\x09SUBSCRIBE";
pub const CANCEL: &[u8] = b"\x06CANCEL";

/// The longest PING context a PONG echoes; ZMTP 3.1 caps it, libzmq truncates.
pub const PING_CONTEXT_MAX: usize = 16;

/// A parsed command; slices borrow the frame body.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    Ready(&'a [u8]),
    /// The ERROR data, not yet checked (see [`error_reason`]).
    Error(&'a [u8]),
    Subscribe(&'a [u8]),
    Cancel(&'a [u8]),
    /// TTL in deciseconds (0 when the peer sent fewer than two octets) and
    /// the context, truncated to what a PONG may echo.
    Ping {
        ttl: u16,
        context: &'a [u8],
    },
    Pong(&'a [u8]),
    /// Any other name (mechanism commands, or ones to be ignored).
    Other {
        name: &'a [u8],
        data: &'a [u8],
    },
}

/// Splits a command body into name and data. A body shorter than its own
/// name length is malformed (MALFORMED_COMMAND_UNSPECIFIED for the
/// mechanisms that report it; after the handshake libzmq just drops it).
pub fn split(body: &[u8]) -> Result<(&[u8], &[u8]), i32> {
    let (&len, rest) = body
        .split_first()
        .ok_or(code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED)?;
    if rest.len() < len as usize {
        return Err(code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    }
    Ok(rest.split_at(len as usize))
}

/// Parses a command body.
pub fn parse(body: &[u8]) -> Result<Command<'_>, i32> {
    let (name, data) = split(body)?;
    Ok(match name {
        b"READY" => Command::Ready(data),
        b"ERROR" => Command::Error(data),
        b"SUBSCRIBE" => Command::Subscribe(data),
        b"CANCEL" => Command::Cancel(data),
        b"PING" => {
            let ttl = match data {
                [a, b, ..] => u16::from_be_bytes([*a, *b]),
                _ => 0,
            };
            let ctx = data.get(2..).unwrap_or(&[]);
            Command::Ping {
                ttl,
                context: &ctx[..ctx.len().min(PING_CONTEXT_MAX)],
            }
        }
        b"PONG" => Command::Pong(data),
        _ => Command::Other { name, data },
    })
}

/// The reason inside ERROR data (`u8 len` + reason), or
/// MALFORMED_COMMAND_ERROR when the length does not fit.
pub fn error_reason(data: &[u8]) -> Result<&[u8], i32> {
    let (&len, rest) = data
        .split_first()
        .ok_or(code::ZMTP_MALFORMED_COMMAND_ERROR)?;
    rest.get(..len as usize)
        .ok_or(code::ZMTP_MALFORMED_COMMAND_ERROR)
}

/// The ZAP status a reason denotes, if it is one of `3xx`..`5xx` with two
/// zero digits, which libzmq turns into HANDSHAKE_FAILED_AUTH.
pub fn zap_status_of(reason: &[u8]) -> Option<i32> {
    match reason {
        [d @ b'3'..=b'5', b'0', b'0'] => Some((d - b'0') as i32 * 100),
        _ => None,
    }
}

fn command(parts: &[&[u8]]) -> Msg {
    let len = parts.iter().map(|p| p.len()).sum();
    let mut body = Vec::with_capacity(len);
    for p in parts {
        body.extend_from_slice(p);
    }
    let mut m = if len <= msg::INLINE_MAX {
        Msg::from_slice(&body)
    } else {
        Msg::from_bytes(body.into())
    };
    m.set_flags(msg::COMMAND);
    m
}

/// READY carrying an encoded property list.
pub fn ready(properties: &[u8]) -> Msg {
    command(&[READY, properties])
}

/// ERROR with a reason of at most 255 octets (longer is cut).
pub fn error(reason: &[u8]) -> Msg {
    let reason = &reason[..reason.len().min(255)];
    command(&[ERROR, &[reason.len() as u8], reason])
}

/// PING; libzmq always sends an empty context.
pub fn ping(ttl_deciseconds: u16, context: &[u8]) -> Msg {
    command(&[
        PING,
        &ttl_deciseconds.to_be_bytes(),
        &context[..context.len().min(PING_CONTEXT_MAX)],
    ])
}

/// PONG echoing (at most 16 octets of) a PING's context.
pub fn pong(context: &[u8]) -> Msg {
    command(&[PONG, &context[..context.len().min(PING_CONTEXT_MAX)]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_commands_are_command_frames() {
        let p = ping(50, b"");
        assert_eq!(p.data(), b"\x04PING\x00\x32");
        assert_ne!(p.flags() & msg::COMMAND, 0);
        assert_eq!(error(b"400").data(), b"\x05ERROR\x03400");
        assert_eq!(pong(&[9u8; 20]).data().len(), 5 + 16);
        assert_eq!(ready(b"").data(), b"\x05READY");
    }

    #[test]
    fn parse_known_and_unknown() {
        assert_eq!(parse(b"\x05READY\x01"), Ok(Command::Ready(b"\x01")));
        assert_eq!(parse(b"\x09SUBSCRIBE"), Ok(Command::Subscribe(b"")));
        assert_eq!(parse(b"\x06CANCELAB"), Ok(Command::Cancel(b"AB")));
        assert_eq!(
            parse(b"\x04PING\x00\x32ctx"),
            Ok(Command::Ping {
                ttl: 50,
                context: b"ctx"
            })
        );
        assert_eq!(
            parse(b"\x04PING"),
            Ok(Command::Ping {
                ttl: 0,
                context: b""
            })
        );
        let long = [b"\x04PING\x00\x01".as_slice(), &[7u8; 40]].concat();
        assert_eq!(
            parse(&long),
            Ok(Command::Ping {
                ttl: 1,
                context: &[7u8; 16]
            })
        );
        assert_eq!(
            parse(b"\x03FOOxy"),
            Ok(Command::Other {
                name: b"FOO",
                data: b"xy"
            })
        );
        assert_eq!(
            parse(b"\x00"),
            Ok(Command::Other {
                name: b"",
                data: b""
            })
        );
    }

    #[test]
    fn malformed_commands() {
        assert_eq!(parse(b""), Err(code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED));
        assert_eq!(
            parse(b"\x05REA"),
            Err(code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED)
        );
        assert_eq!(error_reason(b""), Err(code::ZMTP_MALFORMED_COMMAND_ERROR));
        assert_eq!(
            error_reason(b"\x04400"),
            Err(code::ZMTP_MALFORMED_COMMAND_ERROR)
        );
        assert_eq!(error_reason(b"\x03400"), Ok(&b"400"[..]));
    }

    #[test]
    fn zap_status_codes() {
        assert_eq!(zap_status_of(b"400"), Some(400));
        assert_eq!(zap_status_of(b"300"), Some(300));
        assert_eq!(zap_status_of(b"500"), Some(500));
        assert_eq!(zap_status_of(b"200"), None);
        assert_eq!(zap_status_of(b"401"), None);
        assert_eq!(zap_status_of(b"4000"), None);
        assert_eq!(zap_status_of(b"bad"), None);
    }
}

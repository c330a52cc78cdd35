//! The SOCKS5 client against an arbitrary proxy: the proxy's octets (its
//! method choice, the credentials reply, the CONNECT reply, and whatever
//! follows) fed to a handshake in pieces. Invariants: the client never
//! reads more than it asked for nor past the end of the replies (the
//! rest is the peer's ZMTP); how reads cut the input changes nothing but
//! how far a failing reply was read; a
//! completed handshake consumed valid replies that said yes; the reply
//! parser agrees with itself on every prefix.
//!
//! Input: octet 0 picks the credentials (bit 0), the endpoint (bits 1-2)
//! and the read size (bits 3-7, 1 to 32 octets); the rest is the proxy.

use zmq::error::Error;
use zmq::transport::socks::client::{Client, Status, METHOD_NONE, METHOD_USERNAME};
use zmq::transport::socks::reply::{parse_reply, Progress, MAX_REPLY};

const TARGETS: [&str; 4] = ["127.0.0.1:5555", "[::1]:5555", "somedomainname.org:5555", "h:0"];

/// How one handshake went: the status, octets of input taken, and what
/// the client sent.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    status: Status,
    taken: usize,
    sent: Vec<u8>,
}

fn drive(target: &str, user: &[u8], proxy: &[u8], piece: usize) -> Run {
    let mut c = Client::new(target, user, b"pw");
    let (mut taken, mut sent) = (0, Vec::new());
    loop {
        match c.status() {
            Status::Send => {
                let out = c.output().to_vec();
                assert!(!out.is_empty(), "Send with nothing to send");
                sent.extend_from_slice(&out);
                c.sent(out.len());
            }
            Status::Receive => {
                let want = c.wants();
                assert!((1..=MAX_REPLY).contains(&want), "wants {want}");
                let rest = &proxy[taken..];
                if rest.is_empty() {
                    break;
                }
                let n = c.received(&rest[..rest.len().min(piece)]);
                assert!(n >= 1 && n <= want && n <= piece, "took {n} of {want} wanted");
                taken += n;
            }
            Status::Done | Status::Failed(_) => break,
        }
    }
    assert!(taken <= 2 + 2 + MAX_REPLY, "read {taken} octets of replies");
    Run { status: c.status(), taken, sent }
}

/// The reply parser on its own: prefixes ask for no more than the whole,
/// and a complete reply parses the same without what follows it.
fn check_parser(buf: &[u8]) {
    let Ok(Progress::Complete(r)) = parse_reply(buf) else {
        if let Ok(Progress::Need(n)) = parse_reply(buf) {
            assert!(n >= 1 && buf.len() + n <= MAX_REPLY);
        }
        return;
    };
    assert!(r.len <= buf.len() && r.len <= MAX_REPLY);
    assert_eq!(parse_reply(&buf[..r.len]), Ok(Progress::Complete(r.clone())));
    for k in 0..r.len {
        match parse_reply(&buf[..k]) {
            Ok(Progress::Need(n)) => assert!(n >= 1 && k + n <= r.len, "prefix {k}: need {n} of {}", r.len),
            other => panic!("prefix {k} of a complete reply: {other:?}"),
        }
    }
}

pub fn socks_reply(data: &[u8]) {
    let [sel, proxy @ ..] = data else { return };
    let user: &[u8] = if sel & 1 == 1 { b"user" } else { b"" };
    let target = TARGETS[usize::from(sel >> 1) & 3];
    let piece = 1 + usize::from(sel >> 3);
    let run = drive(target, user, proxy, piece);
    // Short reads change nothing, but where a failure is seen: a bad octet
    // fails a reply as soon as it is read, wherever the read stopped.
    for other in [1, MAX_REPLY] {
        let o = drive(target, user, proxy, other);
        assert_eq!((o.status, &o.sent), (run.status, &run.sent), "pieces of {other} vs {piece}");
        if !matches!(run.status, Status::Failed(_)) {
            assert_eq!(o.taken, run.taken, "pieces of {other} vs {piece}");
        }
    }
    check_parser(proxy);
    if proxy.len() > 2 {
        check_parser(&proxy[2..]);
    }
    if proxy.len() > 4 {
        check_parser(&proxy[4..]);
    }
    match run.status {
        Status::Done => {
            let (choice, rest) = proxy.split_at(2);
            assert!(choice[0] == 5 && matches!(choice[1], METHOD_NONE | METHOD_USERNAME));
            let reply = if choice[1] == METHOD_USERNAME {
                assert_eq!(&rest[..2], [1, 0], "credentials refused, yet done");
                &rest[2..]
            } else {
                rest
            };
            let Ok(Progress::Complete(r)) = parse_reply(reply) else {
                panic!("done without a whole reply");
            };
            assert_eq!(r.code, 0);
            assert_eq!(run.taken, proxy.len() - reply.len() + r.len, "read past the reply");
            assert!(target != "h:0", "port 0 cannot be asked for");
        }
        Status::Failed(e) => {
            let known = [
                Error::EPROTO,
                Error::EACCES,
                Error::EINVAL,
                Error::ECONNABORTED,
                Error::ENETUNREACH,
                Error::EHOSTUNREACH,
                Error::ECONNREFUSED,
                Error::ETIMEDOUT,
                Error(libc::EOPNOTSUPP),
                Error::EAFNOSUPPORT,
            ];
            assert!(known.contains(&e), "{e:?}");
        }
        // Ran out of input mid-reply.
        Status::Receive => assert_eq!(run.taken, proxy.len()),
        Status::Send => unreachable!("drive sends everything"),
    }
    // The first thing sent is the greeting for the credentials' method.
    let method = if user.is_empty() { METHOD_NONE } else { METHOD_USERNAME };
    assert_eq!(run.sent[..3], [5, 1, method]);
}

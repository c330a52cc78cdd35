use super::*;
use crate::transport::socks::reply::{parse_reply, Bound, Progress, Reply};
use crate::transport::socks::target::{Host, Target};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

/// Sends everything the client has to send; returns it.
fn take(c: &mut Client) -> Vec<u8> {
    let out = c.output().to_vec();
    c.sent(out.len());
    out
}

/// Feeds `data` whole; returns how much the client took.
fn feed(c: &mut Client, data: &[u8]) -> usize {
    let mut used = 0;
    while used < data.len() && c.status() == Status::Receive {
        let n = c.received(&data[used..]);
        if n == 0 {
            break;
        }
        used += n;
    }
    used
}

/// A client past the greeting and a no-authentication choice, with its
/// CONNECT request sent.
fn at_reply(target: &str) -> (Client, Vec<u8>) {
    let mut c = Client::new(target, b"", b"");
    assert_eq!(take(&mut c), [5, 1, 0]);
    assert_eq!(feed(&mut c, &[5, 0]), 2);
    let req = take(&mut c);
    assert_eq!(c.status(), Status::Receive);
    (c, req)
}

const V4_OK: [u8; 10] = [5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90];

#[test]
fn without_a_username_no_authentication_is_offered() {
    // A password alone does not make libzmq authenticate.
    let mut c = Client::new("127.0.0.1:5555", b"", b"secret");
    assert_eq!(c.status(), Status::Send);
    assert_eq!(take(&mut c), [0x05, 0x01, 0x00]);
    assert_eq!((c.status(), c.wants()), (Status::Receive, 2));
    assert_eq!(c.output(), b"");
}

#[test]
fn a_whole_exchange_with_credentials() {
    let mut c = Client::new("127.0.0.1:8080", b"user", b"pw");
    assert_eq!(take(&mut c), [0x05, 0x01, 0x02]);
    assert_eq!(feed(&mut c, &[5, 2]), 2);
    assert_eq!(take(&mut c), b"\x01\x04user\x02pw");
    assert_eq!(feed(&mut c, &[1, 0]), 2);
    assert_eq!(take(&mut c), [5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90]);
    assert_eq!(c.wants(), 5);
    // The peer's ZMTP greeting right behind the reply stays unread.
    let mut wire = V4_OK.to_vec();
    wire.extend_from_slice(&[0xff, 0, 0, 0]);
    assert_eq!(feed(&mut c, &wire), V4_OK.len());
    assert_eq!(c.status(), Status::Done);
    assert_eq!((c.wants(), c.output()), (0, &b""[..]));
    assert_eq!(c.received(&[1, 2, 3]), 0, "nothing more is taken");
}

#[test]
fn empty_credentials_go_out_as_empty_fields() {
    // A proxy that picks username/password when none was offered gets
    // empty ones, as from libzmq; an empty password is sent as such.
    let mut c = Client::new("h:1", b"", b"");
    take(&mut c);
    feed(&mut c, &[5, 2]);
    assert_eq!(take(&mut c), [1, 0, 0]);
    let mut c = Client::new("h:1", b"u", b"");
    take(&mut c);
    feed(&mut c, &[5, 2]);
    assert_eq!(take(&mut c), [1, 1, b'u', 0]);
    // 255 octets each fit.
    let long = [b'a'; 255];
    let mut c = Client::new("h:1", &long, &long);
    take(&mut c);
    feed(&mut c, &[5, 2]);
    assert_eq!(take(&mut c).len(), 3 + 255 + 255);
    let mut c = Client::new("h:1", &[b'a'; 256], b"");
    take(&mut c);
    feed(&mut c, &[5, 2]);
    assert_eq!(c.status(), Status::Failed(Error::EINVAL));
}

#[test]
fn a_proxy_may_skip_the_credentials_it_was_offered() {
    let mut c = Client::new("h:1", b"user", b"pw");
    take(&mut c);
    feed(&mut c, &[5, 0]);
    assert_eq!(take(&mut c), b"\x05\x01\x00\x03\x01h\x00\x01");
}

#[test]
fn refused_methods_and_credentials_fail() {
    let mut c = Client::new("h:1", b"", b"");
    take(&mut c);
    feed(&mut c, &[5, 0xff]);
    assert_eq!(c.status(), Status::Failed(Error::EACCES));
    for method in [1u8, 3, 0x80, 0xfe] {
        let mut c = Client::new("h:1", b"u", b"p");
        take(&mut c);
        feed(&mut c, &[5, method]);
        assert_eq!(c.status(), Status::Failed(Error::EPROTO), "{method}");
    }
    for status in [1u8, 2, 0xff] {
        let mut c = Client::new("h:1", b"u", b"p");
        take(&mut c);
        feed(&mut c, &[5, 2]);
        take(&mut c);
        feed(&mut c, &[1, status]);
        assert_eq!(c.status(), Status::Failed(Error::EACCES), "{status}");
    }
}

#[test]
fn bad_versions_fail_on_their_first_octet() {
    for v in [0u8, 4, 6, 0xff] {
        let mut c = Client::new("h:1", b"", b"");
        take(&mut c);
        assert_eq!(c.received(&[v]), 1);
        assert_eq!(c.status(), Status::Failed(Error::EPROTO), "choice {v}");
    }
    for v in [0u8, 2, 5] {
        let mut c = Client::new("h:1", b"u", b"");
        take(&mut c);
        feed(&mut c, &[5, 2]);
        take(&mut c);
        assert_eq!(c.received(&[v]), 1);
        assert_eq!(c.status(), Status::Failed(Error::EPROTO), "auth {v}");
    }
    for v in [0u8, 4, 6] {
        let (mut c, _) = at_reply("h:1");
        assert_eq!(c.received(&[v]), 1);
        assert_eq!(c.status(), Status::Failed(Error::EPROTO), "reply {v}");
    }
}

#[test]
fn every_reply_code() {
    let expected = [
        (0u8, None),
        (1, Some(Error::ECONNABORTED)),
        (2, Some(Error::EACCES)),
        (3, Some(Error::ENETUNREACH)),
        (4, Some(Error::EHOSTUNREACH)),
        (5, Some(Error::ECONNREFUSED)),
        (6, Some(Error::ETIMEDOUT)),
        (7, Some(Error(libc::EOPNOTSUPP))),
        (8, Some(Error::EAFNOSUPPORT)),
    ];
    for (code, err) in expected {
        let (mut c, _) = at_reply("h:1");
        let mut r = V4_OK;
        r[1] = code;
        // A failure is judged once the whole reply is in, as libzmq does.
        assert_eq!(feed(&mut c, &r[..9]), 9);
        assert_eq!(c.status(), Status::Receive);
        assert_eq!(feed(&mut c, &r[9..]), 1);
        let want = err.map_or(Status::Done, Status::Failed);
        assert_eq!(c.status(), want, "code {code}");
    }
    // Codes the RFC does not define fail on arrival.
    for code in [9u8, 0x10, 0xff] {
        let (mut c, _) = at_reply("h:1");
        assert_eq!(c.received(&[5, code]), 2);
        assert_eq!(c.status(), Status::Failed(Error::EPROTO), "code {code}");
    }
}

#[test]
fn malformed_replies_fail_on_the_octet_that_is_wrong() {
    // Reserved octet not 0.
    let (mut c, _) = at_reply("h:1");
    assert_eq!(c.received(&[5, 0, 1, 1, 0, 0, 0, 0, 0, 0]), 5);
    assert_eq!(c.status(), Status::Failed(Error::EPROTO));
    // Unknown address types.
    for atyp in [0u8, 2, 5, 0xff] {
        let (mut c, _) = at_reply("h:1");
        c.received(&[5, 0, 0, atyp, 0]);
        assert_eq!(c.status(), Status::Failed(Error::EPROTO), "atyp {atyp}");
        assert_eq!(c.wants(), 0);
    }
    // Nothing is taken after a failure.
    assert_eq!(c.received(&[0; 4]), 0);
}

#[test]
fn short_reads_one_octet_at_a_time() {
    let replies: [&[u8]; 3] = [
        &V4_OK,
        b"\x05\x00\x00\x03\x09localhost\x00\x50",
        &[
            5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1,
        ],
    ];
    for r in replies {
        let mut c = Client::new("h:1", b"u", b"p");
        let mut server: Vec<u8> = vec![5, 2, 1, 0];
        server.extend_from_slice(r);
        server.extend_from_slice(b"ZMTP");
        let mut fed = 0;
        let mut reads = Vec::new();
        loop {
            match c.status() {
                Status::Send => {
                    // The output goes one octet at a time too.
                    let n = c.output().len().min(1);
                    c.sent(n);
                }
                Status::Receive => {
                    reads.push(c.wants());
                    assert_eq!(c.received(&server[fed..fed + 1]), 1);
                    fed += 1;
                }
                Status::Done => break,
                Status::Failed(e) => panic!("{e:?} after {fed} octets"),
            }
        }
        assert_eq!(&server[fed..], b"ZMTP", "read past the reply");
        // libzmq's pieces: 2, 2, then 5 of the reply and the rest.
        assert_eq!(&reads[..4], [2, 1, 2, 1]);
        assert_eq!(reads[4], 5);
        assert_eq!(reads[9], r.len() - 5);
    }
}

#[test]
fn a_read_is_never_asked_past_the_reply() {
    let (mut c, _) = at_reply("h:1");
    assert_eq!(c.wants(), 5);
    assert_eq!(c.received(&[5, 0, 0, 3]), 4);
    assert_eq!(c.wants(), 1);
    assert_eq!(c.received(&[255]), 1);
    // 255 octets of name and the port: the longest reply.
    assert_eq!(c.wants(), 257);
    let mut rest = vec![b'n'; 255];
    rest.extend_from_slice(&[0, 1, 9, 9]);
    assert_eq!(c.received(&rest), 257);
    assert_eq!(c.status(), Status::Done);
}

#[test]
fn each_address_type_in_replies() {
    let v6 = [
        5, 0, 0, 4, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x12, 0x34,
    ];
    let cases: [(&[u8], Bound); 4] = [
        (
            &V4_OK,
            Bound::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080)),
        ),
        (
            &v6,
            Bound::V6(SocketAddrV6::new(
                "2001:db8::1".parse().unwrap(),
                0x1234,
                0,
                0,
            )),
        ),
        (
            b"\x05\x00\x00\x03\x09localhost\x00\x50",
            Bound::Domain(b"localhost".to_vec(), 80),
        ),
        (
            b"\x05\x00\x00\x03\x00\x00\x50",
            Bound::Domain(Vec::new(), 80),
        ),
    ];
    for (bytes, bound) in cases {
        let whole = Progress::Complete(Reply {
            code: 0,
            bound,
            len: bytes.len(),
        });
        assert_eq!(parse_reply(bytes), Ok(whole.clone()));
        // Octets beyond the reply are not its own.
        let mut more = bytes.to_vec();
        more.push(0xff);
        assert_eq!(parse_reply(&more), Ok(whole));
        for k in 0..bytes.len() {
            let Ok(Progress::Need(n)) = parse_reply(&bytes[..k]) else {
                panic!("prefix {k} of {bytes:?}");
            };
            assert!(n > 0 && k + n <= bytes.len(), "prefix {k}: need {n}");
        }
        let (mut c, _) = at_reply("h:1");
        assert_eq!(feed(&mut c, bytes), bytes.len());
        assert_eq!(c.status(), Status::Done);
    }
}

#[test]
fn each_address_type_in_requests() {
    let cases: [(&str, Host, &[u8]); 9] = [
        (
            "127.0.0.1:5555",
            Host::V4(Ipv4Addr::LOCALHOST),
            &[1, 127, 0, 0, 1],
        ),
        // inet_aton forms are numeric, as for getaddrinfo.
        (
            "127.1:5555",
            Host::V4(Ipv4Addr::LOCALHOST),
            &[1, 127, 0, 0, 1],
        ),
        (
            "::1:5555",
            Host::V6(Ipv6Addr::LOCALHOST),
            &[4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ),
        (
            "[::1]:5555",
            Host::V6(Ipv6Addr::LOCALHOST),
            &[4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ),
        (
            "[fe80::1%1]:5555",
            Host::V6("fe80::1".parse().unwrap()),
            &[4, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ),
        (
            "somedomainname.org:5555",
            Host::Domain(b"somedomainname.org".to_vec()),
            b"\x03\x12somedomainname.org",
        ),
        // Brackets around a name are the name's, unless they close just
        // before the port's colon.
        ("[x]y:5555", Host::Domain(b"[x]y".to_vec()), b"\x03\x04[x]y"),
        // An unknown scope name: not numeric, so a name.
        (
            "[fe80::1%nosuchif0]:5555",
            Host::Domain(b"fe80::1%nosuchif0".to_vec()),
            b"\x03\x11fe80::1%nosuchif0",
        ),
        (":5555", Host::Domain(Vec::new()), b"\x03\x00"),
    ];
    for (addr, host, encoded) in cases {
        let t = Target::parse(addr).unwrap_or_else(|e| panic!("{addr}: {e:?}"));
        assert_eq!(t, Target { host, port: 5555 }, "{addr}");
        let mut want = vec![5, 1, 0];
        want.extend_from_slice(encoded);
        want.extend_from_slice(&5555u16.to_be_bytes());
        assert_eq!(t.request(), want, "{addr}");
        let (_, req) = at_reply(addr);
        assert_eq!(req, want, "{addr}");
    }
}

#[test]
fn ports_are_read_as_atoi_reads_them_and_0_fails() {
    assert_eq!(Target::parse("h:70000").map(|t| t.port), Ok(4464));
    assert_eq!(Target::parse("h:12x").map(|t| t.port), Ok(12));
    for bad in ["h:0", "h:", "h:x", "nocolon"] {
        assert_eq!(Target::parse(bad), Err(Error::EINVAL), "{bad}");
    }
    let long = format!("{}:1", "n".repeat(255));
    assert!(Target::parse(&long).is_ok());
    let too_long = format!("{}:1", "n".repeat(256));
    assert_eq!(Target::parse(&too_long), Err(Error::EINVAL));
}

#[test]
fn a_target_that_cannot_be_asked_for_fails_when_the_request_is_due() {
    // libzmq finds out after the proxy's choice, so the proxy is
    // connected (and the attempt CLOSED) first.
    let mut c = Client::new("h:0", b"", b"");
    assert_eq!(take(&mut c), [5, 1, 0]);
    assert_eq!(c.status(), Status::Receive);
    feed(&mut c, &[5, 0]);
    assert_eq!(c.status(), Status::Failed(Error::EINVAL));
}

#[test]
fn partial_sends_resume_where_they_stopped() {
    let mut c = Client::new("h:1", b"", b"");
    c.sent(1);
    assert_eq!(c.output(), [1, 0]);
    c.sent(0);
    assert_eq!(c.output(), [1, 0]);
    c.sent(5);
    assert_eq!((c.status(), c.output()), (Status::Receive, &b""[..]));
    // Nothing to send: ignored.
    c.sent(3);
    assert_eq!(c.wants(), 2);
}

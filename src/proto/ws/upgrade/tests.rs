use super::*;

/// A request as libzmq's client writes it, with `protocol` offered.
fn request(protocol: &str) -> String {
    format!(
        "GET /path HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: {protocol}\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    )
}

fn serve(mech: Mechanism, req: &[u8]) -> Result<Option<Upgraded>, UpgradeError> {
    let whole = ServerUpgrade::new(mech).feed(req);
    // The same, an octet at a time.
    let mut s = ServerUpgrade::new(mech);
    let mut bytewise = Ok(None);
    for (i, c) in req.iter().enumerate() {
        bytewise = s.feed(std::slice::from_ref(c)).map(|o| {
            o.map(|mut u| {
                u.used += i;
                u
            })
        });
        if !matches!(bytewise, Ok(None)) {
            break;
        }
    }
    assert_eq!(whole, bytewise, "fed whole and bytewise");
    whole
}

fn served(mech: Mechanism, req: &str) -> Result<Protocol, UpgradeError> {
    serve(mech, req.as_bytes()).map(|u| u.expect("complete").protocol)
}

#[test]
fn rfc6455_accept_key() {
    // Section 1.3.
    assert_eq!(
        accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert_eq!(new_key(*b"the sample nonce"), "dGhlIHNhbXBsZSBub25jZQ==");
    // libzmq hashes the key as a C string.
    assert_eq!(
        accept_key(b"dGhlIHNhbXBsZSBub25jZQ==\0junk"),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn server_reply_and_what_follows_the_request() {
    let mut req = request("ZWS2.0/NULL,ZWS2.0").into_bytes();
    let frames_after = [0x82, 0x81, 1, 2, 3, 4, 5];
    let len = req.len();
    req.extend(frames_after);
    let u = serve(Mechanism::Null, &req).unwrap().unwrap();
    assert_eq!(u.used, len);
    assert_eq!(u.protocol, Protocol::Zmtp(Mechanism::Null));
    assert_eq!(
        String::from_utf8(u.reply).unwrap(),
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
    );
}

#[test]
fn the_offer_decides_the_protocol() {
    use Mechanism::*;
    let cases: &[(Mechanism, &str, Result<Protocol, UpgradeError>)] = &[
        (Null, "ZWS2.0/NULL,ZWS2.0", Ok(Protocol::Zmtp(Null))),
        (Null, "ZWS2.0,ZWS2.0/NULL", Ok(Protocol::Bare)),
        (Null, "ZWS2.0", Ok(Protocol::Bare)),
        (Null, "ZWS2.0/PLAIN", Err(UpgradeError::NoProtocol)),
        (Plain, "ZWS2.0/NULL,ZWS2.0", Err(UpgradeError::NoProtocol)),
        (Plain, "ZWS2.0/PLAIN", Ok(Protocol::Zmtp(Plain))),
        (Curve, "ZWS2.0/CURVE", Ok(Protocol::Zmtp(Curve))),
        (Curve, "zws2.0/curve", Err(UpgradeError::NoProtocol)),
        // One leading space is dropped, no more; trailing ones count.
        (Plain, "x, ZWS2.0/PLAIN", Ok(Protocol::Zmtp(Plain))),
        (Plain, "x,  ZWS2.0/PLAIN", Err(UpgradeError::NoProtocol)),
        (Plain, "ZWS2.0/PLAIN ", Err(UpgradeError::NoProtocol)),
        // Empty items are skipped.
        (Null, ",,ZWS2.0/NULL,", Ok(Protocol::Zmtp(Null))),
        (Null, "chat, superchat", Err(UpgradeError::NoProtocol)),
    ];
    for (mech, offer, want) in cases {
        assert_eq!(
            &served(*mech, &request(offer)),
            want,
            "{mech:?} offered {offer:?}"
        );
    }
}

#[test]
fn the_first_protocol_header_that_fits_wins() {
    let two = |a: &str, b: &str| {
        request(a).replace(
            "Sec-WebSocket-Version",
            &format!("Sec-WebSocket-Protocol: {b}\r\nSec-WebSocket-Version"),
        )
    };
    assert_eq!(
        served(Mechanism::Null, &two("ZWS2.0", "ZWS2.0/NULL")),
        Ok(Protocol::Bare)
    );
    assert_eq!(
        served(Mechanism::Null, &two("other", "ZWS2.0/NULL")),
        Ok(Protocol::Zmtp(Mechanism::Null))
    );
}

#[test]
fn header_names_and_values_as_libzmq_compares_them() {
    let base = request("ZWS2.0/NULL");
    let with = |from: &str, to: &str| served(Mechanism::Null, &base.replace(from, to));
    assert!(with("Upgrade: websocket", "UPGRADE: WebSocket").is_ok());
    assert!(with("Connection: Upgrade", "connection: upgrade").is_ok());
    assert!(with("Sec-WebSocket-Key:", "sec-websocket-key:").is_ok());
    assert!(with("Upgrade: websocket", "Upgrade:    websocket").is_ok());
    assert_eq!(
        with("Upgrade: websocket", "Upgrade: websocket "),
        Err(UpgradeError::NotWebsocket)
    );
    assert_eq!(
        with("Upgrade: websocket", "Upgrade:\twebsocket"),
        Err(UpgradeError::NotWebsocket)
    );
    assert_eq!(
        with("Upgrade: websocket", "Upgrade : websocket"),
        Err(UpgradeError::NotWebsocket)
    );
    assert_eq!(
        with("Connection: Upgrade", "Connection: keep-alive, Upgrade"),
        Err(UpgradeError::NotUpgrade)
    );
    assert_eq!(
        with("Upgrade: websocket\r\n", ""),
        Err(UpgradeError::NotWebsocket)
    );
    assert_eq!(
        with("Connection: Upgrade\r\n", ""),
        Err(UpgradeError::NotUpgrade)
    );
    assert_eq!(
        with("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
        Err(UpgradeError::NoKey)
    );
    // The last Upgrade counts; an empty one is no header at all.
    assert_eq!(
        with(
            "Upgrade: websocket\r\n",
            "Upgrade: websocket\r\nUpgrade: h2c\r\n"
        ),
        Err(UpgradeError::NotWebsocket)
    );
    assert!(with(
        "Upgrade: websocket\r\n",
        "Upgrade: websocket\r\nUpgrade:\r\nUpgrade:  \r\n"
    )
    .is_ok());
    // The version and target are not looked at; unknown headers are fine.
    assert!(with("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8").is_ok());
    assert!(with("GET /path ", "GET http://x/y?z ").is_ok());
    assert!(with("Host: 127.0.0.1\r\n", "X-Thing: a: b\r\n:odd: yes\r\n").is_ok());
}

#[test]
fn start_lines_libzmq_accepts_and_refuses() {
    let base = request("ZWS2.0/NULL");
    let with = |from: &str, to: &str| served(Mechanism::Null, &base.replace(from, to));
    assert!(with("GET /path", "GET    /path").is_ok());
    for bad in [
        "GET /path  HTTP/1.1",
        "GET /path HTTP/1.0",
        "get /path HTTP/1.1",
        "POST /path HTTP/1.1",
        "GET /path HTTP/1.1 ",
    ] {
        assert_eq!(
            with("GET /path HTTP/1.1", bad),
            Err(UpgradeError::StartLine),
            "{bad:?}"
        );
    }
    assert_eq!(
        with("GET /path HTTP/1.1", "GET  HTTP/1.1"),
        Err(UpgradeError::StartLine)
    );
    assert_eq!(with("GET /path", "GET \r"), Err(UpgradeError::StartLine));
    // Bare LF line ends, a CR without LF.
    assert_eq!(
        served(Mechanism::Null, &base.replace("\r\n", "\n")),
        Err(UpgradeError::StartLine)
    );
    assert_eq!(
        with("Host: 127.0.0.1\r\n", "Host: 127.0.0.1\n"),
        Err(UpgradeError::HeaderLine)
    );
    assert_eq!(
        with("Host: 127.0.0.1\r\n", "Host: 127.0.0.1\rX"),
        Err(UpgradeError::HeaderLine)
    );
    assert_eq!(
        with("Host: 127.0.0.1\r\n", "Host\r\n"),
        Err(UpgradeError::HeaderLine)
    );
    assert_eq!(
        with("Host: 127.0.0.1\r\n", "\n"),
        Err(UpgradeError::HeaderLine)
    );
    assert_eq!(
        served(Mechanism::Null, &base.replace("\r\n\r\n", "\r\n\rX")),
        Err(UpgradeError::HeaderLine)
    );
}

#[test]
fn header_sizes_are_bounded_as_libzmq_bounds_them() {
    let base = request("ZWS2.0/NULL");
    let name = |n: usize| base.replace("Host: 127.0.0.1", &format!("{}: v", "N".repeat(n)));
    let value = |n: usize| base.replace("Host: 127.0.0.1", &format!("Host: {}", "v".repeat(n)));
    assert!(served(Mechanism::Null, &name(NAME_MAX)).is_ok());
    assert_eq!(
        served(Mechanism::Null, &name(NAME_MAX + 1)),
        Err(UpgradeError::TooLong)
    );
    assert!(served(Mechanism::Null, &value(VALUE_MAX)).is_ok());
    assert_eq!(
        served(Mechanism::Null, &value(VALUE_MAX + 1)),
        Err(UpgradeError::TooLong)
    );
    // Headers without end cost nothing more than one name and one value.
    let mut s = ServerUpgrade::new(Mechanism::Null);
    assert_eq!(s.feed(b"GET / HTTP/1.1\r\n"), Ok(None));
    for _ in 0..10_000 {
        assert_eq!(s.feed(b"X-Filler: 0123456789\r\n"), Ok(None));
    }
    assert!(s.common.http.name().len() + s.common.http.value().len() < 32);
}

#[test]
fn a_failure_is_final_and_so_is_success() {
    let mut s = ServerUpgrade::new(Mechanism::Null);
    assert_eq!(s.feed(b"PUT"), Err(UpgradeError::StartLine));
    assert_eq!(s.feed(b"GET / HTTP/1.1\r\n"), Err(UpgradeError::StartLine));
    let mut s = ServerUpgrade::new(Mechanism::Null);
    assert!(s.feed(request("ZWS2.0").as_bytes()).unwrap().is_some());
    assert_eq!(s.feed(b"more"), Err(UpgradeError::Finished));
    let mut s = ServerUpgrade::new(Mechanism::Plain);
    assert_eq!(
        s.feed(request("ZWS2.0").as_bytes()),
        Err(UpgradeError::NoProtocol)
    );
    assert_eq!(s.feed(b""), Err(UpgradeError::NoProtocol));
}

/// A client whose key is RFC 6455's sample, and the reply that answers it.
fn rfc_client(mech: Mechanism) -> ClientUpgrade {
    ClientUpgrade::new(mech, *b"the sample nonce")
}

fn response(protocol: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
    )
}

fn client_gets(mech: Mechanism, resp: &str) -> Result<Protocol, UpgradeError> {
    let whole = rfc_client(mech).feed(resp.as_bytes());
    let mut c = rfc_client(mech);
    let mut bytewise = Ok(None);
    for b in resp.as_bytes() {
        bytewise = c.feed(std::slice::from_ref(b));
        if !matches!(bytewise, Ok(None)) {
            break;
        }
    }
    assert_eq!(
        whole.as_ref().map(|o| o.as_ref().map(|u| u.protocol)),
        bytewise.as_ref().map(|o| o.as_ref().map(|u| u.protocol))
    );
    whole.map(|u| u.expect("complete").protocol)
}

#[test]
fn client_request_is_libzmqs() {
    let c = rfc_client(Mechanism::Null);
    assert_eq!(
        String::from_utf8(c.request("127.0.0.1", "/path")).unwrap(),
        request("ZWS2.0/NULL,ZWS2.0")
    );
    let r = String::from_utf8(rfc_client(Mechanism::Curve).request("[::1]", "/")).unwrap();
    assert!(r.starts_with("GET / HTTP/1.1\r\nHost: [::1]\r\n"));
    assert!(r.contains("\r\nSec-WebSocket-Protocol: ZWS2.0/CURVE\r\n"));
    // Our own server takes it.
    let u = serve(Mechanism::Curve, r.as_bytes()).unwrap().unwrap();
    assert_eq!(u.protocol, Protocol::Zmtp(Mechanism::Curve));
    assert_eq!(
        client_gets(Mechanism::Curve, std::str::from_utf8(&u.reply).unwrap()),
        Ok(Protocol::Zmtp(Mechanism::Curve))
    );
}

#[test]
fn client_checks_the_reply() {
    use Mechanism::*;
    assert_eq!(
        client_gets(Null, &response("ZWS2.0/NULL")),
        Ok(Protocol::Zmtp(Null))
    );
    assert_eq!(client_gets(Null, &response("ZWS2.0")), Ok(Protocol::Bare));
    assert_eq!(
        client_gets(Plain, &response("ZWS2.0/NULL")),
        Err(UpgradeError::NoProtocol)
    );
    // The value is one token, not a list.
    assert_eq!(
        client_gets(Null, &response("ZWS2.0/NULL,ZWS2.0")),
        Err(UpgradeError::NoProtocol)
    );
    let base = response("ZWS2.0/NULL");
    let with = |from: &str, to: &str| client_gets(Null, &base.replace(from, to));
    assert!(with("HTTP/1.1 101 Switching", "HTTP/1.1   101   Switching").is_ok());
    for bad in [
        "HTTP/1.1 200 OK",
        "HTTP/1.0 101 Switching Protocols",
        "HTTP/1.1 101 switching protocols",
        "HTTP/1.1 101 Switching Protocols ",
    ] {
        assert_eq!(
            with("HTTP/1.1 101 Switching Protocols", bad),
            Err(UpgradeError::StartLine),
            "{bad:?}"
        );
    }
    assert_eq!(
        with(
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo"
        ),
        Err(UpgradeError::BadAccept)
    );
    assert_eq!(
        with("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", ""),
        Err(UpgradeError::BadAccept)
    );
    assert_eq!(
        with("Upgrade: websocket", "Upgrade: WEBSOCKET").map(|_| ()),
        Ok(())
    );
    assert_eq!(
        with("Connection: Upgrade\r\n", ""),
        Err(UpgradeError::NotUpgrade)
    );
    // A second protocol after one with a mechanism: libzmq refuses.
    assert_eq!(
        with(
            "\r\n\r\n",
            "\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
        ),
        Err(UpgradeError::SecondProtocol)
    );
    assert_eq!(
        client_gets(
            Null,
            &response("ZWS2.0").replace(
                "\r\n\r\n",
                "\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
            )
        ),
        Ok(Protocol::Zmtp(Null))
    );
}

#[test]
fn frames_right_behind_the_reply_are_left_for_the_decoder() {
    let mut resp = response("ZWS2.0/NULL").into_bytes();
    let len = resp.len();
    resp.extend([0x82, 0x01, 0x02]);
    let u = rfc_client(Mechanism::Null).feed(&resp).unwrap().unwrap();
    assert_eq!(u.used, len);
    assert!(u.reply.is_empty());
}

//! Client and server layers back to back in memory: handshakes under each
//! trust and name rule libzmq applies, data both ways in any cut, and
//! refusals that fail cleanly (an errno, never a hang or a panic).

use super::layer::TlsLayer;
use super::*;
use crate::transport::LAYER_INPUT_MAX;
use bytes::BytesMut;
use rustls::{CertificateError, Error as TlsError};

const CA: &str = include_str!("testdata/ca.pem");
const OTHER_CA: &str = include_str!("testdata/other-ca.pem");
const SERVER: &str = include_str!("testdata/server.pem");
const SERVER_KEY: &str = include_str!("testdata/server.key");
const SERVER_RSA1: &str = include_str!("testdata/server-rsa1.pem");
const SERVER_RSA1_KEY: &str = include_str!("testdata/server-rsa1.key");
const PINNED: &str = include_str!("testdata/pinned.pem");
const PINNED_KEY: &str = include_str!("testdata/pinned.key");
const EXPIRED: &str = include_str!("testdata/expired.pem");
const EXPIRED_KEY: &str = include_str!("testdata/expired.key");

fn server_cfg(cert: &str, key: &str) -> WssConfig {
    WssConfig::new(key.as_bytes(), cert.as_bytes(), b"", b"", false)
}

fn client_cfg(trust: &str, hostname: &str) -> WssConfig {
    WssConfig::new(b"", b"", trust.as_bytes(), hostname.as_bytes(), false)
}

/// Concrete layers, so that tests can ask what failed.
fn client_layer(cfg: &WssConfig, host: &str) -> TlsLayer<UnbufferedClientConnection> {
    let config = client_config(cfg, system_roots).unwrap();
    TlsLayer::new(UnbufferedClientConnection::new(config, server_name(cfg, host)).unwrap()).unwrap()
}

fn server_layer(cfg: &WssConfig) -> TlsLayer<UnbufferedServerConnection> {
    TlsLayer::new(UnbufferedServerConnection::new(server_config(cfg).unwrap()).unwrap()).unwrap()
}

/// Moves `from`'s output into `to`, at most `chunk` octets per read as
/// the engine would read them, decoding after each; the plaintext `to`
/// decodes is appended to `plain`.
fn pass(
    from: &mut dyn StreamLayer,
    to: &mut dyn StreamLayer,
    chunk: usize,
    plain: &mut BytesMut,
) -> Result<usize> {
    let mut moved = 0;
    while !from.output().is_empty() {
        let input = to.input();
        let room = input.capacity() - input.len();
        assert!(room > 0, "the reader's buffer is full");
        let n = from.output().len().min(chunk).min(room);
        input.extend_from_slice(&from.output()[..n]);
        from.output_consumed(n);
        moved += n;
        to.decode(plain)?;
    }
    Ok(moved)
}

/// Runs both ways until neither has anything to send; the first error
/// (client's or server's) ends it.
fn settle(
    client: &mut dyn StreamLayer,
    server: &mut dyn StreamLayer,
    chunk: usize,
    to_client: &mut BytesMut,
    to_server: &mut BytesMut,
) -> Result<()> {
    for _ in 0..100 {
        let a = pass(client, server, chunk, to_server)?;
        let b = pass(server, client, chunk, to_client)?;
        if a == 0 && b == 0 {
            return Ok(());
        }
    }
    panic!("layers never went quiet");
}

/// A handshake between `client` and `server` configurations; Ok with
/// both layers when it completed.
fn handshake(
    client: &WssConfig,
    host: &str,
    server: &WssConfig,
) -> std::result::Result<
    (
        TlsLayer<UnbufferedClientConnection>,
        TlsLayer<UnbufferedServerConnection>,
    ),
    TlsError,
> {
    let mut c = client_layer(client, host);
    let mut s = server_layer(server);
    let (mut pc, mut ps) = (BytesMut::new(), BytesMut::new());
    let r = settle(&mut c, &mut s, 1 << 20, &mut pc, &mut ps);
    if r.is_err() {
        assert_eq!(r, Err(Error::EPROTO));
        let failure = c.failure().or(s.failure()).expect("a layer says why");
        return Err(failure.clone());
    }
    assert!(!c.handshaking() && !s.handshaking());
    assert!(pc.is_empty() && ps.is_empty());
    Ok((c, s))
}

fn refused_by_client(client: &WssConfig, host: &str, server: &WssConfig) -> TlsError {
    match handshake(client, host, server) {
        Ok(_) => panic!("handshake completed"),
        Err(e) => e,
    }
}

#[test]
fn data_crosses_both_ways_in_any_cut() {
    let server = server_cfg(SERVER, SERVER_KEY);
    for chunk in [1, 7, 1000, 1 << 20] {
        let mut c = client_layer(&client_cfg(CA, "localhost"), "localhost");
        let mut s = server_layer(&server);
        let (mut pc, mut ps) = (BytesMut::new(), BytesMut::new());
        settle(&mut c, &mut s, chunk, &mut pc, &mut ps).unwrap();
        assert!(!c.handshaking() && !s.handshaking(), "chunk {chunk}");
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        c.encode(b"hello").unwrap();
        c.encode(&big).unwrap();
        s.encode(b"world").unwrap();
        settle(&mut c, &mut s, chunk, &mut pc, &mut ps).unwrap();
        assert_eq!(&pc[..], b"world");
        assert_eq!(ps.len(), 5 + big.len());
        assert_eq!(&ps[..5], b"hello");
        assert!(ps[5..] == big[..], "chunk {chunk}");
        assert!(!c.peer_closed() && !s.peer_closed());
    }
}

#[test]
fn the_client_checks_the_name_only_when_asked() {
    let server = server_cfg(SERVER, SERVER_KEY);
    // subjectAltNames: DNS names, a wildcard, an IP address.
    for name in [
        "localhost",
        "zmq.test",
        "ZMQ.Test",
        "a.wild.test",
        "127.0.0.1",
    ] {
        assert!(
            handshake(&client_cfg(CA, name), "10.0.0.1", &server).is_ok(),
            "{name}"
        );
    }
    // No ZMQ_WSS_HOSTNAME: only the chain is checked, whatever the host.
    assert!(handshake(&client_cfg(CA, ""), "example.org", &server).is_ok());
    for name in [
        "example.org",
        "wild.test",
        "a.b.wild.test",
        "127.0.0.2",
        "zmq test server",
    ] {
        assert_eq!(
            refused_by_client(&client_cfg(CA, name), "localhost", &server),
            TlsError::InvalidCertificate(CertificateError::NotValidForName),
            "{name}"
        );
    }
}

#[test]
fn the_chain_must_reach_a_trusted_certificate() {
    let server = server_cfg(SERVER, SERVER_KEY);
    let unknown = TlsError::InvalidCertificate(CertificateError::UnknownIssuer);
    // No trust at all: every handshake fails, as in libzmq.
    assert_eq!(
        refused_by_client(&client_cfg("", ""), "localhost", &server),
        unknown
    );
    assert_eq!(
        refused_by_client(&client_cfg(OTHER_CA, ""), "localhost", &server),
        unknown
    );
    // Text that is no PEM adds nothing, and is no error (GnuTLS: zero
    // certificates).
    assert_eq!(
        refused_by_client(&client_cfg("not a certificate", ""), "localhost", &server),
        unknown
    );
    // Several anchors, one of them right.
    let both = format!("{OTHER_CA}\n{CA}");
    assert!(handshake(&client_cfg(&both, "zmq.test"), "localhost", &server).is_ok());
    // An RSA server, its key written as PKCS#1.
    let rsa = server_cfg(SERVER_RSA1, SERVER_RSA1_KEY);
    assert!(handshake(&client_cfg(CA, "localhost"), "localhost", &rsa).is_ok());
}

#[test]
fn a_trusted_self_signed_certificate_serves_as_is_and_by_its_common_name() {
    // libzmq's test_wss_transport: a self-signed CA certificate without
    // subjectAltName, trusted directly, named by its CN.
    let server = server_cfg(PINNED, PINNED_KEY);
    for name in ["zeromq.test", ""] {
        assert!(
            handshake(&client_cfg(PINNED, name), "127.0.0.1", &server).is_ok(),
            "{name}"
        );
    }
    assert_eq!(
        refused_by_client(&client_cfg(PINNED, "zeromq.org"), "127.0.0.1", &server),
        TlsError::InvalidCertificate(CertificateError::NotValidForName)
    );
    // Trusting another certificate does not admit it (webpki refuses a
    // CA certificate as a server's, which is why trusting it directly is
    // a rule of its own).
    let refusal = refused_by_client(&client_cfg(CA, ""), "127.0.0.1", &server);
    assert!(
        format!("{refusal:?}").contains("CaUsedAsEndEntity"),
        "{refusal:?}"
    );
    // Out of its validity period, it is refused even when trusted.
    let expired = server_cfg(EXPIRED, EXPIRED_KEY);
    assert_eq!(
        refused_by_client(&client_cfg(EXPIRED, ""), "127.0.0.1", &expired),
        TlsError::InvalidCertificate(CertificateError::Expired)
    );
}

#[test]
fn system_trust_adds_the_systems_anchors() {
    let server = server_cfg(SERVER, SERVER_KEY);
    let mut cfg = WssConfig::new(b"", b"", b"", b"localhost", true);
    // Our CA standing in for the system's store.
    let config = client_config(&cfg, || certificates(CA.as_bytes()).unwrap()).unwrap();
    let mut c = TlsLayer::new(
        UnbufferedClientConnection::new(config, server_name(&cfg, "localhost")).unwrap(),
    )
    .unwrap();
    let mut s = server_layer(&server);
    let (mut pc, mut ps) = (BytesMut::new(), BytesMut::new());
    settle(&mut c, &mut s, 1 << 20, &mut pc, &mut ps).unwrap();
    assert!(!c.handshaking());
    // The real store (Debian's ca-certificates) does not know our CA.
    if std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").exists() {
        assert!(system_roots().len() > 10);
        assert_eq!(
            refused_by_client(&cfg, "localhost", &server),
            TlsError::InvalidCertificate(CertificateError::UnknownIssuer)
        );
    }
    cfg.trust_system = false;
    assert_eq!(
        refused_by_client(&cfg, "localhost", &server),
        TlsError::InvalidCertificate(CertificateError::UnknownIssuer)
    );
}

#[test]
fn bad_server_credentials_are_einval() {
    let cases: [(&str, &str, &str); 6] = [
        ("nothing", "", ""),
        ("no key", SERVER, ""),
        ("no certificate", "", SERVER_KEY),
        ("another key", SERVER, PINNED_KEY),
        ("garbage", "garbage", "garbage"),
        (
            "bad base64",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            SERVER_KEY,
        ),
    ];
    for (what, cert, key) in cases {
        let cfg = server_cfg(cert, key);
        assert_eq!(check_server(&cfg), Err(Error::EINVAL), "{what}");
        assert!(server(&cfg).is_err(), "{what}");
    }
    let good = server_cfg(SERVER, SERVER_KEY);
    assert_eq!(check_server(&good), Ok(()));
    // Built once per endpoint: clones share it.
    let again = good.clone();
    assert!(Arc::ptr_eq(
        &server_config(&good).unwrap(),
        &server_config(&again).unwrap()
    ));
}

#[test]
fn undecodable_trust_fails_each_connection() {
    let cfg = client_cfg(
        "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        "",
    );
    assert_eq!(client(&cfg, "localhost").err(), Some(Error::EINVAL));
    assert!(client(&client_cfg(CA, ""), "localhost").is_ok());
}

#[test]
fn sni_is_the_hostname_else_a_host_name() {
    let name =
        |hostname: &str, host: &str| format!("{:?}", server_name(&client_cfg("", hostname), host));
    assert!(name("zmq.test", "localhost").contains("zmq.test"));
    assert!(name("", "localhost").contains("localhost"));
    assert!(name("", "[::1]").contains("IpAddress"));
    assert!(name("", "127.0.0.1").contains("IpAddress"));
    assert!(name("not a name", "localhost").contains("localhost"));
}

#[test]
fn garbage_instead_of_tls_fails_either_side() {
    let http = b"GET /p HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n";
    let mut s = server_layer(&server_cfg(SERVER, SERVER_KEY));
    s.input().extend_from_slice(http);
    assert_eq!(s.decode(&mut BytesMut::new()), Err(Error::EPROTO));
    assert!(s.failure().is_some());
    // Final: later calls fail the same way.
    assert_eq!(s.decode(&mut BytesMut::new()), Err(Error::EPROTO));

    let mut c = client_layer(&client_cfg(CA, ""), "localhost");
    c.input()
        .extend_from_slice(b"HTTP/1.1 101 Switching Protocols\r\n\r\n");
    assert_eq!(c.decode(&mut BytesMut::new()), Err(Error::EPROTO));
    assert!(c.handshaking());
    assert_eq!(c.encode(b"x"), Err(Error::EPROTO));
}

#[test]
fn encoding_before_the_handshake_is_refused() {
    let mut c = client_layer(&client_cfg(CA, ""), "localhost");
    assert!(c.handshaking());
    assert_eq!(c.encode(b"too early"), Err(Error::EPROTO));
}

#[test]
fn input_is_bounded_whatever_the_peer_sends() {
    // A ClientHello of the largest size a handshake message may have,
    // in records: it cannot fit the input buffer, which never offers
    // more than LAYER_INPUT_MAX; once full, the layer gives up with an
    // error rather than wait for more or grow.
    let body_len = 0xFFFF;
    let mut message = vec![0x01, 0x00, 0xFF, 0xFF];
    message.resize(4 + body_len, 0);
    let mut stream = Vec::new();
    for record in message.chunks(16_384) {
        stream.extend_from_slice(&[0x16, 0x03, 0x01]);
        stream.extend_from_slice(&(record.len() as u16).to_be_bytes());
        stream.extend_from_slice(record);
    }
    assert!(stream.len() > LAYER_INPUT_MAX);
    let mut s = server_layer(&server_cfg(SERVER, SERVER_KEY));
    let mut plain = BytesMut::new();
    let mut fed = 0;
    let outcome = loop {
        let input = s.input();
        assert!(input.capacity() <= LAYER_INPUT_MAX);
        let n = (input.capacity() - input.len())
            .min(1000)
            .min(stream.len() - fed);
        assert!(n > 0, "the buffer filled up without an error");
        input.extend_from_slice(&stream[fed..fed + n]);
        fed += n;
        if let Err(e) = s.decode(&mut plain) {
            break e;
        }
    };
    assert_eq!(outcome, Error::EPROTO);
    assert!(fed <= LAYER_INPUT_MAX, "{fed}");
    assert!(
        matches!(s.failure(), Some(TlsError::General(m)) if m.contains("too large")),
        "{:?}",
        s.failure()
    );
    assert!(plain.is_empty());
}

#[test]
fn a_peers_close_notify_ends_its_side() {
    // rustls' buffered server as the peer, which can send close_notify.
    let mut c = client_layer(&client_cfg(CA, "localhost"), "localhost");
    let mut peer =
        rustls::ServerConnection::new(server_config(&server_cfg(SERVER, SERVER_KEY)).unwrap())
            .unwrap();
    let mut plain = BytesMut::new();
    for _ in 0..10 {
        let mut out = c.output();
        while !out.is_empty() {
            peer.read_tls(&mut out).unwrap();
        }
        let n = c.output().len();
        c.output_consumed(n);
        peer.process_new_packets().unwrap();
        let mut back = Vec::new();
        while peer.wants_write() {
            peer.write_tls(&mut back).unwrap();
        }
        c.input().extend_from_slice(&back);
        c.decode(&mut plain).unwrap();
        if !c.handshaking() && !peer.is_handshaking() && c.output().is_empty() {
            break;
        }
    }
    assert!(!c.handshaking());
    std::io::Write::write_all(&mut peer.writer(), b"last words").unwrap();
    peer.send_close_notify();
    let mut back = Vec::new();
    while peer.wants_write() {
        peer.write_tls(&mut back).unwrap();
    }
    c.input().extend_from_slice(&back);
    c.decode(&mut plain).unwrap();
    assert_eq!(&plain[..], b"last words");
    assert!(c.peer_closed());
}

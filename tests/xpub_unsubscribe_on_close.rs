//! What an XPUB reports when a subscriber goes away: the topics nobody
//! wants any more, or with XPUB_VERBOSER every topic the subscriber held.

use zmq::ctx::CtxShared;
use zmq::error::Error;
use zmq::ffi::consts::{ZMQ_SUBSCRIBE as SUBSCRIBE, ZMQ_XPUB_VERBOSER as XPUB_VERBOSER};
use zmq::msg::Msg;
use zmq::socket::Socket;
use zmq::types::SocketType;

const SUB: SocketType = SocketType::Sub;
const XPUB: SocketType = SocketType::XPub;

fn drain(s: &Socket) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let mut m = Msg::new();
        match s.recv(&mut m, 1) {
            Ok(()) => out.push(m.data().to_vec()),
            Err(e) => {
                assert_eq!(e, Error::EAGAIN);
                return out;
            }
        }
    }
}

/// Two subscribers to "A", one also to "B"; that one closes.
fn unsubscriptions_after_close(verboser: bool) -> Vec<Vec<u8>> {
    let ctx = CtxShared::new();
    let xpub = Socket::create(&ctx, XPUB).unwrap();
    if verboser {
        xpub.setsockopt(XPUB_VERBOSER, &1i32.to_ne_bytes()).unwrap();
    }
    xpub.bind("inproc://xpub-close").unwrap();
    let s1 = Socket::create(&ctx, SUB).unwrap();
    let s2 = Socket::create(&ctx, SUB).unwrap();
    for s in [s1, s2] {
        s.connect("inproc://xpub-close").unwrap();
        s.setsockopt(SUBSCRIBE, b"A").unwrap();
    }
    s1.setsockopt(SUBSCRIBE, b"B").unwrap();
    let subs = drain(xpub);
    assert!(subs.contains(&b"\x01B".to_vec()), "{subs:?}");
    // Only a verbose(r) XPUB passes on a subscription it already has.
    let a_subs = subs.iter().filter(|s| s.as_slice() == b"\x01A").count();
    assert_eq!(
        (a_subs, subs.len()),
        if verboser { (2, 3) } else { (1, 2) },
        "{subs:?}"
    );

    s1.close().unwrap();
    let gone = drain(xpub);
    for s in [xpub, s2] {
        s.close().unwrap();
    }
    ctx.terminate();
    gone
}

#[test]
fn plain_xpub_reports_only_abandoned_topics() {
    assert_eq!(unsubscriptions_after_close(false), vec![b"\x00B".to_vec()]);
}

#[test]
fn verboser_reports_every_topic_of_the_closed_subscriber() {
    assert_eq!(
        unsubscriptions_after_close(true),
        vec![b"\x00A".to_vec(), b"\x00B".to_vec()]
    );
}

//! An inproc connect that comes before (or races with) its bind ends up
//! as one that comes after: with the sender's SNDHWM plus the receiver's
//! RCVHWM as soon as the bind is done, whether or not the connecting socket
//! has processed its commands since, and leaving the binder's
//! ZMQ_DISCONNECT_MSG behind when it goes.

use std::sync::Arc;

use zmq::ctx::CtxShared;
use zmq::error::Error;
use zmq::ffi::consts::{
    ZMQ_DISCONNECT_MSG as DISCONNECT_MSG, ZMQ_DONTWAIT as DONTWAIT, ZMQ_RCVHWM as RCVHWM,
    ZMQ_RCVTIMEO as RCVTIMEO, ZMQ_SNDHWM as SNDHWM,
};
use zmq::msg::Msg;
use zmq::socket::Socket;
use zmq::types::SocketType;

const PUSH: SocketType = SocketType::Push;
const PULL: SocketType = SocketType::Pull;
const SERVER: SocketType = SocketType::Server;
const CLIENT: SocketType = SocketType::Client;

/// Binds in another thread while this one connects; once the bind is
/// done, counts what the PUSH takes before EAGAIN.
fn sent_before_full(round: usize) -> usize {
    let ctx = CtxShared::new();
    let endpoint = format!("inproc://late-bind-{round}");
    let binder = {
        let ctx = Arc::clone(&ctx);
        let endpoint = endpoint.clone();
        std::thread::spawn(move || {
            let pull = Socket::create(&ctx, PULL).unwrap();
            pull.setsockopt(RCVHWM, &7i32.to_ne_bytes()).unwrap();
            pull.bind(&endpoint).unwrap();
            pull
        })
    };
    let push = Socket::create(&ctx, PUSH).unwrap();
    push.setsockopt(SNDHWM, &5i32.to_ne_bytes()).unwrap();
    push.connect(&endpoint).unwrap();
    let pull = binder.join().unwrap();
    let mut sent = 0;
    loop {
        match push.send(&mut Msg::from_slice(b"m"), DONTWAIT) {
            Ok(()) => sent += 1,
            Err(e) => {
                assert_eq!(e, Error::EAGAIN);
                break;
            }
        }
        assert!(sent <= 100, "the pipe has no limit");
    }
    push.close().unwrap();
    pull.close().unwrap();
    ctx.terminate();
    sent
}

#[test]
fn a_late_bind_sums_the_marks() {
    // Enough rounds that the connect comes before, after and during the bind.
    for round in 0..100 {
        assert_eq!(sent_before_full(round), 12, "round {round}");
    }
}

#[test]
fn a_late_bind_leaves_its_disconnect_message_with_the_connector() {
    let ctx = CtxShared::new();
    let client = Socket::create(&ctx, CLIENT).unwrap();
    client.connect("inproc://late-disconnect-msg").unwrap();
    let server = Socket::create(&ctx, SERVER).unwrap();
    server.setsockopt(DISCONNECT_MSG, b"D").unwrap();
    server.setsockopt(RCVTIMEO, &5000i32.to_ne_bytes()).unwrap();
    server.bind("inproc://late-disconnect-msg").unwrap();
    client.send(&mut Msg::from_slice(b"hi"), 0).unwrap();
    let mut m = Msg::new();
    server.recv(&mut m, 0).unwrap();
    assert_eq!(m.data(), b"hi");
    client.close().unwrap();
    let mut m = Msg::new();
    server.recv(&mut m, 0).unwrap();
    assert_eq!(m.data(), b"D");
    server.close().unwrap();
    ctx.terminate();
}

//! Draft PEER sockets (zmq_connect_peer) and zmq_socket_monitor_pipes_stats
//! over inproc.

use zmq::ctx::CtxShared;
use zmq::error::Error;
use zmq::ffi::consts::{
    ZMQ_CURRENT_EVENT_VERSION_DRAFT, ZMQ_EVENT_PIPES_STATS, ZMQ_IMMEDIATE as IMMEDIATE,
};
use zmq::msg::Msg;
use zmq::socket::Socket;
use zmq::types::SocketType;

const PAIR: SocketType = SocketType::Pair;
const PULL: SocketType = SocketType::Pull;
const PUSH: SocketType = SocketType::Push;
const SERVER: SocketType = SocketType::Server;
const PEER: SocketType = SocketType::Peer;
const EVENT_PIPES_STATS: u64 = ZMQ_EVENT_PIPES_STATS as u64;

fn recv_u64(s: &Socket) -> u64 {
    let mut m = Msg::new();
    s.recv(&mut m, 0).unwrap();
    u64::from_ne_bytes(m.data().try_into().expect("8-byte frame"))
}

fn recv_bytes(s: &Socket) -> Vec<u8> {
    let mut m = Msg::new();
    s.recv(&mut m, 0).unwrap();
    m.data().to_vec()
}

#[test]
fn peers_address_each_other_by_the_id_connect_peer_returned() {
    let ctx = CtxShared::new();
    let a = Socket::create(&ctx, PEER).unwrap();
    let b = Socket::create(&ctx, PEER).unwrap();
    a.bind("inproc://peer-1").unwrap();
    let a_id = b.connect_peer("inproc://peer-1").unwrap();
    assert_ne!(a_id, 0);

    let mut m = Msg::from_slice(b"hello");
    m.set_routing_id(a_id);
    b.send(&mut m, 0).unwrap();

    let mut got = Msg::new();
    a.recv(&mut got, 0).unwrap();
    assert_eq!(got.data(), b"hello");
    let b_id = got.routing_id();
    assert_ne!(b_id, 0);

    let mut reply = Msg::from_slice(b"world");
    reply.set_routing_id(b_id);
    a.send(&mut reply, 0).unwrap();
    let mut got = Msg::new();
    b.recv(&mut got, 0).unwrap();
    assert_eq!((got.data(), got.routing_id()), (&b"world"[..], a_id));

    // A second connection gets a different id.
    let c = Socket::create(&ctx, PEER).unwrap();
    c.bind("inproc://peer-2").unwrap();
    let c_id = b.connect_peer("inproc://peer-2").unwrap();
    assert_ne!(c_id, a_id);

    for s in [a, b, c] {
        s.close().unwrap();
    }
    ctx.terminate();
}

#[test]
fn connect_peer_errors() {
    let ctx = CtxShared::new();
    let server = Socket::create(&ctx, SERVER).unwrap();
    assert_eq!(server.connect_peer("inproc://x"), Err(Error::ENOTSUP));
    let peer = Socket::create(&ctx, PEER).unwrap();
    peer.setsockopt(IMMEDIATE, &1i32.to_ne_bytes()).unwrap();
    assert_eq!(peer.connect_peer("inproc://x"), Err(Error::EFAULT));
    peer.setsockopt(IMMEDIATE, &0i32.to_ne_bytes()).unwrap();
    assert_eq!(peer.connect_peer("tcp:/bad"), Err(Error::EINVAL));
    for s in [server, peer] {
        s.close().unwrap();
    }
    ctx.terminate();
}

#[test]
fn pipes_stats_report_both_queues() {
    let ctx = CtxShared::new();
    let push = Socket::create(&ctx, PUSH).unwrap();
    assert_eq!(push.query_pipes_stats(), Err(Error::EINVAL), "no monitor");
    push.monitor(
        Some("inproc://mon-stats"),
        EVENT_PIPES_STATS,
        ZMQ_CURRENT_EVENT_VERSION_DRAFT,
        Some(PAIR),
    )
    .unwrap();
    let mon = Socket::create(&ctx, PAIR).unwrap();
    mon.connect("inproc://mon-stats").unwrap();
    assert_eq!(push.query_pipes_stats(), Err(Error::EAGAIN), "no pipes");

    push.bind("inproc://stats").unwrap();
    let pull = Socket::create(&ctx, PULL).unwrap();
    pull.connect("inproc://stats").unwrap();
    for _ in 0..7 {
        push.send(&mut Msg::from_slice(b"x"), 0).unwrap();
    }
    push.query_pipes_stats().unwrap();
    // The query waits in the PULL's mailbox, the answer in the PUSH's.
    pull.events().unwrap();
    push.events().unwrap();

    assert_eq!(recv_u64(&mon), EVENT_PIPES_STATS);
    assert_eq!(recv_u64(&mon), 2, "two values");
    assert_eq!(recv_u64(&mon), 7, "queued towards the PULL");
    assert_eq!(recv_u64(&mon), 0, "queued from the PULL");
    assert_eq!(recv_bytes(&mon), b"", "inproc pipes have no endpoints");
    assert_eq!(recv_bytes(&mon), b"");

    for s in [push, pull, mon] {
        s.close().unwrap();
    }
    ctx.terminate();
}

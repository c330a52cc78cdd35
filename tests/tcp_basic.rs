//! Our sockets talking to each other over tcp and ipc through the io
//! threads and the ZMTP engine.

use std::sync::Arc;
use zmq::ctx::CtxShared;
use zmq::ffi::consts::ZMQ_LAST_ENDPOINT as LAST_ENDPOINT;
use zmq::msg::Msg;
use zmq::socket::Socket;
use zmq::types::SocketType;

const REQ: SocketType = SocketType::Req;
const REP: SocketType = SocketType::Rep;
const PULL: SocketType = SocketType::Pull;
const PUSH: SocketType = SocketType::Push;

fn last_endpoint(s: &Socket) -> String {
    let mut buf = [0u8; 256];
    let mut len = buf.len();
    s.getsockopt(LAST_ENDPOINT, &mut buf, &mut len).unwrap();
    String::from_utf8(buf[..len.saturating_sub(1)].to_vec()).unwrap()
}

fn send(s: &Socket, data: &[u8], more: bool) {
    s.send(&mut Msg::from_slice(data), if more { 2 } else { 0 })
        .unwrap();
}

fn recv(s: &Socket) -> Vec<u8> {
    let mut m = Msg::new();
    s.recv(&mut m, 0).unwrap();
    m.data().to_vec()
}

fn push_pull(ctx: &Arc<CtxShared>, bind_at: &str) {
    let pull = Socket::create(ctx, PULL).unwrap();
    pull.bind(bind_at).unwrap();
    let ep = last_endpoint(pull);
    let push = Socket::create(ctx, PUSH).unwrap();
    push.connect(&ep).unwrap();
    for i in 0..100u32 {
        send(push, &i.to_be_bytes(), false);
    }
    let big = vec![7u8; 1 << 20];
    send(push, b"part1", true);
    send(push, &big, false);
    for i in 0..100u32 {
        assert_eq!(recv(pull), i.to_be_bytes());
    }
    assert_eq!(recv(pull), b"part1");
    assert_eq!(recv(pull), big);
    push.close().unwrap();
    pull.close().unwrap();
}

#[test]
fn push_pull_over_tcp_and_ipc() {
    let ctx = CtxShared::new();
    push_pull(&ctx, "tcp://127.0.0.1:*");
    push_pull(&ctx, "ipc://*");
    ctx.terminate();
}

#[test]
fn req_rep_over_tcp_connect_before_bind() {
    let ctx = CtxShared::new();
    // Find a free port, then connect first: the connecter retries.
    let probe = Socket::create(&ctx, PULL).unwrap();
    probe.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(probe);
    probe.unbind(&ep).unwrap();
    probe.close().unwrap();

    let req = Socket::create(&ctx, REQ).unwrap();
    req.connect(&ep).unwrap();
    send(req, b"hello", false);
    let rep = Socket::create(&ctx, REP).unwrap();
    let mut bound = rep.bind(&ep);
    for _ in 0..50 {
        if bound.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        bound = rep.bind(&ep);
    }
    bound.unwrap();
    assert_eq!(recv(rep), b"hello");
    send(rep, b"world", false);
    assert_eq!(recv(req), b"world");
    req.close().unwrap();
    rep.close().unwrap();
    ctx.terminate();
}

#[test]
fn many_large_messages_over_tcp_do_not_stall() {
    // More data than one engine turn moves: the engine must come back to
    // it by itself (no readiness edge will announce it again).
    let ctx = CtxShared::new();
    let pull = Socket::create(&ctx, PULL).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = Socket::create(&ctx, PUSH).unwrap();
    push.connect(&last_endpoint(pull)).unwrap();
    let sender = std::thread::spawn(move || {
        for i in 0..300u32 {
            let mut body = vec![(i % 251) as u8; 64 * 1024];
            body[..4].copy_from_slice(&i.to_be_bytes());
            send(push, &body, false);
        }
        push
    });
    for i in 0..300u32 {
        let m = recv(pull);
        assert_eq!(m.len(), 64 * 1024);
        assert_eq!(m[..4], i.to_be_bytes());
        assert!(m[4..].iter().all(|&b| b == (i % 251) as u8));
    }
    sender.join().unwrap().close().unwrap();
    pull.close().unwrap();
    ctx.terminate();
}

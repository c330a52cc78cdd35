//! zmq_poll, the draft poller and the proxy over inproc, using the crate as
//! an rlib (the exported functions are called directly).

use std::os::raw::{c_short, c_void};
use std::ptr::null_mut;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use zmq::ctx::CtxShared;
use zmq::error::Error;
use zmq::ffi::consts::{ETERM, ZMQ_POLLIN, ZMQ_POLLOUT};
use zmq::ffi::poll::*;
use zmq::ffi::proxy::*;
use zmq::ffi::types::zmq_pollitem_t;
use zmq::msg::Msg;
use zmq::socket::Socket;
use zmq::types::SocketType;

const PAIR: SocketType = SocketType::Pair;
const PULL: SocketType = SocketType::Pull;
const PUSH: SocketType = SocketType::Push;
const SERVER: SocketType = SocketType::Server;
const CLIENT: SocketType = SocketType::Client;
const POLLIN: c_short = ZMQ_POLLIN as c_short;
const POLLOUT: c_short = ZMQ_POLLOUT as c_short;

fn errno() -> i32 {
    // SAFETY: the calling thread's errno slot.
    unsafe { *libc::__errno_location() }
}

fn sock(ctx: &Arc<CtxShared>, ty: SocketType) -> &'static Socket {
    Socket::create(ctx, ty).unwrap()
}

fn send(s: &Socket, data: &[u8], more: bool) {
    let mut m = Msg::from_slice(data);
    s.send(&mut m, if more { 2 } else { 0 }).unwrap();
}

fn recv(s: &Socket) -> (Vec<u8>, bool) {
    let mut m = Msg::new();
    s.recv(&mut m, 0).unwrap();
    (m.data().to_vec(), m.more())
}

/// Receives from a SERVER, skipping empty frames: at the time of writing
/// the inproc connect delivers the CLIENT's routing-id frame to the SERVER
/// as a message (SERVER has recv_routing_id set in
/// socket::types::adjust_options, which libzmq's server_t does not).
fn recv_server(s: &Socket) -> Vec<u8> {
    loop {
        let (d, _) = recv(s);
        if !d.is_empty() {
            return d;
        }
    }
}

fn item(s: &'static Socket, events: c_short) -> zmq_pollitem_t {
    zmq_pollitem_t {
        socket: s.as_handle(),
        fd: 0,
        events,
        revents: 0,
    }
}

fn poll(items: &mut [zmq_pollitem_t], timeout: i64) -> i32 {
    // SAFETY: a valid array of valid items.
    unsafe { zmq_poll(items.as_mut_ptr(), items.len() as i32, timeout as _) }
}

#[test]
fn zmq_poll_inproc_pair() {
    let ctx = CtxShared::new();
    let a = sock(&ctx, PAIR);
    let b = sock(&ctx, PAIR);
    a.bind("inproc://poll-pair").unwrap();
    b.connect("inproc://poll-pair").unwrap();

    let mut items = [item(a, POLLIN), item(b, POLLIN | POLLOUT)];
    assert_eq!(poll(&mut items, 0), 1);
    assert_eq!(items[0].revents, 0);
    assert_eq!(items[1].revents, POLLOUT);

    // Nothing to read: times out.
    let mut items = [item(a, POLLIN), item(b, POLLIN)];
    let t = Instant::now();
    assert_eq!(poll(&mut items, 50), 0);
    assert!(t.elapsed() >= Duration::from_millis(50));

    // A message sent from another thread wakes an infinite poll.
    let h = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        send(a, b"hello", false);
    });
    let mut items = [item(b, POLLIN)];
    assert_eq!(poll(&mut items, -1), 1);
    assert_eq!(items[0].revents, POLLIN);
    h.join().unwrap();
    assert_eq!(recv(b), (b"hello".to_vec(), false));
    assert_eq!(poll(&mut items, 0), 0);

    // A plain fd alongside a socket.
    let mut fds = [0; 2];
    // SAFETY: room for two fds.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let mut items = [
        item(b, POLLIN),
        zmq_pollitem_t {
            socket: null_mut(),
            fd: fds[1],
            events: POLLOUT,
            revents: 0,
        },
    ];
    assert_eq!(poll(&mut items, -1), 1);
    assert_eq!(items[1].revents, POLLOUT);
    // SAFETY: closing our pipe.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }

    // Errors.
    let mut bad = [zmq_pollitem_t {
        socket: 9 as *mut c_void,
        fd: 0,
        events: POLLIN,
        revents: 0,
    }];
    // The handle is misaligned for a Socket: caught before any read.
    assert_eq!(poll(&mut bad, 0), -1);
    assert_eq!(errno(), libc::ENOTSOCK);
    // SAFETY: NULL items are checked.
    assert_eq!(unsafe { zmq_poll(null_mut(), 1, 0) }, -1);
    assert_eq!(errno(), libc::EFAULT);
    // SAFETY: as above.
    assert_eq!(unsafe { zmq_poll(null_mut(), -1, 0) }, -1);
    assert_eq!(errno(), libc::EINVAL);
    let t = Instant::now();
    // SAFETY: no items.
    assert_eq!(unsafe { zmq_poll(null_mut(), 0, 20) }, 0);
    assert!(t.elapsed() >= Duration::from_millis(20));

    // (A closed handle is ENOTSOCK too, but tests run in parallel and a
    // closed shell may be recycled at once, so that is not checked here.)
    a.close().unwrap();
    b.close().unwrap();
}

#[test]
fn zmq_poll_eterm() {
    let ctx = CtxShared::new();
    let a = sock(&ctx, PAIR);
    let c = ctx.clone();
    let h = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        c.shutdown();
    });
    let mut items = [item(a, POLLIN)];
    assert_eq!(poll(&mut items, -1), -1);
    assert_eq!(errno(), ETERM);
    h.join().unwrap();
    a.close().unwrap();
}

#[test]
fn zmq_poll_thread_safe() {
    let ctx = CtxShared::new();
    let server = sock(&ctx, SERVER);
    let client = sock(&ctx, CLIENT);
    server.bind("inproc://poll-ts").unwrap();
    client.connect("inproc://poll-ts").unwrap();
    // Drain whatever the connect delivered (see recv_server), so that the
    // poll below really waits for the message sent later.
    thread::sleep(Duration::from_millis(10));
    let mut m = Msg::new();
    while server.recv(&mut m, 1).is_ok() {}
    let mut items = [item(server, POLLIN)];
    assert_eq!(poll(&mut items, 0), 0);
    let h = thread::spawn(move || {
        thread::sleep(Duration::from_millis(30));
        send(client, b"I", false);
    });
    let mut items = [item(server, POLLIN)];
    assert_eq!(poll(&mut items, 2000), 1);
    assert_eq!(items[0].revents, POLLIN);
    h.join().unwrap();
    assert_eq!(recv_server(server), b"I".to_vec());
    server.close().unwrap();
    client.close().unwrap();
}

// ---------------------------------------------------------------- poller

fn ev0() -> zmq::ffi::types::zmq_poller_event_t {
    zmq::ffi::types::zmq_poller_event_t {
        socket: null_mut(),
        fd: 0,
        user_data: null_mut(),
        events: 0,
    }
}

#[test]
fn poller_null_pointers() {
    let ctx = CtxShared::new();
    let s = sock(&ctx, PAIR);
    let sh = s.as_handle();
    let mut null_poller: *mut c_void = null_mut();
    let np = &mut null_poller as *mut *mut c_void as *mut c_void;
    let mut ev = ev0();
    let mut fd = 0;
    // SAFETY: every pointer is NULL or valid; that is what is tested.
    unsafe {
        assert_eq!(zmq_poller_destroy(null_mut()), -1);
        assert_eq!(errno(), libc::EFAULT);
        assert_eq!(zmq_poller_destroy(&mut null_poller), -1);
        assert_eq!(errno(), libc::EFAULT);
        for p in [null_mut(), np] {
            assert_eq!(zmq_poller_size(p), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_add(p, sh, null_mut(), POLLIN), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_modify(p, sh, POLLIN), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_remove(p, sh), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_add_fd(p, 0, null_mut(), POLLIN), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_modify_fd(p, 0, POLLIN), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_remove_fd(p, 0), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_wait(p, &mut ev, 0), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_wait_all(p, &mut ev, 1, 0), -1);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(zmq_poller_fd(p, &mut fd), -1);
            assert_eq!(errno(), libc::EFAULT);
        }

        let mut poller = zmq_poller_new();
        assert!(!poller.is_null());
        assert_eq!(zmq_poller_add(poller, null_mut(), null_mut(), POLLIN), -1);
        assert_eq!(errno(), libc::ENOTSOCK);
        assert_eq!(zmq_poller_modify(poller, null_mut(), POLLIN), -1);
        assert_eq!(errno(), libc::ENOTSOCK);
        assert_eq!(zmq_poller_remove(poller, null_mut()), -1);
        assert_eq!(errno(), libc::ENOTSOCK);
        assert_eq!(zmq_poller_add_fd(poller, -1, null_mut(), POLLIN), -1);
        assert_eq!(errno(), libc::EBADF);
        assert_eq!(zmq_poller_modify_fd(poller, -1, POLLIN), -1);
        assert_eq!(errno(), libc::EBADF);
        assert_eq!(zmq_poller_remove_fd(poller, -1), -1);
        assert_eq!(errno(), libc::EBADF);
        assert_eq!(zmq_poller_destroy(&mut poller), 0);
        assert!(poller.is_null());
    }
    s.close().unwrap();
}

#[test]
fn poller_registration() {
    let ctx = CtxShared::new();
    let s = sock(&ctx, PAIR);
    let sh = s.as_handle();
    let mut ev = ev0();
    let mut evs = [ev0(); 2];
    // SAFETY: valid pointers throughout.
    unsafe {
        let mut p = zmq_poller_new();
        assert_eq!(zmq_poller_wait(p, null_mut(), 0), -1);
        assert_eq!(errno(), libc::EFAULT);
        assert_eq!(zmq_poller_wait_all(p, null_mut(), 1, 0), -1);
        assert_eq!(errno(), libc::EFAULT);
        // Empty poller.
        assert_eq!(zmq_poller_wait(p, &mut ev, 0), -1);
        assert_eq!(errno(), libc::EAGAIN);
        assert_eq!(zmq_poller_wait(p, &mut ev, -1), -1);
        assert_eq!(errno(), libc::EFAULT);
        assert_eq!(zmq_poller_wait_all(p, &mut ev, -1, 0), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_wait_all(p, &mut ev, 0, 0), -1);
        assert_eq!(errno(), libc::EAGAIN);
        assert_eq!(zmq_poller_wait_all(p, &mut ev, 0, -1), -1);
        assert_eq!(errno(), libc::EFAULT);

        assert_eq!(zmq_poller_size(p), 0);
        assert_eq!(zmq_poller_remove(p, sh), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_modify(p, sh, POLLIN), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_add(p, sh, null_mut(), i16::MAX), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_add(p, sh, null_mut(), 0), 0);
        // Disabled entry only.
        assert_eq!(zmq_poller_wait_all(p, evs.as_mut_ptr(), 1, 0), -1);
        assert_eq!(errno(), libc::EAGAIN);
        assert_eq!(zmq_poller_wait_all(p, evs.as_mut_ptr(), 1, -1), -1);
        assert_eq!(errno(), libc::EFAULT);
        assert_eq!(zmq_poller_modify(p, sh, i16::MAX), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_add(p, sh, null_mut(), POLLIN), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_size(p), 1);
        let plain = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert_eq!(zmq_poller_add_fd(p, plain, null_mut(), POLLOUT), 0);
        assert_eq!(zmq_poller_add_fd(p, plain, null_mut(), POLLOUT), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_modify_fd(p, plain, i16::MAX), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_size(p), 2);
        let mut fd = 0;
        assert_eq!(zmq_poller_fd(p, &mut fd), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_remove(p, sh), 0);
        assert_eq!(zmq_poller_size(p), 1);
        assert_eq!(zmq_poller_remove_fd(p, plain), 0);
        assert_eq!(zmq_poller_remove_fd(p, plain), -1);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(zmq_poller_modify_fd(p, plain, POLLIN), -1);
        assert_eq!(errno(), libc::EINVAL);
        libc::close(plain);
        assert_eq!(zmq_poller_size(p), 0);
        assert_eq!(zmq_poller_destroy(&mut p), 0);
    }
    s.close().unwrap();
}

#[test]
fn poller_basic_and_fd() {
    let ctx = CtxShared::new();
    let sink = sock(&ctx, PULL);
    let vent = sock(&ctx, PUSH);
    sink.bind("inproc://poller-basic").unwrap();
    // SAFETY: valid pointers throughout.
    unsafe {
        let mut p = zmq_poller_new();
        // The binder's mailbox fd fires when the connect reaches it.
        let fd = sink.fd().unwrap();
        assert_eq!(zmq_poller_add_fd(p, fd, 42 as *mut c_void, POLLIN), 0);
        vent.connect("inproc://poller-basic").unwrap();
        let mut ev = ev0();
        assert_eq!(zmq_poller_wait(p, &mut ev, 500), 0);
        assert!(ev.socket.is_null());
        assert_eq!(ev.fd, fd);
        assert_eq!(ev.user_data as usize, 42);
        assert_eq!(zmq_poller_remove_fd(p, fd), 0);

        let sh = sink.as_handle();
        assert_eq!(zmq_poller_add(p, sh, sh, POLLIN), 0);
        assert_eq!(zmq_poller_wait(p, &mut ev, 0), -1);
        assert_eq!(errno(), libc::EAGAIN);
        assert!(ev.socket.is_null() && ev.fd == -1 && ev.events == 0);
        send(vent, b"H", false);
        assert_eq!(zmq_poller_wait(p, &mut ev, -1), 0);
        assert_eq!(ev.socket, sh);
        assert_eq!(ev.user_data, sh);
        assert_eq!(ev.fd, -1);
        assert_eq!(ev.events, POLLIN);
        assert_eq!(recv(sink).0, b"H".to_vec());
        assert_eq!(zmq_poller_wait(p, &mut ev, 0), -1);
        assert_eq!(errno(), libc::EAGAIN);

        // wait_all fills the rest with empty events.
        let vh = vent.as_handle();
        assert_eq!(zmq_poller_add(p, vh, null_mut(), POLLOUT), 0);
        let mut evs = [ev0(); 3];
        evs[2].events = 99;
        assert_eq!(zmq_poller_wait_all(p, evs.as_mut_ptr(), 3, 100), 1);
        assert_eq!(evs[0].socket, vh);
        assert_eq!(evs[0].events, POLLOUT);
        assert_eq!(evs[2].events, 0);
        assert_eq!(evs[2].fd, -1);
        assert_eq!(zmq_poller_destroy(&mut p), 0);
    }
    vent.close().unwrap();
    sink.close().unwrap();
}

#[test]
fn poller_client_server() {
    let ctx = CtxShared::new();
    let server = sock(&ctx, SERVER);
    let client = sock(&ctx, CLIENT);
    server.bind("inproc://poller-cs").unwrap();
    // SAFETY: valid pointers throughout.
    unsafe {
        let mut p = zmq_poller_new();
        let sh = server.as_handle();
        assert_eq!(zmq_poller_add(p, sh, null_mut(), POLLIN), 0);
        let mut fd = -1;
        assert_eq!(zmq_poller_fd(p, &mut fd), 0);
        assert!(fd >= 0);
        client.connect("inproc://poller-cs").unwrap();
        send(client, b"I", false);
        let mut ev = ev0();
        assert_eq!(zmq_poller_wait(p, &mut ev, 500), 0);
        assert_eq!(ev.socket, sh);
        assert!(ev.user_data.is_null());
        assert_eq!(ev.fd, -1);
        assert_eq!(recv_server(server), b"I".to_vec());
        assert_eq!(zmq_poller_modify(p, sh, POLLOUT | POLLIN), 0);
        assert_eq!(zmq_poller_wait(p, &mut ev, 0), 0);
        assert_eq!(ev.socket, sh);
        assert_eq!(ev.events, POLLOUT);
        assert_eq!(zmq_poller_remove(p, sh), 0);
        // The signaler stays once created.
        assert_eq!(zmq_poller_fd(p, &mut fd), 0);
        assert_eq!(zmq_poller_destroy(&mut p), 0);
    }
    server.close().unwrap();
    client.close().unwrap();
}

// ----------------------------------------------------------------- proxy

fn run_proxy(
    f: &'static Socket,
    b: &'static Socket,
    cap: Option<&'static Socket>,
    ctl: Option<&'static Socket>,
) -> thread::JoinHandle<(i32, i32)> {
    let (fh, bh) = (f.as_handle() as usize, b.as_handle() as usize);
    let ch = cap.map_or(0, |s| s.as_handle() as usize);
    let kh = ctl.map_or(0, |s| s.as_handle() as usize);
    thread::spawn(move || {
        // SAFETY: live socket handles (or NULL).
        let rc = unsafe {
            zmq_proxy_steerable(
                fh as *mut c_void,
                bh as *mut c_void,
                ch as *mut c_void,
                kh as *mut c_void,
            )
        };
        (rc, errno())
    })
}

#[test]
fn proxy_push_pull_until_eterm() {
    let ctx = CtxShared::new();
    let front = sock(&ctx, PULL);
    let back = sock(&ctx, PUSH);
    let cap = sock(&ctx, PULL);
    let cap_in = sock(&ctx, PUSH);
    front.bind("inproc://px-front").unwrap();
    back.bind("inproc://px-back").unwrap();
    cap.bind("inproc://px-cap").unwrap();
    cap_in.connect("inproc://px-cap").unwrap();
    let producer = sock(&ctx, PUSH);
    let worker = sock(&ctx, PULL);
    producer.connect("inproc://px-front").unwrap();
    worker.connect("inproc://px-back").unwrap();

    let fh = front.as_handle() as usize;
    let bh = back.as_handle() as usize;
    let ch = cap_in.as_handle() as usize;
    let h = thread::spawn(move || {
        // SAFETY: live socket handles.
        let rc = unsafe { zmq_proxy(fh as *mut c_void, bh as *mut c_void, ch as *mut c_void) };
        (rc, errno())
    });

    for i in 0..200u32 {
        send(producer, b"part1", true);
        send(producer, &i.to_be_bytes(), true);
        send(producer, b"end", false);
    }
    for i in 0..200u32 {
        assert_eq!(recv(worker), (b"part1".to_vec(), true));
        assert_eq!(recv(worker), (i.to_be_bytes().to_vec(), true));
        assert_eq!(recv(worker), (b"end".to_vec(), false));
        assert_eq!(recv(cap), (b"part1".to_vec(), true));
        assert_eq!(recv(cap), (i.to_be_bytes().to_vec(), true));
        assert_eq!(recv(cap), (b"end".to_vec(), false));
    }

    ctx.shutdown();
    let (rc, e) = h.join().unwrap();
    assert_eq!((rc, e), (-1, ETERM));
    for s in [front, back, cap, cap_in, producer, worker] {
        s.close().unwrap();
    }
}

#[test]
fn proxy_backpressure_keeps_everything() {
    // A small backend HWM and a slow worker: nothing may be lost.
    let ctx = CtxShared::new();
    let front = sock(&ctx, PULL);
    let back = sock(&ctx, PUSH);
    back.setsockopt(23 /* SNDHWM */, &2i32.to_ne_bytes())
        .unwrap();
    front.bind("inproc://bp-front").unwrap();
    back.bind("inproc://bp-back").unwrap();
    let producer = sock(&ctx, PUSH);
    let worker = sock(&ctx, PULL);
    worker
        .setsockopt(24 /* RCVHWM */, &2i32.to_ne_bytes())
        .unwrap();
    producer.connect("inproc://bp-front").unwrap();
    worker.connect("inproc://bp-back").unwrap();
    let h = run_proxy(front, back, None, None);
    for i in 0..100u32 {
        send(producer, &i.to_ne_bytes(), false);
    }
    for i in 0..100u32 {
        if i % 10 == 0 {
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(recv(worker).0, i.to_ne_bytes().to_vec());
    }
    ctx.shutdown();
    assert_eq!(h.join().unwrap(), (-1, ETERM));
    for s in [front, back, producer, worker] {
        s.close().unwrap();
    }
}

#[test]
fn proxy_steerable_commands() {
    let ctx = CtxShared::new();
    let front = sock(&ctx, PULL);
    let back = sock(&ctx, PUSH);
    let ctl = sock(&ctx, PAIR);
    let ctl_peer = sock(&ctx, PAIR);
    front.bind("inproc://st-front").unwrap();
    back.bind("inproc://st-back").unwrap();
    ctl.bind("inproc://st-ctl").unwrap();
    ctl_peer.connect("inproc://st-ctl").unwrap();
    let producer = sock(&ctx, PUSH);
    let worker = sock(&ctx, PULL);
    producer.connect("inproc://st-front").unwrap();
    worker.connect("inproc://st-back").unwrap();
    let h = run_proxy(front, back, None, Some(ctl));

    send(producer, b"abc", true);
    send(producer, b"de", false);
    assert_eq!(recv(worker), (b"abc".to_vec(), true));
    assert_eq!(recv(worker), (b"de".to_vec(), false));

    // Paused: nothing flows until RESUME.
    send(ctl_peer, b"PAUSE", false);
    thread::sleep(Duration::from_millis(50));
    send(producer, b"later", false);
    let mut m = Msg::new();
    thread::sleep(Duration::from_millis(50));
    assert_eq!(worker.recv(&mut m, 1), Err(Error::EAGAIN));
    send(ctl_peer, b"RESUME", false);
    assert_eq!(recv(worker), (b"later".to_vec(), false));

    send(ctl_peer, b"STATISTICS", false);
    let mut vals = Vec::new();
    loop {
        let (d, more) = recv(ctl_peer);
        vals.push(u64::from_ne_bytes(d.try_into().unwrap()));
        if !more {
            break;
        }
    }
    // frontend: 2 msgs in (5 + 5 bytes), 0 out; backend: 0 in, 2 out.
    assert_eq!(vals, vec![2, 10, 0, 0, 0, 0, 2, 10]);

    send(ctl_peer, b"TERMINATE", false);
    assert_eq!(h.join().unwrap().0, 0);
    for s in [front, back, ctl, ctl_peer, producer, worker] {
        s.close().unwrap();
    }
}

#[test]
fn proxy_single_socket_echo() {
    let ctx = CtxShared::new();
    let echo = sock(&ctx, PAIR);
    let peer = sock(&ctx, PAIR);
    echo.bind("inproc://single").unwrap();
    peer.connect("inproc://single").unwrap();
    let h = run_proxy(echo, echo, None, None);
    for i in 0..50u32 {
        send(peer, &i.to_ne_bytes(), true);
        send(peer, b"x", false);
        assert_eq!(recv(peer), (i.to_ne_bytes().to_vec(), true));
        assert_eq!(recv(peer), (b"x".to_vec(), false));
    }
    ctx.shutdown();
    assert_eq!(h.join().unwrap(), (-1, ETERM));
    echo.close().unwrap();
    peer.close().unwrap();
}

#[test]
fn proxy_bad_arguments() {
    let ctx = CtxShared::new();
    let s = sock(&ctx, PAIR);
    // SAFETY: NULL and live handles only.
    unsafe {
        assert_eq!(zmq_proxy(null_mut(), s.as_handle(), null_mut()), -1);
        assert_eq!(errno(), libc::EFAULT);
        assert_eq!(
            zmq_proxy_steerable(s.as_handle(), null_mut(), null_mut(), null_mut()),
            -1
        );
        assert_eq!(errno(), libc::EFAULT);
        assert_eq!(zmq_device(3, null_mut(), null_mut()), -1);
        assert_eq!(errno(), libc::EFAULT);
    }
    // SAFETY: a misaligned pointer is rejected before any read.
    unsafe {
        assert_eq!(zmq_proxy(s.as_handle(), 9 as *mut c_void, null_mut()), -1);
        assert_eq!(errno(), libc::ENOTSOCK);
    }
    s.close().unwrap();
}

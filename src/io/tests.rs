//! The reactor on a real io thread: tasks, descriptors, timers, pipe
//! commands and stopping.

use super::reactor::{Handler, Reactor, Ready, TimerKind};
use super::threads::IoThreads;
use crate::msg::Msg;
use crate::pipe::{pipe_pair, Inbox, Pipe, PipeCommand, PipeParams, SocketMailbox};
use mio::net::UnixStream;
use mio::{Interest, Token};
use std::io::{Read, Write};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn pool() -> IoThreads {
    IoThreads::start(1, "").unwrap()
}

#[test]
fn tasks_run_on_the_io_thread() {
    let io = pool();
    let (tx, rx) = channel();
    io.choose().unwrap().run(move |_| {
        tx.send(std::thread::current().name().map(str::to_owned))
            .unwrap()
    });
    assert_eq!(
        rx.recv_timeout(WAIT).unwrap().as_deref(),
        Some("ZMQbg/IO/0")
    );
    io.stop_and_join();
}

#[test]
fn no_threads_means_emthread() {
    let io = IoThreads::start(0, "").unwrap();
    assert_eq!(io.choose().err(), Some(crate::error::Error::EMTHREAD));
}

/// Echoes what it reads on a stream to a channel; removes itself on EOF or stop.
struct Reader {
    stream: UnixStream,
    out: Sender<Vec<u8>>,
}

impl Handler for Reader {
    fn ready(&mut self, r: &mut Reactor, me: Token, ready: Ready) {
        if !ready.readable {
            return;
        }
        let mut buf = [0u8; 64];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    let _ = self.out.send(b"EOF".to_vec());
                    r.remove(me);
                    return;
                }
                Ok(n) => {
                    let _ = self.out.send(buf[..n].to_vec());
                }
                Err(_) => return,
            }
        }
    }
    fn stop(&mut self, r: &mut Reactor, me: Token) {
        let _ = self.out.send(b"STOP".to_vec());
        r.remove(me);
    }
}

#[test]
fn descriptors_wake_their_handler_and_stop_reaches_it() {
    let io = pool();
    let (mut ours, theirs) = UnixStream::pair().unwrap();
    let (tx, rx) = channel();
    io.choose().unwrap().run(move |r| {
        let mut h = Box::new(Reader {
            stream: theirs,
            out: tx,
        });
        let t = r.add_placeholder();
        r.registry()
            .register(&mut h.stream, t, Interest::READABLE)
            .unwrap();
        r.fill(t, h);
    });
    ours.write_all(b"hello").unwrap();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), b"hello");
    ours.write_all(b"again").unwrap();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), b"again");
    io.stop_and_join();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), b"STOP");
}

/// Reports its timers; removes itself on Linger.
struct Timed {
    out: Sender<TimerKind>,
}

impl Handler for Timed {
    fn ready(&mut self, _: &mut Reactor, _: Token, _: Ready) {}
    fn timer(&mut self, r: &mut Reactor, me: Token, kind: TimerKind) {
        let _ = self.out.send(kind);
        if kind == TimerKind::Linger {
            r.remove(me);
        }
    }
    fn stop(&mut self, r: &mut Reactor, me: Token) {
        r.remove(me);
    }
}

#[test]
fn timers_fire_in_deadline_order_and_cancelled_ones_do_not() {
    let io = pool();
    let (tx, rx) = channel();
    io.choose().unwrap().run(move |r| {
        let t = r.add(Box::new(Timed { out: tx }));
        r.add_timer(t, TimerKind::Linger, Duration::from_millis(30));
        r.add_timer(t, TimerKind::Session, Duration::from_millis(10));
        r.add_timer(t, TimerKind::Reconnect, Duration::from_millis(20));
        r.cancel_timer(t, TimerKind::Reconnect);
        // A stale timer for a token whose handler is gone reaches nobody.
        let gone = r.add(Box::new(Timed { out: channel().0 }));
        r.add_timer(gone, TimerKind::Session, Duration::from_millis(5));
        r.remove(gone);
    });
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), TimerKind::Session);
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), TimerKind::Linger);
    io.stop_and_join();
    assert!(rx.try_recv().is_err(), "no other timer fired");
}

#[test]
fn setting_a_timer_again_moves_it() {
    let io = pool();
    let (tx, rx) = channel();
    let (queued_tx, queued_rx) = channel();
    io.choose().unwrap().run(move |r| {
        let t = r.add(Box::new(Timed { out: tx }));
        r.add_timer(t, TimerKind::Session, Duration::from_millis(10));
        r.add_timer(t, TimerKind::Session, Duration::from_millis(40));
        r.add_timer(t, TimerKind::Reconnect, Duration::from_millis(5));
        r.add_timer(t, TimerKind::Reconnect, Duration::ZERO);
        r.add_timer(t, TimerKind::Linger, Duration::from_millis(60));
        queued_tx.send(r.queued_timers()).unwrap();
    });
    // The Session at 10 ms was moved to 40: it fires once, after Reconnect.
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), TimerKind::Reconnect);
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), TimerKind::Session);
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), TimerKind::Linger);
    assert_eq!(queued_rx.recv_timeout(WAIT).unwrap(), 5);
    // Fired, moved and cancelled entries have all left the queue.
    let (tx, rx) = channel();
    io.choose()
        .unwrap()
        .run(move |r| tx.send(r.queued_timers()).unwrap());
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), 0);
    io.stop_and_join();
    assert!(rx.try_recv().is_err());
}

/// Stops as a lingering connection in its handshake does: a far deadline
/// (the handshake's) is already set; stop sets a near one (linger), on
/// which it removes itself.
struct Lingering;

impl Handler for Lingering {
    fn ready(&mut self, _: &mut Reactor, _: Token, _: Ready) {}
    fn timer(&mut self, r: &mut Reactor, me: Token, kind: TimerKind) {
        if kind == TimerKind::Linger {
            r.remove(me);
        }
    }
    fn stop(&mut self, r: &mut Reactor, me: Token) {
        r.add_timer(me, TimerKind::Linger, Duration::from_millis(10));
    }
}

#[test]
fn a_stop_ends_when_the_last_handler_leaves_by_timer() {
    let io = pool();
    let (ready_tx, ready_rx) = channel();
    io.choose().unwrap().run(move |r| {
        let t = r.add(Box::new(Lingering));
        r.add_timer(t, TimerKind::Session, Duration::from_secs(3600));
        ready_tx.send(()).unwrap();
    });
    ready_rx.recv_timeout(WAIT).unwrap();
    // The thread used to sleep until the hour-long deadline of a handler
    // that was gone. WAIT is a hang guard: the join takes ~10 ms.
    let (done_tx, done_rx) = channel();
    let joiner = std::thread::spawn(move || {
        io.stop_and_join();
        let _ = done_tx.send(());
    });
    assert!(
        done_rx.recv_timeout(WAIT).is_ok(),
        "the io thread did not stop"
    );
    joiner.join().unwrap();
}

/// Holds the io side of a pipe and forwards what it reads.
struct PipeReader {
    pipe: Pipe,
    out: Sender<Vec<u8>>,
}

impl Handler for PipeReader {
    fn ready(&mut self, _: &mut Reactor, _: Token, _: Ready) {}
    fn pipe_command(&mut self, r: &mut Reactor, me: Token, cmd: PipeCommand) {
        match cmd {
            PipeCommand::ActivateRead(_) => {
                self.pipe.activate_read();
                while let Some(m) = self.pipe.read() {
                    let _ = self.out.send(m.data().to_vec());
                }
            }
            PipeCommand::PipeTerm(_) => {
                self.pipe.process_pipe_term();
                let _ = self.out.send(b"TERM".to_vec());
                r.remove(me);
            }
            _ => {}
        }
    }
    fn stop(&mut self, r: &mut Reactor, me: Token) {
        r.remove(me);
    }
}

#[test]
fn pipe_commands_reach_the_owning_handler() {
    let io = pool();
    let thread = io.choose().unwrap();
    let sock_mb = Arc::new(SocketMailbox::new().unwrap());
    let (mut ours, theirs) = pipe_pair(PipeParams::default(), PipeParams::default());
    let _ = ours.set_owner(Inbox::Socket(sock_mb));
    let (tx, rx) = channel();
    thread.run(move |r| {
        let mut theirs = theirs;
        let pending = theirs.set_owner(r.inbox());
        let id = theirs.id();
        // Nothing was read yet, so the reader is not asleep: read once.
        assert!(theirs.read().is_none());
        let t = r.add(Box::new(PipeReader {
            pipe: theirs,
            out: tx,
        }));
        r.own_pipe(id, t);
        assert!(pending.is_empty());
    });
    // Wait until the io side has gone to sleep on the empty pipe.
    let (sync_tx, sync_rx) = channel();
    thread.run(move |_| sync_tx.send(()).unwrap());
    sync_rx.recv_timeout(WAIT).unwrap();
    assert!(ours.write(Msg::from_slice(b"over the pipe")).is_ok());
    ours.flush();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), b"over the pipe");
    ours.terminate();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), b"TERM");
    io.stop_and_join();
}

#[test]
fn contexts_start_io_threads_on_demand_and_join_them_on_terminate() {
    let ctx = crate::ctx::CtxShared::new();
    ctx.options.lock().io_threads = 2;
    let a = ctx.io_thread().unwrap();
    let b = ctx.io_thread().unwrap();
    assert!(
        !Arc::ptr_eq(a.mailbox(), b.mailbox()),
        "endpoints spread over the threads"
    );
    let (tx, rx) = channel();
    b.run(move |_| {
        tx.send(std::thread::current().name().map(str::to_owned))
            .unwrap()
    });
    assert_eq!(
        rx.recv_timeout(WAIT).unwrap().as_deref(),
        Some("ZMQbg/IO/1")
    );
    ctx.terminate();
    assert_eq!(ctx.io_thread().err(), Some(crate::error::Error::ETERM));

    let none = crate::ctx::CtxShared::new();
    none.options.lock().io_threads = 0;
    assert_eq!(none.io_thread().err(), Some(crate::error::Error::EMTHREAD));
    none.terminate();
}

/// Both ends of a tcp connection between two sockets of one context with one
/// io thread are served by that thread, and each engine can tell (it then
/// writes in smaller batches); closing the sockets forgets them.
#[test]
fn a_tcp_peer_on_the_same_thread_is_recognised() {
    same_thread_peers("tcp://127.0.0.1:*", false);
}

/// The same through a dual-stack listener (ZMQ_IPV6): its end names the
/// IPv4 connecter ::ffff:127.0.0.1, which names itself 127.0.0.1.
#[test]
fn a_tcp_peer_on_the_same_thread_is_recognised_through_a_dual_stack_listener() {
    same_thread_peers("tcp://*:*", true);
}

fn same_thread_peers(bind: &str, ipv6: bool) {
    use crate::consts::{
        ZMQ_IPV6 as IPV6, ZMQ_LAST_ENDPOINT as LAST_ENDPOINT, ZMQ_LINGER as LINGER,
    };
    use crate::ctx::CtxShared;
    use crate::socket::Socket;
    use crate::types::SocketType::{Pull as PULL, Push as PUSH};
    let ctx = CtxShared::new();
    let pull = Socket::create(&ctx, PULL).unwrap();
    let push = Socket::create(&ctx, PUSH).unwrap();
    pull.setsockopt(IPV6, &(ipv6 as i32).to_ne_bytes()).unwrap();
    pull.bind(bind).unwrap();
    let mut buf = [0u8; 256];
    let mut len = buf.len();
    pull.getsockopt(LAST_ENDPOINT, &mut buf, &mut len).unwrap();
    let bound = std::str::from_utf8(&buf[..len - 1]).unwrap().to_owned();
    let port: u16 = bound.rsplit(':').next().unwrap().parse().unwrap();
    push.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    push.send(&mut Msg::from_slice(b"hello"), 0).unwrap();
    let mut got = Msg::new();
    pull.recv(&mut got, 0).unwrap();
    assert_eq!(got.data(), b"hello");

    let ends = |ctx: &Arc<CtxShared>| {
        let (tx, rx) = channel();
        ctx.io_thread().unwrap().run(move |r| {
            let ends = r.tcp_ends();
            let mirrored = ends.iter().all(|&(l, p)| r.serves_peer_of(l, p));
            tx.send((ends, mirrored)).unwrap();
        });
        rx.recv_timeout(WAIT).unwrap()
    };
    let (found, mirrored) = ends(&ctx);
    assert_eq!(found.len(), 2, "one end per side: {found:?}");
    assert!(mirrored, "each end's peer is the other: {found:?}");
    assert!(
        found.iter().any(|(l, _)| l.port() == port),
        "the accepted end: {found:?}"
    );

    let zero = 0i32.to_ne_bytes();
    push.setsockopt(LINGER, &zero).unwrap();
    pull.setsockopt(LINGER, &zero).unwrap();
    push.close().unwrap();
    pull.close().unwrap();
    // The engines close on the io thread after the sockets let go.
    let deadline = std::time::Instant::now() + WAIT;
    while !ends(&ctx).0.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "ends left after close: {:?}",
            ends(&ctx).0
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    ctx.terminate();
}

/// With heartbeats on, every pump asks the session for its next deadline;
/// an unchanged deadline must not be queued again each time (the queue
/// held one dead timer per round until the deadline passed).
#[test]
fn an_unchanged_heartbeat_deadline_is_armed_once() {
    use crate::consts::{
        ZMQ_HEARTBEAT_IVL as HEARTBEAT_IVL, ZMQ_LAST_ENDPOINT as LAST_ENDPOINT,
        ZMQ_LINGER as LINGER,
    };
    use crate::ctx::CtxShared;
    use crate::socket::Socket;
    use crate::types::SocketType::{Pull as PULL, Push as PUSH};
    let ctx = CtxShared::new();
    let pull = Socket::create(&ctx, PULL).unwrap();
    let push = Socket::create(&ctx, PUSH).unwrap();
    let minute = 60_000i32.to_ne_bytes();
    pull.setsockopt(HEARTBEAT_IVL, &minute).unwrap();
    push.setsockopt(HEARTBEAT_IVL, &minute).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let mut buf = [0u8; 256];
    let mut len = buf.len();
    pull.getsockopt(LAST_ENDPOINT, &mut buf, &mut len).unwrap();
    push.connect(std::str::from_utf8(&buf[..len - 1]).unwrap())
        .unwrap();
    // Lock step: every message is a pump on each side.
    for _ in 0..5_000 {
        push.send(&mut Msg::from_slice(b"x"), 0).unwrap();
        let mut got = Msg::new();
        pull.recv(&mut got, 0).unwrap();
    }
    let (tx, rx) = channel();
    ctx.io_thread()
        .unwrap()
        .run(move |r| tx.send(r.queued_timers()).unwrap());
    let queued = rx.recv_timeout(WAIT).unwrap();
    assert!(queued < 50, "{queued} timers queued for two connections");
    let zero = 0i32.to_ne_bytes();
    push.setsockopt(LINGER, &zero).unwrap();
    pull.setsockopt(LINGER, &zero).unwrap();
    push.close().unwrap();
    pull.close().unwrap();
    ctx.terminate();
}

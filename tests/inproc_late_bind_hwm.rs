//! An inproc connect that comes before (or races with) its bind ends up
//! with the same marks as one that comes after: the sender's SNDHWM plus
//! the receiver's RCVHWM, as soon as the bind is done, whether or not the
//! connecting socket has processed its commands since.

use std::sync::Arc;

use zmq::ctx::CtxShared;
use zmq::error::Error;
use zmq::msg::Msg;
use zmq::socket::Socket;

const PUSH: i32 = 8;
const PULL: i32 = 7;
const SNDHWM: i32 = 23;
const RCVHWM: i32 = 24;
const DONTWAIT: i32 = 1;

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

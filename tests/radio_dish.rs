//! RADIO/DISH over inproc: groups joined and left, filtering, late joiners,
//! and the errors of zmq_join/zmq_leave.

use zmq::ctx::CtxShared;
use zmq::error::Error;
use zmq::msg::Msg;
use zmq::socket::Socket;
use zmq::types::SocketType;

const PUB: SocketType = SocketType::Pub;
const RADIO: SocketType = SocketType::Radio;
const DISH: SocketType = SocketType::Dish;

fn send_group(s: &Socket, group: &[u8], data: &[u8]) {
    let mut m = Msg::from_slice(data);
    m.set_group(Some(group));
    s.send(&mut m, 0).unwrap();
}

fn recv_now(s: &Socket) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let mut m = Msg::new();
    s.recv(&mut m, 1)?;
    Ok((m.group().unwrap_or_default().to_vec(), m.data().to_vec()))
}

fn recv_wait(s: &Socket) -> (Vec<u8>, Vec<u8>) {
    let mut m = Msg::new();
    s.recv(&mut m, 0).unwrap();
    (m.group().unwrap_or_default().to_vec(), m.data().to_vec())
}

#[test]
fn dish_receives_only_joined_groups() {
    let ctx = CtxShared::new();
    let radio = Socket::create(&ctx, RADIO).unwrap();
    let dish = Socket::create(&ctx, DISH).unwrap();
    // Joined before connecting: the join reaches the RADIO on attach.
    dish.membership(b"Movies", true).unwrap();
    radio.bind("inproc://rd-1").unwrap();
    dish.connect("inproc://rd-1").unwrap();
    dish.membership(b"TV", true).unwrap();
    assert_eq!(recv_now(dish), Err(Error::EAGAIN));
    // The joins are in the pipe before join() returns; the RADIO reads them
    // when it processes its commands at its next send.
    send_group(radio, b"Music", b"not for us");
    send_group(radio, b"Movies", b"Godfather");
    send_group(radio, b"TV", b"Friends");
    assert_eq!(recv_wait(dish), (b"Movies".to_vec(), b"Godfather".to_vec()));
    assert_eq!(recv_wait(dish), (b"TV".to_vec(), b"Friends".to_vec()));
    assert_eq!(recv_now(dish), Err(Error::EAGAIN));

    dish.membership(b"TV", false).unwrap();
    send_group(radio, b"TV", b"dropped");
    send_group(radio, b"Movies", b"Heat");
    assert_eq!(recv_wait(dish), (b"Movies".to_vec(), b"Heat".to_vec()));
    assert_eq!(recv_now(dish), Err(Error::EAGAIN));

    radio.close().unwrap();
    dish.close().unwrap();
    ctx.terminate();
}

#[test]
fn join_and_leave_errors() {
    let ctx = CtxShared::new();
    let dish = Socket::create(&ctx, DISH).unwrap();
    let publ = Socket::create(&ctx, PUB).unwrap();
    let radio = Socket::create(&ctx, RADIO).unwrap();
    assert_eq!(publ.membership(b"g", true), Err(Error::ENOTSUP));
    assert_eq!(radio.membership(b"g", true), Err(Error::ENOTSUP));
    dish.membership(b"g", true).unwrap();
    assert_eq!(
        dish.membership(b"g", true),
        Err(Error::EINVAL),
        "joining twice"
    );
    dish.membership(b"g", false).unwrap();
    assert_eq!(
        dish.membership(b"g", false),
        Err(Error::EINVAL),
        "leaving a group not joined"
    );
    assert_eq!(
        dish.membership(&[b'x'; 256], true),
        Err(Error::EINVAL),
        "group too long"
    );
    dish.membership(&[b'x'; 255], true).unwrap();
    // RADIO messages are single frames; DISH does not send.
    let mut m = Msg::from_slice(b"x");
    m.set_group(Some(b"g"));
    assert_eq!(radio.send(&mut m, 2), Err(Error::EINVAL));
    assert_eq!(
        dish.send(&mut Msg::from_slice(b"x"), 0),
        Err(Error::ENOTSUP)
    );
    for s in [dish, publ, radio] {
        s.close().unwrap();
    }
    ctx.terminate();
}

//! One behaviour per socket type.

mod pair;
mod pubsub;
mod radio;
mod reqrep;
mod router;
mod simple;
mod stream;

use super::base::Base;
use super::options::{OptIn, Options};
use super::Behavior;
use crate::error::{Error, Result};
use crate::types::SocketType;

// The C values, for the code that still passes types as ints.
pub const PAIR: i32 = SocketType::Pair.as_c();
pub const PUB: i32 = SocketType::Pub.as_c();
pub const SUB: i32 = SocketType::Sub.as_c();
pub const REQ: i32 = SocketType::Req.as_c();
pub const REP: i32 = SocketType::Rep.as_c();
pub const DEALER: i32 = SocketType::Dealer.as_c();
pub const ROUTER: i32 = SocketType::Router.as_c();
pub const PULL: i32 = SocketType::Pull.as_c();
pub const PUSH: i32 = SocketType::Push.as_c();
pub const XPUB: i32 = SocketType::XPub.as_c();
pub const XSUB: i32 = SocketType::XSub.as_c();
pub const STREAM: i32 = SocketType::Stream.as_c();
pub const SERVER: i32 = SocketType::Server.as_c();
pub const CLIENT: i32 = SocketType::Client.as_c();
pub const RADIO: i32 = SocketType::Radio.as_c();
pub const DISH: i32 = SocketType::Dish.as_c();
pub const GATHER: i32 = SocketType::Gather.as_c();
pub const PEER: i32 = SocketType::Peer.as_c();
pub const SCATTER: i32 = SocketType::Scatter.as_c();
pub const CHANNEL: i32 = SocketType::Channel.as_c();

/// The behaviour of a socket type; EINVAL for unknown or unsupported types.
pub fn create(ty: i32) -> Result<Box<dyn Behavior>> {
    Ok(match ty {
        PAIR => Box::new(pair::Pair::new(false)),
        CHANNEL => Box::new(pair::Pair::new(true)),
        PUB => Box::new(pubsub::XPub::new(true)),
        XPUB => Box::new(pubsub::XPub::new(false)),
        SUB => Box::new(pubsub::XSub::new(true)),
        XSUB => Box::new(pubsub::XSub::new(false)),
        REQ => Box::new(reqrep::Req::new()),
        REP => Box::new(reqrep::Rep::new()),
        DEALER => Box::new(simple::Dealer::default()),
        ROUTER => Box::new(router::Router::new()),
        PULL => Box::new(simple::Pull::new(false)),
        GATHER => Box::new(simple::Pull::new(true)),
        PUSH => Box::new(simple::Push::new(false)),
        SCATTER => Box::new(simple::Push::new(true)),
        STREAM => Box::new(stream::Stream::new()),
        SERVER | PEER => Box::new(simple::Server::new()),
        CLIENT => Box::new(simple::Client::default()),
        RADIO => Box::new(radio::Radio::new()),
        DISH => Box::new(radio::Dish::new()),
        _ => return Err(Error::EINVAL),
    })
}

/// Per-type option defaults, set at construction as libzmq does.
pub fn adjust_options(ty: i32, o: &mut Options) {
    match ty {
        SUB => {
            o.filter = true;
            o.linger = 0;
        }
        XSUB => o.linger = 0,
        ROUTER | REP => o.recv_routing_id = true,
        STREAM => {
            o.raw_socket = true;
            o.recv_routing_id = true;
        }
        _ => {}
    }
}

/// ZMQ_CONNECT_ROUTING_ID, which libzmq's routing types (ROUTER, REP by
/// inheritance, STREAM) take and every other type refuses with EINVAL. Any
/// non-empty value is accepted: the id names the pipe locally and never
/// goes on the wire, so libzmq puts no 255-octet limit on it.
pub fn set_connect_routing_id(b: &mut Base, v: &OptIn<'_>) -> Result<()> {
    if v.bytes().is_empty() {
        return Err(Error::EINVAL);
    }
    b.options.connect_routing_id = v.bytes().to_vec();
    Ok(())
}

/// A random starting point for generated ids, as libzmq does.
pub use crate::util::random::random_u32;

/// A 5-octet routing id: 0x00 then a big-endian counter.
pub fn integral_id(n: u32) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend_from_slice(&n.to_be_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::CtxShared;
    use crate::consts;
    use crate::socket::Socket;

    #[test]
    fn only_routing_types_take_a_connect_routing_id() {
        let ctx = CtxShared::new();
        for ty in [PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB, STREAM]
            .into_iter()
            .chain([SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER, PEER, CHANNEL])
        {
            let s = Socket::create(&ctx, ty).unwrap();
            let routing = matches!(ty, ROUTER | REP | STREAM);
            let set = s.setsockopt(consts::ZMQ_CONNECT_ROUTING_ID, b"peer-a");
            assert_eq!(set.is_ok(), routing, "type {ty}: {set:?}");
            if !routing {
                assert_eq!(set, Err(Error::EINVAL), "type {ty}");
            }
            // Empty is refused everywhere; long ids are fine where accepted.
            assert_eq!(s.setsockopt(consts::ZMQ_CONNECT_ROUTING_ID, b""), Err(Error::EINVAL), "type {ty}");
            assert_eq!(s.setsockopt(consts::ZMQ_CONNECT_ROUTING_ID, &[7u8; 300]).is_ok(), routing, "type {ty}");
            // Write-only, as in libzmq.
            let (mut buf, mut len) = ([0u8; 300], 300);
            assert_eq!(s.getsockopt(consts::ZMQ_CONNECT_ROUTING_ID, &mut buf, &mut len), Err(Error::EINVAL));
            s.close().unwrap();
        }
        ctx.terminate();
    }
}

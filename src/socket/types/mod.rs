//! One behaviour per socket type.

mod dgram;
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
use crate::types::SocketType::{self, *};

/// The behaviour of a socket type.
pub(crate) fn create(ty: SocketType) -> Result<Box<dyn Behavior>> {
    Ok(match ty {
        Pair => Box::new(pair::Pair::new(false)),
        Channel => Box::new(pair::Pair::new(true)),
        Pub => Box::new(pubsub::XPub::new(true)),
        XPub => Box::new(pubsub::XPub::new(false)),
        Sub => Box::new(pubsub::XSub::new(true)),
        XSub => Box::new(pubsub::XSub::new(false)),
        Req => Box::new(reqrep::Req::new()),
        Rep => Box::new(reqrep::Rep::new()),
        Dealer => Box::new(simple::Dealer::default()),
        Router => Box::new(router::Router::new()),
        Pull => Box::new(simple::Pull::new(false)),
        Gather => Box::new(simple::Pull::new(true)),
        Push => Box::new(simple::Push::new(false)),
        Scatter => Box::new(simple::Push::new(true)),
        Stream => Box::new(stream::Stream::new()),
        Server | Peer => Box::new(simple::Server::new()),
        Client => Box::new(simple::Client::default()),
        Radio => Box::new(radio::Radio::new()),
        Dish => Box::new(radio::Dish::new()),
        Dgram => Box::new(dgram::Dgram::new()),
    })
}

/// Per-type option defaults, set at construction as libzmq does.
pub(crate) fn adjust_options(ty: SocketType, o: &mut Options) {
    match ty {
        Sub => {
            o.filter = true;
            o.linger = 0;
        }
        // libzmq's XSUB and DISH constructors set linger 0 too.
        XSub | Dish => o.linger = 0,
        Router | Rep => o.recv_routing_id = true,
        Stream => {
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
pub(crate) fn set_connect_routing_id(b: &mut Base, v: &OptIn<'_>) -> Result<()> {
    if v.bytes().is_empty() {
        return Err(Error::EINVAL);
    }
    b.options.connect_routing_id = v.bytes().to_vec();
    Ok(())
}

/// A random starting point for generated ids, as libzmq does.
pub(crate) use crate::util::random::random_u32;

/// A 5-octet routing id: 0x00 then a big-endian counter.
pub(crate) fn integral_id(n: u32) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend_from_slice(&n.to_be_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts;
    use crate::ctx::CtxShared;
    use crate::socket::Socket;

    #[test]
    fn default_linger_is_libzmqs_per_type() {
        let ctx = CtxShared::new();
        for ty in SocketType::ALL {
            let s = Socket::create(&ctx, ty).unwrap();
            let (mut v, mut n) = ([0u8; 4], 4);
            s.getsockopt(consts::ZMQ_LINGER, &mut v, &mut n).unwrap();
            let want = if matches!(ty, Sub | XSub | Dish) {
                0
            } else {
                -1
            };
            assert_eq!((n, i32::from_ne_bytes(v)), (4, want), "type {ty:?}");
        }
    }

    #[test]
    fn only_routing_types_take_a_connect_routing_id() {
        let ctx = CtxShared::new();
        for ty in SocketType::ALL {
            let s = Socket::create(&ctx, ty).unwrap();
            let routing = matches!(ty, Router | Rep | Stream);
            let set = s.setsockopt(consts::ZMQ_CONNECT_ROUTING_ID, b"peer-a");
            assert_eq!(set.is_ok(), routing, "type {ty:?}: {set:?}");
            if !routing {
                assert_eq!(set, Err(Error::EINVAL), "type {ty:?}");
            }
            // Empty is refused everywhere; long ids are fine where accepted.
            assert_eq!(
                s.setsockopt(consts::ZMQ_CONNECT_ROUTING_ID, b""),
                Err(Error::EINVAL),
                "type {ty:?}"
            );
            assert_eq!(
                s.setsockopt(consts::ZMQ_CONNECT_ROUTING_ID, &[7u8; 300])
                    .is_ok(),
                routing,
                "type {ty:?}"
            );
            // Write-only, as in libzmq.
            let (mut buf, mut len) = ([0u8; 300], 300);
            assert_eq!(
                s.getsockopt(consts::ZMQ_CONNECT_ROUTING_ID, &mut buf, &mut len),
                Err(Error::EINVAL)
            );
            s.close().unwrap();
        }
        ctx.terminate();
    }
}

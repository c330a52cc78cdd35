//! Socket types and what every layer needs to know about them.
//!
//! The C API passes a socket type as an int; ffi turns it into a
//! [`SocketType`] once and every layer below asks the enum, so a fact about
//! a type (its wire name, its peers, whether threads may share it) is
//! written here and nowhere else.

use crate::consts;

/// libzmq's socket types, with their C values.
#[repr(i32)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SocketType {
    Pair = consts::ZMQ_PAIR,
    Pub = consts::ZMQ_PUB,
    Sub = consts::ZMQ_SUB,
    Req = consts::ZMQ_REQ,
    Rep = consts::ZMQ_REP,
    Dealer = consts::ZMQ_DEALER,
    Router = consts::ZMQ_ROUTER,
    Pull = consts::ZMQ_PULL,
    Push = consts::ZMQ_PUSH,
    XPub = consts::ZMQ_XPUB,
    XSub = consts::ZMQ_XSUB,
    Stream = consts::ZMQ_STREAM,
    Server = consts::ZMQ_SERVER,
    Client = consts::ZMQ_CLIENT,
    Radio = consts::ZMQ_RADIO,
    Dish = consts::ZMQ_DISH,
    Gather = consts::ZMQ_GATHER,
    Scatter = consts::ZMQ_SCATTER,
    /// Raw datagrams over udp: an address frame, then a body.
    Dgram = consts::ZMQ_DGRAM,
    Peer = consts::ZMQ_PEER,
    Channel = consts::ZMQ_CHANNEL,
}

use SocketType::*;

impl SocketType {
    /// Every type, in C value order.
    pub const ALL: [SocketType; 21] = [
        Pair, Pub, Sub, Req, Rep, Dealer, Router, Pull, Push, XPub, XSub, Stream, Server, Client,
        Radio, Dish, Gather, Scatter, Dgram, Peer, Channel,
    ];

    /// The type with this C value, if there is one.
    pub fn from_c(v: i32) -> Option<SocketType> {
        usize::try_from(v)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    pub const fn as_c(self) -> i32 {
        self as i32
    }

    /// The Socket-Type property value, as libzmq spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Pair => "PAIR",
            Pub => "PUB",
            Sub => "SUB",
            Req => "REQ",
            Rep => "REP",
            Dealer => "DEALER",
            Router => "ROUTER",
            Pull => "PULL",
            Push => "PUSH",
            XPub => "XPUB",
            XSub => "XSUB",
            Stream => "STREAM",
            Server => "SERVER",
            Client => "CLIENT",
            Radio => "RADIO",
            Dish => "DISH",
            Gather => "GATHER",
            Scatter => "SCATTER",
            Dgram => "DGRAM",
            Peer => "PEER",
            Channel => "CHANNEL",
        }
    }

    /// The peer types a socket of this type accepts in the handshake
    /// (libzmq's check_socket_type). STREAM has none: it speaks no ZMTP.
    pub const fn peers(self) -> &'static [SocketType] {
        match self {
            Req => &[Rep, Router],
            Rep => &[Req, Dealer],
            Dealer => &[Rep, Dealer, Router],
            Router => &[Req, Dealer, Router],
            Push => &[Pull],
            Pull => &[Push],
            Pub | XPub => &[Sub, XSub],
            Sub | XSub => &[Pub, XPub],
            Pair => &[Pair],
            Server => &[Client],
            Client => &[Server],
            Radio => &[Dish],
            Dish => &[Radio],
            Gather => &[Scatter],
            Scatter => &[Gather],
            Dgram => &[Dgram],
            Peer => &[Peer],
            Channel => &[Channel],
            Stream => &[],
        }
    }

    /// Whether a peer announcing `name` as its Socket-Type may talk to us:
    /// an exact, case-sensitive match, as in libzmq.
    pub fn accepts_peer_named(self, name: &[u8]) -> bool {
        self.peers().iter().any(|p| p.name().as_bytes() == name)
    }

    /// The draft types that several threads may use at once; the classic
    /// ones are for one thread at a time.
    pub const fn thread_safe(self) -> bool {
        matches!(
            self,
            Server | Client | Radio | Dish | Gather | Scatter | Peer | Channel
        )
    }

    /// Whether the handshake's property list carries an Identity (even an
    /// empty one), as libzmq sends it.
    pub const fn announces_identity(self) -> bool {
        matches!(self, Req | Dealer | Router)
    }

    /// Whether a socket of this type sends everything to a peer that cannot
    /// subscribe: PUB and XPUB over ZMTP/1.0, which has no SUBSCRIBE.
    pub const fn subscribes_to_all_on_old_links(self) -> bool {
        matches!(self, Pub | XPub)
    }

    /// Whether the type subscribes (SUB, XSUB, DISH): a lost connection's
    /// queue is dropped and every subscription sent again.
    pub const fn resubscribes(self) -> bool {
        matches!(self, Sub | XSub | Dish)
    }

    /// Whether ZMQ_CONFLATE takes effect (DEALER, PULL, PUSH, PUB, SUB);
    /// the other types ignore it.
    pub const fn honours_conflate(self) -> bool {
        matches!(self, Pub | Sub | Dealer | Pull | Push)
    }

    /// Whether ZMQ_HELLO_MSG (draft) greets each new peer (DEALER, ROUTER,
    /// SERVER, CLIENT, PEER).
    pub const fn sends_hello_msg(self) -> bool {
        matches!(self, Dealer | Router | Server | Client | Peer)
    }

    /// Whether ZMQ_DISCONNECT_MSG (draft) tells the socket of a lost peer
    /// (ROUTER, SERVER, PEER).
    pub const fn receives_disconnect_msg(self) -> bool {
        matches!(self, Router | Server | Peer)
    }

    /// Whether connecting again to an endpoint the socket is already
    /// connected to is a no-op (PUB, SUB, REQ, DEALER), as in libzmq.
    pub const fn connects_once_per_endpoint(self) -> bool {
        matches!(self, Pub | Sub | Req | Dealer)
    }

    /// Whether libzmq lets the type use the udp transport (RADIO, DISH,
    /// DGRAM); the others get ENOCOMPATPROTO.
    pub const fn may_use_udp(self) -> bool {
        matches!(self, Radio | Dish | Dgram)
    }

    /// Whether a udp endpoint of this type is bound (DISH and DGRAM, which
    /// receive) or connected (RADIO, which sends); the other way round,
    /// libzmq gives ENOCOMPATPROTO.
    pub const fn binds_udp(self) -> bool {
        matches!(self, Dish | Dgram)
    }

    pub const fn connects_udp(self) -> bool {
        matches!(self, Radio)
    }

    /// DGRAM speaks nothing but udp: its address frames mean nothing to a
    /// ZMTP or inproc peer, so other transports are ENOCOMPATPROTO (libzmq
    /// accepts them and passes the frames through as they are).
    pub const fn udp_only(self) -> bool {
        matches!(self, Dgram)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_values_round_trip_and_nothing_else_converts() {
        for (i, t) in SocketType::ALL.iter().enumerate() {
            assert_eq!(t.as_c(), i as i32);
            assert_eq!(SocketType::from_c(i as i32), Some(*t));
        }
        for v in [-1, 21, 99, i32::MIN, i32::MAX] {
            assert_eq!(SocketType::from_c(v), None);
        }
    }

    #[test]
    fn compatibility_is_symmetric_except_for_stream() {
        for a in SocketType::ALL {
            for b in SocketType::ALL {
                assert_eq!(
                    a.peers().contains(&b),
                    b.peers().contains(&a),
                    "{a:?} {b:?}"
                );
            }
        }
        assert!(Req.accepts_peer_named(b"ROUTER"));
        assert!(!Req.accepts_peer_named(b"router"));
        assert!(!Stream.accepts_peer_named(b"STREAM"));
    }

    /// The sets libzmq 4.3.4 spells out type by type, by C value.
    #[test]
    fn per_type_rules_are_libzmqs() {
        let with = |rule: fn(SocketType) -> bool| -> Vec<i32> {
            SocketType::ALL
                .into_iter()
                .filter(|t| rule(*t))
                .map(SocketType::as_c)
                .collect()
        };
        assert_eq!(with(SocketType::announces_identity), [3, 5, 6]);
        assert_eq!(with(SocketType::subscribes_to_all_on_old_links), [1, 9]);
        assert_eq!(with(SocketType::resubscribes), [2, 10, 15]);
        assert_eq!(with(SocketType::honours_conflate), [1, 2, 5, 7, 8]);
        assert_eq!(with(SocketType::sends_hello_msg), [5, 6, 12, 13, 19]);
        assert_eq!(with(SocketType::receives_disconnect_msg), [6, 12, 19]);
        assert_eq!(with(SocketType::connects_once_per_endpoint), [1, 2, 3, 5]);
        assert_eq!(with(SocketType::may_use_udp), [14, 15, 18]);
        assert_eq!(with(SocketType::binds_udp), [15, 18]);
        assert_eq!(with(SocketType::connects_udp), [14]);
        assert_eq!(with(SocketType::udp_only), [18]);
    }

    #[test]
    fn the_draft_types_are_the_thread_safe_ones() {
        let safe: Vec<i32> = SocketType::ALL
            .iter()
            .filter(|t| t.thread_safe())
            .map(|t| t.as_c())
            .collect();
        assert_eq!(safe, [12, 13, 14, 15, 16, 17, 19, 20]);
    }
}

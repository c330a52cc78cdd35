//! DGRAM (draft): raw datagrams over udp. Every message is two frames, the
//! peer's `ip:port` and the body, both ways; one bound endpoint (later
//! pipes are refused, as PAIR refuses them).

use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::routing::indexed::Slot;
use crate::socket::base::Base;
use crate::socket::Behavior;

pub(super) struct Dgram {
    pipe: Option<Slot>,
    /// The address frame went out; the body must follow.
    more_out: bool,
}

impl Dgram {
    pub(super) fn new() -> Dgram {
        Dgram {
            pipe: None,
            more_out: false,
        }
    }
}

impl Behavior for Dgram {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, _: bool) {
        if self.pipe.is_none() {
            self.pipe = Some(s);
        } else {
            b.pipes.terminate(s);
        }
    }

    fn pipe_terminated(&mut self, _b: &mut Base, s: Slot) {
        if self.pipe == Some(s) {
            self.pipe = None;
            self.more_out = false;
        }
    }

    /// With no endpoint there is nowhere to send (EAGAIN, or a wait for a
    /// bind; libzmq drops the message and fails with whatever errno was
    /// left). Then the address frame must have MORE and the body must not:
    /// anything else is EINVAL, as in libzmq.
    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        let s = self.pipe.ok_or(Error::EAGAIN)?;
        if msg.more() == self.more_out {
            return Err(Error::EINVAL);
        }
        let more = msg.more();
        match b.pipes.write(s, msg.take()) {
            Ok(()) => {
                if !more {
                    b.pipes.flush(s);
                }
                self.more_out = more;
                Ok(())
            }
            Err(m) => {
                *msg = m;
                Err(Error::EAGAIN)
            }
        }
    }

    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        let s = self.pipe.ok_or(Error::EAGAIN)?;
        b.pipes.read(s).ok_or(Error::EAGAIN)
    }

    fn has_in(&mut self, b: &mut Base) -> bool {
        self.pipe.is_some_and(|s| b.pipes.check_read(s))
    }

    fn has_out(&mut self, b: &mut Base) -> bool {
        self.pipe.is_some_and(|s| b.pipes.check_write(s))
    }
}

#[cfg(test)]
mod tests {
    use crate::ctx::CtxShared;
    use crate::error::Error;
    use crate::msg::Msg;
    use crate::socket::Socket;
    use crate::types::SocketType;

    /// Sends one frame, with SNDMORE for `more` (the socket sets MORE from
    /// the flags), and DONTWAIT.
    fn send(s: &Socket, data: &[u8], more: bool) -> Result<(), Error> {
        s.send(&mut Msg::from_slice(data), if more { 3 } else { 1 })
    }

    #[test]
    fn messages_are_an_address_then_a_body_and_only_udp_carries_them() {
        let ctx = CtxShared::new();
        let s = Socket::create(&ctx, SocketType::Dgram).unwrap();
        // No endpoint yet: nowhere to send.
        assert_eq!(send(s, b"127.0.0.1:5", true), Err(Error::EAGAIN));
        assert_eq!(send(s, b"body", false), Err(Error::EAGAIN));
        for ep in ["inproc://dgram", "tcp://127.0.0.1:5555", "ipc:///tmp/dgram"] {
            assert_eq!(s.bind(ep), Err(Error::ENOCOMPATPROTO), "{ep}");
            assert_eq!(s.connect(ep), Err(Error::ENOCOMPATPROTO), "{ep}");
        }
        assert_eq!(
            s.connect("udp://127.0.0.1:5555"),
            Err(Error::ENOCOMPATPROTO)
        );
        s.bind("udp://127.0.0.1:*").unwrap();
        // A body first, or a third frame: EINVAL.
        assert_eq!(send(s, b"body", false), Err(Error::EINVAL));
        send(s, b"127.0.0.1:9", true).unwrap();
        assert_eq!(send(s, b"again", true), Err(Error::EINVAL));
        send(s, b"body", false).unwrap();
        assert_eq!(send(s, b"body", false), Err(Error::EINVAL));
        s.close().unwrap();
        ctx.terminate();
    }
}

//! REQ and REP: the request/reply state machines over DEALER and ROUTER.

use super::random_u32;
use super::router::Router;
use super::simple::Dealer;
use crate::consts;
use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::routing::indexed::Slot;
use crate::socket::base::Base;
use crate::socket::options::{OptIn, OptOut};
use crate::socket::Behavior;

pub(super) struct Req {
    dealer: Dealer,
    receiving_reply: bool,
    message_begins: bool,
    reply_pipe: Option<Slot>,
    correlate: bool,
    request_id: u32,
    strict: bool,
}

impl Req {
    pub(super) fn new() -> Req {
        Req {
            dealer: Dealer::default(),
            receiving_reply: false,
            message_begins: true,
            reply_pipe: None,
            correlate: false,
            request_id: random_u32(),
            strict: true,
        }
    }

    /// Receives from the pipe the request went to; frames from others are dropped.
    fn recv_reply_pipe(&mut self, b: &mut Base) -> Result<Msg> {
        loop {
            let (m, s) = self.dealer.recv_pipe(b)?;
            if self.reply_pipe.is_none() || self.reply_pipe == Some(s) {
                return Ok(m);
            }
        }
    }

    fn skip_rest(&mut self, b: &mut Base, mut m: Msg) {
        while m.more() {
            match self.recv_reply_pipe(b) {
                Ok(n) => m = n,
                Err(_) => return,
            }
        }
    }
}

impl Behavior for Req {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, a: bool, l: bool) {
        self.dealer.attach_pipe(b, s, a, l);
    }
    fn pipe_terminated(&mut self, b: &mut Base, s: Slot) {
        if self.reply_pipe == Some(s) {
            self.reply_pipe = None;
        }
        self.dealer.pipe_terminated(b, s);
    }
    fn read_activated(&mut self, b: &mut Base, s: Slot) {
        self.dealer.read_activated(b, s);
    }
    fn write_activated(&mut self, b: &mut Base, s: Slot) {
        self.dealer.write_activated(b, s);
    }

    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if self.receiving_reply {
            if self.strict {
                return Err(Error::EFSM);
            }
            self.receiving_reply = false;
            self.message_begins = true;
        }
        if self.message_begins {
            self.reply_pipe = None;
            if self.correlate {
                self.request_id = self.request_id.wrapping_add(1);
                let mut id = Msg::from_slice(&self.request_id.to_ne_bytes());
                id.set_more(true);
                self.reply_pipe = self.dealer.send_pipe(b, &mut id)?;
            }
            let mut bottom = Msg::new();
            bottom.set_more(true);
            self.reply_pipe = self.dealer.send_pipe(b, &mut bottom)?;
            self.message_begins = false;
            // Stale replies must not answer the new request.
            while self.dealer.recv_pipe(b).is_ok() {}
        }
        let more = msg.more();
        self.dealer.send_pipe(b, msg)?;
        if !more {
            self.receiving_reply = true;
            self.message_begins = true;
        }
        Ok(())
    }

    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        if !self.receiving_reply {
            return Err(Error::EFSM);
        }
        while self.message_begins {
            if self.correlate {
                let m = self.recv_reply_pipe(b)?;
                if !m.more() || m.data() != self.request_id.to_ne_bytes() {
                    self.skip_rest(b, m);
                    continue;
                }
            }
            let m = self.recv_reply_pipe(b)?;
            if !m.more() || m.size() != 0 {
                self.skip_rest(b, m);
                continue;
            }
            self.message_begins = false;
        }
        let m = self.recv_reply_pipe(b)?;
        if !m.more() {
            self.receiving_reply = false;
            self.message_begins = true;
        }
        Ok(m)
    }

    fn has_in(&mut self, b: &mut Base) -> bool {
        self.receiving_reply && self.dealer.has_in(b)
    }
    fn has_out(&mut self, b: &mut Base) -> bool {
        if self.receiving_reply && self.strict {
            return false;
        }
        self.dealer.has_out(b)
    }

    fn setsockopt(&mut self, b: &mut Base, o: i32, v: &OptIn<'_>) -> Result<()> {
        match o {
            consts::ZMQ_REQ_CORRELATE => self.correlate = v.int_where(|x| x >= 0)? != 0,
            consts::ZMQ_REQ_RELAXED => self.strict = v.int_where(|x| x >= 0)? == 0,
            _ => return self.dealer.setsockopt(b, o, v),
        }
        Ok(())
    }
    fn getsockopt(&mut self, b: &mut Base, o: i32, out: &mut OptOut<'_>) -> Result<()> {
        self.dealer.getsockopt(b, o, out)
    }
}

pub(super) struct Rep {
    router: Router,
    sending_reply: bool,
    request_begins: bool,
}

impl Rep {
    pub(super) fn new() -> Rep {
        Rep {
            router: Router::new(),
            sending_reply: false,
            request_begins: true,
        }
    }
}

impl Behavior for Rep {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, a: bool, l: bool) {
        self.router.attach_pipe(b, s, a, l);
    }
    fn pipe_terminated(&mut self, b: &mut Base, s: Slot) {
        self.router.pipe_terminated(b, s);
    }
    fn read_activated(&mut self, b: &mut Base, s: Slot) {
        self.router.read_activated(b, s);
    }
    fn write_activated(&mut self, b: &mut Base, s: Slot) {
        self.router.write_activated(b, s);
    }

    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if !self.sending_reply {
            return Err(Error::EFSM);
        }
        let more = msg.more();
        self.router.send(b, msg)?;
        if !more {
            self.sending_reply = false;
        }
        Ok(())
    }

    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        if self.sending_reply {
            return Err(Error::EFSM);
        }
        if self.request_begins {
            // Copy the envelope, up to and including the empty delimiter,
            // into the reply.
            loop {
                let mut m = self.router.recv(b)?;
                if m.more() {
                    let bottom = m.size() == 0;
                    self.router.send(b, &mut m)?;
                    if bottom {
                        break;
                    }
                } else {
                    // Malformed: no delimiter. Discard what was copied.
                    self.router.rollback(b);
                }
            }
            self.request_begins = false;
        }
        let m = self.router.recv(b)?;
        if !m.more() {
            self.sending_reply = true;
            self.request_begins = true;
        }
        Ok(m)
    }

    fn has_in(&mut self, b: &mut Base) -> bool {
        !self.sending_reply && self.router.has_in(b)
    }
    fn has_out(&mut self, b: &mut Base) -> bool {
        self.sending_reply && self.router.has_out(b)
    }
    fn setsockopt(&mut self, b: &mut Base, o: i32, v: &OptIn<'_>) -> Result<()> {
        self.router.setsockopt(b, o, v)
    }
    fn getsockopt(&mut self, b: &mut Base, o: i32, out: &mut OptOut<'_>) -> Result<()> {
        self.router.getsockopt(b, o, out)
    }
}

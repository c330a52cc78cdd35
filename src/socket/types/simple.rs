//! The stateless-routing types: PUSH/SCATTER, PULL/GATHER, DEALER, CLIENT,
//! SERVER.

use super::random_u32;
use crate::consts::ZMQ_PROBE_ROUTER;
use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::routing::fair_queue::FairQueue;
use crate::routing::indexed::Slot;
use crate::routing::load_balance::LoadBalancer;
use crate::socket::base::Base;
use crate::socket::options::{OptIn, OptOut};
use crate::socket::Behavior;
use crate::util::idmap::IdMap;

/// Receives one message's frames, dropping multi-frame messages whole
/// (the draft single-frame types).
fn recv_single_frame(fq: &mut FairQueue, b: &mut Base) -> Result<Msg> {
    loop {
        let (m, _) = fq.recv(&mut b.pipes)?;
        if !m.more() {
            return Ok(m);
        }
        let mut more = true;
        while more {
            more = fq
                .recv(&mut b.pipes)
                .map(|(m, _)| m.more())
                .unwrap_or(false);
        }
    }
}

pub(super) struct Push {
    lb: LoadBalancer,
    single_frame: bool,
}

impl Push {
    pub(super) fn new(single_frame: bool) -> Push {
        Push {
            lb: LoadBalancer::default(),
            single_frame,
        }
    }
}

impl Behavior for Push {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, _: bool) {
        // Nobody reads from this pipe, so do not wait for its delimiter.
        b.pipes.get(s).set_nodelay();
        self.lb.attach(s);
    }
    fn pipe_terminated(&mut self, _b: &mut Base, s: Slot) {
        self.lb.pipe_terminated(s);
    }
    fn write_activated(&mut self, _b: &mut Base, s: Slot) {
        self.lb.activated(s);
    }
    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if self.single_frame && msg.more() {
            return Err(Error::EINVAL);
        }
        self.lb.send(&mut b.pipes, msg).map(|_| ())
    }
    fn has_out(&mut self, b: &mut Base) -> bool {
        self.lb.has_out(&mut b.pipes)
    }
}

pub(super) struct Pull {
    fq: FairQueue,
    single_frame: bool,
}

impl Pull {
    pub(super) fn new(single_frame: bool) -> Pull {
        Pull {
            fq: FairQueue::default(),
            single_frame,
        }
    }
}

impl Behavior for Pull {
    fn attach_pipe(&mut self, _b: &mut Base, s: Slot, _: bool, _: bool) {
        self.fq.attach(s);
    }
    fn pipe_terminated(&mut self, _b: &mut Base, s: Slot) {
        self.fq.pipe_terminated(s);
    }
    fn read_activated(&mut self, _b: &mut Base, s: Slot) {
        self.fq.activated(s);
    }
    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        if self.single_frame {
            return recv_single_frame(&mut self.fq, b);
        }
        self.fq.recv(&mut b.pipes).map(|(m, _)| m)
    }
    fn has_in(&mut self, b: &mut Base) -> bool {
        self.fq.has_in(&mut b.pipes)
    }
}

#[derive(Default)]
pub(super) struct Dealer {
    pub fq: FairQueue,
    pub lb: LoadBalancer,
    probe_router: bool,
}

impl Dealer {
    /// Sends and reports which pipe took the frame (REQ needs it).
    pub(super) fn send_pipe(&mut self, b: &mut Base, msg: &mut Msg) -> Result<Option<Slot>> {
        self.lb.send(&mut b.pipes, msg)
    }
    pub(super) fn recv_pipe(&mut self, b: &mut Base) -> Result<(Msg, Slot)> {
        self.fq.recv(&mut b.pipes)
    }
}

impl Behavior for Dealer {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, _: bool) {
        if self.probe_router {
            let p = b.pipes.get(s);
            if p.write(Msg::new()).is_ok() {
                p.flush();
            }
        }
        self.fq.attach(s);
        self.lb.attach(s);
    }
    fn pipe_terminated(&mut self, _b: &mut Base, s: Slot) {
        self.fq.pipe_terminated(s);
        self.lb.pipe_terminated(s);
    }
    fn read_activated(&mut self, _b: &mut Base, s: Slot) {
        self.fq.activated(s);
    }
    fn write_activated(&mut self, _b: &mut Base, s: Slot) {
        self.lb.activated(s);
    }
    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        self.send_pipe(b, msg).map(|_| ())
    }
    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        self.recv_pipe(b).map(|(m, _)| m)
    }
    fn has_in(&mut self, b: &mut Base) -> bool {
        self.fq.has_in(&mut b.pipes)
    }
    fn has_out(&mut self, b: &mut Base) -> bool {
        self.lb.has_out(&mut b.pipes)
    }
    fn setsockopt(&mut self, _b: &mut Base, opt: i32, v: &OptIn<'_>) -> Result<()> {
        match opt {
            ZMQ_PROBE_ROUTER => {
                self.probe_router = v.int_where(|x| x >= 0)? != 0;
                Ok(())
            }
            _ => Err(Error::EINVAL),
        }
    }
    fn getsockopt(&mut self, _b: &mut Base, _opt: i32, _out: &mut OptOut<'_>) -> Result<()> {
        Err(Error::EINVAL)
    }
}

/// CLIENT: a DEALER restricted to single-frame messages.
#[derive(Default)]
pub(super) struct Client {
    dealer: Dealer,
}

impl Behavior for Client {
    fn attach_pipe(&mut self, _b: &mut Base, s: Slot, _: bool, _: bool) {
        self.dealer.fq.attach(s);
        self.dealer.lb.attach(s);
    }
    fn pipe_terminated(&mut self, b: &mut Base, s: Slot) {
        self.dealer.pipe_terminated(b, s);
    }
    fn read_activated(&mut self, b: &mut Base, s: Slot) {
        self.dealer.read_activated(b, s);
    }
    fn write_activated(&mut self, b: &mut Base, s: Slot) {
        self.dealer.write_activated(b, s);
    }
    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if msg.more() {
            return Err(Error::EINVAL);
        }
        self.dealer.send(b, msg)
    }
    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        recv_single_frame(&mut self.dealer.fq, b)
    }
    fn has_in(&mut self, b: &mut Base) -> bool {
        self.dealer.has_in(b)
    }
    fn has_out(&mut self, b: &mut Base) -> bool {
        self.dealer.has_out(b)
    }
}

/// SERVER, and PEER (a SERVER that also connects and learns the id of the
/// peer it connected to).
pub(super) struct Server {
    fq: FairQueue,
    out: IdMap<u32, Slot>,
    next_id: u32,
    last_id: u32,
}

impl Server {
    pub(super) fn new() -> Server {
        Server {
            fq: FairQueue::default(),
            out: IdMap::default(),
            next_id: random_u32(),
            last_id: 0,
        }
    }
}

impl Behavior for Server {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, _: bool) {
        let mut id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        if id == 0 {
            // Zero means "no routing id".
            id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1);
        }
        b.pipes.get(s).server_id = id;
        self.last_id = id;
        self.out.insert(id, s);
        self.fq.attach(s);
    }
    fn pipe_terminated(&mut self, b: &mut Base, s: Slot) {
        let id = b.pipes.get(s).server_id;
        self.out.remove(&id);
        self.fq.pipe_terminated(s);
    }
    fn read_activated(&mut self, _b: &mut Base, s: Slot) {
        self.fq.activated(s);
    }
    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if msg.more() {
            return Err(Error::EINVAL);
        }
        let s = *self.out.get(&msg.routing_id()).ok_or(Error::EHOSTUNREACH)?;
        if !b.pipes.check_write(s) {
            return Err(Error::EAGAIN);
        }
        let mut m = msg.take();
        m.set_routing_id(0);
        if b.pipes.write(s, m).is_ok() {
            b.pipes.flush(s);
        }
        Ok(())
    }
    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        loop {
            let (mut m, s) = self.fq.recv(&mut b.pipes)?;
            if m.more() {
                let mut more = true;
                while more {
                    more = self
                        .fq
                        .recv(&mut b.pipes)
                        .map(|(m, _)| m.more())
                        .unwrap_or(false);
                }
                continue;
            }
            m.set_routing_id(b.pipes.get(s).server_id);
            return Ok(m);
        }
    }
    fn has_in(&mut self, b: &mut Base) -> bool {
        self.fq.has_in(&mut b.pipes)
    }
    fn has_out(&mut self, _b: &mut Base) -> bool {
        true
    }
    fn last_peer_id(&self) -> u32 {
        self.last_id
    }
}

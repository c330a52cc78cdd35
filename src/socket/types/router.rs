//! ROUTER: messages are addressed by the peer's routing id, which is
//! prepended to every received message.

use super::{integral_id, random_u32};
use crate::consts;
use crate::error::{Error, Result};
use crate::msg::{self, Msg};
use crate::routing::fair_queue::FairQueue;
use crate::routing::indexed::Slot;
use crate::socket::base::Base;
use crate::socket::options::OptIn;
use crate::socket::Behavior;
use std::collections::{HashMap, HashSet};

pub(super) struct Router {
    fq: FairQueue,
    /// Prefetched (id frame, first body frame); the id goes out first.
    prefetched: Option<(Option<Msg>, Msg)>,
    current_in: Option<Slot>,
    terminate_current_in: bool,
    more_in: bool,
    anonymous: HashSet<Slot>,
    out: HashMap<Vec<u8>, Slot>,
    current_out: Option<Slot>,
    more_out: bool,
    next_id: u32,
    mandatory: bool,
    raw: bool,
    probe_router: bool,
    handover: bool,
}

impl Router {
    pub(super) fn new() -> Router {
        Router {
            fq: FairQueue::default(),
            prefetched: None,
            current_in: None,
            terminate_current_in: false,
            more_in: false,
            anonymous: HashSet::new(),
            out: HashMap::new(),
            current_out: None,
            more_out: false,
            next_id: random_u32(),
            mandatory: false,
            raw: false,
            probe_router: false,
            handover: false,
        }
    }

    fn fresh_id(&mut self) -> Vec<u8> {
        let id = integral_id(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    /// Gives a pipe its routing id; false if the peer's id is not known yet
    /// or is a duplicate we refuse.
    fn identify_peer(&mut self, b: &mut Base, s: Slot, locally_initiated: bool) -> bool {
        let id = if locally_initiated && !b.options.connect_routing_id.is_empty() {
            std::mem::take(&mut b.options.connect_routing_id)
        } else if b.options.raw_socket {
            self.fresh_id()
        } else {
            let Some(m) = b.pipes.get(s).read() else {
                return false;
            };
            if m.size() == 0 {
                self.fresh_id()
            } else {
                let id = m.data().to_vec();
                if let Some(&old) = self.out.get(&id) {
                    if !self.handover {
                        return false;
                    }
                    // The newcomer takes the id; the old pipe is renamed and closed.
                    let renamed = self.fresh_id();
                    self.out.remove(&id);
                    b.pipes.get(old).routing_id = renamed.clone();
                    self.out.insert(renamed, old);
                    if Some(old) == self.current_in {
                        self.terminate_current_in = true;
                    } else {
                        b.pipes.terminate(old);
                    }
                }
                id
            }
        };
        b.pipes.get(s).routing_id = id.clone();
        self.out.insert(id, s);
        true
    }

    fn end_of_input(&mut self, b: &mut Base) {
        if self.terminate_current_in {
            if let Some(s) = self.current_in {
                b.pipes.terminate(s);
            }
            self.terminate_current_in = false;
        }
        self.current_in = None;
    }

    /// Reads the next non-id frame from the fair queue.
    fn next_frame(&mut self, b: &mut Base) -> Result<(Msg, Slot)> {
        loop {
            let (m, s) = self.fq.recv(&mut b.pipes)?;
            if m.flags() & msg::ROUTING_ID == 0 {
                return Ok((m, s));
            }
        }
    }

    fn id_frame(b: &mut Base, s: Slot, body: &Msg) -> Msg {
        let mut id = Msg::from_slice(&b.pipes.get(s).routing_id);
        id.set_more(true);
        id.set_metadata(body.metadata().cloned());
        id
    }

    /// Drops a partly sent reply (REP's malformed-envelope case).
    pub(super) fn rollback(&mut self, b: &mut Base) {
        if let Some(s) = self.current_out.take() {
            b.pipes.rollback(s);
        }
        self.more_out = false;
    }
}

impl Behavior for Router {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, locally_initiated: bool) {
        if self.probe_router {
            let p = b.pipes.get(s);
            if p.write(Msg::new()).is_ok() {
                p.flush();
            }
        }
        if self.identify_peer(b, s, locally_initiated) {
            self.fq.attach(s);
        } else {
            self.anonymous.insert(s);
        }
    }

    fn pipe_terminated(&mut self, b: &mut Base, s: Slot) {
        if !self.anonymous.remove(&s) {
            let id = b.pipes.get(s).routing_id.clone();
            if self.out.get(&id) == Some(&s) {
                self.out.remove(&id);
            }
            self.fq.pipe_terminated(s);
            if self.current_out == Some(s) {
                self.current_out = None;
            }
        }
        if self.current_in == Some(s) {
            self.current_in = None;
        }
    }

    fn read_activated(&mut self, b: &mut Base, s: Slot) {
        if !self.anonymous.contains(&s) {
            self.fq.activated(s);
        } else if self.identify_peer(b, s, false) {
            self.anonymous.remove(&s);
            self.fq.attach(s);
        }
    }

    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if !self.more_out {
            // The first frame names the peer. A lone id frame is ignored.
            if msg.more() {
                self.more_out = true;
                match self.out.get(msg.data()).copied() {
                    Some(s) => {
                        self.current_out = Some(s);
                        if !b.pipes.check_write(s) {
                            let full = !b.pipes.get(s).check_hwm();
                            self.current_out = None;
                            if self.mandatory {
                                self.more_out = false;
                                return Err(if full {
                                    Error::EAGAIN
                                } else {
                                    Error::EHOSTUNREACH
                                });
                            }
                        }
                    }
                    None if self.mandatory => {
                        self.more_out = false;
                        return Err(Error::EHOSTUNREACH);
                    }
                    None => {}
                }
            }
            *msg = Msg::new();
            return Ok(());
        }
        if b.options.raw_socket {
            msg.set_more(false);
        }
        self.more_out = msg.more();
        if let Some(s) = self.current_out {
            if self.raw && msg.size() == 0 {
                b.pipes.terminate(s);
                self.current_out = None;
                *msg = Msg::new();
                return Ok(());
            }
            match b.pipes.write(s, msg.take()) {
                Ok(()) => {
                    if !self.more_out {
                        b.pipes.flush(s);
                        self.current_out = None;
                    }
                }
                Err(_) => {
                    b.pipes.rollback(s);
                    self.current_out = None;
                }
            }
        }
        *msg = Msg::new();
        Ok(())
    }

    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        if let Some((id, body)) = self.prefetched.take() {
            let m = match id {
                Some(id) => {
                    self.prefetched = Some((None, body));
                    id
                }
                None => body,
            };
            self.more_in = m.more();
            if !self.more_in {
                self.end_of_input(b);
            }
            return Ok(m);
        }
        let (m, s) = self.next_frame(b)?;
        if self.more_in {
            self.more_in = m.more();
            if !self.more_in {
                self.end_of_input(b);
            }
            return Ok(m);
        }
        // Start of a message: hand out the peer's id first.
        self.current_in = Some(s);
        let id = Self::id_frame(b, s, &m);
        self.prefetched = Some((None, m));
        self.more_in = true;
        Ok(id)
    }

    fn has_in(&mut self, b: &mut Base) -> bool {
        if self.more_in || self.prefetched.is_some() {
            return true;
        }
        match self.next_frame(b) {
            Ok((m, s)) => {
                let id = Self::id_frame(b, s, &m);
                self.prefetched = Some((Some(id), m));
                self.current_in = Some(s);
                true
            }
            Err(_) => false,
        }
    }

    fn has_out(&mut self, b: &mut Base) -> bool {
        if !self.mandatory {
            return true;
        }
        self.out.values().any(|&s| b.pipes.get(s).check_hwm())
    }

    fn setsockopt(&mut self, b: &mut Base, o: i32, v: &OptIn<'_>) -> Result<()> {
        let flag = || v.int_where(|x| x >= 0).map(|x| x != 0);
        match o {
            consts::ZMQ_ROUTER_RAW => {
                self.raw = flag()?;
                if self.raw {
                    b.options.recv_routing_id = false;
                    b.options.raw_socket = true;
                }
            }
            consts::ZMQ_ROUTER_MANDATORY => self.mandatory = flag()?,
            consts::ZMQ_PROBE_ROUTER => self.probe_router = flag()?,
            consts::ZMQ_ROUTER_HANDOVER => self.handover = flag()?,
            consts::ZMQ_ROUTER_NOTIFY => {
                // The network engines deliver the notifications.
                let x = v.int_where(|x| (0..=3).contains(&x))?;
                b.options.router_notify = x;
            }
            consts::ZMQ_CONNECT_ROUTING_ID => super::set_connect_routing_id(b, v)?,
            _ => return Err(Error::EINVAL),
        }
        Ok(())
    }

    fn peer_state(&mut self, b: &mut Base, routing_id: &[u8]) -> Result<i32> {
        let s = *self.out.get(routing_id).ok_or(Error::EHOSTUNREACH)?;
        Ok(if b.pipes.get(s).check_hwm() { 2 } else { 0 })
    }
}

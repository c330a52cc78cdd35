//! STREAM: raw connections addressed by a generated id. Its connections come
//! from the tcp transport; in-process it has no peers, so sends to an unknown
//! id fail with EHOSTUNREACH as in libzmq.

use super::random_u32;
use crate::consts;
use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::routing::fair_queue::FairQueue;
use crate::routing::indexed::Slot;
use crate::socket::base::Base;
use crate::socket::options::OptIn;
use crate::socket::Behavior;
use std::collections::HashMap;

pub(super) struct Stream {
    fq: FairQueue,
    prefetched: Option<Msg>,
    out: HashMap<Vec<u8>, Slot>,
    current_out: Option<Slot>,
    more_out: bool,
    next_id: u32,
}

impl Stream {
    pub(super) fn new() -> Stream {
        Stream {
            fq: FairQueue::default(),
            prefetched: None,
            out: HashMap::new(),
            current_out: None,
            more_out: false,
            next_id: random_u32(),
        }
    }
}

impl Behavior for Stream {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, locally_initiated: bool) {
        let id = if locally_initiated && !b.options.connect_routing_id.is_empty() {
            std::mem::take(&mut b.options.connect_routing_id)
        } else {
            // libzmq writes STREAM's counter in host order (ROUTER's in
            // network order), and leaves the id in ZMQ_ROUTING_ID, where
            // applications read the id of the peer they just connected to.
            let mut id = vec![0u8];
            id.extend_from_slice(&self.next_id.to_ne_bytes());
            self.next_id = self.next_id.wrapping_add(1);
            b.options.routing_id = id.clone();
            id
        };
        b.pipes.get(s).routing_id = id.clone();
        self.out.insert(id, s);
        self.fq.attach(s);
    }
    fn pipe_terminated(&mut self, b: &mut Base, s: Slot) {
        let id = b.pipes.get(s).routing_id.clone();
        self.out.remove(&id);
        self.fq.pipe_terminated(s);
        if self.current_out == Some(s) {
            self.current_out = None;
        }
    }
    fn read_activated(&mut self, _b: &mut Base, s: Slot) {
        self.fq.activated(s);
    }

    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if !self.more_out {
            if msg.more() {
                let s = *self.out.get(msg.data()).ok_or(Error::EHOSTUNREACH)?;
                if !b.pipes.check_write(s) {
                    return Err(Error::EAGAIN);
                }
                self.current_out = Some(s);
            }
            self.more_out = true;
            *msg = Msg::new();
            return Ok(());
        }
        msg.set_more(false);
        self.more_out = false;
        if let Some(s) = self.current_out.take() {
            if msg.size() == 0 {
                // An empty frame closes the connection.
                b.pipes.terminate(s);
            } else if b.pipes.write(s, msg.take()).is_ok() {
                b.pipes.flush(s);
            }
        }
        *msg = Msg::new();
        Ok(())
    }

    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        if let Some(m) = self.prefetched.take() {
            return Ok(m);
        }
        let (m, s) = self.fq.recv(&mut b.pipes)?;
        let mut id = Msg::from_slice(&b.pipes.get(s).routing_id);
        id.set_metadata(m.metadata().cloned());
        id.set_more(true);
        self.prefetched = Some(m);
        Ok(id)
    }

    fn has_in(&mut self, b: &mut Base) -> bool {
        self.prefetched.is_some() || self.fq.has_in(&mut b.pipes)
    }
    fn has_out(&mut self, _b: &mut Base) -> bool {
        true
    }

    fn setsockopt(&mut self, b: &mut Base, o: i32, v: &OptIn<'_>) -> Result<()> {
        match o {
            consts::ZMQ_STREAM_NOTIFY => {
                b.options.raw_notify = v.bool_strict()?;
                Ok(())
            }
            consts::ZMQ_CONNECT_ROUTING_ID => super::set_connect_routing_id(b, v),
            _ => Err(Error::EINVAL),
        }
    }
}

//! RADIO and DISH (draft): group-addressed fan-out. A DISH tells its
//! RADIOs which groups it joined; a RADIO sends each message only to the
//! pipes that joined the message's group.

use crate::consts::{ZMQ_GROUP_MAX_LENGTH, ZMQ_XPUB_NODROP};
use crate::error::{Error, Result};
use crate::msg::{self, Msg};
use crate::routing::dist::Distributor;
use crate::routing::fair_queue::FairQueue;
use crate::routing::indexed::Slot;
use crate::socket::base::Base;
use crate::socket::options::OptIn;
use crate::socket::Behavior;
use std::collections::{BTreeSet, HashMap};

/// Longest group name.
pub(super) const GROUP_MAX: usize = ZMQ_GROUP_MAX_LENGTH as usize;

pub(super) struct Radio {
    dist: Distributor,
    /// Group -> the pipes that joined it (a pipe joins a group once).
    groups: HashMap<Vec<u8>, Vec<Slot>>,
    /// Pipes that take every group (datagram transports).
    all_groups: Vec<Slot>,
    lossy: bool,
}

impl Radio {
    pub(super) fn new() -> Radio {
        Radio {
            dist: Distributor::default(),
            groups: HashMap::new(),
            all_groups: Vec::new(),
            lossy: true,
        }
    }

    fn forget(&mut self, s: Slot) {
        self.groups.retain(|_, pipes| {
            pipes.retain(|&p| p != s);
            !pipes.is_empty()
        });
        self.all_groups.retain(|&p| p != s);
    }
}

impl Behavior for Radio {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, subscribe_to_all: bool, _: bool) {
        // Nobody reads this pipe's data, so do not wait for its delimiter.
        b.pipes.get(s).set_nodelay();
        self.dist.attach(s);
        if subscribe_to_all {
            self.all_groups.push(s);
        } else {
            self.read_activated(b, s);
        }
    }
    fn pipe_terminated(&mut self, _b: &mut Base, s: Slot) {
        self.forget(s);
        self.dist.pipe_terminated(s);
    }
    fn read_activated(&mut self, b: &mut Base, s: Slot) {
        while let Some(m) = b.pipes.read(s) {
            let Some(group) = m.group() else { continue };
            if m.flags() & msg::JOIN != 0 {
                let pipes = self.groups.entry(group.to_vec()).or_default();
                if !pipes.contains(&s) {
                    pipes.push(s);
                }
            } else if m.flags() & msg::LEAVE != 0 {
                if let Some(pipes) = self.groups.get_mut(group) {
                    pipes.retain(|&p| p != s);
                    if pipes.is_empty() {
                        self.groups.remove(group);
                    }
                }
            }
        }
    }
    fn write_activated(&mut self, _b: &mut Base, s: Slot) {
        self.dist.activated(s);
    }
    fn setsockopt(&mut self, _b: &mut Base, opt: i32, v: &OptIn<'_>) -> Result<()> {
        let v = v.int_where(|x| x >= 0)?;
        match opt {
            ZMQ_XPUB_NODROP => {
                self.lossy = v == 0;
                Ok(())
            }
            _ => Err(Error::EINVAL),
        }
    }
    fn send(&mut self, b: &mut Base, m: &mut Msg) -> Result<()> {
        // Groups address whole messages: one frame each.
        if m.more() {
            return Err(Error::EINVAL);
        }
        self.dist.unmatch();
        if let Some(pipes) = m.group().and_then(|g| self.groups.get(g)) {
            for &s in pipes {
                self.dist.match_pipe(s);
            }
        }
        for &s in &self.all_groups {
            self.dist.match_pipe(s);
        }
        if self.lossy || self.dist.check_hwm(&mut b.pipes) {
            self.dist.send_to_matching(&mut b.pipes, m);
            Ok(())
        } else {
            Err(Error::EAGAIN)
        }
    }
    fn has_out(&mut self, _b: &mut Base) -> bool {
        self.dist.has_out()
    }
}

pub(super) struct Dish {
    fq: FairQueue,
    dist: Distributor,
    joined: BTreeSet<Vec<u8>>,
    /// A message fetched by has_in, returned by the next recv.
    prefetched: Option<Msg>,
}

impl Dish {
    pub(super) fn new() -> Dish {
        Dish {
            fq: FairQueue::default(),
            dist: Distributor::default(),
            joined: BTreeSet::new(),
            prefetched: None,
        }
    }

    fn membership(group: &[u8], flag: u8) -> Msg {
        let mut m = Msg::new();
        m.set_group(Some(group));
        m.set_flags(flag);
        m
    }

    /// Every group joined, as JOIN messages into pipe `s`.
    fn send_joins(&self, b: &mut Base, s: Slot) {
        for g in &self.joined {
            let p = b.pipes.get(s);
            if p.write(Self::membership(g, msg::JOIN)).is_err() {
                break;
            }
        }
        b.pipes.get(s).flush();
    }

    /// The next message of a joined group; others are dropped (a datagram
    /// RADIO sends every group).
    fn fetch(&mut self, b: &mut Base) -> Result<Msg> {
        loop {
            let (m, _) = self.fq.recv(&mut b.pipes)?;
            if m.group().is_some_and(|g| self.joined.contains(g)) {
                return Ok(m);
            }
        }
    }
}

/// Validates a group name given to zmq_join/zmq_leave.
fn check_group(group: &[u8]) -> Result<()> {
    if group.len() > GROUP_MAX {
        return Err(Error::EINVAL);
    }
    Ok(())
}

impl Behavior for Dish {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, _: bool) {
        self.fq.attach(s);
        self.dist.attach(s);
        // Tell the new RADIO what we already joined.
        self.send_joins(b, s);
    }
    /// A reconnected RADIO knows nothing of us: join again.
    fn hiccuped(&mut self, b: &mut Base, s: Slot) {
        self.send_joins(b, s);
    }
    fn pipe_terminated(&mut self, _b: &mut Base, s: Slot) {
        self.fq.pipe_terminated(s);
        self.dist.pipe_terminated(s);
    }
    fn read_activated(&mut self, _b: &mut Base, s: Slot) {
        self.fq.activated(s);
    }
    fn write_activated(&mut self, _b: &mut Base, s: Slot) {
        self.dist.activated(s);
    }
    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        if let Some(m) = self.prefetched.take() {
            return Ok(m);
        }
        self.fetch(b)
    }
    fn has_in(&mut self, b: &mut Base) -> bool {
        if self.prefetched.is_some() {
            return true;
        }
        match self.fetch(b) {
            Ok(m) => {
                self.prefetched = Some(m);
                true
            }
            Err(_) => false,
        }
    }
    fn join(&mut self, b: &mut Base, group: &[u8]) -> Result<()> {
        check_group(group)?;
        if !self.joined.insert(group.to_vec()) {
            return Err(Error::EINVAL);
        }
        self.dist
            .send_to_all(&mut b.pipes, &mut Self::membership(group, msg::JOIN));
        Ok(())
    }
    fn leave(&mut self, b: &mut Base, group: &[u8]) -> Result<()> {
        check_group(group)?;
        if !self.joined.remove(group) {
            return Err(Error::EINVAL);
        }
        self.dist
            .send_to_all(&mut b.pipes, &mut Self::membership(group, msg::LEAVE));
        Ok(())
    }
}

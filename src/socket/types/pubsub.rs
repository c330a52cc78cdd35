//! PUB/XPUB (fan-out filtered by subscriptions) and SUB/XSUB.

use crate::consts;
use crate::error::{Error, Result};
use crate::msg::{self, Metadata, Msg};
use crate::routing::dist::Distributor;
use crate::routing::fair_queue::FairQueue;
use crate::routing::indexed::Slot;
use crate::routing::mtrie::{MTrie, RmResult};
use crate::routing::trie::Trie;
use crate::socket::base::Base;
use crate::socket::options::OptIn;
use crate::socket::Behavior;
use std::collections::VecDeque;
use std::sync::Arc;

/// A subscription or cancellation read from a subscriber's pipe.
fn parse_subscription(m: &Msg) -> Option<(bool, &[u8])> {
    if m.flags() & msg::SUBSCRIBE != 0 {
        Some((true, m.data()))
    } else if m.flags() & msg::CANCEL != 0 {
        Some((false, m.data()))
    } else {
        match m.data().first() {
            Some(1) => Some((true, &m.data()[1..])),
            Some(0) => Some((false, &m.data()[1..])),
            _ => None,
        }
    }
}

struct Pending {
    data: Vec<u8>,
    meta: Option<Arc<Metadata>>,
    flags: u8,
    pipe: Option<Slot>,
}

pub(super) struct XPub {
    is_pub: bool,
    subscriptions: MTrie<Slot>,
    manual_subscriptions: MTrie<Slot>,
    dist: Distributor,
    verbose_subs: bool,
    verbose_unsubs: bool,
    more_send: bool,
    more_recv: bool,
    process_subscribe: bool,
    only_first_subscribe: bool,
    lossy: bool,
    manual: bool,
    send_last_pipe: bool,
    last_pipe: Option<Slot>,
    welcome: Option<Vec<u8>>,
    pending: VecDeque<Pending>,
}

impl XPub {
    pub(super) fn new(is_pub: bool) -> XPub {
        XPub {
            is_pub,
            subscriptions: MTrie::new(),
            manual_subscriptions: MTrie::new(),
            dist: Distributor::default(),
            verbose_subs: false,
            verbose_unsubs: false,
            more_send: false,
            more_recv: false,
            process_subscribe: false,
            only_first_subscribe: false,
            lossy: true,
            manual: false,
            send_last_pipe: false,
            last_pipe: None,
            welcome: None,
            pending: VecDeque::new(),
        }
    }

    fn queue_unsubscription(&mut self, topic: &[u8]) {
        if self.is_pub {
            return;
        }
        let mut data = Vec::with_capacity(topic.len() + 1);
        data.push(0);
        data.extend_from_slice(topic);
        let manual = self.manual;
        self.pending.push_back(Pending {
            data,
            meta: None,
            flags: 0,
            pipe: None,
        });
        if manual {
            self.last_pipe = None;
        }
    }
}

impl Behavior for XPub {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, subscribe_to_all: bool, _: bool) {
        if self.is_pub {
            b.pipes.get(s).set_nodelay();
        }
        self.dist.attach(s);
        if subscribe_to_all {
            self.subscriptions.add(b"", s);
        }
        if let Some(w) = &self.welcome {
            let p = b.pipes.get(s);
            if p.write(Msg::from_slice(w)).is_ok() {
                p.flush();
            }
        }
        self.read_activated(b, s);
    }

    fn read_activated(&mut self, b: &mut Base, s: Slot) {
        while let Some(m) = b.pipes.read(s) {
            let first_part = !self.more_recv;
            self.more_recv = m.more();
            let sub = if first_part || self.process_subscribe {
                parse_subscription(&m)
            } else {
                None
            };
            if first_part {
                self.process_subscribe = !self.only_first_subscribe || sub.is_some();
            }
            match sub {
                Some((subscribe, topic)) => {
                    let notify = if self.manual {
                        if subscribe {
                            self.manual_subscriptions.add(topic, s);
                        } else {
                            self.manual_subscriptions.rm(topic, s);
                        }
                        true
                    } else if subscribe {
                        self.subscriptions.add(topic, s) || self.verbose_subs
                    } else {
                        self.subscriptions.rm(topic, s) != RmResult::ValuesRemain
                            || self.verbose_unsubs
                    };
                    if self.manual || (!self.is_pub && notify) {
                        let mut data = Vec::with_capacity(topic.len() + 1);
                        data.push(u8::from(subscribe));
                        data.extend_from_slice(topic);
                        let pipe = self.manual.then_some(s);
                        self.pending.push_back(Pending {
                            data,
                            meta: m.metadata().cloned(),
                            flags: 0,
                            pipe,
                        });
                    }
                }
                None if !self.is_pub => {
                    self.pending.push_back(Pending {
                        data: m.data().to_vec(),
                        meta: m.metadata().cloned(),
                        flags: m.flags() & msg::MORE,
                        pipe: None,
                    });
                }
                None => {}
            }
        }
    }

    fn write_activated(&mut self, _b: &mut Base, s: Slot) {
        self.dist.activated(s);
    }

    fn pipe_terminated(&mut self, _b: &mut Base, s: Slot) {
        let mut gone = Vec::new();
        if self.manual {
            // libzmq reports every manual subscription of the pipe.
            self.manual_subscriptions
                .rm_all(s, true, |t| gone.push(t.to_vec()));
            self.subscriptions.rm_all(s, false, |_| {});
            if self.last_pipe == Some(s) {
                self.last_pipe = None;
            }
        } else {
            // XPUB_VERBOSER passes on every unsubscription, shared or not.
            let every = self.verbose_unsubs;
            self.subscriptions
                .rm_all(s, every, |t| gone.push(t.to_vec()));
        }
        for t in gone {
            self.queue_unsubscription(&t);
        }
        self.dist.pipe_terminated(s);
    }

    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        let more = msg.more();
        if !self.more_send {
            self.dist.unmatch();
            let dist = &mut self.dist;
            if self.manual && self.send_last_pipe && self.last_pipe.is_some() {
                let last = self.last_pipe;
                self.subscriptions.match_prefixes(msg.data(), |p| {
                    if Some(p) == last {
                        dist.match_pipe(p)
                    }
                });
                self.last_pipe = None;
            } else {
                self.subscriptions
                    .match_prefixes(msg.data(), |p| dist.match_pipe(p));
            }
            if b.options.invert_matching {
                self.dist.reverse_match();
            }
        }
        if self.lossy || self.dist.check_hwm(&mut b.pipes) {
            self.dist.send_to_matching(&mut b.pipes, msg);
            if !more {
                self.dist.unmatch();
            }
            self.more_send = more;
            Ok(())
        } else {
            Err(Error::EAGAIN)
        }
    }

    fn has_out(&mut self, _b: &mut Base) -> bool {
        self.dist.has_out()
    }

    fn recv(&mut self, _b: &mut Base) -> Result<Msg> {
        if self.is_pub {
            return Err(Error::ENOTSUP);
        }
        let p = self.pending.pop_front().ok_or(Error::EAGAIN)?;
        if self.manual {
            self.last_pipe = p.pipe.filter(|&s| self.dist.has_pipe(s));
        }
        let mut m = Msg::from_slice(&p.data);
        m.set_metadata(p.meta);
        m.set_flags(p.flags);
        Ok(m)
    }

    fn has_in(&mut self, _b: &mut Base) -> bool {
        !self.is_pub && !self.pending.is_empty()
    }

    fn setsockopt(&mut self, _b: &mut Base, o: i32, v: &OptIn<'_>) -> Result<()> {
        match o {
            consts::ZMQ_XPUB_VERBOSE
            | consts::ZMQ_XPUB_VERBOSER
            | consts::ZMQ_XPUB_MANUAL_LAST_VALUE
            | consts::ZMQ_XPUB_NODROP
            | consts::ZMQ_XPUB_MANUAL
            | consts::ZMQ_ONLY_FIRST_SUBSCRIBE => {
                let on = v.int_where(|x| x >= 0)? != 0;
                match o {
                    consts::ZMQ_XPUB_VERBOSE => {
                        self.verbose_subs = on;
                        self.verbose_unsubs = false;
                    }
                    consts::ZMQ_XPUB_VERBOSER => {
                        self.verbose_subs = on;
                        self.verbose_unsubs = on;
                    }
                    consts::ZMQ_XPUB_MANUAL_LAST_VALUE => {
                        self.manual = on;
                        self.send_last_pipe = on;
                    }
                    consts::ZMQ_XPUB_NODROP => self.lossy = !on,
                    consts::ZMQ_XPUB_MANUAL => self.manual = on,
                    _ => self.only_first_subscribe = on,
                }
            }
            consts::ZMQ_SUBSCRIBE if self.manual => {
                if let Some(p) = self.last_pipe {
                    self.subscriptions.add(v.bytes(), p);
                }
            }
            consts::ZMQ_UNSUBSCRIBE if self.manual => {
                if let Some(p) = self.last_pipe {
                    self.subscriptions.rm(v.bytes(), p);
                }
            }
            consts::ZMQ_XPUB_WELCOME_MSG => {
                self.welcome = (!v.bytes().is_empty()).then(|| v.bytes().to_vec());
            }
            _ => return Err(Error::EINVAL),
        }
        Ok(())
    }
}

pub(super) struct XSub {
    is_sub: bool,
    fq: FairQueue,
    dist: Distributor,
    subscriptions: Trie,
    message: Option<Msg>,
    more_send: bool,
    more_recv: bool,
    process_subscribe: bool,
    only_first_subscribe: bool,
}

impl XSub {
    pub(super) fn new(is_sub: bool) -> XSub {
        XSub {
            is_sub,
            fq: FairQueue::default(),
            dist: Distributor::default(),
            subscriptions: Trie::new(),
            message: None,
            more_send: false,
            more_recv: false,
            process_subscribe: false,
            only_first_subscribe: false,
        }
    }

    fn matches(&self, b: &Base, m: &Msg) -> bool {
        self.subscriptions.check(m.data()) ^ b.options.invert_matching
    }

    fn send_subscriptions(&self, b: &mut Base, s: Slot) {
        let p = b.pipes.get(s);
        self.subscriptions.apply(|topic| {
            let mut m = Msg::from_slice(topic);
            m.set_flags(msg::SUBSCRIBE);
            // Past SNDHWM the subscription is dropped, as zmq_setsockopt does.
            let _ = p.write(m);
        });
        p.flush();
    }

    /// XSUB's upstream send: subscriptions update the cache and go to all.
    fn xsend(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        let first_part = !self.more_send;
        self.more_send = msg.more();
        if first_part {
            self.process_subscribe = !self.only_first_subscribe;
        } else if !self.process_subscribe {
            self.dist.send_to_all(&mut b.pipes, msg);
            return Ok(());
        }
        match parse_subscription(msg) {
            Some((true, topic)) => {
                self.subscriptions.add(topic);
                self.process_subscribe = true;
                self.dist.send_to_all(&mut b.pipes, msg);
            }
            Some((false, topic)) => {
                self.process_subscribe = true;
                if self.subscriptions.rm(topic) {
                    self.dist.send_to_all(&mut b.pipes, msg);
                } else {
                    *msg = Msg::new();
                }
            }
            None => self.dist.send_to_all(&mut b.pipes, msg),
        }
        Ok(())
    }
}

impl Behavior for XSub {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, _: bool) {
        self.fq.attach(s);
        self.dist.attach(s);
        self.send_subscriptions(b, s);
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
    /// Reconnected: the new peer knows none of our subscriptions.
    fn hiccuped(&mut self, b: &mut Base, s: Slot) {
        self.send_subscriptions(b, s);
    }

    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if self.is_sub {
            return Err(Error::ENOTSUP);
        }
        self.xsend(b, msg)
    }
    fn has_out(&mut self, _b: &mut Base) -> bool {
        !self.is_sub
    }

    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        if let Some(m) = self.message.take() {
            self.more_recv = m.more();
            return Ok(m);
        }
        loop {
            let (m, _) = self.fq.recv(&mut b.pipes)?;
            if self.more_recv || !b.options.filter || self.matches(b, &m) {
                self.more_recv = m.more();
                return Ok(m);
            }
            let mut more = m.more();
            while more {
                more = self
                    .fq
                    .recv(&mut b.pipes)
                    .map(|(m, _)| m.more())
                    .unwrap_or(false);
            }
        }
    }

    fn has_in(&mut self, b: &mut Base) -> bool {
        if self.more_recv || self.message.is_some() {
            return true;
        }
        loop {
            let Ok((m, _)) = self.fq.recv(&mut b.pipes) else {
                return false;
            };
            if !b.options.filter || self.matches(b, &m) {
                self.message = Some(m);
                return true;
            }
            let mut more = m.more();
            while more {
                more = self
                    .fq
                    .recv(&mut b.pipes)
                    .map(|(m, _)| m.more())
                    .unwrap_or(false);
            }
        }
    }

    fn setsockopt(&mut self, b: &mut Base, o: i32, v: &OptIn<'_>) -> Result<()> {
        match o {
            consts::ZMQ_ONLY_FIRST_SUBSCRIBE if !self.is_sub => {
                self.only_first_subscribe = v.int_where(|x| x >= 0)? != 0;
                Ok(())
            }
            consts::ZMQ_SUBSCRIBE | consts::ZMQ_UNSUBSCRIBE if self.is_sub => {
                let mut m = Msg::from_slice(v.bytes());
                m.set_flags(if o == consts::ZMQ_SUBSCRIBE {
                    msg::SUBSCRIBE
                } else {
                    msg::CANCEL
                });
                self.xsend(b, &mut m)
            }
            _ => Err(Error::EINVAL),
        }
    }
}

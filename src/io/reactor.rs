//! The loop an io thread runs: one mio poll over the thread's mailbox and
//! every descriptor its handlers registered, plus their timers.
//!
//! Handlers (listeners, connecters, engines) live in a slab indexed by their
//! mio token. A handler is taken out of its slot while it runs, so it can
//! use the reactor freely (register descriptors, add timers, add or remove
//! handlers, itself included).

use super::Command;
use crate::mailbox::Mailbox;
use crate::pipe::{Inbox, PipeCommand, PipeId};
use crate::proto::recycle::BufferPool;
use crate::util::idmap::IdMap;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Registry, Token};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The mailbox's token; handlers get 1, 2, ...
const MAILBOX: Token = Token(0);

fn token_of(i: usize, gen: u32) -> Token {
    Token(((gen as usize) << 32) | (i + 1))
}

/// What a readiness event says about a descriptor.
#[derive(Clone, Copy, Debug)]
pub struct Ready {
    /// Input, an error, or the peer's end of stream to read.
    pub readable: bool,
    pub writable: bool,
    /// The peer closed or the socket failed: whatever is read next, the
    /// end comes after it without another event.
    pub closed: bool,
}

/// The timers a handler may have, at most one of each kind at a time.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum TimerKind {
    /// Come back for work already waiting: a handler that yielded its
    /// turn gets no readiness edge or wakeup for it.
    Continue,
    /// A non-blocking connect has taken ZMQ_CONNECT_TIMEOUT.
    ConnectTimeout,
    /// The protocol session's next deadline (handshake, heartbeats).
    Session,
    Reconnect,
    Linger,
}

/// Something the io thread drives.
pub trait Handler: Send {
    /// A descriptor registered under `me` is ready.
    fn ready(&mut self, r: &mut Reactor, me: Token, ready: Ready);
    /// The timer of this kind set with `Reactor::add_timer` expired.
    fn timer(&mut self, _r: &mut Reactor, _me: Token, _kind: TimerKind) {}
    /// A command about a pipe end this handler registered with `own_pipe`.
    fn pipe_command(&mut self, _r: &mut Reactor, _me: Token, _cmd: PipeCommand) {}
    /// The context is terminating: wind down and remove yourself, now or
    /// once linger allows.
    fn stop(&mut self, r: &mut Reactor, me: Token);
    /// The socket removed this endpoint (unbind, disconnect, close).
    fn terminate(&mut self, r: &mut Reactor, me: Token) {
        self.stop(r, me);
    }
}

enum Slot {
    Free,
    /// Taken out while it runs.
    Busy,
    Live(Box<dyn Handler>),
}

pub struct Reactor {
    poll: Poll,
    /// Per slot: a generation (bumped when the slot is freed, so a stale
    /// token or timer never reaches the slot's next handler) and the slot.
    slots: Vec<(u32, Slot)>,
    free: Vec<usize>,
    /// (deadline, sequence, token, kind); the sequence keeps equal
    /// deadlines in the order they were set. An entry moved or cancelled
    /// since stays queued until it reaches the front (dropping it sooner
    /// would mean searching the heap).
    timers: BinaryHeap<Reverse<(Instant, u64, usize, TimerKind)>>,
    /// (token, kind) -> the sequence of its one live entry in `timers`.
    /// Each key leaves when that entry does, so this never outgrows the
    /// queue.
    armed: HashMap<(usize, TimerKind), u64>,
    timer_seq: u64,
    pipes: IdMap<PipeId, Token>,
    /// Endpoint keys a socket chose -> the handler serving that endpoint.
    tags: IdMap<u64, Token>,
    mailbox: Arc<Mailbox<Command>>,
    removed_while_busy: HashSet<usize>,
    stopping: bool,
    /// Input buffers for this thread's connections.
    buffers: BufferPool,
    /// This thread's tcp connections as (local, peer) addresses.
    tcp_ends: HashSet<(SocketAddr, SocketAddr)>,
}

impl Reactor {
    pub fn new(mailbox: Arc<Mailbox<Command>>) -> std::io::Result<Reactor> {
        let poll = Poll::new()?;
        let fd = mailbox.fd();
        poll.registry()
            .register(&mut SourceFd(&fd), MAILBOX, Interest::READABLE)?;
        Ok(Reactor {
            poll,
            slots: Vec::new(),
            free: Vec::new(),
            timers: BinaryHeap::new(),
            armed: HashMap::new(),
            timer_seq: 0,
            pipes: IdMap::default(),
            tags: IdMap::default(),
            mailbox,
            removed_while_busy: HashSet::new(),
            stopping: false,
            buffers: BufferPool::new(),
            tcp_ends: HashSet::new(),
        })
    }

    pub fn registry(&self) -> &Registry {
        self.poll.registry()
    }

    /// The thread's mailbox as a pipe end's owner: every end a handler
    /// holds gets it.
    pub fn inbox(&self) -> Inbox {
        Inbox::Thread(self.mailbox.clone())
    }

    /// Whether the context is terminating (new handlers should stop at once).
    pub fn is_stopping(&self) -> bool {
        self.stopping
    }

    /// Adds a handler; its token is what it registers descriptors under.
    pub fn add(&mut self, h: Box<dyn Handler>) -> Token {
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i].1 = Slot::Live(h);
                i
            }
            None => {
                self.slots.push((0, Slot::Live(h)));
                self.slots.len() - 1
            }
        };
        token_of(i, self.slots[i].0)
    }

    /// Reserves a token for a handler that must register its descriptors
    /// under it before it is stored; `fill` stores it.
    pub fn add_placeholder(&mut self) -> Token {
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i].1 = Slot::Busy;
                i
            }
            None => {
                self.slots.push((0, Slot::Busy));
                self.slots.len() - 1
            }
        };
        token_of(i, self.slots[i].0)
    }

    /// Stores the handler for a token from `add_placeholder`.
    pub fn fill(&mut self, t: Token, h: Box<dyn Handler>) {
        let Some(i) = self.index(t) else { return };
        if !matches!(self.slots[i].1, Slot::Busy) {
            return;
        }
        if self.removed_while_busy.remove(&i) {
            // It removed itself while being set up.
            drop(h);
            self.free_slot(i);
        } else {
            self.slots[i].1 = Slot::Live(h);
        }
    }

    /// The slot index behind a token that is still current.
    fn index(&self, t: Token) -> Option<usize> {
        let i = (t.0 & 0xffff_ffff).checked_sub(1)?;
        let gen = (t.0 >> 32) as u32;
        (self.slots.get(i)?.0 == gen).then_some(i)
    }

    fn free_slot(&mut self, i: usize) {
        self.slots[i].0 = self.slots[i].0.wrapping_add(1);
        self.slots[i].1 = Slot::Free;
        self.free.push(i);
    }

    /// Drops a handler, with its pipe registrations; its timers die with
    /// its token. Descriptors deregister when the handler drops them.
    pub fn remove(&mut self, t: Token) {
        let Some(i) = self.index(t) else { return };
        match self.slots[i].1 {
            Slot::Live(_) => self.free_slot(i),
            Slot::Busy => {
                self.removed_while_busy.insert(i);
            }
            Slot::Free => return,
        }
        self.pipes.retain(|_, owner| *owner != t);
        self.tags.retain(|_, owner| *owner != t);
    }

    /// How many handlers are live.
    pub fn handler_count(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| !matches!(s.1, Slot::Free))
            .count()
            - self.removed_while_busy.len()
    }

    /// Sets handler `t`'s timer of this kind to fire `after` from now,
    /// in place of any it had.
    pub fn add_timer(&mut self, t: Token, kind: TimerKind, after: Duration) {
        self.timer_seq += 1;
        self.armed.insert((t.0, kind), self.timer_seq);
        self.timers
            .push(Reverse((Instant::now() + after, self.timer_seq, t.0, kind)));
    }

    pub fn cancel_timer(&mut self, t: Token, kind: TimerKind) {
        self.armed.remove(&(t.0, kind));
    }

    /// Names handler `t` by a socket's endpoint key, for `terminate_tagged`.
    pub fn tag(&mut self, key: u64, t: Token) {
        self.tags.insert(key, t);
    }

    /// Tells the handler tagged `key` (if still there) that its endpoint is
    /// gone.
    pub fn terminate_tagged(&mut self, key: u64) {
        if let Some(t) = self.tags.remove(&key) {
            self.with_handler(t, |h, r| h.terminate(r, t));
        }
    }

    /// Tells handler `t` that its endpoint is gone.
    pub fn terminate_token(&mut self, t: Token) {
        self.with_handler(t, |h, r| h.terminate(r, t));
    }

    /// Whether `t` still names a handler.
    pub fn is_live(&self, t: Token) -> bool {
        self.index(t)
            .is_some_and(|i| !matches!(self.slots[i].1, Slot::Free))
            && !self
                .removed_while_busy
                .contains(&(t.0 & 0xffff_ffff).wrapping_sub(1))
    }

    /// Routes commands about pipe end `id` to handler `t`.
    pub fn own_pipe(&mut self, id: PipeId, t: Token) {
        self.pipes.insert(id, t);
    }

    pub fn disown_pipe(&mut self, id: PipeId) {
        self.pipes.remove(&id);
    }

    /// Runs `f` on the handler behind `t`, with the reactor at hand.
    fn with_handler(&mut self, t: Token, f: impl FnOnce(&mut dyn Handler, &mut Reactor)) {
        let Some(i) = self.index(t) else { return };
        if !matches!(self.slots[i].1, Slot::Live(_)) {
            return;
        }
        let Slot::Live(mut h) = std::mem::replace(&mut self.slots[i].1, Slot::Busy) else {
            return;
        };
        f(h.as_mut(), self);
        if self.removed_while_busy.remove(&i) {
            drop(h);
            self.free_slot(i);
        } else {
            self.slots[i].1 = Slot::Live(h);
        }
    }

    /// Runs until `stop` was processed and every handler has removed
    /// itself.
    pub fn run(&mut self) {
        let mut events = Events::with_capacity(256);
        let mut cmds = Vec::new();
        loop {
            // Timers first: one may remove the last handler, and then
            // there is nothing left to wait for (a stop must not sleep
            // until some other, now meaningless, deadline).
            let timeout = self.fire_timers();
            if self.stopping && self.handler_count() == 0 {
                return;
            }
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                // Nothing sensible is left to wait on; handlers still get
                // their timers and commands on the next turns.
                std::thread::sleep(Duration::from_millis(1));
            }
            for ev in events.iter() {
                if ev.token() == MAILBOX {
                    continue;
                }
                let closed = ev.is_read_closed() || ev.is_error();
                let ready = Ready {
                    readable: ev.is_readable() || closed,
                    writable: ev.is_writable() || ev.is_write_closed(),
                    closed,
                };
                self.with_handler(ev.token(), |h, re| h.ready(re, ev.token(), ready));
            }
            // Commands after descriptors: a command may drop a handler whose
            // events were already collected above.
            self.mailbox.drain_all(&mut cmds);
            for cmd in cmds.drain(..) {
                self.dispatch(cmd);
            }
        }
    }

    /// The input buffers this thread's connections read into.
    pub fn buffers(&mut self) -> &mut BufferPool {
        &mut self.buffers
    }

    /// Records a tcp connection served by this thread.
    pub fn add_tcp_end(&mut self, local: SocketAddr, peer: SocketAddr) {
        self.tcp_ends.insert((local, peer));
    }

    pub fn remove_tcp_end(&mut self, local: SocketAddr, peer: SocketAddr) {
        self.tcp_ends.remove(&(local, peer));
    }

    /// How many timers are queued, live or not yet dropped.
    #[cfg(test)]
    pub fn queued_timers(&self) -> usize {
        self.timers.len()
    }

    #[cfg(test)]
    pub fn tcp_ends(&self) -> Vec<(SocketAddr, SocketAddr)> {
        self.tcp_ends.iter().copied().collect()
    }

    /// Whether the other end of the tcp connection (local, peer) is a
    /// connection of this same thread (both sockets in one process, on
    /// one io thread).
    pub fn serves_peer_of(&self, local: SocketAddr, peer: SocketAddr) -> bool {
        self.tcp_ends.contains(&(peer, local))
    }

    /// Hands a command about a pipe end to the handler that owns the end,
    /// as if it had come through the mailbox.
    pub fn deliver(&mut self, cmd: PipeCommand) {
        if let Some(&t) = self.pipes.get(&cmd.pipe()) {
            self.with_handler(t, |h, r| h.pipe_command(r, t, cmd));
        }
    }

    fn dispatch(&mut self, cmd: Command) {
        match cmd {
            Command::Pipe(cmd) => self.deliver(cmd),
            Command::Run(task) => task(self),
            Command::Stop => {
                if !self.stopping {
                    self.stopping = true;
                    let live: Vec<Token> = (0..self.slots.len())
                        .filter(|&i| matches!(self.slots[i].1, Slot::Live(_)))
                        .map(|i| token_of(i, self.slots[i].0))
                        .collect();
                    for t in live {
                        self.with_handler(t, |h, r| h.stop(r, t));
                    }
                }
            }
        }
    }

    /// Fires due timers; returns how long poll may sleep. Timers that
    /// were moved, cancelled or whose handler is gone are dropped as they
    /// reach the front, so they never set the sleep.
    fn fire_timers(&mut self) -> Option<Duration> {
        loop {
            let Some(Reverse((at, seq, t, kind))) = self.timers.peek().copied() else {
                return None;
            };
            let live = self.armed.get(&(t, kind)) == Some(&seq);
            if !live || self.index(Token(t)).is_none() {
                self.timers.pop();
                if live {
                    self.armed.remove(&(t, kind));
                }
                continue;
            }
            let now = Instant::now();
            if at > now {
                return Some(at - now);
            }
            self.timers.pop();
            self.armed.remove(&(t, kind));
            self.with_handler(Token(t), |h, r| h.timer(r, Token(t), kind));
        }
    }
}

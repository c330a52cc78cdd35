//! What every socket type shares: options, the pipe table, command
//! processing, pipe attach/terminate, inproc endpoints, monitor events.

use super::options::Options;
use super::Behavior;
use crate::ctx::CtxShared;
use crate::error::Result;
use crate::msg::{self, Msg};
use crate::pipe::table::PipeTable;
use crate::pipe::{Inbox, Pipe, PipeCommand, SocketCommand, SocketMailbox};
use crate::routing::indexed::Slot;
use std::sync::Arc;

/// The socket-type-independent state of a socket.
pub struct Base {
    pub options: Options,
    pub pipes: PipeTable,
    pub mailbox: Arc<SocketMailbox>,
    pub ctx: Arc<CtxShared>,
    /// The id the context knows this socket by.
    pub id: u64,
    mb_active: bool,
    pub ctx_terminated: bool,
    pub rcvmore: bool,
    pub last_endpoint: String,
    /// Inproc names this socket bound.
    pub bound: Vec<String>,
    /// Its tcp and ipc endpoints.
    pub net: Vec<super::net::NetEndpoint>,
    /// ZMQ_LINGER as it is now, shared with the io threads: libzmq applies
    /// the value at close time, not the one at connect time.
    pub linger: Arc<std::sync::atomic::AtomicI32>,
    pub monitor: super::monitor::SharedMonitor,
    pub thread_safe: bool,
    /// The lock holder took a command or a message: threads blocked on a
    /// classic socket must look again (`wake_waiters_if_changed`).
    pub changed: bool,
    /// The lock holder consumed a mailbox signal that carried no command
    /// (a `Mailbox::kick` meant for a blocked thread).
    took_bare_signal: bool,
    /// A thread held the lock while another was blocked on the socket:
    /// an application shares this classic socket between threads.
    pub shared: bool,
}

impl Base {
    pub fn new(
        options: Options,
        mailbox: Arc<SocketMailbox>,
        ctx: Arc<CtxShared>,
        id: u64,
        thread_safe: bool,
    ) -> Base {
        let linger = Arc::new(std::sync::atomic::AtomicI32::new(options.linger));
        Base {
            options,
            pipes: PipeTable::default(),
            mailbox,
            ctx,
            id,
            mb_active: false,
            ctx_terminated: false,
            rcvmore: false,
            last_endpoint: String::new(),
            bound: Vec::new(),
            net: Vec::new(),
            linger,
            monitor: Default::default(),
            thread_safe,
            changed: false,
            took_bare_signal: false,
            shared: false,
        }
    }

    /// Takes the next pending command, if any.
    pub fn next_command(&mut self) -> Option<SocketCommand> {
        let c = self
            .mailbox
            .try_recv_noting(&mut self.mb_active, &mut self.took_bare_signal);
        self.changed |= c.is_some();
        c
    }

    /// Called before the socket lock is released. A classic socket's
    /// blocked threads sleep on one edge of its mailbox: if this holder
    /// consumed a command (possibly that edge) or took a message (leaving
    /// others behind, which no command will announce), they are woken to
    /// look again; so is a thread that could only be woken through the
    /// mailbox, if this holder consumed the signal meant for it. Only an
    /// application sharing a classic socket between threads has such
    /// waiters; then this is what keeps one of them from sleeping on a
    /// message (best effort: libzmq does not allow it at all). Otherwise
    /// it costs an atomic load.
    pub fn wake_waiters_if_changed(&mut self) {
        let changed = std::mem::take(&mut self.changed);
        let bare = std::mem::take(&mut self.took_bare_signal);
        if self.thread_safe || !self.mailbox.has_waiters() {
            return;
        }
        self.shared = true;
        if changed || (bare && self.mailbox.has_waiters_without_fd()) {
            self.mailbox.kick();
        }
    }

    /// Writes our routing id into a new pipe, for a peer that records ids.
    pub fn send_routing_id(pipe: &mut Pipe, routing_id: &[u8]) {
        let mut m = Msg::from_slice(routing_id);
        m.set_flags(msg::ROUTING_ID);
        if pipe.write(m).is_ok() {
            // An id frame has no MORE; publish it now.
            pipe.flush_all();
        }
    }

    /// Emits a monitor event, if monitoring is on and wants it.
    pub fn monitor_event(&mut self, event: u64, values: &[u64], local: &str, remote: &str) {
        if let Some(m) = self.monitor.lock().as_mut() {
            m.event(event, values, local, remote);
        }
    }
}

/// Base + behaviour, under the socket's lock.
pub struct Core {
    pub base: Base,
    pub behavior: Box<dyn Behavior>,
}

impl Core {
    /// Processes every pending command; ETERM once the context is stopping.
    pub fn process_commands(&mut self) -> Result<()> {
        while let Some(cmd) = self.base.next_command() {
            self.handle(cmd);
        }
        self.sweep();
        if self.base.ctx_terminated {
            return Err(crate::error::Error::ETERM);
        }
        Ok(())
    }

    // Out of line: `process_commands` runs on every send and recv, and
    // nearly always finds no command; inlined, this made its frame bigger.
    #[inline(never)]
    fn handle(&mut self, cmd: SocketCommand) {
        match cmd {
            SocketCommand::Pipe(cmd) => self.handle_pipe(cmd),
            SocketCommand::Bind(pipe) => self.attach_pipe(*pipe, false, false),
            SocketCommand::Hiccup(id) => {
                let b = &mut self.base;
                if let Some(s) = b.pipes.lookup(id) {
                    self.behavior.hiccuped(b, s);
                }
            }
            SocketCommand::Own => {}
            SocketCommand::PipeStats {
                outbound,
                inbound,
                ends,
            } => {
                self.base.monitor_event(
                    super::monitor::events::PIPES_STATS,
                    &[outbound, inbound],
                    &ends.0,
                    &ends.1,
                );
            }
            SocketCommand::Stop => {
                self.base.ctx_terminated = true;
                let stopped = self.base.monitor.lock().take();
                if let Some(mut m) = stopped {
                    m.stop();
                }
            }
        }
    }

    fn handle_pipe(&mut self, cmd: PipeCommand) {
        let b = &mut self.base;
        match cmd {
            PipeCommand::ActivateRead(id) => {
                if let Some(s) = b.pipes.lookup(id) {
                    if b.pipes.get(s).activate_read() {
                        self.behavior.read_activated(b, s);
                    }
                }
            }
            PipeCommand::ActivateWrite(id, n) => {
                if let Some(s) = b.pipes.lookup(id) {
                    if b.pipes.get(s).activate_write(n) {
                        self.behavior.write_activated(b, s);
                    }
                }
            }
            PipeCommand::PipeTerm(id) => {
                if let Some(s) = b.pipes.lookup(id) {
                    if b.pipes.get(s).process_pipe_term() {
                        if !b.pipes.dead.contains(&s) {
                            b.pipes.dead.push(s);
                        }
                    } else {
                        // Pending messages are still to be read.
                        self.behavior.read_activated(b, s);
                    }
                }
            }
            PipeCommand::Posted(id) => {
                if let Some(s) = b.pipes.lookup(id) {
                    let p = b.pipes.get(s);
                    // A writer already held to its own marks may have room now.
                    if p.take_posted() && p.reactivate_write() {
                        self.behavior.write_activated(b, s);
                    }
                }
            }
            PipeCommand::PipeStatsQuery {
                pipe,
                outbound,
                reply_to,
                ends,
            } => {
                if let Some(s) = b.pipes.lookup(pipe) {
                    let inbound = b.pipes.get(s).queued_out();
                    reply_to.send(SocketCommand::PipeStats {
                        outbound,
                        inbound,
                        ends,
                    });
                }
            }
        }
    }

    /// Adopts a pipe end: registers it and lets the socket type know.
    pub fn attach_pipe(&mut self, mut pipe: Pipe, subscribe_to_all: bool, locally_initiated: bool) {
        let pending = pipe.set_owner(Inbox::Socket(self.base.mailbox.clone()));
        pipe.locally_initiated = locally_initiated;
        let s = self.base.pipes.insert(pipe);
        self.behavior
            .attach_pipe(&mut self.base, s, subscribe_to_all, locally_initiated);
        for cmd in pending {
            self.handle_pipe(cmd);
        }
        self.sweep();
    }

    /// zmq_socket_monitor_pipes_stats: asks the far end of every pipe for
    /// its queue; each answer becomes a ZMQ_EVENT_PIPES_STATS event.
    pub fn query_pipes_stats(&mut self) -> Result<()> {
        let wanted = self
            .base
            .monitor
            .lock()
            .as_ref()
            .is_some_and(|m| m.wants(super::monitor::events::PIPES_STATS));
        if !wanted {
            return Err(crate::error::Error::EINVAL);
        }
        if self.base.pipes.is_empty() {
            return Err(crate::error::Error::EAGAIN);
        }
        for s in self.base.pipes.slots() {
            // Inproc pipes have no endpoint pair (network ones will).
            let ends = Box::new((String::new(), String::new()));
            self.base
                .pipes
                .get(s)
                .query_stats(self.base.mailbox.clone(), ends);
        }
        Ok(())
    }

    /// Tells the socket type about pipes found dead and forgets them.
    pub fn sweep(&mut self) {
        while let Some(s) = self.base.pipes.dead.pop() {
            if self.base.pipes.try_get(s).is_some() {
                self.behavior.pipe_terminated(&mut self.base, s);
                self.base.pipes.remove(s);
            }
        }
    }

    /// Terminates one pipe from our side.
    pub fn terminate_pipe(&mut self, s: Slot) {
        self.base.pipes.terminate(s);
        self.sweep();
    }

    /// Whether the socket can receive / send now (ZMQ_EVENTS).
    pub fn events(&mut self) -> i16 {
        let mut ev = 0;
        if self.behavior.has_in(&mut self.base) {
            ev |= super::POLLIN;
        }
        if self.behavior.has_out(&mut self.base) {
            ev |= super::POLLOUT;
        }
        self.sweep();
        ev
    }
}

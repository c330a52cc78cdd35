//! Sockets: the handle C holds, its public operations, and the per-type
//! behaviours.
//!
//! A handle points at a [`Socket`] shell that is never freed: a closed
//! shell is recycled for a later socket, so a stale or double-closed handle
//! is caught (ENOTSOCK) or acts on a live socket, never on freed memory.

pub(crate) mod base;
pub mod inproc;
pub(crate) mod monitor;
pub(crate) mod net;
pub(crate) mod options;
pub(crate) mod types;

use crate::consts;
use crate::ctx::CtxShared;
use crate::error::{Error, Result};
pub use crate::io::datagram::DatagramCounts;
use crate::msg::Msg;
use crate::pipe::SocketMailbox;
use crate::routing::indexed::Slot;
use crate::transport::Scheme;
use crate::types::SocketType;
use crate::util::handle::{Registry, Shell};
use base::{Base, Core};
use options::{OptIn, OptOut};
use std::os::fd::RawFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const DONTWAIT: i32 = consts::ZMQ_DONTWAIT;
pub const SNDMORE: i32 = consts::ZMQ_SNDMORE;
/// The events a socket reports (ZMQ_EVENTS, zmq_poll), in zmq_pollitem_t's type.
pub const POLLIN: i16 = consts::ZMQ_POLLIN as i16;
pub const POLLOUT: i16 = consts::ZMQ_POLLOUT as i16;

/// What a socket type adds to the shared base.
pub trait Behavior: Send {
    /// A new pipe joined the socket.
    fn attach_pipe(
        &mut self,
        b: &mut Base,
        s: Slot,
        subscribe_to_all: bool,
        locally_initiated: bool,
    );
    /// A pipe is gone (peer closed, or we terminated it); forget it.
    fn pipe_terminated(&mut self, b: &mut Base, s: Slot);
    /// Sends one frame (MORE set in the message's flags); on success the
    /// message is left empty.
    fn send(&mut self, _b: &mut Base, _msg: &mut Msg) -> Result<()> {
        Err(Error::ENOTSUP)
    }
    /// Receives one frame.
    fn recv(&mut self, _b: &mut Base) -> Result<Msg> {
        Err(Error::ENOTSUP)
    }
    fn has_in(&mut self, _b: &mut Base) -> bool {
        false
    }
    fn has_out(&mut self, _b: &mut Base) -> bool {
        false
    }
    fn read_activated(&mut self, _b: &mut Base, _s: Slot) {}
    /// The connection behind a kept pipe was re-established.
    fn hiccuped(&mut self, _b: &mut Base, _s: Slot) {}
    fn write_activated(&mut self, _b: &mut Base, _s: Slot) {}
    /// A type-specific option; EINVAL means "not mine".
    fn setsockopt(&mut self, _b: &mut Base, _opt: i32, _v: &OptIn<'_>) -> Result<()> {
        Err(Error::EINVAL)
    }
    fn getsockopt(&mut self, _b: &mut Base, _opt: i32, _out: &mut OptOut<'_>) -> Result<()> {
        Err(Error::EINVAL)
    }
    /// The socket-type-specific part of ZMQ_EVENTS that needs the pipe
    /// the caller asks about (draft zmq_socket_get_peer_state).
    fn peer_state(&mut self, _b: &mut Base, _routing_id: &[u8]) -> Result<i32> {
        Err(Error::ENOTSUP)
    }
    /// The routing id of the pipe attached last (PEER's zmq_connect_peer).
    fn last_peer_id(&self) -> u32 {
        0
    }
    /// zmq_join: only DISH has groups.
    fn join(&mut self, _b: &mut Base, _group: &[u8]) -> Result<()> {
        Err(Error::ENOTSUP)
    }
    /// zmq_leave.
    fn leave(&mut self, _b: &mut Base, _group: &[u8]) -> Result<()> {
        Err(Error::ENOTSUP)
    }
}

/// zmq_connect's dispatch by transport.
fn connect_any(core: &mut Core, addr: &str) -> Result<()> {
    let (proto, rest) = inproc::parse_endpoint(addr)?;
    match net::transport_of(proto) {
        Some(Scheme::Stream(t)) => net::connect(core, addr, t, rest),
        Some(Scheme::Datagram(t)) => net::connect_datagram(core, addr, t, rest),
        None => inproc::connect(core, addr),
    }
}

/// Socket handles (libzmq's live tag for a socket).
static SOCKETS: Registry<Box<Core>> = Registry::new(0xbadd_ecaf);

/// The object a socket handle points at: the socket's core in a shell
/// that outlives it (`util::handle`).
pub type Socket = Shell<Box<Core>>;

/// The socket lock, held. Every call on a socket runs under it, so a
/// classic socket used by several threads at once loses and corrupts
/// nothing: best effort, not a contract (libzmq forbids it). Releasing it
/// wakes the threads blocked on the socket if this holder changed what
/// they wait for (`Base::wake_waiters_if_changed`).
struct Held<'a>(Option<parking_lot::MutexGuard<'a, Option<Box<Core>>>>);

impl Held<'_> {
    /// Unlocks without the wakeup: for a holder that has just counted
    /// itself among the waiters, and must not take itself for another
    /// thread (nor wake anyone for what it already passed on).
    fn unlock_as_waiter(mut self) {
        self.0.take();
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(core) = self.0.as_mut().and_then(|g| g.as_mut()) {
            core.base.wake_waiters_if_changed();
        }
    }
}

impl std::ops::Deref for Held<'_> {
    type Target = Option<Box<Core>>;
    fn deref(&self) -> &Self::Target {
        // Only `unlock_as_waiter` takes the guard, and it consumes `self`.
        self.0.as_ref().expect("held")
    }
}

impl std::ops::DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.as_mut().expect("held")
    }
}

impl Socket {
    /// Creates a socket of type `ty` in `ctx`; returns its shell.
    pub fn create(ctx: &Arc<CtxShared>, ty: SocketType) -> Result<&'static Socket> {
        let behavior = types::create(ty)?;
        let mailbox = Arc::new(SocketMailbox::new()?);
        let id = ctx.register_socket(mailbox.clone())?;
        let mut opts = options::Options::new(ty);
        {
            let co = ctx.options.lock();
            if !co.blocky {
                opts.linger = 0;
            }
            opts.ipv6 = co.ipv6;
        }
        types::adjust_options(ty, &mut opts);
        let ts = ty.thread_safe();
        let base = Base::new(opts, mailbox, ctx.clone(), id, ts);
        let core = Box::new(Core { base, behavior });
        let shell = SOCKETS.open_with_info(core, u32::from(ts));
        Ok(shell)
    }

    /// Resolves a C handle.
    ///
    /// # Safety
    /// `p` is NULL or a pointer the caller got from zmq_socket (possibly
    /// closed since). Any other pointer is the caller's undefined behaviour,
    /// as with libzmq; we only read its tag.
    pub unsafe fn from_handle(p: *mut std::ffi::c_void) -> Result<&'static Socket> {
        // SAFETY: forwarded contract (see Registry::resolve).
        unsafe { SOCKETS.resolve(p) }.ok_or(Error::ENOTSOCK)
    }

    pub fn as_handle(&'static self) -> *mut std::ffi::c_void {
        self.handle()
    }

    pub fn is_thread_safe(&self) -> bool {
        self.info() != 0
    }

    fn hold(&self) -> Held<'_> {
        Held(Some(self.lock()))
    }

    /// Runs `f` on the live core, under the socket lock.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&mut Core) -> Result<R>) -> Result<R> {
        let mut g = self.hold();
        let core = g.as_mut().ok_or(Error::ENOTSOCK)?;
        f(core)
    }

    /// Runs `attempt` until it does not return EAGAIN, waiting for commands
    /// in between, up to `timeout_ms` (-1: forever; 0: once).
    fn blocking<R>(
        &self,
        timeout_ms: Option<i32>,
        mut attempt: impl FnMut(&mut Core) -> Result<R>,
    ) -> Result<R> {
        let mut deadline: Option<Option<Instant>> = None;
        loop {
            let mut g = self.hold();
            let core = g.as_mut().ok_or(Error::ENOTSOCK)?;
            let generation = if core.base.thread_safe {
                core.base.mailbox.generation()
            } else {
                0
            };
            core.process_commands()?;
            let r = attempt(core);
            core.sweep();
            match r {
                Err(e) if e == Error::EAGAIN => {}
                other => {
                    core.base.changed |= other.is_ok();
                    if core.base.thread_safe {
                        // Others may be waiting for what is left.
                        core.base.mailbox.bump();
                    }
                    return other;
                }
            }
            let t = timeout_ms.unwrap_or(core.base.options.sndtimeo);
            if t == 0 {
                return Err(Error::EAGAIN);
            }
            let d = *deadline.get_or_insert_with(|| {
                (t > 0).then(|| Instant::now() + Duration::from_millis(t as u64))
            });
            let mb = core.base.mailbox.clone();
            let ts = core.base.thread_safe;
            // Others are woken for what this holder changed, before it
            // counts itself among the waiters (under the lock, so that the
            // next holder sees it).
            core.base.wake_waiters_if_changed();
            let ticket = mb.enter_wait(core.base.shared);
            g.unlock_as_waiter();
            let woke = if ts {
                mb.wait_generation(generation, d)
            } else {
                mb.wait(&ticket, d)?
            };
            drop(ticket);
            if !woke && d.is_some_and(|d| Instant::now() >= d) {
                // One last look before giving up.
                let mut g = self.hold();
                let core = g.as_mut().ok_or(Error::ENOTSOCK)?;
                core.process_commands()?;
                let r = attempt(core);
                core.sweep();
                core.base.changed |= r.is_ok();
                return r;
            }
        }
    }

    /// zmq_msg_send: on success `msg` is left empty.
    pub fn send(&self, msg: &mut Msg, flags: i32) -> Result<()> {
        if !msg.is_valid() {
            return Err(Error::EFAULT);
        }
        msg.set_more(flags & SNDMORE != 0);
        let mut g = self.hold();
        let core = g.as_mut().ok_or(Error::ENOTSOCK)?;
        core.process_commands()?;
        let r = core.behavior.send(&mut core.base, msg);
        core.sweep();
        match r {
            Err(e) if e == Error::EAGAIN => {}
            other => {
                core.base.changed |= other.is_ok();
                return other;
            }
        }
        let timeo = core.base.options.sndtimeo;
        if flags & DONTWAIT != 0 || timeo == 0 {
            return Err(Error::EAGAIN);
        }
        drop(g);
        self.blocking(Some(timeo), |core| core.behavior.send(&mut core.base, msg))
    }

    /// zmq_msg_recv: replaces `msg` with the next frame.
    pub fn recv(&self, msg: &mut Msg, flags: i32) -> Result<()> {
        if !msg.is_valid() {
            return Err(Error::EFAULT);
        }
        let mut g = self.hold();
        let core = g.as_mut().ok_or(Error::ENOTSOCK)?;
        core.process_commands()?;
        let r = core.behavior.recv(&mut core.base);
        core.sweep();
        core.base.changed |= r.is_ok();
        let r = match r {
            Err(e) if e == Error::EAGAIN => {
                let timeo = core.base.options.rcvtimeo;
                if flags & DONTWAIT != 0 || timeo == 0 {
                    Err(Error::EAGAIN)
                } else {
                    drop(g);
                    return self.recv_blocking(msg, timeo);
                }
            }
            other => other,
        };
        let m = r?;
        core.base.rcvmore = m.more();
        *msg = m;
        Ok(())
    }

    fn recv_blocking(&self, msg: &mut Msg, timeo: i32) -> Result<()> {
        let m = self.blocking(Some(timeo), |core| {
            let m = core.behavior.recv(&mut core.base)?;
            core.base.rcvmore = m.more();
            Ok(m)
        })?;
        *msg = m;
        Ok(())
    }

    pub fn setsockopt(&self, opt: i32, val: &[u8]) -> Result<()> {
        self.with(|core| {
            core.process_commands()?;
            let v = OptIn(val);
            match core.behavior.setsockopt(&mut core.base, opt, &v) {
                Err(e) if e == Error::EINVAL => {}
                other => return other,
            }
            core.base.options.set(opt, v)?;
            if opt == consts::ZMQ_LINGER {
                // Connections on io threads linger by the value at close.
                core.base
                    .linger
                    .store(core.base.options.linger, Ordering::Relaxed);
            }
            if matches!(opt, consts::ZMQ_SNDHWM | consts::ZMQ_RCVHWM) {
                let (r, w) = (
                    core.base.options.rcvhwm as u64,
                    core.base.options.sndhwm as u64,
                );
                for s in core.base.pipes.slots() {
                    core.base.pipes.get(s).set_hwms(r, w);
                }
            }
            Ok(())
        })
    }

    pub fn getsockopt(&self, opt: i32, buf: &mut [u8], len: &mut usize) -> Result<()> {
        self.with(|core| {
            if core.base.ctx_terminated {
                return Err(Error::ETERM);
            }
            let mut out = OptOut { buf, len };
            match opt {
                consts::ZMQ_RCVMORE => {
                    return out.value_at_least(&i32::from(core.base.rcvmore).to_ne_bytes())
                }
                consts::ZMQ_FD => {
                    if core.base.thread_safe {
                        return Err(Error::EINVAL);
                    }
                    return out.value_at_least(&core.base.mailbox.fd().to_ne_bytes());
                }
                consts::ZMQ_EVENTS => {
                    match core.process_commands() {
                        Err(e) if e == Error::ETERM => return Err(e),
                        _ => {}
                    }
                    let ev = i32::from(core.events());
                    return out.value_at_least(&ev.to_ne_bytes());
                }
                consts::ZMQ_LAST_ENDPOINT => return out.string(core.base.last_endpoint.as_bytes()),
                consts::ZMQ_THREAD_SAFE => {
                    return out.value_at_least(&i32::from(core.base.thread_safe).to_ne_bytes())
                }
                _ => {}
            }
            match core.behavior.getsockopt(&mut core.base, opt, &mut out) {
                Err(e) if e == Error::EINVAL => {}
                other => return other,
            }
            core.base.options.get(opt, &mut out)
        })
    }

    /// POLLIN/POLLOUT as currently true (processes pending commands).
    pub fn events(&self) -> Result<i16> {
        self.with(|core| {
            core.process_commands()?;
            Ok(core.events())
        })
    }

    pub fn fd(&self) -> Result<RawFd> {
        self.with(|core| Ok(core.base.mailbox.fd()))
    }

    pub fn mailbox(&self) -> Result<Arc<SocketMailbox>> {
        self.with(|core| Ok(core.base.mailbox.clone()))
    }

    pub fn bind(&self, addr: &str) -> Result<()> {
        self.with(|core| {
            core.process_commands()?;
            let (proto, rest) = inproc::parse_endpoint(addr)?;
            match net::transport_of(proto) {
                Some(Scheme::Stream(t)) => net::bind(core, addr, t, rest),
                Some(Scheme::Datagram(t)) => net::bind_datagram(core, addr, t, rest),
                None => inproc::bind(core, addr),
            }
        })
    }

    pub fn connect(&self, addr: &str) -> Result<()> {
        self.with(|core| {
            core.process_commands()?;
            connect_any(core, addr)
        })
    }

    pub fn unbind(&self, addr: &str) -> Result<()> {
        self.with(|core| {
            core.process_commands()?;
            let (proto, _) = inproc::parse_endpoint(addr)?;
            match net::transport_of(proto) {
                Some(scheme) => net::term(core, addr, scheme),
                None => inproc::unbind(core, addr),
            }
        })
    }

    pub fn disconnect(&self, addr: &str) -> Result<()> {
        self.with(|core| {
            core.process_commands()?;
            let (proto, _) = inproc::parse_endpoint(addr)?;
            match net::transport_of(proto) {
                Some(scheme) => net::term(core, addr, scheme),
                None => inproc::disconnect(core, addr),
            }
        })
    }

    /// Starts (or with `None` stops) delivering monitor events to `addr`.
    pub fn monitor(
        &self,
        addr: Option<&str>,
        events: u64,
        version: i32,
        kind: Option<SocketType>,
    ) -> Result<()> {
        let (ctx, old) = self.with(|core| {
            if core.base.ctx_terminated {
                return Err(Error::ETERM);
            }
            Ok((core.base.ctx.clone(), core.base.monitor.lock().take()))
        })?;
        if let Some(mut m) = old {
            m.stop();
        }
        let Some(addr) = addr else { return Ok(()) };
        let m = monitor::Monitor::start(&ctx, addr, events, version, kind)?;
        self.with(|core| {
            *core.base.monitor.lock() = Some(m);
            Ok(())
        })
    }

    /// zmq_close: terminates every pipe and retires the shell.
    pub fn close(&'static self) -> Result<()> {
        let mut core = SOCKETS.close(self).ok_or(Error::ENOTSOCK)?;
        if core.base.mailbox.has_waiters() {
            // Threads blocked on it (sharing a classic socket) find it
            // gone: ENOTSOCK rather than sleeping on.
            core.base.mailbox.kick();
        }
        // Let the peers see our last flushed messages, then the end.
        while core.base.next_command().is_some() {}
        for s in core.base.pipes.slots() {
            core.base.pipes.terminate(s);
        }
        for name in std::mem::take(&mut core.base.bound) {
            core.base.ctx.unregister_endpoint(&name, core.base.id);
        }
        let io = net::close_all(&mut core.base);
        let sink = core.base.monitor.clone();
        let stop_monitor = move || {
            let stopped = sink.lock().take();
            if let Some(mut m) = stopped {
                m.stop();
            }
        };
        // After the io thread has reported the endpoints closed.
        match io {
            Some(thread) => thread.run(move |_| stop_monitor()),
            None => stop_monitor(),
        }
        let ctx = core.base.ctx.clone();
        let id = core.base.id;
        drop(core);
        ctx.unregister_socket(id);
        Ok(())
    }

    /// Draft zmq_socket_get_peer_state.
    pub fn peer_state(&self, routing_id: &[u8]) -> Result<i32> {
        self.with(|core| {
            core.process_commands()?;
            core.behavior.peer_state(&mut core.base, routing_id)
        })
    }

    /// Draft zmq_join / zmq_leave.
    pub fn membership(&self, group: &[u8], join: bool) -> Result<()> {
        self.with(|core| {
            core.process_commands()?;
            let r = if join {
                core.behavior.join(&mut core.base, group)
            } else {
                core.behavior.leave(&mut core.base, group)
            };
            core.sweep();
            r
        })
    }

    /// What this socket's datagram (udp) endpoints sent, received and
    /// dropped, summed over those it has now. Not a libzmq call: for tests
    /// and diagnostics.
    pub fn datagram_counts(&self) -> Result<DatagramCounts> {
        self.with(|core| Ok(net::datagram_counts(&core.base)))
    }

    /// Draft zmq_socket_monitor_pipes_stats.
    pub fn query_pipes_stats(&self) -> Result<()> {
        self.with(|core| {
            core.process_commands()?;
            core.query_pipes_stats()
        })
    }

    /// Draft zmq_connect_peer: connects a PEER socket and returns the
    /// routing id of the new peer.
    pub fn connect_peer(&self, addr: &str) -> Result<u32> {
        self.with(|core| {
            if core.base.options.socket_type != SocketType::Peer {
                return Err(Error::ENOTSUP);
            }
            // The id must be known now, so the pipe cannot wait for a
            // connection to complete.
            if core.base.options.immediate {
                return Err(Error::EFAULT);
            }
            core.process_commands()?;
            connect_any(core, addr)?;
            Ok(core.behavior.last_peer_id())
        })
    }
}

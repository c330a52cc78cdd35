//! Contexts: socket registry, inproc endpoint registry, options, termination.

use crate::consts::{
    ZMQ_IO_THREADS_DFLT, ZMQ_MAX_SOCKETS_DFLT, ZMQ_THREAD_PRIORITY_DFLT,
    ZMQ_THREAD_SCHED_POLICY_DFLT,
};
use crate::error::{Error, Result};
use crate::io::threads::{IoThread, IoThreads};
use crate::pipe::{Pipe, SocketCommand, SocketMailbox};
use crate::types::SocketType;
use parking_lot::{Condvar, Mutex};
use std::collections::HashMap;
use std::sync::Arc;

/// The most sockets a context may hold (ZMQ_SOCKET_LIMIT).
pub const SOCKET_LIMIT_VALUE: i32 = 65535;

#[derive(Clone, Debug)]
pub struct CtxOptions {
    pub io_threads: i32,
    pub max_sockets: i32,
    pub ipv6: bool,
    pub blocky: bool,
    pub max_msgsz: i32,
    pub thread_priority: i32,
    pub thread_sched_policy: i32,
    pub thread_affinity: Vec<i32>,
    pub thread_name_prefix: String,
    pub zero_copy_recv: bool,
}

impl Default for CtxOptions {
    fn default() -> Self {
        CtxOptions {
            io_threads: ZMQ_IO_THREADS_DFLT,
            max_sockets: ZMQ_MAX_SOCKETS_DFLT,
            ipv6: false,
            blocky: true,
            max_msgsz: i32::MAX,
            thread_priority: ZMQ_THREAD_PRIORITY_DFLT,
            thread_sched_policy: ZMQ_THREAD_SCHED_POLICY_DFLT,
            thread_affinity: Vec::new(),
            thread_name_prefix: String::new(),
            zero_copy_recv: true,
        }
    }
}

/// What a bound inproc endpoint tells connectors about its socket.
#[derive(Clone)]
pub struct InprocBinding {
    pub socket_id: u64,
    pub mailbox: Arc<SocketMailbox>,
    pub sndhwm: i32,
    pub rcvhwm: i32,
    pub routing_id: Vec<u8>,
    pub recv_routing_id: bool,
    pub socket_type: SocketType,
    /// ZMQ_HELLO_MSG, if this socket's type sends it.
    pub hello_msg: Option<Vec<u8>>,
    /// ZMQ_DISCONNECT_MSG, if this socket's type receives it.
    pub disconnect_msg: Option<Vec<u8>>,
    /// ZMQ_CONFLATE in effect: its pipes carry no marks.
    pub conflate: bool,
}

/// A connect that came before its bind: the binder's end waits here.
pub struct PendingConnect {
    pub bind_end: Pipe,
    pub connector: InprocBinding,
    /// The connector's end id (for the HWM boost command).
    pub connect_end_id: crate::pipe::PipeId,
}

#[derive(Default)]
struct State {
    sockets: HashMap<u64, Arc<SocketMailbox>>,
    next_id: u64,
    terminating: bool,
    endpoints: HashMap<String, InprocBinding>,
    pending: HashMap<String, Vec<PendingConnect>>,
}

/// A context's shared state; sockets hold an `Arc` to it.
pub struct CtxShared {
    pub options: Mutex<CtxOptions>,
    state: Mutex<State>,
    all_closed: Condvar,
    /// Started by the first tcp/ipc endpoint, stopped by terminate.
    io: Mutex<Option<Arc<IoThreads>>>,
    /// The process that made the context (a forked child is another).
    pid: u32,
}

impl CtxShared {
    pub fn new() -> Arc<CtxShared> {
        Arc::new(CtxShared {
            options: Mutex::new(CtxOptions::default()),
            state: Mutex::new(State::default()),
            all_closed: Condvar::new(),
            io: Mutex::new(None),
            pid: std::process::id(),
        })
    }

    /// Whether this is a child process forked after the context was made.
    pub fn forked(&self) -> bool {
        std::process::id() != self.pid
    }

    /// An io thread for a new tcp/ipc endpoint, starting ZMQ_IO_THREADS of
    /// them on first use; EMTHREAD with ZMQ_IO_THREADS 0, ETERM once
    /// terminating.
    pub fn io_thread(&self) -> Result<Arc<IoThread>> {
        if self.is_terminating() {
            return Err(Error::ETERM);
        }
        let mut io = self.io.lock();
        if io.is_none() {
            let (n, prefix) = {
                let o = self.options.lock();
                (o.io_threads.max(0) as usize, o.thread_name_prefix.clone())
            };
            *io = Some(Arc::new(IoThreads::start(n, &prefix)?));
        }
        io.as_ref().map_or(Err(Error::EMTHREAD), |t| t.choose())
    }

    /// Adds a socket; EMFILE past MAX_SOCKETS, ETERM once terminating.
    pub fn register_socket(&self, mb: Arc<SocketMailbox>) -> Result<u64> {
        let max = self.options.lock().max_sockets;
        let mut st = self.state.lock();
        if st.terminating {
            return Err(Error::ETERM);
        }
        if st.sockets.len() >= max as usize {
            return Err(Error::EMFILE);
        }
        st.next_id += 1;
        let id = st.next_id;
        st.sockets.insert(id, mb);
        Ok(id)
    }

    pub fn unregister_socket(&self, id: u64) {
        let mut st = self.state.lock();
        st.sockets.remove(&id);
        st.endpoints.retain(|_, b| b.socket_id != id);
        if st.sockets.is_empty() {
            self.all_closed.notify_all();
        }
    }

    pub fn is_terminating(&self) -> bool {
        self.state.lock().terminating
    }

    /// Stops every socket: blocking calls return ETERM from now on.
    pub fn shutdown(&self) {
        let mut st = self.state.lock();
        if !st.terminating {
            st.terminating = true;
            for mb in st.sockets.values() {
                mb.send(SocketCommand::Stop);
            }
        }
    }

    /// Shuts down, then waits until every socket is closed.
    pub fn terminate(&self) {
        self.shutdown();
        let mut st = self.state.lock();
        while !st.sockets.is_empty() {
            self.all_closed.wait(&mut st);
        }
        st.pending.clear();
        st.endpoints.clear();
        drop(st);
        // Sockets are gone; their connections may still be lingering.
        let io = self.io.lock().take();
        if let Some(io) = io {
            io.stop_and_join();
        }
    }

    /// Registers an inproc name; EADDRINUSE if taken. Returns the connects
    /// that were waiting for it.
    pub fn register_endpoint(&self, name: &str, b: InprocBinding) -> Result<Vec<PendingConnect>> {
        let mut st = self.state.lock();
        if st.endpoints.contains_key(name) {
            return Err(Error::EADDRINUSE);
        }
        st.endpoints.insert(name.to_owned(), b);
        Ok(st.pending.remove(name).unwrap_or_default())
    }

    /// Removes an inproc name if `socket_id` owns it.
    pub fn unregister_endpoint(&self, name: &str, socket_id: u64) -> bool {
        let mut st = self.state.lock();
        match st.endpoints.get(name) {
            Some(b) if b.socket_id == socket_id => {
                st.endpoints.remove(name);
                true
            }
            _ => false,
        }
    }

    pub fn find_endpoint(&self, name: &str) -> Option<InprocBinding> {
        self.state.lock().endpoints.get(name).cloned()
    }

    /// Parks the binder's end of a connect whose endpoint is not bound yet,
    /// unless it got bound meanwhile (then it is handed back).
    pub fn pend_connection(
        &self,
        name: &str,
        p: PendingConnect,
    ) -> std::result::Result<(), (PendingConnect, InprocBinding)> {
        let mut st = self.state.lock();
        if let Some(b) = st.endpoints.get(name) {
            return Err((p, b.clone()));
        }
        st.pending.entry(name.to_owned()).or_default().push(p);
        Ok(())
    }
}

impl crate::io::zap::ZapDirectory for CtxShared {
    fn zap_handler(&self) -> Option<crate::io::zap::ZapHandler> {
        let b = self.find_endpoint(crate::io::zap::ENDPOINT)?;
        Some(crate::io::zap::ZapHandler {
            mailbox: b.mailbox,
            recv_routing_id: b.recv_routing_id,
        })
    }
}

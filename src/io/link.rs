//! What an io-thread handler knows of the socket it serves: where to hand
//! pipes, its options as they were when the endpoint was made (libzmq
//! copies them too), and its monitor.

use crate::mailbox::Mailbox;
use crate::socket::monitor::MonitorSink;
use crate::socket::options::Options;
use std::sync::Arc;

pub use crate::socket::monitor::events::*;

#[derive(Clone)]
pub struct Link {
    pub ctx: Arc<crate::ctx::CtxShared>,
    pub socket: Arc<Mailbox>,
    pub options: Arc<Options>,
    pub monitor: MonitorSink,
    /// The socket's current ZMQ_LINGER.
    pub linger: Arc<std::sync::atomic::AtomicI32>,
}

/// Which end of a connection made it: v1 monitor events name the local
/// endpoint on the bind side and the remote one on the connect side.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Bind,
    Connect,
}

impl Link {
    pub fn linger(&self) -> i32 {
        self.linger.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Raises a monitor event for the endpoint pair (`local`, `remote`).
    pub fn event(&self, event: u64, value: u64, side: Side, local: &str, remote: &str) {
        if let Some(m) = self.monitor.lock().as_mut() {
            let v1 = if side == Side::Bind { local } else { remote };
            m.event_v(event, &[value], v1, local, remote);
        }
    }
}

//! What an io-thread handler holds of the socket it serves: where to hand
//! pipes, the endpoint's configuration, the socket's monitor and current
//! linger, and where to find the context's ZAP handler.

use super::config::EndpointConfig;
use super::monitor::MonitorSink;
use super::zap::ZapDirectory;
use crate::pipe::SocketMailbox;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

pub(crate) use super::monitor::events::*;

#[derive(Clone)]
pub(crate) struct Link {
    pub socket: Arc<SocketMailbox>,
    pub config: Arc<EndpointConfig>,
    pub monitor: Arc<dyn MonitorSink>,
    /// The socket's current ZMQ_LINGER (the one option read live: it
    /// applies to what the socket leaves behind when it closes).
    pub linger: Arc<AtomicI32>,
    pub zap: Arc<dyn ZapDirectory>,
}

/// Which end of a connection made it: v1 monitor events name the local
/// endpoint on the bind side and the remote one on the connect side.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Side {
    Bind,
    Connect,
}

impl Link {
    pub(crate) fn linger(&self) -> i32 {
        self.linger.load(Ordering::Relaxed)
    }

    /// Raises a monitor event for the endpoint pair (`local`, `remote`).
    pub(crate) fn event(&self, event: u64, value: u64, side: Side, local: &str, remote: &str) {
        let v1 = if side == Side::Bind { local } else { remote };
        self.monitor.event(event, value, v1, local, remote);
    }
}

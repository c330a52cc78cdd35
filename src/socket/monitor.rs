//! zmq_socket_monitor: events sent as messages on an internal socket bound
//! to an inproc endpoint the user connects to.

use super::Socket;
use crate::consts;
use crate::ctx::CtxShared;
use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::types::SocketType;
use std::sync::Arc;

/// Monitor event numbers (zmq.h), defined where most are raised.
pub(crate) use crate::io::monitor::events;

/// A socket's monitor, shared with the io threads that report its
/// connections' events (they must not wait for the socket's own thread).
pub(crate) type SharedMonitor = Arc<parking_lot::Mutex<Option<Monitor>>>;

impl crate::io::monitor::MonitorSink for parking_lot::Mutex<Option<Monitor>> {
    fn event(&self, event: u64, value: u64, v1_endpoint: &str, local: &str, remote: &str) {
        if let Some(m) = self.lock().as_mut() {
            m.event_v(event, &[value], v1_endpoint, local, remote);
        }
    }
}

pub struct Monitor {
    /// None once stopped: the shell may already serve another socket.
    sock: Option<&'static Socket>,
    events: u64,
    version: i32,
}

impl Monitor {
    /// Binds the internal socket (type `kind`: PAIR, PUB or PUSH; None is
    /// a C value that names no type) to `addr`.
    pub fn start(
        ctx: &Arc<CtxShared>,
        addr: &str,
        events: u64,
        version: i32,
        kind: Option<SocketType>,
    ) -> Result<Monitor> {
        let (proto, _) = super::inproc::parse_endpoint(addr)?;
        if proto != "inproc" {
            return Err(Error::EPROTONOSUPPORT);
        }
        match version {
            consts::ZMQ_CURRENT_EVENT_VERSION if events > consts::ZMQ_EVENT_ALL_V1 as u64 => {
                return Err(Error::EINVAL)
            }
            consts::ZMQ_CURRENT_EVENT_VERSION | consts::ZMQ_CURRENT_EVENT_VERSION_DRAFT => {}
            _ => return Err(Error::EINVAL),
        }
        let Some(kind @ (SocketType::Pair | SocketType::Pub | SocketType::Push)) = kind else {
            return Err(Error::EINVAL);
        };
        let sock = Socket::create(ctx, kind)?;
        let setup = sock
            .setsockopt(consts::ZMQ_LINGER, &0i32.to_ne_bytes())
            .and_then(|_| sock.bind(addr));
        if let Err(e) = setup {
            let _ = sock.close();
            return Err(e);
        }
        Ok(Monitor {
            sock: Some(sock),
            events,
            version,
        })
    }

    pub fn wants(&self, event: u64) -> bool {
        self.events & event != 0
    }

    /// Sends one event if it is selected; dropped if the reader is slow.
    pub fn event(&mut self, event: u64, values: &[u64], local: &str, remote: &str) {
        self.event_v(event, values, local, local, remote);
    }

    /// As `event`, naming `v1_endpoint` in version-1 frames (libzmq names
    /// the bound endpoint on the bind side and the peer on the connect side).
    pub fn event_v(
        &mut self,
        event: u64,
        values: &[u64],
        v1_endpoint: &str,
        local: &str,
        remote: &str,
    ) {
        if !self.wants(event) {
            return;
        }
        let Some(sock) = self.sock else { return };
        let mut frames: Vec<Vec<u8>> = Vec::new();
        if self.version == consts::ZMQ_CURRENT_EVENT_VERSION {
            let mut f = Vec::with_capacity(6);
            f.extend_from_slice(&(event as u16).to_ne_bytes());
            f.extend_from_slice(&(values.first().copied().unwrap_or(0) as u32).to_ne_bytes());
            frames.push(f);
            frames.push(v1_endpoint.as_bytes().to_vec());
        } else {
            frames.push(event.to_ne_bytes().to_vec());
            frames.push((values.len() as u64).to_ne_bytes().to_vec());
            for v in values {
                frames.push(v.to_ne_bytes().to_vec());
            }
            frames.push(local.as_bytes().to_vec());
            frames.push(remote.as_bytes().to_vec());
        }
        let n = frames.len();
        for (i, f) in frames.into_iter().enumerate() {
            let mut m = Msg::from_slice(&f);
            let flags = super::DONTWAIT | if i + 1 < n { super::SNDMORE } else { 0 };
            if sock.send(&mut m, flags).is_err() {
                return;
            }
        }
    }

    /// Sends MONITOR_STOPPED (if selected) and closes the internal socket.
    pub fn stop(&mut self) {
        self.event(events::MONITOR_STOPPED, &[0], "", "");
        if let Some(sock) = self.sock.take() {
            let _ = sock.close();
        }
        self.events = 0;
    }
}

//! Io threads: each runs a [`reactor::Reactor`] for the network endpoints
//! of the context's sockets (ZMQ_IO_THREADS of them, started on first use,
//! stopped by zmq_ctx_term).
//!
//! Nothing here names a transport. A bound endpoint is a
//! [`listener::Listener`] over a `transport::Listening`; a connection is an
//! [`engine::Connection`] that dials, tunes and reconnects through a
//! `&dyn transport::Transport` and reads and writes a [`stream::Stream`]
//! (one non-blocking descriptor, whatever made it). What runs over the
//! stream is chosen by framing, in `Connection::activate`: a ZMTP
//! `proto::Session`, or [`wire::Raw`] bytes for STREAM sockets, both behind
//! [`wire::Wire`]; a transport's `StreamLayer` (TLS for wss) runs under
//! either as a [`layered::Layered`] wire. Everything an endpoint needs
//! from its socket arrives as [`config::EndpointConfig`], plain values.
//!
//! A datagram transport has no connections: its endpoint is a
//! [`datagram::DatagramEndpoint`], one socket from a
//! `transport::DatagramAddress`, sending and receiving whole messages.
//!
//! - [`reactor`]: the mio loop, handler slots, timers keyed by kind.
//! - [`engine`]: one connection's life: connect, reconnect with backoff,
//!   handshake, pump, close, linger.
//! - [`listener`]: accepts and starts a connection per peer.
//! - [`datagram`]: a datagram endpoint (udp's RADIO, DISH and DGRAM).
//! - [`zap`], [`monitor`], [`link`]: ZAP requests, monitor events, what a
//!   handler holds of its socket.

pub(crate) mod config;
pub(crate) mod datagram;
pub(crate) mod engine;
pub(crate) mod layered;
pub(crate) mod link;
pub(crate) mod listener;
pub(crate) mod monitor;
pub(crate) mod reactor;
pub(crate) mod stream;
pub(crate) mod threads;
pub(crate) mod wire;
pub(crate) mod zap;

/// Work handed to an io thread.
pub(crate) type Task = Box<dyn FnOnce(&mut reactor::Reactor) + Send>;

/// What an io thread's mailbox carries.
pub enum Command {
    /// About a pipe end that one of the thread's handlers holds.
    Pipe(crate::pipe::PipeCommand),
    /// Work run on the thread with its reactor (listeners, connecters and
    /// engines are handed over this way).
    Run(Task),
    /// The context is terminating: handlers wind down, within linger.
    Stop,
}

impl From<crate::pipe::PipeCommand> for Command {
    fn from(c: crate::pipe::PipeCommand) -> Command {
        Command::Pipe(c)
    }
}

#[cfg(test)]
mod tests;

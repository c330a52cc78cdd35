//! Io threads: each runs a [`reactor::Reactor`] for the tcp and ipc
//! connections of the context's sockets (ZMQ_IO_THREADS of them, started on
//! first use, stopped by zmq_ctx_term).

pub mod config;
pub mod engine;
pub mod link;
pub mod listener;
pub mod monitor;
pub mod reactor;
pub mod stream;
pub mod threads;
pub mod wire;
pub mod zap;

/// Work handed to an io thread.
pub type Task = Box<dyn FnOnce(&mut reactor::Reactor) + Send>;

#[cfg(test)]
mod tests;

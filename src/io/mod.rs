//! Io threads: each runs a [`reactor::Reactor`] for the tcp and ipc
//! connections of the context's sockets (ZMQ_IO_THREADS of them, started on
//! first use, stopped by zmq_ctx_term).

pub(crate) mod config;
pub(crate) mod engine;
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

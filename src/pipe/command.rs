//! What the owners of pipe ends tell each other, and where it goes.
//!
//! A pipe end belongs to a socket or to an io thread (the engine of a tcp
//! or ipc connection). When a pipe wakes its peer (`ActivateRead`,
//! `ActivateWrite`, `PipeTerm`) it posts a [`PipeCommand`] to the mailbox
//! of whoever owns the other end: an [`Inbox`].
//!
//! A socket's mailbox carries [`SocketCommand`]s, which wrap pipe commands
//! and add what io threads and the context tell a socket. The type sits
//! here rather than in `socket` because io and ctx post to sockets too.
//! An io thread's mailbox carries `io::Command` (pipe commands plus io
//! tasks), which this layer cannot name: it is reached through
//! [`PipeInbox`], implemented for every mailbox whose command type is
//! `From<PipeCommand>`.
//!
//! Inproc pipes join two sockets, so their wakeups take the `Inbox::Socket`
//! arm: a match and a direct call. Only a wakeup for an io thread makes one
//! indirect call, next to the mailbox's lock and, if the thread sleeps, the
//! eventfd write. Pipes batch, so that is rare: 580 such calls for 200,000
//! messages of 64 B over tcp (callgrind, perf/inproc_bench), whose
//! instruction count did not grow.

use super::{Pipe, PipeId};
use crate::mailbox::Mailbox;
use std::sync::Arc;

/// What a socket's mailbox carries (and what `ZMQ_FD` signals).
pub(crate) type SocketMailbox = Mailbox<SocketCommand>;

/// What one end of a pipe tells the owner of the other end. Each names
/// the receiving owner's end.
pub enum PipeCommand {
    /// The peer wrote into a pipe whose reader (us) had gone to sleep.
    ActivateRead(PipeId),
    /// The peer read down to the low-water mark; it has read this many messages.
    ActivateWrite(PipeId, u64),
    /// The peer closed its end of the pipe.
    PipeTerm(PipeId),
    /// An inproc bind met our earlier connect and posted its marks and
    /// disconnect message on the pipe (`Pipe::take_posted`); this makes
    /// sure they are taken up.
    Posted(PipeId),
    /// zmq_socket_monitor_pipes_stats asked the socket at the other end of
    /// our pipe: add how many messages we have queued towards it, and
    /// answer `reply_to` with `SocketCommand::PipeStats`.
    PipeStatsQuery {
        pipe: PipeId,
        outbound: u64,
        reply_to: Arc<SocketMailbox>,
        ends: Box<(String, String)>,
    },
}

impl PipeCommand {
    /// The end of the receiving owner this command is about.
    pub fn pipe(&self) -> PipeId {
        match self {
            PipeCommand::ActivateRead(id)
            | PipeCommand::ActivateWrite(id, _)
            | PipeCommand::PipeTerm(id)
            | PipeCommand::Posted(id)
            | PipeCommand::PipeStatsQuery { pipe: id, .. } => *id,
        }
    }
}

/// What one thread asks of a socket owned by another.
pub enum SocketCommand {
    /// About one of the socket's pipe ends.
    Pipe(PipeCommand),
    /// A new pipe for us to attach (an inproc connect reached our bind, or
    /// an io thread's connection finished its handshake).
    Bind(Box<Pipe>),
    /// The context is terminating: blocking calls return ETERM from now on.
    Stop,
    /// The answer to a `PipeStatsQuery`: queued messages out of and into
    /// the asking pipe, and the pipe's (local, remote) endpoints, for a
    /// ZMQ_EVENT_PIPES_STATS event.
    PipeStats {
        outbound: u64,
        inbound: u64,
        ends: Box<(String, String)>,
    },
    /// Nothing to do. libzmq's socket sends itself an "own" command when it
    /// starts a network endpoint, so ZMQ_FD is readable right after such a
    /// bind or connect; applications polling the fd see the same here.
    Own,
    /// A connection behind this pipe was re-established (a reconnect with
    /// the pipe kept): SUB/XSUB send their subscriptions again.
    Hiccup(PipeId),
}

impl From<PipeCommand> for SocketCommand {
    fn from(c: PipeCommand) -> SocketCommand {
        SocketCommand::Pipe(c)
    }
}

/// The mailbox of a pipe end's owner that is not a socket.
pub trait PipeInbox: Send + Sync {
    fn post(&self, cmd: PipeCommand);
}

impl<C: From<PipeCommand> + Send> PipeInbox for Mailbox<C> {
    fn post(&self, cmd: PipeCommand) {
        self.send(cmd.into());
    }
}

/// The owner of a pipe end, as its peer reaches it.
#[derive(Clone)]
pub enum Inbox {
    Socket(Arc<SocketMailbox>),
    /// An io thread.
    Thread(Arc<dyn PipeInbox>),
}

impl Inbox {
    #[inline]
    pub fn post(&self, cmd: PipeCommand) {
        match self {
            Inbox::Socket(mb) => mb.send(SocketCommand::Pipe(cmd)),
            Inbox::Thread(t) => t.post(cmd),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An owner's command type other than a socket's, as io's is.
    enum ThreadCommand {
        Pipe(PipeCommand),
        #[allow(dead_code)]
        Other,
    }

    impl From<PipeCommand> for ThreadCommand {
        fn from(c: PipeCommand) -> ThreadCommand {
            ThreadCommand::Pipe(c)
        }
    }

    #[test]
    fn each_inbox_gets_the_command_in_its_own_type() {
        let sock = Arc::new(SocketMailbox::new().unwrap());
        let thread = Arc::new(Mailbox::<ThreadCommand>::new().unwrap());
        Inbox::Socket(sock.clone()).post(PipeCommand::ActivateWrite(7, 3));
        Inbox::Thread(thread.clone()).post(PipeCommand::PipeTerm(9));
        let mut active = false;
        assert!(matches!(
            sock.try_recv(&mut active),
            Some(SocketCommand::Pipe(PipeCommand::ActivateWrite(7, 3)))
        ));
        let mut active = false;
        assert!(matches!(
            thread.try_recv(&mut active),
            Some(ThreadCommand::Pipe(PipeCommand::PipeTerm(9)))
        ));
    }

    #[test]
    fn a_command_names_the_end_it_is_about() {
        let reply_to = Arc::new(SocketMailbox::new().unwrap());
        let ends = Box::new((String::new(), String::new()));
        assert_eq!(
            PipeCommand::PipeStatsQuery {
                pipe: 4,
                outbound: 1,
                reply_to,
                ends
            }
            .pipe(),
            4
        );
        assert_eq!(PipeCommand::ActivateWrite(5, 2).pipe(), 5);
        assert_eq!(PipeCommand::Posted(6).pipe(), 6);
    }
}

//! A connection's ZAP client: the request goes to the handler socket bound
//! at `inproc://zeromq.zap.01` over a pipe of its own, as libzmq's session
//! connects one, and the reply comes back on it. The pipe has no high-water
//! mark, so a request is never refused for being too big for the queue.

use super::engine::push_routing_id;
use super::link::Link;
use super::reactor::Reactor;
use crate::msg::Msg;
use crate::pipe::{pipe_pair, Pipe, PipeCommand, PipeParams, SocketCommand, SocketMailbox};
use crate::proto::mechanism::ZapRequest;
use mio::Token;
use std::sync::Arc;

pub(crate) const ENDPOINT: &str = "inproc://zeromq.zap.01";

/// The socket bound at [`ENDPOINT`]: where its pipes go, and whether it
/// takes a routing id first (ROUTER, REP).
pub(crate) struct ZapHandler {
    pub mailbox: Arc<SocketMailbox>,
    pub recv_routing_id: bool,
}

/// Finds the ZAP handler of a connection's context, if one is bound (the
/// context implements it: which sockets are bound where is its table).
pub(crate) trait ZapDirectory: Send + Sync {
    fn zap_handler(&self) -> Option<ZapHandler>;
}

pub(crate) struct ZapClient {
    pipe: Pipe,
    /// Frames of a reply read so far.
    reply: Vec<Msg>,
}

impl ZapClient {
    /// Sends `req` to the bound handler. None if nothing is bound there.
    pub(crate) fn start(
        link: &Link,
        r: &mut Reactor,
        me: Token,
        req: &ZapRequest,
    ) -> Option<ZapClient> {
        let handler = link.zap.zap_handler()?;
        let unlimited = PipeParams {
            out_hwm: 0,
            in_hwm: 0,
            conflate: false,
        };
        let (mut mine, mut theirs) = pipe_pair(unlimited, unlimited);
        mine.endpoint = ENDPOINT.to_owned();
        theirs.endpoint = ENDPOINT.to_owned();
        let _ = mine.set_owner(r.inbox());
        r.own_pipe(mine.id(), me);
        if handler.recv_routing_id {
            // An empty id: the handler's ROUTER (or REP) makes one up.
            push_routing_id(&mut mine, &[]);
        }
        for frame in req.to_frames() {
            // Cannot fail: the pipe has no limit and is active.
            let _ = mine.write(frame);
        }
        mine.flush();
        // Finds the pipe empty and so asks to be woken by the reply; done
        // before the handler can see the request, so no reply is missed.
        let _ = mine.read();
        handler.mailbox.send(SocketCommand::Bind(Box::new(theirs)));
        Some(ZapClient {
            pipe: mine,
            reply: Vec::new(),
        })
    }

    /// Whether `cmd` is about this client's pipe.
    pub(crate) fn owns(&self, cmd: &PipeCommand) -> bool {
        let id = self.pipe.id();
        match cmd {
            PipeCommand::ActivateRead(p)
            | PipeCommand::ActivateWrite(p, _)
            | PipeCommand::PipeTerm(p) => *p == id,
            _ => false,
        }
    }

    /// Takes a command for the pipe; returns the reply once all its frames
    /// are in (the caller then closes the client).
    pub(crate) fn on_command(&mut self, cmd: PipeCommand) -> Option<Vec<Msg>> {
        match cmd {
            PipeCommand::ActivateRead(_) => {
                self.pipe.activate_read();
            }
            PipeCommand::ActivateWrite(_, n) => {
                self.pipe.activate_write(n);
            }
            // The handler went away without answering: the handshake
            // timer ends the connection, as in libzmq.
            PipeCommand::PipeTerm(_) => {
                self.pipe.process_pipe_term();
                return None;
            }
            _ => return None,
        }
        self.poll()
    }

    /// Reads what the handler has written; the whole reply, once complete.
    pub(crate) fn poll(&mut self) -> Option<Vec<Msg>> {
        while let Some(m) = self.pipe.read() {
            let more = m.more();
            self.reply.push(m);
            if !more {
                return Some(std::mem::take(&mut self.reply));
            }
        }
        None
    }

    /// Ends the exchange: the handler's socket drops its end of the pipe.
    pub(crate) fn close(mut self, r: &mut Reactor) {
        r.disown_pipe(self.pipe.id());
        self.pipe.terminate();
    }
}

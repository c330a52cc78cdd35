//! A bound endpoint on an io thread, of any stream transport: accepts
//! connections and starts a [`Connection`] for each. The connections
//! belong to the listener, as in libzmq: unbinding closes them too.

use super::engine::Connection;
use super::link::{self, Link, Side};
use super::reactor::{Handler, Reactor, Ready};
use crate::error::Error;
use crate::transport::{Listening, Transport};
use mio::unix::SourceFd;
use mio::{Interest, Token};
use std::os::fd::AsRawFd;

pub(crate) struct Listener {
    link: Link,
    transport: &'static dyn Transport,
    bound: Option<Box<dyn Listening>>,
    endpoint: String,
    children: Vec<Token>,
}

impl Listener {
    /// Serves `bound` from this io thread under the socket's `key`.
    pub(crate) fn start(
        r: &mut Reactor,
        link: Link,
        transport: &'static dyn Transport,
        bound: Box<dyn Listening>,
        key: u64,
    ) {
        let endpoint = bound.endpoint().to_owned();
        let fd = bound.fd();
        let t = r.add_placeholder();
        r.tag(key, t);
        if r.registry()
            .register(&mut SourceFd(&fd), t, Interest::READABLE)
            .is_err()
        {
            link.event(link::CLOSED, fd as u64, Side::Bind, &endpoint, "");
            r.remove(t);
            return;
        }
        r.fill(
            t,
            Box::new(Listener {
                link,
                transport,
                bound: Some(bound),
                endpoint,
                children: Vec::new(),
            }),
        );
    }

    fn close(&mut self, r: &mut Reactor, me: Token, with_children: bool) {
        if let Some(b) = self.bound.take() {
            let fd = b.fd();
            let _ = r.registry().deregister(&mut SourceFd(&fd));
            drop(b);
            self.link
                .event(link::CLOSED, fd as u64, Side::Bind, &self.endpoint, "");
        }
        if with_children {
            for t in std::mem::take(&mut self.children) {
                r.terminate_token(t);
            }
        }
        r.remove(me);
    }
}

impl Handler for Listener {
    fn ready(&mut self, r: &mut Reactor, _me: Token, _ready: Ready) {
        loop {
            let Some(bound) = &self.bound else { return };
            match bound.accept(&self.link.config.transport) {
                Ok(Some(sock)) => {
                    let fd = sock.as_raw_fd();
                    self.link
                        .event(link::ACCEPTED, fd as u64, Side::Bind, &self.endpoint, "");
                    let t = Connection::start_accepted(
                        r,
                        self.link.clone(),
                        self.transport,
                        self.endpoint.clone(),
                        sock,
                    );
                    self.children.retain(|&c| r.is_live(c));
                    self.children.push(t);
                }
                // Refused by an accept filter: already closed, no event.
                Ok(None) => {}
                Err(e) if e == Error::EAGAIN => return,
                Err(e) => {
                    self.link.event(
                        link::ACCEPT_FAILED,
                        e.0 as u64,
                        Side::Bind,
                        &self.endpoint,
                        "",
                    );
                    return;
                }
            }
        }
    }

    fn terminate(&mut self, r: &mut Reactor, me: Token) {
        self.close(r, me, true);
    }

    fn stop(&mut self, r: &mut Reactor, me: Token) {
        self.close(r, me, false);
    }
}

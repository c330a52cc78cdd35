//! The socket side of tcp and ipc endpoints: binding and starting
//! connects in the caller's thread (so errors and ZMQ_LAST_ENDPOINT are
//! immediate, as in libzmq), then handing them to an io thread.

use super::base::{Base, Core};
use crate::error::{Error, Result};
use crate::io::engine::Connection;
use crate::io::link::{self, Link, Side};
use crate::io::listener::{Bound, Listener};
use crate::io::threads::IoThread;
use crate::transport::ipc_address::IpcAddress;
use crate::transport::ipc_socket::IpcListener;
use crate::transport::tcp_address;
use crate::transport::tcp_socket::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A tcp/ipc endpoint of this socket, served by an io thread.
pub struct NetEndpoint {
    /// What zmq_unbind/zmq_disconnect name it by: the resolved endpoint
    /// for a bind, the address as given for a connect.
    pub uri: String,
    thread: Arc<IoThread>,
    key: u64,
}

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// Whether `proto` is served here (the rest stays with inproc.rs).
pub fn handles(proto: &str) -> bool {
    matches!(proto, "tcp" | "ipc")
}

fn link_of(b: &Base) -> Link {
    Link {
        ctx: b.ctx.clone(),
        socket: b.mailbox.clone(),
        options: Arc::new(b.options.clone()),
        monitor: b.monitor.clone(),
        linger: b.linger.clone(),
    }
}

pub fn bind(core: &mut Core, addr: &str, proto: &str, rest: &str) -> Result<()> {
    let thread = core.base.ctx.io_thread()?;
    let link = link_of(&core.base);
    let fd = core.base.options.use_fd;
    let bound = match (proto == "tcp", fd >= 0) {
        // ZMQ_USE_FD: the application bound and listened itself; the
        // address is not used.
        // SAFETY: ZMQ_USE_FD hands the library a listening socket to own,
        // as libzmq takes it; the application must not close it.
        (true, true) => unsafe { TcpListener::adopt(fd) }.map(Bound::Tcp),
        // SAFETY: as above.
        (false, true) => unsafe { IpcListener::adopt(fd) }.map(Bound::Ipc),
        (true, false) => TcpListener::bind(rest, &core.base.options).map(Bound::Tcp),
        (false, false) => IpcListener::bind(rest, &core.base.options).map(Bound::Ipc),
    };
    let bound = match bound {
        Ok(b) => b,
        Err(e) => {
            link.event(link::BIND_FAILED, e.0 as u64, Side::Bind, addr, "");
            return Err(e);
        }
    };
    let endpoint = bound.endpoint();
    link.event(link::LISTENING, bound.fd() as u64, Side::Bind, &endpoint, "");
    core.base.last_endpoint = endpoint.clone();
    let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    thread.run(move |r| Listener::start(r, link, bound, key));
    core.base.mailbox.send(crate::mailbox::Command::Own);
    core.base.net.push(NetEndpoint { uri: endpoint, thread, key });
    Ok(())
}

/// Types that make one connection per endpoint: connecting twice is a no-op.
fn single_connect(ty: i32) -> bool {
    matches!(ty, 1 | 2 | 3 | 5)
}

pub fn connect(core: &mut Core, addr: &str, proto: &str, rest: &str) -> Result<()> {
    if proto == "tcp" {
        tcp_address::check_connect_syntax(rest)?;
    } else {
        IpcAddress::resolve(rest)?;
    }
    let thread = core.base.ctx.io_thread()?;
    if single_connect(core.base.options.socket_type) && core.base.net.iter().any(|e| e.uri == addr) {
        return Ok(());
    }
    let link = link_of(&core.base);
    let o = &core.base.options;
    // Without IMMEDIATE the pipe exists from now on, so messages queue
    // before the connection is up.
    let pipe = if o.immediate {
        None
    } else {
        let (mut mine, mut theirs) = o.network_pipe();
        mine.endpoint = addr.to_owned();
        theirs.endpoint = addr.to_owned();
        core.attach_pipe(mine, false, true);
        Some(theirs)
    };
    core.base.last_endpoint = addr.to_owned();
    let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    let (ipc, uri) = (proto == "ipc", addr.to_owned());
    thread.run(move |r| Connection::start_connect(r, link, ipc, uri, pipe, key));
    core.base.mailbox.send(crate::mailbox::Command::Own);
    core.base.net.push(NetEndpoint { uri: addr.to_owned(), thread, key });
    Ok(())
}

/// zmq_unbind / zmq_disconnect of a tcp or ipc endpoint; ENOENT if this
/// socket has no such endpoint.
pub fn term(core: &mut Core, addr: &str) -> Result<()> {
    let ipv6 = core.base.options.ipv6;
    let net = &core.base.net;
    let key = tcp_address::term_endpoint_key(addr, ipv6, |k| net.iter().any(|e| e.uri == k));
    let mut found = false;
    let mut i = 0;
    while i < core.base.net.len() {
        if core.base.net[i].uri == key {
            let e = core.base.net.remove(i);
            e.thread.run(move |r| r.terminate_tagged(e.key));
            found = true;
        } else {
            i += 1;
        }
    }
    // The socket's ends of connect pipes go too (queued messages are lost).
    for s in core.base.pipes.slots() {
        let p = core.base.pipes.get(s);
        if p.locally_initiated && p.endpoint == key {
            core.base.pipes.terminate(s);
        }
    }
    core.sweep();
    if found {
        Ok(())
    } else {
        Err(Error::ENOENT)
    }
}

/// zmq_close: every endpoint ends (connections still linger on their io
/// thread for what was sent). Returns the io thread told last, if any.
pub fn close_all(b: &mut Base) -> Option<Arc<IoThread>> {
    let mut last = None;
    for e in b.net.drain(..) {
        let key = e.key;
        e.thread.run(move |r| r.terminate_tagged(key));
        last = Some(e.thread);
    }
    last
}

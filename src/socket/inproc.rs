//! Endpoint parsing and the inproc transport: bind/connect in either order,
//! unbind/disconnect. This half wires pipes into sockets; the context keeps
//! the registry of bound names and of connects waiting for a bind
//! (`CtxShared::register_endpoint` and the rest).

use super::base::{Base, Core};
use crate::ctx::{InprocBinding, PendingConnect};
use crate::error::{Error, Result};
use crate::pipe::{pipe_pair, Pipe, PipeCommand, PipeParams, SocketCommand};
use crate::types::SocketType;

/// Splits `proto://address`, checking what libzmq checks first.
pub fn parse_endpoint(addr: &str) -> Result<(&str, &str)> {
    let (proto, rest) = addr.split_once("://").ok_or(Error::EINVAL)?;
    if proto.is_empty() || rest.is_empty() {
        return Err(Error::EINVAL);
    }
    Ok((proto, rest))
}

/// Rejects transports we do not (yet) provide, with libzmq's errno (the
/// scheme table's are checked in net.rs).
fn check_protocol(proto: &str) -> Result<()> {
    match proto {
        "inproc" => Ok(()),
        _ => Err(Error::EPROTONOSUPPORT),
    }
}

/// What bind and connect check: the protocol, and that the socket type
/// may use it (DGRAM is for udp only).
fn check_bind_or_connect(proto: &str, socket_type: SocketType) -> Result<()> {
    check_protocol(proto)?;
    if socket_type.udp_only() {
        return Err(Error::ENOCOMPATPROTO);
    }
    Ok(())
}

fn binding_of(b: &Base) -> InprocBinding {
    InprocBinding {
        socket_id: b.id,
        mailbox: b.mailbox.clone(),
        sndhwm: b.options.sndhwm,
        rcvhwm: b.options.rcvhwm,
        routing_id: b.options.routing_id.clone(),
        recv_routing_id: b.options.recv_routing_id,
        socket_type: b.options.socket_type,
        hello_msg: b.options.effective_hello_msg(),
        disconnect_msg: b.options.effective_disconnect_msg(),
        conflate: b.options.effective_conflate(),
    }
}

/// Writes a hello message into a new pipe, after any routing id.
fn send_hello(p: &mut crate::pipe::Pipe, hello: &Option<Vec<u8>>) {
    if let Some(h) = hello {
        if p.write(crate::msg::Msg::from_slice(h)).is_ok() {
            p.flush();
        }
    }
}

fn sum_hwm(a: i32, b: i32) -> u64 {
    if a == 0 || b == 0 {
        0
    } else {
        (a as u64) + (b as u64)
    }
}

pub fn bind(core: &mut Core, addr: &str) -> Result<()> {
    let (proto, name) = parse_endpoint(addr)?;
    check_bind_or_connect(proto, core.base.options.socket_type)?;
    let me = binding_of(&core.base);
    let pending = core.base.ctx.register_endpoint(addr, me.clone())?;
    core.base.bound.push(addr.to_owned());
    core.base.last_endpoint = addr.to_owned();
    let _ = name;
    for pc in pending {
        connect_pending(core, pc, &me);
    }
    Ok(())
}

/// Completes a connect that was waiting for this bind.
fn connect_pending(core: &mut Core, pc: PendingConnect, me: &InprocBinding) {
    let PendingConnect {
        mut bind_end,
        connector,
        connect_end_id,
    } = pc;
    ready_bind_end(&mut bind_end, me, &connector);
    // The connector's end is its own thread's: it takes these up itself.
    let boost = (!connector.conflate).then_some((me.sndhwm as u64, me.rcvhwm as u64));
    bind_end.post_to_peer(boost, me.disconnect_msg.clone());
    connector
        .mailbox
        .send(SocketCommand::Pipe(PipeCommand::Posted(connect_end_id)));
    core.attach_pipe(bind_end, false, false);
}

/// What a bind does to the binder's end of a pipe made by an earlier
/// connect: drop the connector's id if the binder ignores ids, add the
/// connector's marks, send the binder's id and hello.
fn ready_bind_end(bind_end: &mut Pipe, binder: &InprocBinding, connector: &InprocBinding) {
    if !binder.recv_routing_id {
        // The connector always sends its id when it cannot know we ignore it.
        let _ = bind_end.read();
    }
    // As libzmq: the connector's CONFLATE decides (its pipe has no marks).
    if !connector.conflate {
        bind_end.set_hwms_boost(connector.sndhwm as u64, connector.rcvhwm as u64);
        bind_end.set_hwms(binder.rcvhwm as u64, binder.sndhwm as u64);
    }
    if connector.recv_routing_id {
        Base::send_routing_id(bind_end, &binder.routing_id);
    }
    send_hello(bind_end, &binder.hello_msg);
}

pub fn connect(core: &mut Core, addr: &str) -> Result<()> {
    let (proto, _name) = parse_endpoint(addr)?;
    check_bind_or_connect(proto, core.base.options.socket_type)?;
    let me = binding_of(&core.base);
    let conflate = core.base.options.effective_conflate();
    let ctx = core.base.ctx.clone();
    let peer = ctx.find_endpoint(addr);
    let (snd, rcv) = match &peer {
        Some(p) => (sum_hwm(me.sndhwm, p.rcvhwm), sum_hwm(me.rcvhwm, p.sndhwm)),
        None => (me.sndhwm as u64, me.rcvhwm as u64),
    };
    let (snd, rcv) = if conflate { (0, 0) } else { (snd, rcv) };
    let (mut mine, mut theirs) = pipe_pair(
        PipeParams {
            out_hwm: snd,
            in_hwm: rcv,
            conflate,
        },
        PipeParams {
            out_hwm: rcv,
            in_hwm: snd,
            conflate,
        },
    );
    mine.endpoint = addr.to_owned();
    theirs.endpoint = addr.to_owned();
    if let Some(p) = &peer {
        if !conflate {
            mine.set_hwms_boost(p.sndhwm as u64, p.rcvhwm as u64);
            theirs.set_hwms_boost(me.sndhwm as u64, me.rcvhwm as u64);
        }
    }
    match peer {
        Some(p) => {
            if p.recv_routing_id {
                Base::send_routing_id(&mut mine, &me.routing_id);
            }
            if me.recv_routing_id {
                Base::send_routing_id(&mut theirs, &p.routing_id);
            }
            send_hello(&mut mine, &me.hello_msg);
            send_hello(&mut theirs, &p.hello_msg);
            mine.disconnect_msg = p.disconnect_msg.clone();
            p.mailbox.send(SocketCommand::Bind(Box::new(theirs)));
        }
        None => {
            Base::send_routing_id(&mut mine, &me.routing_id);
            send_hello(&mut mine, &me.hello_msg);
            let pc = PendingConnect {
                bind_end: theirs,
                connector: me.clone(),
                connect_end_id: mine.id(),
            };
            if let Err((pc, p)) = ctx.pend_connection(addr, pc) {
                let bind_end = finish_raced_connect(&mut mine, pc.bind_end, &me, &p);
                p.mailbox.send(SocketCommand::Bind(Box::new(bind_end)));
            }
        }
    }
    core.attach_pipe(mine, false, true);
    core.base.last_endpoint = addr.to_owned();
    core.base.options.connected = true;
    Ok(())
}

/// A connect that found no binder, then found one had registered before
/// it could wait for it: does here what the binder would have done, for
/// both ends, with the marks of both sockets. Returns the binder's end.
fn finish_raced_connect(
    mine: &mut Pipe,
    mut bind_end: Pipe,
    me: &InprocBinding,
    p: &InprocBinding,
) -> Pipe {
    ready_bind_end(&mut bind_end, p, me);
    if !me.conflate {
        mine.set_hwms_boost(p.sndhwm as u64, p.rcvhwm as u64);
        mine.set_hwms(me.rcvhwm as u64, me.sndhwm as u64);
    }
    mine.disconnect_msg = p.disconnect_msg.clone();
    bind_end
}

/// zmq_unbind and zmq_disconnect: drop a bound name, or else terminate the
/// pipes this socket connected through that endpoint. ENOENT if neither.
pub fn term_endpoint(core: &mut Core, addr: &str) -> Result<()> {
    let (proto, _) = parse_endpoint(addr)?;
    check_protocol(proto)?;
    if let Some(i) = core.base.bound.iter().position(|n| n == addr) {
        if core.base.ctx.unregister_endpoint(addr, core.base.id) {
            core.base.bound.remove(i);
            return Ok(());
        }
    }
    let mut found = false;
    for s in core.base.pipes.slots() {
        let p = core.base.pipes.get(s);
        if p.locally_initiated && p.endpoint == addr {
            core.base.pipes.terminate(s);
            found = true;
        }
    }
    core.sweep();
    if found {
        Ok(())
    } else {
        Err(Error::ENOENT)
    }
}

pub fn unbind(core: &mut Core, addr: &str) -> Result<()> {
    term_endpoint(core, addr)
}

pub fn disconnect(core: &mut Core, addr: &str) -> Result<()> {
    term_endpoint(core, addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Msg;
    use crate::pipe::SocketMailbox;
    use std::sync::Arc;

    fn binding(sndhwm: i32, rcvhwm: i32) -> InprocBinding {
        InprocBinding {
            socket_id: 1,
            mailbox: Arc::new(SocketMailbox::new().unwrap()),
            sndhwm,
            rcvhwm,
            routing_id: Vec::new(),
            recv_routing_id: false,
            socket_type: SocketType::Push,
            hello_msg: None,
            disconnect_msg: None,
            conflate: false,
        }
    }

    fn room(p: &mut Pipe) -> usize {
        (0..100)
            .take_while(|_| p.write(Msg::from_slice(b"m")).is_ok())
            .count()
    }

    #[test]
    fn a_raced_connect_gets_the_marks_of_both() {
        let (me, binder) = (binding(5, 3), binding(4, 7));
        // Made as for a connect with no binder: only our own marks.
        let params = PipeParams {
            out_hwm: 5,
            in_hwm: 3,
            conflate: false,
        };
        let theirs = PipeParams {
            out_hwm: 3,
            in_hwm: 5,
            conflate: false,
        };
        let (mut mine, bind_end) = pipe_pair(params, theirs);
        Base::send_routing_id(&mut mine, &[]);
        let mut bind_end = finish_raced_connect(&mut mine, bind_end, &me, &binder);
        assert_eq!(room(&mut mine), 5 + 7, "our SNDHWM + its RCVHWM");
        assert_eq!(room(&mut bind_end), 4 + 3, "its SNDHWM + our RCVHWM");
    }
}

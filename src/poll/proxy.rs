//! `zmq_proxy` / `zmq_proxy_steerable`: forwards whole multipart messages
//! between a frontend and a backend socket, copying every frame to an
//! optional capture socket, steered by an optional control socket.
//!
//! The loop is libzmq 4.3.4's poller-based one: a blocking wait on a set
//! that leaves out POLLIN of a side whose destination is full (HWM
//! backpressure), then a non-blocking look at everything, then bursts of
//! up to 1000 messages per direction.

use super::poller::Poller;
use super::{POLLIN, POLLOUT};
use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::socket::{Socket, DONTWAIT, SNDMORE};

/// libzmq's `proxy_burst_size`.
const BURST: usize = 1000;

/// Message counters of one side, as STATISTICS reports them.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct Stats {
    pub msg_in: u64,
    pub bytes_in: u64,
    pub msg_out: u64,
    pub bytes_out: u64,
}

/// A control command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Pause,
    Resume,
    Terminate,
    Statistics,
}

/// Parses a control frame (exact, case-sensitive, as libzmq compares it).
pub(crate) fn parse_command(data: &[u8]) -> Option<Command> {
    match data {
        b"PAUSE" => Some(Command::Pause),
        b"RESUME" => Some(Command::Resume),
        b"TERMINATE" => Some(Command::Terminate),
        b"STATISTICS" => Some(Command::Statistics),
        _ => None,
    }
}

/// The eight values of a STATISTICS reply, in frame order.
pub(crate) fn stats_frames(front: &Stats, back: &Stats) -> [u64; 8] {
    [
        front.msg_in,
        front.bytes_in,
        front.msg_out,
        front.bytes_out,
        back.msg_in,
        back.bytes_in,
        back.msg_out,
        back.bytes_out,
    ]
}

/// The blocking-wait sets of libzmq's proxy (one poller each upstream).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    /// POLLIN on every socket.
    In,
    /// Paused: only the control socket.
    Control,
    /// Frontend's POLLIN left out (backend full).
    ReceiveBlocked,
    /// Backend's POLLIN left out (frontend full).
    SendBlocked,
    /// Both POLLINs left out.
    BothBlocked,
    /// POLLIN|POLLOUT on the frontend only.
    FrontendOnly,
    /// POLLIN|POLLOUT on the backend only.
    BackendOnly,
}

struct Sockets<'a> {
    front: &'static Socket,
    back: &'static Socket,
    capture: Option<&'a Socket>,
    control: Option<&'static Socket>,
    same: bool,
}

impl Sockets<'_> {
    /// The poll set for `w`.
    fn poller(&self, w: Wait) -> Result<Poller> {
        let mut p = Poller::new();
        let (f, b) = match (w, self.same) {
            (Wait::Control, _) => (0, 0),
            (Wait::In, _) => (POLLIN, POLLIN),
            // With frontend == backend there is only the receive-blocked set.
            (_, true) => (POLLOUT, 0),
            (Wait::ReceiveBlocked, false) => (POLLOUT, POLLIN | POLLOUT),
            (Wait::SendBlocked, false) => (POLLIN | POLLOUT, POLLOUT),
            (Wait::BothBlocked, false) => (POLLOUT, POLLOUT),
            (Wait::FrontendOnly, false) => (POLLIN | POLLOUT, 0),
            (Wait::BackendOnly, false) => (0, POLLIN | POLLOUT),
        };
        if f != 0 {
            p.add(self.front, 0, f)?;
        }
        if b != 0 && !self.same {
            p.add(self.back, 0, b)?;
        }
        if let Some(c) = self.control {
            p.add(c, 0, POLLIN)?;
        }
        Ok(p)
    }

    fn poller_all(&self) -> Result<Poller> {
        let mut p = Poller::new();
        p.add(self.front, 0, POLLIN | POLLOUT)?;
        if !self.same {
            p.add(self.back, 0, POLLIN | POLLOUT)?;
        }
        if let Some(c) = self.control {
            p.add(c, 0, POLLIN)?;
        }
        Ok(p)
    }
}

/// Sends a copy of `msg` to the capture socket, if any.
fn capture(cap: Option<&Socket>, msg: &Msg, more: bool) -> Result<()> {
    if let Some(c) = cap {
        let mut copy = msg.clone();
        c.send(&mut copy, if more { SNDMORE } else { 0 })?;
    }
    Ok(())
}

/// Forwards a burst of whole messages from `from` to `to`.
fn forward(
    from: &Socket,
    from_stats: &mut Stats,
    to: &Socket,
    to_stats: &mut Stats,
    cap: Option<&Socket>,
    msg: &mut Msg,
) -> Result<()> {
    for i in 0..BURST {
        let mut size = 0u64;
        loop {
            match from.recv(msg, DONTWAIT) {
                Ok(()) => {}
                Err(e) if e == Error::EAGAIN && i > 0 => return Ok(()),
                Err(e) => return Err(e),
            }
            size += msg.size() as u64;
            let more = msg.more();
            capture(cap, msg, more)?;
            to.send(msg, if more { SNDMORE } else { 0 })?;
            if !more {
                break;
            }
        }
        from_stats.msg_in += 1;
        from_stats.bytes_in += size;
        to_stats.msg_out += 1;
        to_stats.bytes_out += size;
    }
    Ok(())
}

/// Sends the STATISTICS reply: 8 frames of one native-endian u64 each.
fn reply_stats(control: &Socket, front: &Stats, back: &Stats) -> Result<()> {
    let vals = stats_frames(front, back);
    for (i, v) in vals.iter().enumerate() {
        let more = i + 1 < vals.len();
        let flags = if more { SNDMORE } else { 0 };
        loop {
            let mut m = Msg::from_slice(&v.to_ne_bytes());
            match control.send(&mut m, flags) {
                Ok(()) => break,
                // The first frame may fail on HWM: that is the caller's error.
                Err(e) if i == 0 => return Err(e),
                // Once the first frame is in, later ones can be retried.
                Err(e) if e == Error::EAGAIN => continue,
                // libzmq ignores failures of the later frames.
                Err(_) => break,
            }
        }
    }
    Ok(())
}

/// Runs the proxy until TERMINATE (`Ok`) or an error (normally ETERM when
/// the context shuts down).
///
/// An unknown control command (which libzmq answers with an assertion
/// failure, aborting the process) is ignored.
pub(crate) fn proxy(
    front: &'static Socket,
    back: &'static Socket,
    capture_sock: Option<&Socket>,
    control: Option<&'static Socket>,
) -> Result<()> {
    let s = Sockets {
        front,
        back,
        capture: capture_sock,
        control,
        same: std::ptr::eq(front, back),
    };
    let all = s.poller_all()?;
    let mut wait = Wait::In;
    let mut wait_poller = s.poller(wait)?;
    let mut msg = Msg::new();
    let (mut front_in, mut front_out, mut back_in, mut back_out, mut control_in) =
        (false, false, false, false, false);
    let mut fstats = Stats::default();
    let mut bstats = Stats::default();
    let mut paused = false;

    loop {
        match wait_poller.wait(3, -1) {
            Ok(_) => {}
            Err(e) if e == Error::EAGAIN => {}
            Err(e) => return Err(e),
        }
        let events = match all.wait(3, 0) {
            Ok(ev) => ev,
            Err(e) if e == Error::EAGAIN => Vec::new(),
            Err(e) => return Err(e),
        };
        for ev in &events {
            let Some(p) = ev.socket else { continue };
            if std::ptr::eq(p, front) {
                front_in = ev.events & POLLIN != 0;
                front_out = ev.events & POLLOUT != 0;
            } else if std::ptr::eq(p, back) {
                back_in = ev.events & POLLIN != 0;
                back_out = ev.events & POLLOUT != 0;
            } else if control.is_some_and(|c| std::ptr::eq(p, c)) {
                control_in = ev.events & POLLIN != 0;
            }
        }

        let mut new_wait = wait;
        if let (true, Some(c)) = (control_in, control) {
            c.recv(&mut msg, 0)?;
            if msg.more() {
                return Err(Error::EINVAL);
            }
            capture(s.capture, &msg, false)?;
            match parse_command(msg.data()) {
                Some(Command::Pause) => {
                    paused = true;
                    new_wait = Wait::Control;
                }
                Some(Command::Resume) => {
                    paused = false;
                    new_wait = Wait::In;
                }
                Some(Command::Terminate) => return Ok(()),
                Some(Command::Statistics) => reply_stats(c, &fstats, &bstats)?,
                None => {}
            }
            control_in = false;
        }

        if !paused {
            // A request: frontend readable and backend writable.
            let request = front_in && (back_out || s.same);
            if request {
                forward(front, &mut fstats, back, &mut bstats, s.capture, &mut msg)?;
                front_in = false;
                back_out = false;
            }
            // A reply: backend readable and frontend writable (never when
            // frontend == backend: back_in stays false then).
            let reply = back_in && front_out;
            if reply {
                forward(back, &mut bstats, front, &mut fstats, s.capture, &mut msg)?;
                back_in = false;
                front_out = false;
            }
            if request || reply {
                if new_wait != Wait::In {
                    if request {
                        new_wait = match new_wait {
                            Wait::BothBlocked => Wait::SendBlocked,
                            Wait::ReceiveBlocked | Wait::FrontendOnly => Wait::In,
                            w => w,
                        };
                    }
                    if reply {
                        new_wait = match new_wait {
                            Wait::BothBlocked => Wait::ReceiveBlocked,
                            Wait::SendBlocked | Wait::BackendOnly => Wait::In,
                            w => w,
                        };
                    }
                }
            } else {
                if front_in {
                    if front_out {
                        new_wait = Wait::BackendOnly;
                    } else {
                        new_wait = match new_wait {
                            Wait::SendBlocked => Wait::BothBlocked,
                            Wait::In => Wait::ReceiveBlocked,
                            w => w,
                        };
                    }
                }
                if back_in {
                    if back_out {
                        new_wait = Wait::FrontendOnly;
                    } else {
                        new_wait = match new_wait {
                            Wait::ReceiveBlocked => Wait::BothBlocked,
                            Wait::In => Wait::SendBlocked,
                            w => w,
                        };
                    }
                }
            }
        }
        if new_wait != wait {
            wait = new_wait;
            wait_poller = s.poller(wait)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        assert_eq!(parse_command(b"PAUSE"), Some(Command::Pause));
        assert_eq!(parse_command(b"RESUME"), Some(Command::Resume));
        assert_eq!(parse_command(b"TERMINATE"), Some(Command::Terminate));
        assert_eq!(parse_command(b"STATISTICS"), Some(Command::Statistics));
        assert_eq!(parse_command(b"pause"), None);
        assert_eq!(parse_command(b"PAUSE\0"), None);
        assert_eq!(parse_command(b""), None);
    }

    #[test]
    fn stats_order() {
        let f = Stats {
            msg_in: 1,
            bytes_in: 2,
            msg_out: 3,
            bytes_out: 4,
        };
        let b = Stats {
            msg_in: 5,
            bytes_in: 6,
            msg_out: 7,
            bytes_out: 8,
        };
        assert_eq!(stats_frames(&f, &b), [1, 2, 3, 4, 5, 6, 7, 8]);
    }
}

//! Bounded message pipes between two sockets (or a socket and a session).
//!
//! A pipe is a pair of queues, one per direction, shared by two [`Pipe`]
//! ends. The writer batches: frames of an unfinished message stay in the
//! writer's own buffer and are published in one locked append when the
//! message is complete. The reader takes the whole published queue in one
//! locked swap and then reads without synchronisation. A reader that finds
//! nothing marks itself asleep; only then does the next flush send it an
//! `ActivateRead` command, so a busy pipe costs no wakeups.
//!
//! Flow control follows libzmq: a writer may have `hwm` messages outstanding
//! (written minus what the reader last reported); the reader reports every
//! `lwm` messages with an `ActivateWrite` command.

pub(crate) mod command;
pub(crate) mod table;

use crate::msg::{self, Msg};
pub(crate) use command::{Inbox, PipeCommand, SocketCommand, SocketMailbox};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Identifies one end of a pipe, unique in the process.
pub(crate) type PipeId = u64;

static NEXT_PIPE_ID: AtomicU64 = AtomicU64::new(1);

/// The low-water mark: half the high-water mark, as libzmq 4.x computes
/// it (far enough from the HWM that a full pipe does not wake its writer
/// for every message read).
fn compute_lwm(hwm: u64) -> u64 {
    hwm.div_ceil(2)
}

struct Queue {
    items: VecDeque<Msg>,
    reader_asleep: bool,
}

struct Owner {
    inbox: Option<Inbox>,
    /// Commands that arrived before this end had an owner.
    pending: Vec<PipeCommand>,
    gone: bool,
}

/// The state both ends share.
struct Core {
    /// `queues[s]` is written by side `s` and read by the other side.
    queues: [Mutex<Queue>; 2],
    owners: [Mutex<Owner>; 2],
    ids: [PipeId; 2],
    /// `conflate[r]`: the queue read by side `r` keeps only its newest message.
    conflate: [bool; 2],
    /// `posted[s]`: what a late inproc bind gives side `s`, posted by the
    /// binder for side `s` to take up as soon as it next looks (libzmq sets
    /// these on the connector's pipe in place). The flag spares the lock.
    posted: [Mutex<Posted>; 2],
    has_posted: [AtomicBool; 2],
}

/// Settings one end posts for the other (`Pipe::post_to_peer`).
#[derive(Default)]
struct Posted {
    /// The binder's (SNDHWM, RCVHWM), as `set_hwms_boost` takes them.
    boost: Option<(u64, u64)>,
    /// The binder's ZMQ_DISCONNECT_MSG, for this end to leave behind.
    disconnect_msg: Option<Vec<u8>>,
}

/// Where an end stands in the termination handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipeState {
    Active,
    /// The peer asked to close; we read what is left up to its delimiter.
    WaitingForDelimiter,
    /// Finished: the owning socket must forget this pipe.
    Terminated,
}

/// Options of one side that shape a new pipe.
#[derive(Clone, Copy, Debug, Default)]
pub struct PipeParams {
    /// Messages this end may have outstanding towards the peer (0: unlimited).
    pub out_hwm: u64,
    /// Messages the peer may have outstanding towards this end (0: unlimited).
    pub in_hwm: u64,
    /// A single-slot queue keeping only the newest message (ZMQ_CONFLATE).
    pub conflate: bool,
}

/// One end of a pipe, owned by one socket.
pub struct Pipe {
    core: Arc<Core>,
    side: usize,
    inbuf: VecDeque<Msg>,
    outbuf: VecDeque<Msg>,
    /// Frames at the front of `outbuf` that form complete messages.
    complete: usize,
    in_active: bool,
    out_active: bool,
    state: PipeState,
    delay: bool,
    hwm: u64,
    lwm: u64,
    /// The next multiple of `lwm` (u64::MAX without one): a compare per
    /// read instead of a division.
    next_report: u64,
    in_hwmboost: Option<u64>,
    out_hwmboost: Option<u64>,
    /// This side's own marks (in, out) before any boost.
    own_marks: (u64, u64),
    msgs_read: u64,
    msgs_written: u64,
    peers_msgs_read: u64,
    /// The routing id a ROUTER gave this pipe.
    pub routing_id: Vec<u8>,
    /// The peer's announced routing id (its ZMQ_ROUTING_ID).
    pub peer_routing_id: Vec<u8>,
    /// A SERVER's numeric id for this peer.
    pub server_id: u32,
    /// The endpoint this pipe was made for (for unbind/disconnect).
    pub endpoint: String,
    /// Whether this end was made by a connect (vs. a bind).
    pub locally_initiated: bool,
    /// The peer's ZMQ_DISCONNECT_MSG, delivered to it when this end goes
    /// (inproc connects to a SERVER, ROUTER or PEER).
    pub disconnect_msg: Option<Vec<u8>>,
}

/// Makes a connected pair of ends: `.0` for the side with `a`, `.1` for `b`.
pub(crate) fn pipe_pair(a: PipeParams, b: PipeParams) -> (Pipe, Pipe) {
    let core = Arc::new(Core {
        queues: [
            Mutex::new(Queue {
                items: VecDeque::new(),
                reader_asleep: false,
            }),
            Mutex::new(Queue {
                items: VecDeque::new(),
                reader_asleep: false,
            }),
        ],
        owners: [
            Mutex::new(Owner {
                inbox: None,
                pending: Vec::new(),
                gone: false,
            }),
            Mutex::new(Owner {
                inbox: None,
                pending: Vec::new(),
                gone: false,
            }),
        ],
        ids: [
            NEXT_PIPE_ID.fetch_add(1, Ordering::Relaxed),
            NEXT_PIPE_ID.fetch_add(1, Ordering::Relaxed),
        ],
        conflate: [a.conflate, b.conflate],
        posted: [Mutex::new(Posted::default()), Mutex::new(Posted::default())],
        has_posted: [AtomicBool::new(false), AtomicBool::new(false)],
    });
    let mk = |side: usize, p: PipeParams| {
        let mut end = Pipe {
            core: core.clone(),
            side,
            inbuf: VecDeque::new(),
            outbuf: VecDeque::new(),
            complete: 0,
            in_active: true,
            out_active: true,
            state: PipeState::Active,
            delay: true,
            hwm: p.out_hwm,
            lwm: 0,
            next_report: u64::MAX,
            in_hwmboost: None,
            out_hwmboost: None,
            own_marks: (p.in_hwm, p.out_hwm),
            msgs_read: 0,
            msgs_written: 0,
            peers_msgs_read: 0,
            routing_id: Vec::new(),
            peer_routing_id: Vec::new(),
            server_id: 0,
            endpoint: String::new(),
            locally_initiated: false,
            disconnect_msg: None,
        };
        end.set_lwm(compute_lwm(p.in_hwm));
        end
    };
    (mk(0, a), mk(1, b))
}

impl Pipe {
    /// This end's id (commands about this end carry it).
    pub fn id(&self) -> PipeId {
        self.core.ids[self.side]
    }

    pub fn state(&self) -> PipeState {
        self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == PipeState::Terminated
    }

    /// Gives this end an owner; commands that waited for one are returned
    /// for the new owner to process.
    pub fn set_owner(&mut self, inbox: Inbox) -> Vec<PipeCommand> {
        let mut o = self.core.owners[self.side].lock();
        o.inbox = Some(inbox);
        std::mem::take(&mut o.pending)
    }

    /// Don't keep reading pending messages when the peer closes: for sockets
    /// that never read from this pipe.
    pub fn set_nodelay(&mut self) {
        self.delay = false;
    }

    fn send_to_peer(&self, cmd: PipeCommand) {
        let mut o = self.core.owners[1 - self.side].lock();
        if o.gone {
            return;
        }
        match &o.inbox {
            Some(inbox) => {
                let inbox = inbox.clone();
                drop(o);
                inbox.post(cmd);
            }
            None => o.pending.push(cmd),
        }
    }

    /// Messages written to the peer that it has not reported read.
    pub fn queued_out(&self) -> u64 {
        self.msgs_written - self.peers_msgs_read
    }

    /// Asks the peer's owner for its side of the statistics; the answer
    /// goes to `reply_to` (zmq_socket_monitor_pipes_stats).
    pub fn query_stats(&self, reply_to: Arc<SocketMailbox>, ends: Box<(String, String)>) {
        self.send_to_peer(PipeCommand::PipeStatsQuery {
            pipe: self.peer_id(),
            outbound: self.queued_out(),
            reply_to,
            ends,
        });
    }

    /// The id of the other end (commands to its owner carry it).
    pub fn peer_id(&self) -> PipeId {
        self.core.ids[1 - self.side]
    }

    // ---- reading ----

    fn fetch(&mut self) -> bool {
        if !self.inbuf.is_empty() {
            return true;
        }
        let mut q = self.core.queues[1 - self.side].lock();
        if q.items.is_empty() {
            q.reader_asleep = true;
            return false;
        }
        std::mem::swap(&mut q.items, &mut self.inbuf);
        true
    }

    fn readable_state(&self) -> bool {
        matches!(
            self.state,
            PipeState::Active | PipeState::WaitingForDelimiter
        )
    }

    /// Whether a message can be read now. Going to sleep on an empty pipe
    /// makes the next write send us `ActivateRead`.
    pub fn check_read(&mut self) -> bool {
        if !self.in_active || !self.readable_state() {
            return false;
        }
        if !self.fetch() {
            self.in_active = false;
            return false;
        }
        if self.inbuf.front().is_some_and(Msg::is_delimiter) {
            self.inbuf.pop_front();
            self.process_delimiter();
            return false;
        }
        true
    }

    /// Reads one frame.
    pub fn read(&mut self) -> Option<Msg> {
        if !self.check_read() {
            return None;
        }
        let m = self.inbuf.pop_front()?;
        if !m.more() && m.flags() & msg::ROUTING_ID == 0 {
            self.msgs_read += 1;
            if self.msgs_read == self.next_report {
                self.next_report += self.lwm;
                self.send_to_peer(PipeCommand::ActivateWrite(self.peer_id(), self.msgs_read));
            }
        }
        Some(m)
    }

    fn process_delimiter(&mut self) {
        self.terminate_now();
    }

    /// Our owner processed `ActivateRead` for this end.
    pub fn activate_read(&mut self) -> bool {
        if !self.in_active && self.readable_state() {
            self.in_active = true;
            return true;
        }
        false
    }

    // ---- writing ----

    fn full(&self) -> bool {
        self.hwm > 0 && self.msgs_written - self.peers_msgs_read >= self.hwm
    }

    /// Whether a frame can be written now (state and high-water mark).
    pub fn check_write(&mut self) -> bool {
        if !self.out_active || self.state != PipeState::Active {
            return false;
        }
        if self.full() && !(self.take_posted() && !self.full()) {
            self.out_active = false;
            return false;
        }
        true
    }

    /// Whether writing would succeed, without changing state.
    pub fn check_hwm(&mut self) -> bool {
        !self.full() || (self.take_posted() && !self.full())
    }

    /// Writes one frame; hands it back if the pipe cannot take it.
    pub fn write(&mut self, m: Msg) -> Result<(), Msg> {
        if !self.check_write() {
            return Err(m);
        }
        let done = !m.more() && m.flags() & msg::ROUTING_ID == 0;
        let boundary = !m.more();
        self.outbuf.push_back(m);
        if done {
            self.msgs_written += 1;
        }
        if boundary {
            self.complete = self.outbuf.len();
        }
        Ok(())
    }

    /// Publishes everything written, including a lone routing-id frame.
    pub fn flush_all(&mut self) {
        self.complete = self.outbuf.len();
        self.flush();
    }

    /// Drops the frames of an unfinished message.
    pub fn rollback(&mut self) {
        self.outbuf.truncate(self.complete);
    }

    /// Publishes the complete messages written so far.
    pub fn flush(&mut self) {
        if self.publish() {
            self.wake_reader();
        }
    }

    /// Publishes the complete messages written so far, without waking the
    /// reader: true if it was asleep, and `wake_reader` is then owed (the
    /// reader will not look again until it gets it).
    pub fn publish(&mut self) -> bool {
        if self.complete == 0 || self.state == PipeState::Terminated {
            return false;
        }
        let wake = {
            let mut q = self.core.queues[self.side].lock();
            if self.core.conflate[1 - self.side] {
                // Keep only the newest complete message.
                q.items.clear();
                let last = self.outbuf.drain(..self.complete).last();
                q.items.extend(last);
            } else if self.complete == self.outbuf.len() {
                if q.items.is_empty() {
                    // The reader keeps up: hand over the whole buffer
                    // (the reader's fetch swaps likewise).
                    std::mem::swap(&mut q.items, &mut self.outbuf);
                } else {
                    q.items.append(&mut self.outbuf);
                }
            } else {
                q.items.extend(self.outbuf.drain(..self.complete));
            }
            std::mem::replace(&mut q.reader_asleep, false)
        };
        self.complete = 0;
        wake
    }

    /// Wakes a reader that `publish` found asleep.
    pub fn wake_reader(&self) {
        self.send_to_peer(PipeCommand::ActivateRead(self.peer_id()));
    }

    /// Our owner processed `ActivateWrite`; true if the pipe became writable.
    pub fn activate_write(&mut self, msgs_read: u64) -> bool {
        self.peers_msgs_read = msgs_read;
        if !self.out_active && self.state == PipeState::Active {
            self.out_active = true;
            return true;
        }
        false
    }

    /// Sets the water marks from this side's options (`inhwm` for what we
    /// read, `outhwm` for what we write), plus any boost from the peer.
    pub fn set_hwms(&mut self, inhwm: u64, outhwm: u64) {
        self.own_marks = (inhwm, outhwm);
        let mut in_ = inhwm;
        let mut out = outhwm;
        if let Some(b) = self.in_hwmboost {
            in_ = if in_ == 0 || b == 0 { 0 } else { in_ + b };
        }
        if let Some(b) = self.out_hwmboost {
            out = if out == 0 || b == 0 { 0 } else { out + b };
        }
        self.set_lwm(compute_lwm(in_));
        self.hwm = out;
    }

    fn set_lwm(&mut self, lwm: u64) {
        self.lwm = lwm;
        self.next_report = if lwm == 0 {
            u64::MAX
        } else {
            (self.msgs_read / lwm + 1) * lwm
        };
    }

    /// The peer socket's own marks, added on top of ours (inproc).
    pub fn set_hwms_boost(&mut self, inhwmboost: u64, outhwmboost: u64) {
        self.in_hwmboost = Some(inhwmboost);
        self.out_hwmboost = Some(outhwmboost);
    }

    /// Gives the peer end a boost (as `set_hwms_boost`) and a disconnect
    /// message that it takes up the next time it checks its marks, closes
    /// or processes `Posted`, on whichever thread owns it. A late inproc
    /// bind: the connector may be writing already, and must not be held to
    /// its own marks until it gets round to its commands.
    pub fn post_to_peer(&self, boost: Option<(u64, u64)>, disconnect_msg: Option<Vec<u8>>) {
        let peer = 1 - self.side;
        *self.core.posted[peer].lock() = Posted {
            boost,
            disconnect_msg,
        };
        self.core.has_posted[peer].store(true, Ordering::Release);
    }

    /// Takes up what the peer posted; true if the marks changed.
    pub fn take_posted(&mut self) -> bool {
        if !self.core.has_posted[self.side].swap(false, Ordering::Acquire) {
            return false;
        }
        let posted = std::mem::take(&mut *self.core.posted[self.side].lock());
        if posted.disconnect_msg.is_some() {
            self.disconnect_msg = posted.disconnect_msg;
        }
        let Some((inb, outb)) = posted.boost else {
            return false;
        };
        self.set_hwms_boost(inb, outb);
        let (inhwm, outhwm) = self.own_marks;
        self.set_hwms(inhwm, outhwm);
        true
    }

    /// After the marks went up: writable again if the pipe had been found
    /// full and now has room (the owner then tells its socket).
    pub fn reactivate_write(&mut self) -> bool {
        if !self.out_active && self.state == PipeState::Active && !self.full() {
            self.out_active = true;
            return true;
        }
        false
    }

    /// Whether any complete message sits unread in our inbound direction.
    /// Whether any message (not just the terminator) waits to be read.
    pub fn has_unread_messages(&self) -> bool {
        self.inbuf.iter().any(|m| !m.is_delimiter())
            || self.core.queues[1 - self.side]
                .lock()
                .items
                .iter()
                .any(|m| !m.is_delimiter())
    }

    pub fn has_pending_inbound(&self) -> bool {
        !self.inbuf.is_empty() || !self.core.queues[1 - self.side].lock().items.is_empty()
    }

    // ---- termination ----

    fn terminate_now(&mut self) {
        self.state = PipeState::Terminated;
        self.in_active = false;
        self.out_active = false;
    }

    /// Closes this end locally: the peer reads what we flushed, then sees the
    /// end. After this the owner must forget the pipe.
    pub fn terminate(&mut self) {
        if self.state == PipeState::Terminated {
            return;
        }
        self.rollback();
        self.take_posted();
        if let Some(d) = self.disconnect_msg.take() {
            if self.state == PipeState::Active {
                // Past the high-water mark if need be, as libzmq writes it.
                self.outbuf.push_back(Msg::from_slice(&d));
                self.complete = self.outbuf.len();
            }
        }
        self.flush();
        self.terminate_now();
        {
            let mut q = self.core.queues[self.side].lock();
            q.items.push_back(Msg::delimiter());
            q.reader_asleep = false;
        }
        self.send_to_peer(PipeCommand::PipeTerm(self.peer_id()));
        let mut o = self.core.owners[self.side].lock();
        o.gone = true;
        o.inbox = None;
        o.pending.clear();
    }

    /// The peer closed its end (`PipeTerm`). Returns true if this end is now
    /// terminated; otherwise pending messages are still to be read.
    pub fn process_pipe_term(&mut self) -> bool {
        if self.state == PipeState::Terminated {
            return true;
        }
        self.out_active = false;
        self.outbuf.clear();
        self.complete = 0;
        let only_delimiter = self.inbuf.front().is_none_or(Msg::is_delimiter) && {
            let q = self.core.queues[1 - self.side].lock();
            self.inbuf.is_empty() && q.items.front().is_none_or(Msg::is_delimiter)
                || !self.inbuf.is_empty() && self.inbuf.front().is_some_and(Msg::is_delimiter)
        };
        if !self.delay || only_delimiter {
            self.terminate_now();
            true
        } else {
            self.state = PipeState::WaitingForDelimiter;
            self.in_active = true;
            false
        }
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        self.terminate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(hwm: u64) -> PipeParams {
        PipeParams {
            out_hwm: hwm,
            in_hwm: hwm,
            conflate: false,
        }
    }

    #[test]
    fn messages_flow_after_flush_only() {
        let (mut a, mut b) = pipe_pair(params(10), params(10));
        let mut m = Msg::from_slice(b"one");
        m.set_more(true);
        a.write(m).unwrap();
        a.flush();
        assert!(b.read().is_none(), "incomplete message is not published");
        a.write(Msg::from_slice(b"two")).unwrap();
        a.flush();
        assert!(b.activate_read());
        assert_eq!(b.read().unwrap().data(), b"one");
        assert_eq!(b.read().unwrap().data(), b"two");
        assert!(b.read().is_none());
    }

    #[test]
    fn a_posted_boost_is_taken_up_by_a_full_writer() {
        // A connect before its bind: the connector's end has only its own
        // marks (4 out, 4 in) until the binder posts its own (6, 2).
        let (mut conn, mut bind) = pipe_pair(params(4), params(4));
        for i in 0..4u8 {
            conn.write(Msg::from_slice(&[i])).unwrap();
        }
        bind.post_to_peer(Some((6, 2)), None);
        // No command processed: the writer finds the boost when full.
        assert!(conn.check_hwm());
        for i in 4..6u8 {
            conn.write(Msg::from_slice(&[i])).unwrap();
        }
        assert!(!conn.check_hwm(), "out: 4 + the binder's RCVHWM 2");
        assert!(conn.write(Msg::from_slice(b"x")).is_err());
        // Taken once: a later look changes nothing.
        assert!(!conn.take_posted());
        // In: 4 + the binder's SNDHWM 6, so the connector reports every 5.
        assert_eq!(conn.lwm, 5);
        conn.flush();
        for _ in 0..6 {
            bind.read().unwrap();
        }
    }

    #[test]
    fn a_writer_stopped_before_the_boost_is_reactivated_by_it() {
        let (mut conn, _bind) = pipe_pair(params(2), params(2));
        conn.write(Msg::from_slice(b"a")).unwrap();
        conn.write(Msg::from_slice(b"b")).unwrap();
        assert!(
            conn.write(Msg::from_slice(b"c")).is_err(),
            "full: writing stops"
        );
        _bind.post_to_peer(Some((3, 3)), None);
        // What the owner does on `Posted`.
        assert!(conn.take_posted() && conn.reactivate_write());
        conn.write(Msg::from_slice(b"c")).unwrap();
    }

    #[test]
    fn a_posted_disconnect_message_is_left_behind_on_close() {
        let (mut conn, mut bind) = pipe_pair(params(4), params(4));
        conn.write(Msg::from_slice(b"last")).unwrap();
        bind.post_to_peer(None, Some(b"gone".to_vec()));
        conn.terminate();
        assert!(bind.activate_read() || bind.check_read());
        assert_eq!(bind.read().unwrap().data(), b"last");
        assert_eq!(bind.read().unwrap().data(), b"gone");
        assert!(bind.read().is_none());
    }

    #[test]
    fn hwm_blocks_and_lwm_reopens() {
        let (mut a, mut b) = pipe_pair(params(4), params(4));
        let mb = Arc::new(SocketMailbox::new().unwrap());
        assert!(a.set_owner(Inbox::Socket(mb.clone())).is_empty());
        for i in 0..4u8 {
            a.write(Msg::from_slice(&[i])).unwrap();
        }
        a.flush();
        assert!(a.write(Msg::from_slice(b"x")).is_err());
        // lwm = 2: reading two messages reports to the writer.
        b.read().unwrap();
        b.read().unwrap();
        let mut active = false;
        match mb.try_recv(&mut active) {
            Some(SocketCommand::Pipe(PipeCommand::ActivateWrite(id, n))) => {
                assert_eq!(id, a.id());
                assert_eq!(n, 2);
                assert!(a.activate_write(n));
            }
            _ => panic!("expected ActivateWrite"),
        }
        assert!(a.write(Msg::from_slice(b"x")).is_ok());
    }

    #[test]
    fn reader_asleep_gets_one_activation() {
        let (mut a, mut b) = pipe_pair(params(0), params(0));
        let mb = Arc::new(SocketMailbox::new().unwrap());
        b.set_owner(Inbox::Socket(mb.clone()));
        assert!(b.read().is_none());
        a.write(Msg::from_slice(b"1")).unwrap();
        a.flush();
        a.write(Msg::from_slice(b"2")).unwrap();
        a.flush();
        let mut active = false;
        assert!(
            matches!(mb.try_recv(&mut active), Some(SocketCommand::Pipe(PipeCommand::ActivateRead(id))) if id == b.id())
        );
        assert!(mb.try_recv(&mut active).is_none());
    }

    #[test]
    fn a_wake_put_off_by_publish_is_owed_once() {
        let (mut a, mut b) = pipe_pair(params(0), params(0));
        let mb = Arc::new(SocketMailbox::new().unwrap());
        b.set_owner(Inbox::Socket(mb.clone()));
        assert!(b.read().is_none(), "the reader goes to sleep");
        a.write(Msg::from_slice(b"1")).unwrap();
        assert!(a.publish(), "the reader was asleep: a wake is owed");
        let mut active = false;
        assert!(mb.try_recv(&mut active).is_none(), "and not sent yet");
        a.write(Msg::from_slice(b"2")).unwrap();
        assert!(!a.publish(), "owed once, not per publish");
        a.wake_reader();
        assert!(
            matches!(mb.try_recv(&mut active), Some(SocketCommand::Pipe(PipeCommand::ActivateRead(id))) if id == b.id())
        );
        assert!(b.activate_read());
        assert_eq!(b.read().unwrap().data(), b"1");
        assert_eq!(b.read().unwrap().data(), b"2");
    }

    #[test]
    fn termination_delivers_pending_first() {
        let (mut a, mut b) = pipe_pair(params(0), params(0));
        a.write(Msg::from_slice(b"last words")).unwrap();
        a.flush();
        a.terminate();
        assert!(!b.process_pipe_term());
        assert_eq!(b.state(), PipeState::WaitingForDelimiter);
        assert_eq!(b.read().unwrap().data(), b"last words");
        assert!(b.read().is_none());
        assert!(b.is_terminated());
    }

    #[test]
    fn conflate_keeps_newest() {
        let a_params = params(0);
        let b_params = PipeParams {
            conflate: true,
            ..params(0)
        };
        let (mut a, mut b) = pipe_pair(a_params, b_params);
        for i in 0..5u8 {
            a.write(Msg::from_slice(&[i])).unwrap();
            a.flush();
        }
        assert_eq!(b.read().unwrap().data(), &[4]);
        assert!(b.read().is_none());
    }
}

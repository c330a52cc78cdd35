//! Fan-out to every matching pipe (libzmq's dist): PUB, XPUB, RADIO.
//!
//! Pipes are partitioned: [0, matching) match the current message,
//! [0, active) are writable and not mid-message-added, [0, eligible) are
//! writable; the rest are full.

use super::indexed::{IndexedArray, Slot};
use super::pipe_set::PipeSet;
use crate::msg::Msg;

#[derive(Default)]
pub struct Distributor {
    pipes: IndexedArray,
    matching: usize,
    active: usize,
    eligible: usize,
    more: bool,
}

impl Distributor {
    pub fn attach(&mut self, s: Slot) {
        self.pipes.push(s);
        let last = self.pipes.len() - 1;
        if self.more {
            // Joins after the message in flight is done.
            self.pipes.swap(self.eligible, last);
            self.eligible += 1;
        } else {
            self.pipes.swap(self.active, last);
            self.active += 1;
            self.eligible += 1;
        }
    }

    pub fn has_pipe(&self, s: Slot) -> bool {
        self.pipes.contains(s)
    }

    pub fn match_pipe(&mut self, s: Slot) {
        let Some(i) = self.pipes.index(s) else { return };
        if i < self.matching || i >= self.eligible {
            return;
        }
        self.pipes.swap(i, self.matching);
        self.matching += 1;
    }

    /// Makes the non-matching eligible pipes the matching ones (INVERT_MATCHING).
    pub fn reverse_match(&mut self) {
        let prev = self.matching;
        self.matching = 0;
        for i in prev..self.eligible {
            self.pipes.swap(i, self.matching);
            self.matching += 1;
        }
    }

    pub fn unmatch(&mut self) {
        self.matching = 0;
    }

    pub fn pipe_terminated(&mut self, s: Slot) {
        let Some(mut i) = self.pipes.index(s) else { return };
        if i < self.matching {
            self.pipes.swap(i, self.matching - 1);
            self.matching -= 1;
            i = self.matching;
        }
        if i < self.active {
            self.pipes.swap(i, self.active - 1);
            self.active -= 1;
            i = self.active;
        }
        if i < self.eligible {
            self.pipes.swap(i, self.eligible - 1);
            self.eligible -= 1;
        }
        self.pipes.erase(s);
    }

    pub fn activated(&mut self, s: Slot) {
        let Some(i) = self.pipes.index(s) else { return };
        if i < self.eligible {
            return;
        }
        self.pipes.swap(i, self.eligible);
        self.eligible += 1;
        if !self.more && self.active < self.pipes.len() {
            self.pipes.swap(self.eligible - 1, self.active);
            self.active += 1;
        }
    }

    pub fn send_to_all<P: PipeSet>(&mut self, pipes: &mut P, msg: &mut Msg) {
        self.matching = self.active;
        self.send_to_matching(pipes, msg);
    }

    pub fn send_to_matching<P: PipeSet>(&mut self, pipes: &mut P, msg: &mut Msg) {
        let more = msg.more();
        self.distribute(pipes, msg);
        if !more {
            self.active = self.eligible;
        }
        self.more = more;
    }

    fn distribute<P: PipeSet>(&mut self, pipes: &mut P, msg: &mut Msg) {
        let mut orig = Some(msg.take());
        // The last matching pipe gets the original; the others share its body.
        let mut i = 0;
        while i < self.matching {
            let s = self.pipes.get(i);
            let copy = if i + 1 == self.matching { orig.take() } else { orig.as_mut().map(Msg::share) };
            let Some(copy) = copy else { break };
            if self.write(pipes, s, copy) {
                i += 1;
            }
        }
    }

    /// Writes to one pipe; a full pipe leaves the active set.
    fn write<P: PipeSet>(&mut self, pipes: &mut P, s: Slot, m: Msg) -> bool {
        let more = m.more();
        if pipes.write(s, m).is_err() {
            let i = self.pipes.index(s).unwrap_or(0);
            self.pipes.swap(i, self.matching - 1);
            self.matching -= 1;
            let i = self.pipes.index(s).unwrap_or(0);
            self.pipes.swap(i, self.active - 1);
            self.active -= 1;
            self.pipes.swap(self.active, self.eligible - 1);
            self.eligible -= 1;
            return false;
        }
        if !more {
            pipes.flush(s);
        }
        true
    }

    /// Whether every matching pipe has room (XPUB_NODROP).
    pub fn check_hwm<P: PipeSet>(&mut self, pipes: &mut P) -> bool {
        (0..self.matching).all(|i| pipes.check_hwm(self.pipes.get(i)))
    }

    pub fn has_out(&self) -> bool {
        true
    }
}

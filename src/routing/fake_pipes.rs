//! An in-memory [`PipeSet`] for the strategies' unit tests: pipes with a
//! high-water mark, write batching and closing, and a record of what each
//! pipe published and how often the strategy tried it.
//!
//! Like the real pipes it counts a message against the high-water mark when
//! its last frame is written, publishes only whole messages on `flush`, and
//! panics on a slot that was removed (a strategy must forget a slot in
//! `pipe_terminated` before its pipe goes).

use super::indexed::Slot;
use super::pipe_set::PipeSet;
use crate::msg::Msg;
use std::collections::VecDeque;

#[derive(Default)]
pub(super) struct FakePipe {
    /// Frames waiting to be read by the socket.
    inbound: VecDeque<Msg>,
    /// Frames written and not yet published; the first `complete` of them
    /// end in a frame without MORE.
    unflushed: Vec<Msg>,
    complete: usize,
    /// Frames published to the peer and not yet taken by the test.
    published: Vec<Msg>,
    /// Whole messages written that the peer has not consumed (0 = no limit).
    hwm: usize,
    outstanding: usize,
    closed: bool,
    /// Calls to `write`/`check_write`, refused or not.
    pub write_tries: usize,
    /// Calls to `read`/`check_read`, fruitful or not.
    pub read_tries: usize,
}

#[derive(Default)]
pub(super) struct FakePipes {
    slots: Vec<Option<FakePipe>>,
}

/// A frame for the tests: `"a+"` is "a" with MORE, `"a"` a last frame.
pub(super) fn frame(spec: &str) -> Msg {
    let (data, more) = match spec.strip_suffix('+') {
        Some(d) => (d, true),
        None => (spec, false),
    };
    let mut m = Msg::from_slice(data.as_bytes());
    m.set_more(more);
    m
}

/// The inverse of `frame`.
pub(super) fn spec(m: &Msg) -> String {
    let mut s = String::from_utf8(m.data().to_vec()).expect("test frames are text");
    if m.more() {
        s.push('+');
    }
    s
}

impl FakePipes {
    /// Adds an open pipe without a high-water mark at slot `s`.
    pub(super) fn add(&mut self, s: Slot) {
        self.add_with_hwm(s, 0);
    }

    pub(super) fn add_with_hwm(&mut self, s: Slot, hwm: usize) {
        if self.slots.len() <= s {
            self.slots.resize_with(s + 1, || None);
        }
        assert!(self.slots[s].is_none(), "slot {s} is in use");
        self.slots[s] = Some(FakePipe {
            hwm,
            ..FakePipe::default()
        });
    }

    /// Forgets a pipe: any later use of `s` by a strategy panics.
    pub(super) fn remove(&mut self, s: Slot) {
        assert!(self.slots[s].take().is_some(), "slot {s} was not in use");
    }

    pub(super) fn pipe(&mut self, s: Slot) -> &mut FakePipe {
        match self.slots.get_mut(s).and_then(Option::as_mut) {
            Some(p) => p,
            None => panic!("strategy used slot {s}, which has no pipe"),
        }
    }

    /// Queues frames for the socket to read (`frame` specs).
    pub(super) fn queue_in(&mut self, s: Slot, specs: &[&str]) {
        self.pipe(s).inbound.extend(specs.iter().map(|f| frame(f)));
    }

    /// Takes what pipe `s` published so far (as `frame` specs).
    pub(super) fn take_published(&mut self, s: Slot) -> Vec<String> {
        self.pipe(s).published.drain(..).map(|m| spec(&m)).collect()
    }

    /// Frames written to `s` but not published yet.
    pub(super) fn unflushed(&mut self, s: Slot) -> Vec<String> {
        self.pipe(s).unflushed.iter().map(spec).collect()
    }

    /// The peer read everything: the pipe has room again.
    pub(super) fn drain(&mut self, s: Slot) {
        let p = self.pipe(s);
        p.published.clear();
        p.outstanding = 0;
    }

    /// The pipe is closing: it refuses reads and writes from now on.
    pub(super) fn close(&mut self, s: Slot) {
        self.pipe(s).closed = true;
    }
}

impl FakePipe {
    fn full(&self) -> bool {
        self.hwm > 0 && self.outstanding >= self.hwm
    }
}

impl PipeSet for FakePipes {
    fn read(&mut self, s: Slot) -> Option<Msg> {
        let p = self.pipe(s);
        p.read_tries += 1;
        if p.closed {
            return None;
        }
        p.inbound.pop_front()
    }

    fn check_read(&mut self, s: Slot) -> bool {
        let p = self.pipe(s);
        p.read_tries += 1;
        !p.closed && !p.inbound.is_empty()
    }

    fn write(&mut self, s: Slot, m: Msg) -> Result<(), Msg> {
        let p = self.pipe(s);
        p.write_tries += 1;
        if p.closed || p.full() {
            return Err(m);
        }
        let last = !m.more();
        p.unflushed.push(m);
        if last {
            p.outstanding += 1;
            p.complete = p.unflushed.len();
        }
        Ok(())
    }

    fn check_write(&mut self, s: Slot) -> bool {
        let p = self.pipe(s);
        p.write_tries += 1;
        !p.closed && !p.full()
    }

    fn flush(&mut self, s: Slot) {
        let p = self.pipe(s);
        let n = p.complete;
        p.published.extend(p.unflushed.drain(..n));
        p.complete = 0;
    }

    fn rollback(&mut self, s: Slot) {
        let p = self.pipe(s);
        p.unflushed.truncate(p.complete);
    }

    fn check_hwm(&mut self, s: Slot) -> bool {
        !self.pipe(s).full()
    }
}

//! A socket's pipes, addressed by small slot numbers the strategies use.

use super::{Pipe, PipeId};
use crate::msg::Msg;
use crate::routing::indexed::Slot;
use crate::routing::pipe_set::PipeSet;
use crate::util::idmap::IdMap;

#[derive(Default)]
pub struct PipeTable {
    slots: Vec<Option<Pipe>>,
    free: Vec<Slot>,
    by_id: IdMap<PipeId, Slot>,
    /// Pipes found terminated during an operation; the socket tells its
    /// strategies and drops them afterwards.
    pub dead: Vec<Slot>,
}

impl PipeTable {
    pub fn insert(&mut self, p: Pipe) -> Slot {
        let id = p.id();
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s] = Some(p);
                s
            }
            None => {
                self.slots.push(Some(p));
                self.slots.len() - 1
            }
        };
        self.by_id.insert(id, slot);
        slot
    }

    pub fn remove(&mut self, s: Slot) -> Option<Pipe> {
        let p = self.slots.get_mut(s)?.take()?;
        self.by_id.remove(&p.id());
        self.free.push(s);
        Some(p)
    }

    pub fn lookup(&self, id: PipeId) -> Option<Slot> {
        self.by_id.get(&id).copied()
    }

    #[inline]
    pub fn get(&mut self, s: Slot) -> &mut Pipe {
        // Slots handed to strategies are live until pipe_terminated ran.
        self.slots[s].as_mut().expect("live pipe slot")
    }

    pub fn try_get(&mut self, s: Slot) -> Option<&mut Pipe> {
        self.slots.get_mut(s).and_then(Option::as_mut)
    }

    /// The live slots in slot order (attach order, unless slots were reused),
    /// so that walks over all pipes are repeatable.
    pub fn slots(&self) -> Vec<Slot> {
        (0..self.slots.len())
            .filter(|&s| self.slots[s].is_some())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    fn note(&mut self, s: Slot) {
        if self.get(s).is_terminated() && !self.dead.contains(&s) {
            self.dead.push(s);
        }
    }

    #[inline]
    pub fn read(&mut self, s: Slot) -> Option<Msg> {
        let m = self.get(s).read();
        if m.is_none() {
            self.note(s);
        }
        m
    }

    #[inline]
    pub fn check_read(&mut self, s: Slot) -> bool {
        let r = self.get(s).check_read();
        if !r {
            self.note(s);
        }
        r
    }

    #[inline]
    pub fn write(&mut self, s: Slot, m: Msg) -> Result<(), Msg> {
        self.get(s).write(m)
    }

    #[inline]
    pub fn check_write(&mut self, s: Slot) -> bool {
        self.get(s).check_write()
    }

    #[inline]
    pub fn flush(&mut self, s: Slot) {
        self.get(s).flush()
    }

    pub fn rollback(&mut self, s: Slot) {
        self.get(s).rollback()
    }

    /// Closes a pipe from our side and queues it for removal.
    pub fn terminate(&mut self, s: Slot) {
        self.get(s).terminate();
        if !self.dead.contains(&s) {
            self.dead.push(s);
        }
    }
}

/// The strategies' view of the table: the same calls as above, so that a
/// read that finds a pipe closed still queues it in `dead`.
impl PipeSet for PipeTable {
    #[inline]
    fn read(&mut self, s: Slot) -> Option<Msg> {
        PipeTable::read(self, s)
    }

    #[inline]
    fn check_read(&mut self, s: Slot) -> bool {
        PipeTable::check_read(self, s)
    }

    #[inline]
    fn write(&mut self, s: Slot, m: Msg) -> Result<(), Msg> {
        PipeTable::write(self, s, m)
    }

    #[inline]
    fn check_write(&mut self, s: Slot) -> bool {
        PipeTable::check_write(self, s)
    }

    #[inline]
    fn flush(&mut self, s: Slot) {
        PipeTable::flush(self, s)
    }

    #[inline]
    fn rollback(&mut self, s: Slot) {
        PipeTable::rollback(self, s)
    }

    #[inline]
    fn check_hwm(&mut self, s: Slot) -> bool {
        self.get(s).check_hwm()
    }
}

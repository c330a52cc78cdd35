//! Round-robin over writable pipes, one whole message at a time (libzmq's lb).

use super::indexed::{IndexedArray, Slot};
use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::pipe::table::PipeTable;

#[derive(Default)]
pub struct LoadBalancer {
    pipes: IndexedArray,
    active: usize,
    current: usize,
    more: bool,
    dropping: bool,
}

impl LoadBalancer {
    pub fn attach(&mut self, s: Slot) {
        self.pipes.push(s);
        self.pipes.swap(self.pipes.len() - 1, self.active);
        self.active += 1;
    }

    pub fn pipe_terminated(&mut self, s: Slot) {
        let Some(index) = self.pipes.index(s) else { return };
        // A peer gone in the middle of a message: drop the rest of it.
        if index == self.current && self.more {
            self.dropping = true;
        }
        if index < self.active {
            self.active -= 1;
            self.pipes.swap(index, self.active);
            if self.current == self.active {
                self.current = 0;
            }
        }
        self.pipes.erase(s);
    }

    pub fn activated(&mut self, s: Slot) {
        if let Some(i) = self.pipes.index(s) {
            if i >= self.active {
                self.pipes.swap(i, self.active);
                self.active += 1;
            }
        }
    }

    /// Sends one frame; on success `msg` is left empty and the pipe used is
    /// returned. EAGAIN when no pipe can take it.
    pub fn send(&mut self, pipes: &mut PipeTable, msg: &mut Msg) -> Result<Option<Slot>> {
        if self.dropping {
            self.more = msg.more();
            self.dropping = self.more;
            *msg = Msg::new();
            return Ok(None);
        }
        let frame_more = msg.more();
        let mut used = None;
        while self.active > 0 {
            let s = self.pipes.get(self.current);
            match pipes.write(s, msg.take()) {
                Ok(()) => {
                    used = Some(s);
                    break;
                }
                Err(m) => *msg = m,
            }
            if self.more {
                pipes.rollback(s);
                self.dropping = frame_more;
                self.more = false;
                return Err(Error::EAGAIN);
            }
            self.active -= 1;
            if self.current < self.active {
                self.pipes.swap(self.current, self.active);
            } else {
                self.current = 0;
            }
        }
        let Some(s) = used else { return Err(Error::EAGAIN) };
        self.more = frame_more;
        if !self.more {
            pipes.flush(s);
            self.current += 1;
            if self.current >= self.active {
                self.current = 0;
            }
        }
        Ok(Some(s))
    }

    pub fn has_out(&mut self, pipes: &mut PipeTable) -> bool {
        if self.more {
            return true;
        }
        while self.active > 0 {
            if pipes.check_write(self.pipes.get(self.current)) {
                return true;
            }
            self.active -= 1;
            self.pipes.swap(self.current, self.active);
            if self.current == self.active {
                self.current = 0;
            }
        }
        false
    }
}

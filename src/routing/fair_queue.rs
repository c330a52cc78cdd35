//! Round-robin over readable pipes, one whole message at a time (libzmq's fq).

use super::indexed::{IndexedArray, Slot};
use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::pipe::table::PipeTable;

#[derive(Default)]
pub struct FairQueue {
    pipes: IndexedArray,
    active: usize,
    current: usize,
    more: bool,
}

impl FairQueue {
    pub fn attach(&mut self, s: Slot) {
        self.pipes.push(s);
        self.pipes.swap(self.pipes.len() - 1, self.active);
        self.active += 1;
    }

    pub fn pipe_terminated(&mut self, s: Slot) {
        let Some(index) = self.pipes.index(s) else { return };
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

    /// Receives one frame and the pipe it came from; EAGAIN if none.
    #[inline]
    pub fn recv(&mut self, pipes: &mut PipeTable) -> Result<(Msg, Slot)> {
        while self.active > 0 {
            let s = self.pipes.get(self.current);
            if let Some(m) = pipes.read(s) {
                self.more = m.more();
                if !self.more {
                    self.current = (self.current + 1) % self.active;
                }
                return Ok((m, s));
            }
            // Messages are published whole, so a pipe never runs dry mid-message.
            self.more = false;
            self.active -= 1;
            self.pipes.swap(self.current, self.active);
            if self.current == self.active {
                self.current = 0;
            }
        }
        Err(Error::EAGAIN)
    }

    pub fn has_in(&mut self, pipes: &mut PipeTable) -> bool {
        if self.more {
            return true;
        }
        while self.active > 0 {
            if pipes.check_read(self.pipes.get(self.current)) {
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

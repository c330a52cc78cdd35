//! Round-robin over readable pipes, one whole message at a time (libzmq's fq).

use super::indexed::{ActiveSet, Slot};
use super::pipe_set::PipeSet;
use crate::error::{Error, Result};
use crate::msg::Msg;

#[derive(Default)]
pub struct FairQueue {
    set: ActiveSet,
    more: bool,
}

impl FairQueue {
    pub fn attach(&mut self, s: Slot) {
        self.set.attach(s);
    }

    pub fn pipe_terminated(&mut self, s: Slot) {
        self.set.remove(s);
    }

    pub fn activated(&mut self, s: Slot) {
        self.set.activated(s);
    }

    /// Receives one frame and the pipe it came from; EAGAIN if none.
    #[inline]
    pub fn recv<P: PipeSet>(&mut self, pipes: &mut P) -> Result<(Msg, Slot)> {
        while self.set.active > 0 {
            let s = self.set.current();
            if let Some(m) = pipes.read(s) {
                self.more = m.more();
                if !self.more {
                    self.set.advance();
                }
                return Ok((m, s));
            }
            // Messages are published whole, so a pipe never runs dry mid-message.
            self.more = false;
            self.set.deactivate_current();
        }
        Err(Error::EAGAIN)
    }

    pub fn has_in<P: PipeSet>(&mut self, pipes: &mut P) -> bool {
        if self.more {
            return true;
        }
        while self.set.active > 0 {
            if pipes.check_read(self.set.current()) {
                return true;
            }
            self.set.deactivate_current();
        }
        false
    }
}

//! Round-robin over writable pipes, one whole message at a time (libzmq's lb).

use super::indexed::{ActiveSet, Slot};
use super::pipe_set::PipeSet;
use crate::error::{Error, Result};
use crate::msg::Msg;

#[derive(Default)]
pub struct LoadBalancer {
    set: ActiveSet,
    more: bool,
    dropping: bool,
}

impl LoadBalancer {
    pub fn attach(&mut self, s: Slot) {
        self.set.attach(s);
    }

    pub fn pipe_terminated(&mut self, s: Slot) {
        // A peer gone in the middle of a message: drop the rest of it.
        if self.more && self.set.pipes.index(s) == Some(self.set.current) {
            self.dropping = true;
        }
        self.set.remove(s);
    }

    pub fn activated(&mut self, s: Slot) {
        self.set.activated(s);
    }

    /// Sends one frame; on success `msg` is left empty and the pipe used is
    /// returned. EAGAIN when no pipe can take it.
    pub fn send<P: PipeSet>(&mut self, pipes: &mut P, msg: &mut Msg) -> Result<Option<Slot>> {
        if self.dropping {
            self.more = msg.more();
            self.dropping = self.more;
            *msg = Msg::new();
            return Ok(None);
        }
        let frame_more = msg.more();
        let mut used = None;
        while self.set.active > 0 {
            let s = self.set.current();
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
            self.set.deactivate_current();
        }
        let Some(s) = used else { return Err(Error::EAGAIN) };
        self.more = frame_more;
        if !self.more {
            pipes.flush(s);
            self.set.advance();
        }
        Ok(Some(s))
    }

    pub fn has_out<P: PipeSet>(&mut self, pipes: &mut P) -> bool {
        if self.more {
            return true;
        }
        while self.set.active > 0 {
            if pipes.check_write(self.set.current()) {
                return true;
            }
            self.set.deactivate_current();
        }
        false
    }
}

//! PAIR (and the draft CHANNEL): exactly one peer; later peers are refused.

use crate::error::{Error, Result};
use crate::msg::Msg;
use crate::routing::indexed::Slot;
use crate::socket::base::Base;
use crate::socket::Behavior;

pub(super) struct Pair {
    pipe: Option<Slot>,
    /// CHANNEL: single-frame messages only.
    single_frame: bool,
}

impl Pair {
    pub(super) fn new(single_frame: bool) -> Pair {
        Pair {
            pipe: None,
            single_frame,
        }
    }
}

impl Behavior for Pair {
    fn attach_pipe(&mut self, b: &mut Base, s: Slot, _: bool, _: bool) {
        if self.pipe.is_none() {
            self.pipe = Some(s);
        } else {
            b.pipes.terminate(s);
        }
    }

    fn pipe_terminated(&mut self, _b: &mut Base, s: Slot) {
        if self.pipe == Some(s) {
            self.pipe = None;
        }
    }

    fn send(&mut self, b: &mut Base, msg: &mut Msg) -> Result<()> {
        if self.single_frame && msg.more() {
            return Err(Error::EINVAL);
        }
        let s = self.pipe.ok_or(Error::EAGAIN)?;
        let more = msg.more();
        match b.pipes.write(s, msg.take()) {
            Ok(()) => {
                if !more {
                    b.pipes.flush(s);
                }
                Ok(())
            }
            Err(m) => {
                *msg = m;
                Err(Error::EAGAIN)
            }
        }
    }

    fn recv(&mut self, b: &mut Base) -> Result<Msg> {
        let s = self.pipe.ok_or(Error::EAGAIN)?;
        loop {
            let m = b.pipes.read(s).ok_or(Error::EAGAIN)?;
            if self.single_frame && m.more() {
                // Drop multi-frame messages whole.
                let mut more = true;
                while more {
                    more = b.pipes.read(s).is_some_and(|m| m.more());
                }
                continue;
            }
            return Ok(m);
        }
    }

    fn has_in(&mut self, b: &mut Base) -> bool {
        self.pipe.is_some_and(|s| b.pipes.check_read(s))
    }

    fn has_out(&mut self, b: &mut Base) -> bool {
        self.pipe.is_some_and(|s| b.pipes.check_write(s))
    }
}

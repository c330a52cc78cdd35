//! Round-robin over readable pipes, one whole message at a time (libzmq's fq).

use super::indexed::{ActiveSet, Slot};
use super::pipe_set::PipeSet;
use crate::error::{Error, Result};
use crate::msg::Msg;

#[derive(Default)]
pub(crate) struct FairQueue {
    set: ActiveSet,
    more: bool,
}

impl FairQueue {
    pub(crate) fn attach(&mut self, s: Slot) {
        self.set.attach(s);
    }

    pub(crate) fn pipe_terminated(&mut self, s: Slot) {
        self.set.remove(s);
    }

    pub(crate) fn activated(&mut self, s: Slot) {
        self.set.activated(s);
    }

    /// Receives one frame and the pipe it came from; EAGAIN if none.
    #[inline]
    pub(crate) fn recv<P: PipeSet>(&mut self, pipes: &mut P) -> Result<(Msg, Slot)> {
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

    pub(crate) fn has_in<P: PipeSet>(&mut self, pipes: &mut P) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::fake_pipes::{spec, FakePipes};

    /// A queue over pipes at slots `0..inbound.len()` holding those frames.
    fn queue(pipes: &mut FakePipes, inbound: &[&[&str]]) -> FairQueue {
        let mut fq = FairQueue::default();
        for (s, frames) in inbound.iter().enumerate() {
            pipes.add(s);
            pipes.queue_in(s, frames);
            fq.attach(s);
        }
        fq
    }

    /// Receives until EAGAIN: each frame with the pipe it came from.
    fn recv_all(fq: &mut FairQueue, pipes: &mut FakePipes) -> Vec<(String, Slot)> {
        let mut got = Vec::new();
        loop {
            match fq.recv(pipes) {
                Ok((m, s)) => got.push((spec(&m), s)),
                Err(e) => {
                    assert_eq!(e, Error::EAGAIN);
                    return got;
                }
            }
        }
    }

    fn got(v: &[(&str, Slot)]) -> Vec<(String, Slot)> {
        v.iter().map(|&(f, s)| (f.to_string(), s)).collect()
    }

    #[test]
    fn messages_are_taken_round_robin_from_the_pipes() {
        let mut pipes = FakePipes::default();
        let mut fq = queue(&mut pipes, &[&["a1", "a2", "a3"], &["b1", "b2"], &["c1"]]);
        assert!(fq.has_in(&mut pipes));
        assert_eq!(
            recv_all(&mut fq, &mut pipes),
            got(&[
                ("a1", 0),
                ("b1", 1),
                ("c1", 2),
                ("a2", 0),
                ("b2", 1),
                ("a3", 0)
            ])
        );
        assert!(!fq.has_in(&mut pipes));
    }

    #[test]
    fn a_multipart_message_is_read_whole_from_one_pipe_before_switching() {
        let mut pipes = FakePipes::default();
        let mut fq = queue(&mut pipes, &[&["a+", "b+", "c", "d"], &["x+", "y"], &["z"]]);
        assert_eq!(
            fq.recv(&mut pipes).map(|(m, s)| (spec(&m), s)),
            Ok(("a+".into(), 0))
        );
        assert!(fq.has_in(&mut pipes), "mid-message there is always more");
        assert_eq!(
            recv_all(&mut fq, &mut pipes),
            got(&[("b+", 0), ("c", 0), ("x+", 1), ("y", 1), ("z", 2), ("d", 0)])
        );
    }

    #[test]
    fn a_pipe_found_empty_waits_for_activation() {
        let mut pipes = FakePipes::default();
        let mut fq = queue(&mut pipes, &[&["a1", "a2"], &[]]);
        assert_eq!(recv_all(&mut fq, &mut pipes), got(&[("a1", 0), ("a2", 0)]));
        let tries = pipes.pipe(1).read_tries;
        // Data arriving is not enough: the pipe is not polled until activated.
        pipes.queue_in(1, &["b1"]);
        assert!(!fq.has_in(&mut pipes));
        assert!(recv_all(&mut fq, &mut pipes).is_empty());
        assert_eq!(pipes.pipe(1).read_tries, tries);
        fq.activated(1);
        assert!(fq.has_in(&mut pipes));
        assert_eq!(recv_all(&mut fq, &mut pipes), got(&[("b1", 1)]));
        // Activating an active pipe does not count it twice.
        pipes.queue_in(0, &["a3", "a4"]);
        pipes.queue_in(1, &["b2", "b3"]);
        fq.activated(0);
        fq.activated(1);
        fq.activated(1);
        let mut slots: Vec<Slot> = recv_all(&mut fq, &mut pipes)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        slots.sort_unstable();
        assert_eq!(slots, [0, 0, 1, 1]);
    }

    #[test]
    fn a_closed_pipe_is_skipped_and_a_terminated_one_forgotten() {
        let mut pipes = FakePipes::default();
        let mut fq = queue(&mut pipes, &[&["a1", "a2"], &["b1"], &["c1", "c2"]]);
        pipes.close(1);
        assert_eq!(
            recv_all(&mut fq, &mut pipes),
            got(&[("a1", 0), ("c1", 2), ("a2", 0), ("c2", 2)])
        );
        fq.pipe_terminated(1);
        pipes.remove(1);
        fq.activated(1); // a late activation for a pipe gone: ignored
        fq.activated(0);
        fq.activated(2);
        assert!(!fq.has_in(&mut pipes));
        // The socket reuses the slot for a new pipe.
        pipes.add(1);
        pipes.queue_in(1, &["n1", "n2"]);
        pipes.queue_in(0, &["a3"]);
        fq.attach(1);
        fq.activated(0);
        let got_now = recv_all(&mut fq, &mut pipes);
        assert_eq!(
            got_now.iter().filter(|(_, s)| *s == 1).count(),
            2,
            "{got_now:?}"
        );
        assert_eq!(got_now.len(), 3, "{got_now:?}");
    }

    #[test]
    fn a_pipe_removed_mid_round_leaves_the_rotation_of_the_others_intact() {
        let mut pipes = FakePipes::default();
        let mut fq = queue(
            &mut pipes,
            &[&["a1", "a2"], &["b1", "b2"], &["c1", "c2"], &["d1", "d2"]],
        );
        assert_eq!(
            fq.recv(&mut pipes).map(|(m, s)| (spec(&m), s)),
            Ok(("a1".into(), 0))
        );
        // Pipe 1 (next in line) goes; the last takes its place, as in libzmq.
        fq.pipe_terminated(1);
        pipes.remove(1);
        assert_eq!(
            recv_all(&mut fq, &mut pipes),
            got(&[("d1", 3), ("c1", 2), ("a2", 0), ("d2", 3), ("c2", 2)])
        );
    }
}

//! Round-robin over writable pipes, one whole message at a time (libzmq's lb).

use super::indexed::{ActiveSet, Slot};
use super::pipe_set::PipeSet;
use crate::error::{Error, Result};
use crate::msg::Msg;

#[derive(Default)]
pub(crate) struct LoadBalancer {
    set: ActiveSet,
    more: bool,
    dropping: bool,
}

impl LoadBalancer {
    pub(crate) fn attach(&mut self, s: Slot) {
        self.set.attach(s);
    }

    pub(crate) fn pipe_terminated(&mut self, s: Slot) {
        // A peer gone in the middle of a message: drop the rest of it.
        if self.more && self.set.pipes.index(s) == Some(self.set.current) {
            self.dropping = true;
        }
        self.set.remove(s);
    }

    pub(crate) fn activated(&mut self, s: Slot) {
        self.set.activated(s);
    }

    /// Sends one frame; on success `msg` is left empty and the pipe used is
    /// returned. EAGAIN when no pipe can take it.
    pub(crate) fn send<P: PipeSet>(
        &mut self,
        pipes: &mut P,
        msg: &mut Msg,
    ) -> Result<Option<Slot>> {
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
        let Some(s) = used else {
            return Err(Error::EAGAIN);
        };
        self.more = frame_more;
        if !self.more {
            pipes.flush(s);
            self.set.advance();
        }
        Ok(Some(s))
    }

    pub(crate) fn has_out<P: PipeSet>(&mut self, pipes: &mut P) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::fake_pipes::{frame, spec, FakePipes};

    /// A balancer over pipes at slots `0..n`, attached in order.
    fn balancer(pipes: &mut FakePipes, hwms: &[usize]) -> LoadBalancer {
        let mut lb = LoadBalancer::default();
        for (s, &hwm) in hwms.iter().enumerate() {
            pipes.add_with_hwm(s, hwm);
            lb.attach(s);
        }
        lb
    }

    fn send(lb: &mut LoadBalancer, pipes: &mut FakePipes, f: &str) -> Result<Option<Slot>> {
        let mut m = frame(f);
        let r = lb.send(pipes, &mut m);
        match r {
            Ok(_) => assert_eq!(
                m.size(),
                0,
                "a sent frame leaves the caller's message empty"
            ),
            Err(_) => assert_eq!(spec(&m), f, "a refused frame stays with the caller"),
        }
        r
    }

    /// The pipe each message (single frames named by their index) went to.
    fn send_n(
        lb: &mut LoadBalancer,
        pipes: &mut FakePipes,
        range: std::ops::Range<usize>,
    ) -> Vec<Slot> {
        range
            .map(|i| {
                send(lb, pipes, &i.to_string())
                    .unwrap()
                    .expect("a pipe was used")
            })
            .collect()
    }

    #[test]
    fn messages_go_round_robin_over_the_pipes() {
        let mut pipes = FakePipes::default();
        let mut lb = balancer(&mut pipes, &[0, 0, 0]);
        assert_eq!(send_n(&mut lb, &mut pipes, 0..7), [0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(pipes.take_published(0), ["0", "3", "6"]);
        assert_eq!(pipes.take_published(1), ["1", "4"]);
        assert_eq!(pipes.take_published(2), ["2", "5"]);
    }

    #[test]
    fn a_multipart_message_goes_whole_to_one_pipe_and_is_flushed_at_its_end() {
        let mut pipes = FakePipes::default();
        let mut lb = balancer(&mut pipes, &[0, 0]);
        assert_eq!(send(&mut lb, &mut pipes, "a+"), Ok(Some(0)));
        assert_eq!(send(&mut lb, &mut pipes, "b+"), Ok(Some(0)));
        assert_eq!(pipes.unflushed(0), ["a+", "b+"]);
        assert!(
            pipes.take_published(0).is_empty(),
            "nothing published mid-message"
        );
        assert_eq!(send(&mut lb, &mut pipes, "c"), Ok(Some(0)));
        assert_eq!(send(&mut lb, &mut pipes, "d+"), Ok(Some(1)));
        assert_eq!(send(&mut lb, &mut pipes, "e"), Ok(Some(1)));
        assert_eq!(send(&mut lb, &mut pipes, "f"), Ok(Some(0)));
        assert_eq!(pipes.take_published(0), ["a+", "b+", "c", "f"]);
        assert_eq!(pipes.take_published(1), ["d+", "e"]);
    }

    #[test]
    fn a_pipe_at_its_hwm_is_skipped_until_activated() {
        let mut pipes = FakePipes::default();
        let mut lb = balancer(&mut pipes, &[0, 1, 0]);
        // Pipe 1 takes one message, then is full and the round goes on without it.
        assert_eq!(send_n(&mut lb, &mut pipes, 0..8), [0, 1, 2, 0, 2, 0, 2, 0]);
        assert_eq!(pipes.take_published(1), ["1"]);
        // Tried once when full, then left alone: not polled on every send.
        assert_eq!(pipes.pipe(1).write_tries, 2);
        pipes.drain(1);
        assert_eq!(
            send_n(&mut lb, &mut pipes, 8..10),
            [2, 0],
            "room alone does not bring it back"
        );
        assert_eq!(pipes.pipe(1).write_tries, 2);
        lb.activated(1);
        let mut round = send_n(&mut lb, &mut pipes, 10..13);
        round.sort_unstable();
        assert_eq!(round, [0, 1, 2], "back in the rotation, once per round");
    }

    #[test]
    fn with_every_pipe_full_a_send_is_eagain_and_keeps_the_message() {
        let mut pipes = FakePipes::default();
        let mut lb = balancer(&mut pipes, &[1, 1]);
        assert_eq!(send_n(&mut lb, &mut pipes, 0..2), [0, 1]);
        assert!(!lb.has_out(&mut pipes));
        assert_eq!(send(&mut lb, &mut pipes, "x"), Err(Error::EAGAIN));
        pipes.drain(1);
        lb.activated(1);
        assert!(lb.has_out(&mut pipes));
        assert_eq!(send(&mut lb, &mut pipes, "x"), Ok(Some(1)));
        assert_eq!(pipes.take_published(1), ["x"]);
        assert_eq!(
            LoadBalancer::default().send(&mut pipes, &mut frame("y")),
            Err(Error::EAGAIN)
        );
    }

    #[test]
    fn a_pipe_removed_mid_round_leaves_the_rotation_of_the_others_intact() {
        let mut pipes = FakePipes::default();
        let mut lb = balancer(&mut pipes, &[0, 0, 0, 0, 0]);
        assert_eq!(send_n(&mut lb, &mut pipes, 0..2), [0, 1]);
        // The pipe next in line goes; as in libzmq the last of the rotation
        // takes its place: [0, 1, 4, 3].
        lb.pipe_terminated(2);
        pipes.remove(2);
        assert_eq!(send_n(&mut lb, &mut pipes, 2..4), [4, 3]);
        // The last pipe goes while next in line: the round starts over.
        assert_eq!(send_n(&mut lb, &mut pipes, 4..7), [0, 1, 4]);
        lb.pipe_terminated(3);
        pipes.remove(3);
        // A pipe already served this round goes: [4, 1].
        assert_eq!(send(&mut lb, &mut pipes, "7"), Ok(Some(0)));
        lb.pipe_terminated(0);
        pipes.remove(0);
        assert_eq!(send_n(&mut lb, &mut pipes, 8..12), [1, 4, 1, 4]);
        assert_eq!(pipes.take_published(1), ["1", "5", "8", "10"]);
        assert_eq!(pipes.take_published(4), ["2", "6", "9", "11"]);
    }

    #[test]
    fn the_rest_of_a_message_whose_pipe_went_is_dropped_not_sent_elsewhere() {
        let mut pipes = FakePipes::default();
        let mut lb = balancer(&mut pipes, &[0, 0]);
        assert_eq!(send(&mut lb, &mut pipes, "a+"), Ok(Some(0)));
        lb.pipe_terminated(0);
        pipes.remove(0);
        assert_eq!(send(&mut lb, &mut pipes, "b+"), Ok(None));
        assert_eq!(send(&mut lb, &mut pipes, "c"), Ok(None));
        assert!(pipes.unflushed(1).is_empty());
        assert_eq!(
            send(&mut lb, &mut pipes, "d+"),
            Ok(Some(1)),
            "the next message is sent again"
        );
        assert_eq!(send(&mut lb, &mut pipes, "e"), Ok(Some(1)));
        assert_eq!(pipes.take_published(1), ["d+", "e"]);
    }

    #[test]
    fn another_pipe_going_mid_message_does_not_disturb_it() {
        let mut pipes = FakePipes::default();
        let mut lb = balancer(&mut pipes, &[0, 0]);
        assert_eq!(send(&mut lb, &mut pipes, "a+"), Ok(Some(0)));
        lb.pipe_terminated(1);
        pipes.remove(1);
        assert_eq!(send(&mut lb, &mut pipes, "b"), Ok(Some(0)));
        assert_eq!(pipes.take_published(0), ["a+", "b"]);
    }

    #[test]
    fn a_pipe_refusing_mid_message_is_rolled_back_and_the_rest_dropped() {
        // A pipe closing under a multipart message (libzmq's lb: roll back,
        // EAGAIN, then drop the remaining frames).
        let mut pipes = FakePipes::default();
        let mut lb = balancer(&mut pipes, &[0, 0]);
        assert_eq!(send(&mut lb, &mut pipes, "a+"), Ok(Some(0)));
        pipes.close(0);
        assert!(
            lb.has_out(&mut pipes),
            "mid-message the rest is always taken"
        );
        assert_eq!(send(&mut lb, &mut pipes, "b+"), Err(Error::EAGAIN));
        assert!(
            pipes.unflushed(0).is_empty(),
            "the frames written are taken back"
        );
        // Retried, and the frames after it: dropped.
        assert_eq!(send(&mut lb, &mut pipes, "b+"), Ok(None));
        assert_eq!(send(&mut lb, &mut pipes, "c"), Ok(None));
        assert!(pipes.unflushed(1).is_empty());
        assert_eq!(send(&mut lb, &mut pipes, "d"), Ok(Some(1)));
        assert_eq!(pipes.take_published(1), ["d"]);
        assert!(pipes.take_published(0).is_empty());
    }
}

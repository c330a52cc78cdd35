//! Fan-out to every matching pipe (libzmq's dist): PUB, XPUB, RADIO.
//!
//! Pipes are partitioned: [0, matching) match the current message,
//! [0, active) are writable and not mid-message-added, [0, eligible) are
//! writable; the rest are full.

use super::indexed::{IndexedArray, Slot};
use super::pipe_set::PipeSet;
use crate::msg::Msg;

#[derive(Default)]
pub(crate) struct Distributor {
    pipes: IndexedArray,
    matching: usize,
    active: usize,
    eligible: usize,
    more: bool,
}

impl Distributor {
    pub(crate) fn attach(&mut self, s: Slot) {
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

    pub(crate) fn has_pipe(&self, s: Slot) -> bool {
        self.pipes.contains(s)
    }

    pub(crate) fn match_pipe(&mut self, s: Slot) {
        let Some(i) = self.pipes.index(s) else { return };
        if i < self.matching || i >= self.eligible {
            return;
        }
        self.pipes.swap(i, self.matching);
        self.matching += 1;
    }

    /// Makes the non-matching eligible pipes the matching ones (INVERT_MATCHING).
    pub(crate) fn reverse_match(&mut self) {
        let prev = self.matching;
        self.matching = 0;
        for i in prev..self.eligible {
            self.pipes.swap(i, self.matching);
            self.matching += 1;
        }
    }

    pub(crate) fn unmatch(&mut self) {
        self.matching = 0;
    }

    pub(crate) fn pipe_terminated(&mut self, s: Slot) {
        let Some(mut i) = self.pipes.index(s) else {
            return;
        };
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

    pub(crate) fn activated(&mut self, s: Slot) {
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

    pub(crate) fn send_to_all<P: PipeSet>(&mut self, pipes: &mut P, msg: &mut Msg) {
        self.matching = self.active;
        self.send_to_matching(pipes, msg);
    }

    pub(crate) fn send_to_matching<P: PipeSet>(&mut self, pipes: &mut P, msg: &mut Msg) {
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
            let copy = if i + 1 == self.matching {
                orig.take()
            } else {
                orig.as_mut().map(Msg::share)
            };
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
    pub(crate) fn check_hwm<P: PipeSet>(&mut self, pipes: &mut P) -> bool {
        (0..self.matching).all(|i| pipes.check_hwm(self.pipes.get(i)))
    }

    pub(crate) fn has_out(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::fake_pipes::{frame, FakePipes};

    /// A distributor over pipes at slots `0..hwms.len()`, attached in order.
    fn distributor(pipes: &mut FakePipes, hwms: &[usize]) -> Distributor {
        let mut d = Distributor::default();
        for (s, &hwm) in hwms.iter().enumerate() {
            pipes.add_with_hwm(s, hwm);
            d.attach(s);
        }
        d
    }

    fn to_all(d: &mut Distributor, pipes: &mut FakePipes, f: &str) {
        let mut m = frame(f);
        d.send_to_all(pipes, &mut m);
        assert_eq!(m.size(), 0, "the caller's message is consumed");
    }

    fn to_matching(d: &mut Distributor, pipes: &mut FakePipes, matching: &[Slot], f: &str) {
        d.unmatch();
        for &s in matching {
            d.match_pipe(s);
        }
        d.send_to_matching(pipes, &mut frame(f));
    }

    /// What each of the pipes `0..n` published since last asked.
    fn published(pipes: &mut FakePipes, n: usize) -> Vec<Vec<String>> {
        (0..n).map(|s| pipes.take_published(s)).collect()
    }

    fn expect(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|fs| fs.iter().map(|f| f.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_message_reaches_every_pipe_and_is_flushed_at_its_end() {
        let mut pipes = FakePipes::default();
        let mut d = distributor(&mut pipes, &[0, 0, 0]);
        // A body too big to be inline, so the copies share it.
        let big = "x".repeat(100);
        to_all(&mut d, &mut pipes, "a+");
        assert_eq!(published(&mut pipes, 3), expect(&[&[], &[], &[]]));
        assert_eq!(pipes.unflushed(2), ["a+"]);
        to_all(&mut d, &mut pipes, &big);
        assert_eq!(
            published(&mut pipes, 3),
            expect(&[&["a+", &big], &["a+", &big], &["a+", &big]])
        );
    }

    #[test]
    fn only_the_matching_pipes_get_the_message() {
        let mut pipes = FakePipes::default();
        let mut d = distributor(&mut pipes, &[0, 0, 0, 0]);
        to_matching(&mut d, &mut pipes, &[0, 2], "m");
        to_matching(&mut d, &mut pipes, &[3], "n");
        to_matching(&mut d, &mut pipes, &[], "lost");
        assert_eq!(
            published(&mut pipes, 4),
            expect(&[&["m"], &[], &["m"], &["n"]])
        );
        // INVERT_MATCHING: the pipes not matched get it.
        d.unmatch();
        d.match_pipe(1);
        d.match_pipe(1);
        d.reverse_match();
        d.send_to_matching(&mut pipes, &mut frame("o"));
        assert_eq!(
            published(&mut pipes, 4),
            expect(&[&["o"], &[], &["o"], &["o"]])
        );
    }

    #[test]
    fn a_pipe_at_its_hwm_misses_messages_until_activated() {
        let mut pipes = FakePipes::default();
        let mut d = distributor(&mut pipes, &[0, 1, 0]);
        to_all(&mut d, &mut pipes, "a");
        to_all(&mut d, &mut pipes, "b");
        to_all(&mut d, &mut pipes, "c");
        assert_eq!(
            published(&mut pipes, 3),
            expect(&[&["a", "b", "c"], &["a"], &["a", "b", "c"]])
        );
        assert_eq!(
            pipes.pipe(1).write_tries,
            2,
            "a full pipe is not tried again"
        );
        pipes.drain(1);
        to_all(&mut d, &mut pipes, "d");
        assert_eq!(
            published(&mut pipes, 3),
            expect(&[&["d"], &[], &["d"]]),
            "room alone is not enough"
        );
        d.activated(1);
        to_all(&mut d, &mut pipes, "e");
        assert_eq!(published(&mut pipes, 3), expect(&[&["e"], &["e"], &["e"]]));
        // A matched pipe that is full drops out of the match as well.
        to_matching(&mut d, &mut pipes, &[1, 2], "f");
        assert_eq!(published(&mut pipes, 3), expect(&[&[], &[], &["f"]]));
    }

    #[test]
    fn the_others_get_the_message_whichever_pipe_is_full() {
        // The last matching pipe gets the original, the others copies: a
        // full pipe at any place must not cost another pipe its message.
        for full in 0..3 {
            let mut pipes = FakePipes::default();
            let mut hwms = [0; 3];
            hwms[full] = 1;
            let mut d = distributor(&mut pipes, &hwms);
            let big = "y".repeat(100);
            to_all(&mut d, &mut pipes, "a");
            to_all(&mut d, &mut pipes, &big);
            let mut want = vec![vec!["a".to_string(), big.clone()]; 3];
            want[full].pop();
            assert_eq!(published(&mut pipes, 3), want, "pipe {full} full");
        }
    }

    #[test]
    fn a_pipe_attached_mid_message_starts_with_the_next_message() {
        let mut pipes = FakePipes::default();
        let mut d = distributor(&mut pipes, &[0, 0]);
        to_all(&mut d, &mut pipes, "a+");
        pipes.add(2);
        d.attach(2);
        to_all(&mut d, &mut pipes, "b");
        to_all(&mut d, &mut pipes, "c");
        assert_eq!(
            published(&mut pipes, 3),
            expect(&[&["a+", "b", "c"], &["a+", "b", "c"], &["c"]])
        );
    }

    #[test]
    fn a_pipe_activated_mid_message_starts_with_the_next_message() {
        let mut pipes = FakePipes::default();
        let mut d = distributor(&mut pipes, &[0, 1]);
        to_all(&mut d, &mut pipes, "x");
        to_all(&mut d, &mut pipes, "a+"); // pipe 1 is full: it misses this message
        pipes.drain(1);
        d.activated(1);
        to_all(&mut d, &mut pipes, "b");
        to_all(&mut d, &mut pipes, "c");
        assert_eq!(
            published(&mut pipes, 2),
            expect(&[&["x", "a+", "b", "c"], &["c"]])
        );
    }

    #[test]
    fn a_pipe_refusing_mid_message_gets_none_of_the_rest() {
        let mut pipes = FakePipes::default();
        let mut d = distributor(&mut pipes, &[0, 0]);
        to_all(&mut d, &mut pipes, "a+");
        pipes.close(1);
        to_all(&mut d, &mut pipes, "b+");
        to_all(&mut d, &mut pipes, "c");
        to_all(&mut d, &mut pipes, "d");
        assert_eq!(
            published(&mut pipes, 2),
            expect(&[&["a+", "b+", "c", "d"], &[]])
        );
        assert_eq!(pipes.pipe(1).write_tries, 2);
    }

    #[test]
    fn a_terminated_pipe_is_forgotten_even_while_matched() {
        let mut pipes = FakePipes::default();
        let mut d = distributor(&mut pipes, &[0, 0, 0, 0]);
        d.unmatch();
        for s in 0..4 {
            d.match_pipe(s);
        }
        d.pipe_terminated(1);
        pipes.remove(1);
        assert!(!d.has_pipe(1));
        d.send_to_matching(&mut pipes, &mut frame("m"));
        d.pipe_terminated(3);
        pipes.remove(3);
        to_all(&mut d, &mut pipes, "n");
        assert_eq!(pipes.take_published(0), ["m", "n"]);
        assert_eq!(pipes.take_published(2), ["m", "n"]);
        // A late activation of a pipe gone, and a slot reused.
        d.activated(1);
        pipes.add(1);
        d.attach(1);
        to_all(&mut d, &mut pipes, "o");
        assert_eq!(published(&mut pipes, 3), expect(&[&["o"], &["o"], &["o"]]));
    }

    #[test]
    fn check_hwm_is_true_only_if_every_matching_pipe_has_room() {
        let mut pipes = FakePipes::default();
        let mut d = distributor(&mut pipes, &[0, 1, 0]);
        to_all(&mut d, &mut pipes, "a"); // fills pipe 1
        d.unmatch();
        d.match_pipe(0);
        d.match_pipe(2);
        assert!(d.check_hwm(&mut pipes));
        d.match_pipe(1);
        assert!(!d.check_hwm(&mut pipes));
        // Only a look: the pipe still gets the message once it has room.
        pipes.drain(1);
        assert!(d.check_hwm(&mut pipes));
        d.send_to_matching(&mut pipes, &mut frame("b"));
        assert_eq!(
            published(&mut pipes, 3),
            expect(&[&["a", "b"], &["b"], &["a", "b"]])
        );
    }
}

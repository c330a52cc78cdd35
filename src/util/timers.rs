//! The timer set behind the `zmq_timers_*` calls, sans-IO: every call
//! that needs the time takes `now` (milliseconds on a monotonic clock), so
//! tests run on virtual time and the caller owns the clock.
//!
//! Semantics follow libzmq 4.3's `timers_t`:
//! * ids count up from 1; a timer repeats every `interval` ms until cancelled;
//! * due timers run in deadline order, ties in the order they were
//!   (re)scheduled; a timer that ran is rescheduled at `now + interval`,
//!   where `now` is the time the execute round started;
//! * cancelling is lazy: the id is marked and the timer dropped when a later
//!   `timeout` or `execute` walks past it. Until then a second cancel is
//!   `EINVAL`, while `reset` and `set_interval` still find it (and it stays
//!   cancelled);
//! * `cancel`, `reset` and `set_interval` on an unknown id are `EINVAL`.
//!
//! Where libzmq misbehaves, this does not: one execute round runs each timer
//! that was due when the round began at most once (libzmq loops forever on a
//! zero interval), timers added or rescheduled by a handler during a round
//! wait for the next round, and deadlines saturate instead of wrapping
//! (libzmq's `now + SIZE_MAX` wraps into the past and fires at once).
//!
//! Execution is split into [`Timers::begin_execute`] and
//! [`Timers::next_due`] so that a caller can run each handler while holding
//! no borrow of the set: handlers may call back into it.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

/// Position in the schedule: deadline, then scheduling order.
type Key = (u64, u64);

#[derive(Debug, Clone, Copy)]
struct Timer<H> {
    id: i32,
    interval: u64,
    handler: H,
}

/// A set of repeating timers carrying handlers of type `H`.
#[derive(Debug)]
pub(crate) struct Timers<H: Copy> {
    last_id: i32,
    next_seq: u64,
    schedule: BTreeMap<Key, Timer<H>>,
    keys: HashMap<i32, Key>,
    cancelled: HashSet<i32>,
}

/// One execute round in progress (see [`Timers::next_due`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Round {
    now: u64,
    /// Timers scheduled at or after this sequence number joined during the
    /// round and do not run in it.
    first_new_seq: u64,
    /// Everything up to here has been handled.
    cursor: Option<Key>,
}

impl<H: Copy> Default for Timers<H> {
    fn default() -> Self {
        Timers::new()
    }
}

impl<H: Copy> Timers<H> {
    /// An empty set.
    pub(crate) fn new() -> Timers<H> {
        Timers {
            last_id: 0,
            next_seq: 0,
            schedule: BTreeMap::new(),
            keys: HashMap::new(),
            cancelled: HashSet::new(),
        }
    }

    /// Number of timers still scheduled (cancelled ones not yet dropped
    /// included).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.schedule.len()
    }

    /// Whether no timer is scheduled.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.schedule.is_empty()
    }

    fn insert(&mut self, when: u64, timer: Timer<H>) {
        let key = (when, self.next_seq);
        self.next_seq += 1;
        self.keys.insert(timer.id, key);
        self.schedule.insert(key, timer);
    }

    fn remove(&mut self, id: i32) -> Option<Timer<H>> {
        let key = self.keys.remove(&id)?;
        self.schedule.remove(&key)
    }

    /// A fresh id: 1, 2, 3, ... (after `i32::MAX`, the lowest free one
    /// from 1 again, where libzmq would overflow).
    fn allocate_id(&mut self) -> i32 {
        let mut id = self.last_id;
        loop {
            id = id.checked_add(1).unwrap_or(1);
            if !self.keys.contains_key(&id) {
                self.last_id = id;
                return id;
            }
        }
    }

    /// Adds a timer due `interval` ms after `now`, repeating, and returns
    /// its id.
    pub(crate) fn add(&mut self, now: u64, interval: u64, handler: H) -> i32 {
        let id = self.allocate_id();
        self.insert(
            now.saturating_add(interval),
            Timer {
                id,
                interval,
                handler,
            },
        );
        id
    }

    /// Cancels a timer. `EINVAL` if the id is unknown or already cancelled.
    pub(crate) fn cancel(&mut self, id: i32) -> Result<()> {
        if !self.keys.contains_key(&id) || !self.cancelled.insert(id) {
            return Err(Error::EINVAL);
        }
        Ok(())
    }

    /// Changes a timer's interval and reschedules it `interval` ms after
    /// `now`. `EINVAL` if the id is unknown.
    pub(crate) fn set_interval(&mut self, now: u64, id: i32, interval: u64) -> Result<()> {
        let mut timer = self.remove(id).ok_or(Error::EINVAL)?;
        timer.interval = interval;
        self.insert(now.saturating_add(interval), timer);
        Ok(())
    }

    /// Reschedules a timer one interval after `now`. `EINVAL` if the id is
    /// unknown.
    pub(crate) fn reset(&mut self, now: u64, id: i32) -> Result<()> {
        let timer = self.remove(id).ok_or(Error::EINVAL)?;
        self.insert(now.saturating_add(timer.interval), timer);
        Ok(())
    }

    /// Drops the cancelled timer at `key` if it is one; says whether it was.
    fn drop_if_cancelled(&mut self, key: Key, id: i32) -> bool {
        if self.cancelled.remove(&id) {
            self.schedule.remove(&key);
            self.keys.remove(&id);
            true
        } else {
            false
        }
    }

    /// Milliseconds from `now` until the next live timer is due (0 if it is
    /// overdue), or `None` if there is none. Drops cancelled timers that come
    /// before it.
    pub(crate) fn timeout(&mut self, now: u64) -> Option<u64> {
        while let Some((&key, timer)) = self.schedule.first_key_value() {
            let id = timer.id;
            if !self.drop_if_cancelled(key, id) {
                return Some(key.0.saturating_sub(now));
            }
        }
        None
    }

    /// Starts an execute round at `now`.
    pub(crate) fn begin_execute(&self, now: u64) -> Round {
        Round {
            now,
            first_new_seq: self.next_seq,
            cursor: None,
        }
    }

    /// The next timer to run in `round`, already rescheduled at
    /// `round.now + interval`: its id and handler. `None` when the round is
    /// over. Cancelled timers passed on the way are dropped.
    pub(crate) fn next_due(&mut self, round: &mut Round) -> Option<(i32, H)> {
        loop {
            let lower = match round.cursor {
                Some(c) => Bound::Excluded(c),
                None => Bound::Unbounded,
            };
            let (&key, timer) = self.schedule.range((lower, Bound::Unbounded)).next()?;
            let id = timer.id;
            round.cursor = Some(key);
            if self.drop_if_cancelled(key, id) {
                continue;
            }
            if key.0 > round.now {
                return None;
            }
            if key.1 >= round.first_new_seq {
                continue;
            }
            let timer = self.schedule.remove(&key)?;
            self.insert(round.now.saturating_add(timer.interval), timer);
            return Some((timer.id, timer.handler));
        }
    }

    /// Runs every due timer through `run(id, handler)` (for callers whose
    /// handlers do not need the set itself).
    #[cfg(test)]
    pub(crate) fn execute(&mut self, now: u64, mut run: impl FnMut(i32, H)) {
        let mut round = self.begin_execute(now);
        while let Some((id, handler)) = self.next_due(&mut round) {
            run(id, handler);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Handlers are plain tags; execute returns (id, tag) in run order.
    fn run(t: &mut Timers<char>, now: u64) -> Vec<(i32, char)> {
        let mut out = Vec::new();
        t.execute(now, |id, h| out.push((id, h)));
        out
    }

    #[test]
    fn ids_start_at_one() {
        let mut t = Timers::new();
        assert_eq!(t.add(0, 10, 'a'), 1);
        assert_eq!(t.add(0, 10, 'b'), 2);
        t.cancel(1).unwrap();
        assert_eq!(t.timeout(0), Some(10));
        assert_eq!(t.add(0, 10, 'c'), 3, "ids are not reused");
    }

    #[test]
    fn fires_when_due_and_repeats() {
        let mut t = Timers::new();
        let id = t.add(1000, 100, 'a');
        assert_eq!(t.timeout(1000), Some(100));
        assert!(run(&mut t, 1050).is_empty());
        assert_eq!(t.timeout(1050), Some(50));
        assert_eq!(run(&mut t, 1100), vec![(id, 'a')]);
        assert_eq!(t.timeout(1100), Some(100));
        // Late execution reschedules from the execution time.
        assert_eq!(run(&mut t, 1250), vec![(id, 'a')]);
        assert_eq!(t.timeout(1250), Some(100));
        assert_eq!(t.timeout(1400), Some(0), "overdue is 0");
    }

    #[test]
    fn execute_order_is_deadline_then_scheduling_order() {
        let mut t = Timers::new();
        let c = t.add(0, 30, 'c');
        let a = t.add(0, 10, 'a');
        let b1 = t.add(0, 20, 'b');
        let b2 = t.add(0, 20, 'B');
        assert_eq!(run(&mut t, 5), vec![]);
        assert_eq!(
            run(&mut t, 30),
            vec![(a, 'a'), (b1, 'b'), (b2, 'B'), (c, 'c')]
        );
        // All rescheduled from 30: a at 40, b/B at 50, c at 60.
        assert_eq!(run(&mut t, 50), vec![(a, 'a'), (b1, 'b'), (b2, 'B')]);
        assert_eq!(t.timeout(50), Some(10));
    }

    #[test]
    fn no_timers_means_no_timeout() {
        let mut t: Timers<char> = Timers::new();
        assert_eq!(t.timeout(0), None);
        assert!(run(&mut t, 1_000_000).is_empty());
    }

    #[test]
    fn unknown_ids_are_einval() {
        let mut t: Timers<char> = Timers::new();
        assert_eq!(t.cancel(1), Err(Error::EINVAL));
        assert_eq!(t.set_interval(0, 1, u64::MAX), Err(Error::EINVAL));
        assert_eq!(t.reset(0, 1), Err(Error::EINVAL));
        assert_eq!(t.cancel(-1), Err(Error::EINVAL));
    }

    #[test]
    fn cancel_is_lazy() {
        let mut t = Timers::new();
        let a = t.add(0, u64::MAX, 'a');
        t.cancel(a).unwrap();
        assert_eq!(t.cancel(a), Err(Error::EINVAL), "twice");
        // Still scheduled, so reset and set_interval find it...
        t.reset(0, a).unwrap();
        t.set_interval(0, a, 5).unwrap();
        assert_eq!(t.len(), 1);
        // ...but it stays cancelled and never runs.
        assert!(run(&mut t, 10).is_empty());
        assert!(t.is_empty());
        assert_eq!(t.timeout(10), None);
        assert_eq!(t.reset(10, a), Err(Error::EINVAL), "dropped now");
        assert_eq!(t.cancel(a), Err(Error::EINVAL));
    }

    #[test]
    fn timeout_drops_cancelled_timers_ahead_of_the_first_live_one() {
        let mut t = Timers::new();
        let a = t.add(0, 10, 'a');
        let b = t.add(0, 20, 'b');
        let c = t.add(0, 30, 'c');
        t.cancel(a).unwrap();
        t.cancel(c).unwrap();
        assert_eq!(t.timeout(0), Some(20));
        assert_eq!(t.reset(0, a), Err(Error::EINVAL), "a was dropped");
        t.reset(0, c).unwrap(); // c is behind b: not dropped yet
        t.cancel(b).unwrap();
        assert_eq!(t.timeout(0), None);
        assert!(t.is_empty());
    }

    #[test]
    fn execute_drops_cancelled_due_timers() {
        let mut t = Timers::new();
        let a = t.add(0, 10, 'a');
        let b = t.add(0, 10, 'b');
        t.cancel(a).unwrap();
        assert_eq!(run(&mut t, 10), vec![(b, 'b')]);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn reset_and_set_interval_reschedule_from_now() {
        let mut t = Timers::new();
        let a = t.add(0, 100, 'a');
        assert_eq!(t.timeout(50), Some(50));
        t.reset(50, a).unwrap();
        assert_eq!(t.timeout(50), Some(100));
        assert!(run(&mut t, 100).is_empty());
        assert_eq!(run(&mut t, 150), vec![(a, 'a')]);
        t.set_interval(160, a, 30).unwrap();
        assert_eq!(t.timeout(160), Some(30));
        assert_eq!(run(&mut t, 190), vec![(a, 'a')]);
        assert_eq!(t.timeout(190), Some(30), "new interval sticks");
    }

    #[test]
    fn reset_moves_behind_timers_with_the_same_deadline() {
        let mut t = Timers::new();
        let a = t.add(0, 10, 'a');
        let b = t.add(0, 10, 'b');
        t.reset(0, a).unwrap();
        assert_eq!(run(&mut t, 10), vec![(b, 'b'), (a, 'a')]);
    }

    #[test]
    fn zero_interval_runs_once_per_round() {
        let mut t = Timers::new();
        let z = t.add(0, 0, 'z');
        assert_eq!(t.timeout(0), Some(0));
        assert_eq!(run(&mut t, 0), vec![(z, 'z')]);
        assert_eq!(run(&mut t, 0), vec![(z, 'z')]);
        assert_eq!(run(&mut t, 7), vec![(z, 'z')]);
    }

    #[test]
    fn huge_intervals_saturate() {
        let mut t = Timers::new();
        let a = t.add(5, u64::MAX, 'a');
        assert!(run(&mut t, 1_000_000).is_empty());
        assert_eq!(t.timeout(5), Some(u64::MAX - 5));
        t.set_interval(10, a, u64::MAX - 1).unwrap();
        assert!(run(&mut t, 10).is_empty());
    }

    /// A handler that changes the set mid-round, done step by step the way
    /// the C wrapper drives it.
    #[test]
    fn changes_made_by_handlers_during_a_round() {
        let mut t = Timers::new();
        let a = t.add(0, 10, 'a');
        let b = t.add(0, 10, 'b');
        let c = t.add(0, 10, 'c');
        let mut round = t.begin_execute(10);
        assert_eq!(t.next_due(&mut round), Some((a, 'a')));
        // a's handler cancels b, cancels itself and adds a due timer.
        t.cancel(b).unwrap();
        t.cancel(a).unwrap();
        let d = t.add(10, 0, 'd');
        assert_eq!(t.next_due(&mut round), Some((c, 'c')));
        // c's handler resets itself: it does not run again this round.
        t.reset(10, c).unwrap();
        assert_eq!(t.next_due(&mut round), None);
        // Next round: d (added at 10, due at 10) and c; a and b are gone.
        assert_eq!(run(&mut t, 20), vec![(d, 'd'), (c, 'c')]);
        assert_eq!(t.cancel(a), Err(Error::EINVAL));
        assert_eq!(t.cancel(b), Err(Error::EINVAL));
    }

    #[test]
    fn id_allocation_wraps_past_live_ids() {
        let mut t = Timers::new();
        t.last_id = i32::MAX - 1;
        assert_eq!(t.add(0, 1, 'x'), i32::MAX);
        let one = t.add(0, 1, 'y');
        assert_eq!(one, 1);
        t.last_id = i32::MAX;
        assert_eq!(t.add(0, 1, 'z'), 2, "1 is live, so skipped");
    }
}

//! An array of pipe slots that knows where each slot sits, so the strategies
//! can swap a pipe between their active/inactive partitions in O(1).

/// A pipe's slot number in its socket's pipe table.
pub(crate) type Slot = usize;

const ABSENT: usize = usize::MAX;

#[derive(Default, Debug)]
pub(crate) struct IndexedArray {
    items: Vec<Slot>,
    pos: Vec<usize>,
}

impl IndexedArray {
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub(crate) fn get(&self, i: usize) -> Slot {
        self.items[i]
    }
    pub(crate) fn index(&self, s: Slot) -> Option<usize> {
        self.pos.get(s).copied().filter(|&p| p != ABSENT)
    }
    pub(crate) fn contains(&self, s: Slot) -> bool {
        self.index(s).is_some()
    }
    pub(crate) fn push(&mut self, s: Slot) {
        if self.pos.len() <= s {
            self.pos.resize(s + 1, ABSENT);
        }
        self.pos[s] = self.items.len();
        self.items.push(s);
    }
    pub(crate) fn swap(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        self.items.swap(i, j);
        self.pos[self.items[i]] = i;
        self.pos[self.items[j]] = j;
    }
    /// Removes `s` by moving the last item into its place.
    pub(crate) fn erase(&mut self, s: Slot) {
        if let Some(i) = self.index(s) {
            let last = self.items.len() - 1;
            self.swap(i, last);
            self.items.pop();
            self.pos[s] = ABSENT;
        }
    }
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = Slot> + '_ {
        self.items.iter().copied()
    }
}

/// Pipes split into an active prefix and an inactive rest, with a cursor
/// into the active part: the bookkeeping load-balancing and fair-queueing
/// share.
#[derive(Default, Debug)]
pub(crate) struct ActiveSet {
    pub pipes: IndexedArray,
    pub active: usize,
    pub current: usize,
}

impl ActiveSet {
    /// Adds a pipe as active.
    pub(crate) fn attach(&mut self, s: Slot) {
        self.pipes.push(s);
        self.pipes.swap(self.pipes.len() - 1, self.active);
        self.active += 1;
    }

    /// Forgets a pipe; returns the position it had, if it was present.
    pub(crate) fn remove(&mut self, s: Slot) -> Option<usize> {
        let index = self.pipes.index(s)?;
        if index < self.active {
            self.active -= 1;
            self.pipes.swap(index, self.active);
            if self.current == self.active {
                self.current = 0;
            }
        }
        self.pipes.erase(s);
        Some(index)
    }

    /// Moves an inactive pipe back into the active part.
    pub(crate) fn activated(&mut self, s: Slot) {
        if let Some(i) = self.pipes.index(s) {
            if i >= self.active {
                self.pipes.swap(i, self.active);
                self.active += 1;
            }
        }
    }

    /// The pipe under the cursor (only while `active > 0`).
    pub(crate) fn current(&self) -> Slot {
        self.pipes.get(self.current)
    }

    /// Moves the pipe under the cursor out of the active part.
    pub(crate) fn deactivate_current(&mut self) {
        self.active -= 1;
        self.pipes.swap(self.current, self.active);
        if self.current == self.active {
            self.current = 0;
        }
    }

    /// Advances the cursor after a whole message.
    pub(crate) fn advance(&mut self) {
        self.current += 1;
        if self.current >= self.active {
            self.current = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::trie::XorShift;

    /// Every item sits where `index` says, and only present slots have one.
    fn check(a: &IndexedArray, model: &[Slot]) {
        let mut items: Vec<Slot> = a.iter().collect();
        items.sort_unstable();
        let mut want = model.to_vec();
        want.sort_unstable();
        assert_eq!(items, want);
        for i in 0..a.len() {
            assert_eq!(a.index(a.get(i)), Some(i));
        }
        for s in 0..64 {
            assert_eq!(a.contains(s), model.contains(&s), "slot {s}");
        }
    }

    #[test]
    fn indexed_array_keeps_positions_through_pushes_swaps_and_erases() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let mut a = IndexedArray::default();
        let mut model: Vec<Slot> = Vec::new();
        for _ in 0..2000 {
            match rng.below(3) {
                0 => {
                    let s = rng.below(64) as Slot;
                    if !model.contains(&s) {
                        a.push(s);
                        model.push(s);
                    }
                }
                1 if !model.is_empty() => {
                    let (i, j) = (
                        rng.below(a.len() as u64) as usize,
                        rng.below(a.len() as u64) as usize,
                    );
                    let (si, sj) = (a.get(i), a.get(j));
                    a.swap(i, j);
                    assert_eq!((a.get(i), a.get(j)), (sj, si));
                }
                _ => {
                    let s = rng.below(64) as Slot;
                    a.erase(s); // absent slots are ignored
                    model.retain(|&m| m != s);
                }
            }
            check(&a, &model);
        }
        assert_eq!(a.is_empty(), model.is_empty());
    }

    #[test]
    fn active_set_cursor_stays_on_an_active_pipe() {
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        let mut set = ActiveSet::default();
        let mut present: Vec<Slot> = Vec::new();
        for _ in 0..4000 {
            let s = rng.below(16) as Slot;
            match rng.below(5) {
                0 if !present.contains(&s) => {
                    set.attach(s);
                    present.push(s);
                }
                1 => {
                    let had = set.pipes.index(s);
                    assert_eq!(set.remove(s), had);
                    present.retain(|&p| p != s);
                }
                2 => set.activated(s),
                3 if set.active > 0 => set.deactivate_current(),
                _ if set.active > 0 => set.advance(),
                _ => {}
            }
            assert_eq!(set.pipes.len(), present.len());
            assert!(set.active <= set.pipes.len());
            assert!(
                set.current < set.active.max(1),
                "cursor {} active {}",
                set.current,
                set.active
            );
            if set.active > 0 {
                assert!(present.contains(&set.current()));
            }
        }
    }
}

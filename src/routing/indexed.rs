//! An array of pipe slots that knows where each slot sits, so the strategies
//! can swap a pipe between their active/inactive partitions in O(1).

/// A pipe's slot number in its socket's pipe table.
pub type Slot = usize;

const ABSENT: usize = usize::MAX;

#[derive(Default, Debug)]
pub struct IndexedArray {
    items: Vec<Slot>,
    pos: Vec<usize>,
}

impl IndexedArray {
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn get(&self, i: usize) -> Slot {
        self.items[i]
    }
    pub fn index(&self, s: Slot) -> Option<usize> {
        self.pos.get(s).copied().filter(|&p| p != ABSENT)
    }
    pub fn contains(&self, s: Slot) -> bool {
        self.index(s).is_some()
    }
    pub fn push(&mut self, s: Slot) {
        if self.pos.len() <= s {
            self.pos.resize(s + 1, ABSENT);
        }
        self.pos[s] = self.items.len();
        self.items.push(s);
    }
    pub fn swap(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        self.items.swap(i, j);
        self.pos[self.items[i]] = i;
        self.pos[self.items[j]] = j;
    }
    /// Removes `s` by moving the last item into its place.
    pub fn erase(&mut self, s: Slot) {
        if let Some(i) = self.index(s) {
            let last = self.items.len() - 1;
            self.swap(i, last);
            self.items.pop();
            self.pos[s] = ABSENT;
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = Slot> + '_ {
        self.items.iter().copied()
    }
}

/// Pipes split into an active prefix and an inactive rest, with a cursor
/// into the active part: the bookkeeping load-balancing and fair-queueing
/// share.
#[derive(Default, Debug)]
pub struct ActiveSet {
    pub pipes: IndexedArray,
    pub active: usize,
    pub current: usize,
}

impl ActiveSet {
    /// Adds a pipe as active.
    pub fn attach(&mut self, s: Slot) {
        self.pipes.push(s);
        self.pipes.swap(self.pipes.len() - 1, self.active);
        self.active += 1;
    }

    /// Forgets a pipe; returns the position it had, if it was present.
    pub fn remove(&mut self, s: Slot) -> Option<usize> {
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
    pub fn activated(&mut self, s: Slot) {
        if let Some(i) = self.pipes.index(s) {
            if i >= self.active {
                self.pipes.swap(i, self.active);
                self.active += 1;
            }
        }
    }

    /// The pipe under the cursor (only while `active > 0`).
    pub fn current(&self) -> Slot {
        self.pipes.get(self.current)
    }

    /// Moves the pipe under the cursor out of the active part.
    pub fn deactivate_current(&mut self) {
        self.active -= 1;
        self.pipes.swap(self.current, self.active);
        if self.current == self.active {
            self.current = 0;
        }
    }

    /// Advances the cursor after a whole message.
    pub fn advance(&mut self) {
        self.current += 1;
        if self.current >= self.active {
            self.current = 0;
        }
    }
}

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

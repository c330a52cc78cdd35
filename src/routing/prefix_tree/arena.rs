//! The node store: a vector in fixed-size chunks. A plain `Vec` grown by
//! doubling holds up to twice what it needs and copies everything on
//! each growth (briefly needing both copies); chunks never move and waste
//! at most one chunk. The first chunk grows like a `Vec`, so that the many
//! small trees (a socket with a few subscriptions) stay small.

/// Elements per chunk.
pub(super) const CHUNK: usize = 1024;

#[derive(Clone, Debug)]
pub(super) struct Arena<T> {
    /// The first CHUNK elements: reached with one indirection, as small
    /// trees and the root (where every match starts) always are.
    first: Vec<T>,
    /// The others, CHUNK a chunk, each allocated at exactly CHUNK; every
    /// chunk but the last is full, and only once `first` is.
    rest: Vec<Vec<T>>,
}

impl<T> Arena<T> {
    pub(super) fn new() -> Arena<T> {
        Arena {
            first: Vec::new(),
            rest: Vec::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.first.len()
            + self.rest.len().saturating_sub(1) * CHUNK
            + self.rest.last().map_or(0, Vec::len)
    }

    pub(super) fn get(&self, i: usize) -> &T {
        match i.checked_sub(CHUNK) {
            None => &self.first[i],
            Some(j) => &self.rest[j / CHUNK][j % CHUNK],
        }
    }

    pub(super) fn get_mut(&mut self, i: usize) -> &mut T {
        match i.checked_sub(CHUNK) {
            None => &mut self.first[i],
            Some(j) => &mut self.rest[j / CHUNK][j % CHUNK],
        }
    }

    pub(super) fn push(&mut self, t: T) {
        if self.first.len() < CHUNK {
            if self.first.len() == self.first.capacity() {
                // The first chunk grows by doubling, up to CHUNK.
                self.first
                    .reserve_exact((2 * self.first.capacity()).clamp(4, CHUNK) - self.first.len());
            }
            return self.first.push(t);
        }
        if self.rest.last().is_none_or(|c| c.len() == CHUNK) {
            self.rest.push(Vec::with_capacity(CHUNK));
        }
        if let Some(last) = self.rest.last_mut() {
            last.push(t);
        }
    }

    /// Keeps the first `n` elements, and memory for at most `keep`
    /// (`n <= keep <= CHUNK`).
    pub(super) fn truncate(&mut self, n: usize, keep: usize) {
        self.rest = Vec::new();
        self.first.truncate(n);
        self.first.shrink_to(keep);
    }

    /// Slots allocated, used or not.
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.first.capacity() + self.rest.iter().map(Vec::capacity).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_fill_in_order_and_never_move() {
        let mut a = Arena::new();
        for i in 0..3 * CHUNK + 5 {
            a.push(i);
        }
        assert_eq!(a.len(), 3 * CHUNK + 5);
        assert_eq!(a.capacity(), 4 * CHUNK, "one chunk of slack at most");
        let p = a.get(CHUNK) as *const usize;
        for i in 0..CHUNK {
            a.push(i);
        }
        assert_eq!(a.get(CHUNK) as *const usize, p, "not moved by growth");
        *a.get_mut(2 * CHUNK + 1) = 7;
        assert_eq!(
            (*a.get(0), *a.get(2 * CHUNK + 1), *a.get(4 * CHUNK + 4)),
            (0, 7, CHUNK - 1)
        );
        a.truncate(1, 16);
        assert_eq!((a.len(), a.capacity()), (1, 16));
        a.push(9);
        assert_eq!(*a.get(1), 9);
    }
}

//! The node store: a vector in fixed-size chunks. A plain `Vec` grown by
//! doubling holds up to twice what it needs and copies everything on
//! each growth (briefly needing both copies); chunks never move and waste
//! at most one chunk. The first chunk grows like a `Vec`, so that the many
//! small trees (a socket with a few subscriptions) stay small.

/// Elements per chunk.
pub(super) const CHUNK: usize = 1024;

#[derive(Clone, Debug)]
pub(super) struct Arena<T> {
    /// Every chunk but the last is full; all but the first have a
    /// capacity of exactly CHUNK.
    chunks: Vec<Vec<T>>,
}

impl<T> Arena<T> {
    pub(super) fn new() -> Arena<T> {
        Arena { chunks: vec![Vec::new()] }
    }

    pub(super) fn len(&self) -> usize {
        (self.chunks.len() - 1) * CHUNK + self.chunks.last().map_or(0, Vec::len)
    }

    pub(super) fn get(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }

    pub(super) fn get_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }

    pub(super) fn push(&mut self, t: T) {
        let full = self.chunks.last().is_some_and(|c| c.len() == CHUNK);
        if full {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(last) = self.chunks.last_mut() {
            if last.len() == last.capacity() {
                // Only the first chunk grows: by doubling, up to CHUNK.
                last.reserve_exact((2 * last.capacity()).clamp(4, CHUNK) - last.len());
            }
            last.push(t);
        }
    }

    /// Keeps the first `n` elements, and memory for at most `keep`
    /// (`n <= keep <= CHUNK`).
    pub(super) fn truncate(&mut self, n: usize, keep: usize) {
        self.chunks.truncate(1);
        if let Some(first) = self.chunks.first_mut() {
            first.truncate(n);
            first.shrink_to(keep);
        }
    }

    /// Slots allocated, used or not.
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum()
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
        assert_eq!((*a.get(0), *a.get(2 * CHUNK + 1), *a.get(4 * CHUNK + 4)), (0, 7, CHUNK - 1));
        a.truncate(1, 16);
        assert_eq!((a.len(), a.capacity()), (1, 16));
        a.push(9);
        assert_eq!(*a.get(1), 9);
    }
}

//! Input buffers used again once their frames are gone.
//!
//! Frames are sliced out of the buffer a connection reads into, so an
//! allocation lives as long as its last frame. Left to the allocator, a busy
//! connection would take a fresh buffer for every chunk it reads: first
//! touches that fault in and zero new pages, the kernel's copy landing in
//! memory that is not in cache, and the free coming later from whichever
//! application thread drops the last frame. Keeping a few filled buffers
//! aside and refilling the first one whose frames have all been dropped
//! keeps the same warm pages in use.

use std::collections::VecDeque;

use bytes::BytesMut;

/// Filled buffers kept aside per connection. Enough to cover the frames
/// waiting in a pipe that is being drained; a reader that holds on to frames
/// longer just makes us allocate as before.
const SPARES: usize = 4;

pub struct Recycler {
    /// Buffers given up with frames still alive, oldest first. Each is an
    /// empty handle on its allocation, with the size that allocation had.
    spares: VecDeque<(BytesMut, usize)>,
    /// What a new buffer gets at least; only buffers of this size are kept.
    chunk: usize,
    /// The size of the allocation behind the current buffer.
    current: usize,
}

impl Recycler {
    pub fn new(chunk: usize) -> Recycler {
        Recycler { spares: VecDeque::new(), chunk, current: 0 }
    }

    /// Makes room for `want` more octets behind the undecoded ones in
    /// `input`, keeping them, reusing an allocation when one is free.
    pub fn make_room(&mut self, input: &mut BytesMut, want: usize) {
        if input.capacity() - input.len() >= want || input.try_reclaim(want) {
            return;
        }
        let need = input.len().saturating_add(want);
        let reused = self.spares.iter_mut().position(|(b, size)| *size >= need && b.try_reclaim(need));
        let (mut next, size) = match reused.and_then(|i| self.spares.remove(i)) {
            Some(spare) => spare,
            None => {
                let size = need.max(self.chunk);
                (BytesMut::with_capacity(size), size)
            }
        };
        next.extend_from_slice(input);
        let mut old = std::mem::replace(input, next);
        let old_size = std::mem::replace(&mut self.current, size);
        // A buffer grown for one large frame is not worth keeping around.
        if old_size == self.chunk {
            old.clear();
            if self.spares.len() == SPARES {
                self.spares.pop_front();
            }
            self.spares.push_back((old, old_size));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHUNK: usize = 1024;

    fn fill(r: &mut Recycler, input: &mut BytesMut, n: usize) {
        r.make_room(input, n);
        assert!(input.capacity() - input.len() >= n);
        input.extend(std::iter::repeat_n(0xAB, n));
    }

    #[test]
    fn reuses_an_allocation_once_its_frames_are_dropped() {
        let mut r = Recycler::new(CHUNK);
        let mut input = BytesMut::new();
        fill(&mut r, &mut input, CHUNK);
        let first = input.as_ptr();
        let frame = input.split_to(CHUNK).freeze();
        // The frame is alive: the next chunk must be a new allocation.
        fill(&mut r, &mut input, 100);
        assert_ne!(input.as_ptr(), first);
        input.extend(std::iter::repeat_n(0xCD, CHUNK - 100));
        let second = input.split_to(CHUNK).freeze();
        drop(frame);
        // The first allocation is free again, and comes back.
        fill(&mut r, &mut input, 10);
        assert_eq!(input.as_ptr(), first);
        assert_eq!(second.len(), CHUNK);
    }

    #[test]
    fn keeps_the_undecoded_octets() {
        let mut r = Recycler::new(CHUNK);
        let mut input = BytesMut::new();
        fill(&mut r, &mut input, CHUNK);
        let _frame = input.split_to(CHUNK - 3).freeze();
        input[..].copy_from_slice(&[1, 2, 3]);
        r.make_room(&mut input, 500);
        assert_eq!(&input[..], &[1, 2, 3]);
        assert!(input.capacity() >= 503);
    }

    #[test]
    fn a_buffer_for_a_large_frame_is_not_kept() {
        let mut r = Recycler::new(CHUNK);
        let mut input = BytesMut::new();
        fill(&mut r, &mut input, 10 * CHUNK);
        let big = input.split().freeze();
        fill(&mut r, &mut input, CHUNK);
        assert!(r.spares.is_empty());
        drop(big);
    }

    #[test]
    fn keeps_at_most_a_few_spares() {
        let mut r = Recycler::new(CHUNK);
        let mut input = BytesMut::new();
        let mut held = Vec::new();
        for _ in 0..3 * SPARES {
            fill(&mut r, &mut input, CHUNK);
            held.push(input.split().freeze());
        }
        assert_eq!(r.spares.len(), SPARES);
        assert!(held.iter().all(|f| f.len() == CHUNK && f.iter().all(|&b| b == 0xAB)));
    }
}

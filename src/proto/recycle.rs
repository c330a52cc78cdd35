//! Input buffers shared by the connections of one io thread, and used
//! again once their frames are gone.
//!
//! Frames are sliced out of the buffer a connection reads into, so an
//! allocation lives as long as its last frame. Left to the allocator, a busy
//! connection would take a fresh buffer for every chunk it reads: first
//! touches that fault in and zero new pages, the kernel's copy landing in
//! memory that is not in cache, and the free coming later from whichever
//! application thread drops the last frame. And an idle connection would sit
//! on a large buffer of its own (libzmq keeps 8 KiB per connection).
//!
//! So a connection holds a buffer only while it has something to read: once
//! it has decoded all it read, the buffer goes back to its thread's pool,
//! room and all, for the next connection that reads. Buffers whose frames
//! are all gone are reclaimed whole; the most recently used come first.

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};

use bytes::BytesMut;

/// What a new buffer gets at least: large reads, few system calls, and
/// allocations shared by many frames.
pub(crate) const CHUNK: usize = 256 * 1024;

/// Buffers a pool keeps: 4 MiB at most per io thread, plus what frames
/// still alive hold anyway.
const KEPT: usize = 16;

/// A connection's input: the octets received and not decoded yet, with
/// room behind them to read into.
#[derive(Default)]
pub struct InputBuf {
    bytes: BytesMut,
    /// The size of the allocation behind `bytes` if it is a pool-sized one;
    /// 0 for any other, which the pool does not keep.
    size: usize,
}

impl InputBuf {
    /// Octets that did not come from a pool (a replayed greeting).
    pub fn foreign(bytes: BytesMut) -> InputBuf {
        InputBuf { bytes, size: 0 }
    }
}

impl Deref for InputBuf {
    type Target = BytesMut;
    fn deref(&self) -> &BytesMut {
        &self.bytes
    }
}

impl DerefMut for InputBuf {
    fn deref_mut(&mut self) -> &mut BytesMut {
        &mut self.bytes
    }
}

#[derive(Default)]
pub struct BufferPool {
    /// Empty handles on pool-sized allocations, most recently used last.
    /// Frames sliced out earlier may still share them.
    free: VecDeque<BytesMut>,
}

impl BufferPool {
    pub fn new() -> BufferPool {
        BufferPool::default()
    }

    /// Makes room for `want` more octets behind the undecoded ones in
    /// `input`, keeping them.
    pub fn make_room(&mut self, input: &mut InputBuf, want: usize) {
        let bytes = &mut input.bytes;
        if bytes.capacity() - bytes.len() >= want || bytes.try_reclaim(want) {
            return;
        }
        let need = bytes.len().saturating_add(want);
        let (mut next, size) = match self.take(need) {
            Some(b) => (b, CHUNK),
            None if need <= CHUNK => (BytesMut::with_capacity(CHUNK), CHUNK),
            // A buffer for one large frame is not worth keeping around.
            None => (BytesMut::with_capacity(need), 0),
        };
        next.extend_from_slice(bytes);
        let old = std::mem::replace(input, InputBuf { bytes: next, size });
        self.keep(old);
    }

    /// Takes back a connection's buffer once everything in it is decoded,
    /// for any connection of this thread to read into next. One that is
    /// not pool-sized is let go, so that an idle connection does not keep
    /// a large frame's allocation alive after the frame itself is gone.
    pub fn release(&mut self, input: &mut InputBuf) {
        if input.bytes.is_empty() {
            let old = std::mem::take(input);
            self.keep(old);
        }
    }

    fn keep(&mut self, mut old: InputBuf) {
        if old.size != CHUNK {
            return;
        }
        old.bytes.clear();
        if self.free.len() == KEPT {
            self.free.pop_front();
        }
        self.free.push_back(old.bytes);
    }

    /// The most recently kept buffer with room for `need` octets, its
    /// allocation reclaimed whole if its frames are all gone.
    fn take(&mut self, need: usize) -> Option<BytesMut> {
        let i = self
            .free
            .iter_mut()
            .rposition(|b| b.capacity() >= need || b.try_reclaim(need))?;
        self.free.remove(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(pool: &mut BufferPool, input: &mut InputBuf, n: usize) {
        pool.make_room(input, n);
        assert!(input.capacity() - input.len() >= n);
        input.extend(std::iter::repeat_n(0xAB, n));
    }

    #[test]
    fn reuses_an_allocation_once_its_frames_are_dropped() {
        let mut pool = BufferPool::new();
        let mut input = InputBuf::default();
        fill(&mut pool, &mut input, CHUNK);
        let first = input.as_ptr();
        let frame = input.split_to(CHUNK).freeze();
        // The frame is alive: the next chunk must be a new allocation.
        fill(&mut pool, &mut input, 100);
        assert_ne!(input.as_ptr(), first);
        input.extend(std::iter::repeat_n(0xCD, CHUNK - 100));
        let second = input.split_to(CHUNK).freeze();
        drop(frame);
        // The first allocation is free again, and comes back.
        fill(&mut pool, &mut input, 10);
        assert_eq!(input.as_ptr(), first);
        assert_eq!(second.len(), CHUNK);
    }

    #[test]
    fn keeps_the_undecoded_octets() {
        let mut pool = BufferPool::new();
        let mut input = InputBuf::default();
        fill(&mut pool, &mut input, CHUNK);
        let _frame = input.split_to(CHUNK - 3).freeze();
        input[..].copy_from_slice(&[1, 2, 3]);
        pool.make_room(&mut input, 500);
        assert_eq!(&input[..], &[1, 2, 3]);
        assert!(input.capacity() >= 503);
    }

    #[test]
    fn a_released_buffer_serves_the_next_reader_with_its_room() {
        let mut pool = BufferPool::new();
        let (mut a, mut b) = (InputBuf::default(), InputBuf::default());
        fill(&mut pool, &mut a, 100);
        let from_a = a.split().freeze();
        pool.release(&mut a);
        assert_eq!(a.capacity(), 0, "an idle connection holds no buffer");
        // b reads into the rest of the same allocation, behind a's frame.
        fill(&mut pool, &mut b, 100);
        assert_eq!(b.as_ptr(), from_a.as_ptr().wrapping_add(100));
        // Not released while something is left to decode.
        pool.release(&mut b);
        assert_eq!(b.len(), 100);
    }

    #[test]
    fn a_buffer_for_a_large_frame_is_not_kept() {
        let mut pool = BufferPool::new();
        let mut input = InputBuf::default();
        fill(&mut pool, &mut input, 10 * CHUNK);
        let big = input.split().freeze();
        pool.release(&mut input);
        assert_eq!(input.capacity(), 0, "let go of, not kept");
        assert!(pool.free.is_empty());
        drop(big);
    }

    #[test]
    fn keeps_a_bounded_number() {
        let mut pool = BufferPool::new();
        let mut input = InputBuf::default();
        let mut held = Vec::new();
        for _ in 0..2 * KEPT {
            fill(&mut pool, &mut input, CHUNK);
            held.push(input.split().freeze());
        }
        assert_eq!(pool.free.len(), KEPT);
        assert!(held
            .iter()
            .all(|f| f.len() == CHUNK && f.iter().all(|&b| b == 0xAB)));
    }
}

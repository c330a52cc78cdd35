//! Bytes waiting to be written. Headers and small bodies are copied into one
//! buffer so a batch of small messages leaves in one write; large bodies are
//! queued by reference, to go out in the same vectored write uncopied.
//!
//! Driving it: write `chunks()` (in order, e.g. with `writev`), then report
//! how many octets the kernel took with `consume(n)`.

use bytes::Bytes;
use std::collections::VecDeque;

enum Seg {
    /// `buf[previous Buf end or buf_pos .. end]`.
    Buf(usize),
    Body(Bytes),
}

#[derive(Default)]
pub struct OutQueue {
    buf: Vec<u8>,
    /// Octets of `buf` already written.
    buf_pos: usize,
    segs: VecDeque<Seg>,
    /// Octets of the front `Body` already written.
    body_pos: usize,
    len: usize,
}

impl OutQueue {
    pub fn new() -> OutQueue {
        OutQueue::default()
    }

    /// Octets not yet written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Of those, the octets copied into the coalescing buffer (headers and
    /// small bodies), as opposed to bodies queued by reference.
    pub fn copied_len(&self) -> usize {
        self.buf.len() - self.buf_pos
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends octets to the coalescing buffer.
    pub fn push_slice(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        if self.buf.len() + data.len() > self.buf.capacity() {
            self.compact();
        }
        self.buf.extend_from_slice(data);
        self.len += data.len();
        let end = self.buf.len();
        match self.segs.back_mut() {
            Some(Seg::Buf(e)) => *e = end,
            _ => self.segs.push_back(Seg::Buf(end)),
        }
    }

    /// Drops the written front of `buf`. The buffer is otherwise only reset
    /// once everything has gone out, which a connection that always has a
    /// little left to write (a peer reading just behind) may never reach:
    /// without this the buffer would grow by everything ever sent.
    /// Only once at least half the buffer is written: the move is then
    /// never more than what was written, and growing meanwhile is amortised.
    fn compact(&mut self) {
        if self.buf_pos == 0 || self.buf_pos < self.buf.len() / 2 {
            return;
        }
        self.buf.drain(..self.buf_pos);
        for seg in self.segs.iter_mut() {
            if let Seg::Buf(end) = seg {
                *end -= self.buf_pos;
            }
        }
        self.buf_pos = 0;
    }

    /// Queues a body by reference.
    pub fn push_bytes(&mut self, data: Bytes) {
        if data.is_empty() {
            return;
        }
        self.len += data.len();
        self.segs.push_back(Seg::Body(data));
    }

    /// The unwritten octets as slices, in wire order.
    pub fn chunks(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut buf_start = self.buf_pos;
        self.segs.iter().enumerate().map(move |(i, s)| match s {
            Seg::Buf(end) => {
                let c = &self.buf[buf_start..*end];
                buf_start = *end;
                c
            }
            Seg::Body(b) => &b[if i == 0 { self.body_pos } else { 0 }..],
        })
    }

    /// The first unwritten slice (for a plain `write`).
    pub fn front(&self) -> &[u8] {
        self.chunks().next().unwrap_or(&[])
    }

    /// Marks `n` octets as written (n larger than `len()` is clamped).
    pub fn consume(&mut self, mut n: usize) {
        n = n.min(self.len);
        self.len -= n;
        while n > 0 {
            match self.segs.front() {
                Some(Seg::Buf(end)) => {
                    let avail = end - self.buf_pos;
                    if n < avail {
                        self.buf_pos += n;
                        n = 0;
                    } else {
                        self.buf_pos = *end;
                        n -= avail;
                        self.segs.pop_front();
                    }
                }
                Some(Seg::Body(b)) => {
                    let avail = b.len() - self.body_pos;
                    if n < avail {
                        self.body_pos += n;
                        n = 0;
                    } else {
                        n -= avail;
                        self.body_pos = 0;
                        self.segs.pop_front();
                    }
                }
                None => break,
            }
        }
        if self.segs.is_empty() {
            // Everything went out: reuse the buffer from its start.
            self.buf.clear();
            self.buf_pos = 0;
            self.body_pos = 0;
        }
    }

    /// Copies everything out (tests, and callers without vectored writes).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len);
        for c in self.chunks() {
            v.extend_from_slice(c);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_partial_consumption() {
        let mut q = OutQueue::new();
        q.push_slice(b"ab");
        q.push_slice(b"cd");
        q.push_bytes(Bytes::from_static(b"BIG"));
        q.push_slice(b"ef");
        assert_eq!(
            q.chunks().collect::<Vec<_>>(),
            vec![&b"abcd"[..], b"BIG", b"ef"]
        );
        assert_eq!(q.len(), 9);
        q.consume(3);
        assert_eq!(q.to_vec(), b"dBIGef");
        q.consume(2);
        assert_eq!(q.chunks().collect::<Vec<_>>(), vec![&b"IG"[..], b"ef"]);
        q.consume(3);
        assert_eq!(q.front(), b"f");
        q.push_slice(b"gh");
        assert_eq!(q.to_vec(), b"fgh");
        q.consume(100);
        assert!(q.is_empty());
        assert_eq!(q.chunks().count(), 0);
        q.push_slice(b"x");
        assert_eq!(q.to_vec(), b"x");
    }

    #[test]
    fn copied_octets_leave_out_bodies_held_by_reference() {
        let mut q = OutQueue::new();
        q.push_slice(b"hdr");
        q.push_bytes(Bytes::from(vec![7u8; 1000]));
        q.push_slice(b"hd");
        assert_eq!((q.len(), q.copied_len()), (1005, 5));
        q.consume(2);
        assert_eq!(
            (q.len(), q.copied_len()),
            (1003, 3),
            "written copies no longer count"
        );
        q.consume(1001);
        assert_eq!((q.len(), q.copied_len()), (2, 2));
        q.consume(2);
        assert_eq!((q.len(), q.copied_len()), (0, 0));
    }

    #[test]
    fn a_queue_never_written_out_whole_stays_bounded() {
        let mut q = OutQueue::new();
        let mut sent = Vec::new();
        let mut expected = Vec::new();
        for i in 0..10_000u32 {
            let frame = [i.to_le_bytes(), i.to_be_bytes()].concat();
            q.push_slice(&frame);
            expected.extend_from_slice(&frame);
            if i % 100 == 99 {
                q.push_bytes(Bytes::from(vec![i as u8; 300]));
                expected.extend(std::iter::repeat_n(i as u8, 300));
            }
            // The kernel takes all but a few octets each time.
            let n = q.len().saturating_sub(3);
            sent.extend_from_slice(&q.to_vec()[..n]);
            q.consume(n);
            assert!(!q.is_empty());
        }
        sent.extend_from_slice(&q.to_vec());
        assert_eq!(sent, expected);
        assert!(q.buf.capacity() < 1024, "{} octets kept", q.buf.capacity());
    }
}

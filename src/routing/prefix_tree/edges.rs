//! A node's links: the run of octets on the edge into it, and its children.

/// Index of a node in the arena.
pub(super) type NodeIdx = u32;

/// Marks an empty slot of a dense child table, and the root's parent.
pub(super) const NIL: NodeIdx = NodeIdx::MAX;

/// Labels up to this long live in the node itself.
const INLINE: usize = 14;

/// The octets on the edge from a node's parent to it: non-empty for every
/// node but the root. Short ones are inline (no allocation: most labels
/// of a tree of short topics are a few octets).
#[derive(Clone, Debug)]
pub(super) enum Label {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<HeapLabel>),
}

/// A long label: `buf[start..]`. Splitting a long label keeps the tail in
/// place (advancing `start`), and merging the head back finds it still
/// there, so subscribing and cancelling a prefix of a long topic over and
/// over never copies the topic.
#[derive(Clone, Debug)]
pub(super) struct HeapLabel {
    buf: Box<[u8]>,
    start: usize,
}

impl Default for Label {
    fn default() -> Label {
        Label::Inline {
            len: 0,
            bytes: [0; INLINE],
        }
    }
}

impl Label {
    pub(super) fn new(b: &[u8]) -> Label {
        if b.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..b.len()].copy_from_slice(b);
            return Label::Inline {
                len: b.len() as u8,
                bytes,
            };
        }
        Label::Heap(Box::new(HeapLabel {
            buf: b.into(),
            start: 0,
        }))
    }

    pub(super) fn as_slice(&self) -> &[u8] {
        match self {
            Label::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Label::Heap(h) => &h.buf[h.start..],
        }
    }

    pub(super) fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// The key of this node among its parent's children.
    pub(super) fn first(&self) -> u8 {
        self.as_slice().first().copied().unwrap_or(0)
    }

    /// Cuts the label after `at` octets (`0 < at < len`): keeps the tail,
    /// returns the head.
    pub(super) fn split_off_head(&mut self, at: usize) -> Label {
        let head = Label::new(&self.as_slice()[..at]);
        match self {
            Label::Heap(h) if h.buf.len() - h.start - at > INLINE => h.start += at,
            _ => *self = Label::new(&self.as_slice()[at..]),
        }
        head
    }

    /// Puts `head` back in front of the label.
    pub(super) fn prepend(&mut self, head: &[u8]) {
        if let Label::Heap(h) = self {
            if h.start >= head.len() && &h.buf[h.start - head.len()..h.start] == head {
                h.start -= head.len();
                return;
            }
        }
        let mut joined = Vec::with_capacity(head.len() + self.len());
        joined.extend_from_slice(head);
        joined.extend_from_slice(self.as_slice());
        *self = if joined.len() <= INLINE {
            Label::new(&joined)
        } else {
            // Exactly as long as its capacity: boxed where it is.
            Label::Heap(Box::new(HeapLabel {
                buf: joined.into_boxed_slice(),
                start: 0,
            }))
        };
    }
}

/// A sorted child list grows into a 256-way table above this many children...
const DENSE_ABOVE: usize = 32;
/// ...and shrinks back to a sorted list below this many.
const SPARSE_BELOW: usize = 16;

/// A node's children, keyed by the first octet of their labels.
#[derive(Clone, Debug, Default)]
pub(super) enum Children {
    #[default]
    None,
    One(u8, NodeIdx),
    /// Sorted by key; 2..=DENSE_ABOVE entries. Boxed, so that the many
    /// nodes with fewer children stay small.
    #[allow(clippy::box_collection)]
    Few(Box<Vec<(u8, NodeIdx)>>),
    Dense(Box<Dense>),
}

#[derive(Clone, Debug)]
pub(super) struct Dense {
    /// `slots[b]` is the child for key `b`, or `NIL`.
    slots: [NodeIdx; 256],
    len: usize,
}

impl Children {
    pub(super) fn is_empty(&self) -> bool {
        matches!(self, Children::None)
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Children::None => 0,
            Children::One(..) => 1,
            Children::Few(v) => v.len(),
            Children::Dense(d) => d.len,
        }
    }

    pub(super) fn get(&self, b: u8) -> Option<NodeIdx> {
        match self {
            Children::None => None,
            Children::One(cb, c) => (*cb == b).then_some(*c),
            Children::Few(v) => v.binary_search_by_key(&b, |e| e.0).ok().map(|i| v[i].1),
            Children::Dense(d) => {
                let c = d.slots[usize::from(b)];
                (c != NIL).then_some(c)
            }
        }
    }

    /// The child with the smallest key `>= min` (`min` may be 256: none).
    pub(super) fn first_from(&self, min: u16) -> Option<(u8, NodeIdx)> {
        match self {
            Children::None => None,
            Children::One(b, c) => (u16::from(*b) >= min).then_some((*b, *c)),
            Children::Few(v) => {
                let i = v.partition_point(|e| u16::from(e.0) < min);
                v.get(i).copied()
            }
            Children::Dense(d) => {
                let start = usize::from(min).min(256);
                let off = d.slots[start..].iter().position(|&c| c != NIL)?;
                Some((u8::try_from(start + off).ok()?, d.slots[start + off]))
            }
        }
    }

    /// Adds a child, or points key `b` at another one.
    pub(super) fn insert(&mut self, b: u8, c: NodeIdx) {
        match self {
            Children::None => *self = Children::One(b, c),
            Children::One(ob, oc) if *ob == b => *oc = c,
            Children::One(ob, oc) => {
                let (o, n) = ((*ob, *oc), (b, c));
                *self = Children::Few(Box::new(if o.0 < b { vec![o, n] } else { vec![n, o] }));
            }
            Children::Few(v) => match v.binary_search_by_key(&b, |e| e.0) {
                Ok(i) => v[i].1 = c,
                Err(i) => {
                    v.insert(i, (b, c));
                    if v.len() > DENSE_ABOVE {
                        let mut d = Box::new(Dense {
                            slots: [NIL; 256],
                            len: v.len(),
                        });
                        for &(k, n) in v.iter() {
                            d.slots[usize::from(k)] = n;
                        }
                        *self = Children::Dense(d);
                    }
                }
            },
            Children::Dense(d) => {
                let slot = &mut d.slots[usize::from(b)];
                if *slot == NIL {
                    d.len += 1;
                }
                *slot = c;
            }
        }
    }

    /// Removes the child for key `b`, if any.
    pub(super) fn remove(&mut self, b: u8) {
        match self {
            Children::None => {}
            Children::One(cb, _) => {
                if *cb == b {
                    *self = Children::None;
                }
            }
            Children::Few(v) => {
                if let Ok(i) = v.binary_search_by_key(&b, |e| e.0) {
                    v.remove(i);
                }
                if let [(k, n)] = v.as_slice() {
                    *self = Children::One(*k, *n);
                }
            }
            Children::Dense(d) => {
                let slot = &mut d.slots[usize::from(b)];
                if *slot != NIL {
                    *slot = NIL;
                    d.len -= 1;
                }
                if d.len < SPARSE_BELOW {
                    let v: Vec<(u8, NodeIdx)> = (0..=u8::MAX)
                        .filter_map(|k| {
                            let n = d.slots[usize::from(k)];
                            (n != NIL).then_some((k, n))
                        })
                        .collect();
                    *self = Children::Few(Box::new(v));
                }
            }
        }
    }

    /// Renumbers every child through `map`.
    pub(super) fn remap(&mut self, map: impl Fn(NodeIdx) -> NodeIdx) {
        match self {
            Children::None => {}
            Children::One(_, c) => *c = map(*c),
            Children::Few(v) => v.iter_mut().for_each(|e| e.1 = map(e.1)),
            Children::Dense(d) => d
                .slots
                .iter_mut()
                .filter(|c| **c != NIL)
                .for_each(|c| *c = map(*c)),
        }
    }

    /// Checks the representation's own invariants.
    #[cfg(test)]
    pub(super) fn assert_shape(&self) {
        match self {
            Children::Few(v) => {
                assert!(v.len() >= 2 && v.len() <= DENSE_ABOVE);
                assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
            }
            Children::Dense(d) => {
                assert_eq!(d.len, d.slots.iter().filter(|&&c| c != NIL).count());
                assert!(d.len >= SPARSE_BELOW);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_split_and_merge_without_copying_a_long_tail() {
        let long: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut l = Label::new(&long);
        let Label::Heap(h) = &l else { panic!("inline") };
        let buf = h.buf.as_ptr();
        let head = l.split_off_head(10);
        assert_eq!((head.as_slice(), l.as_slice()), (&long[..10], &long[10..]));
        assert!(
            matches!(&l, Label::Heap(h) if h.buf.as_ptr() == buf),
            "tail kept in place"
        );
        l.prepend(head.as_slice());
        assert_eq!(l.as_slice(), &long[..]);
        assert!(
            matches!(&l, Label::Heap(h) if h.buf.as_ptr() == buf),
            "head found in place"
        );
        // Other octets in front are joined by a copy.
        l.prepend(b"xy");
        assert_eq!(&l.as_slice()[..3], b"xy\x00");
        assert_eq!(l.len(), 1002);
        // A short tail becomes inline, freeing the long buffer.
        let mut l = Label::new(&long[..20]);
        let head = l.split_off_head(15);
        assert!(matches!(l, Label::Inline { len: 5, .. }));
        assert_eq!(head.as_slice(), &long[..15]);
        assert_eq!(l.first(), 15);
    }

    #[test]
    fn children_change_representation_both_ways() {
        let mut c = Children::None;
        for b in (0..=255u8).rev() {
            c.insert(b, NodeIdx::from(b) + 1000);
            c.assert_shape();
            assert_eq!(c.len(), 256 - usize::from(b));
        }
        assert!(matches!(c, Children::Dense(_)));
        assert_eq!(c.first_from(10), Some((10, 1010)));
        c.insert(10, 7);
        assert_eq!(
            (c.get(10), c.len()),
            (Some(7), 256),
            "re-pointed, not added"
        );
        for b in 0..=254u8 {
            c.remove(b);
            c.assert_shape();
        }
        assert!(matches!(c, Children::One(255, 1255)));
        c.remap(|n| n - 1000);
        assert_eq!(c.get(255), Some(255));
        c.remove(255);
        assert!(c.is_empty());
    }
}

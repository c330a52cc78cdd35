//! Subscription trie for SUB/XSUB (libzmq's `trie_t`): a set of byte-string
//! prefixes, each with a reference count, answering "does any subscribed
//! prefix match this message?".
//!
//! The node arena [`PrefixTree`] is shared with [`super::mtrie`]. It stores one
//! node per byte in a `Vec`, linked by index, with a free list. Every
//! operation is iterative, so topics of any length cost no stack, and dropping
//! the tree is dropping a `Vec`.

use std::fmt;

/// Index of a node in the arena.
type NodeIdx = usize;

/// The root node (the empty prefix); always present, never freed.
const ROOT: NodeIdx = 0;

/// Marks an empty slot of a dense child table.
const NIL: NodeIdx = NodeIdx::MAX;

/// A sorted child list grows into a 256-way table above this many children...
const DENSE_ABOVE: usize = 32;
/// ...and shrinks back to a sorted list below this many.
const SPARSE_BELOW: usize = 16;

/// When the tree becomes empty, an arena larger than this is given back.
const KEEP_NODES: usize = 1024;

/// The children of one node, keyed by the next byte of the prefix.
#[derive(Clone, Debug, Default)]
enum Children {
    #[default]
    None,
    One(u8, NodeIdx),
    /// Sorted by byte; 2..=DENSE_ABOVE entries (fewer only transiently).
    Few(Vec<(u8, NodeIdx)>),
    /// `slots[b]` is the child for byte `b`, or `NIL`.
    Dense {
        slots: Box<[NodeIdx; 256]>,
        len: usize,
    },
}

impl Children {
    fn is_empty(&self) -> bool {
        matches!(self, Children::None)
    }

    fn get(&self, b: u8) -> Option<NodeIdx> {
        match self {
            Children::None => None,
            Children::One(cb, c) => (*cb == b).then_some(*c),
            Children::Few(v) => v.binary_search_by_key(&b, |e| e.0).ok().map(|i| v[i].1),
            Children::Dense { slots, .. } => {
                let c = slots[usize::from(b)];
                (c != NIL).then_some(c)
            }
        }
    }

    /// The child with the smallest byte `>= min` (`min` may be 256: none).
    fn first_from(&self, min: u16) -> Option<(u8, NodeIdx)> {
        match self {
            Children::None => None,
            Children::One(b, c) => (u16::from(*b) >= min).then_some((*b, *c)),
            Children::Few(v) => {
                let i = v.partition_point(|e| u16::from(e.0) < min);
                v.get(i).copied()
            }
            Children::Dense { slots, .. } => {
                let start = usize::from(min).min(256);
                slots[start..]
                    .iter()
                    .position(|&c| c != NIL)
                    .and_then(|off| Some((u8::try_from(start + off).ok()?, slots[start + off])))
            }
        }
    }

    /// Adds a child; the caller guarantees `b` is not present.
    fn insert(&mut self, b: u8, c: NodeIdx) {
        match self {
            Children::None => *self = Children::One(b, c),
            Children::One(ob, oc) => {
                let (ob, oc) = (*ob, *oc);
                let v = if ob < b {
                    vec![(ob, oc), (b, c)]
                } else {
                    vec![(b, c), (ob, oc)]
                };
                *self = Children::Few(v);
            }
            Children::Few(v) => {
                let i = v.partition_point(|e| e.0 < b);
                v.insert(i, (b, c));
                if v.len() > DENSE_ABOVE {
                    let mut slots = Box::new([NIL; 256]);
                    for &(k, n) in v.iter() {
                        slots[usize::from(k)] = n;
                    }
                    *self = Children::Dense {
                        len: v.len(),
                        slots,
                    };
                }
            }
            Children::Dense { slots, len } => {
                let slot = &mut slots[usize::from(b)];
                if *slot == NIL {
                    *len += 1;
                }
                *slot = c;
            }
        }
    }

    /// Removes the child for byte `b`, if any.
    fn remove(&mut self, b: u8) {
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
                match v.as_slice() {
                    [] => *self = Children::None,
                    [(k, n)] => *self = Children::One(*k, *n),
                    _ => {}
                }
            }
            Children::Dense { slots, len } => {
                let slot = &mut slots[usize::from(b)];
                if *slot != NIL {
                    *slot = NIL;
                    *len -= 1;
                }
                if *len < SPARSE_BELOW {
                    let v: Vec<(u8, NodeIdx)> = (0..=u8::MAX)
                        .filter_map(|k| {
                            let n = slots[usize::from(k)];
                            (n != NIL).then_some((k, n))
                        })
                        .collect();
                    *self = Children::Few(v);
                }
            }
        }
    }
}

/// What a [`PrefixTree`] stores per prefix; "empty" means "not in the set",
/// and a node with an empty value and no children is pruned.
pub(crate) trait Payload: Default {
    fn is_empty(&self) -> bool;
}

impl Payload for u64 {
    fn is_empty(&self) -> bool {
        *self == 0
    }
}

#[derive(Clone, Debug, Default)]
struct Node<V> {
    parent: NodeIdx,
    /// The byte on the edge from `parent` to this node.
    byte: u8,
    children: Children,
    value: V,
}

/// A byte-prefix tree in an arena, holding a `V` per prefix. Every
/// non-root node either has a non-empty value or leads to one (the
/// operations prune the rest).
#[derive(Clone, Debug)]
pub(crate) struct PrefixTree<V> {
    nodes: Vec<Node<V>>,
    free: Vec<NodeIdx>,
}

impl<V: Payload> Default for PrefixTree<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: Payload> PrefixTree<V> {
    pub(crate) fn new() -> Self {
        PrefixTree {
            nodes: vec![Node::default()],
            free: Vec::new(),
        }
    }

    /// The node for `key`, if present.
    pub(crate) fn find(&self, key: &[u8]) -> Option<NodeIdx> {
        let mut idx = ROOT;
        for &b in key {
            idx = self.nodes[idx].children.get(b)?;
        }
        Some(idx)
    }

    /// The node for `key`, creating the missing ones. The caller must give
    /// it a non-empty value, or call [`Self::prune`] on it.
    pub(crate) fn find_or_insert(&mut self, key: &[u8]) -> NodeIdx {
        let mut idx = ROOT;
        for &b in key {
            idx = match self.nodes[idx].children.get(b) {
                Some(c) => c,
                None => {
                    let c = self.alloc(idx, b);
                    self.nodes[idx].children.insert(b, c);
                    c
                }
            };
        }
        idx
    }

    pub(crate) fn value_mut(&mut self, idx: NodeIdx) -> &mut V {
        &mut self.nodes[idx].value
    }

    /// The values of the root and of every node along `data`, shallowest
    /// first, as deep as the tree goes (`data.len() + 1` at most).
    pub(crate) fn prefixes_of<'a>(&'a self, data: &'a [u8]) -> PrefixValues<'a, V> {
        PrefixValues {
            tree: self,
            data,
            node: Some(ROOT),
        }
    }

    /// Calls `f(prefix, value)` for every node, in ascending byte order of
    /// the prefixes (parents before children).
    pub(crate) fn walk(&self, mut f: impl FnMut(&[u8], &V)) {
        let mut path = Vec::new();
        let mut idx = ROOT;
        f(&path, &self.nodes[ROOT].value);
        loop {
            if let Some((b, c)) = self.nodes[idx].children.first_from(0) {
                path.push(b);
                idx = c;
                f(&path, &self.nodes[idx].value);
                continue;
            }
            // A leaf: climb to the nearest ancestor with a next child.
            loop {
                if idx == ROOT {
                    return;
                }
                let (b, parent) = (self.nodes[idx].byte, self.nodes[idx].parent);
                path.pop();
                if let Some((nb, c)) = self.nodes[parent].children.first_from(u16::from(b) + 1) {
                    path.push(nb);
                    idx = c;
                    f(&path, &self.nodes[idx].value);
                    break;
                }
                idx = parent;
            }
        }
    }

    /// Like [`Self::walk`] but `f` may change the values; afterwards nodes
    /// left with an empty value and no children are pruned.
    pub(crate) fn walk_mut(&mut self, mut f: impl FnMut(&[u8], &mut V)) {
        let mut path = Vec::new();
        let mut idx = ROOT;
        f(&path, &mut self.nodes[ROOT].value);
        loop {
            if let Some((b, c)) = self.nodes[idx].children.first_from(0) {
                path.push(b);
                idx = c;
                f(&path, &mut self.nodes[idx].value);
                continue;
            }
            loop {
                if idx == ROOT {
                    self.reset_if_empty();
                    return;
                }
                let (b, parent) = (self.nodes[idx].byte, self.nodes[idx].parent);
                path.pop();
                // Every descendant of `idx` is done: prune it if it is dead.
                let node = &self.nodes[idx];
                if node.value.is_empty() && node.children.is_empty() {
                    self.nodes[parent].children.remove(b);
                    self.release(idx);
                }
                if let Some((nb, c)) = self.nodes[parent].children.first_from(u16::from(b) + 1) {
                    path.push(nb);
                    idx = c;
                    f(&path, &mut self.nodes[idx].value);
                    break;
                }
                idx = parent;
            }
        }
    }

    /// Frees `idx` and its ancestors for as long as they have an empty value
    /// and no children.
    pub(crate) fn prune(&mut self, mut idx: NodeIdx) {
        while idx != ROOT {
            let node = &self.nodes[idx];
            if !node.value.is_empty() || !node.children.is_empty() {
                break;
            }
            let (b, parent) = (node.byte, node.parent);
            self.nodes[parent].children.remove(b);
            self.release(idx);
            idx = parent;
        }
        self.reset_if_empty();
    }

    fn alloc(&mut self, parent: NodeIdx, byte: u8) -> NodeIdx {
        let node = Node {
            parent,
            byte,
            children: Children::None,
            value: V::default(),
        };
        match self.free.pop() {
            Some(idx) => {
                self.nodes[idx] = node;
                idx
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        }
    }

    /// Returns a detached node to the free list.
    fn release(&mut self, idx: NodeIdx) {
        let node = &mut self.nodes[idx];
        node.children = Children::None;
        node.value = V::default();
        self.free.push(idx);
    }

    /// Once only the root is left, drops the free list and (if large) the
    /// arena's memory.
    fn reset_if_empty(&mut self) {
        if self.nodes[ROOT].children.is_empty() && self.nodes.len() > 1 {
            self.nodes.truncate(1);
            self.free.clear();
            if self.nodes.capacity() > KEEP_NODES {
                self.nodes.shrink_to(KEEP_NODES);
                self.free.shrink_to(KEEP_NODES);
            }
        }
    }

    /// Nodes in use, the root included.
    #[cfg(test)]
    pub(crate) fn live_nodes(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    /// Slots in the arena, free or not.
    #[cfg(test)]
    pub(crate) fn arena_len(&self) -> usize {
        self.nodes.len()
    }

    /// Checks the structure: links agree, every live node is reachable, no
    /// dead node was left unpruned. Returns how many values are non-empty.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) -> usize {
        let mut reachable = 0;
        let mut valued = 0;
        let mut stack = vec![ROOT];
        while let Some(idx) = stack.pop() {
            reachable += 1;
            let node = &self.nodes[idx];
            if !node.value.is_empty() {
                valued += 1;
            }
            if idx != ROOT {
                assert!(
                    !node.value.is_empty() || !node.children.is_empty(),
                    "unpruned node {idx}"
                );
                assert!(
                    !self.free.contains(&idx),
                    "live node {idx} on the free list"
                );
            }
            let mut next = 0u16;
            while let Some((b, c)) = node.children.first_from(next) {
                assert_eq!(node.children.get(b), Some(c));
                assert_eq!(self.nodes[c].parent, idx);
                assert_eq!(self.nodes[c].byte, b);
                stack.push(c);
                next = u16::from(b) + 1;
            }
            match &node.children {
                Children::Few(v) => assert!(v.len() >= 2 && v.len() <= DENSE_ABOVE),
                Children::Dense { slots, len } => {
                    assert_eq!(*len, slots.iter().filter(|&&c| c != NIL).count());
                    assert!(*len >= SPARSE_BELOW);
                }
                _ => {}
            }
        }
        assert_eq!(reachable, self.live_nodes(), "leaked nodes");
        valued
    }
}

/// Iterator returned by [`PrefixTree::prefixes_of`]; does not allocate.
pub(crate) struct PrefixValues<'a, V> {
    tree: &'a PrefixTree<V>,
    /// The bytes not yet walked.
    data: &'a [u8],
    node: Option<NodeIdx>,
}

impl<'a, V> Iterator for PrefixValues<'a, V> {
    type Item = &'a V;

    fn next(&mut self) -> Option<&'a V> {
        let node = &self.tree.nodes[self.node?];
        self.node = match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                node.children.get(b)
            }
            None => None,
        };
        Some(&node.value)
    }
}

/// A set of subscribed prefixes with a reference count each: subscribing
/// twice to the same prefix needs two removals. Prefixes are arbitrary
/// bytes; the empty prefix matches every message.
#[derive(Clone, Default)]
pub struct Trie {
    tree: PrefixTree<u64>,
    num_prefixes: usize,
}

impl Trie {
    /// An empty trie: matches nothing.
    pub fn new() -> Trie {
        Trie::default()
    }

    /// Counts one more subscription to `prefix`. Returns true iff it is the
    /// first one (the prefix was not in the set before).
    pub fn add(&mut self, prefix: &[u8]) -> bool {
        let idx = self.tree.find_or_insert(prefix);
        let count = self.tree.value_mut(idx);
        *count = count.saturating_add(1);
        let first = *count == 1;
        if first {
            self.num_prefixes += 1;
        }
        first
    }

    /// Counts one subscription to `prefix` less. Returns true iff that was
    /// the last one (the prefix has left the set). A prefix that is not in
    /// the set is left alone and gives false.
    pub fn rm(&mut self, prefix: &[u8]) -> bool {
        let Some(idx) = self.tree.find(prefix) else {
            return false;
        };
        let count = self.tree.value_mut(idx);
        if *count == 0 {
            return false;
        }
        *count -= 1;
        if *count > 0 {
            return false;
        }
        self.num_prefixes -= 1;
        self.tree.prune(idx);
        true
    }

    /// True iff some prefix in the set is a prefix of `data`. Reads at most
    /// as many bytes of `data` as the longest prefix; does not allocate.
    pub fn check(&self, data: &[u8]) -> bool {
        self.tree.prefixes_of(data).any(|&count| count > 0)
    }

    /// Calls `f` once for every prefix in the set, whatever its count, in
    /// ascending byte order.
    pub fn apply(&self, mut f: impl FnMut(&[u8])) {
        self.tree.walk(|prefix, &count| {
            if count > 0 {
                f(prefix)
            }
        });
    }

    /// True iff the set is empty (nothing matches).
    pub fn is_empty(&self) -> bool {
        self.num_prefixes == 0
    }

    /// How many distinct prefixes are in the set.
    pub fn num_prefixes(&self) -> usize {
        self.num_prefixes
    }
}

impl fmt::Debug for Trie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trie")
            .field("num_prefixes", &self.num_prefixes)
            .finish_non_exhaustive()
    }
}

/// A tiny xorshift PRNG for the randomized tests of both tries.
#[cfg(test)]
pub(crate) struct XorShift(pub(crate) u64);

#[cfg(test)]
impl XorShift {
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A short key over a small alphabet (so keys share prefixes), with an
    /// occasional 0x00/0xFF byte, the odd long key, and now and then a first
    /// byte from the whole range (so some nodes get many children).
    pub(crate) fn key(&mut self) -> Vec<u8> {
        let len = match self.below(20) {
            0 => 40 + self.below(40),
            _ => self.below(5),
        } as usize;
        let wide = self.below(4) == 0;
        (0..len)
            .map(|i| match self.below(10) {
                _ if wide && i == 0 => self.next() as u8,
                0 => 0x00,
                1 => 0xFF,
                _ => b'a' + self.below(3) as u8,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn listing(t: &Trie) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        t.apply(|p| out.push(p.to_vec()));
        out
    }

    #[test]
    fn add_and_rm_are_counted() {
        let mut t = Trie::new();
        assert!(t.is_empty());
        assert!(t.add(b"abc"));
        assert!(!t.add(b"abc"));
        assert!(!t.add(b"abc"));
        assert_eq!(t.num_prefixes(), 1);
        assert!(!t.rm(b"abc"));
        assert!(!t.rm(b"abc"));
        assert!(t.check(b"abcdef"));
        assert!(t.rm(b"abc"));
        assert!(!t.check(b"abcdef"));
        assert!(!t.rm(b"abc"));
        assert!(t.is_empty());
        assert_eq!(t.tree.assert_consistent(), 0);
    }

    #[test]
    fn rm_of_absent_prefix_changes_nothing() {
        let mut t = Trie::new();
        assert!(!t.rm(b"x"));
        assert!(!t.rm(b""));
        t.add(b"abc");
        let nodes = t.tree.live_nodes();
        // An inner node of a present prefix, a longer key, a sibling.
        assert!(!t.rm(b"ab"));
        assert!(!t.rm(b"abcd"));
        assert!(!t.rm(b"abd"));
        assert!(!t.rm(b""));
        assert_eq!(t.tree.live_nodes(), nodes);
        assert_eq!(t.num_prefixes(), 1);
        assert!(t.check(b"abc"));
        assert!(!t.check(b"ab"));
    }

    #[test]
    fn empty_prefix_matches_everything() {
        let mut t = Trie::new();
        assert!(!t.check(b""));
        assert!(!t.check(b"anything"));
        assert!(t.add(b""));
        assert!(t.check(b""));
        assert!(t.check(b"anything"));
        assert!(t.check(&[0x00, 0xFF]));
        assert_eq!(listing(&t), vec![Vec::<u8>::new()]);
        assert!(!t.add(b""));
        assert!(!t.rm(b""));
        assert!(t.rm(b""));
        assert!(!t.check(b"anything"));
        assert!(t.is_empty());
    }

    #[test]
    fn check_with_nested_prefixes() {
        let mut t = Trie::new();
        t.add(b"a");
        t.add(b"abc");
        t.add(b"abcde");
        for (data, want) in [
            (&b""[..], false),
            (b"a", true),
            (b"ab", true),
            (b"b", false),
            (b"abcdefgh", true),
        ] {
            assert_eq!(t.check(data), want, "{data:?}");
        }
        t.rm(b"a");
        for (data, want) in [
            (&b"a"[..], false),
            (b"ab", false),
            (b"abc", true),
            (b"abd", false),
            (b"abcdz", true),
            (b"abcde", true),
        ] {
            assert_eq!(t.check(data), want, "{data:?}");
        }
        t.rm(b"abc");
        assert!(!t.check(b"abcd"));
        assert!(t.check(b"abcde\x00"));
        assert_eq!(t.tree.assert_consistent(), 1);
    }

    #[test]
    fn binary_bytes_are_ordinary() {
        let mut t = Trie::new();
        t.add(&[0x00]);
        t.add(&[0xFF, 0x00, 0xFF]);
        assert!(t.check(&[0x00, 0x01]));
        assert!(!t.check(&[0x01]));
        assert!(t.check(&[0xFF, 0x00, 0xFF, 0xFF]));
        assert!(!t.check(&[0xFF, 0x00]));
        assert_eq!(listing(&t), vec![vec![0x00], vec![0xFF, 0x00, 0xFF]]);
    }

    #[test]
    fn apply_lists_each_prefix_once_in_order() {
        let mut t = Trie::new();
        for p in [
            &b"b"[..],
            b"abc",
            b"a",
            b"abc",
            b"",
            b"ba",
            b"\xff",
            b"\x00x",
        ] {
            t.add(p);
        }
        let want: Vec<Vec<u8>> = [&b""[..], b"\x00x", b"a", b"abc", b"b", b"ba", b"\xff"]
            .iter()
            .map(|p| p.to_vec())
            .collect();
        assert_eq!(listing(&t), want);
        assert_eq!(t.num_prefixes(), 7);
        Trie::new().apply(|p| panic!("empty trie listed {p:?}"));
    }

    #[test]
    fn many_children_switch_representation() {
        let mut t = Trie::new();
        // Up through the dense table and back down through the sorted list.
        for b in (0..=255u8).rev() {
            assert!(t.add(&[b, b]));
            t.tree.assert_consistent();
        }
        let all = listing(&t);
        assert_eq!(all.len(), 256);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        for b in 0..=255u8 {
            assert!(t.check(&[b, b, 1]));
            assert!(!t.check(&[b, b.wrapping_add(1)]));
        }
        for b in (0..=255u8).step_by(2).chain((1..=255u8).step_by(2)) {
            assert!(t.rm(&[b, b]));
            t.tree.assert_consistent();
            assert!(!t.check(&[b, b]));
        }
        assert!(t.is_empty());
        assert_eq!(t.tree.live_nodes(), 1);
    }

    #[test]
    fn pruning_frees_and_reuses_nodes() {
        let mut t = Trie::new();
        t.add(b"abcdef");
        t.add(b"abcxyz");
        assert_eq!(t.tree.live_nodes(), 1 + 9);
        assert!(t.rm(b"abcdef"));
        assert_eq!(t.tree.live_nodes(), 1 + 6);
        let arena = t.tree.arena_len();
        // The freed slots are reused.
        t.add(b"abcuvw");
        assert_eq!(t.tree.arena_len(), arena);
        assert!(t.rm(b"abcuvw"));
        assert!(t.rm(b"abcxyz"));
        assert_eq!(t.num_prefixes(), 0);
        assert_eq!(t.tree.live_nodes(), 1);
        assert_eq!(t.tree.arena_len(), 1);
        // Shared inner nodes survive while a longer prefix needs them.
        t.add(b"ab");
        t.add(b"abcd");
        assert!(t.rm(b"abcd"));
        assert_eq!(t.tree.live_nodes(), 3);
        assert!(t.check(b"abz"));
        assert!(t.rm(b"ab"));
        assert_eq!(t.tree.live_nodes(), 1);
    }

    #[test]
    fn long_topic_needs_no_stack() {
        let topic: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut t = Trie::new();
        assert!(t.add(&topic));
        assert!(t.add(&topic[..50_000]));
        assert!(t.check(&topic));
        assert!(!t.check(&topic[..49_999]));
        let mut longer = topic.clone();
        longer.push(7);
        assert!(t.check(&longer));
        let mut n = 0;
        t.apply(|p| {
            assert!(p == &topic[..] || p == &topic[..50_000]);
            n += 1;
        });
        assert_eq!(n, 2);
        let copy = t.clone();
        assert!(t.rm(&topic[..50_000]));
        assert!(!t.check(&topic[..50_000]));
        assert!(t.check(&topic));
        assert!(t.rm(&topic));
        assert!(t.is_empty());
        assert_eq!(t.tree.live_nodes(), 1);
        // A full one is dropped too.
        drop(copy);
        let mut big = Trie::new();
        big.add(&topic);
        drop(big);
    }

    #[test]
    fn randomized_against_a_counting_map() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let mut t = Trie::new();
        let mut model: HashMap<Vec<u8>, u64> = HashMap::new();
        for step in 0..20_000 {
            let key = rng.key();
            match rng.below(3) {
                0 => {
                    let c = model.entry(key.clone()).or_insert(0);
                    *c += 1;
                    assert_eq!(t.add(&key), *c == 1, "add {key:?}");
                }
                1 => {
                    let want = match model.get_mut(&key) {
                        Some(c) => {
                            *c -= 1;
                            *c == 0
                        }
                        None => false,
                    };
                    if want {
                        model.remove(&key);
                    }
                    assert_eq!(t.rm(&key), want, "rm {key:?}");
                }
                _ => {
                    let want = model.keys().any(|p| key.starts_with(p));
                    assert_eq!(t.check(&key), want, "check {key:?}");
                }
            }
            assert_eq!(t.num_prefixes(), model.len());
            assert_eq!(t.is_empty(), model.is_empty());
            if step % 500 == 0 {
                assert_eq!(t.tree.assert_consistent(), model.len());
                let mut want: Vec<Vec<u8>> = model.keys().cloned().collect();
                want.sort();
                assert_eq!(listing(&t), want);
            }
        }
        for (n, (key, count)) in model.drain().enumerate() {
            for i in 1..=count {
                assert_eq!(t.rm(&key), i == count);
            }
            if n % 50 == 0 {
                t.tree.assert_consistent();
            }
        }
        assert!(t.is_empty());
        assert_eq!(t.tree.live_nodes(), 1);
    }
}

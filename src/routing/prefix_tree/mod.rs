//! The byte-prefix tree under both subscription tries ([`super::trie`] for
//! SUB/XSUB, [`super::mtrie`] for PUB/XPUB): a radix tree in an arena.
//!
//! Topics come from peers and may be as long as a frame. libzmq keeps a
//! node per octet (so one 1 MiB SUBSCRIBE costs it over 30 MB), and so did
//! we. Here an edge carries a whole run of octets: a tree has a node per
//! subscribed prefix and per branching point, and each octet of a topic is
//! stored once. Nodes live in an [`Arena`], linked by index with a free list;
//! every operation is iterative, so a topic of any length costs no stack.
//! Removing prefixes gives the memory back: their nodes are freed, nodes
//! left with a single child are merged into it, and an arena mostly free
//! is compacted.

mod arena;
mod edges;

use arena::Arena;
use edges::{Children, Label, NodeIdx, NIL};

/// The root node (the empty prefix); always present, never freed.
const ROOT: NodeIdx = 0;

/// The parent of a node on the free list.
const FREE: NodeIdx = NodeIdx::MAX - 1;

/// An arena is not compacted below this many slots, and keeps memory for
/// this many once empty...
const KEEP_NODES: usize = 64;
/// ...nor unless fewer than one in this many slots is in use.
const SPARSE: usize = 4;

/// What a [`PrefixTree`] stores per prefix; "empty" means "not in the set".
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
    label: Label,
    children: Children,
    parent: NodeIdx,
    value: V,
}

/// A byte-prefix tree holding a `V` per prefix. Every node but the root
/// has a non-empty value or at least two children: the operations prune
/// and merge the rest.
#[derive(Clone, Debug)]
pub(crate) struct PrefixTree<V> {
    nodes: Arena<Node<V>>,
    free: Vec<NodeIdx>,
}

impl<V: Payload> Default for PrefixTree<V> {
    fn default() -> Self {
        Self::new()
    }
}

/// How many leading octets `a` and `b` share.
fn common_len(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

impl<V: Payload> PrefixTree<V> {
    pub(crate) fn new() -> Self {
        let mut nodes = Arena::new();
        nodes.push(Node {
            parent: NIL,
            ..Node::default()
        });
        PrefixTree {
            nodes,
            free: Vec::new(),
        }
    }

    fn node(&self, idx: NodeIdx) -> &Node<V> {
        self.nodes.get(idx as usize)
    }

    fn node_mut(&mut self, idx: NodeIdx) -> &mut Node<V> {
        self.nodes.get_mut(idx as usize)
    }

    /// The node for exactly `key`, if there is one.
    pub(crate) fn find(&self, key: &[u8]) -> Option<NodeIdx> {
        let (mut idx, mut rest) = (ROOT, key);
        while let Some(&b) = rest.first() {
            idx = self.node(idx).children.get(b)?;
            rest = rest.strip_prefix(self.node(idx).label.as_slice())?;
        }
        Some(idx)
    }

    /// The node for `key`, creating it (and splitting an edge) if needed.
    /// The caller must give it a non-empty value, or call [`Self::prune`].
    pub(crate) fn find_or_insert(&mut self, key: &[u8]) -> NodeIdx {
        let (mut idx, mut rest) = (ROOT, key);
        while let Some(&b) = rest.first() {
            let Some(c) = self.node(idx).children.get(b) else {
                let leaf = self.alloc(Node {
                    label: Label::new(rest),
                    parent: idx,
                    ..Node::default()
                });
                self.node_mut(idx).children.insert(b, leaf);
                return leaf;
            };
            let common = common_len(self.node(c).label.as_slice(), rest);
            if common < self.node(c).label.len() {
                // `c`'s edge runs past the key or away from it: cut it where
                // they part, with a new node there.
                let head = self.node_mut(c).label.split_off_head(common);
                let mid = self.alloc(Node {
                    label: head,
                    parent: idx,
                    ..Node::default()
                });
                let tail = self.node(c).label.first();
                self.node_mut(mid).children.insert(tail, c);
                self.node_mut(c).parent = mid;
                self.node_mut(idx).children.insert(b, mid);
                idx = mid;
            } else {
                idx = c;
            }
            rest = &rest[common..];
        }
        idx
    }

    pub(crate) fn value_mut(&mut self, idx: NodeIdx) -> &mut V {
        &mut self.node_mut(idx).value
    }

    /// The values of every node whose prefix `data` starts with, shortest
    /// first, the root's included.
    pub(crate) fn prefixes_of<'a>(&'a self, data: &'a [u8]) -> PrefixValues<'a, V> {
        PrefixValues {
            tree: self,
            data,
            node: Some(ROOT),
            step: false,
        }
    }

    /// Calls `f(prefix, value)` for every node, in ascending byte order of
    /// the prefixes (parents before children).
    pub(crate) fn walk(&self, mut f: impl FnMut(&[u8], &V)) {
        let mut path = Vec::new();
        let mut at = Some(ROOT);
        while let Some(idx) = at {
            f(&path, &self.node(idx).value);
            at = self.next_in_order(idx, &mut path);
        }
    }

    /// Like [`Self::walk`] but `f` may change the values; nodes whose values
    /// it empties are pruned afterwards.
    pub(crate) fn walk_mut(&mut self, mut f: impl FnMut(&[u8], &mut V)) {
        let mut emptied = Vec::new();
        let mut path = Vec::new();
        let mut at = Some(ROOT);
        while let Some(idx) = at {
            let value = &mut self.node_mut(idx).value;
            let had = !value.is_empty();
            f(&path, value);
            if had && value.is_empty() {
                emptied.push(idx);
            }
            at = self.next_in_order(idx, &mut path);
        }
        // Deepest first; a node merged or freed on the way is skipped.
        for idx in emptied.into_iter().rev() {
            if self.node(idx).parent != FREE {
                self.unlink_empty(idx);
            }
        }
        self.after_removal();
    }

    /// The node after `idx` in pre-order, keeping `path` (the prefix of
    /// `idx` on entry) as its prefix.
    fn next_in_order(&self, mut idx: NodeIdx, path: &mut Vec<u8>) -> Option<NodeIdx> {
        let mut min = 0;
        loop {
            if let Some((_, c)) = self.node(idx).children.first_from(min) {
                path.extend_from_slice(self.node(c).label.as_slice());
                return Some(c);
            }
            if idx == ROOT {
                return None;
            }
            let node = self.node(idx);
            path.truncate(path.len() - node.label.len());
            min = u16::from(node.label.first()) + 1;
            idx = node.parent;
        }
    }

    /// Frees what `idx` (whose value the caller emptied, or never filled)
    /// no longer needs.
    pub(crate) fn prune(&mut self, idx: NodeIdx) {
        self.unlink_empty(idx);
        self.after_removal();
    }

    /// Frees `idx` and its ancestors while they have an empty value and no
    /// children; merges the last of them with one child left into it.
    fn unlink_empty(&mut self, mut idx: NodeIdx) {
        while idx != ROOT {
            let node = self.node(idx);
            if !node.value.is_empty() {
                return;
            }
            match node.children.len() {
                0 => {
                    let (key, parent) = (node.label.first(), node.parent);
                    self.node_mut(parent).children.remove(key);
                    self.release(idx);
                    idx = parent;
                }
                1 => return self.merge_into_child(idx),
                _ => return,
            }
        }
    }

    /// Removes `idx`, a valueless node with one child, by moving its label
    /// onto the front of the child's.
    fn merge_into_child(&mut self, idx: NodeIdx) {
        let Some((_, child)) = self.node(idx).children.first_from(0) else {
            return;
        };
        let node = std::mem::take(self.node_mut(idx));
        self.node_mut(child).label.prepend(node.label.as_slice());
        self.node_mut(child).parent = node.parent;
        self.node_mut(node.parent)
            .children
            .insert(node.label.first(), child);
        self.release(idx);
    }

    fn alloc(&mut self, node: Node<V>) -> NodeIdx {
        if let Some(idx) = self.free.pop() {
            *self.node_mut(idx) = node;
            return idx;
        }
        // A node is tens of octets and every one stands for octets a peer
        // sent: memory runs out long before 2^32 of them.
        let idx = NodeIdx::try_from(self.nodes.len())
            .ok()
            .filter(|&i| i < FREE)
            .expect("prefix tree arena full");
        self.nodes.push(node);
        idx
    }

    /// Returns a detached node to the free list, dropping what it holds.
    fn release(&mut self, idx: NodeIdx) {
        *self.node_mut(idx) = Node {
            parent: FREE,
            ..Node::default()
        };
        self.free.push(idx);
    }

    /// Gives memory back: all of it once only the root is left, and by
    /// compaction when most of the arena is free.
    fn after_removal(&mut self) {
        if self.node(ROOT).children.is_empty() {
            self.nodes.truncate(1, KEEP_NODES);
            self.free = Vec::new();
        } else if self.nodes.len() > KEEP_NODES
            && self.free.len() * SPARSE > self.nodes.len() * (SPARSE - 1)
        {
            self.compact();
        }
    }

    /// Renumbers the live nodes into a dense arena, in pre-order.
    fn compact(&mut self) {
        let mut map = vec![NIL; self.nodes.len()];
        let mut order = Vec::with_capacity(self.nodes.len() - self.free.len());
        let mut stack = vec![ROOT];
        while let Some(idx) = stack.pop() {
            map[idx as usize] = order.len() as NodeIdx;
            order.push(idx);
            let mut min = 0;
            while let Some((b, c)) = self.node(idx).children.first_from(min) {
                stack.push(c);
                min = u16::from(b) + 1;
            }
        }
        let mut nodes = Arena::new();
        for idx in order {
            let mut node = std::mem::take(self.node_mut(idx));
            if node.parent != NIL {
                node.parent = map[node.parent as usize];
            }
            node.children.remap(|c| map[c as usize]);
            nodes.push(node);
        }
        self.nodes = nodes;
        self.free = Vec::new();
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
    /// node is left that should have been pruned or merged. Returns how
    /// many values are non-empty.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) -> usize {
        let (mut reachable, mut valued) = (0, 0);
        let mut stack = vec![ROOT];
        while let Some(idx) = stack.pop() {
            reachable += 1;
            let node = self.node(idx);
            valued += usize::from(!node.value.is_empty());
            if idx != ROOT {
                assert!(node.label.len() > 0, "empty label on {idx}");
                assert!(
                    !node.value.is_empty() || node.children.len() >= 2,
                    "node {idx} should be gone"
                );
            }
            node.children.assert_shape();
            let mut min = 0;
            while let Some((b, c)) = node.children.first_from(min) {
                assert_eq!(self.node(c).parent, idx);
                assert_eq!(self.node(c).label.first(), b);
                stack.push(c);
                min = u16::from(b) + 1;
            }
        }
        assert_eq!(reachable, self.live_nodes(), "leaked nodes");
        assert!(self.free.iter().all(|&f| self.node(f).parent == FREE));
        valued
    }
}

/// Iterator returned by [`PrefixTree::prefixes_of`]; does not allocate.
/// It walks one node further only when asked for the next value, so that
/// a caller satisfied by the first (a SUB subscribed to everything) pays
/// for no lookup.
pub(crate) struct PrefixValues<'a, V> {
    tree: &'a PrefixTree<V>,
    /// The octets not yet walked.
    data: &'a [u8],
    /// The node reached, until the walk ends.
    node: Option<NodeIdx>,
    /// Its value was given: move on before giving another.
    step: bool,
}

impl<'a, V: Payload> Iterator for PrefixValues<'a, V> {
    type Item = &'a V;

    fn next(&mut self) -> Option<&'a V> {
        let mut idx = self.node?;
        if self.step {
            let next = self.data.first().and_then(|&b| {
                let c = self.tree.node(idx).children.get(b)?;
                self.data = self.data.strip_prefix(self.tree.node(c).label.as_slice())?;
                Some(c)
            });
            self.node = next;
            idx = next?;
        }
        self.step = true;
        Some(&self.tree.node(idx).value)
    }
}

#[cfg(test)]
mod tests;

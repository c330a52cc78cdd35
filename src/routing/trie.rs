//! Subscription trie for SUB/XSUB (libzmq's `trie_t`): a set of byte-string
//! prefixes, each with a reference count, answering "does any subscribed
//! prefix match this message?". The tree itself is
//! [`super::prefix_tree::PrefixTree`], shared with [`super::mtrie`].

use super::prefix_tree::PrefixTree;
use std::fmt;

/// A set of subscribed prefixes with a reference count each: subscribing
/// twice to the same prefix needs two removals. Prefixes are arbitrary
/// bytes; the empty prefix matches every message.
#[derive(Clone, Default)]
pub(crate) struct Trie {
    tree: PrefixTree<u64>,
    num_prefixes: usize,
}

impl Trie {
    /// An empty trie: matches nothing.
    pub(crate) fn new() -> Trie {
        Trie::default()
    }

    /// Counts one more subscription to `prefix`. Returns true iff it is the
    /// first one (the prefix was not in the set before).
    pub(crate) fn add(&mut self, prefix: &[u8]) -> bool {
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
    pub(crate) fn rm(&mut self, prefix: &[u8]) -> bool {
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
    pub(crate) fn check(&self, data: &[u8]) -> bool {
        self.tree.prefixes_of(data).any(|&count| count > 0)
    }

    /// Calls `f` once for every prefix in the set, whatever its count, in
    /// ascending byte order.
    pub(crate) fn apply(&self, mut f: impl FnMut(&[u8])) {
        self.tree.walk(|prefix, &count| {
            if count > 0 {
                f(prefix)
            }
        });
    }

    /// True iff the set is empty (nothing matches).
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.num_prefixes == 0
    }

    /// How many distinct prefixes are in the set.
    #[cfg(test)]
    pub(crate) fn num_prefixes(&self) -> usize {
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
        assert_eq!(t.tree.live_nodes(), 1 + 3, "abc, then def and xyz");
        assert!(t.rm(b"abcdef"));
        assert_eq!(t.tree.live_nodes(), 1 + 1, "merged back into abcxyz");
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
        assert_eq!(t.tree.live_nodes(), 2);
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

//! Subscription trie for XPUB/PUB (libzmq's `generic_mtrie_t`): maps each
//! subscribed prefix to the set of pipe slots subscribed to it, and finds
//! every slot a message must go to.

use std::collections::BTreeSet;
use std::fmt;
use std::hash::Hash;

use super::prefix_tree::{Payload, PrefixTree};

/// The values subscribed to one prefix. Nearly always one pipe: that one
/// is kept inline, and only a shared prefix pays for a set.
#[derive(Clone, Debug, Default)]
pub(crate) enum Values<T> {
    #[default]
    None,
    One(T),
    // Boxed: a bare set would make every node 16 octets larger.
    #[allow(clippy::box_collection)]
    Many(Box<BTreeSet<T>>),
}

impl<T: Copy + Ord> Values<T> {
    /// Adds `v`; true if it was not there.
    fn insert(&mut self, v: T) -> bool {
        match self {
            Values::None => *self = Values::One(v),
            Values::One(o) if *o == v => return false,
            Values::One(o) => *self = Values::Many(Box::new(BTreeSet::from([*o, v]))),
            Values::Many(set) => return set.insert(v),
        }
        true
    }

    /// Takes `v` out; true if it was there.
    fn remove(&mut self, v: &T) -> bool {
        match self {
            Values::One(o) if o == v => *self = Values::None,
            Values::Many(set) => {
                if !set.remove(v) {
                    return false;
                }
                if set.len() == 1 {
                    *self = set.first().map_or(Values::None, |&o| Values::One(o));
                }
            }
            _ => return false,
        }
        true
    }
}

impl<T> Payload for Values<T> {
    fn is_empty(&self) -> bool {
        matches!(self, Values::None)
    }
}

/// Outcome of [`MTrie::rm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RmResult {
    /// The prefix is not in the trie, or the value is not in its set.
    NotFound,
    /// The value was removed and was the last one: the prefix is gone.
    LastValueRemoved,
    /// The value was removed; other values remain under the prefix.
    ValuesRemain,
}

/// A map from byte-string prefixes to sets of values (pipe slots). A value
/// is in a prefix's set at most once; prefixes with an empty set are not in
/// the trie. Prefixes are arbitrary bytes; the empty prefix matches every
/// message.
#[derive(Clone)]
pub(crate) struct MTrie<T> {
    tree: PrefixTree<Values<T>>,
    num_prefixes: usize,
}

impl<T: Copy + Eq + Ord + Hash> Default for MTrie<T> {
    fn default() -> Self {
        MTrie {
            tree: PrefixTree::new(),
            num_prefixes: 0,
        }
    }
}

impl<T: Copy + Eq + Ord + Hash> MTrie<T> {
    /// An empty trie: matches nothing.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Puts `v` in `prefix`'s set (adding it again changes nothing).
    /// Returns true iff the set was empty before: `v` is the first
    /// subscriber to this prefix.
    pub(crate) fn add(&mut self, prefix: &[u8], v: T) -> bool {
        let idx = self.tree.find_or_insert(prefix);
        let set = self.tree.value_mut(idx);
        let first = set.is_empty();
        set.insert(v);
        if first {
            self.num_prefixes += 1;
        }
        first
    }

    /// Takes `v` out of `prefix`'s set; see [`RmResult`]. Nothing changes
    /// when the result is `NotFound`.
    pub(crate) fn rm(&mut self, prefix: &[u8], v: T) -> RmResult {
        let Some(idx) = self.tree.find(prefix) else {
            return RmResult::NotFound;
        };
        let set = self.tree.value_mut(idx);
        if !set.remove(&v) {
            return RmResult::NotFound;
        }
        if !set.is_empty() {
            return RmResult::ValuesRemain;
        }
        self.num_prefixes -= 1;
        self.tree.prune(idx);
        RmResult::LastValueRemoved
    }

    /// Takes `v` out of every set. Calls `f(prefix)` once for each prefix
    /// whose set became empty because of it (those prefixes leave the
    /// trie), or with `every`, for each prefix that held `v`; in ascending
    /// byte order.
    pub(crate) fn rm_all(&mut self, v: T, every: bool, mut f: impl FnMut(&[u8])) {
        let mut emptied = 0;
        self.tree.walk_mut(|prefix, set| {
            if set.remove(&v) {
                let empty = set.is_empty();
                if empty {
                    emptied += 1;
                }
                if every || empty {
                    f(prefix);
                }
            }
        });
        self.num_prefixes -= emptied;
    }

    /// Calls `f(v)` for every value in the set of every prefix of `data`
    /// (the empty prefix and `data` itself included), shortest prefix first,
    /// values in ascending order within a set. A value subscribed to several
    /// matching prefixes is reported once per prefix. Reads at most as many
    /// bytes of `data` as the longest prefix; does not allocate.
    pub(crate) fn match_prefixes(&self, data: &[u8], mut f: impl FnMut(T)) {
        for set in self.tree.prefixes_of(data) {
            match set {
                Values::None => {}
                Values::One(v) => f(*v),
                Values::Many(set) => set.iter().for_each(|&v| f(v)),
            }
        }
    }

    /// How many prefixes have a non-empty set.
    #[cfg(test)]
    pub(crate) fn num_prefixes(&self) -> usize {
        self.num_prefixes
    }

    /// True iff no prefix has a non-empty set (nothing matches).
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.num_prefixes == 0
    }
}

impl<T> fmt::Debug for MTrie<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MTrie")
            .field("num_prefixes", &self.num_prefixes)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::super::trie::XorShift;
    use super::*;
    use crate::util::alloc_count::measure;
    use std::collections::HashMap;

    fn matches(m: &MTrie<usize>, data: &[u8]) -> Vec<usize> {
        let mut out = Vec::new();
        m.match_prefixes(data, |v| out.push(v));
        out
    }

    fn removed_all(m: &mut MTrie<usize>, v: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        m.rm_all(v, false, |p| out.push(p.to_vec()));
        out
    }

    #[test]
    fn add_is_idempotent_per_value() {
        let mut m = MTrie::new();
        assert!(m.is_empty());
        assert!(m.add(b"topic", 1usize));
        assert!(!m.add(b"topic", 1));
        assert!(!m.add(b"topic", 2));
        assert!(!m.add(b"topic", 2));
        assert_eq!(m.num_prefixes(), 1);
        assert_eq!(matches(&m, b"topic"), vec![1, 2]);
        // One removal undoes any number of identical adds.
        assert_eq!(m.rm(b"topic", 1), RmResult::ValuesRemain);
        assert_eq!(m.rm(b"topic", 1), RmResult::NotFound);
        assert_eq!(matches(&m, b"topic"), vec![2]);
    }

    #[test]
    fn rm_results() {
        let mut m = MTrie::new();
        assert_eq!(m.rm(b"a", 1usize), RmResult::NotFound);
        m.add(b"abc", 1);
        m.add(b"abc", 2);
        let nodes = m.tree.live_nodes();
        assert_eq!(m.rm(b"ab", 1), RmResult::NotFound, "inner node");
        assert_eq!(m.rm(b"abcd", 1), RmResult::NotFound, "longer");
        assert_eq!(m.rm(b"", 1), RmResult::NotFound, "root");
        assert_eq!(m.rm(b"abc", 3), RmResult::NotFound, "other value");
        assert_eq!(m.tree.live_nodes(), nodes);
        assert_eq!(m.rm(b"abc", 2), RmResult::ValuesRemain);
        assert_eq!(m.rm(b"abc", 2), RmResult::NotFound);
        assert_eq!(m.rm(b"abc", 1), RmResult::LastValueRemoved);
        assert_eq!(m.rm(b"abc", 1), RmResult::NotFound);
        assert!(m.is_empty());
        assert_eq!(m.tree.live_nodes(), 1);
        assert!(m.add(b"abc", 1), "first subscriber again");
    }

    #[test]
    fn rm_all_every_reports_shared_prefixes_too() {
        let mut m = MTrie::new();
        m.add(b"a", 1usize);
        m.add(b"b", 1);
        m.add(b"b", 2);
        m.add(b"c", 2);
        let mut seen = Vec::new();
        m.rm_all(1, true, |p| seen.push(p.to_vec()));
        assert_eq!(seen, vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(m.num_prefixes(), 2, "b (still held by 2) and c remain");
        assert_eq!(matches(&m, b"b"), vec![2]);
        assert_eq!(removed_all(&mut m, 2), vec![b"b".to_vec(), b"c".to_vec()]);
        assert!(m.is_empty());
    }

    #[test]
    fn empty_prefix_matches_everything() {
        let mut m = MTrie::new();
        assert!(m.add(b"", 7usize));
        assert_eq!(matches(&m, b""), vec![7]);
        assert_eq!(matches(&m, b"\x00\xff"), vec![7]);
        assert_eq!(m.rm(b"", 7), RmResult::LastValueRemoved);
        assert_eq!(matches(&m, b"x"), Vec::<usize>::new());
    }

    #[test]
    fn match_on_overlapping_prefixes() {
        let mut m = MTrie::new();
        m.add(b"", 9usize);
        m.add(b"a", 1);
        m.add(b"a", 2);
        m.add(b"abc", 2);
        m.add(b"abc", 3);
        m.add(b"abd", 4);
        m.add(b"\x00", 5);
        assert_eq!(matches(&m, b"abcx"), vec![9, 1, 2, 2, 3]);
        assert_eq!(matches(&m, b"abc"), vec![9, 1, 2, 2, 3]);
        assert_eq!(matches(&m, b"ab"), vec![9, 1, 2]);
        assert_eq!(matches(&m, b"abd"), vec![9, 1, 2, 4]);
        assert_eq!(matches(&m, b"b"), vec![9]);
        assert_eq!(matches(&m, b"\x00\x00"), vec![9, 5]);
        assert_eq!(matches(&m, b""), vec![9]);
        assert_eq!(m.num_prefixes(), 5);
    }

    #[test]
    fn rm_all_reports_exactly_the_emptied_prefixes() {
        let mut m = MTrie::new();
        m.add(b"", 1usize);
        m.add(b"a", 1);
        m.add(b"a", 2);
        m.add(b"ab", 1);
        m.add(b"abc", 1);
        m.add(b"abd", 2);
        m.add(b"b\x00", 1);
        m.add(b"\xff", 3);
        assert_eq!(
            removed_all(&mut m, 1),
            vec![
                b"".to_vec(),
                b"ab".to_vec(),
                b"abc".to_vec(),
                b"b\x00".to_vec()
            ]
        );
        assert_eq!(m.num_prefixes(), 3);
        assert_eq!(m.tree.assert_consistent(), 3);
        assert_eq!(matches(&m, b"abcd"), vec![2]);
        assert_eq!(matches(&m, b"abd"), vec![2, 2]);
        assert_eq!(matches(&m, b"b\x00"), Vec::<usize>::new());
        assert_eq!(
            removed_all(&mut m, 1),
            Vec::<Vec<u8>>::new(),
            "already gone"
        );
        assert_eq!(removed_all(&mut m, 2), vec![b"a".to_vec(), b"abd".to_vec()]);
        assert_eq!(removed_all(&mut m, 3), vec![b"\xff".to_vec()]);
        assert!(m.is_empty());
        assert_eq!(m.tree.live_nodes(), 1);
        assert_eq!(removed_all(&mut m, 3), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn pruning_frees_and_reuses_nodes() {
        let mut m = MTrie::new();
        m.add(b"keep", 1usize);
        m.add(b"keepgoing", 2);
        let arena = m.tree.arena_len();
        assert_eq!(m.rm(b"keepgoing", 2), RmResult::LastValueRemoved);
        assert_eq!(m.tree.live_nodes(), 1 + 1);
        m.add(b"keepright", 3);
        assert_eq!(m.tree.arena_len(), arena, "freed slots reused");
        removed_all(&mut m, 3);
        assert_eq!(m.tree.live_nodes(), 1 + 1);
        removed_all(&mut m, 1);
        assert_eq!(m.num_prefixes(), 0);
        assert_eq!(m.tree.live_nodes(), 1);
        assert_eq!(m.tree.arena_len(), 1);
    }

    #[test]
    fn long_topic_needs_no_stack() {
        let topic: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
        let mut m = MTrie::new();
        assert!(m.add(&topic, 1usize));
        assert!(m.add(&topic[..1], 2));
        assert!(m.add(&topic[..99_999], 3));
        let mut longer = topic.clone();
        longer.extend_from_slice(b"tail");
        assert_eq!(matches(&m, &longer), vec![2, 3, 1]);
        assert_eq!(matches(&m, &topic[..99_999]), vec![2, 3]);
        let copy = m.clone();
        assert_eq!(removed_all(&mut m, 1), vec![topic.clone()]);
        assert_eq!(m.rm(&topic[..99_999], 3), RmResult::LastValueRemoved);
        assert_eq!(m.tree.live_nodes(), 2);
        assert_eq!(removed_all(&mut m, 2), vec![topic[..1].to_vec()]);
        assert!(m.is_empty());
        drop(copy);
    }

    #[test]
    fn randomized_against_a_map_of_sets() {
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        let mut m: MTrie<usize> = MTrie::new();
        let mut model: HashMap<Vec<u8>, BTreeSet<usize>> = HashMap::new();
        for step in 0..20_000 {
            let key = rng.key();
            let v = rng.below(6) as usize;
            match rng.below(8) {
                0..=2 => {
                    let set = model.entry(key.clone()).or_default();
                    let first = set.is_empty();
                    set.insert(v);
                    assert_eq!(m.add(&key, v), first, "add {key:?} {v}");
                }
                3..=4 => {
                    let want = match model.get_mut(&key) {
                        Some(set) if set.contains(&v) => {
                            set.remove(&v);
                            if set.is_empty() {
                                model.remove(&key);
                                RmResult::LastValueRemoved
                            } else {
                                RmResult::ValuesRemain
                            }
                        }
                        _ => RmResult::NotFound,
                    };
                    assert_eq!(m.rm(&key, v), want, "rm {key:?} {v}");
                }
                5 => {
                    let mut want: Vec<Vec<u8>> = Vec::new();
                    model.retain(|p, set| {
                        if set.remove(&v) && set.is_empty() {
                            want.push(p.clone());
                            return false;
                        }
                        true
                    });
                    want.sort();
                    assert_eq!(removed_all(&mut m, v), want, "rm_all {v}");
                }
                _ => {
                    let mut want: Vec<(usize, usize)> = model
                        .iter()
                        .filter(|(p, _)| key.starts_with(p))
                        .flat_map(|(p, set)| set.iter().map(move |&v| (p.len(), v)))
                        .collect();
                    want.sort();
                    let want: Vec<usize> = want.into_iter().map(|(_, v)| v).collect();
                    assert_eq!(matches(&m, &key), want, "match {key:?}");
                }
            }
            assert_eq!(m.num_prefixes(), model.len());
            assert_eq!(m.is_empty(), model.is_empty());
            if step % 500 == 0 {
                assert_eq!(m.tree.assert_consistent(), model.len());
            }
        }
        for v in 0..6 {
            removed_all(&mut m, v);
            m.tree.assert_consistent();
        }
        assert!(m.is_empty());
        assert_eq!(m.tree.live_nodes(), 1);
    }

    /// The topics a subscriber sends in the tests that measure cost.
    fn topic(i: u32) -> Vec<u8> {
        format!("topic/{i:08}").into_bytes()
    }

    #[test]
    fn a_long_subscription_costs_its_octets_once() {
        // libzmq: a node per octet, over 30 MB for this one SUBSCRIBE.
        let long = vec![b't'; 1 << 20];
        let (mut m, net, peak) = measure(|| {
            let mut m = MTrie::new();
            m.add(&long, 1usize);
            m.add(&long, 2);
            m
        });
        assert!(
            net < 1_100_000 && peak < 1_100_000,
            "{net} held, {peak} at most"
        );
        let ((), net, _) = measure(|| {
            m.rm(&long, 1);
            m.rm(&long, 2);
        });
        assert!(net < -(1 << 20), "given back: {net}");
        assert!(m.is_empty());
    }

    #[test]
    fn many_subscriptions_cost_little_and_are_all_given_back() {
        // 100,000 topics of 14 octets from one pipe: under 100 octets
        // each (libzmq's nodes and per-prefix pipe sets cost more), and
        // every round of subscribing and cancelling them costs the same.
        let (mut m, cost, peak) = measure(|| {
            let mut m = MTrie::new();
            for i in 0..100_000 {
                assert!(m.add(&topic(i), 3usize));
            }
            m
        });
        assert!(
            cost < 100 * 100_000 && peak < cost + 100_000,
            "{cost} held, {peak} at most"
        );
        // What an empty tree keeps (its root and a little room).
        let kept = 64 * 1024;
        for round in 0..3 {
            let ((), net, _) = measure(|| {
                for i in 0..100_000 {
                    assert_eq!(m.rm(&topic(i), 3), RmResult::LastValueRemoved);
                }
            });
            assert!(
                net < kept - cost,
                "round {round}: cancelling gave back only {net} of {cost}"
            );
            assert!(m.is_empty());
            let ((), net, _) = measure(|| {
                for i in 0..100_000 {
                    m.add(&topic(i), 3);
                }
            });
            assert!(net <= cost, "round {round}: {net}");
        }
        // A pipe leaving takes them all, memory included.
        let ((), net, _) = measure(|| m.rm_all(3, false, |_| {}));
        assert!(net < kept - cost, "{net} of {cost}");
        assert!(m.is_empty());
    }
}

use super::*;
use crate::util::alloc_count::measure;

fn add(t: &mut PrefixTree<u64>, key: &[u8]) {
    let idx = t.find_or_insert(key);
    *t.value_mut(idx) += 1;
}

fn rm(t: &mut PrefixTree<u64>, key: &[u8]) {
    let idx = t.find(key).expect("present");
    *t.value_mut(idx) -= 1;
    t.prune(idx);
}

fn keys(t: &PrefixTree<u64>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    t.walk(|p, &v| {
        if v > 0 {
            out.push(p.to_vec())
        }
    });
    out
}

fn matching(t: &PrefixTree<u64>, data: &[u8]) -> usize {
    t.prefixes_of(data).filter(|&&v| v > 0).count()
}

#[test]
fn edges_are_split_where_keys_part_and_merged_when_they_go() {
    let mut t = PrefixTree::new();
    add(&mut t, b"abcdef");
    assert_eq!(t.live_nodes(), 2, "one node for the whole key");
    add(&mut t, b"abcxyz");
    assert_eq!(t.live_nodes(), 4, "a branching node at abc, and two leaves");
    add(&mut t, b"ab");
    assert_eq!(t.live_nodes(), 5, "an edge split where a key ends");
    assert_eq!(t.assert_consistent(), 3);
    assert_eq!(keys(&t), [&b"ab"[..], b"abcdef", b"abcxyz"]);
    assert_eq!(
        t.find(b"abc").map(|i| t.node(i).value),
        Some(0),
        "a branching node, no value"
    );
    assert_eq!(t.find(b"abcd"), None);
    assert_eq!(t.find(b"abq"), None);
    assert_eq!(t.find(b"abcdefg"), None);
    assert_eq!(matching(&t, b"abcdefg"), 2);
    assert_eq!(matching(&t, b"abcde"), 1);
    assert_eq!(matching(&t, b"a"), 0);
    rm(&mut t, b"abcdef");
    assert_eq!(t.live_nodes(), 3, "abc merged into xyz");
    assert_eq!(t.assert_consistent(), 2);
    rm(&mut t, b"ab");
    assert_eq!(t.live_nodes(), 2, "ab merged into cxyz");
    assert_eq!(keys(&t), [b"abcxyz"]);
    rm(&mut t, b"abcxyz");
    assert_eq!((t.live_nodes(), t.arena_len()), (1, 1));
}

#[test]
fn an_unfilled_insert_is_undone_by_prune() {
    let mut t = PrefixTree::new();
    add(&mut t, b"abcdef");
    for key in [&b"abc"[..], b"abcq", b"x", b"abcdefgh"] {
        let idx = t.find_or_insert(key);
        t.prune(idx);
        assert_eq!(t.live_nodes(), 2, "{key:?}");
        t.assert_consistent();
    }
}

#[test]
fn walk_mut_prunes_and_merges_what_it_empties() {
    let mut t = PrefixTree::new();
    for k in [&b""[..], b"a", b"ab", b"abc", b"abd", b"b", b"ba", b"bb"] {
        add(&mut t, k);
    }
    t.walk_mut(|p, v| {
        if p != b"abd" && p != b"bb" {
            *v = 0
        }
    });
    assert_eq!(keys(&t), [&b"abd"[..], b"bb"]);
    assert_eq!(t.live_nodes(), 3, "root and two leaves, merged");
    assert_eq!(t.assert_consistent(), 2);
    t.walk_mut(|_, v| *v = 0);
    assert_eq!((t.live_nodes(), t.arena_len()), (1, 1));
}

#[test]
fn a_mostly_free_arena_is_compacted() {
    let mut t = PrefixTree::new();
    let key = |i: u32| format!("topic/{i:06}").into_bytes();
    for i in 0..20_000 {
        add(&mut t, &key(i));
    }
    let full = t.arena_len();
    for i in 0..19_000 {
        rm(&mut t, &key(i));
    }
    assert!(t.arena_len() < full / 4, "{} of {full}", t.arena_len());
    assert_eq!(t.assert_consistent(), 1000);
    assert_eq!(keys(&t), (19_000..20_000).map(key).collect::<Vec<_>>());
    assert!(t.nodes.capacity() < t.arena_len() + arena::CHUNK);
}

#[test]
fn a_long_key_costs_its_octets_once() {
    let topic: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let (mut t, net, peak) = measure(|| {
        let mut t = PrefixTree::new();
        add(&mut t, &topic);
        t
    });
    assert!(
        net < (1 << 20) + 4096 && peak < (1 << 20) + 4096,
        "{net} held, {peak} at most, for 1 MiB"
    );
    // Keys branching off it, coming and going, copy at most their own
    // octets (the edge's head), never the rest of it.
    for cut in [1, 1000, 500_000, (1 << 20) - 1] {
        let mut other = topic[..cut].to_vec();
        other.push(0xFF);
        let ((), net, peak) = measure(|| {
            for _ in 0..3 {
                add(&mut t, &topic[..cut]);
                add(&mut t, &other);
                rm(&mut t, &other);
                rm(&mut t, &topic[..cut]);
            }
        });
        assert!(
            peak < cut as isize + 4096 && net < 1024,
            "cut at {cut}: {net} held, {peak} at most"
        );
        t.assert_consistent();
    }
    assert_eq!(t.live_nodes(), 2);
    assert_eq!(matching(&t, &topic), 1);
    let ((), net, _) = measure(|| rm(&mut t, &topic));
    assert!(net <= -(1 << 20), "all of it given back: {net}");
}

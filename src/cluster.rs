//! Story clustering from verified pairs, guarded against chaining.
//!
//! Input: the number of documents and weighted edges (verified pairs).
//! Output: [`Cluster`]s covering every document (singletons included),
//! sorted by their first member.
//!
//! Plain connected components let one hub article (a roundup, a page sharing a
//! boilerplate line) join unrelated stories. Here clusters merge by **average
//! linkage** on the sparse graph: two clusters merge only when the mean edge
//! weight over *all* their member pairs (missing edges count 0) reaches the
//! threshold. A hub with one strong edge into each of two stories cannot pull
//! them together, because the stories' members share no edges with each other.
//! Merges happen strongest first; ties break on the smallest ids, so the
//! result does not depend on thread count or input hashing.
//!
//! A merge also needs a *witness*: at least one reported (labelled) pair
//! between the two clusters. Pairs too weak to report still count in the
//! average, but they cannot join two stories on their own, so every story a
//! user sees is held together by pairs the report shows.

use crate::model::{Article, Cluster, DocId};
use crate::params::KeepPolicy;
use ahash::AHashMap;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A weighted edge between two documents.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// One end.
    pub a: DocId,
    /// Other end.
    pub b: DocId,
    /// Similarity in [0, 1].
    pub weight: f64,
    /// Whether the pair is reported (labelled): evidence a user can see.
    pub witness: bool,
}

#[derive(PartialEq)]
struct Entry {
    avg: f64,
    a: usize,
    b: usize,
    size_a: usize,
    size_b: usize,
}

impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.avg
            .total_cmp(&other.avg)
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

/// Average-linkage clustering; returns the cluster index of every document
/// (cluster indices are the smallest member of each cluster).
pub fn average_linkage(n_docs: usize, edges: &[Edge], threshold: f64) -> Vec<usize> {
    let mut size = vec![1usize; n_docs];
    let mut alive = vec![true; n_docs];
    // Per neighbour: (sum of edge weights, number of witness edges).
    let mut adj: Vec<AHashMap<usize, (f64, u32)>> = vec![AHashMap::new(); n_docs];
    for e in edges {
        let (a, b) = (e.a.idx(), e.b.idx());
        if a == b || e.weight <= 0.0 {
            continue;
        }
        for (x, y) in [(a, b), (b, a)] {
            let slot = adj[x].entry(y).or_default();
            slot.0 += e.weight;
            slot.1 += u32::from(e.witness);
        }
    }
    let mut heap = BinaryHeap::new();
    for (a, row) in adj.iter().enumerate() {
        for (&b, &(w, n)) in row {
            if a < b && w >= threshold && n > 0 {
                heap.push(Entry {
                    avg: w,
                    a,
                    b,
                    size_a: 1,
                    size_b: 1,
                });
            }
        }
    }
    let mut parent: Vec<usize> = (0..n_docs).collect();
    while let Some(e) = heap.pop() {
        if e.avg < threshold {
            break;
        }
        if !alive[e.a] || !alive[e.b] || size[e.a] != e.size_a || size[e.b] != e.size_b {
            continue; // stale entry
        }
        // Keep the smaller index as the cluster's name.
        let (keep, gone) = (e.a.min(e.b), e.a.max(e.b));
        alive[gone] = false;
        parent[gone] = keep;
        size[keep] += size[gone];
        let gone_adj = std::mem::take(&mut adj[gone]);
        adj[keep].remove(&gone);
        for (k, (w, n)) in gone_adj {
            if k == keep {
                continue;
            }
            let slot = adj[keep].entry(k).or_default();
            slot.0 += w;
            slot.1 += n;
            let (wk, nk) = adj[k].remove(&gone).unwrap_or((0.0, 0));
            let slot = adj[k].entry(keep).or_default();
            slot.0 += wk;
            slot.1 += nk;
        }
        let mut neighbours: Vec<(usize, (f64, u32))> =
            adj[keep].iter().map(|(&k, &w)| (k, w)).collect();
        neighbours.sort_unstable_by_key(|x| x.0);
        for (k, (w, n)) in neighbours {
            let avg = w / (size[keep] * size[k]) as f64;
            if avg >= threshold && n > 0 {
                let (a, b) = (keep.min(k), keep.max(k));
                heap.push(Entry {
                    avg,
                    a,
                    b,
                    size_a: size[a],
                    size_b: size[b],
                });
            }
        }
    }
    (0..n_docs)
        .map(|mut i| {
            while parent[i] != i {
                i = parent[i];
            }
            i
        })
        .collect()
}

/// Groups documents by cluster index and picks each representative.
pub fn build_clusters(
    assignment: &[usize],
    articles: &[Article],
    keep: KeepPolicy,
) -> Vec<Cluster> {
    let mut groups: Vec<Vec<DocId>> = vec![Vec::new(); assignment.len()];
    for (doc, &c) in assignment.iter().enumerate() {
        groups[c].push(DocId(doc as u32));
    }
    groups
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|members| {
            let representative = choose_representative(&members, articles, keep);
            Cluster {
                members,
                representative,
            }
        })
        .collect()
}

fn choose_representative(members: &[DocId], articles: &[Article], keep: KeepPolicy) -> DocId {
    let first = members[0];
    match keep {
        KeepPolicy::First => first,
        KeepPolicy::Longest => *members
            .iter()
            .max_by(|x, y| {
                articles[x.idx()]
                    .body
                    .len()
                    .cmp(&articles[y.idx()].body.len())
                    .then(y.cmp(x))
            })
            .unwrap_or(&first),
        KeepPolicy::Earliest => *members
            .iter()
            .min_by_key(|d| (articles[d.idx()].published.unwrap_or(i64::MAX), **d))
            .unwrap_or(&first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(a: u32, b: u32, w: f64) -> Edge {
        Edge {
            a: DocId(a),
            b: DocId(b),
            weight: w,
            witness: true,
        }
    }

    #[test]
    fn unreported_pairs_alone_do_not_merge_stories() {
        let weak = |a, b| Edge {
            witness: false,
            ..e(a, b, 0.6)
        };
        // 0–1 is a reported pair; 2 is linked to both only by unreported,
        // though strong enough, similarities; 3–4 likewise.
        let edges = vec![e(0, 1, 0.9), weak(2, 0), weak(2, 1), weak(3, 4)];
        let c = average_linkage(5, &edges, 0.3);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[2], c[0]);
        assert_ne!(c[3], c[4]);
        // One witness is enough: the weak edges then count in the average.
        let edges = vec![e(0, 1, 0.9), e(2, 0, 0.4), weak(2, 1)];
        let c = average_linkage(3, &edges, 0.3);
        assert_eq!(c[2], c[0]);
    }

    #[test]
    fn a_hub_does_not_chain_two_stories() {
        // Story {0,1,2} and story {3,4,5}; doc 6 is a roundup linked to one of each.
        let mut edges = vec![
            e(0, 1, 0.9),
            e(0, 2, 0.8),
            e(1, 2, 0.85),
            e(3, 4, 0.9),
            e(3, 5, 0.8),
            e(4, 5, 0.9),
        ];
        edges.push(e(6, 0, 0.5));
        edges.push(e(6, 3, 0.5));
        let c = average_linkage(7, &edges, 0.3);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[0], c[2]);
        assert_eq!(c[3], c[4]);
        assert_ne!(c[0], c[3], "the hub chained two stories");
        // Connected components would have put everything together.
    }

    proptest! {
        /// With every edge weight 1 and a threshold reachable only by complete
        /// linkage structures, clusters never span two connected components,
        /// and cliques always end up whole (naive oracle: component search).
        #[test]
        fn clusters_stay_inside_components_and_cliques_merge(
            groups in proptest::collection::vec(1usize..5, 1..6)) {
            let mut edges = Vec::new();
            let mut start = 0u32;
            let mut truth = Vec::new();
            for (g, &n) in groups.iter().enumerate() {
                for i in 0..n as u32 {
                    truth.push(g);
                    for j in i + 1..n as u32 {
                        edges.push(e(start + i, start + j, 1.0));
                    }
                }
                start += n as u32;
            }
            let c = average_linkage(truth.len(), &edges, 0.5);
            for i in 0..truth.len() {
                for j in 0..truth.len() {
                    prop_assert_eq!(c[i] == c[j], truth[i] == truth[j]);
                }
            }
        }
    }
}

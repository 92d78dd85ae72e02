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
//!
//! Two passes follow the linkage: [`split_events`] cuts a cluster that holds
//! two events on one topic (judged with term weights local to the cluster),
//! and [`refine`] moves each document to the cluster whose centroid it is most
//! like, through reported pairs only.

use crate::merge::for_each_shared;
use crate::model::{Article, Cluster, DocId, Label, Scores, VectorsByDoc, VerifiedPair};
use crate::params::KeepPolicy;
use crate::union_find::UnionFind;
use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
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

impl Edge {
    /// Whether its weight was left for clustering to compute: the edge of
    /// a faint pair that shares no phrase (NaN, see
    /// [`crate::Params::story_sure_slots`]).
    pub fn is_faint(&self) -> bool {
        self.weight.is_nan()
    }

    /// The evidence a verified pair gives of one story. A partial copy gives
    /// it only through the rest of the two texts (its residual similarity),
    /// so a roundup does not join the stories it quotes.
    pub fn of(p: &VerifiedPair) -> Edge {
        Edge {
            a: p.a,
            b: p.b,
            weight: Edge::weight_of(p),
            witness: p.label.is_some(),
        }
    }

    /// The weight of [`Edge::of`] a pair. A near copy is one story with the
    /// text it is copied from only as far as the larger text is that copy: a
    /// roundup whose filler repeats, so that two paragraphs of a story are
    /// most of its distinct words, is a near copy of that story and of any
    /// other it quotes, and must not join them. So its weight is the larger
    /// of its story similarity and the share of the larger document's
    /// shingles that the two share.
    pub fn weight_of(p: &VerifiedPair) -> f64 {
        match p.label {
            Some(Label::NearCopy) => p.scores.story.max(larger_share(&p.scores)),
            Some(l) if l.joins_story() => p.score,
            _ => p.scores.residual_story,
        }
    }
}

/// The edges that can change [`average_linkage`]: those with both ends in
/// one connected component of the witness edges. Two clusters merge only
/// across a witness edge, so every cluster stays inside one such component,
/// and an edge between two components never enters a merge decision. Stories
/// mode verifies millions of weak candidate pairs, almost all between
/// unrelated stories: this keeps the few that count, in order.
///
/// The tests' statement of the rule: the pipeline applies it with
/// [`WitnessComponents`] to weak edges read back one at a time, as it does
/// not hold them all.
#[cfg(test)]
fn within_witness_components(n_docs: usize, edges: &[Edge]) -> Vec<Edge> {
    let mut components = WitnessComponents::new(n_docs, edges.iter().filter(|e| e.witness));
    edges
        .iter()
        .filter(|e| e.witness || components.joins(e))
        .copied()
        .collect()
}

/// The connected components of the witness edges, for weak edges met one
/// at a time: a weak edge can change [`average_linkage`] only if both its
/// ends are in one component (two clusters merge only across a witness
/// edge, so every cluster stays inside one).
pub struct WitnessComponents(UnionFind);

impl WitnessComponents {
    /// The components of `witnesses` over `n_docs` documents.
    pub fn new<'e>(n_docs: usize, witnesses: impl Iterator<Item = &'e Edge>) -> Self {
        let mut components = UnionFind::new(n_docs);
        for e in witnesses {
            components.union(e.a.0, e.b.0);
        }
        WitnessComponents(components)
    }

    /// Whether `e`'s two ends are in one component.
    pub fn joins(&mut self, e: &Edge) -> bool {
        self.0.find(e.a.0) == self.0.find(e.b.0)
    }
}

/// A pair of clusters on [`average_linkage`]'s queue: ordered by average,
/// then by the clusters' names (smallest members), so that ties merge in
/// the same order however the clusters are stored.
struct Entry {
    avg: f64,
    /// The two clusters' names, the smaller first.
    names: (usize, usize),
    /// Where the two clusters are stored, and their sizes when the entry
    /// was made (an entry whose clusters have grown since is stale).
    x: usize,
    y: usize,
    size_x: usize,
    size_y: usize,
}

impl Entry {
    /// The entry of stored clusters `x` and `y` at average `avg`, with their
    /// sizes and names now.
    fn new(avg: f64, x: usize, y: usize, size: &[usize], name: &[usize]) -> Entry {
        Entry {
            avg,
            names: (name[x].min(name[y]), name[x].max(name[y])),
            x,
            y,
            size_x: size[x],
            size_y: size[y],
        }
    }

    /// Whether either cluster was merged away, or has grown, since the
    /// entry was made: a merge always grows the cluster that stays.
    fn is_stale(&self, alive: &[bool], size: &[usize]) -> bool {
        !alive[self.x]
            || !alive[self.y]
            || size[self.x] != self.size_x
            || size[self.y] != self.size_y
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
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
            .then_with(|| other.names.0.cmp(&self.names.0))
            .then_with(|| other.names.1.cmp(&self.names.1))
    }
}

/// [`average_linkage`]'s entries, taken best first: the first merges
/// sorted (in parallel, best last), those made by merges on a heap. Each
/// time the better of the two is taken, which is the order one heap of all
/// would give (entries that compare equal are alike: the same two
/// clusters at the same average, so which comes first changes nothing).
/// Taking from a heap of all the pairs of a big batch cost a cache miss at
/// each of its levels; the sorted ones are taken in a row.
struct Queue {
    first: Vec<Entry>,
    later: BinaryHeap<Entry>,
}

impl Queue {
    /// The queue of `first`, in any order.
    fn new(mut first: Vec<Entry>) -> Queue {
        first.par_sort_unstable();
        Queue {
            first,
            later: BinaryHeap::new(),
        }
    }

    fn pop(&mut self) -> Option<Entry> {
        match (self.first.last(), self.later.peek()) {
            (Some(first), Some(later)) if later > first => self.later.pop(),
            (Some(_), _) => self.first.pop(),
            (None, _) => self.later.pop(),
        }
    }

    fn push(&mut self, e: Entry) {
        self.later.push(e);
    }
}

/// The next pair of clusters to merge: the best entry of `queue` that is
/// not stale, if its average reaches `threshold`.
fn next_merge(queue: &mut Queue, threshold: f64, alive: &[bool], size: &[usize]) -> Option<Entry> {
    while let Some(e) = queue.pop() {
        if e.avg < threshold {
            return None;
        }
        if !e.is_stale(alive, size) {
            return Some(e);
        }
    }
    None
}

/// `|A∩B| / max(|A|, |B|)` of two shingle sets, from their Jaccard
/// `j = I / (S + L − I)` and containment `c = I / S`: `L / I = 1/j − 1/c + 1`.
fn larger_share(s: &Scores) -> f64 {
    if s.jaccard <= 0.0 || s.containment <= 0.0 {
        return 0.0;
    }
    (1.0 / (1.0 / s.jaccard - 1.0 / s.containment + 1.0)).clamp(0.0, 1.0)
}

/// Per stored cluster, per neighbour: (sum of edge weights, number of
/// witness edges).
type Adjacency = Vec<AHashMap<usize, (f64, u32)>>;

/// The adjacency of `n_docs` documents, one cluster each, over `edges`
/// (loops and edges of no weight left out).
fn adjacency(n_docs: usize, edges: &[Edge]) -> Adjacency {
    let mut adj: Adjacency = vec![AHashMap::new(); n_docs];
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
    adj
}

/// The queue of the first merges: each pair of documents (one cluster
/// each) with an average of at least `threshold` and a witness edge.
fn first_entries(adj: &Adjacency, threshold: f64) -> Queue {
    let (size, name) = (vec![1; adj.len()], (0..adj.len()).collect::<Vec<_>>());
    Queue::new(
        adj.par_iter()
            .enumerate()
            .flat_map_iter(|(a, row)| {
                let (size, name) = (&size, &name);
                row.iter()
                    .filter(move |(&b, &(w, n))| a < b && w >= threshold && n > 0)
                    .map(move |(&b, &(w, _))| Entry::new(w, a, b, size, name))
            })
            .collect(),
    )
}

/// Per document, the name of the cluster it ended in: the name of the
/// stored cluster its chain of `parent`s (where each stored cluster went
/// when it was merged) ends at.
fn final_names(parent: &[usize], name: &[usize]) -> Vec<usize> {
    (0..parent.len())
        .map(|mut i| {
            while parent[i] != i {
                i = parent[i];
            }
            name[i]
        })
        .collect()
}

/// Merges stored cluster `guest` into `host`: `guest`'s neighbours become
/// `host`'s, their weights and witnesses added to those `host` has (a sum
/// of two weights is the same in either order).
fn absorb(adj: &mut Adjacency, host: usize, guest: usize) {
    let guest_adj = std::mem::take(&mut adj[guest]);
    adj[host].remove(&guest);
    for (k, (w, n)) in guest_adj {
        if k == host {
            continue;
        }
        let slot = adj[host].entry(k).or_default();
        slot.0 += w;
        slot.1 += n;
        let (wk, nk) = adj[k].remove(&guest).unwrap_or((0.0, 0));
        let slot = adj[k].entry(host).or_default();
        slot.0 += wk;
        slot.1 += nk;
    }
}

/// Average-linkage clustering; returns the cluster index of every document
/// (cluster indices are the smallest member of each cluster).
///
/// A merged cluster is stored where the one with more neighbours was, and
/// the other's neighbours move to it: a story that grows by absorbing small
/// clusters one at a time moves their few neighbours, not its many. Its
/// name is its smallest member, as the queue's ties are broken by names.
pub fn average_linkage(n_docs: usize, edges: &[Edge], threshold: f64) -> Vec<usize> {
    let mut size = vec![1usize; n_docs];
    let mut alive = vec![true; n_docs];
    let mut name: Vec<usize> = (0..n_docs).collect();
    let mut adj = adjacency(n_docs, edges);
    let mut queue = first_entries(&adj, threshold);
    // Where each stored cluster went when it was merged.
    let mut parent: Vec<usize> = (0..n_docs).collect();
    while let Some(e) = next_merge(&mut queue, threshold, &alive, &size) {
        let (host, guest) = match adj[e.x].len() >= adj[e.y].len() {
            true => (e.x, e.y),
            false => (e.y, e.x),
        };
        alive[guest] = false;
        parent[guest] = host;
        size[host] += size[guest];
        name[host] = name[host].min(name[guest]);
        absorb(&mut adj, host, guest);
        for (&k, &(w, n)) in &adj[host] {
            let avg = w / (size[host] * size[k]) as f64;
            if avg >= threshold && n > 0 {
                queue.push(Entry::new(avg, host, k, &size, &name));
            }
        }
    }
    final_names(&parent, &name)
}

/// Centroid refinement of a clustering (k-means steps seeded by linkage).
///
/// Average linkage decides on pair averages, which one odd pair can swing;
/// a cluster's centroid (the sum of its members' term vectors) is steadier.
/// Each round, every document is compared with the centroid of its own
/// cluster (without itself) and with the centroids of the clusters it has a
/// witness edge (of weight at least the witnesses' `min_sim`) into; it moves
/// to the most similar one if that beats its own and reaches `min_sim`.
/// Moves of one round are decided on the same centroids and applied
/// together, so the result does not depend on document order; rounds stop
/// at a fixed point or after `rounds`.
/// Cluster indices stay the smallest member of each cluster.
pub fn refine<V: VectorsByDoc + ?Sized>(
    assignment: &mut [usize],
    vectors: &V,
    witnesses: &Witnesses,
    rounds: usize,
) {
    let n = assignment.len();
    if vectors.len() != n || witnesses.len() != n {
        return;
    }
    let min_sim = witnesses.min_sim;
    // Only a document with a witness edge can move, and only into the
    // cluster of another such document: the centroids of the clusters that
    // hold one are all a round needs.
    let movable: Vec<usize> = (0..n)
        .filter(|&d| !witnesses.of_doc(d).is_empty())
        .collect();
    if movable.is_empty() {
        return;
    }
    // A round builds the centroids of the clusters that changed in the
    // last (all of them in the first) and decides again for the documents
    // that see one: a document whose own cluster, and the clusters of its
    // witnesses, kept their members would decide as it did in the last
    // round, which was to stay (a document that moved is in a changed
    // cluster). Most clusters stop changing after a round or two.
    let mut changed = vec![true; n];
    let mut slot = vec![u32::MAX; n];
    let mut centroids: AHashMap<usize, Centroid<V::Term>> = AHashMap::new();
    for _ in 0..rounds {
        // The clusters of movable documents, the only ones a round needs;
        // a cluster that lost its last movable document is dropped.
        let needed: AHashSet<usize> = movable.iter().map(|&d| assignment[d]).collect();
        centroids.retain(|c, _| needed.contains(c) && !changed[*c]);
        let mut members: Vec<(usize, Vec<usize>)> = Vec::new();
        for &c in needed.iter().filter(|&&c| changed[c]) {
            slot[c] = members.len() as u32;
            members.push((c, Vec::new()));
        }
        for (d, &c) in assignment.iter().enumerate() {
            if let Some((_, m)) = members.get_mut(slot[c] as usize) {
                m.push(d);
            }
        }
        for (c, _) in &members {
            slot[*c] = u32::MAX;
        }
        centroids.par_extend(
            members
                .into_par_iter()
                .map(|(c, m)| (c, Centroid::of(m.iter().map(|&d| vectors.terms(d))))),
        );
        let assigned = &*assignment;
        let sim = |d: usize, c: usize| centroids[&c].similarity(vectors.terms(d), assigned[d] == c);
        let sees_a_change = |d: usize| {
            changed[assigned[d]]
                || witnesses
                    .of_doc(d)
                    .iter()
                    .any(|&k| changed[assigned[k as usize]])
        };
        let moves: Vec<(usize, usize)> = movable
            .par_iter()
            .filter(|&&d| sees_a_change(d))
            .filter_map(|&d| {
                best_move(d, assigned, witnesses.of_doc(d), &sim, min_sim).map(|c| (d, c))
            })
            .collect();
        for &c in &needed {
            changed[c] = false;
        }
        if moves.is_empty() {
            break;
        }
        for (d, c) in moves {
            changed[assignment[d]] = true;
            changed[c] = true;
            assignment[d] = c;
        }
    }
    name_by_smallest_member(assignment);
}

/// Per document, the documents it has a witness edge of weight at least
/// `min_sim` with: where [`refine`] may move it. Made from the edges, which
/// can then go: one list of neighbours, cut by document.
#[derive(Debug)]
pub struct Witnesses {
    min_sim: f64,
    /// Document `d`'s neighbours are `neighbours[starts[d]..starts[d + 1]]`.
    starts: Vec<usize>,
    neighbours: Vec<u32>,
}

impl Witnesses {
    /// The witnesses of `n_docs` documents in `edges`.
    pub fn of(n_docs: usize, edges: &[Edge], min_sim: f64) -> Witnesses {
        let counted = |e: &&Edge| e.witness && e.a != e.b && e.weight >= min_sim;
        let mut starts = vec![0usize; n_docs + 1];
        for e in edges.iter().filter(counted) {
            starts[e.a.idx() + 1] += 1;
            starts[e.b.idx() + 1] += 1;
        }
        for d in 0..n_docs {
            starts[d + 1] += starts[d];
        }
        let mut neighbours = vec![0u32; starts[n_docs]];
        let mut next = starts.clone();
        for e in edges.iter().filter(counted) {
            for (x, y) in [(e.a, e.b), (e.b, e.a)] {
                neighbours[next[x.idx()]] = y.0;
                next[x.idx()] += 1;
            }
        }
        Witnesses {
            min_sim,
            starts,
            neighbours,
        }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Document `d`'s witnesses.
    fn of_doc(&self, d: usize) -> &[u32] {
        &self.neighbours[self.starts[d]..self.starts[d + 1]]
    }
}

/// The cluster [`refine`] moves document `d` to, if any: of the clusters of
/// its `witnesses`, the most similar (`sim(d, c)`), when that beats its own
/// cluster and reaches `min_sim` (ties to the smaller cluster index).
fn best_move(
    d: usize,
    assignment: &[usize],
    witnesses: &[u32],
    sim: &impl Fn(usize, usize) -> f64,
    min_sim: f64,
) -> Option<usize> {
    let own = sim(d, assignment[d]);
    let mut targets: Vec<usize> = witnesses.iter().map(|&k| assignment[k as usize]).collect();
    targets.sort_unstable();
    targets.dedup();
    targets
        .into_iter()
        .filter(|&c| c != assignment[d])
        .map(|c| (sim(d, c), c))
        .filter(|&(s, _)| s >= min_sim && s > own)
        .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)))
        .map(|(_, c)| c)
}

/// Names every cluster by its smallest member.
fn name_by_smallest_member(assignment: &mut [usize]) {
    let mut smallest: AHashMap<usize, usize> = AHashMap::new();
    for (d, &c) in assignment.iter().enumerate() {
        smallest.entry(c).or_insert(d);
    }
    for c in assignment.iter_mut() {
        *c = smallest[c];
    }
}

/// A cluster's centroid for [`refine`]: the sum of its members' term
/// vectors (each term's weights added in member order), as terms in order
/// beside their sums, and its squared norm (summed in term order).
struct Centroid<T> {
    terms: Vec<T>,
    sums: Vec<f64>,
    norm2: f64,
}

impl<T: Copy + Ord> Centroid<T> {
    fn of<'v>(members: impl Iterator<Item = &'v [(T, f32)]>) -> Centroid<T>
    where
        T: 'v,
    {
        let mut all: Vec<(T, f32)> = members.flatten().copied().collect();
        // Stable: each term's weights stay in member order.
        all.sort_by_key(|x| x.0);
        let (mut terms, mut sums): (Vec<T>, Vec<f64>) = (Vec::new(), Vec::new());
        for (t, w) in all {
            if terms.last() != Some(&t) {
                terms.push(t);
                sums.push(0.0);
            }
            *sums.last_mut().expect("pushed") += w as f64;
        }
        terms.shrink_to_fit();
        sums.shrink_to_fit();
        let norm2 = sums.iter().map(|w| w * w).sum();
        Centroid { terms, sums, norm2 }
    }

    /// The sum of term `t`; `from` is where to look from (moved past the
    /// terms before `t`), as `v`'s terms come in order.
    ///
    /// The search gallops from `from`: a big story's centroid has many
    /// times the terms of one document, so the next term is a short way on,
    /// and a binary search over all the rest would cost the logarithm of the
    /// whole centroid in steps that each miss the cache.
    fn sum(&self, t: T, from: &mut usize) -> Option<f64> {
        let rest = &self.terms[*from..];
        // Every term of `rest[..lo]` is below `t`.
        let (mut lo, mut hi) = (0, 1.min(rest.len()));
        while hi < rest.len() && rest[hi - 1] < t {
            lo = hi;
            hi = (hi * 2).min(rest.len());
        }
        *from += lo + rest[lo..hi].partition_point(|&x| x < t);
        (self.terms.get(*from) == Some(&t)).then(|| self.sums[*from])
    }

    /// Cosine of `v` with the centroid, leaving `v` out of it when it is a
    /// member.
    fn similarity(&self, v: &[(T, f32)], member: bool) -> f64 {
        let mut from = 0;
        let dot: f64 = v
            .iter()
            .filter_map(|&(t, w)| self.sum(t, &mut from).map(|s| s * w as f64))
            .sum();
        let self_n2: f64 = v.iter().map(|(_, w)| (*w as f64).powi(2)).sum();
        let (dot, n2) = if member {
            (dot - self_n2, self.norm2 - 2.0 * dot + self_n2)
        } else {
            (dot, self.norm2)
        };
        if n2 <= 1e-12 {
            0.0
        } else {
            dot / n2.sqrt()
        }
    }
}

/// Splits clusters that hold two events on one topic.
///
/// Inside a cluster the topic's own words (the team, the software, "injured
/// reserve") are in every member and say nothing about *which* event a
/// member reports; the batch IDF cannot see that, as those words are rare in
/// the batch. So each cluster of at least `min_size` members is looked at
/// with **local weights**: every term's weight is multiplied by its IDF
/// inside the cluster, `ln(m / df_local)` (zero for a term in all `m`
/// members, and terms of one member only are dropped as they cannot group
/// members). The cluster is bisected by 2-means on these vectors (seeded by
/// the two most distant members, deterministic), and split when the two
/// halves are each cohesive and far apart: the mean cross-half similarity is
/// below `ratio` × the smaller mean within-half similarity, and each half
/// holds at least `min_half` members and a third of the cluster (an event
/// is told apart only on the evidence of several reports of it, and a
/// lopsided cut is more often an outlier than a second event). Halves are
/// tried again in turn.
pub fn split_events<V: VectorsByDoc + ?Sized>(
    assignment: &mut [usize],
    vectors: &V,
    min_half: usize,
    ratio: f64,
) {
    let n = assignment.len();
    if vectors.len() != n || min_half == 0 {
        return;
    }
    let mut groups: AHashMap<usize, Vec<usize>> = AHashMap::new();
    for (d, &c) in assignment.iter().enumerate() {
        groups.entry(c).or_default().push(d);
    }
    let mut queue: Vec<Vec<usize>> = groups.into_values().collect();
    queue.sort_unstable();
    let mut done: Vec<Vec<usize>> = Vec::new();
    while let Some(members) = queue.pop() {
        if members.len() < 2 * min_half || members.len() > MAX_SPLIT_SIZE {
            done.push(members);
            continue;
        }
        match bisect(&members, vectors, min_half, ratio) {
            Some((x, y)) => {
                queue.push(x);
                queue.push(y);
            }
            None => done.push(members),
        }
    }
    for members in done {
        let first = *members.iter().min().unwrap_or(&0);
        for d in members {
            assignment[d] = first;
        }
    }
}

/// Largest cluster [`split_events`] looks at (the bisection is quadratic).
pub const MAX_SPLIT_SIZE: usize = 2000;

/// Fewest members of each half of a split (see [`split_events`]).
pub const EVENT_MIN_HALF: usize = 6;

/// Cross-half over within-half similarity below which a cluster splits.
pub const EVENT_SPLIT_RATIO: f64 = 0.4;

/// Centroid similarity a document needs to move into a cluster in
/// [`refine`]. A centroid similarity runs higher than the average pair
/// similarity it summarises (the sum of several vectors is shorter than their
/// count), so the bar sits above the linkage threshold; at the linkage
/// threshold singletons drift into clusters of other stories.
pub const REFINE_MIN_SIM: f64 = 0.3;

/// Most rounds of [`refine`].
pub const REFINE_ROUNDS: usize = 10;

fn bisect<V: VectorsByDoc + ?Sized>(
    members: &[usize],
    vectors: &V,
    min_half: usize,
    ratio: f64,
) -> Option<(Vec<usize>, Vec<usize>)> {
    let m = members.len();
    let mut df: AHashMap<V::Term, u32> = AHashMap::new();
    for &d in members {
        for &(t, _) in vectors.terms(d) {
            *df.entry(t).or_default() += 1;
        }
    }
    let local: Vec<Vec<(V::Term, f64)>> = members
        .iter()
        .map(|&d| {
            let mut v: Vec<(V::Term, f64)> = vectors
                .terms(d)
                .iter()
                .filter_map(|&(t, w)| {
                    let k = df[&t];
                    (k >= 2 && (k as usize) < m).then(|| (t, w as f64 * (m as f64 / k as f64).ln()))
                })
                .collect();
            let norm = v.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|x| x.1 /= norm);
            }
            v
        })
        .collect();
    let dot = |a: &[(V::Term, f64)], b: &[(V::Term, f64)]| -> f64 {
        let mut s = 0.0;
        let key = |x: &(V::Term, f64)| x.0.into();
        for_each_shared(a, b, key, key, |i, j| s += a[i].1 * b[j].1);
        s
    };
    let sim: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..m).map(|j| dot(&local[i], &local[j])).collect())
        .collect();
    // Seeds: the member least like the medoid, then the member least like it.
    let medoid = (0..m).max_by(|&x, &y| {
        sim[x]
            .iter()
            .sum::<f64>()
            .total_cmp(&sim[y].iter().sum::<f64>())
            .then(y.cmp(&x))
    })?;
    let far = |from: usize| {
        (0..m)
            .min_by(|&x, &y| sim[from][x].total_cmp(&sim[from][y]).then(x.cmp(&y)))
            .unwrap_or(from)
    };
    let s1 = far(medoid);
    let s2 = far(s1);
    if s1 == s2 {
        return None;
    }
    // 2-means (by mean similarity to each side, i.e. to its centroid).
    let mut side: Vec<bool> = (0..m).map(|i| sim[i][s2] > sim[i][s1]).collect();
    for _ in 0..20 {
        let (na, nb) = (
            side.iter().filter(|&&x| !x).count(),
            side.iter().filter(|&&x| x).count(),
        );
        if na == 0 || nb == 0 {
            return None;
        }
        let next: Vec<bool> = (0..m)
            .map(|i| {
                let (mut a, mut b) = (0.0, 0.0);
                for j in 0..m {
                    if side[j] {
                        b += sim[i][j];
                    } else {
                        a += sim[i][j];
                    }
                }
                b / nb as f64 > a / na as f64
            })
            .collect();
        if next == side {
            break;
        }
        side = next;
    }
    let mean = |fa: bool, fb: bool| -> f64 {
        let (mut s, mut k) = (0.0, 0usize);
        for i in 0..m {
            for j in 0..m {
                if i != j && side[i] == fa && side[j] == fb {
                    s += sim[i][j];
                    k += 1;
                }
            }
        }
        if k == 0 {
            0.0
        } else {
            s / k as f64
        }
    };
    let (na, nb) = (
        side.iter().filter(|&&x| !x).count(),
        side.iter().filter(|&&x| x).count(),
    );
    let (wa, wb, cross) = (mean(false, false), mean(true, true), mean(false, true));
    let min_half = min_half.max(m.div_ceil(3));
    if na < min_half || nb < min_half || cross >= ratio * wa.min(wb) {
        return None;
    }
    let pick = |f: bool| -> Vec<usize> {
        (0..m)
            .filter(|&i| side[i] == f)
            .map(|i| members[i])
            .collect()
    };
    Some((pick(false), pick(true)))
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
    use crate::model::TermVector;
    use proptest::prelude::*;

    fn e(a: u32, b: u32, w: f64) -> Edge {
        Edge {
            a: DocId(a),
            b: DocId(b),
            weight: w,
            witness: true,
        }
    }

    /// [`average_linkage`] as first written (the oracle of the property
    /// test): a merged cluster is always stored under its smallest member, and
    /// the other's neighbours move to it, however many they are. Its clusters
    /// are stored under their names, so its entries' names and places are
    /// one. The two share the adjacency, the move of neighbours ([`absorb`])
    /// and the queue's entries; what differs is where a merged cluster is
    /// stored and how ties are named.
    fn average_linkage_reference(n_docs: usize, edges: &[Edge], threshold: f64) -> Vec<usize> {
        let mut size = vec![1usize; n_docs];
        let mut alive = vec![true; n_docs];
        let names: Vec<usize> = (0..n_docs).collect();
        let mut adj = adjacency(n_docs, edges);
        let mut queue = first_entries(&adj, threshold);
        let mut parent: Vec<usize> = (0..n_docs).collect();
        while let Some(e) = next_merge(&mut queue, threshold, &alive, &size) {
            // Keep the smaller index as the cluster's name.
            let (keep, gone) = (e.x.min(e.y), e.x.max(e.y));
            alive[gone] = false;
            parent[gone] = keep;
            size[keep] += size[gone];
            absorb(&mut adj, keep, gone);
            let mut neighbours: Vec<(usize, (f64, u32))> =
                adj[keep].iter().map(|(&k, &w)| (k, w)).collect();
            neighbours.sort_unstable_by_key(|x| x.0);
            for (k, (w, n)) in neighbours {
                let avg = w / (size[keep] * size[k]) as f64;
                if avg >= threshold && n > 0 {
                    queue.push(Entry::new(avg, keep.min(k), keep.max(k), &size, &names));
                }
            }
        }
        final_names(&parent, &names)
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

    /// A unit-length vector over the given terms, equal weights.
    fn tv(terms: &[u64]) -> TermVector {
        let w = 1.0 / (terms.len() as f32).sqrt();
        let mut v: Vec<(u64, f32)> = terms.iter().map(|&t| (t, w)).collect();
        v.sort_unstable_by_key(|x| x.0);
        TermVector(v)
    }

    #[test]
    fn a_cluster_of_two_events_on_one_topic_splits() {
        // Topic terms 1..=4 in every member; event A adds 10, 11 (its person
        // and date), event B adds 20, 21; one stray term per member.
        let mut v = Vec::new();
        for i in 0..7u64 {
            v.push(tv(&[1, 2, 3, 4, 10, 11, 100 + i]));
        }
        for i in 0..7u64 {
            v.push(tv(&[1, 2, 3, 4, 20, 21, 200 + i]));
        }
        let mut a = vec![0usize; 14];
        split_events(&mut a, &v, EVENT_MIN_HALF, EVENT_SPLIT_RATIO);
        assert!(a[..7].iter().all(|&c| c == 0), "{a:?}");
        assert!(a[7..].iter().all(|&c| c == 7), "{a:?}");
    }

    #[test]
    fn one_event_told_in_varied_words_stays_whole() {
        // Shared topic and event terms; each member draws two more from a
        // common pool, so no two groups stand apart.
        let v: Vec<TermVector> = (0..14u64)
            .map(|i| tv(&[1, 2, 3, 10, 11, 30 + i % 5, 40 + i % 3, 100 + i]))
            .collect();
        let mut a = vec![0usize; 14];
        split_events(&mut a, &v, EVENT_MIN_HALF, EVENT_SPLIT_RATIO);
        assert!(a.iter().all(|&c| c == 0), "{a:?}");
        // Too small to split, however distinct its halves.
        let mut v = Vec::new();
        for i in 0..4u64 {
            v.push(tv(&[1, 10, 100 + i]));
            v.push(tv(&[1, 20, 200 + i]));
        }
        let mut a = vec![0usize; 8];
        split_events(&mut a, &v, EVENT_MIN_HALF, EVENT_SPLIT_RATIO);
        assert!(a.iter().all(|&c| c == 0), "{a:?}");
    }

    /// [`refine`] as first written: every cluster's centroid, every
    /// document, one after another (the oracle of the property test). The
    /// move rule and the naming are [`refine`]'s own; what differs is which
    /// centroids are built and in what order the moves are decided.
    fn refine_reference(
        assignment: &mut [usize],
        vectors: &[TermVector],
        edges: &[Edge],
        min_sim: f64,
        rounds: usize,
    ) {
        let n = assignment.len();
        let mut witnesses: Vec<Vec<u32>> = vec![Vec::new(); n];
        for e in edges
            .iter()
            .filter(|e| e.witness && e.a != e.b && e.weight >= min_sim)
        {
            witnesses[e.a.idx()].push(e.b.0);
            witnesses[e.b.idx()].push(e.a.0);
        }
        for _ in 0..rounds {
            let mut members: AHashMap<usize, Vec<usize>> = AHashMap::new();
            for (d, &c) in assignment.iter().enumerate() {
                members.entry(c).or_default().push(d);
            }
            let centroids: AHashMap<usize, Centroid<u64>> = members
                .iter()
                .map(|(&c, m)| (c, Centroid::of(m.iter().map(|&d| &vectors[d].0[..]))))
                .collect();
            let sim =
                |d: usize, c: usize| centroids[&c].similarity(&vectors[d].0, assignment[d] == c);
            let moves: Vec<(usize, usize)> = (0..n)
                .filter_map(|d| {
                    best_move(d, assignment, &witnesses[d], &sim, min_sim).map(|c| (d, c))
                })
                .collect();
            if moves.is_empty() {
                break;
            }
            for (d, c) in moves {
                assignment[d] = c;
            }
        }
        name_by_smallest_member(assignment);
    }

    #[test]
    fn refinement_moves_a_member_to_the_cluster_it_resembles() {
        // Clusters {0,1,2} (terms 1,2) and {3,4}; doc 2 is about 3's story
        // (terms 5,6) but was put with 0 and 1; it has a witness edge to 3.
        let v = vec![
            tv(&[1, 2, 7]),
            tv(&[1, 2, 8]),
            tv(&[5, 6, 9]),
            tv(&[5, 6, 10]),
            tv(&[5, 6, 11]),
        ];
        let mut a = vec![0, 0, 0, 3, 3];
        let edges = vec![e(0, 1, 0.6), e(1, 2, 0.3), e(2, 3, 0.6), e(3, 4, 0.6)];
        refine(
            &mut a,
            &v,
            &Witnesses::of(5, &edges, REFINE_MIN_SIM),
            REFINE_ROUNDS,
        );
        assert_eq!(a, vec![0, 0, 2, 2, 2]);
        // Without a witness edge into the other cluster, nothing moves.
        let mut a = vec![0, 0, 0, 3, 3];
        let weak = Edge {
            witness: false,
            ..e(2, 3, 0.6)
        };
        let edges = [e(0, 1, 0.6), weak, e(3, 4, 0.6)];
        refine(
            &mut a,
            &v,
            &Witnesses::of(5, &edges, REFINE_MIN_SIM),
            REFINE_ROUNDS,
        );
        assert_eq!(a, vec![0, 0, 0, 3, 3]);
    }

    proptest! {
        #[test]
        fn larger_share_is_the_shared_part_of_the_larger_set(
            smaller in 1usize..5000, extra in 0usize..5000, shared in 1usize..5000,
        ) {
            let (s, l) = (smaller, smaller + extra);
            let i = shared.min(s);
            let scores = Scores {
                jaccard: i as f64 / (s + l - i) as f64,
                containment: i as f64 / s as f64,
                shared_shingles: i,
                story: 0.0,
                residual_story: 0.0,
                coverage: 0.0,
            };
            prop_assert!((larger_share(&scores) - i as f64 / l as f64).abs() < 1e-9);
        }
    }

    #[test]
    fn a_near_copy_weighs_what_the_larger_text_shares() {
        let pair = |jaccard, containment, story| VerifiedPair {
            a: DocId(0),
            b: DocId(1),
            scores: Scores {
                jaccard,
                containment,
                shared_shingles: 100,
                story,
                residual_story: story,
                coverage: containment,
            },
            label: Some(Label::NearCopy),
            score: containment,
        };
        // A trimmed copy: three quarters of the original.
        assert!((Edge::weight_of(&pair(0.75, 1.0, 0.1)) - 0.75).abs() < 1e-9);
        // Two paragraphs of a story, most of a roundup's distinct words: the
        // roundup is a seventh of the story's shingles, and about other things.
        let roundup = Edge::weight_of(&pair(0.128, 0.6, 0.12));
        assert!(roundup < 0.15, "{roundup}");
        // A copy-edited copy keeps few shingles but tells the same story.
        assert_eq!(Edge::weight_of(&pair(0.2, 0.3, 0.9)), 0.9);
    }

    proptest! {
        /// Linkage's queue gives its entries in the order one heap of all
        /// of them gives, with entries pushed between the takes, ties
        /// (equal averages, broken by names) included.
        #[test]
        fn the_queue_takes_as_one_heap(
            first in proptest::collection::vec((0u8..4, 0usize..6, 0usize..6), 0..40),
            steps in proptest::collection::vec(
                proptest::option::of((0u8..4, 0usize..6, 0usize..6)),
                0..80,
            ),
        ) {
            let entry = |(avg, a, b): (u8, usize, usize)| {
                let (x, y) = (a.min(b), a.max(b));
                Entry { avg: f64::from(avg) / 4.0, names: (x, y), x, y, size_x: 1, size_y: 1 }
            };
            let key = |e: &Entry| (e.avg.to_bits(), e.names);
            let mut queue = Queue::new(first.iter().copied().map(entry).collect());
            let mut heap: BinaryHeap<Entry> = first.into_iter().map(entry).collect();
            // A step pushes its entry, or (`None`) takes the best.
            for step in steps {
                match step {
                    Some(e) => {
                        queue.push(entry(e));
                        heap.push(entry(e));
                    }
                    None => prop_assert_eq!(queue.pop().map(|e| key(&e)), heap.pop().map(|e| key(&e))),
                }
            }
            while let Some(e) = heap.pop() {
                prop_assert_eq!(queue.pop().map(|e| key(&e)), Some(key(&e)));
            }
            prop_assert!(queue.pop().is_none());
        }

        /// A centroid's similarity is the naive one: sums per term in a
        /// map, added in member order; the dot product in the vector's
        /// order; the norm in term order (the same operations, so the
        /// same bits), for members and for documents outside.
        #[test]
        fn centroid_similarity_is_the_naive_cosine(
            // Up to 16 members over 200 terms: centroids long beside one
            // vector, as the search's gallop meets them.
            members in proptest::collection::vec(
                proptest::collection::btree_map(0u64..200, 0.01f32..1.0, 0..24), 1..16),
            probe in proptest::collection::btree_map(0u64..200, 0.01f32..1.0, 0..10),
        ) {
            let vectors: Vec<Vec<(u64, f32)>> = members
                .iter()
                .map(|m| m.iter().map(|(&t, &w)| (t, w)).collect())
                .collect();
            let centroid = Centroid::of(vectors.iter().map(|v| &v[..]));
            let mut sums: std::collections::BTreeMap<u64, f64> = Default::default();
            for v in &vectors {
                for &(t, w) in v {
                    *sums.entry(t).or_default() += w as f64;
                }
            }
            let norm2: f64 = sums.values().map(|w| w * w).sum();
            let naive = |v: &[(u64, f32)], member: bool| {
                let dot: f64 = v.iter().filter_map(|(t, w)| sums.get(t).map(|s| s * *w as f64)).sum();
                let self_n2: f64 = v.iter().map(|(_, w)| (*w as f64).powi(2)).sum();
                let (dot, n2) = if member {
                    (dot - self_n2, norm2 - 2.0 * dot + self_n2)
                } else {
                    (dot, norm2)
                };
                if n2 <= 1e-12 { 0.0 } else { dot / n2.sqrt() }
            };
            let probe: Vec<(u64, f32)> = probe.into_iter().collect();
            prop_assert_eq!(centroid.similarity(&probe, false).to_bits(), naive(&probe, false).to_bits());
            for v in &vectors {
                prop_assert_eq!(centroid.similarity(v, true).to_bits(), naive(v, true).to_bits());
            }
        }

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

        /// Refinement over the clusters of movable documents only, in
        /// parallel, building again only the centroids that changed and
        /// deciding again only for the documents that see one, moves what
        /// refining every cluster one document after another moves (oracle:
        /// [`refine_reference`]), on random term vectors, clusterings and
        /// edges. It fails when a cluster that gained a member is not
        /// marked changed.
        #[test]
        fn refinement_of_movable_documents_equals_the_reference(
            docs in proptest::collection::vec(proptest::collection::btree_set(0u64..12, 1..5), 1..16),
            start in proptest::collection::vec(0usize..16, 16),
            raw in proptest::collection::vec((0u32..16, 0u32..16, 0.0f64..1.0, proptest::bool::weighted(0.6)), 0..30),
        ) {
            let n = docs.len();
            let vectors: Vec<TermVector> = docs
                .iter()
                .map(|t| tv(&t.iter().copied().collect::<Vec<_>>()))
                .collect();
            // Clusters named by their smallest member, as linkage names them.
            let mut assignment: Vec<usize> = (0..n).map(|d| start[d] % (d + 1)).collect();
            for d in 0..n {
                assignment[d] = assignment[assignment[d]];
            }
            let edges: Vec<Edge> = raw
                .into_iter()
                .filter(|&(a, b, _, _)| (a as usize) < n && (b as usize) < n)
                .map(|(a, b, weight, witness)| Edge { a: DocId(a.min(b)), b: DocId(a.max(b)), weight, witness })
                .collect();
            let mut want = assignment.clone();
            refine_reference(&mut want, &vectors, &edges, REFINE_MIN_SIM, REFINE_ROUNDS);
            refine(&mut assignment, &vectors, &Witnesses::of(n, &edges, REFINE_MIN_SIM), REFINE_ROUNDS);
            prop_assert_eq!(assignment, want);
        }

        /// Packed vectors, their terms numbered, split and refine clusters
        /// as the vectors do, on random vectors (terms hashed, so that their
        /// order is not their numbers'), clusterings and edges.
        #[test]
        fn packed_vectors_cluster_as_the_vectors_do(
            docs in proptest::collection::vec(
                proptest::collection::btree_map(0u64..40, 0.01f32..1.0, 1..8),
                12..40,
            ),
            start in proptest::collection::vec(0usize..3, 40),
            raw in proptest::collection::vec((0u32..40, 0u32..40, 0.0f64..1.0, proptest::bool::weighted(0.6)), 0..60),
        ) {
            let n = docs.len();
            let vectors: Vec<TermVector> = docs
                .iter()
                .map(|terms| {
                    let mut v: Vec<(u64, f32)> =
                        terms.iter().map(|(&t, &w)| (crate::hash::mix64(t), w)).collect();
                    v.sort_unstable_by_key(|x| x.0);
                    TermVector(v)
                })
                .collect();
            let packed = crate::terms::PackedVectors::of(&vectors);
            // Three clusters named by their smallest member.
            let mut want: Vec<usize> = (0..n).map(|d| start[d]).collect();
            for c in 0..3 {
                let first = want.iter().position(|&x| x == c);
                want.iter_mut().filter(|x| **x == c).for_each(|x| *x = first.unwrap_or(0) + 100);
            }
            want.iter_mut().for_each(|x| *x -= 100);
            let edges: Vec<Edge> = raw
                .into_iter()
                .filter(|&(a, b, _, _)| (a as usize) < n && (b as usize) < n && a != b)
                .map(|(a, b, weight, witness)| Edge { a: DocId(a.min(b)), b: DocId(a.max(b)), weight, witness })
                .collect();
            let mut got = want.clone();
            split_events(&mut want, &vectors, 3, 0.9);
            split_events(&mut got, &packed, 3, 0.9);
            prop_assert_eq!(&got, &want);
            let witnesses = Witnesses::of(n, &edges, REFINE_MIN_SIM);
            refine(&mut want, &vectors, &witnesses, REFINE_ROUNDS);
            refine(&mut got, &packed, &witnesses, REFINE_ROUNDS);
            prop_assert_eq!(got, want);
        }

        /// Linkage that stores a merged cluster where the one with more
        /// neighbours was merges as the reference, which always stores it
        /// under its smallest member: on random graphs whose weights repeat
        /// (ties broken by names), with strong and weak, reported and
        /// unreported edges.
        #[test]
        fn linkage_merges_as_the_reference_does(
            raw in proptest::collection::vec((0u32..16, 0u32..16, 1u32..6, proptest::bool::weighted(0.5)), 0..80),
            threshold in 0.05f64..0.5,
        ) {
            let mut edges: Vec<Edge> = raw
                .into_iter()
                .map(|(a, b, w, witness)| Edge { a: DocId(a.min(b)), b: DocId(a.max(b)), weight: w as f64 / 5.0, witness })
                .collect();
            edges.sort_by_key(|e| (e.a, e.b));
            edges.dedup_by_key(|e| (e.a, e.b));
            prop_assert_eq!(average_linkage(16, &edges, threshold), average_linkage_reference(16, &edges, threshold));
        }

        /// Dropping the edges between components of witness edges changes no
        /// clustering, on random graphs of strong and weak, reported and
        /// unreported edges (oracle: linkage over every edge).
        #[test]
        fn edges_between_witness_components_change_nothing(
            raw in proptest::collection::vec((0u32..12, 0u32..12, 0.0f64..1.0, proptest::bool::weighted(0.3)), 0..60),
            threshold in 0.1f64..0.6,
        ) {
            let edges: Vec<Edge> = raw
                .into_iter()
                .map(|(a, b, weight, witness)| Edge { a: DocId(a.min(b)), b: DocId(a.max(b)), weight, witness })
                .collect();
            let kept = within_witness_components(12, &edges);
            prop_assert!(kept.iter().all(|k| edges.iter().any(|e| (e.a, e.b, e.witness) == (k.a, k.b, k.witness))));
            prop_assert_eq!(kept.iter().filter(|k| k.witness).count(), edges.iter().filter(|e| e.witness).count());
            prop_assert_eq!(average_linkage(12, &kept, threshold), average_linkage(12, &edges, threshold));
        }
    }

    #[test]
    fn weak_edges_inside_a_witness_component_are_kept() {
        let weak = |a, b| Edge {
            witness: false,
            ..e(a, b, 0.1)
        };
        // 0–1–2 are joined by witnesses, 3–4 by one; 5 by none.
        let edges = [
            e(0, 1, 0.9),
            e(1, 2, 0.8),
            e(3, 4, 0.7),
            weak(0, 2),
            weak(2, 3),
            weak(4, 5),
        ];
        let kept: Vec<(u32, u32)> = within_witness_components(6, &edges)
            .iter()
            .map(|e| (e.a.0, e.b.0))
            .collect();
        assert_eq!(kept, [(0, 1), (1, 2), (3, 4), (0, 2)]);
    }
}

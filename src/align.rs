//! Alignment: the shared passages of a pair, as byte ranges of the originals.
//!
//! Input: two [`NormDoc`]s. Output: [`Passage`]s, sorted by position in the
//! first document, not overlapping on either side.
//!
//! Method: seeds are runs of [`SEED_TOKENS`] equal normalised tokens (found
//! through a hash index of the second document); each seed is extended while
//! tokens agree, giving exact runs. Runs that follow each other on both sides
//! with gaps of at most `max_gap` tokens (an inserted word, a changed number)
//! are chained into one passage; between long runs the gap may be longer,
//! up to a third of the shorter side's matched tokens (at most
//! [`MAX_BRIDGE_TOKENS`]), so a garbled or inserted phrase inside a copied
//! paragraph does not split it. Passages shorter than `min_tokens` matched
//! tokens are dropped; overlaps are resolved longest first (a run that
//! shares its first or last words with a longer one keeps the rest).
//! Passages adjacent in the first text whose ranges in the second lie close
//! together in another order (reordered sentences) are merged. Token offsets map
//! back to byte ranges, so reports quote the exact characters.
//!
//! [`shared_passages`] adds the quotations both texts carry ([`quotes`]),
//! merged with the runs that overlap them, and [`sentences`] pairs the
//! sentences of rewrites.

pub mod quotes;
pub mod sentences;

use crate::model::{NormDoc, Passage, PassageKind};
use crate::shingle::token_hash;

/// Tokens in a seed match.
pub const SEED_TOKENS: usize = 3;
/// Longest gap bridged between two long runs, in tokens.
pub const MAX_BRIDGE_TOKENS: usize = 30;
/// Two runs bridge a gap up to the shorter one's matched length over this.
const BRIDGE_DIVISOR: usize = 3;
/// Positions per seed considered (guards against repetitive text).
const MAX_SEED_POSITIONS: usize = 16;

/// Parameters of the alignment.
#[derive(Debug, Clone, Copy)]
pub struct AlignConfig {
    /// Minimum matched tokens of a passage.
    pub min_tokens: usize,
    /// Largest gap (in tokens, on either side) bridged inside a passage.
    pub max_gap: usize,
}

impl Default for AlignConfig {
    fn default() -> Self {
        AlignConfig {
            min_tokens: 8,
            max_gap: 3,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Run {
    a: usize,
    b: usize,
    len: usize,
}

/// The kept (non-boilerplate) tokens of a document, as alignment sees them:
/// their stable hashes and their indices in [`NormDoc::tokens`]. Computing
/// them once per document, rather than once per pair, matters when a
/// document is in many pairs (a syndicated story with dozens of copies).
#[derive(Debug, Clone, Default)]
pub struct KeptTokens {
    /// `token_hash(norm, 0)` of each kept token, in text order.
    pub hashes: Vec<u64>,
    /// Index of each kept token in the document's tokens.
    pub index: Vec<u32>,
    /// The key of the seed at each position: [`SEED_TOKENS`] hashes from
    /// it (none when there are fewer kept tokens).
    pub seeds: Vec<u64>,
}

/// The kept tokens of `doc` (see [`KeptTokens`]).
pub fn kept_tokens(doc: &NormDoc) -> KeptTokens {
    let mut hashes = Vec::with_capacity(doc.tokens.len());
    let mut index = Vec::with_capacity(doc.tokens.len());
    for (i, (t, &s)) in doc.tokens.iter().zip(&doc.suppressed).enumerate() {
        if !s {
            hashes.push(token_hash(&t.norm, 0));
            index.push(i as u32);
        }
    }
    let seeds = seed_keys(&hashes);
    KeptTokens {
        hashes,
        index,
        seeds,
    }
}

/// The key of each seed of `text`: [`seed_key`] of the [`SEED_TOKENS`]
/// hashes from each position.
fn seed_keys(text: &[u64]) -> Vec<u64> {
    text.windows(SEED_TOKENS).map(seed_key).collect()
}

#[inline]
fn seed_key(w: &[u64]) -> u64 {
    // Order-sensitive combination of the seed's token hashes; collisions are
    // resolved by comparing the tokens themselves.
    crate::hash::mix64(w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42))
}

/// The seeds of a text by key: an open-addressing table holding the first
/// position of each key, and per position the next one with the same key,
/// so the positions of a seed come in text order. It is built in one pass
/// (no sort) and looked up in about one probe.
///
/// A slot keeps 32 bits of its key (the ones the slot is not chosen by),
/// in 8 bytes where the whole key took 16: two keys that share them share
/// a chain, and the positions a lookup gives are checked against the seed's
/// tokens anyway.
pub struct SeedIndex {
    /// `(key's high 32 bits, first position)`; [`SeedIndex::NONE`] marks
    /// an empty slot.
    slots: Vec<(u32, u32)>,
    /// Per position: the next position with the same key, or `NONE`.
    next: Vec<u32>,
}

impl SeedIndex {
    const NONE: u32 = u32::MAX;

    /// The index of the seeds of the kept tokens `kept`: for a document
    /// aligned with many others in turn ([`passages_indexed`]).
    pub fn of_kept(kept: &KeptTokens) -> SeedIndex {
        SeedIndex::of(&kept.seeds)
    }

    /// The index of the seeds of a text, by their keys ([`seed_keys`]).
    fn of(seeds: &[u64]) -> SeedIndex {
        let n = seeds.len();
        // At most a quarter full: most lookups are for seeds the text does
        // not have, and end at an empty slot after about one probe (about
        // two and a half at half full).
        let mut index = SeedIndex {
            slots: vec![(0, Self::NONE); (4 * n).next_power_of_two()],
            next: vec![Self::NONE; n],
        };
        // Last position first, so that each chain runs in text order.
        for j in (0..n).rev() {
            let key = seeds[j];
            let slot = index.slot(key);
            let (_, first) = index.slots[slot];
            index.next[j] = first;
            index.slots[slot] = ((key >> 32) as u32, j as u32);
        }
        index
    }

    /// The slot of `key`: where it is, or the empty one where it would go.
    #[inline]
    fn slot(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let tag = (key >> 32) as u32;
        let mut at = key as usize & mask;
        loop {
            let (k, first) = self.slots[at];
            if first == Self::NONE || k == tag {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// The positions whose seed has `key` (and maybe some others), in text
    /// order.
    fn positions(&self, key: u64) -> impl Iterator<Item = usize> + '_ {
        let (_, first) = self.slots[self.slot(key)];
        std::iter::successors((first != Self::NONE).then_some(first), |&j| {
            let next = self.next[j as usize];
            (next != Self::NONE).then_some(next)
        })
        .map(|j| j as usize)
    }
}

/// The maximal runs of equal hashes of texts `a` and `b` (of at least
/// [`SEED_TOKENS`]), with the keys of their seeds ([`seed_keys`]). Each
/// seed of `a` is looked up in an index of `b`'s, and extended on up to
/// [`MAX_SEED_POSITIONS`] of the places it has in `b` (the first ones).
fn exact_runs((a, seeds_a): (&[u64], &[u64]), (b, seeds_b): (&[u64], &[u64])) -> Vec<Run> {
    if seeds_a.is_empty() || seeds_b.is_empty() {
        return Vec::new();
    }
    let index = SeedIndex::of(seeds_b);
    let mut runs = Vec::new();
    // A run on diagonal (i - j) covers a[i..i+len]; seeds already inside
    // one are skipped ([`extend_seed`]).
    let mut covered = vec![0usize; a.len() + b.len()];
    for (i, &key) in seeds_a.iter().enumerate() {
        let seed = &a[i..i + SEED_TOKENS];
        let js = index
            .positions(key)
            .filter(|&j| b[j..j + SEED_TOKENS].iter().zip(seed).all(|(x, y)| x == y))
            .take(MAX_SEED_POSITIONS);
        for j in js {
            extend_seed((a, b), (i, j), &mut covered, &mut runs);
        }
    }
    runs
}

/// Extends the seed at `a[i..]` and `b[j..]` into the longest run of equal
/// hashes, and adds it to `runs`, unless a run on its diagonal already
/// covers it (`covered`: where the last run on each diagonal `i + b.len() -
/// j` ends, seeds coming in order along each).
#[inline]
fn extend_seed(
    (a, b): (&[u64], &[u64]),
    (i, j): (usize, usize),
    covered: &mut [usize],
    runs: &mut Vec<Run>,
) {
    let diag = i + b.len() - j;
    if i < covered[diag] {
        return;
    }
    let mut len = SEED_TOKENS;
    while i + len < a.len() && j + len < b.len() && a[i + len] == b[j + len] {
        len += 1;
    }
    covered[diag] = i + len;
    runs.push(Run { a: i, b: j, len });
}

/// [`exact_runs`] with the roles swapped: each seed of `b` looked up in
/// `index_a`, the index of `a`'s, which a run of pairs with one first
/// document builds once. The same runs (in another order): on each
/// diagonal the seeds come in the same order, and each seed of `a` takes
/// the same first places in `b` (counted in `taken`). `None` when `a`'s
/// seeds repeat so much that the lookups would cost more than about
/// [`SWAPPED_WORK`] steps per seed (the cap bounds [`exact_runs`]' work
/// per seed of `a`, nothing bounds it here).
fn exact_runs_swapped(
    (a, seeds_a, index_a): (&[u64], &[u64], &SeedIndex),
    (b, seeds_b): (&[u64], &[u64]),
) -> Option<Vec<Run>> {
    let mut runs = Vec::new();
    if seeds_a.is_empty() || seeds_b.is_empty() {
        return Some(runs);
    }
    let mut budget = SWAPPED_WORK * (seeds_a.len() + seeds_b.len());
    let mut taken = vec![0u8; seeds_a.len()];
    let mut covered = vec![0usize; a.len() + b.len()];
    for (j, &key) in seeds_b.iter().enumerate() {
        let seed = &b[j..j + SEED_TOKENS];
        for i in index_a.positions(key) {
            budget = budget.checked_sub(1)?;
            if usize::from(taken[i]) == MAX_SEED_POSITIONS || a[i..i + SEED_TOKENS] != *seed {
                continue;
            }
            taken[i] += 1;
            extend_seed((a, b), (i, j), &mut covered, &mut runs);
        }
    }
    Some(runs)
}

/// Lookup steps per seed [`exact_runs_swapped`] may take.
const SWAPPED_WORK: usize = 4 * MAX_SEED_POSITIONS;

/// Shared passages of two documents.
pub fn passages(doc_a: &NormDoc, doc_b: &NormDoc, config: AlignConfig) -> Vec<Passage> {
    passages_kept(
        doc_a,
        &kept_tokens(doc_a),
        doc_b,
        &kept_tokens(doc_b),
        config,
    )
}

/// [`passages`] with the kept tokens of both documents computed beforehand.
pub fn passages_kept(
    doc_a: &NormDoc,
    kept_a: &KeptTokens,
    doc_b: &NormDoc,
    kept_b: &KeptTokens,
    config: AlignConfig,
) -> Vec<Passage> {
    let runs = exact_runs(
        (&kept_a.hashes, &kept_a.seeds),
        (&kept_b.hashes, &kept_b.seeds),
    );
    passages_of_runs((doc_a, kept_a), (doc_b, kept_b), runs, config)
}

/// [`passages_kept`] with the index of the first document's seeds
/// ([`SeedIndex::of_kept`]) built beforehand: a document aligned with many
/// others in turn is indexed once, not each of the others. The same
/// passages.
pub fn passages_indexed(
    (doc_a, kept_a, index_a): (&NormDoc, &KeptTokens, &SeedIndex),
    (doc_b, kept_b): (&NormDoc, &KeptTokens),
    config: AlignConfig,
) -> Vec<Passage> {
    let a: (&[u64], &[u64]) = (&kept_a.hashes, &kept_a.seeds);
    let b: (&[u64], &[u64]) = (&kept_b.hashes, &kept_b.seeds);
    let runs = exact_runs_swapped((a.0, a.1, index_a), b).unwrap_or_else(|| exact_runs(a, b));
    passages_of_runs((doc_a, kept_a), (doc_b, kept_b), runs, config)
}

/// The passages of two documents' exact `runs` (in any order).
fn passages_of_runs(
    (doc_a, kept_a): (&NormDoc, &KeptTokens),
    (doc_b, kept_b): (&NormDoc, &KeptTokens),
    mut runs: Vec<Run>,
    config: AlignConfig,
) -> Vec<Passage> {
    let (ha, ia) = (&kept_a.hashes, &kept_a.index);
    let (hb, ib) = (&kept_b.hashes, &kept_b.index);
    // Longest runs first claim their tokens; then chain along both texts.
    runs.sort_unstable_by(|x, y| y.len.cmp(&x.len).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    let mut used_a = vec![false; ha.len()];
    let mut used_b = vec![false; hb.len()];
    let mut chosen: Vec<Run> = Vec::new();
    for mut r in runs {
        // A run that shares its first or last words with a longer one
        // (two copied passages that meet at a common word) keeps the rest.
        let used = |r: &Run, k: usize| used_a[r.a + k] || used_b[r.b + k];
        while r.len > 0 && used(&r, 0) {
            r.a += 1;
            r.b += 1;
            r.len -= 1;
        }
        while r.len > 0 && used(&r, r.len - 1) {
            r.len -= 1;
        }
        if r.len < SEED_TOKENS || (0..r.len).any(|k| used(&r, k)) {
            continue;
        }
        used_a[r.a..r.a + r.len].iter_mut().for_each(|u| *u = true);
        used_b[r.b..r.b + r.len].iter_mut().for_each(|u| *u = true);
        chosen.push(r);
    }
    chosen.sort_unstable_by_key(|r| (r.a, r.b));
    // Chain runs: (a_start, a_end, b_start, b_end, matched)
    let mut chains: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
    for r in chosen {
        if let Some(last) = chains.last_mut() {
            let gap_a = r.a as isize - last.1 as isize;
            let gap_b = r.b as isize - last.3 as isize;
            // Between long runs a longer gap is still one passage (a
            // garbled or inserted phrase inside a copied paragraph).
            let allowed = config
                .max_gap
                .max((last.4.min(r.len) / BRIDGE_DIVISOR).min(MAX_BRIDGE_TOKENS))
                as isize;
            if (0..=allowed).contains(&gap_a) && (0..=allowed).contains(&gap_b) {
                last.1 = r.a + r.len;
                last.3 = r.b + r.len;
                last.4 += r.len;
                continue;
            }
        }
        chains.push((r.a, r.a + r.len, r.b, r.b + r.len, r.len));
    }
    let chains: Vec<_> = chains
        .into_iter()
        .filter(|c| c.4 >= config.min_tokens)
        .collect();
    merge_reordered(chains, config.max_gap)
        .into_iter()
        .map(|(a0, a1, b0, b1, matched)| Passage {
            a: doc_a.tokens[ia[a0] as usize].start()..doc_a.tokens[ia[a1 - 1] as usize].end(),
            b: doc_b.tokens[ib[b0] as usize].start()..doc_b.tokens[ib[b1 - 1] as usize].end(),
            tokens: matched,
            kind: PassageKind::Run,
        })
        .collect()
}

/// A chain of runs: `(a_start, a_end, b_start, b_end, matched)` in kept-token
/// indices.
type Chain = (usize, usize, usize, usize, usize);

/// Least share of the combined span on the second side that merged
/// passages must cover when reordered blocks are merged into one passage.
pub const MIN_REORDER_DENSITY: f64 = 0.8;
/// Above this many passages, reordered blocks are not merged (the overlap
/// check is quadratic).
const MAX_REORDER_PASSAGES: usize = 1000;

/// Merges passages that follow each other in the first text (gap of at most
/// `max_gap` tokens) and whose ranges in the second text lie close together
/// in another order: a copied paragraph whose sentences were reordered or
/// moved by a few lines is one passage, not several. The combined range on
/// the second side must be covered at least [`MIN_REORDER_DENSITY`] by the
/// merged passages and must not overlap any other passage.
fn merge_reordered(chains: Vec<Chain>, max_gap: usize) -> Vec<Chain> {
    if chains.len() < 2 || chains.len() > MAX_REORDER_PASSAGES {
        return chains;
    }
    let b_ranges: Vec<(usize, usize)> = chains.iter().map(|c| (c.2, c.3)).collect();
    let mut out: Vec<Chain> = Vec::with_capacity(chains.len());
    // Per output chain: the second-side ranges of its members.
    let mut members: Vec<Vec<(usize, usize)>> = Vec::with_capacity(chains.len());
    for c in chains {
        if let (Some(last), Some(group)) = (out.last_mut(), members.last_mut()) {
            let gap_a = c.0 as isize - last.1 as isize;
            let (b0, b1) = (last.2.min(c.2), last.3.max(c.3));
            let covered: usize = group.iter().map(|m| m.1 - m.0).sum::<usize>() + (c.3 - c.2);
            let dense = covered as f64 >= MIN_REORDER_DENSITY * (b1 - b0) as f64;
            let clear = b_ranges
                .iter()
                .all(|&x| x.1 <= b0 || x.0 >= b1 || x == (c.2, c.3) || group.contains(&x));
            if (0..=max_gap as isize).contains(&gap_a) && dense && clear {
                *last = (last.0, c.1, b0, b1, last.4 + c.4);
                group.push((c.2, c.3));
                continue;
            }
        }
        members.push(vec![(c.2, c.3)]);
        out.push(c);
    }
    out
}

fn overlaps(x: &std::ops::Range<usize>, y: &std::ops::Range<usize>) -> bool {
    x.start < y.end && y.start < x.end
}

/// Token indices whose start lies in `bytes`.
fn token_span(doc: &NormDoc, bytes: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let lo = doc.tokens.partition_point(|t| t.start() < bytes.start);
    let hi = doc.tokens.partition_point(|t| t.start() < bytes.end);
    lo..hi
}

/// A run that reaches into a quotation on one side only by a word or two
/// (across a sentence break: `… in Moscow. But` against `… in Moscow. "But`)
/// loses those words on both sides, so that it no longer hides the quotation.
/// Runs start and end with [`SEED_TOKENS`] exactly matching words, so
/// dropping fewer keeps both sides aligned.
fn trim_off(
    p: &mut Passage,
    doc_a: &NormDoc,
    doc_b: &NormDoc,
    qa: &std::ops::Range<usize>,
    qb: &std::ops::Range<usize>,
) {
    let (in_a, in_b) = (overlaps(&p.a, qa), overlaps(&p.b, qb));
    if in_a == in_b {
        return;
    }
    let (ta, tb) = (token_span(doc_a, &p.a), token_span(doc_b, &p.b));
    if ta.is_empty() || tb.is_empty() {
        return;
    }
    let (doc, t, q) = if in_a {
        (doc_a, &ta, qa)
    } else {
        (doc_b, &tb, qb)
    };
    let inside = |i: usize| overlaps(&doc.tokens[i].text_range(), q);
    let at_end = (t.start..t.end).rev().take_while(|&i| inside(i)).count();
    let at_start = (t.start..t.end).take_while(|&i| inside(i)).count();
    let (cut_start, cut_end) = if at_end > 0 && at_start == 0 {
        (0, at_end)
    } else if at_start > 0 && at_end == 0 {
        (at_start, 0)
    } else {
        return;
    };
    let k = cut_start + cut_end;
    if k >= SEED_TOKENS || ta.len() <= k || tb.len() <= k {
        return;
    }
    let (ta, tb) = (
        ta.start + cut_start..ta.end - cut_end,
        tb.start + cut_start..tb.end - cut_end,
    );
    p.a = doc_a.tokens[ta.start].start()..doc_a.tokens[ta.end - 1].end();
    p.b = doc_b.tokens[tb.start].start()..doc_b.tokens[tb.end - 1].end();
    p.tokens = p.tokens.saturating_sub(k);
}

/// Shared passages of two articles: the word runs of [`passages`] and the
/// quotations both carry ([`quotes::shared_quotes`]), sorted by position in
/// the first text, not overlapping on either side.
///
/// A shared quotation that overlaps runs on both sides is merged with them
/// into one passage (marked [`PassageKind::Quote`] when the quotation makes
/// up at least half of it); a quotation whose runs disagree with it on one
/// side is left to the runs.
pub fn shared_passages(
    text_a: &str,
    doc_a: &NormDoc,
    text_b: &str,
    doc_b: &NormDoc,
    config: AlignConfig,
) -> Vec<Passage> {
    shared_passages_of(
        doc_a,
        &AlignDoc::new(text_a, doc_a),
        doc_b,
        &AlignDoc::new(text_b, doc_b),
        config,
    )
}

/// What alignment needs of one document, computed once however many pairs
/// it is in: its kept-token hashes and its quotations.
pub struct AlignDoc {
    kept: KeptTokens,
    quotes: Vec<quotes::Quote>,
}

impl AlignDoc {
    /// Prepares one document (`text` is its original body).
    pub fn new(text: &str, doc: &NormDoc) -> AlignDoc {
        AlignDoc {
            kept: kept_tokens(doc),
            quotes: quotes::quotes(text, doc),
        }
    }
}

/// [`shared_passages`] on documents prepared with [`AlignDoc::new`].
pub fn shared_passages_of(
    doc_a: &NormDoc,
    view_a: &AlignDoc,
    doc_b: &NormDoc,
    view_b: &AlignDoc,
    config: AlignConfig,
) -> Vec<Passage> {
    let mut out = passages_kept(doc_a, &view_a.kept, doc_b, &view_b.kept, config);
    for (qa, qb) in quotes::shared_quotes_of(doc_a, &view_a.quotes, doc_b, &view_b.quotes) {
        let quote_tokens = qa.tokens.len().min(qb.tokens.len());
        for p in &mut out {
            trim_off(p, doc_a, doc_b, &qa.bytes, &qb.bytes);
        }
        let hit_a: Vec<bool> = out.iter().map(|p| overlaps(&p.a, &qa.bytes)).collect();
        let hit_b: Vec<bool> = out.iter().map(|p| overlaps(&p.b, &qb.bytes)).collect();
        if hit_a.iter().zip(&hit_b).any(|(x, y)| x != y) {
            continue;
        }
        let mut merged = Passage {
            a: qa.bytes.clone(),
            b: qb.bytes.clone(),
            tokens: 0,
            kind: PassageKind::Quote,
        };
        let mut run_tokens = 0;
        let mut i = 0;
        out.retain(|p| {
            let hit = hit_a[i];
            i += 1;
            if hit {
                merged.a = merged.a.start.min(p.a.start)..merged.a.end.max(p.a.end);
                merged.b = merged.b.start.min(p.b.start)..merged.b.end.max(p.b.end);
                run_tokens += p.tokens;
            }
            !hit
        });
        merged.tokens = run_tokens.max(quote_tokens);
        if 2 * qa.bytes.len() < merged.a.len() {
            merged.kind = PassageKind::Run;
        }
        out.push(merged);
    }
    out.sort_by_key(|p| (p.a.start, p.b.start));
    // Merging may make passages cross on the second side: keep the first.
    let mut kept: Vec<Passage> = Vec::with_capacity(out.len());
    for p in out {
        if kept
            .iter()
            .any(|k| overlaps(&k.a, &p.a) || overlaps(&k.b, &p.b))
        {
            continue;
        }
        kept.push(p);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> NormDoc {
        NormDoc::for_test(0, text)
    }

    #[test]
    fn finds_a_shared_passage_with_a_changed_word_and_maps_bytes() {
        let a = "Intro text here. The minister said talks would resume on Monday in Geneva after a long pause. Other stuff.";
        let b = "Completely different opening words! The Minister said talks would resume on Tuesday in Geneva after a long pause. End.";
        let p = passages(&doc(a), &doc(b), AlignConfig::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            &a[p[0].a.clone()],
            "The minister said talks would resume on Monday in Geneva after a long pause"
        );
        assert_eq!(
            &b[p[0].b.clone()],
            "The Minister said talks would resume on Tuesday in Geneva after a long pause"
        );
        assert_eq!(p[0].tokens, 13); // 14 words, one changed
    }

    /// The hash-map seed index this module used before, as an oracle.
    fn exact_runs_naive(a: &[u64], b: &[u64]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        if a.len() < SEED_TOKENS || b.len() < SEED_TOKENS {
            return out;
        }
        let mut seeds: std::collections::HashMap<&[u64], Vec<usize>> = Default::default();
        for j in 0..=b.len() - SEED_TOKENS {
            let v = seeds.entry(&b[j..j + SEED_TOKENS]).or_default();
            if v.len() < MAX_SEED_POSITIONS {
                v.push(j);
            }
        }
        let mut covered: std::collections::HashMap<isize, usize> = Default::default();
        for i in 0..=a.len() - SEED_TOKENS {
            let Some(js) = seeds.get(&a[i..i + SEED_TOKENS]) else {
                continue;
            };
            for &j in js {
                let diag = i as isize - j as isize;
                if covered.get(&diag).is_some_and(|&end| i < end) {
                    continue;
                }
                let mut len = SEED_TOKENS;
                while i + len < a.len() && j + len < b.len() && a[i + len] == b[j + len] {
                    len += 1;
                }
                covered.insert(diag, i + len);
                out.push((i, j, len));
            }
        }
        out
    }

    proptest::proptest! {
        /// The sorted seed index finds exactly the runs of the hash-map one,
        /// on repetitive texts too (few distinct tokens, many seed repeats;
        /// with two, seeds have more places than are taken).
        #[test]
        fn exact_runs_match_the_hash_map_oracle(
            (a, b) in proptest::strategy::Strategy::prop_flat_map(2u64..5, |tokens| {
                let text = proptest::collection::vec(0..tokens, 0..200);
                (text.clone(), text)
            }),
        ) {
            let keys = |t: &[u64], crush: fn(u64) -> u64| {
                seed_keys(t).into_iter().map(crush).collect::<Vec<_>>()
            };
            let found = |runs: Vec<Run>| -> Vec<_> {
                let mut runs: Vec<_> = runs.iter().map(|r| (r.a, r.b, r.len)).collect();
                runs.sort_unstable();
                runs
            };
            let mut naive = exact_runs_naive(&a, &b);
            naive.sort_unstable();
            // Keys whose slot bits and kept bits are shared by many seeds
            // (the second): chains mix seeds, and the runs are still the same.
            for crush in [|k| k, |k| (k & 3) << 32 | k & 7] {
                let (ka, kb) = (keys(&a, crush), keys(&b, crush));
                proptest::prop_assert_eq!(&found(exact_runs((&a, &ka), (&b, &kb))), &naive);
                // With the roles swapped, when it does not give up.
                let index = SeedIndex::of(&ka);
                if let Some(runs) = exact_runs_swapped((&a, &ka, &index), (&b, &kb)) {
                    proptest::prop_assert_eq!(&found(runs), &naive);
                }
            }
        }
    }

    #[test]
    fn a_text_too_repetitive_for_the_swapped_lookup_aligns_the_other_way() {
        // One word 600 times: each seed of the second text has 598 places
        // in the first, past the swapped lookup's work bound.
        let a = doc(&"news ".repeat(600));
        let b = doc(&format!("{} and more", "news ".repeat(300)));
        let (ka, kb) = (kept_tokens(&a), kept_tokens(&b));
        let index = SeedIndex::of_kept(&ka);
        let (ta, tb): ((&[u64], &[u64]), _) =
            ((&ka.hashes, &ka.seeds), (&kb.hashes[..], &kb.seeds[..]));
        assert!(exact_runs_swapped((ta.0, ta.1, &index), tb).is_none());
        let config = AlignConfig::default();
        let indexed = passages_indexed((&a, &ka, &index), (&b, &kb), config);
        assert!(!indexed.is_empty());
        assert_eq!(indexed, passages_kept(&a, &ka, &b, &kb, config));
    }

    #[test]
    fn unrelated_texts_share_nothing() {
        let p = passages(
            &doc("one two three four five six seven eight nine"),
            &doc("ten eleven twelve"),
            AlignConfig::default(),
        );
        assert!(p.is_empty());
        assert!(passages(&doc(""), &doc(""), AlignConfig::default()).is_empty());
    }

    #[test]
    fn a_short_shared_quote_is_a_passage_and_runs_in_it_merge() {
        let a =
            "Officials gave few details. The mayor called it “a dark day for the city” on Monday.";
        let b =
            "Speaking later, she repeated: 'a dark day for the city'. Nothing else is shared here.";
        let (da, db) = (doc(a), doc(b));
        assert!(passages(&da, &db, AlignConfig::default()).is_empty());
        let p = shared_passages(a, &da, b, &db, AlignConfig::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].kind, PassageKind::Quote);
        assert_eq!(&a[p[0].a.clone()], "a dark day for the city");
        assert_eq!(&b[p[0].b.clone()], "a dark day for the city");
    }

    #[test]
    fn a_garbled_phrase_between_long_runs_does_not_split_the_passage() {
        let left = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty";
        let right = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon";
        let a = format!("Intro words here. {left} qq1 qq2 qq3 qq4 qq5 {right} Outro.");
        let b = format!("Other start entirely. {left} zz9 zz8 zz7 zz6 {right} End.");
        let p = passages(&doc(&a), &doc(&b), AlignConfig::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(a[p[0].a.clone()].starts_with("one two") && a[p[0].a.clone()].ends_with("upsilon"));
        // Short runs are not bridged over the same gap.
        let a = "one two three four five six seven eight qq1 qq2 qq3 qq4 qq5 alpha beta gamma delta epsilon zeta eta theta";
        let b = "one two three four five six seven eight zz9 zz8 zz7 zz6 alpha beta gamma delta epsilon zeta eta theta";
        assert_eq!(passages(&doc(a), &doc(b), AlignConfig::default()).len(), 2);
    }

    #[test]
    fn reordered_sentences_of_one_paragraph_are_one_passage() {
        let s1 = "the council approved the new budget after a long debate on tuesday night";
        let s2 = "schools and roads will receive most of the extra money next year says the mayor";
        let a = format!("Unrelated opening here. {s1}. {s2}. Unrelated close.");
        let b = format!("Another start. {s2}. {s1}. Another end.");
        let p = passages(&doc(&a), &doc(&b), AlignConfig::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(&a[p[0].a.clone()], format!("{s1}. {s2}"));
        assert_eq!(&b[p[0].b.clone()], format!("{s2}. {s1}"));
        // Far apart in the second text: two passages.
        let filler =
            "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
                .repeat(4);
        let b = format!("Another start. {s2}. {filler} {s1}. Another end.");
        assert_eq!(
            passages(&doc(&a), &doc(&b), AlignConfig::default()).len(),
            2
        );
    }

    #[test]
    fn a_run_meeting_a_longer_one_at_a_shared_word_keeps_the_rest() {
        // Two copied passages meet at "the": the longer one claims it, the
        // shorter keeps its other words instead of being dropped.
        let p1 = "barack obama is a clear break from the failed policies of the";
        let p2 = "the city council voted on a plan to widen the ring road and to build two bridges";
        let a = format!("{p1} {}", &p2[4..]);
        let filler = "lorem ipsum dolor sit amet consectetur adipiscing elit ".repeat(4);
        let b = format!("{p2}. {filler} {p1} administration.");
        let p = passages(&doc(&a), &doc(&b), AlignConfig::default());
        assert_eq!(p.len(), 2, "{p:?}");
        // 17 words of the second passage, 11 of the first (its last "the"
        // went to the longer one).
        assert_eq!((p[0].tokens, p[1].tokens), (11, 17), "{p:?}");
    }
}

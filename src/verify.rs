//! Exact verification and labelling of candidate pairs.
//!
//! Input: [`Candidate`]s and the per-document features (shingle sets, term
//! vectors, exact hashes). Output: one [`VerifiedPair`] per candidate with
//! exact scores (no estimates) and a label:
//!
//! | label | rule (defaults in [`crate::Params`]) |
//! | --- | --- |
//! | `exact` | equal normalised token streams |
//! | `near-copy` | half the smaller text is copied: shingle containment of the smaller in the larger ≥ 0.5, or passage coverage ≥ 0.5 (shared passages tolerate an edited word, which breaks five shingles) |
//! | `partial-copy` | ≥ 8 shared shingles (a passage of ~12 words) and containment ≥ 0.03, or ≥ 40 shared shingles whatever the containment (a long passage in a long text), unless the rest of the two texts is the same story (residual cosine ≥ 0.25: a rewrite that quotes the same words) |
//! | `rewrite` | story cosine ≥ 0.42, or ≥ 0.25 with at least 2 shared shingles (a kept phrase or quotation supports it) |
//!
//! The *residual* story similarity is the cosine of the two term vectors built
//! without the shared passages. It tells a rewrite that shares a quotation
//! (the rest still tells the same story) from a roundup that carries two
//! paragraphs of a story (the rest is about other things).
//!
//! Pairs that meet none of these keep `label: None`: they are not reported,
//! but their story similarity still informs clustering.

use crate::align::{kept_tokens, passages_indexed, AlignConfig, KeptTokens, SeedIndex};
use crate::candidates::Candidates;
use crate::docs::Docs;
use crate::model::{
    Candidate, DocId, Label, NormDoc, Passage, Scores, SetsByDoc, ShingleSet, TermVector,
    VectorsByDoc, VerifiedPair,
};
use crate::params::Params;
use crate::prefetch::prefetch;
use crate::probe::{dot, shared_keys, term_table, ProbeTable};
use crate::shingle::intersection_size;
use crate::store::{Span, Spill};
use crate::terms::{
    cosine, cosine_of_terms, term_counts_where, weigh, SpilledVectors, TermOccurrences, TermWeights,
};
use crate::union_find::UnionFind;
use crate::Result;
use lru::LruCache;
use rayon::prelude::*;
use std::borrow::Cow;
use std::cmp::Reverse;
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// What verification needs of each document.
#[derive(Clone, Copy)]
pub struct Features<'a> {
    /// Normalised documents (for alignment and residual similarity).
    pub docs: Docs<'a>,
    /// Headlines.
    pub titles: &'a [Option<&'a str>],
    /// Batch term statistics (`None` in copies mode).
    pub weights: Option<TermWeights<'a>>,
    /// Word-shingle sets: in stories mode, only the shingles other
    /// documents may share ([`crate::shingle::SharedShingles`]), enough to
    /// count the shingles of any pair.
    pub shingles: &'a dyn SetsByDoc,
    /// The whole size of each document's shingle set.
    pub set_sizes: &'a [u32],
    /// Term vectors, their terms numbered (none in copies mode).
    pub terms: &'a dyn VectorsByDoc<Term = u32>,
    /// Exact hashes (0 for an empty document).
    pub exact: &'a [u64],
    /// The documents aligned lately.
    pub aligned: &'a AlignedDocs,
}

impl Features<'_> {
    /// Whether documents `a` and `b` have the same non-empty text.
    fn same_text(&self, a: usize, b: usize) -> bool {
        self.exact[a] != 0 && self.exact[a] == self.exact[b]
    }

    /// Document `d`'s term vector, if there are term vectors.
    fn vector(&self, d: usize) -> Option<&[(u32, f32)]> {
        (!self.terms.is_empty()).then(|| self.terms.terms(d))
    }
}

/// Exact scores of one pair.
pub fn scores(f: &Features<'_>, a: usize, b: usize) -> Scores {
    let (la, lb) = (f.set_sizes[a] as usize, f.set_sizes[b] as usize);
    scores_of(
        shared_shingles(f, (a, None), b),
        la,
        lb,
        story(f, (a, None), b),
    )
}

/// The shingles documents `a` and `b` share: probed in `a`'s tables if
/// there are any, else merged.
fn shared_shingles(f: &Features<'_>, (a, tables): (usize, Option<&Tables>), b: usize) -> usize {
    match tables {
        Some(tables) => shared_keys(&tables.shingles, f.shingles.set(b)),
        None => intersection_size(f.shingles.set(a), f.shingles.set(b)),
    }
}

/// The story similarity of documents `a` and `b` (0 without term
/// vectors), [`shared_shingles`]' way; `a`'s term table is made the first
/// time a pair of its run needs it. Both ways sum the products in term
/// order, so they give the same number.
fn story(f: &Features<'_>, (a, tables): (usize, Option<&mut Tables>), b: usize) -> f64 {
    match (tables, f.vector(a), f.vector(b)) {
        (Some(tables), Some(x), Some(y)) => {
            let terms = tables.terms.get_or_insert_with(|| term_table(x));
            dot(terms, y).min(1.0)
        }
        (None, Some(x), Some(y)) => cosine_of_terms(x, y),
        _ => 0.0,
    }
}

/// The scores of `shared` shingles between sets of `la` and `lb`, and a
/// story cosine `story`.
fn scores_of(shared: usize, la: usize, lb: usize, story: f64) -> Scores {
    let union = la + lb - shared;
    let smaller = la.min(lb);
    Scores {
        jaccard: if union == 0 {
            0.0
        } else {
            shared as f64 / union as f64
        },
        containment: if smaller == 0 {
            0.0
        } else {
            shared as f64 / smaller as f64
        },
        shared_shingles: shared,
        story,
        residual_story: story,
        coverage: if smaller == 0 {
            0.0
        } else {
            shared as f64 / smaller as f64
        },
    }
}

/// A document's shingle set as a probe table, and its term vector as one
/// once a pair needs it: most pairs of a run may be faint, scored by their
/// shingles alone.
struct Tables {
    shingles: ProbeTable<()>,
    terms: Option<ProbeTable<f32>>,
}

impl Tables {
    fn of(f: &Features<'_>, d: usize) -> Tables {
        let set = f.shingles.set(d);
        Tables {
            shingles: ProbeTable::new(set.iter().map(|&h| (h, ()))),
            terms: None,
        }
    }
}

/// Pairs a run needs for its first document's probe tables: building them
/// costs about two merges (a verification in blocks splits a document's
/// pairs into short runs, one per block of second documents).
const PROBE_MIN_RUN: usize = 4;

/// What a verification worker keeps of the first document of its current
/// run of pairs. Candidates come sorted by first document, so each document
/// meets its candidates in a run (about eighty in stories mode).
struct FirstDoc {
    doc: usize,
    /// Its features as probe tables, when the worker has at least
    /// [`PROBE_MIN_RUN`] of its pairs to verify; a shorter run merges.
    tables: Option<Tables>,
}

/// What an alignment worker ([`align_unaligned`]) keeps of a document of
/// its last pair: of the first, for the run of pairs it starts; of the
/// second too, since a busy document is the second of a run of pairs about
/// as often as the first (the pairs of documents with smaller ids).
struct AlignedRun {
    doc: usize,
    /// The first document's aligned form and the index of its seeds, once
    /// a pair of it is aligned: taken from [`AlignedDocs`] once for the run.
    aligned: Option<(Arc<AlignedDoc>, SeedIndex)>,
    /// Its residual term vector of its last aligned pair.
    residual: Option<Residual>,
}

impl AlignedRun {
    /// `held`'s run if it is of document `doc`, else a new one put there.
    fn of(held: &mut Option<AlignedRun>, doc: usize) -> &mut AlignedRun {
        if held.as_ref().is_some_and(|run| run.doc != doc) {
            *held = None;
        }
        held.get_or_insert_with(|| AlignedRun {
            doc,
            aligned: None,
            residual: None,
        })
    }
}

/// A document's term vector without some passages: its residual similarity
/// with another ([`residual_of`]).
pub struct Residual {
    /// The byte ranges of its body left out.
    ranges: Vec<Range<usize>>,
    vector: TermVector,
}

/// Bytes of documents [`AlignedDocs`] keeps by default. At 32 MiB,
/// corpus_100k's stories run made 72 k of its 338 k aligned documents
/// again (21 %); at 128 MiB, 16 k (5 %). Since the documents keep their
/// term occurrences too, 128 MiB makes 20 k (corpus_100k) and 294 k
/// (corpus_1m, 284 k before); 192 MiB 16 k at 100k, where the verify
/// stage took 7.52 and 7.44 s against 7.87 and 7.90 s at 128 MiB. A
/// batch verified in blocks adds the blocks' bytes, which are dropped
/// before alignment: corpus_1m's stories run makes 119 k documents again
/// at 448 MiB, against 168 k at 192 MiB.
pub const ALIGNED_DOCS_BYTES: usize = 192 << 20;

/// The documents verification has aligned lately, with their kept tokens,
/// for the next pairs they are in: the most recently used, up to a budget
/// of bytes, shared by the workers.
///
/// The documents of partial copies are few and each is in many such pairs
/// (a roundup beside every story it carries a paragraph of, a template
/// beside every page made from it): on corpus_100k, 324 k aligned pairs
/// have 8 k documents. A document that is tokenised again on demand
/// ([`Docs`]) is then tokenised, and its tokens hashed, again only when
/// it has left the budget. Verification aligns all its pairs last, each
/// busy document's in a row ([`verify_in_blocks`]): a batch verified in
/// blocks met a document again in each group of pairs of its block.
pub struct AlignedDocs {
    held: Mutex<HeldDocs>,
    budget: usize,
}

struct HeldDocs {
    lru: LruCache<u32, Arc<AlignedDoc>>,
    bytes: usize,
}

/// A document as alignment sees it.
struct AlignedDoc {
    /// The document, when it was tokenised again (`None`: held in [`Docs`]).
    owned: Option<NormDoc>,
    kept: KeptTokens,
    /// Stories mode: its term occurrences, which the residual similarity of
    /// each of its partial copies is recounted from (`None` when they cannot
    /// be, see [`TermOccurrences::new`]).
    occurrences: Option<TermOccurrences>,
}

impl AlignedDoc {
    fn of(f: &Features<'_>, d: usize) -> Result<AlignedDoc> {
        let doc = f.docs.get(d)?;
        let kept = kept_tokens(&doc);
        let occurrences = f
            .weights
            .as_ref()
            .and_then(|w| TermOccurrences::new(&doc, f.titles[d], w));
        let owned = match doc {
            Cow::Borrowed(_) => None,
            Cow::Owned(doc) => Some(doc),
        };
        Ok(AlignedDoc {
            owned,
            kept,
            occurrences,
        })
    }

    /// The document: its own, or document `d` of `docs`.
    fn doc<'s>(&'s self, docs: &Docs<'s>, d: usize) -> &'s NormDoc {
        match &self.owned {
            Some(doc) => doc,
            None => &docs.docs[d],
        }
    }

    /// Its text as the residual similarity sees it, `d` of `f`.
    fn text<'s>(&'s self, f: &Features<'s>, d: usize) -> ResidualText<'s> {
        ResidualText {
            doc: self.doc(&f.docs, d),
            title: f.titles[d],
            occurrences: self.occurrences.as_ref(),
        }
    }

    /// About the bytes it holds.
    fn bytes(&self) -> usize {
        let owned = self.owned.as_ref().map_or(0, |d| {
            d.tokens.capacity() * std::mem::size_of::<crate::model::Token>()
                + d.suppressed.capacity()
        });
        let kept = &self.kept;
        owned
            + (kept.hashes.capacity() + kept.seeds.capacity()) * 8
            + kept.index.capacity() * 4
            + self.occurrences.as_ref().map_or(0, TermOccurrences::bytes)
            + 64
    }
}

impl AlignedDocs {
    /// Keeping about `budget` bytes of documents.
    pub fn new(budget: usize) -> AlignedDocs {
        AlignedDocs {
            held: Mutex::new(HeldDocs {
                lru: LruCache::unbounded(),
                bytes: 0,
            }),
            budget,
        }
    }

    /// Document `d` of `f`, kept or made (outside the lock) and kept.
    fn get(&self, f: &Features<'_>, d: usize) -> Result<Arc<AlignedDoc>> {
        let key = d as u32;
        if let Some(doc) = self.lock().lru.get(&key) {
            return Ok(Arc::clone(doc));
        }
        let doc = Arc::new(AlignedDoc::of(f, d)?);
        let mut held = self.lock();
        held.bytes += doc.bytes();
        if let Some(old) = held.lru.put(key, Arc::clone(&doc)) {
            held.bytes -= old.bytes();
        }
        while held.bytes > self.budget {
            match held.lru.pop_lru() {
                Some((_, old)) => held.bytes -= old.bytes(),
                None => break,
            }
        }
        Ok(doc)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HeldDocs> {
        // The lock is never held across anything that may panic.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Share of the smaller document's (non-boilerplate) words that lie inside
/// the shared passages: `xa`'s and `xb`'s kept tokens are those words,
/// counted once for each document aligned, not for each of its pairs.
fn coverage(xa: &KeptTokens, xb: &KeptTokens, shared: &[Passage]) -> f64 {
    let smaller = xa.hashes.len().min(xb.hashes.len());
    if smaller == 0 {
        return 0.0;
    }
    let matched: usize = shared.iter().map(|p| p.tokens).sum();
    (matched as f64 / smaller as f64).min(1.0)
}

/// Story cosine of two aligned documents without the passages they share
/// ([`residual_of`], with their last residual vectors `last`).
fn residual_story(
    f: &Features<'_>,
    (a, xa): (usize, &AlignedDoc),
    (b, xb): (usize, &AlignedDoc),
    shared: &[Passage],
    last: (&mut Option<Residual>, &mut Option<Residual>),
) -> f64 {
    let Some(w) = &f.weights else { return 0.0 };
    residual_of(xa.text(f, a), xb.text(f, b), w, shared, last)
}

/// One text of a pair whose residual similarity is worked out.
#[derive(Clone, Copy)]
pub struct ResidualText<'d> {
    /// The document.
    pub doc: &'d NormDoc,
    /// Its headline.
    pub title: Option<&'d str>,
    /// Its term occurrences, to recount from (else its tokens are).
    pub occurrences: Option<&'d TermOccurrences>,
}

/// The story cosine of texts `a` and `b` without the passages they share:
/// each term vector recounted without its tokens that start inside them.
///
/// `last` holds `a`'s and `b`'s residual vectors of their last pairs, if
/// any, and each is used again when the passages leave out the same ranges
/// of its text: in a run of pairs with one busy document, most aligned
/// pairs share the same passages of it (a template; 70 % of corpus_100k's
/// aligned pairs). Each is replaced otherwise.
pub fn residual_of(
    a: ResidualText<'_>,
    b: ResidualText<'_>,
    w: &TermWeights<'_>,
    shared: &[Passage],
    (last_a, last_b): (&mut Option<Residual>, &mut Option<Residual>),
) -> f64 {
    let va = residual_kept(a, w, shared.iter().map(|p| p.a.clone()).collect(), last_a);
    let vb = residual_kept(b, w, shared.iter().map(|p| p.b.clone()).collect(), last_b);
    cosine(va, vb)
}

/// The [`residual_vector`] of `text` without `ranges`: `last`'s, when it
/// left out the same ranges, else recounted and kept in `last`.
fn residual_kept<'l>(
    text: ResidualText<'_>,
    w: &TermWeights<'_>,
    ranges: Vec<Range<usize>>,
    last: &'l mut Option<Residual>,
) -> &'l TermVector {
    let kept = match last.take() {
        Some(l) if l.ranges == ranges => l,
        _ => Residual {
            vector: residual_vector(text, w, ranges.clone()),
            ranges,
        },
    };
    &last.insert(kept).vector
}

/// The term vector of `text` without its tokens that start inside
/// `ranges` (byte ranges of its body): recounted from its occurrences when
/// it has them, else from its tokens.
fn residual_vector(
    text: ResidualText<'_>,
    w: &TermWeights<'_>,
    ranges: Vec<Range<usize>>,
) -> TermVector {
    if let Some(o) = text.occurrences {
        return o.vector_outside(ranges);
    }
    let keep = |i: usize| {
        let start = text.doc.tokens[i].start();
        !ranges.iter().any(|r| r.contains(&start))
    };
    weigh(
        &term_counts_where(text.doc, text.title, w.seed, keep),
        w.df,
        w.n_docs,
    )
}

/// Shared shingles a near copy needs, whatever its coverage.
const NEAR_COPY_MIN_SHINGLES: usize = 2;

/// The fewest shared shingles that any label but a rewrite on content
/// terms alone needs: below that, only the story similarity can earn a
/// pair a label.
pub fn phrase_shingles(params: &Params) -> usize {
    [
        NEAR_COPY_MIN_SHINGLES,
        params.partial_min_shingles,
        params.partial_long_shingles,
        params.rewrite_min_shingles,
    ]
    .into_iter()
    .min()
    .unwrap_or(0)
}

/// Whether a verified pair's story similarity was left to be computed when
/// clustering needs it (a faint pair; see [`crate::Params::story_sure_slots`]).
pub fn story_deferred(s: &Scores) -> bool {
    s.story.is_nan()
}

/// The label a pair's scores earn, if any.
pub fn label(s: &Scores, same_text: bool, params: &Params) -> Option<Label> {
    if same_text {
        return Some(Label::Exact);
    }
    if s.containment.max(s.coverage) >= params.near_copy_containment
        && s.shared_shingles >= NEAR_COPY_MIN_SHINGLES
    {
        return Some(Label::NearCopy);
    }
    if s.shared_shingles >= params.partial_min_shingles
        && s.containment >= params.partial_min_containment
        || s.shared_shingles >= params.partial_long_shingles
    {
        return Some(if s.residual_story >= params.rewrite_supported_threshold {
            Label::Rewrite
        } else {
            Label::PartialCopy
        });
    }
    let supported = s.shared_shingles >= params.rewrite_min_shingles
        && s.story >= params.rewrite_supported_threshold;
    if s.story >= params.rewrite_threshold || supported {
        return Some(Label::Rewrite);
    }
    None
}

/// Ranking score of a labelled pair in [0, 1]: the evidence its label rests on.
pub fn rank_score(s: &Scores, label: Option<Label>) -> f64 {
    match label {
        Some(Label::Exact) => 1.0,
        Some(Label::NearCopy) => s.containment.max(s.coverage).max(s.story),
        Some(Label::PartialCopy) => s.containment,
        Some(Label::Rewrite) | None => s.story,
    }
}

/// Verifies every candidate (in parallel; output in candidate order). Fails
/// only if a spilled text cannot be read back.
pub fn verify(
    candidates: &[Candidate],
    f: &Features<'_>,
    params: &Params,
) -> Result<Vec<VerifiedPair>> {
    verify_keeping(candidates, f, params, &|p| p)
}

/// [`verify`], keeping `keep(pair)` of each verified pair: a run over
/// millions of candidates holds what it needs of each, not every score.
pub fn verify_keeping<T: Send>(
    candidates: &[Candidate],
    f: &Features<'_>,
    params: &Params,
    keep: &(dyn Fn(VerifiedPair) -> T + Sync),
) -> Result<Vec<T>> {
    let verdicts = judge(candidates, f, params, keep)?;
    let unaligned: Vec<Unaligned> = verdicts.iter().filter_map(Verdict::unaligned).collect();
    let mut aligned = align_unaligned(&unaligned, f, params, keep)?.into_iter();
    let mut kept = Vec::with_capacity(verdicts.len());
    for verdict in verdicts {
        match verdict {
            Verdict::Kept(t) => kept.push(t),
            // One aligned pair for each unaligned one, in their order.
            Verdict::Unaligned(_) => kept.extend(aligned.next()),
        }
    }
    Ok(kept)
}

/// What [`judge`] makes of a candidate.
enum Verdict<T> {
    /// Its verified pair, kept.
    Kept(T),
    /// A pair whose passages are still to be found.
    Unaligned(Unaligned),
}

impl<T> Verdict<T> {
    fn unaligned(&self) -> Option<Unaligned> {
        match self {
            Verdict::Kept(_) => None,
            Verdict::Unaligned(u) => Some(*u),
        }
    }
}

/// A pair whose label waits for the passages its documents share (a
/// partial copy, or maybe an edited copy): what its verification found
/// before, from the shingle sets and term vectors, which
/// [`align_unaligned`] no longer needs.
#[derive(Clone, Copy, Debug)]
struct Unaligned {
    a: DocId,
    b: DocId,
    shared: usize,
    story: f64,
}

/// Verifies each candidate but those whose label waits for their passages
/// ([`Verdict::Unaligned`]): in parallel, in candidate order. Fails only if a
/// spilled text cannot be read back.
fn judge<T: Send>(
    candidates: &[Candidate],
    f: &Features<'_>,
    params: &Params,
    keep: &(dyn Fn(VerifiedPair) -> T + Sync),
) -> Result<Vec<Verdict<T>>> {
    candidates
        .par_iter()
        .enumerate()
        .map_init(
            || None::<FirstDoc>,
            |first, (k, c)| {
                let (a, b) = (c.a.idx(), c.b.idx());
                let run = match first {
                    Some(run) if run.doc == a => run,
                    _ => {
                        // Candidates sorted by first document: the run is long
                        // enough when the pair `PROBE_MIN_RUN - 1` places on
                        // has `a` too.
                        let long = candidates
                            .get(k + PROBE_MIN_RUN - 1)
                            .is_some_and(|later| later.a.idx() == a);
                        first.insert(FirstDoc {
                            doc: a,
                            tables: long.then(|| Tables::of(f, a)),
                        })
                    }
                };
                // A later pair's second document is one of any in the batch
                // (or the block), rarely in the cache: its lines are asked
                // for while this pair is scored. The probe's loop is
                // otherwise bound by the wait for them.
                if let Some(later) = candidates.get(k + PREFETCH_AHEAD) {
                    prefetch_pair(f, later, 0, PREFETCH_HEAD_BYTES);
                    // A run that starts there reads its first document
                    // whole, for its tables or its merges.
                    let first = later.a.idx();
                    if candidates[k + PREFETCH_AHEAD - 1].a.idx() != first {
                        prefetch_doc(f, first, 0, usize::MAX);
                    }
                }
                if let Some(next) = candidates.get(k + 1) {
                    prefetch_pair(f, next, PREFETCH_HEAD_BYTES, usize::MAX);
                }
                let same_text = f.same_text(a, b);
                let (la, lb) = (f.set_sizes[a] as usize, f.set_sizes[b] as usize);
                let shared = shared_shingles(f, (a, run.tables.as_ref()), b);
                if c.is_faint() && !same_text && shared < phrase_shingles(params) {
                    // Only a rewrite on content terms alone could be
                    // reported, and a faint pair is not: its story
                    // similarity waits until clustering asks for it.
                    return Ok(Verdict::Kept(keep(VerifiedPair {
                        a: c.a,
                        b: c.b,
                        scores: scores_of(shared, la, lb, f64::NAN),
                        label: None,
                        score: f64::NAN,
                    })));
                }
                let story = story(f, (a, run.tables.as_mut()), b);
                let s = scores_of(shared, la, lb, story);
                if needs_passages(&s, f, params) {
                    return Ok(Verdict::Unaligned(Unaligned {
                        a: c.a,
                        b: c.b,
                        shared,
                        story,
                    }));
                }
                Ok(Verdict::Kept(finish(c.a, c.b, s, same_text, params, keep)))
            },
        )
        .collect()
}

/// Whether a pair of scores `s` needs the passages its documents share:
/// for the residual story similarity (stories mode) and for the coverage
/// of a copy-edited copy. Each edited word breaks at most k shingles, so a
/// copy with half its words in passages keeps at least a quarter of its
/// shingles unless edits come more often than one word in ten: below that
/// containment the alignment is not worth its cost.
fn needs_passages(s: &Scores, f: &Features<'_>, params: &Params) -> bool {
    let partial = s.shared_shingles >= params.partial_min_shingles
        && s.containment < params.near_copy_containment;
    let may_be_edited_copy = s.containment >= params.near_copy_containment / 2.0;
    partial && (f.weights.is_some() || may_be_edited_copy)
}

/// The verified pair of `a` and `b` with scores `s`, labelled and kept.
fn finish<T>(
    a: DocId,
    b: DocId,
    s: Scores,
    same_text: bool,
    params: &Params,
    keep: &(dyn Fn(VerifiedPair) -> T + Sync),
) -> T {
    let label = label(&s, same_text, params);
    keep(VerifiedPair {
        a,
        b,
        scores: s,
        label,
        score: rank_score(&s, label),
    })
}

/// Aligns each pair of `unaligned`, then labels it and keeps it (in
/// parallel, in their order). Pairs of one first document in a row share
/// its aligned form, the index of its seeds and its last residual vector.
fn align_unaligned<T: Send>(
    unaligned: &[Unaligned],
    f: &Features<'_>,
    params: &Params,
    keep: &(dyn Fn(VerifiedPair) -> T + Sync),
) -> Result<Vec<T>> {
    let align = AlignConfig {
        min_tokens: params.passage_min_tokens,
        ..AlignConfig::default()
    };
    unaligned
        .par_iter()
        .map_init(
            || (None::<AlignedRun>, None::<AlignedRun>),
            |(first, second), u| {
                let (a, b) = (u.a.idx(), u.b.idx());
                let (run, second) = (AlignedRun::of(first, a), AlignedRun::of(second, b));
                let (xa, seeds) = match &mut run.aligned {
                    Some(held) => &*held,
                    none => {
                        let xa = f.aligned.get(f, a)?;
                        let seeds = SeedIndex::of_kept(&xa.kept);
                        &*none.insert((xa, seeds))
                    }
                };
                let xb = f.aligned.get(f, b)?;
                let (la, lb) = (f.set_sizes[a] as usize, f.set_sizes[b] as usize);
                let mut s = scores_of(u.shared, la, lb, u.story);
                let (da, db) = (xa.doc(&f.docs, a), xb.doc(&f.docs, b));
                let shared = passages_indexed((da, &xa.kept, seeds), (db, &xb.kept), align);
                s.coverage = coverage(&xa.kept, &xb.kept, &shared);
                s.residual_story = residual_story(
                    f,
                    (a, xa),
                    (b, &xb),
                    &shared,
                    (&mut run.residual, &mut second.residual),
                );
                let same_text = f.same_text(a, b);
                Ok(finish(u.a, u.b, s, same_text, params, keep))
            },
        )
        .collect()
}

/// How many pairs ahead verification asks for the head of a second
/// document's set and vector ([`PREFETCH_HEAD_BYTES`] of each); the rest
/// is asked for one pair ahead. Asking for all of it one pair ahead (58
/// cache lines, about 3.7 KB) left the loads waiting for memory at the
/// start of each pair. corpus_100k's stories verify stage took 9.00 s
/// (mean of six runs, alternated) that way and 8.65 s this way;
/// corpus_1m's 121.7 s and 118.5 s. The first document of a run that
/// starts that far ahead is asked for whole then: corpus_1m's documents
/// meet their pairs in runs of a few (one run per group of blocks), and
/// verify took 120.70 and 121.67 s without that, 113.00 and 116.37 s with
/// it (alternated).
const PREFETCH_AHEAD: usize = 3;

/// Bytes at the head of a list asked for [`PREFETCH_AHEAD`] pairs ahead.
const PREFETCH_HEAD_BYTES: usize = 512;

/// Asks for bytes `from..to` of the lists a pair's second document is
/// scored by: its shingle set, and its term vector unless the pair is
/// faint (most faint pairs share no shingle, and their story similarity
/// is not computed).
#[inline]
fn prefetch_pair(f: &Features<'_>, c: &Candidate, from: usize, to: usize) {
    match c.is_faint() {
        false => prefetch_doc(f, c.b.idx(), from, to),
        true => prefetch_bytes(f.shingles.set(c.b.idx()), from, to),
    }
}

/// Asks for bytes `from..to` of document `d`'s shingle set and of its term
/// vector ([`prefetch_bytes`]).
#[inline]
fn prefetch_doc(f: &Features<'_>, d: usize, from: usize, to: usize) {
    prefetch_bytes(f.shingles.set(d), from, to);
    prefetch_bytes(f.vector(d).unwrap_or_default(), from, to);
}

/// Asks for the cache lines of bytes `from..to` of `list` (clamped to its
/// size) to be loaded ([`prefetch`]).
#[inline]
fn prefetch_bytes<T>(list: &[T], from: usize, to: usize) {
    let to = to.min(std::mem::size_of_val(list));
    let start = list.as_ptr().cast::<u8>();
    for at in (from..to).step_by(64) {
        prefetch(start.wrapping_add(at));
    }
}

/// Pairs verified between two calls of [`verify_reporting`]'s `done`.
const PROGRESS_PAIRS: usize = 1 << 16;

/// Verifies `candidates`, handing `each(k, kept)` what is kept of
/// candidate `k`, and calling `done(n)` after each slice of `n` pairs: the
/// progress of a run over millions of candidates. The caller decides what
/// to hold of millions of results. The pairs whose label waits for their
/// passages are aligned after all the others, each busy document's in a
/// row (as in [`verify_in_blocks`]).
pub fn verify_reporting<T: Send>(
    candidates: &[Candidate],
    f: &Features<'_>,
    params: &Params,
    keep: &(dyn Fn(VerifiedPair) -> T + Sync),
    done: &dyn Fn(usize),
    each: &mut dyn FnMut(usize, T) -> Result<()>,
) -> Result<()> {
    let mut unaligned = Vec::new();
    let judged = Judged {
        f,
        params,
        keep,
        done,
    };
    judged.report(f, candidates, &|j| j, each, &mut unaligned)?;
    judged.align(unaligned, each)
}

/// What verification's reporting passes share: the features, parameters,
/// what is kept of each pair and the progress.
struct Judged<'r, 'f, T> {
    f: &'r Features<'f>,
    params: &'r Params,
    keep: &'r (dyn Fn(VerifiedPair) -> T + Sync),
    done: &'r dyn Fn(usize),
}

impl<T: Send> Judged<'_, '_, T> {
    /// [`judge`]s `candidates` by features `g` (the shingle sets and term
    /// vectors of the blocks read back, or `f`'s) in slices, handing
    /// `each(index(j), kept)` of candidate `j` and setting aside
    /// `(index(j), pair)` of each pair whose label waits for its passages;
    /// `done(n)` for the `n` pairs handed over from each slice.
    fn report(
        &self,
        g: &Features<'_>,
        candidates: &[Candidate],
        index: &dyn Fn(usize) -> usize,
        each: &mut dyn FnMut(usize, T) -> Result<()>,
        unaligned: &mut Vec<(usize, Unaligned)>,
    ) -> Result<()> {
        for (i, slice) in candidates.chunks(PROGRESS_PAIRS).enumerate() {
            let mut waiting = 0;
            let verdicts = judge(slice, g, self.params, self.keep)?;
            for (j, verdict) in verdicts.into_iter().enumerate() {
                let k = index(i * PROGRESS_PAIRS + j);
                match verdict {
                    Verdict::Kept(t) => each(k, t)?,
                    Verdict::Unaligned(u) => {
                        unaligned.push((k, u));
                        waiting += 1;
                    }
                }
            }
            (self.done)(slice.len() - waiting);
        }
        Ok(())
    }

    /// Aligns the pairs set aside by [`Judged::report`], in
    /// [`in_alignment_order`], handing `each(k, kept)` and calling `done`
    /// as [`Judged::report`] does.
    fn align(
        &self,
        mut unaligned: Vec<(usize, Unaligned)>,
        each: &mut dyn FnMut(usize, T) -> Result<()>,
    ) -> Result<()> {
        in_alignment_order(&mut unaligned, self.f.exact.len());
        for slice in unaligned.chunks(PROGRESS_PAIRS) {
            let pairs: Vec<Unaligned> = slice.iter().map(|&(_, u)| u).collect();
            let aligned = align_unaligned(&pairs, self.f, self.params, self.keep)?;
            for (&(k, _), t) in slice.iter().zip(aligned) {
                each(k, t)?;
            }
            (self.done)(slice.len());
        }
        Ok(())
    }
}

/// Sets read back by [`verify_in_blocks`] at a time: the most memory the
/// verification of a spilled batch holds in shingle sets.
pub const VERIFY_BLOCK_BYTES: usize = 256 << 20;

/// Candidates [`verify_in_blocks`] sorts at a time, about (24 bytes each
/// with their keys): those of one lower block are never split.
pub const VERIFY_PASS_PAIRS: usize = 1 << 22;

/// Most blocks [`verify_in_blocks`] cuts a batch into: block numbers take
/// 16 bits of a sort key.
const MAX_BLOCKS: usize = 1 << 16;

/// The shingle sets of a batch, kept in a spill file (one span per document).
#[derive(Debug)]
pub struct SpilledSets {
    /// The file.
    pub spill: Spill,
    /// Where each document's set is.
    pub spans: Vec<Span>,
    /// Stories mode: the term vectors, also spilled.
    pub vectors: Option<SpilledVectors>,
    /// About the most bytes of sets and vectors [`verify_in_blocks`] reads
    /// back at a time ([`VERIFY_BLOCK_BYTES`]).
    pub block_bytes: usize,
    /// About the most candidates [`verify_in_blocks`] sorts at a time
    /// ([`VERIFY_PASS_PAIRS`]).
    pub pass_pairs: usize,
}

impl SpilledSets {
    /// Document `d`'s set, read back.
    pub fn load(&self, d: usize) -> Result<ShingleSet> {
        self.spill
            .get_words(self.spans[d])
            .map(ShingleSet)
            .map_err(sets_error)
    }

    /// Document `d`'s set, read back into `out` (of its length,
    /// [`Spill::words_in`] its span).
    fn load_into(&self, d: usize, out: &mut [u64]) -> Result<()> {
        self.spill
            .get_words_into(self.spans[d], out)
            .map_err(sets_error)
    }
}

fn sets_error(e: std::io::Error) -> crate::Error {
    crate::Error::io("temporary file of shingle sets", e)
}

/// Sorts pairs to align (after their candidates' indices; documents below
/// `n`) by their busier document (more pairs to align; of two as busy,
/// the smaller id), then by first document. A few documents are in most
/// pairs (a template, a roundup) and each of the others in a few: each
/// busy document's pairs come in a row, and the others are met about once
/// for each busy document they are paired with. By first document alone,
/// the documents of all of them are met in turn, far more than
/// [`AlignedDocs`] keeps.
fn in_alignment_order(unaligned: &mut [(usize, Unaligned)], n: usize) {
    let mut busy = vec![0u32; n];
    for (_, u) in unaligned.iter() {
        busy[u.a.idx()] += 1;
        busy[u.b.idx()] += 1;
    }
    let busier = |u: &Unaligned| {
        let rank = |d: DocId| (Reverse(busy[d.idx()]), d);
        rank(u.a).min(rank(u.b))
    };
    unaligned.par_sort_unstable_by_key(|&(k, u)| (busier(&u), u.a, u.b, k));
}

/// Lists by document, as [`verify_in_blocks`] holds its shingle sets or
/// term vectors: those of each block read back (at most two at a time) in
/// one array, used again for the next block, where a list per document
/// would be allocated and freed for each block read.
struct BlockLists<T> {
    /// Per document, its list in `blocks`: (block's array, start, length);
    /// length 0 when its block is not held.
    places: Vec<(u8, usize, u32)>,
    blocks: [Vec<T>; 2],
}

impl<T: Copy + Default + Send + Sync> BlockLists<T> {
    fn new(n: usize) -> BlockLists<T> {
        BlockLists {
            places: vec![(0, 0, 0); n],
            blocks: [Vec::new(), Vec::new()],
        }
    }

    fn get(&self, d: usize) -> &[T] {
        let (slot, start, len) = self.places[d];
        &self.blocks[slot as usize][start..start + len as usize]
    }

    /// Reads the lists of `docs` into array `slot`: `len(d)` items each,
    /// filled by `read(d, list)`, in parallel.
    fn read(
        &mut self,
        slot: u8,
        docs: &[usize],
        len: impl Fn(usize) -> usize,
        read: impl Fn(usize, &mut [T]) -> Result<()> + Sync,
    ) -> Result<()> {
        let mut end = 0;
        for &d in docs {
            let n = len(d);
            // A list's length came from a span's, which is at most 4 GiB.
            self.places[d] = (slot, end, n as u32);
            end += n;
        }
        let block = &mut self.blocks[slot as usize];
        // Every item up to `end` is written below: the array is only
        // cleared where it grows, and to the size asked (a block's bytes
        // are a share of the memory bound).
        if block.len() < end {
            block.reserve_exact(end - block.len());
            block.resize(end, T::default());
        }
        let mut lists = Vec::with_capacity(docs.len());
        let mut rest = &mut block[..end];
        for &d in docs {
            let (list, after) = rest.split_at_mut(self.places[d].2 as usize);
            lists.push((d, list));
            rest = after;
        }
        lists
            .into_par_iter()
            .try_for_each(|(d, list)| read(d, list))
    }

    /// Drops `docs`' lists (their array is kept for the next block).
    fn forget(&mut self, docs: &[usize]) {
        for &d in docs {
            self.places[d] = (0, 0, 0);
        }
    }
}

/// The shingle sets and (stories mode) term vectors [`verify_in_blocks`]
/// holds, by document: those of the blocks read back, empty for the others.
struct Loaded {
    sets: BlockLists<u64>,
    /// When the vectors are spilled too (stories mode).
    vectors: Option<BlockLists<(u32, f32)>>,
}

impl Loaded {
    /// Reads the sets and vectors of `docs` (a block's) from `spilled` into
    /// arrays `slot`.
    fn read(&mut self, spilled: &SpilledSets, slot: u8, docs: &[usize]) -> Result<()> {
        self.sets.read(
            slot,
            docs,
            |d| Spill::words_in(spilled.spans[d]),
            |d, list| spilled.load_into(d, list),
        )?;
        if let (Some(lists), Some(vectors)) = (&mut self.vectors, &spilled.vectors) {
            lists.read(
                slot,
                docs,
                |d| vectors.entries(d),
                |d, list| vectors.load_into(d, list),
            )?;
        }
        Ok(())
    }

    /// Drops the sets and vectors of `docs`.
    fn forget(&mut self, docs: &[usize]) {
        self.sets.forget(docs);
        if let Some(lists) = &mut self.vectors {
            lists.forget(docs);
        }
    }
}

impl SetsByDoc for BlockLists<u64> {
    fn set(&self, doc: usize) -> &[u64] {
        self.get(doc)
    }
}

impl VectorsByDoc for BlockLists<(u32, f32)> {
    type Term = u32;

    fn len(&self) -> usize {
        self.places.len()
    }

    fn terms(&self, doc: usize) -> &[(u32, f32)] {
        self.get(doc)
    }
}

/// [`verify_reporting`] for a batch whose shingle sets are spilled
/// (`f.shingles` is then all empty sets): same pairs, same results, handed
/// to `each` in the order of the blocks, with at most about `block_bytes` of
/// sets read back at a time (`sets.block_bytes`).
///
/// The documents of the candidates are ordered by connected component (the
/// pairs of one story mostly stay among themselves) and cut into blocks of
/// `block_bytes / 2`; the pairs are grouped by the blocks of their two
/// documents, and each group is verified with both blocks read back. Each
/// set is read once per group of pairs it is in, so a batch whose
/// candidates form small components reads each set about once. The groups
/// are sorted out a few lower blocks at a time, about `sets.pass_pairs`
/// candidates, each pass a scan of them all (from a file when they are
/// spilled): tens of millions of candidates are not held with their keys.
///
/// The pairs whose label waits for the passages they share (partial
/// copies) are set aside, 32 bytes each, and aligned after the blocks,
/// sorted by their busier document (the one in more pairs to align), then
/// by first document. Alignment needs the documents' texts and not the
/// blocks. A few documents are in most such pairs (a template, a roundup):
/// each of their pairs then come in a row, and the documents alignment
/// keeps ([`AlignedDocs`]) are met in long runs, not again in each group
/// of blocks. On corpus_1m, 168 k documents were tokenised again for
/// 1.79 M pairs, against 281 k in the blocks' order and 549 k by first
/// document alone (with 192 MiB of them kept; 119 k since the caller lets
/// them take the blocks' memory too).
pub fn verify_in_blocks<T: Send>(
    candidates: &Candidates,
    f: &Features<'_>,
    sets: &SpilledSets,
    params: &Params,
    keep: &(dyn Fn(VerifiedPair) -> T + Sync),
    done: &dyn Fn(usize),
    each: &mut dyn FnMut(usize, T) -> Result<()>,
) -> Result<()> {
    let n = sets.spans.len();
    // Union-find over the candidate graph; each root is its component's
    // smallest document.
    let mut components = UnionFind::new(n);
    let mut involved = vec![false; n];
    candidates.scan(&mut |_, chunk| {
        for c in chunk {
            involved[c.a.idx()] = true;
            involved[c.b.idx()] = true;
            components.union(c.a.0, c.b.0);
        }
    })?;
    let mut order: Vec<(u32, u32)> = (0..n as u32)
        .filter(|&d| involved[d as usize])
        .map(|d| (components.find(d), d))
        .collect();
    order.sort_unstable();
    drop(components);
    let mut block = vec![u32::MAX; n];
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    let mut bytes = usize::MAX;
    let size = |d: usize| sets.spans[d].len() + sets.vectors.as_ref().map_or(0, |v| v.bytes(d));
    // Two consecutive blocks hold more than `half`: at most
    // 2 · total / half + 1 blocks, fewer than MAX_BLOCKS.
    let total: usize = order.iter().map(|&(_, d)| size(d as usize)).sum();
    let half = (sets.block_bytes / 2).max(2 * total / (MAX_BLOCKS - 2) + 1);
    for &(_, d) in &order {
        let size = size(d as usize);
        if bytes.saturating_add(size) > half {
            blocks.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        block[d as usize] = (blocks.len() - 1) as u32;
        blocks
            .last_mut()
            .expect("a block was opened")
            .push(d as usize);
    }
    drop(order);
    debug_assert!(blocks.len() < MAX_BLOCKS);
    // A candidate's key: its lower block, higher block and index, packed
    // in one word, so that sorted keys group it by its pair of blocks.
    let key = |k: usize, c: &Candidate| {
        let (x, y) = (block[c.a.idx()], block[c.b.idx()]);
        u64::from(x.min(y)) << 48 | u64::from(x.max(y)) << 32 | k as u64
    };
    let mut per_lower = vec![0usize; blocks.len()];
    candidates.scan(&mut |first, chunk| {
        for (k, c) in chunk.iter().enumerate() {
            per_lower[(key(first + k, c) >> 48) as usize] += 1;
        }
    })?;
    // Passes: runs of lower blocks with about `pass_pairs` candidates.
    let mut passes: Vec<std::ops::Range<u32>> = Vec::new();
    let mut count = usize::MAX;
    for (b, &n) in per_lower.iter().enumerate() {
        if n == 0 {
            continue;
        }
        match passes.last_mut() {
            Some(pass) if count.saturating_add(n) <= sets.pass_pairs => {
                pass.end = b as u32 + 1;
                count += n;
            }
            _ => {
                passes.push(b as u32..b as u32 + 1);
                count = n;
            }
        }
    }
    drop(per_lower);
    let lower = |key: u64| (key >> 48) as u32;
    let higher = |key: u64| (key >> 32) as u32 & 0xffff;
    let index = |key: u64| key as u32 as usize;
    // The pairs whose passages are still to be found, after their
    // candidates' indices.
    let mut unaligned: Vec<(usize, Unaligned)> = Vec::new();
    let judged = Judged {
        f,
        params,
        keep,
        done,
    };
    // The sets and (stories mode) vectors of the blocks read back: the
    // lower block's in arrays 0, the higher block's in arrays 1.
    let mut loaded = Loaded {
        sets: BlockLists::new(n),
        vectors: sets.vectors.as_ref().map(|_| BlockLists::new(n)),
    };
    for pass in passes {
        // This pass's candidates, each after its key.
        let mut keyed: Vec<(u64, Candidate)> = Vec::new();
        candidates.scan(&mut |first, chunk| {
            let these = chunk
                .par_iter()
                .enumerate()
                .map(|(k, c)| (key(first + k, c), *c))
                .filter(|&(k, _)| pass.contains(&lower(k)));
            keyed.par_extend(these);
        })?;
        keyed.par_sort_unstable_by_key(|&(k, _)| k);
        for by_first in keyed.chunk_by(|x, y| lower(x.0) == lower(y.0)) {
            let first = lower(by_first[0].0);
            loaded.read(sets, 0, &blocks[first as usize])?;
            for group in by_first.chunk_by(|x, y| higher(x.0) == higher(y.0)) {
                let second = higher(group[0].0);
                if second != first {
                    loaded.read(sets, 1, &blocks[second as usize])?;
                }
                let these: Vec<Candidate> = group.iter().map(|&(_, c)| c).collect();
                let g = Features {
                    shingles: &loaded.sets,
                    terms: match &loaded.vectors {
                        Some(lists) => lists,
                        None => f.terms,
                    },
                    ..*f
                };
                judged.report(&g, &these, &|j| index(group[j].0), each, &mut unaligned)?;
                if second != first {
                    loaded.forget(&blocks[second as usize]);
                }
            }
            loaded.forget(&blocks[first as usize]);
        }
    }
    drop(loaded);
    judged.align(unaligned, each)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PassageKind;

    fn s(containment: f64, shared: usize, story: f64) -> Scores {
        Scores {
            jaccard: 0.0,
            containment,
            shared_shingles: shared,
            story,
            residual_story: story,
            coverage: containment,
        }
    }

    #[test]
    fn labels_follow_the_documented_rules() {
        let p = Params::default();
        assert_eq!(label(&s(1.0, 100, 1.0), true, &p), Some(Label::Exact));
        assert_eq!(label(&s(0.9, 100, 0.9), false, &p), Some(Label::NearCopy));
        assert_eq!(label(&s(0.2, 40, 0.1), false, &p), Some(Label::PartialCopy));
        // A shared quotation inside a rewrite: the rest is the same story.
        assert_eq!(label(&s(0.1, 20, 0.5), false, &p), Some(Label::Rewrite));
        let roundup = Scores {
            residual_story: 0.05,
            ..s(0.2, 40, 0.4)
        };
        assert_eq!(label(&roundup, false, &p), Some(Label::PartialCopy));
        assert_eq!(label(&s(0.0, 0, 0.5), false, &p), Some(Label::Rewrite));
        // Same topic, no shared wording: not enough on its own.
        assert_eq!(label(&s(0.0, 0, 0.35), false, &p), None);
        // The same similarity backed by a shared phrase is.
        assert_eq!(label(&s(0.01, 3, 0.35), false, &p), Some(Label::Rewrite));
        assert_eq!(label(&s(0.01, 3, 0.1), false, &p), None);
        // A copy-edited copy: few intact shingles, but most words in passages.
        let edited = Scores {
            coverage: 0.7,
            ..s(0.3, 60, 0.6)
        };
        assert_eq!(label(&edited, false, &p), Some(Label::NearCopy));
    }

    #[test]
    fn pairs_are_aligned_in_a_row_for_each_busy_document() {
        // Two templates: document 5 in a pair with each of 40, document 8
        // with each but 5 again; and three pairs among the others.
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        pairs.extend((0..40).filter(|&d| d != 5).map(|d| (d.min(5), d.max(5))));
        pairs.extend(
            (0..40)
                .filter(|&d| d != 5 && d != 8)
                .map(|d| (d.min(8), d.max(8))),
        );
        pairs.extend([(3, 30), (2, 30), (1, 2)]);
        let pair = |(a, b)| Unaligned {
            a: DocId(a),
            b: DocId(b),
            shared: 8,
            story: 0.5,
        };
        let mut unaligned: Vec<(usize, Unaligned)> =
            pairs.iter().map(|&p| pair(p)).enumerate().rev().collect();
        in_alignment_order(&mut unaligned, 40);
        // Each pair once.
        let mut ks: Vec<usize> = unaligned.iter().map(|&(k, _)| k).collect();
        ks.sort_unstable();
        assert_eq!(ks, (0..pairs.len()).collect::<Vec<_>>());
        let got: Vec<(u32, u32)> = unaligned.iter().map(|(_, u)| (u.a.0, u.b.0)).collect();
        // 5 and 8 are in 39 pairs each: 5's come first (the smaller id),
        // by first document, then 8's. Of the rest, 2 and 30 are in four
        // pairs each, 1 and 3 in three.
        let of = |d: u32| {
            let mut p: Vec<(u32, u32)> = pairs
                .iter()
                .copied()
                .filter(|&(a, b)| a == d || b == d)
                .collect();
            p.sort_unstable();
            p
        };
        assert_eq!(got[..39], of(5)[..]);
        let eights: Vec<(u32, u32)> = of(8).into_iter().filter(|&p| p != (5, 8)).collect();
        assert_eq!(got[39..77], eights[..]);
        assert_eq!(got[77..], [(1, 2), (2, 30), (3, 30)]);
    }

    #[test]
    // Lists of one byte range are meant: the ranges a recount leaves out.
    #[allow(clippy::single_range_in_vec_init)]
    fn a_kept_residual_vector_is_used_only_for_the_same_ranges() {
        let doc = |text| NormDoc::for_test(0, text);
        let a = doc(
            "Lavrov said Russia is ready for talks. Subscribe to our newsletter for more news.",
        );
        let b = doc(
            "Ready for talks, Lavrov said in Moscow. Subscribe to our newsletter for more news.",
        );
        let c = doc("Geneva hosts the talks on Monday, Lavrov said. Subscribe to our newsletter.");
        let df = ahash::AHashMap::new();
        let w = TermWeights {
            df: &df,
            n_docs: 3,
            seed: 1,
        };
        let text = |d| ResidualText {
            doc: d,
            title: None,
            occurrences: None,
        };
        let passage = |a: Range<usize>, b: Range<usize>| Passage {
            a,
            b,
            tokens: 6,
            kind: PassageKind::Run,
        };
        let footer = 39..81;
        let with_b = [passage(footer.clone(), 40..82)];
        let with_c = [passage(footer, 47..76)];
        let other = [passage(0..37, 0..38)];
        let fresh = |x, shared: &[Passage]| {
            residual_of(text(&a), text(x), &w, shared, (&mut None, &mut None))
        };
        let mut last = None;
        for (x, shared) in [(&b, &with_b[..]), (&c, &with_c[..]), (&c, &other[..])] {
            let kept = residual_of(text(&a), text(x), &w, shared, (&mut last, &mut None));
            assert_eq!(kept.to_bits(), fresh(x, shared).to_bits());
        }
        // The same with `a` the second text of each pair.
        let swapped = |shared: &[Passage]| -> Vec<Passage> {
            let swap = |p: &Passage| passage(p.b.clone(), p.a.clone());
            shared.iter().map(swap).collect()
        };
        let mut last = None;
        for (x, shared) in [(&b, &with_b[..]), (&c, &with_c[..]), (&c, &other[..])] {
            let shared = swapped(shared);
            let kept = residual_of(text(x), text(&a), &w, &shared, (&mut None, &mut last));
            let fresh = residual_of(text(x), text(&a), &w, &shared, (&mut None, &mut None));
            assert_eq!(kept.to_bits(), fresh.to_bits());
        }
        // The last pair left out other ranges of `a`: its vector with the
        // footer left out would have given another similarity.
        let stale = cosine(
            &residual_vector(text(&a), &w, vec![39..81]),
            &residual_vector(text(&c), &w, vec![0..38]),
        );
        assert_ne!(stale.to_bits(), fresh(&c, &other).to_bits());
    }
}

//! Content terms: the features of the story fingerprint.
//!
//! Input: [`NormDoc`]s (and optional titles). Output: one [`TermVector`] per
//! document, L2-normalised, with weight `(1 + ln tf) · idf` per content term
//! (see [`crate::lang::for_each_content_term`]).
//!
//! `idf = ln((N + N₀ + 1) / (df + 1))` where `df` counts the batch's documents
//! holding the term and `N₀` is a prior of pseudo-documents that hold none of
//! them. Without the prior, a small batch that is all one story (the seeds)
//! would give the story's own terms weight zero; with it, weights tend to the
//! batch IDF as the batch grows.

use crate::lang::{for_each_content_term_hash, is_cjk_char_token};
use crate::merge::for_each_shared;
use crate::model::{NormDoc, TermVector, VectorsByDoc};
use crate::normalize::tokenize;
use crate::store::{Span, Spill};
use crate::Result;
use ahash::AHashMap;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::OnceLock;

/// Pseudo-documents of the IDF prior.
pub const IDF_PRIOR_DOCS: f64 = 100.0;

/// Raw term counts of one document: `(term hash, count)` sorted by hash.
pub fn term_counts(doc: &NormDoc, title: Option<&str>, seed: u64) -> Vec<(u64, u32)> {
    term_counts_where(doc, title, seed, |_| true)
}

/// Like [`term_counts`], over the body tokens whose index passes `keep`.
pub fn term_counts_where(
    doc: &NormDoc,
    title: Option<&str>,
    seed: u64,
    keep: impl Fn(usize) -> bool,
) -> Vec<(u64, u32)> {
    let mut terms = Vec::with_capacity(doc.tokens.len() / 2);
    for_each_content_term_hash(
        &doc.tokens,
        doc.lang,
        seed,
        |i| !doc.suppressed[i] && keep(i),
        |term, i| terms.push((term, doc.tokens[i].name)),
    );
    // Headlines capitalise every word; their names count as plain terms.
    terms.extend(title_terms(title, doc.lang, seed).map(|t| (t, false)));
    count_terms(terms)
}

/// The content-term hashes of a headline.
fn title_terms(
    title: Option<&str>,
    lang: crate::lang::Lang,
    seed: u64,
) -> impl Iterator<Item = u64> {
    let mut terms = Vec::new();
    if let Some(title) = title {
        for_each_content_term_hash(
            &tokenize(title),
            lang,
            seed,
            |_| true,
            |term, _| terms.push(term),
        );
    }
    terms.into_iter()
}

/// `(term hash, count)` sorted by hash from term occurrences `(hash, written
/// as a name)`; a count has [`NAME_FLAG`] when at least half the term's
/// occurrences are names.
fn count_terms(mut terms: Vec<(u64, bool)>) -> Vec<(u64, u32)> {
    terms.sort_unstable_by_key(|&(t, _)| t);
    count_sorted_terms(&terms)
}

/// [`count_terms`] of occurrences already sorted by hash.
fn count_sorted_terms(terms: &[(u64, bool)]) -> Vec<(u64, u32)> {
    terms
        .chunk_by(|x, y| x.0 == y.0)
        .map(|run| {
            let names = run.iter().filter(|x| x.1).count() as u32;
            (run[0].0, flagged(run.len() as u32, names))
        })
        .collect()
}

/// The count of a term seen `n` times, `names` of them as a name.
#[inline]
fn flagged(n: u32, names: u32) -> u32 {
    if names * 2 >= n {
        n | NAME_FLAG
    } else {
        n
    }
}

/// One document's content-term occurrences, kept to recount its terms
/// without some passages of its body (the residual similarity of each
/// partial copy it is in): each term's count over the whole document, and
/// the body's occurrences in text order, so that a recount visits only the
/// occurrences inside the passages and subtracts them.
#[derive(Debug, Clone)]
pub struct TermOccurrences {
    /// The distinct terms, body's and headline's, sorted.
    terms: Vec<u64>,
    /// The IDF of each term.
    idf: Vec<f64>,
    /// Per term: its occurrences, and how many of them are written as a
    /// name, over the body's kept tokens and the headline.
    counts: Vec<(u32, u32)>,
    /// The body's occurrences in text order: where the token starts
    /// (bytes), and the term's index in `terms`, with [`Self::NAME`] set
    /// when the token is written as a name.
    body: Vec<(u32, u32)>,
}

impl TermOccurrences {
    /// Set in an occurrence's term index when it is written as a name.
    const NAME: u32 = 1 << 31;

    /// The token index of a headline's term while occurrences are sorted.
    const TITLE: u32 = u32::MAX;

    /// The occurrences of `doc`, or `None` when it has one-character CJK
    /// tokens: their bigrams depend on which neighbours are kept, so their
    /// counts are only right when recomputed ([`term_counts_where`]).
    pub fn new(doc: &NormDoc, title: Option<&str>, w: &TermWeights<'_>) -> Option<TermOccurrences> {
        if doc.tokens.iter().any(is_cjk_char_token) {
            return None;
        }
        // (term, token index or `TITLE`, written as a name)
        let mut sorted = Vec::with_capacity(doc.tokens.len() / 2);
        for_each_content_term_hash(
            &doc.tokens,
            doc.lang,
            w.seed,
            |i| !doc.suppressed[i],
            |term, i| sorted.push((term, i as u32, doc.tokens[i].name)),
        );
        // Headlines capitalise every word; their names count as plain terms.
        sorted.extend(title_terms(title, doc.lang, w.seed).map(|t| (t, Self::TITLE, false)));
        sorted.sort_unstable_by_key(|&(t, _, _)| t);
        let mut o = TermOccurrences {
            terms: Vec::new(),
            idf: Vec::new(),
            counts: Vec::new(),
            body: Vec::with_capacity(sorted.len()),
        };
        for run in sorted.chunk_by(|x, y| x.0 == y.0) {
            // A document has fewer than 2^31 distinct terms (its tokens are
            // at most 4 GiB of text).
            let index = o.terms.len() as u32;
            let names = run.iter().filter(|x| x.2).count() as u32;
            o.terms.push(run[0].0);
            o.idf.push(w.idf(run[0].0));
            o.counts.push((run.len() as u32, names));
            for &(_, i, name) in run.iter().filter(|x| x.1 != Self::TITLE) {
                let start = doc.tokens[i as usize].byte_start;
                o.body
                    .push((start, index | if name { Self::NAME } else { 0 }));
            }
        }
        o.body.sort_unstable_by_key(|&(start, _)| start);
        Some(o)
    }

    /// `(term, count, IDF)` of the occurrences outside `ranges` (byte
    /// ranges of the body: an occurrence is inside one when its token starts
    /// there), the headline's always counted, sorted by term.
    fn counted_outside(
        &self,
        mut ranges: Vec<Range<usize>>,
    ) -> impl Iterator<Item = (u64, u32, f64)> + '_ {
        // Per term, its occurrences inside (and names among them): ranges
        // in order of start, each taking the occurrences from where the
        // ones before it stopped, so that one inside two ranges is taken
        // once.
        ranges.sort_unstable_by_key(|r| r.start);
        let mut inside = vec![(0u32, 0u32); self.terms.len()];
        let mut from = 0;
        for r in ranges {
            let first = self.body.partition_point(|o| (o.0 as usize) < r.start);
            let end = self.body.partition_point(|o| (o.0 as usize) < r.end);
            for &(_, x) in self.body.get(first.max(from)..end).unwrap_or_default() {
                let count = &mut inside[(x & !Self::NAME) as usize];
                count.0 += 1;
                count.1 += u32::from(x & Self::NAME != 0);
            }
            from = from.max(end);
        }
        self.terms
            .iter()
            .zip(&self.idf)
            .zip(self.counts.iter().zip(inside))
            // Those inside are some of all: no count goes below zero.
            .map(|((&t, &idf), (&(n, names), (n_in, names_in)))| {
                (t, n - n_in, names - names_in, idf)
            })
            .filter(|&(_, n, _, _)| n > 0)
            .map(|(t, n, names, idf)| (t, flagged(n, names), idf))
    }

    /// [`term_counts_where`] of the document these occurrences are of, over
    /// its tokens that start outside `ranges` (the tests' check of the
    /// recount; verification takes [`TermOccurrences::vector_outside`]).
    #[cfg(test)]
    pub fn counts_outside(&self, ranges: Vec<Range<usize>>) -> Vec<(u64, u32)> {
        self.counted_outside(ranges)
            .map(|(t, n, _)| (t, n))
            .collect()
    }

    /// About the bytes it holds.
    pub fn bytes(&self) -> usize {
        self.terms.capacity() * 8
            + self.idf.capacity() * 8
            + (self.counts.capacity() + self.body.capacity()) * 8
    }

    /// [`weigh`] of [`term_counts_where`] of the document these occurrences
    /// are of, over its tokens that start outside `ranges` (byte ranges of
    /// its body), with the IDFs looked up once per document.
    pub fn vector_outside(&self, ranges: Vec<Range<usize>>) -> TermVector {
        weigh_terms(self.counted_outside(ranges))
    }
}

/// Set in a count when the term is mostly written as a name or a number.
pub const NAME_FLAG: u32 = 1 << 31;

/// Extra weight of names and numbers: they identify the event (who, where,
/// when, how many), which is what tells a rewrite from another story on the
/// same topic.
pub const NAME_BOOST: f64 = 3.0;

/// Document frequency of every term over the batch.
pub fn document_frequencies(counts: &[Vec<(u64, u32)>]) -> AHashMap<u64, u32> {
    frequencies(counts.par_iter().map(Ok)).expect("held counts cannot fail")
}

/// Document frequencies over each document's counts (in any order).
fn frequencies<C: AsRef<[(u64, u32)]> + Send>(
    docs: impl ParallelIterator<Item = Result<C>>,
) -> Result<AHashMap<u64, u32>> {
    docs.try_fold(AHashMap::new, |mut df: AHashMap<u64, u32>, doc| {
        for &(t, _) in doc?.as_ref() {
            *df.entry(t).or_default() += 1;
        }
        Ok(df)
    })
    .try_reduce(AHashMap::new, |a, b| {
        Ok(if a.len() >= b.len() {
            merge(a, b)
        } else {
            merge(b, a)
        })
    })
}

fn merge(mut big: AHashMap<u64, u32>, small: AHashMap<u64, u32>) -> AHashMap<u64, u32> {
    for (t, n) in small {
        *big.entry(t).or_default() += n;
    }
    big
}

/// The term counts of a batch too big to hold (see [`crate::store`]),
/// written as documents are normalised and read back once to count
/// document frequencies and once to weigh them.
#[derive(Debug)]
pub struct SpilledCounts {
    spill: Spill,
    spans: Vec<Span>,
}

impl SpilledCounts {
    /// Where the counts go, in a new temporary file.
    pub fn store() -> Result<Spill> {
        Spill::new().map_err(counts_error)
    }

    /// Writes one document's counts to `spill`; returns where they are.
    pub fn put(spill: &Spill, counts: &[(u64, u32)]) -> Result<Span> {
        spill.put_keyed(counts).map_err(counts_error)
    }

    /// The counts in `spill`, document `d`'s at `spans[d]`.
    pub fn new(spill: Spill, spans: Vec<Span>) -> SpilledCounts {
        SpilledCounts { spill, spans }
    }

    fn load(&self, d: usize) -> Result<Vec<(u64, u32)>> {
        self.spill.get_keyed(self.spans[d]).map_err(counts_error)
    }

    /// Document frequencies, as [`document_frequencies`] counts them.
    pub fn document_frequencies(&self) -> Result<AHashMap<u64, u32>> {
        frequencies((0..self.spans.len()).into_par_iter().map(|d| self.load(d)))
    }

    /// The weighted vectors, as [`term_vectors`] makes them, with their
    /// terms numbered by `numbers`, in a temporary file of their own; this
    /// one is removed.
    pub fn into_vectors(
        self,
        df: &AHashMap<u64, u32>,
        numbers: TermNumbers,
    ) -> Result<SpilledVectors> {
        let n_docs = self.spans.len();
        let spill = Spill::new().map_err(vectors_error)?;
        let numbering = numbers.numbering();
        let idf = IdfTable::new(n_docs);
        let spans = (0..n_docs)
            .into_par_iter()
            .map(|d| {
                let v = numbered(&idf.weigh(&self.load(d)?, df), &numbering);
                spill.put_keyed(&v).map_err(vectors_error)
            })
            .collect::<Result<_>>()?;
        Ok(SpilledVectors {
            spill,
            spans,
            numbers,
        })
    }
}

/// The term vectors of a batch too big to hold, read back by document,
/// their terms numbered ([`TermNumbers`]): 8 bytes a term in the file.
#[derive(Debug)]
pub struct SpilledVectors {
    spill: Spill,
    spans: Vec<Span>,
    numbers: TermNumbers,
}

impl SpilledVectors {
    /// Documents.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes document `d`'s vector takes in the file.
    pub fn bytes(&self, d: usize) -> usize {
        self.spans[d].len()
    }

    /// The number of terms in document `d`'s vector.
    pub fn entries(&self, d: usize) -> usize {
        Spill::keyed_in::<u32>(self.spans[d])
    }

    /// Document `d`'s vector, its terms numbered, read back into `out` (of
    /// its length, [`SpilledVectors::entries`]).
    pub fn load_into(&self, d: usize, out: &mut [(u32, f32)]) -> Result<()> {
        self.spill
            .get_keyed_into(self.spans[d], out)
            .map_err(vectors_error)
    }

    /// Document `d`'s vector, read back, with its terms' hashes.
    pub fn load(&self, d: usize) -> Result<TermVector> {
        let mut v = vec![(0, 0.0); self.entries(d)];
        self.load_into(d, &mut v)?;
        Ok(self.numbers.hashed(&v))
    }

    /// The vectors of the documents `wanted`, read back and packed; empty
    /// vectors for the others.
    pub fn load_where(&self, wanted: impl Fn(usize) -> bool + Sync) -> Result<PackedVectors> {
        let wanted = |d| wanted(d).then_some(d);
        PackedVectors::collect(
            self.len(),
            |d| wanted(d).map_or(0, |d| self.entries(d)),
            |d, list| wanted(d).map_or(Ok(()), |d| self.load_into(d, list)),
        )
    }
}

/// The terms of a batch sorted by hash: a term's *number* is its place in
/// this list, so numbers keep the hashes' order (see [`VectorsByDoc`]) and
/// take 4 bytes where a hash takes 8.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermNumbers(Vec<u64>);

impl TermNumbers {
    /// The terms `df` counts, numbered.
    pub fn of(df: &AHashMap<u64, u32>) -> Result<TermNumbers> {
        if df.len() > u32::MAX as usize {
            let e = std::io::Error::other("more than 2^32 distinct terms to number");
            return Err(vectors_error(e));
        }
        let mut terms: Vec<u64> = df.keys().copied().collect();
        terms.par_sort_unstable();
        Ok(TermNumbers(terms))
    }

    /// Each term's number, by hash.
    fn numbering(&self) -> AHashMap<u64, u32> {
        self.0
            .iter()
            .enumerate()
            .map(|(n, &t)| (t, n as u32))
            .collect()
    }

    /// `v` (numbered by these numbers) with its terms' hashes.
    pub fn hashed(&self, v: &[(u32, f32)]) -> TermVector {
        TermVector(v.iter().map(|&(n, w)| (self.0[n as usize], w)).collect())
    }
}

/// `v` with its terms numbered by `numbering` (which holds them all).
fn numbered(v: &TermVector, numbering: &AHashMap<u64, u32>) -> Vec<(u32, f32)> {
    v.0.iter().map(|&(t, w)| (numbering[&t], w)).collect()
}

/// Documents [`PackedVectors::collect`] fills at a time.
const PACK_CHUNK_DOCS: usize = 1 << 14;

/// Term vectors of a batch in one flat array, their terms numbered
/// ([`TermNumbers`]): 8 bytes a term, where a [`TermVector`] takes 16 and
/// an allocation per document. The numbers keep the order of the hashes,
/// so verification and clustering sum the same weights in the same order
/// on either (see [`VectorsByDoc`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PackedVectors {
    /// Where each document's terms start in `terms`, and where the last ends.
    starts: Vec<usize>,
    terms: Vec<(u32, f32)>,
}

impl PackedVectors {
    /// The vectors of documents `0..n`, whose terms are numbered already,
    /// packed: document `d`'s has `len(d)` terms, which `fill(d, list)`
    /// writes. The array is made at its size, and filled in parallel.
    pub fn collect(
        n: usize,
        len: impl Fn(usize) -> usize,
        fill: impl Fn(usize, &mut [(u32, f32)]) -> Result<()> + Sync,
    ) -> Result<PackedVectors> {
        let mut starts = Vec::with_capacity(n + 1);
        starts.push(0);
        for d in 0..n {
            starts.push(starts[d] + len(d));
        }
        let mut terms = vec![(0, 0.0); starts[n]];
        let mut rest = &mut terms[..];
        // A chunk of documents at a time, so that their lists are few.
        for chunk in (0..n).step_by(PACK_CHUNK_DOCS) {
            let mut lists = Vec::with_capacity(PACK_CHUNK_DOCS);
            for d in chunk..(chunk + PACK_CHUNK_DOCS).min(n) {
                let (list, after) =
                    std::mem::take(&mut rest).split_at_mut(starts[d + 1] - starts[d]);
                lists.push((d, list));
                rest = after;
            }
            lists
                .into_par_iter()
                .try_for_each(|(d, list)| fill(d, list))?;
        }
        Ok(PackedVectors { starts, terms })
    }
}

#[cfg(test)]
impl PackedVectors {
    /// `vectors` packed, their terms numbered among theirs.
    pub(crate) fn of(vectors: &[TermVector]) -> PackedVectors {
        let mut df = AHashMap::new();
        for &(t, _) in vectors.iter().flat_map(|v| &v.0) {
            *df.entry(t).or_insert(0) += 1;
        }
        let numbering = TermNumbers::of(&df).expect("few terms").numbering();
        let fill = |d: usize, list: &mut [(u32, f32)]| {
            list.copy_from_slice(&numbered(&vectors[d], &numbering));
            Ok(())
        };
        PackedVectors::collect(vectors.len(), |d| vectors[d].0.len(), fill).expect("held")
    }
}

impl VectorsByDoc for PackedVectors {
    type Term = u32;

    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    fn terms(&self, doc: usize) -> &[(u32, f32)] {
        &self.terms[self.starts[doc]..self.starts[doc + 1]]
    }
}

fn counts_error(e: std::io::Error) -> crate::Error {
    crate::Error::io("temporary file of term counts", e)
}

fn vectors_error(e: std::io::Error) -> crate::Error {
    crate::Error::io("temporary file of term vectors", e)
}

/// IDF of a term held by `df` of `n_docs` documents (with the prior).
#[inline]
pub fn idf(df: u32, n_docs: usize) -> f64 {
    ((n_docs as f64 + IDF_PRIOR_DOCS + 1.0) / (df as f64 + 1.0)).ln()
}

/// The weighted, L2-normalised vector of one document's term counts.
pub fn weigh(counts: &[(u64, u32)], df: &AHashMap<u64, u32>, n_docs: usize) -> TermVector {
    weigh_terms(counts.iter().map(|&(t, c)| (t, c, term_idf(df, t, n_docs))))
}

/// [`idf`] of each document frequency a term of a batch of `n_docs` may
/// have, worked out once, by the same expression: weighing a batch's
/// vectors takes an IDF for each term of each document (about 250 M
/// logarithms at a million articles), and there are at most `n_docs + 1`
/// frequencies (8 MB of them at a million).
struct IdfTable {
    n_docs: usize,
    by_df: Vec<f64>,
}

impl IdfTable {
    /// The table of a batch of `n_docs`.
    fn new(n_docs: usize) -> IdfTable {
        IdfTable {
            n_docs,
            by_df: (0..=n_docs as u32)
                .into_par_iter()
                .map(|df| idf(df, n_docs))
                .collect(),
        }
    }

    /// [`idf`] of `df`, from the table when it holds it.
    #[inline]
    fn of(&self, df: u32) -> f64 {
        match self.by_df.get(df as usize) {
            Some(&w) => w,
            None => idf(df, self.n_docs),
        }
    }

    /// [`weigh`] of `counts`, the IDFs taken from the table: bit for bit
    /// the same vector.
    fn weigh(&self, counts: &[(u64, u32)], df: &AHashMap<u64, u32>) -> TermVector {
        weigh_terms(
            counts
                .iter()
                .map(|&(t, c)| (t, c, self.of(frequency(df, t)))),
        )
    }
}

/// The weighted, L2-normalised vector of `(term, count, IDF)`.
fn weigh_terms(terms: impl Iterator<Item = (u64, u32, f64)>) -> TermVector {
    let log_count = log_counts();
    // Made at the most terms it may get, where collecting a filtered list
    // would grow it step by step.
    let mut v: Vec<(u64, f32)> = Vec::with_capacity(terms.size_hint().1.unwrap_or(0));
    v.extend(terms.map(|(t, c, idf)| {
        let boost = if c & NAME_FLAG != 0 { NAME_BOOST } else { 1.0 };
        let w = log_count.of(c & !NAME_FLAG) * idf * boost;
        (t, w as f32)
    }));
    let norm = v
        .iter()
        .map(|(_, w)| (*w as f64).powi(2))
        .sum::<f64>()
        .sqrt();
    if norm > 0.0 {
        for (_, w) in &mut v {
            *w = (*w as f64 / norm) as f32;
        }
    }
    TermVector(v)
}

/// `1 + ln n`, the weight of a term counted `n` times. Most terms are
/// counted a few times, so those weights are worked out once, by the same
/// expression: every weight has the bits it would have without the table.
struct LogCounts([f64; 64]);

impl LogCounts {
    /// The weight of `n`, worked out.
    fn computed(n: u32) -> f64 {
        1.0 + (n as f64).ln()
    }

    /// The weight of `n`, from the table when it holds it.
    #[inline]
    fn of(&self, n: u32) -> f64 {
        match self.0.get(n as usize) {
            Some(&w) => w,
            None => Self::computed(n),
        }
    }
}

/// The [`LogCounts`], made once.
fn log_counts() -> &'static LogCounts {
    static TABLE: OnceLock<LogCounts> = OnceLock::new();
    TABLE.get_or_init(|| LogCounts(std::array::from_fn(|n| LogCounts::computed(n as u32))))
}

/// Weighted, L2-normalised term vectors for every document. Each document's
/// counts are dropped as its vector is made, so a big batch never holds
/// both in full.
pub fn term_vectors(counts: Vec<Vec<(u64, u32)>>, df: &AHashMap<u64, u32>) -> Vec<TermVector> {
    let n_docs = counts.len();
    counts
        .into_par_iter()
        .map(|doc| weigh(&doc, df, n_docs))
        .collect()
}

/// [`term_vectors`] with their terms numbered by `numbers` (which holds
/// them all), packed.
pub fn numbered_vectors(
    counts: &[Vec<(u64, u32)>],
    df: &AHashMap<u64, u32>,
    numbers: &TermNumbers,
) -> PackedVectors {
    let numbering = numbers.numbering();
    let idf = IdfTable::new(counts.len());
    // A document's vector has a term for each of its counts.
    let fill = |d: usize, list: &mut [(u32, f32)]| {
        list.copy_from_slice(&numbered(&idf.weigh(&counts[d], df), &numbering));
        Ok(())
    };
    PackedVectors::collect(counts.len(), |d| counts[d].len(), fill)
        .expect("held counts cannot fail")
}

/// Batch statistics needed to weigh term vectors after the fact.
#[derive(Clone, Copy)]
pub struct TermWeights<'a> {
    /// Document frequencies.
    pub df: &'a AHashMap<u64, u32>,
    /// Documents in the batch.
    pub n_docs: usize,
    /// Hash seed.
    pub seed: u64,
}

impl TermWeights<'_> {
    /// The IDF of term `t`.
    pub fn idf(&self, t: u64) -> f64 {
        term_idf(self.df, t, self.n_docs)
    }
}

/// The IDF of term `t` in a batch of `n_docs` with document frequencies
/// `df` ([`frequency`]).
fn term_idf(df: &AHashMap<u64, u32>, t: u64, n_docs: usize) -> f64 {
    idf(frequency(df, t), n_docs)
}

/// The document frequency of term `t` in `df`, a term no document holds
/// counted as held by one.
#[inline]
fn frequency(df: &AHashMap<u64, u32>, t: u64) -> u32 {
    df.get(&t).copied().unwrap_or(1)
}

/// Cosine similarity of two L2-normalised vectors sorted by term: the
/// products of the shared terms' weights, summed in term order.
pub fn cosine(a: &TermVector, b: &TermVector) -> f64 {
    cosine_of_terms(&a.0, &b.0)
}

/// [`cosine`] of two vectors' `(term, weight)` lists, their terms hashes
/// or numbers.
pub fn cosine_of_terms<T: Copy + Into<u64>>(a: &[(T, f32)], b: &[(T, f32)]) -> f64 {
    let mut dot = 0.0f64;
    for_each_shared(
        a,
        b,
        |x| x.0.into(),
        |y| y.0.into(),
        |i, j| {
            dot += a[i].1 as f64 * b[j].1 as f64;
        },
    );
    dot.min(1.0)
}

/// The `max_terms` heaviest terms of a vector, re-sorted by term (the part
/// the story sketch is built from: it keeps names and rare words).
pub fn top_terms(v: &TermVector, max_terms: usize) -> TermVector {
    if v.0.len() <= max_terms {
        return v.clone();
    }
    let mut by_weight = v.0.clone();
    by_weight.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    by_weight.truncate(max_terms);
    by_weight.sort_unstable_by_key(|x| x.0);
    TermVector(by_weight)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest::proptest! {
        /// A batch's table of IDFs weighs a vector bit for bit as the
        /// logarithms worked out do: frequencies inside the table, beyond
        /// it, and terms no document holds.
        #[test]
        fn the_idf_table_weighs_as_the_logarithms(
            n_docs in 0usize..40,
            counts in proptest::collection::btree_map(0u64..60, 1u32..80, 0..30),
            df in proptest::collection::btree_map(0u64..60, 0u32..60, 0..30),
        ) {
            let counts: Vec<(u64, u32)> = counts.into_iter().collect();
            let df: AHashMap<u64, u32> = df.into_iter().collect();
            let bits = |v: &TermVector| v.0.iter().map(|&(t, w)| (t, w.to_bits())).collect::<Vec<_>>();
            let table = IdfTable::new(n_docs);
            proptest::prop_assert_eq!(bits(&table.weigh(&counts, &df)), bits(&weigh(&counts, &df, n_docs)));
        }

        /// Numbered vectors, held or spilled, are the weighted vectors with
        /// each term's hash replaced by its number: bit for bit the same
        /// weights, numbers in the hashes' order, and the hashes back from
        /// the numbers.
        #[test]
        fn numbered_vectors_are_the_vectors_in_numbers(
            docs in proptest::collection::vec(
                proptest::collection::btree_map(
                    proptest::prop_oneof![0u64..50, proptest::arbitrary::any::<u64>()],
                    1u32..20,
                    0..30,
                ),
                0..20,
            ),
        ) {
            let counts: Vec<Vec<(u64, u32)>> =
                docs.iter().map(|d| d.iter().map(|(&t, &c)| (t, c)).collect()).collect();
            let df = document_frequencies(&counts);
            let numbers = TermNumbers::of(&df).unwrap();
            let want = term_vectors(counts.clone(), &df);
            let held = numbered_vectors(&counts, &df, &numbers);
            let spill = SpilledCounts::store().unwrap();
            let spans = counts.iter().map(|c| SpilledCounts::put(&spill, c).unwrap()).collect();
            let spilled = SpilledCounts::new(spill, spans)
                .into_vectors(&df, numbers.clone())
                .unwrap();
            let bits = |v: &TermVector| v.0.iter().map(|&(t, w)| (t, w.to_bits())).collect::<Vec<_>>();
            proptest::prop_assert_eq!(held.len(), want.len());
            proptest::prop_assert_eq!(spilled.load_where(|_| true).unwrap(), held.clone());
            for (d, v) in want.iter().enumerate() {
                let got = held.terms(d);
                proptest::prop_assert!(got.windows(2).all(|p| p[0].0 < p[1].0));
                proptest::prop_assert_eq!(bits(&numbers.hashed(got)), bits(v));
                proptest::prop_assert_eq!(bits(&spilled.load(d).unwrap()), bits(v));
            }
            // Only the documents asked for are read back.
            let some = spilled.load_where(|d| d % 2 == 0).unwrap();
            for (d, v) in want.iter().enumerate() {
                proptest::prop_assert_eq!(some.terms(d).is_empty(), d % 2 == 1 || v.0.is_empty());
            }
        }
    }

    fn doc(text: &str) -> NormDoc {
        NormDoc::for_test(0, text)
    }

    /// [`term_counts_where`] over the tokens of `d` that start outside
    /// every one of `ranges`: the recount's oracle.
    fn counts_outside(
        d: &NormDoc,
        title: Option<&str>,
        ranges: &[Range<usize>],
    ) -> Vec<(u64, u32)> {
        term_counts_where(d, title, 5, |i| {
            !ranges.iter().any(|r| r.contains(&d.tokens[i].start()))
        })
    }

    #[test]
    // Lists of one byte range are meant: the ranges a recount leaves out.
    #[allow(clippy::single_range_in_vec_init)]
    fn occurrences_recount_as_the_tokens_do() {
        let mut d = doc(
            "Menu Home. Foreign Minister Lavrov said Russia is ready for talks with \
             Washington on 12 May; Lavrov said talks would be hard. Ready, said LAVROV.",
        );
        d.suppressed[0] = true;
        d.suppressed[1] = true;
        let title = Some("Lavrov: Russia Ready For Talks");
        let df = AHashMap::from([(term_counts(&d, None, 5)[0].0, 3)]);
        let w = TermWeights {
            df: &df,
            n_docs: 10,
            seed: 5,
        };
        let o = TermOccurrences::new(&d, title, &w).unwrap();
        let at = |i: usize| d.tokens[i].start();
        for ranges in [
            vec![],
            vec![at(4)..at(12)],
            // Overlapping and nested ranges, out of order: each token once.
            vec![at(9)..at(14), at(4)..at(12), at(5)..at(6)],
            // A range that starts inside a token does not take it.
            vec![at(4) + 1..at(8) + 1],
            vec![0..d.tokens.last().unwrap().end()],
            vec![7..7],
        ] {
            let counts = counts_outside(&d, title, &ranges);
            assert_eq!(o.counts_outside(ranges.clone()), counts);
            assert_eq!(o.vector_outside(ranges), weigh(&counts, &df, 10));
        }
        assert_eq!(o.counts_outside(vec![]), term_counts(&d, title, 5));
        // CJK text is recounted from its tokens.
        assert!(TermOccurrences::new(&doc("会谈将于周二在北京举行"), None, &w).is_none());
    }

    proptest! {
        /// Recounting without any byte ranges equals counting the tokens
        /// that start outside them, names and headline included (oracle:
        /// [`term_counts_where`]).
        #[test]
        fn occurrences_recount_outside_any_ranges(
            words in proptest::collection::vec((0usize..8, any::<bool>()), 0..40),
            ranges in proptest::collection::vec((0usize..300, 0usize..80), 0..4),
            title in proptest::option::of("[A-Za-z ]{0,30}"),
        ) {
            const VOCAB: [&str; 8] = ["lavrov", "talks", "geneva", "12", "ready", "the", "minister", "may"];
            let text: Vec<String> = words
                .iter()
                .map(|&(w, cap)| {
                    let w = VOCAB[w];
                    if cap { w[..1].to_uppercase() + &w[1..] } else { w.to_string() }
                })
                .collect();
            let d = doc(&text.join(" "));
            let df = AHashMap::from([(term_counts(&d, None, 5).first().map_or(0, |c| c.0), 2)]);
            let w = TermWeights { df: &df, n_docs: 4, seed: 5 };
            let o = TermOccurrences::new(&d, title.as_deref(), &w).unwrap();
            let ranges: Vec<Range<usize>> = ranges.into_iter().map(|(s, n)| s..s + n).collect();
            let counts = counts_outside(&d, title.as_deref(), &ranges);
            prop_assert_eq!(o.vector_outside(ranges.clone()), weigh(&counts, &df, 4));
            prop_assert_eq!(o.counts_outside(ranges), counts);
        }
    }

    #[test]
    fn rewrites_share_terms_that_shingles_miss() {
        let docs = [
            doc("Foreign Minister Lavrov said Russia is ready for talks with Washington."),
            doc("Russia is ready to talk to Washington, the foreign minister, Sergei Lavrov, stated."),
            doc("The football club won its third title after a late penalty."),
        ];
        let counts: Vec<_> = docs.iter().map(|d| term_counts(d, None, 1)).collect();
        let df = document_frequencies(&counts);
        let v = term_vectors(counts, &df);
        assert!(cosine(&v[0], &v[1]) > 0.5, "{}", cosine(&v[0], &v[1]));
        assert!(cosine(&v[0], &v[2]) < 0.05);
        assert!((cosine(&v[0], &v[0]) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn count_weights_have_the_bits_of_the_expression() {
        for n in 0..200u32 {
            let expected = 1.0 + (n as f64).ln();
            assert_eq!(
                log_counts().of(n).to_bits(),
                expected.to_bits(),
                "count {n}"
            );
        }
    }

    #[test]
    fn top_terms_keeps_the_heaviest() {
        let v = TermVector(vec![(1, 0.1), (2, 0.9), (3, 0.5)]);
        assert_eq!(top_terms(&v, 2), TermVector(vec![(2, 0.9), (3, 0.5)]));
    }

    proptest! {
        #[test]
        fn cosine_matches_naive(a in proptest::collection::btree_map(0u64..30, 0.01f32..1.0, 0..15),
                                b in proptest::collection::btree_map(0u64..30, 0.01f32..1.0, 0..15)) {
            let va = TermVector(a.iter().map(|(&k, &w)| (k, w)).collect());
            let vb = TermVector(b.iter().map(|(&k, &w)| (k, w)).collect());
            let naive: f64 = a.iter().filter_map(|(k, w)| b.get(k).map(|x| *w as f64 * *x as f64)).sum();
            prop_assert!((cosine(&va, &vb) - naive.min(1.0)).abs() < 1e-6);
        }
    }
}

//! Candidate generation: every source of candidate pairs, merged.
//!
//! Input: per-document exact hashes, shingle sets and signatures. Output:
//! [`Candidate`]s sorted by `(a, b)`, each tagged with the sources that
//! proposed it ([`crate::model::source`]):
//! - exact: equal normalised text (grouped by hash; large groups become a star
//!   around their first member, so they stay linear);
//! - copy: LSH on the word-shingle MinHash (syndicated copies);
//! - anchor: documents sharing at least `min_shared` *anchors*, the shingles
//!   whose hash is 0 mod `rate` (content-defined sampling, as in winnowing), so
//!   a few paragraphs copied into a long roundup are found whatever the
//!   documents' lengths; anchors held by more than `max_bucket` documents are
//!   boilerplate and ignored;
//! - story: LSH on the weighted content-term MinHash (rewrites); a pair only
//!   it proposes needs `story_min_equal_slots` equal sketch slots, so chance
//!   matches on one topic word are not scored exactly; a pair with fewer
//!   than `story_sure_slots` is tagged *faint* as well (see
//!   [`crate::Params::story_sure_slots`]).

use crate::hash::mix64;
use crate::lsh::{
    all_pairs, candidate_pairs_where, key_pair, merge_sorted_into, pair_key, Banded, Banding,
    DocKeys, Kept,
};
use crate::model::{source, Candidate, DocId, ShingleSet, Signatures};
use crate::store::{Record, Records, RecordsWriter, Spill};
use crate::Result;
use itertools::Itertools;
use rayon::prelude::*;
use std::sync::{Mutex, PoisonError};

/// Story buckets are capped at `max_bucket / STORY_BUCKET_DIVISOR` documents.
pub const STORY_BUCKET_DIVISOR: usize = 10;

/// Largest exact-duplicate group whose every pair is reported.
const MAX_EXACT_GROUP_PAIRS: usize = 64;

/// Pairs of documents with the same non-zero exact hash.
pub fn exact_pairs(exact: &[u64]) -> Vec<(DocId, DocId)> {
    let mut keyed: Vec<(u64, u32)> = exact
        .iter()
        .enumerate()
        .filter(|(_, &h)| h != 0)
        .map(|(d, &h)| (h, d as u32))
        .collect();
    keyed.sort_unstable();
    let mut out = Vec::new();
    for group in keyed.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1) {
        if group.len() <= MAX_EXACT_GROUP_PAIRS {
            let docs: Vec<u32> = group.iter().map(|&(_, d)| d).collect();
            out.extend(all_pairs(&docs));
        } else {
            out.extend(
                group[1..]
                    .iter()
                    .map(|&(_, d)| (DocId(group[0].1), DocId(d))),
            );
        }
    }
    out.sort_unstable();
    out
}

/// Most memory the `(anchor, document)` list of one grouping pass may take.
/// A big batch's list (a quarter of all its shingles, 8 bytes each) is
/// grouped in passes, each over the anchors of one slice of the hash space,
/// so it is never held whole; a batch under this bound takes one pass.
/// (The pass's pairs take about as much again: 64 MiB keeps corpus_100k's
/// two passes, where 128 MiB made one pass, as fast, at 70 MiB more peak.)
const ANCHOR_PASS_BYTES: usize = 64 << 20;

/// A document's anchors: the shingles whose mixed hash is 0 mod `rate`, as
/// those mixed hashes (a bijection of the shingle hashes, so grouping by them
/// is grouping by shingle).
pub fn anchors_of(shingles: &ShingleSet, rate: u64) -> Box<[u64]> {
    let multiples = Multiples::of(rate);
    // Without a branch per shingle: each mixed hash is written at the end
    // of the anchors so far, which grow past it only when it is one. Which
    // shingles are anchors is chance, so a branch on it was mispredicted
    // about a third of the time.
    let mut anchors = vec![0u64; shingles.0.len()];
    let mut n = 0;
    for &h in &shingles.0 {
        let m = mix64(h);
        anchors[n] = m;
        n += usize::from(multiples.contain(m));
    }
    anchors.truncate(n);
    anchors.into_boxed_slice()
}

/// The multiples of a divisor `d > 0`, tested without a division (a 64-bit
/// division per shingle cost as much as its MinHash). With `d = odd · 2^shift`:
/// `m` is a multiple when its low `shift` bits are 0 and `n = m >> shift` is a
/// multiple of `odd`, which for odd `odd` holds exactly when
/// `n · odd⁻¹ mod 2^64 ≤ (2^64 − 1) / odd` (Granlund and Montgomery, 1994).
struct Multiples {
    shift: u32,
    inverse: u64,
    limit: u64,
}

impl Multiples {
    fn of(d: u64) -> Multiples {
        let d = d.max(1);
        let shift = d.trailing_zeros();
        let odd = d >> shift;
        // Newton's iteration for the inverse mod 2^64: `odd` is its own
        // inverse mod 8, and each step doubles the correct low bits.
        let mut inverse = odd;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inverse)));
        }
        Multiples {
            shift,
            inverse,
            limit: u64::MAX / odd,
        }
    }

    #[inline]
    fn contain(&self, m: u64) -> bool {
        // `&`, not `&&`: both tests are cheap, and a branch between them
        // would be mispredicted as often as the outcome is chance.
        (m.trailing_zeros() >= self.shift)
            & ((m >> self.shift).wrapping_mul(self.inverse) <= self.limit)
    }
}

/// Each document's anchors ([`anchors_of`]), as candidate generation reads
/// them.
#[derive(Clone, Copy)]
pub enum Anchors<'a> {
    /// In memory, per document.
    Held(&'a [Box<[u64]>]),
    /// Spilled, already sorted into passes.
    Spilled(&'a SpilledAnchors),
}

/// Grouping passes for `entries` anchors, each of at most `pass_bytes` of
/// [`DocKeys`] entries (at least one).
fn passes_for(entries: usize, pass_bytes: usize) -> usize {
    let bytes = entries.saturating_mul(ANCHOR_KEY_BYTES);
    bytes.div_ceil(pass_bytes.max(1)).max(1)
}

/// Bytes of one `(anchor, document)` entry ([`DocKeys`]), in a pass and in
/// its file.
const ANCHOR_KEY_BYTES: usize = std::mem::size_of::<u64>();

/// The pass of [`anchor_pairs`] that groups anchor `m` when there are `passes`.
#[inline]
fn pass_of(m: u64, passes: u64) -> u64 {
    if passes == 1 {
        0
    } else {
        (m >> 40) % passes
    }
}

/// The anchors of a batch too big to hold them, written while the documents
/// are fingerprinted: one spill file per grouping pass, of 8-byte entries
/// (anchor and document in one little-endian integer, `lsh::DocKeys`). A
/// document whose shingles are taken again (it turned out to have
/// boilerplate lines) writes its anchors again, marked as final, and its
/// first ones are skipped when a pass is read.
#[derive(Debug)]
pub struct SpilledAnchors {
    parts: Vec<Spill>,
    keys: DocKeys,
    /// Documents whose first anchors were replaced.
    retaken: Vec<bool>,
    /// The first error of a writer that failed while it was dropped.
    failed: Mutex<Option<std::io::Error>>,
}

/// Buffers one thread's anchors for [`SpilledAnchors`], a few hundred
/// documents at a time, so that documents do not take the files' locks
/// one by one. Whatever is buffered is written when it is dropped.
pub struct AnchorWriter<'a> {
    to: &'a SpilledAnchors,
    /// Entries per pass.
    buffers: Vec<Vec<u8>>,
    bytes: usize,
}

/// Bytes an [`AnchorWriter`] buffers before it writes.
const WRITER_BYTES: usize = 1 << 20;

impl AnchorWriter<'_> {
    /// Writes the anchors of `doc`; `retaken` when they replace ones written
    /// before.
    pub fn put(&mut self, doc: u32, retaken: bool, anchors: &[u64]) -> std::io::Result<()> {
        let passes = self.buffers.len() as u64;
        let keys = self.to.keys;
        for &m in anchors {
            let out = &mut self.buffers[pass_of(m, passes) as usize];
            out.extend_from_slice(&keys.key(m, doc, retaken).to_le_bytes());
        }
        self.bytes += anchors.len() * ANCHOR_KEY_BYTES;
        if self.bytes >= WRITER_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        for (part, buffer) in self.to.parts.iter().zip(&mut self.buffers) {
            if !buffer.is_empty() {
                part.put(buffer)?;
                buffer.clear();
            }
        }
        self.bytes = 0;
        Ok(())
    }
}

impl Drop for AnchorWriter<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            let mut failed = self
                .to
                .failed
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            failed.get_or_insert(e);
        }
    }
}

/// Entries of a pass read and decoded at a time, by each thread.
const PASS_CHUNK_ENTRIES: usize = 1 << 16;

impl SpilledAnchors {
    /// Room for about `entries` anchors of `docs` documents (fewer than
    /// 2^31), in passes of `ANCHOR_PASS_BYTES` (64 MiB) each.
    pub fn new(entries: usize, docs: usize) -> std::io::Result<SpilledAnchors> {
        Self::with_passes(passes_for(entries, ANCHOR_PASS_BYTES), docs)
    }

    fn with_passes(passes: usize, docs: usize) -> std::io::Result<SpilledAnchors> {
        Ok(SpilledAnchors {
            parts: (0..passes.max(1))
                .map(|_| Spill::new())
                .collect::<std::io::Result<_>>()?,
            keys: DocKeys::for_docs(docs),
            retaken: Vec::new(),
            failed: Mutex::new(None),
        })
    }

    /// A writer of anchors (one per thread).
    pub fn writer(&self) -> AnchorWriter<'_> {
        AnchorWriter {
            to: self,
            buffers: vec![Vec::new(); self.parts.len()],
            bytes: 0,
        }
    }

    /// Ends the writing, once every writer is dropped: records which
    /// documents' anchors were written again ([`AnchorWriter::put`] with
    /// `retaken`), and fails if a writer failed.
    pub fn finish(&mut self, retaken: Vec<bool>) -> std::io::Result<()> {
        let failed = self
            .failed
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = failed.take() {
            return Err(e);
        }
        self.retaken = retaken;
        Ok(())
    }

    /// The entries of one pass ([`DocKeys`], none marked), in no order.
    /// The pass's file is read in chunks in parallel, each decoded into its
    /// own part of the list.
    fn pass(&self, pass: u64) -> Result<Vec<u64>> {
        self.pass_in_chunks(pass, PASS_CHUNK_ENTRIES)
    }

    /// [`SpilledAnchors::pass`], read in chunks of `chunk_entries` entries.
    fn pass_in_chunks(&self, pass: u64, chunk_entries: usize) -> Result<Vec<u64>> {
        let part = &self.parts[pass as usize];
        let keys = self.keys;
        let mut entries = vec![0u64; part.len() as usize / ANCHOR_KEY_BYTES];
        // How many entries each chunk kept: those of a retaken document's
        // first anchors are skipped.
        let kept: Vec<usize> = entries
            .par_chunks_mut(chunk_entries)
            .enumerate()
            .map_init(Vec::new, |bytes, (i, out)| {
                bytes.resize(out.len() * ANCHOR_KEY_BYTES, 0);
                part.read_at((i * chunk_entries * ANCHOR_KEY_BYTES) as u64, bytes)?;
                let mut kept = 0;
                for e in bytes.chunks_exact(ANCHOR_KEY_BYTES) {
                    let key = u64::from_le_bytes(e.try_into().expect("8 bytes"));
                    let doc = keys.doc(key) as usize;
                    if keys.marked(key) || !self.retaken.get(doc).copied().unwrap_or(false) {
                        out[kept] = keys.unmarked(key);
                        kept += 1;
                    }
                }
                Ok(kept)
            })
            .collect::<std::io::Result<_>>()
            .map_err(|e| crate::Error::io("temporary file of passage anchors", e))?;
        // Close the gaps the skipped entries left (none, most often).
        let mut len = 0;
        for (i, n) in kept.into_iter().enumerate() {
            let from = i * chunk_entries;
            if from != len {
                entries.copy_within(from..from + n, len);
            }
            len += n;
        }
        entries.truncate(len);
        Ok(entries)
    }
}

/// Pairs of documents sharing at least `min_shared` anchors (each
/// document's [`anchors_of`]). Returns the pairs and the number of anchors
/// ignored as too common. Fails only if spilled anchors cannot be read back.
pub fn anchor_pairs(
    anchors: Anchors<'_>,
    min_shared: usize,
    max_bucket: usize,
) -> Result<(Vec<(DocId, DocId)>, usize)> {
    anchor_pairs_in_passes(anchors, min_shared, max_bucket, ANCHOR_PASS_BYTES)
}

/// [`anchor_pairs`] with `pass_bytes` for [`ANCHOR_PASS_BYTES`] (it sizes the
/// passes of held anchors; spilled ones were sorted into passes as written).
fn anchor_pairs_in_passes(
    anchors: Anchors<'_>,
    min_shared: usize,
    max_bucket: usize,
    pass_bytes: usize,
) -> Result<(Vec<(DocId, DocId)>, usize)> {
    let (passes, keys) = match anchors {
        Anchors::Held(held) => (
            passes_for(held.iter().map(|a| a.len()).sum(), pass_bytes) as u64,
            DocKeys::for_docs(held.len()),
        ),
        Anchors::Spilled(spilled) => (spilled.parts.len() as u64, spilled.keys),
    };
    // Each pass's pairs, a pair once for each anchor it shares (up to
    // `min_shared`), sorted: one list per pass, counted below.
    let mut shared: Vec<Vec<u64>> = Vec::with_capacity(passes as usize);
    let mut ignored = 0;
    for pass in 0..passes {
        let keyed = match anchors {
            Anchors::Held(held) => held
                .par_iter()
                .enumerate()
                .flat_map_iter(|(d, a)| {
                    a.iter()
                        .filter(move |&&m| pass_of(m, passes) == pass)
                        .map(move |&m| keys.key(m, d as u32, false))
                })
                .collect(),
            Anchors::Spilled(spilled) => spilled.pass(pass)?,
        };
        let (pairs, skipped) = anchor_pass(keyed, keys, max_bucket, min_shared.max(1));
        ignored += skipped;
        shared.push(pairs);
    }
    Ok((pairs_sharing(&shared, min_shared, SLICE_KEYS), ignored))
}

/// Pair keys [`pairs_sharing`] counts in one slice of first documents: a
/// slice's pairs of every pass are merged in the cache.
const SLICE_KEYS: usize = 1 << 18;

/// The pairs that `passes` (each a sorted list of [`pair_key`]s, a pair's
/// key once for each anchor it shares in that pass) hold at least
/// `min_shared` times in all, sorted. The passes are merged a slice of
/// first documents at a time (about `slice_keys` keys), in parallel:
/// each slice's keys, a sorted run from each pass, are sorted together by
/// a sort that merges runs, so tens of millions of keys are never sorted
/// as one list.
fn pairs_sharing(passes: &[Vec<u64>], min_shared: usize, slice_keys: usize) -> Vec<(DocId, DocId)> {
    let total: usize = passes.iter().map(Vec::len).sum();
    let docs = passes
        .iter()
        .filter_map(|p| p.last())
        .map(|&key| (key >> 32) + 1)
        .max()
        .unwrap_or(0);
    // No more slices than first documents: each slice's bounds stay
    // below `docs²`, which fits.
    let slices = (total.div_ceil(slice_keys.max(1)) as u64).clamp(1, docs.max(1));
    // Slice `i` holds the pairs whose first document is in
    // `docs * i / slices .. docs * (i + 1) / slices`: the keys below the
    // bound `i + 1` makes, from the one `i` makes.
    let bound = |i: u64| (docs * i / slices) << 32;
    let summed: Vec<Vec<(DocId, DocId)>> = (0..slices)
        .into_par_iter()
        .map_init(Vec::new, |keys: &mut Vec<u64>, i| {
            let (from, to) = (bound(i), bound(i + 1));
            keys.clear();
            for pass in passes {
                let start = pass.partition_point(|&key| key < from);
                let end = pass.partition_point(|&key| key < to);
                keys.extend_from_slice(&pass[start..end]);
            }
            // A stable sort finds the passes' runs and merges them.
            keys.sort();
            keys.chunk_by(|x, y| x == y)
                .filter(|run| run.len() >= min_shared)
                .map(|run| key_pair(run[0]))
                .collect()
        })
        .collect();
    summed.concat()
}

/// One pass of [`anchor_pairs`]: the pairs sharing the anchors of `keyed`
/// (`(anchor, document)` entries as `keys`, none marked), each pair's
/// [`pair_key`] once for each anchor it shares but no more than
/// `min_shared` times (all [`pairs_sharing`] needs to know), sorted; and
/// the number of those anchors ignored as too common.
fn anchor_pass(
    mut keyed: Vec<u64>,
    keys: DocKeys,
    max_bucket: usize,
    min_shared: usize,
) -> (Vec<u64>, usize) {
    keyed.par_sort_unstable();
    let groups = || keyed.par_chunk_by(|&x, &y| keys.group(x) == keys.group(y));
    let ignored = groups().filter(|g| g.len() > max_bucket).count();
    // A group's documents are sorted, and distinct unless a document holds
    // two anchors that its key's bits do not tell apart: such a document
    // makes no pair with itself. Each pair is made as its [`pair_key`].
    let mut all: Vec<u64> = groups()
        .filter(|g| g.len() > 1 && g.len() <= max_bucket)
        .flat_map_iter(|g| {
            g.iter().enumerate().flat_map(move |(i, &a)| {
                let a = keys.doc(a);
                g[i + 1..]
                    .iter()
                    .map(move |&b| keys.doc(b))
                    .filter(move |&b| b != a)
                    .map(move |b| pair_key((DocId(a), DocId(b))))
            })
        })
        .collect();
    drop(keyed);
    all.par_sort_unstable();
    // Keep each run's first `min_shared` keys, in place: most pairs share
    // one anchor, so the pass's list shrinks to little more than its
    // distinct pairs, 8 bytes each. The kept keys are sorted, so a key
    // already kept `min_shared` times is the one that many places back.
    let mut kept = 0;
    for i in 0..all.len() {
        if kept < min_shared || all[kept - min_shared] != all[i] {
            all[kept] = all[i];
            kept += 1;
        }
    }
    all.truncate(kept);
    all.shrink_to_fit();
    (all, ignored)
}

/// Inputs of candidate generation.
pub struct CandidateInputs<'a> {
    /// Exact hashes.
    pub exact: &'a [u64],
    /// Each document's anchors ([`anchors_of`]).
    pub anchors: Anchors<'a>,
    /// Copy signatures: dropped once their bands are grouped, before the
    /// anchors' passes.
    pub copy_signatures: Signatures,
    /// Copy banding.
    pub copy_banding: Banding,
}

/// Counts of what candidate generation did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CandidateStats {
    /// Pairs from exact hashes.
    pub exact: usize,
    /// Pairs from copy LSH.
    pub copy: usize,
    /// Pairs from anchors.
    pub anchor: usize,
    /// Pairs from story LSH.
    pub story: usize,
    /// Of those, the faint ones (sketches agreeing on fewer than
    /// [`crate::Params::story_sure_slots`] slots).
    pub faint: usize,
    /// Distinct candidates after merging.
    pub total: usize,
    /// Buckets/anchors skipped as too common.
    pub skipped_buckets: usize,
}

/// Every candidate pair of the copy fingerprints (exact hashes, copy LSH,
/// anchors), merged and tagged. Fails only if spilled anchors cannot be
/// read back. Stories mode then adds [`story_candidates`]: the copy
/// fingerprints can be dropped before the story ones are made.
pub fn generate(
    inputs: CandidateInputs<'_>,
    params: &crate::Params,
) -> Result<(Vec<Candidate>, CandidateStats)> {
    let mut stats = CandidateStats::default();
    let exact = exact_pairs(inputs.exact);
    stats.exact = exact.len();
    let mut merged = add_source(Vec::new(), exact.into_iter(), source::EXACT);
    let Banded {
        sure: copy,
        skipped,
        ..
    } = candidate_pairs_where(
        &inputs.copy_signatures,
        inputs.copy_banding,
        params.max_bucket,
        params.seed,
        &|_, _| Kept::Sure,
    );
    drop(inputs.copy_signatures);
    stats.copy = copy.len();
    stats.skipped_buckets += skipped;
    merged = add_source(merged, copy.iter(), source::COPY);
    drop(copy);
    let (anchor, skipped) =
        anchor_pairs(inputs.anchors, params.anchor_min_shared, params.max_bucket)?;
    stats.anchor = anchor.len();
    stats.skipped_buckets += skipped;
    merged = add_source(merged, anchor.into_iter(), source::ANCHOR);
    stats.total = merged.len();
    Ok((merged, stats))
}

/// `candidates` with the pairs of the story fingerprints (`signatures`,
/// banded by `banding`) merged in, and counted in `stats`. The signatures
/// are dropped before the merge.
pub fn story_candidates(
    candidates: Vec<Candidate>,
    stats: &mut CandidateStats,
    signatures: Signatures,
    banding: Banding,
    params: &crate::Params,
    spill: bool,
) -> Result<Candidates> {
    // Story bands are single terms (r = 1 for low thresholds): a term
    // drawn as the minimum by very many documents is a topic word, not
    // evidence of one story, so these buckets get a tighter cap.
    // A single-row band matches on one slot; pairs whose sketches agree
    // on fewer slots than this are chance matches on a topic word, and
    // are dropped before the (far costlier) exact scoring.
    let min_equal = params.story_min_equal_slots;
    // Pairs that agree on fewer than this are most of the rest, and are
    // marked faint (see `Params::story_sure_slots`).
    let sure = params.story_sure_slots;
    let story = candidate_pairs_where(
        &signatures,
        banding,
        (params.max_bucket / STORY_BUCKET_DIVISOR).max(2),
        params.seed ^ 0x0053_544f_5259,
        &|a, b| {
            let x = signatures.get(a.idx());
            let y = signatures.get(b.idx());
            // Summed in 32-bit lanes, which the compiler keeps in vectors.
            let equal: u32 = x.iter().zip(y.iter()).map(|(p, q)| u32::from(p == q)).sum();
            match equal as usize {
                equal if equal < min_equal => Kept::Dropped,
                equal if equal < sure => Kept::Faint,
                _ => Kept::Sure,
            }
        },
    );
    drop(signatures);
    stats.story = story.sure.len() + story.faint.len();
    stats.faint = story.faint.len();
    stats.skipped_buckets += story.skipped;
    let pairs = story.sure.iter().map(tagged(source::STORY)).merge_by(
        story
            .faint
            .iter()
            .map(tagged(source::STORY | source::FAINT)),
        |x, y| (x.a, x.b) < (y.a, y.b),
    );
    let merged = if spill {
        // The merged list is the biggest of all: written as it is made.
        let mut writer = RecordsWriter::new().map_err(spill_error)?;
        merge_candidates(candidates, pairs, |c| writer.push(&c)).map_err(spill_error)?;
        Candidates::Spilled(writer.finish().map_err(spill_error)?)
    } else {
        Candidates::Held(add_candidates(candidates, pairs, stats.story))
    };
    stats.total = merged.len();
    Ok(merged)
}

/// `candidates` (sorted by pair) with `pairs` (sorted, deduplicated) from
/// `from` merged in: a pair already there gains the source. Each source's
/// list is merged in and dropped in turn, so that the lists are never all
/// held, tagged, beside the result.
fn add_source(
    candidates: Vec<Candidate>,
    pairs: impl ExactSizeIterator<Item = (DocId, DocId)>,
    from: u8,
) -> Vec<Candidate> {
    let n = pairs.len();
    add_candidates(candidates, pairs.map(tagged(from)), n)
}

/// A pair as a candidate from `from` (a bit set of sources).
fn tagged(from: u8) -> impl Fn((DocId, DocId)) -> Candidate {
    move |(a, b)| Candidate {
        a,
        b,
        sources: from,
    }
}

/// `candidates` with `n` more, `new` (sorted by pair, none twice), merged
/// in: a pair in both has the sources of both.
fn add_candidates(
    candidates: Vec<Candidate>,
    new: impl Iterator<Item = Candidate>,
    n: usize,
) -> Vec<Candidate> {
    let mut out = Vec::with_capacity(candidates.len() + n);
    let merged = merge_candidates(candidates, new, |c| {
        out.push(c);
        Ok::<(), std::convert::Infallible>(())
    });
    match merged {
        Ok(()) => out,
        Err(never) => match never {},
    }
}

/// [`add_candidates`] handing the merged candidates, in order, to `emit`.
fn merge_candidates<E>(
    candidates: Vec<Candidate>,
    new: impl Iterator<Item = Candidate>,
    emit: impl FnMut(Candidate) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    merge_sorted_into(
        candidates,
        new,
        |c| (c.a, c.b),
        |c, d| Candidate {
            sources: c.sources | d.sources,
            ..c
        },
        emit,
    )
}

/// The candidates of a batch: held, or a big batch's in a temporary file.
#[derive(Debug)]
pub enum Candidates {
    /// In memory.
    Held(Vec<Candidate>),
    /// In a temporary file.
    Spilled(SpilledCandidates),
}

impl Candidates {
    /// Number of candidates.
    pub fn len(&self) -> usize {
        match self {
            Candidates::Held(c) => c.len(),
            Candidates::Spilled(s) => s.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `each(k, chunk)` on the candidates in order, in chunks; `k`
    /// is the index of the chunk's first.
    pub fn scan(&self, each: &mut dyn FnMut(usize, &[Candidate])) -> Result<()> {
        match self {
            Candidates::Held(c) => {
                each(0, c);
                Ok(())
            }
            Candidates::Spilled(s) => s.scan(each).map_err(spill_error),
        }
    }

    /// Them, in memory.
    pub fn held(self) -> Result<Vec<Candidate>> {
        match self {
            Candidates::Held(c) => Ok(c),
            Candidates::Spilled(s) => s.to_vec().map_err(spill_error),
        }
    }

    /// Them, in a temporary file.
    pub fn spilled(self) -> Result<SpilledCandidates> {
        match self {
            Candidates::Held(c) => SpilledCandidates::write(&c).map_err(spill_error),
            Candidates::Spilled(s) => Ok(s),
        }
    }
}

impl Record for Candidate {
    const BYTES: usize = 12;

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.a.0.to_le_bytes());
        out.extend_from_slice(&self.b.0.to_le_bytes());
        out.extend_from_slice(&u32::from(self.sources).to_le_bytes());
    }

    fn read(bytes: &[u8]) -> Candidate {
        let word = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        Candidate {
            a: DocId(word(0)),
            b: DocId(word(4)),
            sources: word(8) as u8,
        }
    }
}

/// Candidates in a temporary file: a spilled batch's verification goes
/// through them once per pass instead of holding them (a million articles
/// have tens of millions).
pub type SpilledCandidates = Records<Candidate>;

/// The error of the candidates' temporary file.
pub fn spill_error(e: std::io::Error) -> crate::Error {
    crate::Error::io("temporary file of candidate pairs", e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RECORDS_CHUNK;
    use proptest::strategy::Strategy;

    #[test]
    fn exact_groups_pair_up() {
        let pairs = exact_pairs(&[5, 0, 5, 7, 5, 0]);
        assert_eq!(
            pairs,
            vec![
                (DocId(0), DocId(2)),
                (DocId(0), DocId(4)),
                (DocId(2), DocId(4))
            ]
        );
    }

    #[test]
    fn spilled_candidates_read_back_in_order() {
        let candidates: Vec<Candidate> = (0..RECORDS_CHUNK as u32 * 2 + 7)
            .map(|i| Candidate {
                a: DocId(i / 3),
                b: DocId(u32::MAX - i),
                sources: (i % 16) as u8,
            })
            .collect();
        let spilled = SpilledCandidates::write(&candidates).unwrap();
        assert_eq!(spilled.to_vec().unwrap(), candidates);
        let list = Candidates::Spilled(spilled);
        assert_eq!(list.len(), candidates.len());
        let mut starts = Vec::new();
        list.scan(&mut |k, chunk| {
            assert_eq!(chunk, &candidates[k..k + chunk.len()]);
            starts.push(k);
        })
        .unwrap();
        assert_eq!(starts, [0, RECORDS_CHUNK, 2 * RECORDS_CHUNK]);
    }

    #[test]
    fn candidates_move_between_memory_and_their_file() {
        let candidates: Vec<Candidate> = (0..RECORDS_CHUNK as u32 + 3)
            .map(|i| Candidate {
                a: DocId(i),
                b: DocId(i + 1 + i % 7),
                sources: (i % 16) as u8,
            })
            .collect();
        let spilled = Candidates::Held(candidates.clone()).spilled().unwrap();
        assert_eq!(spilled.len(), candidates.len());
        let back = Candidates::Spilled(spilled);
        assert_eq!(back.len(), candidates.len());
        assert_eq!(back.held().unwrap(), candidates);
    }

    proptest::proptest! {
        /// The division-free test agrees with `%`, on multiples and on any value.
        #[test]
        fn multiples_are_found_without_dividing(
            d in proptest::prop_oneof![1u64..70, proptest::num::u64::ANY.prop_map(|d| d.max(1))],
            m in proptest::num::u64::ANY,
            k in proptest::num::u64::ANY,
        ) {
            let multiples = Multiples::of(d);
            proptest::prop_assert_eq!(multiples.contain(m), m % d == 0);
            let multiple = d * (k / d);
            proptest::prop_assert!(multiples.contain(multiple));
            proptest::prop_assert!(multiples.contain(0));
        }

        /// The anchors are the mixed shingle hashes that are multiples of
        /// the rate, in the set's order (oracle: a filter with `%`).
        #[test]
        fn anchors_are_the_multiples_of_the_rate_in_order(
            set in proptest::collection::btree_set(proptest::num::u64::ANY, 0..300),
            rate in 1u64..70,
        ) {
            let set = ShingleSet(set.into_iter().collect());
            let want: Vec<u64> =
                set.0.iter().map(|&h| mix64(h)).filter(|m| m % rate == 0).collect();
            proptest::prop_assert_eq!(&*anchors_of(&set, rate), &want[..]);
        }

        /// Merging each source's pairs in gives every pair once, sorted,
        /// with the sources that proposed it (naive oracle: a map).
        #[test]
        fn sources_merged_in_turn_are_tagged_once(
            lists in proptest::collection::vec(
                proptest::collection::btree_set((0u32..12, 0u32..12), 0..40),
                0..4,
            ),
        ) {
            let mut want = std::collections::BTreeMap::new();
            let mut got = Vec::new();
            for (i, list) in lists.iter().enumerate() {
                let from = 1u8 << i;
                for &p in list {
                    *want.entry(p).or_insert(0u8) |= from;
                }
                let pairs = list.iter().map(|&(a, b)| (DocId(a), DocId(b)));
                got = add_source(got, pairs, from);
            }
            let want: Vec<Candidate> = want
                .into_iter()
                .map(|((a, b), sources)| Candidate { a: DocId(a), b: DocId(b), sources })
                .collect();
            proptest::prop_assert_eq!(got, want);
        }

        /// Counting the passes' pairs slice by slice gives the pairs held
        /// at least the minimum times in all, sorted (oracle: a map of
        /// sums).
        #[test]
        fn pass_pairs_counted_in_slices(
            passes in proptest::collection::vec(
                proptest::collection::btree_map((0u32..20, 0u32..20), 1usize..4, 0..60),
                0..6,
            ),
            min_shared in 1usize..6,
            slice_keys in 1usize..80,
        ) {
            let mut sums = std::collections::BTreeMap::new();
            for (&pair, &n) in passes.iter().flatten() {
                *sums.entry(pair).or_insert(0usize) += n;
            }
            let passes: Vec<Vec<u64>> = passes
                .into_iter()
                .map(|p| {
                    p.into_iter()
                        .flat_map(|((a, b), n)| std::iter::repeat_n(pair_key((DocId(a), DocId(b))), n))
                        .collect()
                })
                .collect();
            let want: Vec<(DocId, DocId)> = sums
                .into_iter()
                .filter(|&(_, n)| n >= min_shared)
                .map(|((a, b), _)| (DocId(a), DocId(b)))
                .collect();
            proptest::prop_assert_eq!(pairs_sharing(&passes, min_shared, slice_keys), want);
        }

        #[test]
        fn anchor_passes_change_nothing(
            sets in proptest::collection::vec(proptest::collection::vec(0u64..300, 0..60), 2..30),
            min_shared in 1usize..4,
            max_bucket in 2usize..12,
        ) {
            let sets: Vec<ShingleSet> = sets
                .into_iter()
                .map(|mut v| {
                    v.sort_unstable();
                    v.dedup();
                    ShingleSet(v)
                })
                .collect();
            let anchors: Vec<_> = sets.iter().map(|s| anchors_of(s, 2)).collect();
            let held = Anchors::Held(&anchors);
            let one = anchor_pairs_in_passes(held, min_shared, max_bucket, usize::MAX).unwrap();
            // A naive oracle: each pair's shared anchors counted one by one,
            // those held by more than `max_bucket` documents left out.
            let holders = |m: &u64| anchors.iter().filter(|a| a.contains(m)).count();
            let mut want = Vec::new();
            let mut ignored = std::collections::BTreeSet::<u64>::new();
            for (i, a) in anchors.iter().enumerate() {
                ignored.extend(a.iter().filter(|m| holders(m) > max_bucket));
                for (j, b) in anchors.iter().enumerate().skip(i + 1) {
                    let shared = a
                        .iter()
                        .filter(|m| b.contains(m) && holders(m) <= max_bucket)
                        .count();
                    if shared >= min_shared {
                        want.push((DocId(i as u32), DocId(j as u32)));
                    }
                }
            }
            proptest::prop_assert_eq!(&one, &(want, ignored.len()));
            for pass_bytes in [64, 256, 1024] {
                let many = anchor_pairs_in_passes(held, min_shared, max_bucket, pass_bytes).unwrap();
                proptest::prop_assert_eq!(&many, &one);
            }
            // Spilled by pass, every third document written twice: first
            // with other anchors, then with its own, marked as retaken.
            for passes in [1, 3, 8] {
                let mut spilled = SpilledAnchors::with_passes(passes, anchors.len()).unwrap();
                let mut retaken = vec![false; anchors.len()];
                // Two writers, as two threads would have.
                let (mut w1, mut w2) = (spilled.writer(), spilled.writer());
                for (d, a) in anchors.iter().enumerate() {
                    let w = if d % 2 == 0 { &mut w1 } else { &mut w2 };
                    if d % 3 == 0 {
                        let other = &anchors[(d + 1) % anchors.len()];
                        w.put(d as u32, false, other).unwrap();
                        retaken[d] = true;
                    } else {
                        w.put(d as u32, false, a).unwrap();
                    }
                }
                // The retaken documents write again later.
                let mut w3 = spilled.writer();
                for (d, a) in anchors.iter().enumerate().filter(|(d, _)| d % 3 == 0) {
                    w3.put(d as u32, true, a).unwrap();
                }
                drop((w1, w2, w3));
                spilled.finish(retaken).unwrap();
                let from_spill = anchor_pairs(Anchors::Spilled(&spilled), min_shared, max_bucket).unwrap();
                proptest::prop_assert_eq!(&from_spill, &one);
                // Read in chunks of a few entries, where skipped entries
                // leave gaps in many chunks, a pass holds the same entries.
                for p in 0..passes as u64 {
                    let mut whole = spilled.pass(p).unwrap();
                    whole.sort_unstable();
                    for chunk_entries in [1, 2, 7] {
                        let mut got = spilled.pass_in_chunks(p, chunk_entries).unwrap();
                        got.sort_unstable();
                        proptest::prop_assert_eq!(&got, &whole);
                    }
                }
            }
        }
    }

    #[test]
    fn a_document_holding_two_anchors_alike_in_their_top_bits_pairs_once() {
        // Anchors 1 and 2 (both 0 mod 1) agree on all but their low bits.
        let anchors: Vec<Box<[u64]>> =
            vec![vec![1, 2].into(), vec![1].into(), vec![9 << 40].into()];
        let (pairs, ignored) = anchor_pairs(Anchors::Held(&anchors), 1, 10).unwrap();
        assert_eq!(pairs, vec![(DocId(0), DocId(1))]);
        assert_eq!(ignored, 0);
    }

    #[test]
    fn anchors_need_the_minimum_shared_count() {
        // Find values that are anchors at rate 2.
        let anchors: Vec<u64> = (0u64..200)
            .filter(|&h| mix64(h).is_multiple_of(2))
            .take(3)
            .collect();
        let s = |v: &[u64]| {
            let mut v = v.to_vec();
            v.sort_unstable();
            ShingleSet(v)
        };
        let docs = [
            s(&[anchors[0], anchors[1]]),
            s(&[anchors[0], anchors[1], anchors[2]]),
            s(&[anchors[2]]),
        ];
        let docs: Vec<_> = docs.iter().map(|d| anchors_of(d, 2)).collect();
        let (pairs, ignored) = anchor_pairs(Anchors::Held(&docs), 2, 10).unwrap();
        assert_eq!(pairs, vec![(DocId(0), DocId(1))]);
        assert_eq!(ignored, 0);
    }
}

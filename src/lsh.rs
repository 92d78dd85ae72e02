//! Locality-sensitive hashing: signatures → candidate pairs.
//!
//! A signature of `K` slots is cut into `b` bands of `r` rows (`b·r ≤ K`).
//! Two documents become candidates when all rows of at least one band agree,
//! which happens with probability `P(s) = 1 − (1 − s^r)^b` for similarity `s`
//! (the S-curve, Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*,
//! ch. 3.4). [`Banding::optimal`] picks `b` and `r` for a threshold `t` by
//! minimising `w_fp·∫₀ᵗ P(s) ds + w_fn·∫ₜ¹ (1 − P(s)) ds`.
//!
//! Band keys are stable hashes of the band's slot values and the band index;
//! grouping sorts `(key, doc)` pairs instead of building hash maps of vectors.
//! A bucket holding more than `max_bucket` documents is boilerplate or a
//! degenerate sketch: it proposes no pairs, which keeps the stage linear.

use crate::hash::stable64_words;
use crate::model::{DocId, Signatures};
use crate::pairs::PackedPairs;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::{Mutex, PoisonError};

/// Bands × rows of an LSH index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Banding {
    /// Number of bands.
    pub bands: usize,
    /// Rows (slots) per band.
    pub rows: usize,
}

fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    // Composite Simpson's rule; the integrands are smooth polynomials.
    let n = 200;
    let h = (hi - lo) / n as f64;
    let mut sum = f(lo) + f(hi);
    for i in 1..n {
        let x = lo + i as f64 * h;
        sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(x);
    }
    sum * h / 3.0
}

impl Banding {
    /// Probability that a pair of similarity `s` becomes a candidate.
    pub fn probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The banding for `threshold` with `num_hashes` slots that minimises the
    /// weighted false-positive and false-negative areas of the S-curve.
    ///
    /// ```
    /// use newsdup::lsh::Banding;
    /// let b = Banding::optimal(0.5, 128, 0.5, 0.5);
    /// assert!(b.bands * b.rows <= 128);
    /// assert!(b.probability(0.8) > 0.99 && b.probability(0.2) < 0.1);
    /// ```
    ///
    /// The search takes a few milliseconds, so its answers are remembered for
    /// the life of the process (a run asks for each banding several times).
    pub fn optimal(threshold: f64, num_hashes: usize, w_fp: f64, w_fn: f64) -> Banding {
        type Key = (u64, usize, u64, u64);
        static ANSWERS: Mutex<Vec<(Key, Banding)>> = Mutex::new(Vec::new());
        let key = (
            threshold.to_bits(),
            num_hashes,
            w_fp.to_bits(),
            w_fn.to_bits(),
        );
        let mut answers = ANSWERS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&(_, b)) = answers.iter().find(|(k, _)| *k == key) {
            return b;
        }
        let b = Banding::search(threshold, num_hashes, w_fp, w_fn);
        answers.push((key, b));
        b
    }

    /// [`Banding::optimal`], searched for: every `bands × rows ≤ num_hashes`.
    fn search(threshold: f64, num_hashes: usize, w_fp: f64, w_fn: f64) -> Banding {
        let mut best = (f64::INFINITY, Banding { bands: 1, rows: 1 });
        for bands in 1..=num_hashes {
            for rows in 1..=num_hashes / bands {
                let cand = Banding { bands, rows };
                let fp = integrate(|s| cand.probability(s), 0.0, threshold);
                let fneg = integrate(|s| 1.0 - cand.probability(s), threshold, 1.0);
                let err = w_fp * fp + w_fn * fneg;
                if err < best.0 - 1e-12 {
                    best = (err, cand);
                }
            }
        }
        best.1
    }
}

/// Candidate pairs `(a, b)`, `a < b`, sorted and deduplicated, from banding
/// the signatures. Empty signatures take no part. Also returns how many
/// buckets were skipped for exceeding `max_bucket`.
pub fn candidate_pairs(
    signatures: &Signatures,
    banding: Banding,
    max_bucket: usize,
    seed: u64,
) -> (Vec<(DocId, DocId)>, usize) {
    let banded = candidate_pairs_where(signatures, banding, max_bucket, seed, &|_, _| Kept::Sure);
    (banded.sure.iter().collect(), banded.skipped)
}

/// What the filter of [`candidate_pairs_where`] makes of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Left out.
    Dropped,
    /// Kept, in [`Banded::sure`].
    Sure,
    /// Kept apart, in [`Banded::faint`]: a pair the caller treats as weaker
    /// evidence.
    Faint,
}

/// The pairs of [`candidate_pairs_where`], by the filter's verdict: two
/// lists with no pair in both.
#[derive(Debug, Default)]
pub struct Banded {
    /// The pairs kept as [`Kept::Sure`].
    pub sure: PackedPairs,
    /// The pairs kept as [`Kept::Faint`].
    pub faint: PackedPairs,
    /// Buckets skipped for exceeding `max_bucket`.
    pub skipped: usize,
}

/// Band keys made at a time by [`candidate_pairs_where`] (8 bytes each, a
/// [`DocKeys`] entry).
const BAND_KEYS_PER_PASS: usize = 1 << 23;

/// [`candidate_pairs`] that the filter `keep(a, b)` keeps, packed, on the
/// list of its verdict (the filter must give a pair the same verdict
/// every time). The bands are keyed a few at a time, so that a million
/// documents' 128 single-row story bands are not 2 GB of keys at once, and
/// pairs are filtered as each bucket makes them.
pub fn candidate_pairs_where(
    signatures: &Signatures,
    banding: Banding,
    max_bucket: usize,
    seed: u64,
    keep: &(dyn Fn(DocId, DocId) -> Kept + Sync),
) -> Banded {
    banded_pairs(
        signatures,
        banding,
        max_bucket,
        seed,
        keep,
        BAND_KEYS_PER_PASS,
    )
}

/// [`candidate_pairs_where`] with at most about `keys_per_pass` band keys
/// at a time (at least one band).
fn banded_pairs(
    signatures: &Signatures,
    banding: Banding,
    max_bucket: usize,
    seed: u64,
    keep: &(dyn Fn(DocId, DocId) -> Kept + Sync),
    keys_per_pass: usize,
) -> Banded {
    let Banding { bands, rows } = banding;
    let per_pass = (keys_per_pass / signatures.len().max(1)).clamp(1, bands.max(1));
    let keys = DocKeys::for_docs(signatures.len());
    let mut out = Banded {
        sure: PackedPairs::new(signatures.len()),
        faint: PackedPairs::new(signatures.len()),
        skipped: 0,
    };
    for first in (0..bands).step_by(per_pass) {
        let these = first..(first + per_pass).min(bands);
        let mut keyed: Vec<u64> = (0..signatures.len())
            .into_par_iter()
            .map(|doc| (doc, signatures.get(doc)))
            .filter(|(_, mins)| mins.len() >= bands * rows)
            .flat_map_iter(|(doc, mins)| {
                these
                    .clone()
                    .map(move |band| keys.key(band_key(mins, band, rows, seed), doc as u32, false))
            })
            .collect();
        keyed.par_sort_unstable();
        let found = group_pairs(&keyed, keys, max_bucket, keep);
        drop(keyed);
        out.skipped += found.skipped;
        out.sure.add(&found.sure);
        out.faint.add(&found.faint);
    }
    out
}

/// A `(key, document)` entry of a grouping pass as one integer: the key's
/// top `64 - shift` bits, a mark bit (the anchors a document wrote again,
/// [`crate::candidates::AnchorWriter::put`] with `retaken`), and the
/// document in the `shift - 1` bits below. A pass sorts integers, not
/// pairs of them (about a quarter faster), and a spilled entry takes 8
/// bytes, not 12.
///
/// Entries are grouped by those top bits, at least 32 of them (44 for a
/// million documents): two keys (band keys or anchors, both hashes) that
/// agree on all of them are taken as one. In a pass of 8 M entries of a
/// million documents about one pair of distinct keys agrees so; its
/// documents then count one shared band or anchor more, and a pair they
/// make is verified like any other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DocKeys {
    shift: u32,
}

impl DocKeys {
    /// Keys for documents `0..docs` (at most 2^31).
    pub(crate) fn for_docs(docs: usize) -> DocKeys {
        let doc_bits = usize::BITS - (docs.max(2) - 1).leading_zeros();
        DocKeys {
            shift: doc_bits + 1,
        }
    }

    #[inline]
    pub(crate) fn key(self, hash: u64, doc: u32, marked: bool) -> u64 {
        (hash >> self.shift) << self.shift | u64::from(marked) << (self.shift - 1) | u64::from(doc)
    }

    /// The bits of `key` that entries are grouped by.
    #[inline]
    pub(crate) fn group(self, key: u64) -> u64 {
        key >> self.shift
    }

    #[inline]
    pub(crate) fn doc(self, key: u64) -> u32 {
        (key & ((1 << (self.shift - 1)) - 1)) as u32
    }

    #[inline]
    pub(crate) fn marked(self, key: u64) -> bool {
        key >> (self.shift - 1) & 1 != 0
    }

    /// `key` without its mark.
    #[inline]
    pub(crate) fn unmarked(self, key: u64) -> u64 {
        key & !(1 << (self.shift - 1))
    }
}

/// The key of band `band` (rows `band * rows ..`) of a signature's slots.
fn band_key(mins: &[u32], band: usize, rows: usize, seed: u64) -> u64 {
    let slots = &mins[band * rows..(band + 1) * rows];
    if rows <= 16 {
        let mut words = [0u64; 17];
        words[0] = band as u64;
        for (w, &v) in words[1..].iter_mut().zip(slots) {
            *w = v as u64;
        }
        stable64_words(&words[..1 + rows], seed)
    } else {
        let all: Vec<u64> = std::iter::once(band as u64)
            .chain(slots.iter().map(|&v| v as u64))
            .collect();
        stable64_words(&all, seed)
    }
}

/// The union of two lists sorted by `key`, neither with a key twice,
/// handed in order to `emit` (which may fail); an item of each with one key
/// becomes `both(of_a, of_b)`. The lists are consumed as they are merged.
pub(crate) fn merge_sorted_into<T, K: Ord, E>(
    a: impl IntoIterator<Item = T>,
    b: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
    both: impl Fn(T, T) -> T,
    mut emit: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let next = match key(x).cmp(&key(y)) {
            std::cmp::Ordering::Less => a.next(),
            std::cmp::Ordering::Greater => b.next(),
            std::cmp::Ordering::Equal => a.next().zip(b.next()).map(|(x, y)| both(x, y)),
        };
        next.map_or(Ok(()), &mut emit)?;
    }
    a.chain(b).try_for_each(emit)
}

/// Every pair `(docs[i], docs[j])`, `i < j`, of a group sorted by id.
pub fn all_pairs(docs: &[u32]) -> Vec<(DocId, DocId)> {
    let mut out = Vec::with_capacity(docs.len() * docs.len().saturating_sub(1) / 2);
    for (i, &a) in docs.iter().enumerate() {
        out.extend(docs[i + 1..].iter().map(|&b| (DocId(a), DocId(b))));
    }
    out
}

/// A pair as one integer, `a << 32 | b`: integers order as the pairs do,
/// and a list of them sorts in three quarters the time of the pairs.
#[inline]
pub(crate) fn pair_key((a, b): (DocId, DocId)) -> u64 {
    u64::from(a.0) << 32 | u64::from(b.0)
}

/// The pair [`pair_key`] made `key` of.
#[inline]
pub(crate) fn key_pair(key: u64) -> (DocId, DocId) {
    (DocId((key >> 32) as u32), DocId(key as u32))
}

/// Pairs of documents whose entries in `keyed` (sorted [`DocKeys`] entries,
/// none marked) share a key, skipping groups larger than `max_bucket`, by
/// the verdict of `keep`, as sorted, deduplicated [`pair_key`]s; and the
/// number of skipped groups. The pairs are filtered as each group makes
/// them, so that a pass's chance pairs (story bands have many) are never
/// all held.
pub(crate) fn group_pairs(
    keyed: &[u64],
    keys: DocKeys,
    max_bucket: usize,
    keep: &(dyn Fn(DocId, DocId) -> Kept + Sync),
) -> GroupedPairs {
    let groups = || keyed.par_chunk_by(|&x, &y| keys.group(x) == keys.group(y));
    let skipped = groups().filter(|g| g.len() > max_bucket).count();
    let (mut sure, mut faint): (Vec<u64>, Vec<u64>) = groups()
        .filter(|g| g.len() > 1 && g.len() <= max_bucket)
        .flat_map_iter(|g| {
            let mut docs: Vec<u32> = g.iter().map(|&k| keys.doc(k)).collect();
            docs.dedup();
            all_pairs(&docs)
                .into_iter()
                .map(|(a, b)| (keep(a, b), pair_key((a, b))))
        })
        .filter(|&(kept, _)| kept != Kept::Dropped)
        .partition_map(|(kept, key)| match kept {
            Kept::Faint => rayon::iter::Either::Right(key),
            _ => rayon::iter::Either::Left(key),
        });
    for list in [&mut sure, &mut faint] {
        list.par_sort_unstable();
        list.dedup();
    }
    GroupedPairs {
        sure,
        faint,
        skipped,
    }
}

/// What [`group_pairs`] finds in a pass: sorted, distinct [`pair_key`]s by
/// verdict, and the number of groups skipped.
pub(crate) struct GroupedPairs {
    pub(crate) sure: Vec<u64>,
    pub(crate) faint: Vec<u64>,
    pub(crate) skipped: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Signature;
    use proptest::prelude::*;

    proptest! {
        /// An entry's key gives back its document and mark, and orders as
        /// `(hash's top bits, document)`, whatever the batch's size.
        #[test]
        fn doc_keys_keep_the_document_and_the_hashs_top_bits(
            docs in 1usize..=1 << 31,
            entries in prop::collection::vec((any::<u64>(), 0u32..u32::MAX, any::<bool>()), 2),
        ) {
            let keys = DocKeys::for_docs(docs);
            prop_assert!(keys.shift <= 32 && 1u64 << (keys.shift - 1) >= docs as u64);
            let e: Vec<(u64, u32, bool)> =
                entries.iter().map(|&(m, d, r)| (m, d % docs as u32, r)).collect();
            let k: Vec<u64> = e.iter().map(|&(m, d, r)| keys.key(m, d, r)).collect();
            for (&(m, d, r), &key) in e.iter().zip(&k) {
                prop_assert_eq!(keys.doc(key), d);
                prop_assert_eq!(keys.marked(key), r);
                prop_assert_eq!(keys.group(key), m >> keys.shift);
                prop_assert_eq!(keys.unmarked(key), keys.key(m, d, false));
            }
            let (a, b) = (keys.unmarked(k[0]), keys.unmarked(k[1]));
            let top = |(m, d, _): (u64, u32, bool)| (m >> keys.shift, d);
            prop_assert_eq!(a.cmp(&b), top(e[0]).cmp(&top(e[1])));
        }
    }

    proptest! {
        #[test]
        /// Keyed a few bands at a time, the pairs are those of all bands at
        /// once; each pair the filter keeps is on its verdict's list.
        fn bands_keyed_a_few_at_a_time_give_the_same_pairs(
            rows in prop::collection::vec(prop::collection::vec(0u32..4, 8), 2..40),
            keys_per_pass in 1usize..200,
            max_bucket in 2usize..50,
        ) {
            let sigs = sigs(&rows);
            let banding = Banding { bands: 8, rows: 1 };
            let verdict = |a: DocId, b: DocId| match (a.0 + b.0) % 3 {
                0 => Kept::Dropped,
                1 => Kept::Sure,
                _ => Kept::Faint,
            };
            let all = banded_pairs(&sigs, banding, max_bucket, 3, &|_, _| Kept::Sure, usize::MAX);
            prop_assert!(all.faint.is_empty());
            let with = |kept| -> Vec<_> {
                all.sure.iter().filter(|&(a, b)| verdict(a, b) == kept).collect()
            };
            let got = banded_pairs(&sigs, banding, max_bucket, 3, &verdict, keys_per_pass);
            prop_assert_eq!(got.sure.iter().collect::<Vec<_>>(), with(Kept::Sure));
            prop_assert_eq!(got.faint.iter().collect::<Vec<_>>(), with(Kept::Faint));
            prop_assert_eq!(got.skipped, all.skipped);
        }
    }

    #[test]
    fn optimal_banding_matches_the_classic_choice() {
        // datasketch's optimiser picks 25x5 for t=0.5, 128 hashes, equal weights.
        assert_eq!(
            Banding::optimal(0.5, 128, 0.5, 0.5),
            Banding { bands: 25, rows: 5 }
        );
        // Asked again, the remembered answer is the searched one.
        assert_eq!(
            Banding::optimal(0.5, 128, 0.5, 0.5),
            Banding::search(0.5, 128, 0.5, 0.5)
        );
        assert_eq!(
            Banding::optimal(0.5, 64, 0.5, 0.5),
            Banding::search(0.5, 64, 0.5, 0.5)
        );
        // A lower threshold needs shorter bands.
        let low = Banding::optimal(0.1, 128, 0.2, 0.8);
        assert!(low.rows <= 2, "{low:?}");
        assert!(low.probability(0.15) > 0.9);
    }

    /// Rows of equal length as sketches; an empty row has none.
    fn sigs(rows: &[Vec<u32>]) -> Signatures {
        let k = rows.iter().map(Vec::len).max().unwrap_or(0);
        Signatures::collect(
            k,
            rows.iter().map(|r| Signature {
                mins: r.clone().into_boxed_slice(),
            }),
        )
    }

    #[test]
    fn equal_bands_make_candidates() {
        let sigs = sigs(&[vec![1, 2, 3, 4], vec![1, 2, 9, 9], vec![7, 7, 3, 4], vec![]]);
        let (pairs, skipped) = candidate_pairs(&sigs, Banding { bands: 2, rows: 2 }, 10, 0);
        assert_eq!(pairs, vec![(DocId(0), DocId(1)), (DocId(0), DocId(2))]);
        assert_eq!(skipped, 0);
        let (pairs, skipped) = candidate_pairs(&sigs, Banding { bands: 2, rows: 2 }, 1, 0);
        assert!(pairs.is_empty());
        assert_eq!(skipped, 2);
    }

    proptest! {
        /// Banding finds exactly the pairs that share a whole band (naive oracle).
        #[test]
        fn banding_matches_naive(rows in proptest::collection::vec(proptest::collection::vec(0u32..3, 6), 0..12)) {
            let sigs = sigs(&rows);
            let b = Banding { bands: 3, rows: 2 };
            let (pairs, _) = candidate_pairs(&sigs, b, 1000, 5);
            let mut naive = Vec::new();
            for i in 0..sigs.len() {
                for j in i + 1..sigs.len() {
                    if (0..3).any(|band| rows[i][band * 2..band * 2 + 2] == rows[j][band * 2..band * 2 + 2]) {
                        naive.push((DocId(i as u32), DocId(j as u32)));
                    }
                }
            }
            prop_assert_eq!(pairs, naive);
        }
    }
}

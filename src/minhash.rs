//! MinHash sketches of both fingerprints.
//!
//! **Copy fingerprint** (word shingles): one-permutation hashing with optimal
//! densification (Li, Owen & Zhang 2012; Shrivastava 2017). With `K` slots and
//! seed `s`, each shingle hash `h` is mixed, `x = mix64(h ^ s)`; its slot is
//! `j = ((x >> 32) * K) >> 32` and its value `x mod 2^32`; a slot keeps the
//! minimum value. An empty slot `i` copies the value of the first non-empty
//! slot among `((mix64(s ^ (i << 32 | t)) >> 32) * K) >> 32` for `t = 0, 1, …`.
//! The share of equal slots estimates word-shingle Jaccard without bias (see
//! the statistical test below); it costs one hash per shingle instead of `K`.
//!
//! **Story fingerprint** (weighted content terms): an exponential race
//! (P-MinHash, Moulton & Jiang 2018). For slot `i` and term `t` with weight
//! `w > 0`, `u = (mix64(t ^ mix64(s + i)) >> 11 + 1) / 2^53` and the key is
//! `-ln(u) / w`; the slot holds `mix64(t) mod 2^32` of the term with the
//! smallest key (of equal keys, the smallest term). Two vectors agree on a
//! slot with probability equal to their probability-Jaccard, a weighted
//! Jaccard that favours heavy (rare) terms.
//!
//! Slots are 32-bit: half the memory of 64-bit slots, and the 2^-32 chance of
//! an accidental equal value is far below the estimator's own variance.

use crate::hash::mix64;
use crate::model::{ShingleSet, Signature, TermVector};

/// Value of a slot that nothing filled.
const EMPTY: u32 = u32::MAX;

#[inline]
fn fast_range(x: u64, k: usize) -> usize {
    (((x >> 32) * k as u64) >> 32) as usize
}

/// Copy fingerprint of a shingle set (one-permutation hashing, densified).
/// An empty set gives an empty signature.
pub fn copy_signature(shingles: &ShingleSet, k: usize, seed: u64) -> Signature {
    sketch(k, |mins| copy_signature_into(shingles, seed, mins))
}

/// The signature of `k` slots that `fill` writes, empty if it fills none.
fn sketch(k: usize, fill: impl FnOnce(&mut [u32]) -> bool) -> Signature {
    let mut mins = vec![0; k];
    match fill(&mut mins) {
        true => Signature {
            mins: mins.into_boxed_slice(),
        },
        false => Signature { mins: Box::new([]) },
    }
}

/// [`copy_signature`] written into `mins` (its length is the number of
/// slots). Returns false, and leaves `mins` as it was, for an empty set.
pub fn copy_signature_into(shingles: &ShingleSet, seed: u64, mins: &mut [u32]) -> bool {
    let k = mins.len();
    if shingles.0.is_empty() || k == 0 {
        return false;
    }
    mins.fill(EMPTY);
    // Without a branch on each value: whether it is a slot's new minimum
    // is a coin toss early on.
    for &h in &shingles.0 {
        let x = mix64(h ^ seed);
        let slot = fast_range(x, k);
        mins[slot] = mins[slot].min(x as u32);
    }
    // Slots no shingle fell into take a filled slot's value.
    if mins.contains(&EMPTY) {
        let original = mins.to_vec();
        for i in 0..k {
            if original[i] != EMPTY {
                continue;
            }
            let mut attempt = 0u64;
            loop {
                let j = fast_range(mix64(seed ^ ((i as u64) << 32 | attempt)), k);
                if original[j] != EMPTY {
                    mins[i] = original[j];
                    break;
                }
                attempt += 1;
            }
        }
    }
    true
}

/// Story fingerprint of a weighted term vector (P-MinHash).
/// Terms with non-positive weight are ignored; no terms gives an empty signature.
pub fn story_signature(terms: &TermVector, k: usize, seed: u64) -> Signature {
    sketch(k, |mins| story_signature_into(terms, seed, mins))
}

/// [`story_signature`] written into `mins` (its length is the number of
/// slots). Returns false, and leaves `mins` as it was, when there are no
/// terms of positive weight.
pub fn story_signature_into(terms: &TermVector, seed: u64, mins: &mut [u32]) -> bool {
    let mut terms: Vec<(u64, f64)> = terms
        .0
        .iter()
        .filter(|(_, w)| *w > 0.0)
        .map(|&(t, w)| (t, 1.0 / w as f64))
        .collect();
    // Heaviest first: their keys are the smallest on the whole, so each
    // slot's best falls fast and most later terms skip their logarithm.
    terms.sort_unstable_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
    if terms.is_empty() || mins.is_empty() {
        return false;
    }
    for (slot, out) in mins.iter_mut().enumerate() {
        let slot_seed = mix64(seed.wrapping_add(slot as u64));
        let mut best = f64::INFINITY;
        let mut best_term = 0u64;
        for &(t, inv_w) in &terms {
            let u = ((mix64(t ^ slot_seed) >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
            // -ln(u) >= 1 - u, so a term whose bound already loses cannot
            // win: skipping its logarithm leaves the result unchanged.
            if (1.0 - u) * inv_w > best {
                continue;
            }
            // Of equal keys the smallest term wins, whatever the order the
            // terms are raced in.
            let key = -u.ln() * inv_w;
            if key < best || key == best && t < best_term {
                best = key;
                best_term = t;
            }
        }
        *out = mix64(best_term) as u32;
    }
    true
}

/// Share of equal slots: the MinHash similarity estimate (0 if either is empty).
pub fn estimate(a: &Signature, b: &Signature) -> f64 {
    if a.mins.is_empty() || a.mins.len() != b.mins.len() {
        return 0.0;
    }
    let equal = a
        .mins
        .iter()
        .zip(b.mins.iter())
        .filter(|(x, y)| x == y)
        .count();
    equal as f64 / a.mins.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::intersection_size;
    use proptest::prelude::Just;

    fn set(range: std::ops::Range<u64>) -> ShingleSet {
        let mut v: Vec<u64> = range.map(|i| mix64(i + 1)).collect();
        v.sort_unstable();
        ShingleSet(v)
    }

    #[test]
    fn identical_sets_have_identical_signatures() {
        let a = set(0..300);
        assert_eq!(copy_signature(&a, 128, 3), copy_signature(&a, 128, 3));
        assert_eq!(
            estimate(&copy_signature(&a, 128, 3), &copy_signature(&a, 128, 3)),
            1.0
        );
        assert!(copy_signature(&ShingleSet::default(), 128, 3)
            .mins
            .is_empty());
    }

    #[test]
    fn small_sets_are_densified() {
        let sig = copy_signature(&set(0..3), 128, 3);
        assert!(sig.mins.iter().all(|&v| v != EMPTY));
    }

    /// The densified one-permutation estimator is unbiased: averaged over
    /// many seeds it must sit close to exact Jaccard, for small and large sets.
    #[test]
    fn oph_estimate_is_unbiased_against_exact_jaccard() {
        for (n, overlap) in [(20u64, 10u64), (200, 100), (1000, 800), (60, 5)] {
            let a = set(0..n);
            let b = set(n - overlap..2 * n - overlap);
            let inter = intersection_size(&a.0, &b.0) as f64;
            let exact = inter / ((a.0.len() + b.0.len()) as f64 - inter);
            let seeds = 300;
            let mean: f64 = (0..seeds)
                .map(|s| estimate(&copy_signature(&a, 128, s), &copy_signature(&b, 128, s)))
                .sum::<f64>()
                / seeds as f64;
            assert!(
                (mean - exact).abs() < 0.02,
                "n={n}: mean {mean} vs exact {exact}"
            );
        }
    }

    proptest::proptest! {
        /// The race, with its skipped logarithms and its order by weight,
        /// picks each slot's term as the plain race does: every term's key
        /// worked out, in term order, the first of equal keys kept.
        #[test]
        fn the_race_is_the_plain_race(
            weights in proptest::collection::btree_map(
                proptest::arbitrary::any::<u64>(),
                proptest::prop_oneof![0.0f32..1.0, Just(0.5f32), Just(0.0f32)],
                0..80,
            ),
            seed in proptest::arbitrary::any::<u64>(),
        ) {
            let v = TermVector(weights.into_iter().collect());
            let plain: Vec<u32> = (0..64u64)
                .map(|slot| {
                    let slot_seed = mix64(seed.wrapping_add(slot));
                    let mut best = (f64::INFINITY, 0u64);
                    for &(t, w) in v.0.iter().filter(|(_, w)| *w > 0.0) {
                        let u = ((mix64(t ^ slot_seed) >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
                        let key = -u.ln() * (1.0 / w as f64);
                        if key < best.0 {
                            best = (key, t);
                        }
                    }
                    mix64(best.1) as u32
                })
                .collect();
            let sig = story_signature(&v, 64, seed);
            if v.0.iter().any(|(_, w)| *w > 0.0) {
                proptest::prop_assert_eq!(&sig.mins[..], &plain[..]);
            } else {
                proptest::prop_assert!(sig.mins.is_empty());
            }
        }
    }

    #[test]
    fn weighted_estimate_tracks_probability_jaccard() {
        // Two vectors sharing half their mass.
        let a = TermVector(vec![(1, 1.0), (2, 1.0), (3, 2.0)]);
        let b = TermVector(vec![(1, 1.0), (2, 1.0), (4, 2.0)]);
        // Probability-Jaccard of a and b: sum over shared terms of
        // 1 / sum_z max(a_z/a_t, b_z/b_t) = 2 * 1/(1+1+2+2) = 1/3.
        let seeds = 200;
        let mean: f64 = (0..seeds)
            .map(|s| estimate(&story_signature(&a, 128, s), &story_signature(&b, 128, s)))
            .sum::<f64>()
            / seeds as f64;
        assert!((mean - 1.0 / 3.0).abs() < 0.02, "mean {mean}");
        assert_eq!(
            estimate(&story_signature(&a, 64, 1), &story_signature(&a, 64, 1)),
            1.0
        );
    }
}

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
    let terms: Vec<(u64, f64)> = terms
        .0
        .iter()
        .filter(|(_, w)| *w > 0.0)
        .map(|&(t, w)| (t, 1.0 / w as f64))
        .collect();
    // The terms race in the vector's order. Taking the heaviest first, whose
    // keys are the smallest on the whole, would spare more logarithms, but
    // sorting them by weight cost more than the logarithms it spared
    // (`stages/story_minhash` 62.7 ms sorted, 52.3 ms not).
    if terms.is_empty() || mins.is_empty() {
        return false;
    }
    let mut race = Race::new(seed, mins.len());
    race.run(&terms);
    for (out, &t) in mins.iter_mut().zip(&race.best_term) {
        *out = mix64(t) as u32;
    }
    true
}

/// The exponential race of [`story_signature_into`], every slot at once:
/// each term in turn is raced in all slots. A slot's winner is the same
/// whatever the order the terms come in, and a term's draws for the slots
/// do not depend on one another, so with AVX-512 (which multiplies 64-bit
/// lanes) they are worked out eight slots at a time. Only the few draws
/// that may win take their logarithm. The hash per term and slot is most
/// of the work.
struct Race {
    /// `mix64(seed + slot)` of each slot.
    slot_seeds: Vec<u64>,
    /// Each slot's smallest key so far, and the term it is of.
    best: Vec<f64>,
    best_term: Vec<u64>,
    /// The current term's uniform draw in each slot.
    draws: Vec<f64>,
    /// Bit `slot % 64` of word `slot / 64` is set when the current term's
    /// draw may win the slot, clear when its bound already loses.
    may_win: Vec<u64>,
}

impl Race {
    fn new(seed: u64, slots: usize) -> Race {
        Race {
            slot_seeds: (0..slots as u64)
                .map(|slot| mix64(seed.wrapping_add(slot)))
                .collect(),
            best: vec![f64::INFINITY; slots],
            best_term: vec![0; slots],
            draws: vec![0.0; slots],
            may_win: vec![0; slots.div_ceil(64)],
        }
    }

    /// Races `terms`, each `(term, 1 / weight)`.
    fn run(&mut self, terms: &[(u64, f64)]) {
        #[cfg(target_arch = "x86_64")]
        let wide = std::is_x86_feature_detected!("avx512dq");
        #[cfg(not(target_arch = "x86_64"))]
        let wide = false;
        self.run_with(terms, wide);
    }

    /// [`Race::run`], its draws eight at a time with AVX-512 when `wide`
    /// (the caller checked the CPU has it).
    fn run_with(&mut self, terms: &[(u64, f64)], wide: bool) {
        for &(t, inv_w) in terms {
            #[cfg(target_arch = "x86_64")]
            let from = match wide {
                // SAFETY: `wide` only when the CPU has AVX-512 F and DQ (DQ
                // implies F).
                true => unsafe {
                    x86::draw(
                        t,
                        inv_w,
                        &self.slot_seeds,
                        &self.best,
                        &mut self.draws,
                        &mut self.may_win,
                    )
                },
                false => 0,
            };
            #[cfg(not(target_arch = "x86_64"))]
            let from = 0;
            self.draw(t, inv_w, from);
            self.settle(t, inv_w);
        }
    }

    /// Term `t`'s draws for the slots from `from` on, and whether each may
    /// win: -ln(u) >= 1 - u, so a draw whose bound already loses cannot.
    fn draw(&mut self, t: u64, inv_w: f64, from: usize) {
        for slot in from..self.slot_seeds.len() {
            let u = uniform(t, self.slot_seeds[slot]);
            self.draws[slot] = u;
            // A NaN bound (an infinite 1 / weight and a draw of 1) proves
            // nothing.
            let bound = (1.0 - u) * inv_w;
            let may_win = bound <= self.best[slot] || bound.is_nan();
            self.may_win[slot / 64] |= u64::from(may_win) << (slot % 64);
        }
    }

    /// Term `t`'s keys in the slots its draws may win (clearing
    /// `may_win`), each kept if it is the slot's smallest; of equal keys
    /// the smallest term wins, whatever the order the terms are raced in.
    fn settle(&mut self, t: u64, inv_w: f64) {
        for (w, word) in self.may_win.iter_mut().enumerate() {
            while *word != 0 {
                let slot = w * 64 + word.trailing_zeros() as usize;
                *word &= *word - 1;
                let key = -self.draws[slot].ln() * inv_w;
                let best = self.best[slot];
                if key < best || key == best && t < self.best_term[slot] {
                    self.best[slot] = key;
                    self.best_term[slot] = t;
                }
            }
        }
    }
}

/// Term `t`'s uniform draw, in (0, 1], for the slot of `slot_seed`: 53 bits
/// of a hash. They are below 2^53 + 1, so they convert to a float exactly
/// (as a signed integer, in one instruction).
#[inline]
fn uniform(t: u64, slot_seed: u64) -> f64 {
    ((mix64(t ^ slot_seed) >> 11) + 1) as i64 as f64 * UNIT
}

/// 2^-53: a 53-bit draw times this is uniform in (0, 1].
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::UNIT;
    use crate::hash::MIX64_MULTIPLIERS;
    use std::arch::x86_64::*;

    /// [`crate::hash::mix64`] of eight lanes.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn mix64(z: __m512i) -> __m512i {
        let [m1, m2] = MIX64_MULTIPLIERS.map(|m| _mm512_set1_epi64(m as i64));
        let z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64::<30>(z)), m1);
        let z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64::<27>(z)), m2);
        _mm512_xor_si512(z, _mm512_srli_epi64::<31>(z))
    }

    /// [`super::Race::draw`] for the slots up to the last whole eight,
    /// eight at a time: the same draws and the same tests, lane by lane.
    /// Returns the slot it stopped at.
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) fn draw(
        t: u64,
        inv_w: f64,
        slot_seeds: &[u64],
        best: &[f64],
        draws: &mut [f64],
        may_win: &mut [u64],
    ) -> usize {
        let (t, one) = (_mm512_set1_epi64(t as i64), _mm512_set1_epi64(1));
        let (unit, whole, inv_w) = (
            _mm512_set1_pd(UNIT),
            _mm512_set1_pd(1.0),
            _mm512_set1_pd(inv_w),
        );
        let eights = slot_seeds.len() / 8;
        assert!(best.len() >= eights * 8 && draws.len() >= eights * 8);
        for e in 0..eights {
            let at = e * 8;
            // SAFETY: slots `at..at + 8` are in all three slices (asserted
            // above); the loads and the store are unaligned.
            let (seeds, best) = unsafe {
                (
                    _mm512_loadu_si512(slot_seeds.as_ptr().add(at).cast()),
                    _mm512_loadu_pd(best.as_ptr().add(at)),
                )
            };
            let bits = _mm512_add_epi64(
                _mm512_srli_epi64::<11>(mix64(_mm512_xor_si512(t, seeds))),
                one,
            );
            let u = _mm512_mul_pd(_mm512_cvtepi64_pd(bits), unit);
            unsafe { _mm512_storeu_pd(draws.as_mut_ptr().add(at), u) };
            let bound = _mm512_mul_pd(_mm512_sub_pd(whole, u), inv_w);
            let wins = _mm512_cmp_pd_mask::<_CMP_NGT_UQ>(bound, best);
            may_win[at / 64] |= u64::from(wins) << (at % 64);
        }
        eights * 8
    }
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

    /// The plain race: every term's key worked out for each slot, in term
    /// order, the first of equal keys kept.
    fn plain_race(v: &TermVector, slots: usize, seed: u64) -> Vec<u32> {
        (0..slots as u64)
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
            .collect()
    }

    proptest::proptest! {
        /// The race, with its skipped logarithms and its slots raced
        /// together, picks each slot's term as the plain race does: in
        /// term order and in reverse, one slot at a time and eight at a
        /// time, for any number of slots (whole eights and a rest).
        #[test]
        fn the_race_is_the_plain_race(
            weights in proptest::collection::btree_map(
                proptest::arbitrary::any::<u64>(),
                proptest::prop_oneof![0.0f32..1.0, Just(0.5f32), Just(0.0f32)],
                0..80,
            ),
            seed in proptest::arbitrary::any::<u64>(),
            slots in 1usize..140,
        ) {
            let v = TermVector(weights.into_iter().collect());
            let plain = plain_race(&v, slots, seed);
            let sig = story_signature(&v, slots, seed);
            if v.0.iter().any(|(_, w)| *w > 0.0) {
                proptest::prop_assert_eq!(&sig.mins[..], &plain[..]);
            } else {
                proptest::prop_assert!(sig.mins.is_empty());
            }
            #[cfg(target_arch = "x86_64")]
            let wide = [false, std::is_x86_feature_detected!("avx512dq")];
            #[cfg(not(target_arch = "x86_64"))]
            let wide = [false];
            let mut terms: Vec<(u64, f64)> = v.0.iter()
                .filter(|(_, w)| *w > 0.0)
                .map(|&(t, w)| (t, 1.0 / w as f64))
                .collect();
            terms.reverse();
            if !terms.is_empty() {
                for wide in wide {
                    let mut race = Race::new(seed, slots);
                    race.run_with(&terms, wide);
                    let mins: Vec<u32> = race.best_term.iter().map(|&t| mix64(t) as u32).collect();
                    proptest::prop_assert_eq!(&mins[..], &plain[..], "wide: {}", wide);
                }
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

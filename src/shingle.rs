//! Word k-shingles: the features of the copy fingerprint.
//!
//! Input: a [`NormDoc`]. Output: a [`ShingleSet`], the sorted, deduplicated
//! stable hashes of every run of `k` consecutive kept tokens (tokens on
//! boilerplate lines are skipped). A document with fewer than `k` tokens has one
//! shingle made of all its tokens, so short texts still compare.
//!
//! Hash formula (frozen): `t_i = stable64(norm_i, seed)` for each token, then
//! `shingle = stable64(le_bytes(t_i .. t_{i+k-1}), seed ^ k)`.

use crate::hash::{stable64, stable64_words};
use crate::model::{NormDoc, ShingleSet};

/// Stable hash of one normalised token.
#[inline]
pub fn token_hash(norm: &str, seed: u64) -> u64 {
    stable64(norm.as_bytes(), seed)
}

/// Builds the token hash sequence of the kept (non-boilerplate) tokens.
pub fn kept_token_hashes(doc: &NormDoc, seed: u64) -> Vec<u64> {
    doc.tokens
        .iter()
        .zip(&doc.suppressed)
        .filter(|(_, &s)| !s)
        .map(|(t, _)| token_hash(&t.norm, seed))
        .collect()
}

/// Hashes of every k-shingle of a token-hash sequence, in text order (with repeats).
pub fn shingle_hashes(token_hashes: &[u64], k: usize, seed: u64) -> Vec<u64> {
    let shingle_seed = seed ^ k as u64;
    if token_hashes.is_empty() {
        return Vec::new();
    }
    if token_hashes.len() < k {
        return vec![stable64_words(token_hashes, shingle_seed)];
    }
    token_hashes
        .windows(k)
        .map(|w| stable64_words(w, shingle_seed))
        .collect()
}

/// The shingle set of one document.
pub fn shingle_set(doc: &NormDoc, k: usize, seed: u64) -> ShingleSet {
    let mut hashes = shingle_hashes(&kept_token_hashes(doc, seed), k, seed);
    hashes.sort_unstable();
    hashes.dedup();
    ShingleSet(hashes)
}

/// Size of the intersection of two sorted, deduplicated slices.
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(text: &str) -> NormDoc {
        NormDoc::for_test(0, text)
    }

    #[test]
    fn counts_shingles_and_ignores_case_and_quotes() {
        let a = shingle_set(&doc("The quick brown fox jumps over the lazy dog"), 5, 1);
        assert_eq!(a.0.len(), 5);
        let b = shingle_set(&doc("THE QUICK brown fox jumps over the lazy dog"), 5, 1);
        assert_eq!(a, b);
        let short = shingle_set(&doc("Only three words"), 5, 1);
        assert_eq!(short.0.len(), 1);
        assert!(shingle_set(&doc(""), 5, 1).0.is_empty());
    }

    #[test]
    fn suppressed_tokens_are_skipped() {
        let mut d = doc("menu home subscribe the quick brown fox jumps over");
        for s in d.suppressed.iter_mut().take(3) {
            *s = true;
        }
        assert_eq!(
            shingle_set(&d, 5, 1),
            shingle_set(&doc("the quick brown fox jumps over"), 5, 1)
        );
    }

    proptest! {
        #[test]
        fn intersection_matches_naive(mut a in proptest::collection::vec(0u64..50, 0..40),
                                      mut b in proptest::collection::vec(0u64..50, 0..40)) {
            a.sort_unstable(); a.dedup(); b.sort_unstable(); b.dedup();
            let naive = a.iter().filter(|x| b.contains(x)).count();
            prop_assert_eq!(intersection_size(&a, &b), naive);
        }
    }
}

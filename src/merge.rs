//! The merge of two sorted lists of distinct keys: which keys they share.
//!
//! Verification merges a pair's shingle sets and term vectors when neither
//! document is held in a probe table ([`crate::probe`]): in a batch verified
//! in blocks that is most pairs. A merge that takes one key from a list per
//! step waits at every step on the comparison before it can load the next
//! key. On x86-64 with AVX2, [`for_each_shared`] compares four keys of each
//! list at once (each of four against each of four) and then moves past the
//! four whose last key is smaller, so it waits once per four keys.

/// Calls `found(i, j)` for each key the lists share, `key_a(&a[i]) ==
/// key_b(&b[j])`, in ascending order of key. Both lists are sorted by key,
/// without repeats.
#[inline]
pub fn for_each_shared<A, B>(
    a: &[A],
    b: &[B],
    key_a: impl Fn(&A) -> u64,
    key_b: impl Fn(&B) -> u64,
    mut found: impl FnMut(usize, usize),
) {
    #[cfg(target_arch = "x86_64")]
    let start = if a.len() >= 4 && b.len() >= 4 && std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { x86::shared_fours(a, b, &key_a, &key_b, &mut found) }
    } else {
        (0, 0)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let start = (0, 0);
    one_at_a_time(a, b, start, key_a, key_b, found);
}

/// [`for_each_shared`] from `a[i..]` and `b[j..]`, one key at a time: the
/// cursors advance by arithmetic on the comparison, as the order of two
/// hashes cannot be predicted.
#[inline]
fn one_at_a_time<A, B>(
    a: &[A],
    b: &[B],
    (mut i, mut j): (usize, usize),
    key_a: impl Fn(&A) -> u64,
    key_b: impl Fn(&B) -> u64,
    mut found: impl FnMut(usize, usize),
) {
    while i < a.len() && j < b.len() {
        let (x, y) = (key_a(&a[i]), key_b(&b[j]));
        if x == y {
            found(i, j);
        }
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Four keys of `list` from `at` in the lanes of a vector.
    #[inline(always)]
    unsafe fn four<T>(list: &[T], at: usize, key: &impl Fn(&T) -> u64) -> __m256i {
        _mm256_set_epi64x(
            key(&list[at + 3]) as i64,
            key(&list[at + 2]) as i64,
            key(&list[at + 1]) as i64,
            key(&list[at]) as i64,
        )
    }

    /// [`super::for_each_shared`] four keys of each list at a time, while
    /// both have four left; returns where it stopped in each list. A key
    /// before the returned cursors is never shared with one at or after them.
    ///
    /// Each step compares the four keys `a[i..i + 4]` with `b[j..j + 4]`
    /// turned by 0 to 3 lanes, then moves past the four with the smaller
    /// last key (both, if equal). That is the one-at-a-time merge on groups
    /// of four: two shared keys meet in exactly one step, in key order.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn shared_fours<A, B>(
        a: &[A],
        b: &[B],
        key_a: &impl Fn(&A) -> u64,
        key_b: &impl Fn(&B) -> u64,
        found: &mut impl FnMut(usize, usize),
    ) -> (usize, usize) {
        let (mut i, mut j) = (0, 0);
        while i + 4 <= a.len() && j + 4 <= b.len() {
            let (x, y) = (four(a, i, key_a), four(b, j, key_b));
            // Lane k of turn r holds y's lane (k + r) mod 4.
            let turns = [
                y,
                _mm256_permute4x64_epi64::<0b00_11_10_01>(y),
                _mm256_permute4x64_epi64::<0b01_00_11_10>(y),
                _mm256_permute4x64_epi64::<0b10_01_00_11>(y),
            ];
            let equal = turns.map(|t| _mm256_cmpeq_epi64(x, t));
            let any = _mm256_or_si256(
                _mm256_or_si256(equal[0], equal[1]),
                _mm256_or_si256(equal[2], equal[3]),
            );
            let mut hits = _mm256_movemask_pd(_mm256_castsi256_pd(any));
            if hits != 0 {
                // A shared key (rare between shingle sets but for copies;
                // common between term vectors): the turn each lane matched.
                let [_, m1, m2, m3] = equal.map(|e| _mm256_movemask_pd(_mm256_castsi256_pd(e)));
                while hits != 0 {
                    let k = hits.trailing_zeros() as usize;
                    let r = (m1 >> k & 1) + 2 * (m2 >> k & 1) + 3 * (m3 >> k & 1);
                    found(i + k, j + (k + r as usize) % 4);
                    hits &= hits - 1;
                }
            }
            let (last_x, last_y) = (key_a(&a[i + 3]), key_b(&b[j + 3]));
            i += 4 * usize::from(last_x <= last_y);
            j += 4 * usize::from(last_y <= last_x);
        }
        (i, j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The shared keys' positions, one key at a time.
    fn naive(a: &[u64], b: &[u64]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, x) in a.iter().enumerate() {
            if let Some(j) = b.iter().position(|y| y == x) {
                out.push((i, j));
            }
        }
        out
    }

    proptest! {
        /// Every shared key is found once, in key order, wherever it falls
        /// in the groups of four (small key ranges make many shared keys,
        /// runs of them, and lists of unequal length).
        #[test]
        fn finds_each_shared_key_once_in_order(
            a in proptest::collection::btree_set(prop_oneof![0u64..40, any::<u64>()], 0..90),
            b in proptest::collection::btree_set(prop_oneof![0u64..40, any::<u64>()], 0..90),
        ) {
            let (a, b): (Vec<u64>, Vec<u64>) = (a.into_iter().collect(), b.into_iter().collect());
            let mut got = Vec::new();
            for_each_shared(&a, &b, |&x| x, |&y| y, |i, j| got.push((i, j)));
            prop_assert_eq!(&got, &naive(&a, &b));
            // The same without vector instructions, as on other CPUs.
            got.clear();
            one_at_a_time(&a, &b, (0, 0), |&x| x, |&y| y, |i, j| got.push((i, j)));
            prop_assert_eq!(got, naive(&a, &b));
        }
    }

    #[test]
    fn equal_lists_share_every_key() {
        let a: Vec<u64> = (0..37).map(|k| k * 3).collect();
        let mut got = Vec::new();
        for_each_shared(&a, &a, |&x| x, |&y| y, |i, j| got.push((i, j)));
        assert_eq!(got, (0..37).map(|k| (k, k)).collect::<Vec<_>>());
    }
}

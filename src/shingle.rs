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
use crate::merge::for_each_shared;
use crate::model::{NormDoc, ShingleSet};
use crate::prefetch::prefetch;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Stable hash of one normalised token.
#[inline]
pub fn token_hash(norm: &str, seed: u64) -> u64 {
    stable64(norm.as_bytes(), seed)
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

/// The shingle set of one document (tokens on boilerplate lines skipped).
pub fn shingle_set(doc: &NormDoc, k: usize, seed: u64) -> ShingleSet {
    shingle_set_and_exact_hash(doc, k, seed).0
}

/// The shingle set of one document and the stable hash of its whole
/// normalised token stream, boilerplate included (equal hashes mean the same
/// text: an `exact` pair; 0 for a document without tokens). Each token is
/// hashed once for both.
pub fn shingle_set_and_exact_hash(doc: &NormDoc, k: usize, seed: u64) -> (ShingleSet, u64) {
    shingle_set_and_exact_hash_of(&doc.suppressed, &token_hashes(doc, seed), k, seed)
}

/// The hashes of a document's tokens ([`token_hash`]), one per token.
pub fn token_hashes(doc: &NormDoc, seed: u64) -> Vec<u64> {
    doc.tokens
        .iter()
        .map(|t| token_hash(&t.norm, seed))
        .collect()
}

/// [`shingle_set_and_exact_hash`] from the document's [`token_hashes`]
/// with `seed`, `all`, and which of them are `suppressed` (none, when it is
/// empty).
pub fn shingle_set_and_exact_hash_of(
    suppressed: &[bool],
    all: &[u64],
    k: usize,
    seed: u64,
) -> (ShingleSet, u64) {
    let exact = if all.is_empty() {
        0
    } else {
        stable64_words(all, seed ^ 0x0065_7861_6374).max(1)
    };
    let mut hashes = if suppressed.iter().any(|&s| s) {
        let kept: Vec<u64> = all
            .iter()
            .zip(suppressed)
            .filter(|(_, &s)| !s)
            .map(|(&h, _)| h)
            .collect();
        shingle_hashes(&kept, k, seed)
    } else {
        shingle_hashes(all, k, seed)
    };
    sort_hashes(&mut hashes);
    hashes.dedup();
    (ShingleSet(hashes), exact)
}

/// Lists shorter than this are left to a comparison sort.
const BUCKET_SORT_MIN: usize = 32;

/// Sorts `hashes`: values spread evenly over `u64`, as hashes are. Each goes
/// to the bucket its top bits name (a counting sort, in two passes), and an
/// insertion sort then puts right the few that share a bucket. Sets of 600
/// spread hashes sort in 4.9 ns a hash this way and 8.7 ns by comparison
/// (`sort_unstable`, whose steps each hang on a comparison that cannot be
/// guessed). Values that bunch would make the insertion sort quadratic:
/// past a budget of moves a comparison sort finishes.
pub(crate) fn sort_hashes(hashes: &mut Vec<u64>) {
    let n = hashes.len();
    if n < BUCKET_SORT_MIN {
        hashes.sort_unstable();
        return;
    }
    // Four buckets a hash: fewer share one, and the insertion sort's
    // moves, each a mispredicted branch, are fewer than the buckets' sums.
    let bits = (n.ilog2() + 2).min(16);
    let shift = 64 - bits;
    // `starts[b + 1]` counts bucket `b`, then (summed) `starts[b]` is where
    // it starts, and the next place in it as it fills.
    let mut starts = vec![0u32; (1 << bits) + 1];
    for &h in hashes.iter() {
        starts[(h >> shift) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut bucketed = vec![0u64; n];
    for &h in hashes.iter() {
        let at = &mut starts[(h >> shift) as usize];
        bucketed[*at as usize] = h;
        *at += 1;
    }
    *hashes = bucketed;
    let budget = 4 * n;
    let mut moves = 0;
    for i in 1..n {
        let h = hashes[i];
        let mut j = i;
        while j > 0 && hashes[j - 1] > h {
            hashes[j] = hashes[j - 1];
            j -= 1;
        }
        hashes[j] = h;
        moves += i - j;
        if moves > budget {
            hashes.sort_unstable();
            return;
        }
    }
}

/// Which shingles of a batch more than one document may hold: two bitmaps
/// over the top bits of the shingle hashes, one marking a bit's first
/// document, the other its second. A shingle that two documents' sets hold
/// is always marked [`SharedShingles::may_be_shared`]; one that a single
/// document holds is too when another shingle shares its bit (about
/// `1 - e^(-n/bits)` of them for `n` shingles).
///
/// Verification only counts the shingles two sets share, so it may drop
/// from each set those no other document holds, and still count the same.
/// On news batches most shingles are one document's own (87 % of the
/// entries of 30,000 articles of the harness corpus).
///
/// The bitmaps are far bigger than the caches, and a shingle's bit is
/// anywhere in them. Workers therefore count through a [`ShingleCounter`],
/// which gathers the bits of many shingles, sorts them by region of the
/// bitmaps, and sets each region's bits together under that region's lock:
/// one region's words stay in the cache while they are set, and no bit
/// needs an atomic read-modify-write (which waits for its cache line).
pub struct SharedShingles {
    /// A bit's first document has been added.
    seen: Vec<AtomicU64>,
    /// A bit's second document has been added.
    twice: Vec<AtomicU64>,
    /// `64 - log2(bits)`: a shingle's bit is the top bits of its hash,
    /// turned left by `turn` bits.
    shift: u32,
    /// 0 for a first count; a [`SharedShingles::second_count`] takes its
    /// bits from other bits of each hash.
    turn: u32,
    /// Held while a region's bits are set: every write to a region's words
    /// is made under its lock.
    regions: Vec<Mutex<()>>,
    /// `log2(bits per region)`.
    region_shift: u32,
}

/// Most bits [`SharedShingles`] gives each of its two bitmaps (128 MiB).
const SHARED_MAX_BITS: usize = 1 << 30;

/// Bits of each bitmap in a region (128 KiB of each).
const REGION_BITS: usize = 1 << 20;

/// How many shingles ahead [`SharedShingles::keep_shared`] asks for the
/// bitmap word it will test.
const KEEP_AHEAD: usize = 16;

/// Shingles a [`ShingleCounter`] gathers before it sets their bits.
const COUNTER_BATCH: usize = 1 << 18;

impl SharedShingles {
    /// Bitmaps for about `shingles` set entries in all: four bits per
    /// entry, between 2^16 and 2^30 (128 MiB).
    pub fn new(shingles: usize) -> SharedShingles {
        let bits = shingles
            .saturating_mul(4)
            .next_power_of_two()
            .clamp(1 << 16, SHARED_MAX_BITS);
        SharedShingles::with_bits(bits, 0)
    }

    /// Empty bitmaps of `bits` bits (a power of two, 2^16 to 2^30), a
    /// shingle's bit taken after turning its hash left by `turn`.
    fn with_bits(bits: usize, turn: u32) -> SharedShingles {
        let words = || (0..bits / 64).map(|_| AtomicU64::new(0)).collect();
        let region_bits = REGION_BITS.min(bits);
        SharedShingles {
            seen: words(),
            twice: words(),
            shift: 64 - bits.trailing_zeros(),
            turn,
            regions: (0..bits / region_bits).map(|_| Mutex::new(())).collect(),
            region_shift: region_bits.trailing_zeros(),
        }
    }

    /// A second count, for the shingles this one keeps, once every set is
    /// added here: a shingle the first count keeps only because another
    /// shares its bit (about `1 - e^(-n/bits)` of those one document holds,
    /// two in five at a million articles, where the bitmaps reach their
    /// most bits) most often shares no bit in the second, whose bits are
    /// other bits of each hash. The shingles both keep are those
    /// [`SharedShingles::keep_shared`] of the first and then of the second
    /// keeps: still every one two sets hold.
    ///
    /// The first count's record of first documents is freed (it answers
    /// [`SharedShingles::may_be_shared`] still, and counts no more), and
    /// the second's two bitmaps take half its bits each: no more memory
    /// (but for the smallest bitmaps, 2^16 bits, which the second keeps).
    pub fn second_count(&mut self) -> SharedShingles {
        self.seen = Vec::new();
        let bits = (self.twice.len() * 64 / 2).max(1 << 16);
        // The first count's bits are the hash's top 30 at most; turned by
        // 32, the second's are bits the first never reads.
        SharedShingles::with_bits(bits, 32)
    }

    /// `h`'s bit.
    #[inline]
    fn bit(&self, h: u64) -> u32 {
        // At most 2^30 bits: the index fits.
        (h.rotate_left(self.turn) >> self.shift) as u32
    }

    /// A counter of shingles into these bitmaps: a worker's, for many
    /// documents. Every shingle it is given is counted by the time it is
    /// dropped (a batch at a time before that).
    pub fn counter(&self) -> ShingleCounter<'_> {
        ShingleCounter {
            shared: self,
            bits: Vec::new(),
            sorted: Vec::new(),
        }
    }

    /// Sets the bits of `bits`, all in region `r`: the first time a bit
    /// comes its `seen` bit, after that its `twice` bit.
    fn set_region(&self, r: usize, bits: &[u32]) {
        let _held = self.regions[r].lock().unwrap_or_else(|e| e.into_inner());
        for &bit in bits {
            let (w, m) = (bit as usize / 64, 1u64 << (bit % 64));
            // Every write to this region's words is made under its lock,
            // so a load and a store are not raced.
            let seen = self.seen[w].load(Ordering::Relaxed);
            if seen & m == 0 {
                self.seen[w].store(seen | m, Ordering::Relaxed);
            } else {
                let twice = self.twice[w].load(Ordering::Relaxed);
                self.twice[w].store(twice | m, Ordering::Relaxed);
            }
        }
    }

    /// Whether another document may hold shingle `h` too (always, when one
    /// does), once every document's set is added.
    #[inline]
    pub fn may_be_shared(&self, h: u64) -> bool {
        let bit = self.bit(h);
        self.twice[bit as usize / 64].load(Ordering::Relaxed) & 1 << (bit % 64) != 0
    }

    /// Drops from `set` the shingles that surely no other document holds
    /// (those not [`SharedShingles::may_be_shared`]).
    pub fn keep_shared(&self, set: &mut Vec<u64>) {
        let mut kept = 0;
        for i in 0..set.len() {
            if let Some(&ahead) = set.get(i + KEEP_AHEAD) {
                self.prefetch(ahead);
            }
            let h = set[i];
            set[kept] = h;
            kept += usize::from(self.may_be_shared(h));
        }
        set.truncate(kept);
        set.shrink_to_fit();
    }

    /// Asks for the word of `twice` that holds `h`'s bit (a hint).
    #[inline]
    fn prefetch(&self, h: u64) {
        prefetch(&self.twice[self.bit(h) as usize / 64]);
    }
}

/// One worker's shingles on their way into [`SharedShingles`]: their bits
/// are gathered, and set a region at a time when the batch is full and
/// when the counter is dropped.
pub struct ShingleCounter<'s> {
    shared: &'s SharedShingles,
    bits: Vec<u32>,
    /// `bits` sorted by region (kept for the next batch).
    sorted: Vec<u32>,
}

impl ShingleCounter<'_> {
    /// Counts the shingles of one document's set (each once per document:
    /// a document's shingles go in once, whichever worker counts them).
    pub fn add(&mut self, set: &[u64]) {
        self.bits.extend(set.iter().map(|&h| self.shared.bit(h)));
        if self.bits.len() >= COUNTER_BATCH {
            self.flush();
        }
    }

    /// [`ShingleCounter::add`] for the shingles of `set` that are not in
    /// `before` (both sorted): the same document's set taken again, after
    /// its first was counted.
    pub fn add_beyond(&mut self, set: &[u64], before: &[u64]) {
        let mut j = 0;
        for &h in set {
            while j < before.len() && before[j] < h {
                j += 1;
            }
            if before.get(j) != Some(&h) {
                self.bits.push(self.shared.bit(h));
            }
        }
        if self.bits.len() >= COUNTER_BATCH {
            self.flush();
        }
    }

    /// Sets the bits gathered, sorted by region (a counting sort), one
    /// region at a time.
    fn flush(&mut self) {
        if self.bits.is_empty() {
            return;
        }
        let shift = self.shared.region_shift;
        let mut starts = vec![0usize; self.shared.regions.len() + 1];
        for &bit in &self.bits {
            starts[(bit >> shift) as usize + 1] += 1;
        }
        for r in 1..starts.len() {
            starts[r] += starts[r - 1];
        }
        self.sorted.clear();
        self.sorted.resize(self.bits.len(), 0);
        let mut next = starts.clone();
        for &bit in &self.bits {
            let r = (bit >> shift) as usize;
            self.sorted[next[r]] = bit;
            next[r] += 1;
        }
        for r in 0..self.shared.regions.len() {
            if starts[r] < starts[r + 1] {
                self.shared
                    .set_region(r, &self.sorted[starts[r]..starts[r + 1]]);
            }
        }
        self.bits.clear();
    }
}

impl Drop for ShingleCounter<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Size of the intersection of two sorted, deduplicated slices: a merge
/// ([`for_each_shared`]), or, when one side is much shorter, its elements
/// looked up in the other by galloping search.
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return 0;
    }
    if long.len() / short.len() >= 32 {
        return galloping_intersection_size(short, long);
    }
    let mut n = 0;
    for_each_shared(a, b, |&x| x, |&y| y, |_, _| n += 1);
    n
}

/// [`intersection_size`] for a `short` slice much smaller than `long`.
fn galloping_intersection_size(short: &[u64], long: &[u64]) -> usize {
    let (mut from, mut n) = (0, 0);
    for &x in short {
        let rest = &long[from..];
        let mut step = 1;
        while step < rest.len() && rest[step - 1] < x {
            step *= 2;
        }
        let window = &rest[..step.min(rest.len())];
        match window.binary_search(&x) {
            Ok(k) => {
                n += 1;
                from += k + 1;
            }
            Err(k) => from += k,
        }
        if from >= long.len() {
            break;
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

    #[test]
    fn exact_hash_sees_every_token_and_the_set_only_the_kept_ones() {
        let mut d = doc("menu home subscribe the quick brown fox jumps over");
        for s in d.suppressed.iter_mut().take(3) {
            *s = true;
        }
        let (set, exact) = shingle_set_and_exact_hash(&d, 5, 1);
        assert_eq!(set, shingle_set(&d, 5, 1));
        let (_, same) = shingle_set_and_exact_hash(
            &doc("Menu, home; SUBSCRIBE the quick brown fox jumps over"),
            5,
            1,
        );
        assert_eq!(exact, same);
        let (kept_set, kept_exact) =
            shingle_set_and_exact_hash(&doc("the quick brown fox jumps over"), 5, 1);
        assert_eq!(set, kept_set);
        assert_ne!(exact, kept_exact);
        assert_eq!(shingle_set_and_exact_hash(&doc(""), 5, 1).1, 0);
    }

    #[test]
    fn shared_shingles_keep_what_two_sets_hold_and_drop_the_rest() {
        // Top bits set apart, so that no two distinct hashes share a bit.
        let h = |i: u64| i << 48 | 0xabcd;
        let sets = [vec![h(1), h(2), h(3)], vec![h(3), h(4)], vec![h(5)]];
        let shared = SharedShingles::new(8);
        let mut counter = shared.counter();
        for s in &sets {
            counter.add(s);
        }
        drop(counter);
        let kept: Vec<Vec<u64>> = sets
            .iter()
            .map(|s| {
                let mut s = s.clone();
                shared.keep_shared(&mut s);
                s
            })
            .collect();
        assert_eq!(kept, [vec![h(3)], vec![h(3)], vec![]]);
    }

    #[test]
    fn a_set_taken_again_adds_only_what_its_first_lacked() {
        let h = |i: u64| i << 48 | 0x1234;
        // Document 0 first taken with its boilerplate lines (1, 2, 3), then
        // again without them (2, 3, 4: a shingle across the cut line is
        // new); document 1 holds 4 and 5.
        let (first, again, other) = (
            vec![h(1), h(2), h(3)],
            vec![h(2), h(3), h(4)],
            vec![h(4), h(5)],
        );
        let shared = SharedShingles::new(8);
        let mut counter = shared.counter();
        counter.add(&first);
        counter.add(&other);
        counter.add_beyond(&again, &first);
        drop(counter);
        // 2 and 3 are document 0's own, though its two takes both hold them.
        let kept: Vec<u64> = again
            .iter()
            .copied()
            .filter(|&x| shared.may_be_shared(x))
            .collect();
        assert_eq!(kept, [h(4)]);
        assert!(!shared.may_be_shared(h(1)) && !shared.may_be_shared(h(5)));
    }

    /// Pseudo-random hashes from `x` (xorshift64), the same every run.
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// `sets` counted, cut by the first count, counted again and cut by the
    /// second, as the pipeline cuts them: the sets the first count keeps,
    /// and those both keep.
    fn cut_twice(sets: &[Vec<u64>]) -> (Vec<Vec<u64>>, Vec<Vec<u64>>) {
        let mut first = SharedShingles::new(sets.iter().map(Vec::len).sum());
        let mut counter = first.counter();
        for set in sets {
            counter.add(set);
        }
        drop(counter);
        let second = first.second_count();
        let mut counter = second.counter();
        let mut kept_first = sets.to_vec();
        for set in &mut kept_first {
            first.keep_shared(set);
            counter.add(set);
        }
        drop(counter);
        let mut kept = kept_first.clone();
        for set in &mut kept {
            second.keep_shared(set);
        }
        (kept_first, kept)
    }

    #[test]
    fn counters_set_the_bits_a_naive_count_sets() {
        // Sets of a few hundred thousand shingles, so that counters set
        // their bits batch by batch, in many regions; two threads count
        // half the sets each, as two workers do.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let common: Vec<u64> = (0..50_000).map(|_| next()).collect();
        let sets: Vec<Vec<u64>> = (0..6)
            .map(|d| {
                let mut s: Vec<u64> = (0..90_000).map(|_| next()).collect();
                s.extend(common.iter().skip(d * 5_000).take(20_000));
                s.sort_unstable();
                s.dedup();
                s
            })
            .collect();
        let entries = sets.iter().map(Vec::len).sum();
        let shared = SharedShingles::new(entries);
        assert!(shared.regions.len() > 1 && entries > 2 * COUNTER_BATCH);
        std::thread::scope(|scope| {
            for half in sets.chunks(3) {
                let shared = &shared;
                scope.spawn(move || {
                    let mut counter = shared.counter();
                    for set in half {
                        counter.add(set);
                    }
                });
            }
        });
        let mut naive: std::collections::HashMap<u32, usize> = Default::default();
        for set in &sets {
            for &h in set {
                *naive.entry(shared.bit(h)).or_default() += 1;
            }
        }
        for &h in sets.iter().flatten() {
            assert_eq!(shared.may_be_shared(h), naive[&shared.bit(h)] >= 2);
        }
        assert!(sets.iter().flatten().any(|&h| !shared.may_be_shared(h)));
    }

    #[test]
    fn a_second_count_cuts_most_of_what_the_first_keeps_by_chance() {
        // 400k shingles of one document each, and 20k that two documents
        // hold, in bitmaps of four bits an entry: about one in five of the
        // lone ones shares its bit with another, and is kept by the first
        // count.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let twice: Vec<u64> = (0..20_000).map(|_| next()).collect();
        let sets: Vec<Vec<u64>> = (0..4)
            .map(|d| {
                let mut s: Vec<u64> = (0..100_000).map(|_| next()).collect();
                s.extend(&twice[d % 2 * 10_000..][..10_000]);
                s.sort_unstable();
                s
            })
            .collect();
        let (kept_first, kept) = cut_twice(&sets);
        let all: std::collections::HashSet<u64> = twice.iter().copied().collect();
        let lone = |sets: &[Vec<u64>]| sets.iter().flatten().filter(|h| !all.contains(h)).count();
        // Every shingle two sets hold is kept by both counts.
        for (d, set) in kept.iter().enumerate() {
            for h in &twice[d % 2 * 10_000..][..10_000] {
                assert!(set.binary_search(h).is_ok());
            }
        }
        // The first keeps tens of thousands of lone shingles (whose bits
        // others share); the second, over other bits, most of those go.
        let (after_first, after_second) = (lone(&kept_first), lone(&kept));
        assert!(after_first > 40_000, "{after_first}");
        assert!(
            after_second * 4 < after_first,
            "{after_second} of {after_first}"
        );
    }

    proptest! {
        /// Hashes sort as a comparison sort sorts them: spread, bunched in
        /// a few buckets (the insertion sort's budget runs out), and with
        /// repeats.
        #[test]
        fn hashes_sort_as_by_comparison(
            spread in proptest::collection::vec(any::<u64>(), 0..3000),
            bunched in proptest::collection::vec(0u64..1 << 20, 0..3000),
            repeats in proptest::collection::vec(0u64..4, 0..100),
        ) {
            for mut v in [spread, bunched, repeats] {
                let mut expected = v.clone();
                expected.sort_unstable();
                sort_hashes(&mut v);
                prop_assert_eq!(v, expected);
            }
        }

        /// Whatever shares a bitmap bit, every pair of sets shares as many
        /// shingles after [`SharedShingles::keep_shared`] as before.
        #[test]
        fn shared_shingles_keep_every_intersection(
            sets in proptest::collection::vec(
                proptest::collection::btree_set(prop_oneof![0u64..40, any::<u64>()], 0..30),
                0..8,
            ),
            scale in 0u32..48,
        ) {
            // Small values spread over the top bits (shared between sets),
            // and random ones (mostly a single set's own).
            let sets: Vec<Vec<u64>> = sets
                .iter()
                .map(|s| {
                    let mut v: Vec<u64> =
                        s.iter().map(|&x| if x < 40 { x << scale } else { x }).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect();
            let kept = cut_twice(&sets).1;
            for i in 0..sets.len() {
                for j in i + 1..sets.len() {
                    prop_assert_eq!(
                        intersection_size(&kept[i], &kept[j]),
                        intersection_size(&sets[i], &sets[j])
                    );
                }
            }
        }

        #[test]
        fn intersection_matches_naive(mut a in proptest::collection::vec(0u64..50, 0..40),
                                      mut b in proptest::collection::vec(0u64..50, 0..40)) {
            a.sort_unstable(); a.dedup(); b.sort_unstable(); b.dedup();
            let naive = a.iter().filter(|x| b.contains(x)).count();
            prop_assert_eq!(intersection_size(&a, &b), naive);
            prop_assert_eq!(intersection_size(&b, &a), naive);
        }

        #[test]
        fn galloping_matches_naive(mut a in proptest::collection::vec(0u64..5000, 0..6),
                                   mut b in proptest::collection::vec(0u64..5000, 0..800)) {
            a.sort_unstable(); a.dedup(); b.sort_unstable(); b.dedup();
            let naive = a.iter().filter(|x| b.contains(x)).count();
            prop_assert_eq!(intersection_size(&a, &b), naive);
            prop_assert_eq!(galloping_intersection_size(&a, &b), naive);
        }
    }
}

//! One document's sorted features as an open-addressing hash table, for
//! scoring it against many others.
//!
//! Verification scores each candidate pair by intersecting two sorted sets
//! (shingles) and two sorted sparse vectors (terms). A merge of both costs a
//! step per element of each, and its steps depend on unpredictable
//! comparisons. When one document meets many others in a row (stories mode
//! gives each document about eighty candidates), its features go into a
//! table once, and each pair costs one independent probe per element of the
//! other document. The results are those of the merge, exactly: the same
//! count, and for vectors the same products summed in the same (term) order.

/// Keys are 64-bit hashes; key 0 marks an empty slot and is kept apart.
///
/// A bit filter in front of the slots (four bits per slot, one set per key)
/// answers most probes for missing keys, the common case, without a branch:
/// the keys it lets through are looked up in the slots afterwards.
#[derive(Debug, Clone)]
pub struct ProbeTable<V: Copy> {
    slots: Vec<(u64, V)>,
    /// `slots.len() - 1` (a power of two, minus one).
    mask: usize,
    /// The value of key 0, if present.
    zero: Option<V>,
    filter: Vec<u64>,
    /// `64 - log2(filter bits)`: a key's filter bit is the top bits of its
    /// mixed hash.
    filter_shift: u32,
}

/// Multiplier that mixes a key's bits up (Fibonacci hashing).
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// Keys looked up together: those the filter lets through are buffered,
/// then checked in the slots.
const BATCH: usize = 64;

impl<V: Copy + Default> ProbeTable<V> {
    /// A table of `entries` (distinct keys), at most a quarter full, so that
    /// a probe for a missing key, the common case, ends after about one slot.
    pub fn new(entries: impl ExactSizeIterator<Item = (u64, V)>) -> ProbeTable<V> {
        ProbeTable::with_room(entries, 4)
    }

    /// A table of `entries` (distinct keys) with `slots_per_key` slots a key
    /// (a power of two, 2 to 16) and a filter of 16 bits a key, both sizes
    /// rounded up to a power of two: a table asked for many keys it holds
    /// may take less room, and so stay in the cache, at the cost of longer
    /// probes.
    pub fn with_room(
        entries: impl ExactSizeIterator<Item = (u64, V)>,
        slots_per_key: usize,
    ) -> ProbeTable<V> {
        debug_assert!(slots_per_key.is_power_of_two() && (2..=16).contains(&slots_per_key));
        let capacity = (entries.len() * slots_per_key).next_power_of_two().max(16);
        let filter_bits = capacity * (16 / slots_per_key);
        let mut table = ProbeTable {
            slots: vec![(0, V::default()); capacity],
            mask: capacity - 1,
            zero: None,
            filter: vec![0; filter_bits / 64],
            filter_shift: 64 - filter_bits.trailing_zeros(),
        };
        for (key, value) in entries {
            let bit = table.filter_bit(key);
            table.filter[bit / 64] |= 1 << (bit % 64);
            if key == 0 {
                table.zero = Some(value);
                continue;
            }
            let mut i = table.home(key);
            while table.slots[i].0 != 0 {
                i = (i + 1) & table.mask;
            }
            table.slots[i] = (key, value);
        }
        table
    }

    /// The first slot `key` may sit in. Keys are hashes, but their high bits
    /// are mixed down so that sorted or patterned keys spread too.
    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(MIX) >> 32) as usize & self.mask
    }

    /// `key`'s bit in the filter: its top bits as they are. Keys are
    /// hashes, so these are spread; patterned keys only make the filter let
    /// more through (results are the same).
    #[inline]
    fn filter_bit(&self, key: u64) -> usize {
        (key >> self.filter_shift) as usize
    }

    /// Whether `key` may be present: always when it is.
    #[inline]
    fn may_hold(&self, key: u64) -> bool {
        let bit = self.filter_bit(key);
        self.filter[bit / 64] >> (bit % 64) & 1 != 0
    }

    /// Calls `found(item, value)` for each of `items` whose `key` is
    /// present, in order.
    #[inline]
    pub fn for_each_found<T>(
        &self,
        items: &[T],
        key: impl Fn(&T) -> u64,
        mut found: impl FnMut(&T, V),
    ) {
        let mut maybe = [0u8; BATCH];
        for chunk in items.chunks(BATCH) {
            // Branch-free: each item's index is written, and kept when the
            // filter lets its key through (`m` never passes `i`).
            let mut m = 0;
            for (i, item) in chunk.iter().enumerate() {
                maybe[m % BATCH] = i as u8;
                m += usize::from(self.may_hold(key(item)));
            }
            for &i in &maybe[..m] {
                let item = &chunk[i as usize];
                if let Some(v) = self.get(key(item)) {
                    found(item, v);
                }
            }
        }
    }

    /// [`ProbeTable::get`] asking the filter first: for a table asked
    /// mostly for keys it does not hold.
    #[inline]
    pub fn get_filtered(&self, key: u64) -> Option<V> {
        self.may_hold(key).then(|| self.get(key)).flatten()
    }

    /// The value of `key`, if present.
    #[inline]
    pub fn get(&self, key: u64) -> Option<V> {
        if key == 0 {
            return self.zero;
        }
        let mut i = self.home(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// How many of `keys` (distinct) are in `table`: the intersection size of
/// the two sets.
pub fn shared_keys(table: &ProbeTable<()>, keys: &[u64]) -> usize {
    let mut n = 0;
    table.for_each_found(keys, |&k| k, |_, ()| n += 1);
    n
}

/// A term's number ([`crate::terms::TermNumbers`]) as the key of a table
/// of terms: spread over the 64 bits, one to one (numbers are small, and
/// the filter takes a key's top bits).
#[inline]
fn number_key(n: u32) -> u64 {
    u64::from(n).wrapping_mul(MIX)
}

/// A term vector, its terms numbered, as the table [`dot`] probes.
pub fn term_table(terms: &[(u32, f32)]) -> ProbeTable<f32> {
    ProbeTable::new(terms.iter().map(|&(n, w)| (number_key(n), w)))
}

/// The dot product of the vector in `table` ([`term_table`]) with `terms`
/// (sorted by number), summed in term order: equal to a merge of the two
/// sorted vectors.
pub fn dot(table: &ProbeTable<f32>, terms: &[(u32, f32)]) -> f64 {
    let mut dot = 0.0f64;
    table.for_each_found(
        terms,
        |t| number_key(t.0),
        |t, v| dot += v as f64 * t.1 as f64,
    );
    dot
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Probing equals a merge of the sorted sets, including key 0 and
        /// keys that collide in their home slot.
        #[test]
        fn shared_keys_equal_the_merge(
            a in proptest::collection::btree_set(prop_oneof![0u64..64, any::<u64>()], 0..200),
            b in proptest::collection::btree_set(prop_oneof![0u64..64, any::<u64>()], 0..200),
        ) {
            let table = ProbeTable::new(a.iter().map(|&k| (k, ())));
            let b: Vec<u64> = b.into_iter().collect();
            let a: Vec<u64> = a.into_iter().collect();
            prop_assert_eq!(shared_keys(&table, &b), crate::shingle::intersection_size(&a, &b));
        }

        /// The dot product is bit for bit the cosine's merge.
        #[test]
        fn dot_equals_the_merge(
            a in proptest::collection::btree_map(prop_oneof![0u32..300, any::<u32>()], 0.0f32..1.0, 0..100),
            b in proptest::collection::btree_map(prop_oneof![0u32..300, any::<u32>()], 0.0f32..1.0, 0..100),
        ) {
            let a: Vec<(u32, f32)> = a.into_iter().collect();
            let b: Vec<(u32, f32)> = b.into_iter().collect();
            let table = term_table(&a);
            let merged = crate::terms::cosine_of_terms(&a, &b);
            prop_assert_eq!(dot(&table, &b).min(1.0).to_bits(), merged.to_bits());
        }
    }
}

//! A big sorted set of document pairs, packed.
//!
//! The LSH finds its candidate pairs a pass of bands at a time, and holds
//! their union until the last pass is done: tens of millions of pairs in
//! stories mode (58 M for a million articles), 8 bytes a pair as a list.
//! [`PackedPairs`] keeps each pair's key (`a << 32 | b`) as its difference
//! from the one before, seven bits a byte (LEB128), about 2 bytes a pair:
//! a first document's pairs are a few thousand apart. The set is cut into
//! parts by first document, so that adding a pass's pairs rewrites the
//! parts in parallel, each thread holding one part's copy at a time, never
//! the whole set's.

use crate::lsh::{key_pair, merge_sorted_into, pair_key};
use crate::model::DocId;
use rayon::prelude::*;
use std::convert::Infallible;

/// About how many parts a set is cut into: enough that a part's copy is
/// small beside the whole, few enough that a pass's pairs find each part's
/// share by a binary search.
const PARTS: usize = 256;

/// Sorted, distinct pairs `(a, b)` of documents below a bound, packed.
#[derive(Debug, Clone, Default)]
pub struct PackedPairs {
    /// First documents per part (at least 1).
    per_part: u64,
    /// Part `i` holds the pairs whose first document is in
    /// `i * per_part .. (i + 1) * per_part`.
    parts: Vec<Part>,
}

/// Sorted, distinct pair keys, each written as its difference from the one
/// before (the first from 0) in LEB128: seven bits a byte, low bits first,
/// the top bit set on every byte but a number's last.
#[derive(Debug, Clone, Default)]
struct Part {
    bytes: Vec<u8>,
    len: usize,
}

impl PackedPairs {
    /// An empty set of pairs of documents `0..docs`.
    pub fn new(docs: usize) -> PackedPairs {
        let per_part = docs.div_ceil(PARTS).max(1);
        PackedPairs {
            per_part: per_part as u64,
            parts: vec![Part::default(); docs.div_ceil(per_part)],
        }
    }

    /// How many pairs there are.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|p| p.len == 0)
    }

    /// The pairs, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            parts: self.parts.iter(),
            keys: Keys {
                bytes: &[],
                last: 0,
            },
            left: self.len(),
        }
    }

    /// Adds the pairs of `keys` (pair keys `a << 32 | b`, sorted, distinct,
    /// their first documents below the bound the set was made for).
    ///
    /// # Panics
    ///
    /// If a first document is past the bound.
    pub fn add(&mut self, keys: &[u64]) {
        let per_part = self.per_part;
        let part_of = |key: u64| ((key >> 32) / per_part) as usize;
        if let Some(&last) = keys.last() {
            assert!(
                part_of(last) < self.parts.len(),
                "a pair past the documents"
            );
        }
        let start = |i: usize| keys.partition_point(|&key| part_of(key) < i);
        self.parts.par_iter_mut().enumerate().for_each(|(i, part)| {
            let these = &keys[start(i)..start(i + 1)];
            if !these.is_empty() {
                *part = part.union(these);
            }
        });
    }

    /// The set of `pairs` (sorted, distinct) of documents `0..docs`.
    pub fn of(docs: usize, pairs: &[(DocId, DocId)]) -> PackedPairs {
        let mut set = PackedPairs::new(docs);
        let keys: Vec<u64> = pairs.iter().map(|&p| pair_key(p)).collect();
        set.add(&keys);
        set
    }
}

impl Part {
    fn keys(&self) -> Keys<'_> {
        Keys {
            bytes: &self.bytes,
            last: 0,
        }
    }

    /// This part's keys and `keys` (sorted, distinct), in order, once each.
    fn union(&self, keys: &[u64]) -> Part {
        let mut out = Writer {
            part: Part {
                bytes: Vec::with_capacity(self.bytes.len() + 3 * keys.len()),
                len: 0,
            },
            last: 0,
        };
        let merged = merge_sorted_into(
            self.keys(),
            keys.iter().copied(),
            |&key| key,
            |key, _| key,
            |key| {
                out.push(key);
                Ok::<(), Infallible>(())
            },
        );
        match merged {
            Ok(()) => {}
            Err(never) => match never {},
        }
        out.part.bytes.shrink_to_fit();
        out.part
    }
}

/// Writes sorted keys into a [`Part`].
struct Writer {
    part: Part,
    last: u64,
}

impl Writer {
    #[inline]
    fn push(&mut self, key: u64) {
        let mut delta = key - self.last;
        while delta >= 0x80 {
            self.part.bytes.push(delta as u8 | 0x80);
            delta >>= 7;
        }
        self.part.bytes.push(delta as u8);
        self.part.len += 1;
        self.last = key;
    }
}

/// The pairs of a [`PackedPairs`], in order.
pub struct Iter<'a> {
    parts: std::slice::Iter<'a, Part>,
    /// The keys left of the part being read.
    keys: Keys<'a>,
    left: usize,
}

impl Iterator for Iter<'_> {
    type Item = (DocId, DocId);

    #[inline]
    fn next(&mut self) -> Option<(DocId, DocId)> {
        loop {
            if let Some(key) = self.keys.next() {
                self.left -= 1;
                return Some(key_pair(key));
            }
            self.keys = self.parts.next()?.keys();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// A [`Part`]'s keys, read back.
struct Keys<'a> {
    bytes: &'a [u8],
    last: u64,
}

impl Iterator for Keys<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let mut delta = 0u64;
        let mut shift = 0;
        loop {
            let (&byte, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            delta |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                break;
            }
            shift += 7;
        }
        self.last += delta;
        Some(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        /// Pairs added a list at a time come back as the sorted union of the
        /// lists, whatever the documents' count and the gaps between pairs
        /// (some pairs drawn from few documents, so that lists share them).
        #[test]
        fn packed_pairs_are_the_union_of_the_lists_added(
            docs in 1u32..3000,
            lists in prop::collection::vec(
                prop::collection::vec(
                    (prop_oneof![0u32..4, any::<u32>()], prop_oneof![0u32..8, any::<u32>()]),
                    0..80,
                ),
                0..6,
            ),
        ) {
            let mut set = PackedPairs::new(docs as usize);
            let mut want = BTreeSet::new();
            for list in lists {
                let these: BTreeSet<(DocId, DocId)> =
                    list.into_iter().map(|(a, b)| (DocId(a % docs), DocId(b))).collect();
                let keys: Vec<u64> = these.iter().map(|&p| pair_key(p)).collect();
                set.add(&keys);
                want.extend(these);
            }
            let got: Vec<(DocId, DocId)> = set.iter().collect();
            prop_assert_eq!(set.len(), want.len());
            prop_assert_eq!(set.is_empty(), want.is_empty());
            prop_assert_eq!(got, want.into_iter().collect::<Vec<_>>());
        }
    }

    /// Differences of one byte's bound, a byte more, three bytes, and a
    /// first document's whole width.
    #[test]
    fn pairs_apart_by_each_bytes_bound_come_back() {
        let pairs = [
            (DocId(0), DocId(0x7f)),
            (DocId(0), DocId(0xff)),
            (DocId(0), DocId(0x100)),
            (DocId(0), DocId(0x4100)),
            (DocId(1), DocId(0)),
            (DocId(1), DocId(u32::MAX)),
            (DocId(u32::MAX - 1), DocId(u32::MAX)),
        ];
        let set = PackedPairs::of(u32::MAX as usize, &pairs);
        assert_eq!(set.iter().collect::<Vec<_>>(), pairs);
        assert_eq!(set.iter().len(), pairs.len());
    }

    #[test]
    #[should_panic(expected = "a pair past the documents")]
    fn a_pair_past_the_documents_is_refused() {
        PackedPairs::of(2, &[(DocId(2), DocId(3))]);
    }
}

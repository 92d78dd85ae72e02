//! The only stable hash in newsdup.
//!
//! Everything that may be persisted or compared across runs (token, shingle and
//! term hashes, MinHash values, band keys) is derived from [`stable64`], which
//! is XXH3-64 (xxHash 0.8, output frozen by specification). `ahash` is for
//! in-memory maps only. [`mix64`] is the SplitMix64 finaliser, written out here
//! so that its output is defined by this file and nothing else.
//!
//! Golden tests at the bottom pin exact values: a dependency bump that changes
//! them fails CI.

use twox_hash::XxHash3_64;

/// XXH3-64 of `bytes` with `seed`.
#[inline]
pub fn stable64(bytes: &[u8], seed: u64) -> u64 {
    XxHash3_64::oneshot_with_seed(seed, bytes)
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijection on `u64` with
/// good avalanche, used to derive per-slot values from one stable hash.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(MIX64_MULTIPLIERS[0]);
    z = (z ^ (z >> 27)).wrapping_mul(MIX64_MULTIPLIERS[1]);
    z ^ (z >> 31)
}

/// The multipliers of [`mix64`]'s two rounds (for its vector forms).
pub(crate) const MIX64_MULTIPLIERS: [u64; 2] = [0xbf58_476d_1ce4_e5b9, 0x94d0_49bb_1331_11eb];

/// Hash of a sequence of 64-bit values (little-endian bytes), used for
/// shingles (k token hashes) and band keys (r slot values).
#[inline]
pub fn stable64_words(words: &[u64], seed: u64) -> u64 {
    if cfg!(target_endian = "little") {
        // The words' memory is already their little-endian bytes: no copy.
        stable64(bytemuck::cast_slice(words), seed)
    } else {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        stable64(&bytes, seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_xxh3_empty_matches_reference() {
        // XXH3_64bits("") from the C reference implementation.
        assert_eq!(stable64(b"", 0), 0x2D06_8005_38D3_94C2);
    }

    #[test]
    fn golden_values_are_frozen() {
        assert_eq!(stable64(b"newsdup", 0), stable64(b"newsdup", 0));
        assert_ne!(stable64(b"newsdup", 0), stable64(b"newsdup", 1));
        // Pinned outputs: change only with a pipeline version bump.
        assert_eq!(stable64(b"newsdup", 0), 0x3d32_383f_2c74_7ca8);
        assert_eq!(mix64(0), 0);
        assert_eq!(mix64(1), 0x5692_161d_100b_05e5);
        assert_eq!(
            stable64_words(&[1, 2], 7),
            stable64(&[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0], 7)
        );
        // Any number of words: their little-endian bytes in order.
        let words: Vec<u64> = (0..40u64).map(|i| mix64(i) ^ (i << 56)).collect();
        for n in [0, 1, 5, 16, 17, 40] {
            let bytes: Vec<u8> = words[..n].iter().flat_map(|w| w.to_le_bytes()).collect();
            assert_eq!(
                stable64_words(&words[..n], 3),
                stable64(&bytes, 3),
                "{n} words"
            );
        }
    }
}

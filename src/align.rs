//! Alignment: the shared passages of a pair, as byte ranges of the originals.
//!
//! Input: two [`NormDoc`]s. Output: [`Passage`]s, sorted by position in the
//! first document, not overlapping on either side.
//!
//! Method: seeds are runs of [`SEED_TOKENS`] equal normalised tokens (found
//! through a hash index of the second document); each seed is extended while
//! tokens agree, giving exact runs. Runs that follow each other on both sides
//! with gaps of at most `max_gap` tokens (an inserted word, a changed number)
//! are chained into one passage. Passages shorter than `min_tokens` matched
//! tokens are dropped; overlaps are resolved longest first. Token offsets map
//! back to byte ranges, so reports quote the exact characters.

use crate::model::{NormDoc, Passage};
use crate::shingle::token_hash;

/// Tokens in a seed match.
pub const SEED_TOKENS: usize = 3;
/// Positions per seed considered (guards against repetitive text).
const MAX_SEED_POSITIONS: usize = 16;

/// Parameters of the alignment.
#[derive(Debug, Clone, Copy)]
pub struct AlignConfig {
    /// Minimum matched tokens of a passage.
    pub min_tokens: usize,
    /// Largest gap (in tokens, on either side) bridged inside a passage.
    pub max_gap: usize,
}

impl Default for AlignConfig {
    fn default() -> Self {
        AlignConfig {
            min_tokens: 8,
            max_gap: 3,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Run {
    a: usize,
    b: usize,
    len: usize,
}

/// The kept (non-boilerplate) tokens of a document, as alignment sees them:
/// their stable hashes and their indices in [`NormDoc::tokens`]. Computing
/// them once per document, rather than once per pair, matters when a
/// document is in many pairs (a syndicated story with dozens of copies).
#[derive(Debug, Clone, Default)]
pub struct KeptTokens {
    /// `token_hash(norm, 0)` of each kept token, in text order.
    pub hashes: Vec<u64>,
    /// Index of each kept token in the document's tokens.
    pub index: Vec<u32>,
}

/// The kept tokens of `doc` (see [`KeptTokens`]).
pub fn kept_tokens(doc: &NormDoc) -> KeptTokens {
    let mut hashes = Vec::with_capacity(doc.tokens.len());
    let mut index = Vec::with_capacity(doc.tokens.len());
    for (i, (t, &s)) in doc.tokens.iter().zip(&doc.suppressed).enumerate() {
        if !s {
            hashes.push(token_hash(&t.norm, 0));
            index.push(i as u32);
        }
    }
    KeptTokens { hashes, index }
}

#[inline]
fn seed_key(w: &[u64]) -> u64 {
    // Order-sensitive combination of the seed's token hashes; collisions are
    // resolved by comparing the tokens themselves.
    crate::hash::mix64(w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42))
}

fn exact_runs(a: &[u64], b: &[u64]) -> Vec<Run> {
    if a.len() < SEED_TOKENS || b.len() < SEED_TOKENS {
        return Vec::new();
    }
    // Seed index of `b`: (key, position), sorted, so the positions of one
    // seed come in text order. A sorted vector costs two allocations where a
    // hash map of vectors costs one per distinct seed.
    let mut seeds: Vec<(u64, u32)> = b
        .windows(SEED_TOKENS)
        .enumerate()
        .map(|(j, w)| (seed_key(w), j as u32))
        .collect();
    seeds.sort_unstable();
    let mut runs = Vec::new();
    // A run on diagonal (i - j) covers a[i..i+len]; skip seeds already inside
    // one. `covered[i - j + b.len()]` is the end of the last run on it.
    let mut covered = vec![0usize; a.len() + b.len()];
    for i in 0..=a.len() - SEED_TOKENS {
        let seed = &a[i..i + SEED_TOKENS];
        let key = seed_key(seed);
        let first = seeds.partition_point(|&(k, _)| k < key);
        let js = seeds[first..]
            .iter()
            .take_while(|&&(k, _)| k == key)
            .map(|&(_, j)| j as usize)
            .filter(|&j| &b[j..j + SEED_TOKENS] == seed)
            .take(MAX_SEED_POSITIONS);
        for j in js {
            let diag = i + b.len() - j;
            if i < covered[diag] {
                continue;
            }
            let mut len = SEED_TOKENS;
            while i + len < a.len() && j + len < b.len() && a[i + len] == b[j + len] {
                len += 1;
            }
            covered[diag] = i + len;
            runs.push(Run { a: i, b: j, len });
        }
    }
    runs
}

/// Shared passages of two documents.
pub fn passages(doc_a: &NormDoc, doc_b: &NormDoc, config: AlignConfig) -> Vec<Passage> {
    passages_kept(
        doc_a,
        &kept_tokens(doc_a),
        doc_b,
        &kept_tokens(doc_b),
        config,
    )
}

/// [`passages`] with the kept tokens of both documents computed beforehand.
pub fn passages_kept(
    doc_a: &NormDoc,
    kept_a: &KeptTokens,
    doc_b: &NormDoc,
    kept_b: &KeptTokens,
    config: AlignConfig,
) -> Vec<Passage> {
    let (ha, ia) = (&kept_a.hashes, &kept_a.index);
    let (hb, ib) = (&kept_b.hashes, &kept_b.index);
    let mut runs = exact_runs(ha, hb);
    // Longest runs first claim their tokens; then chain along both texts.
    runs.sort_unstable_by(|x, y| y.len.cmp(&x.len).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    let mut used_a = vec![false; ha.len()];
    let mut used_b = vec![false; hb.len()];
    let mut chosen: Vec<Run> = Vec::new();
    for r in runs {
        if used_a[r.a..r.a + r.len].iter().any(|&u| u)
            || used_b[r.b..r.b + r.len].iter().any(|&u| u)
        {
            continue;
        }
        used_a[r.a..r.a + r.len].iter_mut().for_each(|u| *u = true);
        used_b[r.b..r.b + r.len].iter_mut().for_each(|u| *u = true);
        chosen.push(r);
    }
    chosen.sort_unstable_by_key(|r| (r.a, r.b));
    // Chain runs: (a_start, a_end, b_start, b_end, matched)
    let mut chains: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
    for r in chosen {
        if let Some(last) = chains.last_mut() {
            let gap_a = r.a as isize - last.1 as isize;
            let gap_b = r.b as isize - last.3 as isize;
            if (0..=config.max_gap as isize).contains(&gap_a)
                && (0..=config.max_gap as isize).contains(&gap_b)
            {
                last.1 = r.a + r.len;
                last.3 = r.b + r.len;
                last.4 += r.len;
                continue;
            }
        }
        chains.push((r.a, r.a + r.len, r.b, r.b + r.len, r.len));
    }
    chains
        .into_iter()
        .filter(|c| c.4 >= config.min_tokens)
        .map(|(a0, a1, b0, b1, matched)| Passage {
            a: doc_a.tokens[ia[a0] as usize].text_range.start
                ..doc_a.tokens[ia[a1 - 1] as usize].text_range.end,
            b: doc_b.tokens[ib[b0] as usize].text_range.start
                ..doc_b.tokens[ib[b1 - 1] as usize].text_range.end,
            tokens: matched,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocId;
    use crate::normalize::tokenize;

    fn doc(text: &str) -> NormDoc {
        let tokens = tokenize(text);
        NormDoc {
            id: DocId(0),
            suppressed: vec![false; tokens.len()],
            exact_hash: 0,
            tokens,
        }
    }

    #[test]
    fn finds_a_shared_passage_with_a_changed_word_and_maps_bytes() {
        let a = "Intro text here. The minister said talks would resume on Monday in Geneva after a long pause. Other stuff.";
        let b = "Completely different opening words! The Minister said talks would resume on Tuesday in Geneva after a long pause. End.";
        let p = passages(&doc(a), &doc(b), AlignConfig::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            &a[p[0].a.clone()],
            "The minister said talks would resume on Monday in Geneva after a long pause"
        );
        assert_eq!(
            &b[p[0].b.clone()],
            "The Minister said talks would resume on Tuesday in Geneva after a long pause"
        );
        assert_eq!(p[0].tokens, 13); // 14 words, one changed
    }

    /// The hash-map seed index this module used before, as an oracle.
    fn exact_runs_naive(a: &[u64], b: &[u64]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        if a.len() < SEED_TOKENS || b.len() < SEED_TOKENS {
            return out;
        }
        let mut seeds: std::collections::HashMap<&[u64], Vec<usize>> = Default::default();
        for j in 0..=b.len() - SEED_TOKENS {
            let v = seeds.entry(&b[j..j + SEED_TOKENS]).or_default();
            if v.len() < MAX_SEED_POSITIONS {
                v.push(j);
            }
        }
        let mut covered: std::collections::HashMap<isize, usize> = Default::default();
        for i in 0..=a.len() - SEED_TOKENS {
            let Some(js) = seeds.get(&a[i..i + SEED_TOKENS]) else {
                continue;
            };
            for &j in js {
                let diag = i as isize - j as isize;
                if covered.get(&diag).is_some_and(|&end| i < end) {
                    continue;
                }
                let mut len = SEED_TOKENS;
                while i + len < a.len() && j + len < b.len() && a[i + len] == b[j + len] {
                    len += 1;
                }
                covered.insert(diag, i + len);
                out.push((i, j, len));
            }
        }
        out
    }

    proptest::proptest! {
        /// The sorted seed index finds exactly the runs of the hash-map one,
        /// on repetitive texts too (few distinct tokens, many seed repeats).
        #[test]
        fn exact_runs_match_the_hash_map_oracle(
            a in proptest::collection::vec(0u64..4, 0..80),
            b in proptest::collection::vec(0u64..4, 0..80),
        ) {
            let got: Vec<_> = exact_runs(&a, &b).iter().map(|r| (r.a, r.b, r.len)).collect();
            proptest::prop_assert_eq!(got, exact_runs_naive(&a, &b));
        }
    }

    #[test]
    fn unrelated_texts_share_nothing() {
        let p = passages(
            &doc("one two three four five six seven eight nine"),
            &doc("ten eleven twelve"),
            AlignConfig::default(),
        );
        assert!(p.is_empty());
        assert!(passages(&doc(""), &doc(""), AlignConfig::default()).is_empty());
    }
}

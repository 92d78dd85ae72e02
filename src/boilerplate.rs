//! Boilerplate suppression: lines that recur across many documents of a batch
//! (site navigation, newsletter prompts, copyright lines) are not evidence.
//!
//! Input: each document's [`line_hashes`]. Output: each document's
//! boilerplate lines ([`boilerplate_lines`]), whose tokens [`mark`] suppresses;
//! the documents' tokens need not be held meanwhile.
//!
//! A line is boilerplate when its normalised text occurs in at least
//! `max(min_docs, min_fraction · N)` documents and it is short (at most
//! [`MAX_BOILERPLATE_TOKENS`] tokens). Long recurring lines are wire-copy
//! paragraphs, the very evidence of syndication, so they are never suppressed.

use crate::hash::stable64_words;
use crate::model::NormDoc;
use ahash::AHashSet;
use rayon::prelude::*;

/// Lines longer than this are never boilerplate.
pub const MAX_BOILERPLATE_TOKENS: usize = 40;

/// `(line number, hash of the line's token sequence)`, one per non-empty
/// line of at most [`MAX_BOILERPLATE_TOKENS`] tokens: what [`boilerplate_lines`]
/// needs of a document, so its tokens can be dropped meanwhile.
/// `hash_of(i)` is the hash of the document's token `i`: the hashes the
/// shingles are made from, when they are at hand, so that each token is
/// hashed once for both. The line hashes are only compared within a
/// batch, so any one seed serves.
pub fn line_hashes(doc: &NormDoc, hash_of: impl Fn(usize) -> u64) -> Vec<(u32, u64)> {
    line_hashes_by(doc.tokens.len(), |t| doc.tokens[t].line, hash_of)
}

/// [`line_hashes`] of `n` tokens, token `t` on line `line_of(t)`.
pub fn line_hashes_by(
    n: usize,
    line_of: impl Fn(usize) -> u32,
    hash_of: impl Fn(usize) -> u64,
) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    let mut words = [0u64; MAX_BOILERPLATE_TOKENS];
    let mut start = 0;
    while start < n {
        let line = line_of(start);
        let mut end = start + 1;
        while end < n && line_of(end) == line {
            end += 1;
        }
        let len = end - start;
        if len <= MAX_BOILERPLATE_TOKENS {
            for (j, w) in words[..len].iter_mut().enumerate() {
                *w = hash_of(start + j);
            }
            out.push((line, stable64_words(&words[..len], len as u64)));
        }
        start = end;
    }
    out
}

/// The boilerplate lines of every document (sorted line numbers), from the
/// documents' [`line_hashes`].
pub fn boilerplate_lines(
    per_doc: &[Vec<(u32, u64)>],
    min_docs: usize,
    min_fraction: f64,
) -> Vec<Box<[u32]>> {
    let cut = (min_docs as f64)
        .max(min_fraction * per_doc.len() as f64)
        .ceil() as usize;
    // Each document's distinct line hashes, all in one list, sorted: a
    // line's run of hashes is as long as the number of documents holding
    // it. (A map from hash to count, filled one document after another,
    // took a second for a million documents.)
    let mut all: Vec<u64> = per_doc
        .par_iter()
        .flat_map_iter(|lines| {
            let mut hashes: Vec<u64> = lines.iter().map(|&(_, h)| h).collect();
            hashes.sort_unstable();
            hashes.dedup();
            hashes
        })
        .collect();
    all.par_sort_unstable();
    let common: AHashSet<u64> = all
        .chunk_by(|x, y| x == y)
        .filter(|run| run.len() >= cut)
        .map(|run| run[0])
        .collect();
    drop(all);
    per_doc
        .par_iter()
        .map(|lines| {
            let mut bad: Vec<u32> = lines
                .iter()
                .filter(|(_, h)| common.contains(h))
                .map(|&(line, _)| line)
                .collect();
            bad.sort_unstable();
            bad.dedup();
            bad.into_boxed_slice()
        })
        .collect()
}

/// Marks the tokens of `doc` on the lines `bad` (sorted) as suppressed.
pub fn mark(doc: &mut NormDoc, bad: &[u32]) {
    if bad.is_empty() {
        return;
    }
    for (t, s) in doc.tokens.iter().zip(doc.suppressed.iter_mut()) {
        if bad.binary_search(&t.line).is_ok() {
            *s = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::{token_hash, token_hashes};

    /// Marks tokens on boilerplate lines; returns how many line occurrences were suppressed.
    fn suppress(docs: &mut [NormDoc], min_docs: usize, min_fraction: f64) -> usize {
        let per_doc: Vec<Vec<(u32, u64)>> = docs
            .par_iter()
            .map(|d| line_hashes(d, |i| token_hash(&d.tokens[i].norm, 0)))
            .collect();
        let bad = boilerplate_lines(&per_doc, min_docs, min_fraction);
        for (doc, lines) in docs.iter_mut().zip(&bad) {
            mark(doc, lines);
        }
        bad.iter().map(|lines| lines.len()).sum()
    }

    proptest::proptest! {
        /// A line is boilerplate in every document holding it once as many
        /// documents as the cut hold it, however often one document
        /// repeats it (oracle: each document's lines counted one by one).
        #[test]
        fn lines_held_by_enough_documents_are_boilerplate(
            per_doc in proptest::collection::vec(
                proptest::collection::vec((0u32..30, 0u64..12), 0..12),
                0..40,
            ),
            min_docs in 1usize..8,
            min_fraction in 0.0f64..0.3,
        ) {
            let cut = (min_docs as f64).max(min_fraction * per_doc.len() as f64).ceil() as usize;
            let holders =
                |h: u64| per_doc.iter().filter(|l| l.iter().any(|&(_, x)| x == h)).count();
            let want: Vec<Box<[u32]>> = per_doc
                .iter()
                .map(|lines| {
                    let mut bad: Vec<u32> = lines
                        .iter()
                        .filter(|&&(_, h)| holders(h) >= cut)
                        .map(|&(line, _)| line)
                        .collect();
                    bad.sort_unstable();
                    bad.dedup();
                    bad.into_boxed_slice()
                })
                .collect();
            proptest::prop_assert_eq!(boilerplate_lines(&per_doc, min_docs, min_fraction), want);
        }
    }

    fn doc(i: u32, text: &str) -> NormDoc {
        NormDoc::for_test(i, text)
    }

    #[test]
    fn a_line_hashes_its_own_tokens_whatever_lines_come_before() {
        let long = vec!["word"; MAX_BOILERPLATE_TOKENS + 5].join(" ");
        let alone = doc(0, "Subscribe to our newsletter");
        let after = doc(
            1,
            &format!("{long}\nFirst line\n\n{long}\nSubscribe to our newsletter"),
        );
        let hashes = |d: &NormDoc| {
            let all = token_hashes(d, 7);
            line_hashes(d, |i| all[i])
        };
        let want = hashes(&alone)[0].1;
        // The long lines have no hash; the short ones keep their line numbers.
        let got = hashes(&after);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, 1);
        assert_eq!(got[1], (4, want));
        assert_ne!(got[0].1, want);
    }

    #[test]
    fn recurring_short_lines_are_suppressed_and_unique_lines_kept() {
        let mut docs: Vec<NormDoc> = (0..6)
            .map(|i| {
                doc(
                    i,
                    &format!("Subscribe to our newsletter\nStory number {i} about things\n"),
                )
            })
            .collect();
        let n = suppress(&mut docs, 5, 0.0);
        assert_eq!(n, 6);
        for d in &docs {
            assert_eq!(
                d.suppressed,
                [true, true, true, true, false, false, false, false, false]
            );
        }
        let mut few: Vec<NormDoc> = (0..4)
            .map(|i| doc(i, "Subscribe to our newsletter\nx"))
            .collect();
        assert_eq!(suppress(&mut few, 5, 0.0), 0);
    }
}

//! Exact verification and labelling of candidate pairs.
//!
//! Input: [`Candidate`]s and the per-document features (shingle sets, term
//! vectors, exact hashes). Output: one [`VerifiedPair`] per candidate with
//! exact scores (no estimates) and a label:
//!
//! | label | rule (defaults in [`crate::Params`]) |
//! | --- | --- |
//! | `exact` | equal normalised token streams |
//! | `near-copy` | half the smaller text is copied: shingle containment of the smaller in the larger ≥ 0.5, or passage coverage ≥ 0.5 (shared passages tolerate an edited word, which breaks five shingles) |
//! | `partial-copy` | ≥ 8 shared shingles (a passage of ~12 words) and containment ≥ 0.03, or ≥ 40 shared shingles whatever the containment (a long passage in a long text), unless the rest of the two texts is the same story (residual cosine ≥ 0.25: a rewrite that quotes the same words) |
//! | `rewrite` | story cosine ≥ 0.42, or ≥ 0.25 with at least 2 shared shingles (a kept phrase or quotation supports it) |
//!
//! The *residual* story similarity is the cosine of the two term vectors built
//! without the shared passages. It tells a rewrite that shares a quotation
//! (the rest still tells the same story) from a roundup that carries two
//! paragraphs of a story (the rest is about other things).
//!
//! Pairs that meet none of these keep `label: None`: they are not reported,
//! but their story similarity still informs clustering.

use crate::align::{passages, AlignConfig};
use crate::docs::Docs;
use crate::model::{
    Candidate, Label, NormDoc, Passage, Scores, ShingleSet, TermVector, VerifiedPair,
};
use crate::params::Params;
use crate::shingle::intersection_size;
use crate::terms::{cosine, term_counts_where, weigh, TermOccurrences, TermWeights};
use rayon::prelude::*;
use std::sync::OnceLock;

/// What verification needs of each document.
pub struct Features<'a> {
    /// Normalised documents (for alignment and residual similarity).
    pub docs: Docs<'a>,
    /// Headlines.
    pub titles: &'a [Option<&'a str>],
    /// Batch term statistics (`None` in copies mode).
    pub weights: Option<TermWeights<'a>>,
    /// Word-shingle sets.
    pub shingles: &'a [ShingleSet],
    /// Term vectors (empty in copies mode).
    pub terms: &'a [TermVector],
    /// Exact hashes (0 for an empty document).
    pub exact: &'a [u64],
    /// Per document, its term occurrences, filled the first time a residual
    /// similarity needs them (empty: recount from the tokens every time).
    pub occurrences: &'a [OnceLock<Option<TermOccurrences>>],
}

/// Exact scores of one pair.
pub fn scores(f: &Features<'_>, a: usize, b: usize) -> Scores {
    let (sa, sb) = (&f.shingles[a].0, &f.shingles[b].0);
    let shared = intersection_size(sa, sb);
    let union = sa.len() + sb.len() - shared;
    let smaller = sa.len().min(sb.len());
    let story = match (f.terms.get(a), f.terms.get(b)) {
        (Some(x), Some(y)) => cosine(x, y),
        _ => 0.0,
    };
    Scores {
        jaccard: if union == 0 {
            0.0
        } else {
            shared as f64 / union as f64
        },
        containment: if smaller == 0 {
            0.0
        } else {
            shared as f64 / smaller as f64
        },
        shared_shingles: shared,
        story,
        residual_story: story,
        coverage: if smaller == 0 {
            0.0
        } else {
            shared as f64 / smaller as f64
        },
    }
}

/// Share of the smaller document's (non-boilerplate) words that lie inside
/// the shared passages.
pub fn coverage(da: &NormDoc, db: &NormDoc, shared: &[Passage]) -> f64 {
    let words = |d: &NormDoc| d.suppressed.iter().filter(|&&s| !s).count();
    let smaller = words(da).min(words(db));
    if smaller == 0 {
        return 0.0;
    }
    let matched: usize = shared.iter().map(|p| p.tokens).sum();
    (matched as f64 / smaller as f64).min(1.0)
}

/// Story cosine of two documents without the passages they share.
pub fn residual_story(f: &Features<'_>, a: usize, b: usize, shared: &[Passage]) -> f64 {
    let Some(w) = &f.weights else { return 0.0 };
    let (da, db) = (f.docs.get(a), f.docs.get(b));
    fn outside(doc: &NormDoc, ranges: Vec<std::ops::Range<usize>>) -> impl Fn(usize) -> bool + '_ {
        move |i: usize| !ranges.iter().any(|r| r.contains(&doc.tokens[i].start()))
    }
    let keep_a = outside(&da, shared.iter().map(|p| p.a.clone()).collect());
    let keep_b = outside(&db, shared.iter().map(|p| p.b.clone()).collect());
    let counts = |d: usize, doc: &NormDoc, keep: &dyn Fn(usize) -> bool| {
        let occurrences = f.occurrences.get(d).and_then(|cell| {
            cell.get_or_init(|| TermOccurrences::new(doc, f.titles[d], w.seed))
                .as_ref()
        });
        match occurrences {
            Some(o) => o.counts_where(keep),
            None => term_counts_where(doc, f.titles[d], w.seed, keep),
        }
    };
    let va = weigh(&counts(a, &da, &keep_a), w.df, w.n_docs);
    let vb = weigh(&counts(b, &db, &keep_b), w.df, w.n_docs);
    cosine(&va, &vb)
}

/// The label a pair's scores earn, if any.
pub fn label(s: &Scores, same_text: bool, params: &Params) -> Option<Label> {
    if same_text {
        return Some(Label::Exact);
    }
    if s.containment.max(s.coverage) >= params.near_copy_containment && s.shared_shingles >= 2 {
        return Some(Label::NearCopy);
    }
    if s.shared_shingles >= params.partial_min_shingles
        && s.containment >= params.partial_min_containment
        || s.shared_shingles >= params.partial_long_shingles
    {
        return Some(if s.residual_story >= params.rewrite_supported_threshold {
            Label::Rewrite
        } else {
            Label::PartialCopy
        });
    }
    let supported = s.shared_shingles >= params.rewrite_min_shingles
        && s.story >= params.rewrite_supported_threshold;
    if s.story >= params.rewrite_threshold || supported {
        return Some(Label::Rewrite);
    }
    None
}

/// Ranking score of a labelled pair in [0, 1]: the evidence its label rests on.
pub fn rank_score(s: &Scores, label: Option<Label>) -> f64 {
    match label {
        Some(Label::Exact) => 1.0,
        Some(Label::NearCopy) => s.containment.max(s.coverage).max(s.story),
        Some(Label::PartialCopy) => s.containment,
        Some(Label::Rewrite) | None => s.story,
    }
}

/// Verifies every candidate (in parallel; output in candidate order).
pub fn verify(candidates: &[Candidate], f: &Features<'_>, params: &Params) -> Vec<VerifiedPair> {
    candidates
        .par_iter()
        .map(|c| {
            let (a, b) = (c.a.idx(), c.b.idx());
            let mut s = scores(f, a, b);
            // The passages are needed for the residual story similarity
            // (stories mode) and for the coverage of a copy-edited copy. Each
            // edited word breaks at most k shingles, so a copy with half its
            // words in passages keeps at least a quarter of its shingles
            // unless edits come more often than one word in ten: below that
            // containment the alignment is not worth its cost.
            let partial = s.shared_shingles >= params.partial_min_shingles
                && s.containment < params.near_copy_containment;
            let may_be_edited_copy = s.containment >= params.near_copy_containment / 2.0;
            if partial && (f.weights.is_some() || may_be_edited_copy) {
                let align = AlignConfig {
                    min_tokens: params.passage_min_tokens,
                    ..AlignConfig::default()
                };
                let (da, db) = (f.docs.get(a), f.docs.get(b));
                let shared = passages(&da, &db, align);
                s.coverage = coverage(&da, &db, &shared);
                s.residual_story = residual_story(f, a, b, &shared);
            }
            let same_text = f.exact[a] != 0 && f.exact[a] == f.exact[b];
            let label = label(&s, same_text, params);
            VerifiedPair {
                a: c.a,
                b: c.b,
                scores: s,
                label,
                score: rank_score(&s, label),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(containment: f64, shared: usize, story: f64) -> Scores {
        Scores {
            jaccard: 0.0,
            containment,
            shared_shingles: shared,
            story,
            residual_story: story,
            coverage: containment,
        }
    }

    #[test]
    fn labels_follow_the_documented_rules() {
        let p = Params::default();
        assert_eq!(label(&s(1.0, 100, 1.0), true, &p), Some(Label::Exact));
        assert_eq!(label(&s(0.9, 100, 0.9), false, &p), Some(Label::NearCopy));
        assert_eq!(label(&s(0.2, 40, 0.1), false, &p), Some(Label::PartialCopy));
        // A shared quotation inside a rewrite: the rest is the same story.
        assert_eq!(label(&s(0.1, 20, 0.5), false, &p), Some(Label::Rewrite));
        let roundup = Scores {
            residual_story: 0.05,
            ..s(0.2, 40, 0.4)
        };
        assert_eq!(label(&roundup, false, &p), Some(Label::PartialCopy));
        assert_eq!(label(&s(0.0, 0, 0.5), false, &p), Some(Label::Rewrite));
        // Same topic, no shared wording: not enough on its own.
        assert_eq!(label(&s(0.0, 0, 0.35), false, &p), None);
        // The same similarity backed by a shared phrase is.
        assert_eq!(label(&s(0.01, 3, 0.35), false, &p), Some(Label::Rewrite));
        assert_eq!(label(&s(0.01, 3, 0.1), false, &p), None);
        // A copy-edited copy: few intact shingles, but most words in passages.
        let edited = Scores {
            coverage: 0.7,
            ..s(0.3, 60, 0.6)
        };
        assert_eq!(label(&edited, false, &p), Some(Label::NearCopy));
    }
}

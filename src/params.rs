//! Everything that changes fingerprints, verification or clustering.
//!
//! [`Params`] is the one configuration struct of the pipeline; the CLI turns
//! its flags into one. [`Params::fingerprint`] summarises the parameters that
//! change stored fingerprints (the stability contract of DESIGN.md) as a
//! stable 64-bit id, so that sketches built differently are never compared.

use crate::hash::stable64;
use crate::lsh::Banding;
use crate::{Error, Result};
use serde::Serialize;

/// Version of the normaliser/fingerprint pipeline. Bump on any change that
/// alters tokens, shingles, terms or signatures.
pub const PIPELINE_VERSION: u32 = 1;

/// What the run looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Copies only (exact, near-copy, partial-copy): no story fingerprint.
    Copies,
    /// Copies and rewrites (default).
    Stories,
}

/// Which article of a story `dedup` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepPolicy {
    /// The longest body (ties: first in input).
    Longest,
    /// The earliest `published` (articles without a date come last; ties: first).
    Earliest,
    /// The first in input order.
    First,
}

/// Pipeline parameters. `Params::default()` gives the calibrated defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// Copies only, or copies and rewrites.
    pub mode: Mode,
    /// Words per shingle for the copy fingerprint.
    pub shingle_k: usize,
    /// MinHash slots of the copy fingerprint.
    pub copy_hashes: usize,
    /// Word-shingle Jaccard the copy LSH is tuned for.
    pub copy_threshold: f64,
    /// MinHash slots of the story fingerprint.
    pub story_hashes: usize,
    /// Weighted similarity the story LSH is tuned for.
    pub story_lsh_threshold: f64,
    /// Story-LSH candidates whose sketches agree on fewer slots are dropped
    /// before exact scoring (3 of 128: a weighted Jaccard estimate of 0.023).
    pub story_min_equal_slots: usize,
    /// Story-LSH candidates whose sketches agree on fewer slots are
    /// *faint*: a chance match on a few topic words, unless the two texts
    /// share a phrase. A faint pair that shares fewer shingles than any
    /// label but a rewrite on content terms alone needs is not reported;
    /// its story similarity is computed only if clustering needs it (both
    /// its articles are in one component of reported pairs). Faint pairs
    /// are most candidates: 5.5 M of the 8.7 M of corpus_100k (bench).
    pub story_sure_slots: usize,
    /// One in `anchor_rate` shingles (chosen by hash value) is a passage anchor.
    pub anchor_rate: u64,
    /// Pairs must share this many anchors to become partial-copy candidates.
    pub anchor_min_shared: usize,
    /// Band buckets or anchors shared by more documents than this are treated
    /// as boilerplate and do not propose pairs (keeps the candidate stage linear).
    pub max_bucket: usize,
    /// Seed of every hash.
    pub seed: u64,
    /// Containment (smaller in larger) at or above which a pair is a near-copy.
    pub near_copy_containment: f64,
    /// Minimum shared shingles for a partial copy.
    pub partial_min_shingles: usize,
    /// Minimum containment of the smaller in the larger for a partial copy.
    pub partial_min_containment: f64,
    /// Shared shingles that make a partial copy whatever the containment:
    /// a passage of ~45 words copied into a long unrelated text is a copy
    /// even when it is 1% of that text.
    pub partial_long_shingles: usize,
    /// Story cosine at or above which a pair is reported as a rewrite on
    /// content terms alone.
    pub rewrite_threshold: f64,
    /// Lower story cosine that is enough for a rewrite when the two texts
    /// also share verbatim runs (at least [`Params::rewrite_min_shingles`]
    /// shingles: a quotation, a phrase kept from the source).
    pub rewrite_supported_threshold: f64,
    /// Shared shingles that support a rewrite.
    pub rewrite_min_shingles: usize,
    /// Average-linkage threshold for merging stories.
    pub cluster_threshold: f64,
    /// Which article `dedup` keeps.
    pub keep: KeepPolicy,
    /// Lines that occur in at least this many documents (and in at least
    /// `boilerplate_min_fraction` of them) are boilerplate.
    pub boilerplate_min_docs: usize,
    /// See `boilerplate_min_docs`.
    pub boilerplate_min_fraction: f64,
    /// Minimum tokens of a shared passage.
    pub passage_min_tokens: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            mode: Mode::Stories,
            shingle_k: 5,
            copy_hashes: 128,
            copy_threshold: 0.5,
            story_hashes: 128,
            story_lsh_threshold: 0.1,
            story_min_equal_slots: 3,
            story_sure_slots: 5,
            anchor_rate: 4,
            anchor_min_shared: 2,
            max_bucket: 1000,
            seed: 0x6e65_7773_6475_7031, // "newsdup1"
            near_copy_containment: 0.5,
            partial_min_shingles: 8,
            partial_min_containment: 0.03,
            partial_long_shingles: 40,
            rewrite_threshold: 0.42,
            rewrite_supported_threshold: 0.25,
            rewrite_min_shingles: 2,
            cluster_threshold: 0.23,
            keep: KeepPolicy::Longest,
            boilerplate_min_docs: 10,
            boilerplate_min_fraction: 0.01,
            passage_min_tokens: 8,
        }
    }
}

/// A stable id of the parameters that change stored fingerprints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PipelineFingerprint(pub u64);

impl Params {
    /// Checks every parameter's range.
    pub fn validate(&self) -> Result<()> {
        let unit = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) && v.is_finite() {
                Ok(())
            } else {
                Err(Error::InvalidParams(format!(
                    "{name} must be within 0..=1, got {v}"
                )))
            }
        };
        if !(1..=16).contains(&self.shingle_k) {
            return Err(Error::InvalidParams(format!(
                "shingle size k must be within 1..=16, got {}",
                self.shingle_k
            )));
        }
        for (name, v) in [
            ("copy hashes", self.copy_hashes),
            ("story hashes", self.story_hashes),
        ] {
            if !(8..=1024).contains(&v) {
                return Err(Error::InvalidParams(format!(
                    "{name} must be within 8..=1024, got {v}"
                )));
            }
        }
        unit("copy threshold", self.copy_threshold)?;
        unit("story LSH threshold", self.story_lsh_threshold)?;
        unit("near-copy containment", self.near_copy_containment)?;
        unit("partial containment", self.partial_min_containment)?;
        unit("rewrite threshold", self.rewrite_threshold)?;
        unit(
            "supported rewrite threshold",
            self.rewrite_supported_threshold,
        )?;
        unit("cluster threshold", self.cluster_threshold)?;
        unit("boilerplate fraction", self.boilerplate_min_fraction)?;
        if self.copy_threshold <= 0.0 || self.story_lsh_threshold <= 0.0 {
            return Err(Error::InvalidParams(
                "LSH thresholds must be above 0".into(),
            ));
        }
        if self.anchor_rate == 0 || self.max_bucket < 2 || self.anchor_min_shared == 0 {
            return Err(Error::InvalidParams(
                "anchor rate, anchor minimum and bucket cap must be positive".into(),
            ));
        }
        Ok(())
    }

    /// Banding of the copy fingerprint, derived from its threshold.
    pub fn copy_banding(&self) -> Banding {
        Banding::optimal(self.copy_threshold, self.copy_hashes, 0.5, 0.5)
    }

    /// Banding of the story fingerprint: recall matters more than precision
    /// here, because every candidate is verified exactly afterwards.
    pub fn story_banding(&self) -> Banding {
        Banding::optimal(self.story_lsh_threshold, self.story_hashes, 0.2, 0.8)
    }

    /// The stable id of everything that changes fingerprints: pipeline and
    /// Unicode versions, stemmers, stopword lists, language detection, k, hash counts, banding, seed.
    pub fn fingerprint(&self) -> PipelineFingerprint {
        let copy = self.copy_banding();
        let story = self.story_banding();
        let text = format!(
            "v{}|unicode {:?}|stemmers {}|stop {:016x}|lang {}|k {}|copy {} {}x{}|story {} {}x{}|anchor {}|seed {:016x}",
            PIPELINE_VERSION,
            unicode_normalization::UNICODE_VERSION,
            crate::lang::STEMMERS,
            crate::lang::stopword_lists_hash(),
            crate::lang::DETECTION,
            self.shingle_k,
            self.copy_hashes,
            copy.bands,
            copy.rows,
            self.story_hashes,
            story.bands,
            story.rows,
            self.anchor_rate,
            self.seed
        );
        PipelineFingerprint(stable64(text.as_bytes(), 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Params::default().validate().unwrap();
    }

    #[test]
    fn out_of_range_is_rejected() {
        let p = Params {
            copy_threshold: 1.5,
            ..Params::default()
        };
        assert!(matches!(p.validate(), Err(Error::InvalidParams(_))));
        let p = Params {
            shingle_k: 0,
            ..Params::default()
        };
        assert!(p.validate().is_err());
    }

    #[test]
    fn fingerprint_changes_with_parameters_that_change_sketches() {
        let a = Params::default();
        let b = Params {
            shingle_k: 4,
            ..Params::default()
        };
        let c = Params {
            rewrite_threshold: 0.42,
            rewrite_supported_threshold: 0.25,
            rewrite_min_shingles: 2,
            ..Params::default()
        };
        assert_ne!(a.fingerprint(), b.fingerprint());
        // Label thresholds do not change stored sketches.
        assert_eq!(a.fingerprint(), c.fingerprint());
    }
}

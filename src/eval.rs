//! Scoring a run against labelled truth, with the same measures as
//! `shared/eval/score.py`: story clusters (B-cubed, pairwise, ARI), pair
//! detection per truth label (recall, and precision/recall/F1 for chosen
//! positive and negative labels), a confusion table of truth labels against
//! reported labels, and a threshold sweep.

use crate::ingest::TruthPair;
use crate::pipeline::{self, Evidence, NoProgress, RunReport};
use crate::{Article, Params, Result};
use ahash::AHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// The column of the confusion table for truth pairs that were not reported.
pub const UNREPORTED: &str = "unreported";

/// Story-cluster scores over the documents that carry a truth label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClusterScores {
    /// Documents scored (those with a truth label).
    pub docs: usize,
    /// Distinct truth stories among them.
    pub true_clusters: usize,
    /// Distinct predicted stories among them.
    pub pred_clusters: usize,
    /// B-cubed precision.
    pub bcubed_p: f64,
    /// B-cubed recall.
    pub bcubed_r: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
    /// Pairwise precision (same-story pairs).
    pub pair_p: f64,
    /// Pairwise recall.
    pub pair_r: f64,
    /// Pairwise F1.
    pub pair_f1: f64,
    /// Adjusted Rand index.
    pub ari: f64,
}

/// Scores predicted clusters against truth stories. `truth` maps a document
/// to its story; `pred` maps a document to its predicted cluster (documents
/// absent from `pred` count as singletons). Only documents in `truth` are scored.
pub fn cluster_scores<S: AsRef<str>>(
    truth: &[(S, S)],
    pred: &AHashMap<&str, usize>,
) -> ClusterScores {
    #[derive(PartialEq, Eq, Hash, Clone, Copy)]
    enum Pred<'a> {
        Cluster(usize),
        Alone(&'a str),
    }
    let docs: Vec<(&str, Pred)> = truth
        .iter()
        .map(|(d, t)| {
            let d = d.as_ref();
            (
                t.as_ref(),
                pred.get(d).map_or(Pred::Alone(d), |&c| Pred::Cluster(c)),
            )
        })
        .collect();
    let n = docs.len();
    let mut t_size: AHashMap<&str, usize> = AHashMap::new();
    let mut p_size: AHashMap<Pred, usize> = AHashMap::new();
    let mut both: AHashMap<(&str, Pred), usize> = AHashMap::new();
    for &(t, p) in &docs {
        *t_size.entry(t).or_default() += 1;
        *p_size.entry(p).or_default() += 1;
        *both.entry((t, p)).or_default() += 1;
    }
    // B-cubed: per document, |T∩P|/|P| and |T∩P|/|T|, averaged.
    let (mut bp, mut br) = (0.0, 0.0);
    for &(t, p) in &docs {
        let inter = both[&(t, p)] as f64;
        bp += inter / p_size[&p] as f64;
        br += inter / t_size[&t] as f64;
    }
    let (bp, br) = if n > 0 {
        (bp / n as f64, br / n as f64)
    } else {
        (0.0, 0.0)
    };
    let comb2 = |k: usize| (k * k.saturating_sub(1) / 2) as f64;
    let same_both: f64 = both.values().map(|&k| comb2(k)).sum();
    let same_t: f64 = t_size.values().map(|&k| comb2(k)).sum();
    let same_p: f64 = p_size.values().map(|&k| comb2(k)).sum();
    let pair_p = if same_p > 0.0 {
        same_both / same_p
    } else {
        1.0
    };
    let pair_r = if same_t > 0.0 {
        same_both / same_t
    } else {
        1.0
    };
    let total = comb2(n);
    let expected = if total > 0.0 {
        same_t * same_p / total
    } else {
        0.0
    };
    let max_index = (same_t + same_p) / 2.0;
    let ari = if max_index != expected {
        (same_both - expected) / (max_index - expected)
    } else {
        1.0
    };
    ClusterScores {
        docs: n,
        true_clusters: t_size.len(),
        pred_clusters: p_size.len(),
        bcubed_p: bp,
        bcubed_r: br,
        bcubed_f1: f1(bp, br),
        pair_p,
        pair_r,
        pair_f1: f1(pair_p, pair_r),
        ari,
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// How many truth pairs of one label were reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelRecall {
    /// Reported.
    pub found: usize,
    /// In the truth.
    pub total: usize,
    /// found / total.
    pub rate: f64,
}

/// Pair-detection scores against labelled pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairScores {
    /// Per truth label, how many of its pairs were reported.
    pub per_label: BTreeMap<String, LabelRecall>,
    /// Labels counted as positives (empty: no precision/recall computed).
    pub positive: Vec<String>,
    /// Labels counted as negatives.
    pub negative: Vec<String>,
    /// Reported positives / all reported pairs of positive or negative labels.
    pub precision: Option<f64>,
    /// Reported positives / all positives.
    pub recall: Option<f64>,
    /// Harmonic mean of precision and recall.
    pub f1: Option<f64>,
    /// Truth label → reported label (or [`UNREPORTED`]) → count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Scores the report's pairs against labelled truth pairs. With `positive`
/// labels, precision/recall/F1 count reported positives as true positives
/// and reported `negative` pairs as false positives (`negative` empty: every
/// other truth label).
pub fn pair_scores(
    truth: &[TruthPair],
    report: &RunReport,
    positive: &[String],
    negative: &[String],
) -> PairScores {
    let mut reported: AHashMap<(&str, &str), &'static str> = AHashMap::new();
    for p in &report.pairs {
        let a = &*report.documents[p.a.idx()].id;
        let b = &*report.documents[p.b.idx()].id;
        let key = if a <= b { (a, b) } else { (b, a) };
        reported.insert(key, p.label.as_str());
    }
    let mut per_label: BTreeMap<String, LabelRecall> = BTreeMap::new();
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for t in truth {
        let (a, b) = (t.a.as_str(), t.b.as_str());
        let key = if a <= b { (a, b) } else { (b, a) };
        let got = reported.get(&key).copied();
        let e = per_label.entry(t.label.clone()).or_insert(LabelRecall {
            found: 0,
            total: 0,
            rate: 0.0,
        });
        e.total += 1;
        e.found += usize::from(got.is_some());
        *confusion
            .entry(t.label.clone())
            .or_default()
            .entry(got.unwrap_or(UNREPORTED).to_string())
            .or_default() += 1;
    }
    for e in per_label.values_mut() {
        e.rate = e.found as f64 / e.total as f64;
    }
    let mut scores = PairScores {
        per_label,
        positive: positive.to_vec(),
        negative: Vec::new(),
        precision: None,
        recall: None,
        f1: None,
        confusion,
    };
    if !positive.is_empty() {
        let negative: Vec<String> = if negative.is_empty() {
            scores
                .per_label
                .keys()
                .filter(|k| !positive.contains(k))
                .cloned()
                .collect()
        } else {
            negative.to_vec()
        };
        let count = |labels: &[String], f: fn(&LabelRecall) -> usize| -> usize {
            labels
                .iter()
                .filter_map(|l| scores.per_label.get(l))
                .map(f)
                .sum()
        };
        let tp = count(positive, |e| e.found);
        let fn_ = count(positive, |e| e.total - e.found);
        let fp = count(&negative, |e| e.found);
        let p = if tp + fp > 0 {
            tp as f64 / (tp + fp) as f64
        } else {
            1.0
        };
        let r = if tp + fn_ > 0 {
            tp as f64 / (tp + fn_) as f64
        } else {
            1.0
        };
        scores.precision = Some(p);
        scores.recall = Some(r);
        scores.f1 = Some(f1(p, r));
        scores.negative = negative;
    }
    scores
}

/// What to score a run against.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// Document id → truth story (documents without one are not scored).
    pub stories: Vec<(String, String)>,
    /// Labelled pairs.
    pub pairs: Vec<TruthPair>,
    /// Pair labels counted as positives.
    pub positive: Vec<String>,
    /// Pair labels counted as negatives (empty: all others).
    pub negative: Vec<String>,
}

/// The scores of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Story-cluster scores (when truth stories were given).
    pub clusters: Option<ClusterScores>,
    /// Pair scores (when truth pairs were given).
    pub pairs: Option<PairScores>,
}

/// Scores one report.
pub fn evaluate(report: &RunReport, truth: &Truth) -> Evaluation {
    let clusters = (!truth.stories.is_empty()).then(|| {
        let pred: AHashMap<&str, usize> = report
            .documents
            .iter()
            .map(|d| (&*d.id, d.cluster))
            .collect();
        cluster_scores(&truth.stories, &pred)
    });
    let pairs = (!truth.pairs.is_empty())
        .then(|| pair_scores(&truth.pairs, report, &truth.positive, &truth.negative));
    Evaluation { clusters, pairs }
}

/// The thresholds a sweep varies.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepGrid {
    /// Story clustering thresholds ([`Params::cluster_threshold`]).
    pub cluster: Vec<f64>,
    /// Rewrite thresholds ([`Params::rewrite_threshold`]); the supported
    /// rewrite threshold is capped at each value.
    pub rewrite: Vec<f64>,
    /// Copy thresholds ([`Params::near_copy_containment`]).
    pub copy: Vec<f64>,
}

impl Default for SweepGrid {
    fn default() -> Self {
        SweepGrid {
            cluster: vec![0.15, 0.19, 0.23, 0.27, 0.31, 0.35],
            rewrite: vec![0.30, 0.36, 0.42, 0.48, 0.54],
            copy: vec![0.3, 0.5, 0.7],
        }
    }
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepRow {
    /// The story clustering threshold.
    pub cluster_threshold: f64,
    /// The rewrite threshold.
    pub rewrite_threshold: f64,
    /// The near-copy containment threshold.
    pub near_copy: f64,
    /// Pairs reported.
    pub pairs_reported: usize,
    /// Stories with more than one article.
    pub multi_article_stories: usize,
    /// The scores at this point.
    #[serde(flatten)]
    pub scores: Evaluation,
}

/// Runs the pipeline once per grid point (the full product of the three
/// lists; a list left empty keeps `base`'s value) and scores each run.
/// A threshold that only moves labels or clusters still re-runs the whole
/// pipeline: simple, and fast enough for labelled samples of thousands.
pub fn sweep(
    articles: &[Article],
    base: &Params,
    grid: &SweepGrid,
    truth: &Truth,
) -> Result<Vec<SweepRow>> {
    let or_base = |v: &[f64], b: f64| if v.is_empty() { vec![b] } else { v.to_vec() };
    let cluster = or_base(&grid.cluster, base.cluster_threshold);
    let rewrite = or_base(&grid.rewrite, base.rewrite_threshold);
    let copy = or_base(&grid.copy, base.near_copy_containment);
    let mut rows = Vec::with_capacity(cluster.len() * rewrite.len() * copy.len());
    for &c in &cluster {
        for &r in &rewrite {
            for &k in &copy {
                let params = Params {
                    cluster_threshold: c,
                    rewrite_threshold: r,
                    rewrite_supported_threshold: base.rewrite_supported_threshold.min(r),
                    near_copy_containment: k,
                    ..base.clone()
                };
                let report =
                    pipeline::run_with_progress(articles, &params, Evidence::Top(0), &NoProgress)?;
                rows.push(SweepRow {
                    cluster_threshold: c,
                    rewrite_threshold: r,
                    near_copy: k,
                    pairs_reported: report.pairs.len(),
                    multi_article_stories: report.stats.multi_article_stories,
                    scores: evaluate(&report, truth),
                });
            }
        }
    }
    Ok(rows)
}

/// The truth story of each article, from the field `field` of its JSON
/// record (articles read with `keep_raw`). Null and empty values are not
/// labels; numbers and other values count by their JSON text.
pub fn truth_stories(articles: &[Article], field: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for a in articles {
        let Some(raw) = a.raw_line()? else { continue };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&raw) else {
            continue;
        };
        let label = match value.get(field) {
            None | Some(serde_json::Value::Null) => continue,
            Some(serde_json::Value::String(s)) if s.is_empty() => continue,
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        out.push((a.key.to_string(), label));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(v: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        v.to_vec()
    }

    #[test]
    fn perfect_clustering_scores_one() {
        let t = truth(&[("a", "x"), ("b", "x"), ("c", "y")]);
        let pred: AHashMap<&str, usize> = [("a", 0), ("b", 0), ("c", 1)].into_iter().collect();
        let s = cluster_scores(&t, &pred);
        assert_eq!((s.bcubed_f1, s.pair_f1, s.ari), (1.0, 1.0, 1.0));
    }

    #[test]
    fn merged_clusters_lose_precision_not_recall() {
        // Truth {a,b} {c,d}; predicted one cluster of four.
        let t = truth(&[("a", "x"), ("b", "x"), ("c", "y"), ("d", "y")]);
        let pred: AHashMap<&str, usize> = [("a", 0), ("b", 0), ("c", 0), ("d", 0)]
            .into_iter()
            .collect();
        let s = cluster_scores(&t, &pred);
        assert_eq!(s.bcubed_r, 1.0);
        assert_eq!(s.bcubed_p, 0.5);
        assert!((s.pair_p - 2.0 / 6.0).abs() < 1e-12);
        // ARI of an all-in-one clustering is 0.
        assert!(s.ari.abs() < 1e-12, "{}", s.ari);
    }

    #[test]
    fn documents_missing_from_the_prediction_are_singletons() {
        let t = truth(&[("a", "x"), ("b", "x")]);
        let pred: AHashMap<&str, usize> = [("a", 0)].into_iter().collect();
        let s = cluster_scores(&t, &pred);
        assert_eq!(s.pred_clusters, 2);
        assert_eq!(s.bcubed_r, 0.5);
    }
}

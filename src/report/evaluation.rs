//! Renderings of [`crate::eval`] results: a plain-text table for people and
//! one JSON object for scripts.

use crate::eval::{Evaluation, SweepRow, UNREPORTED};
use crate::Label;
use serde::Serialize;
use std::io::Write;

/// Writes one evaluation as text.
pub fn write_text(e: &Evaluation, mut out: impl Write) -> std::io::Result<()> {
    if let Some(c) = &e.clusters {
        writeln!(
            out,
            "story clusters: {} documents, {} true stories, {} predicted",
            c.docs, c.true_clusters, c.pred_clusters
        )?;
        writeln!(
            out,
            "  {:<10} {:>9} {:>9} {:>9}",
            "", "precision", "recall", "F1"
        )?;
        writeln!(
            out,
            "  {:<10} {:>9.4} {:>9.4} {:>9.4}",
            "B-cubed", c.bcubed_p, c.bcubed_r, c.bcubed_f1
        )?;
        writeln!(
            out,
            "  {:<10} {:>9.4} {:>9.4} {:>9.4}",
            "pairwise", c.pair_p, c.pair_r, c.pair_f1
        )?;
        writeln!(out, "  ARI {:.4}", c.ari)?;
    }
    if let Some(p) = &e.pairs {
        writeln!(out, "labelled pairs reported, per truth label:")?;
        for (label, r) in &p.per_label {
            writeln!(
                out,
                "  {label:<16} {:>6} / {:<6} {:>6.1} %",
                r.found,
                r.total,
                100.0 * r.rate
            )?;
        }
        if let (Some(pr), Some(rc), Some(f)) = (p.precision, p.recall, p.f1) {
            writeln!(
                out,
                "positive {} vs negative {}: precision {pr:.4}  recall {rc:.4}  F1 {f:.4}",
                p.positive.join(","),
                if p.negative.is_empty() {
                    "(none)".to_string()
                } else {
                    p.negative.join(",")
                }
            )?;
        }
        let columns: Vec<&str> = Label::ALL
            .iter()
            .map(|l| l.as_str())
            .chain([UNREPORTED])
            .collect();
        writeln!(out, "truth label × reported label:")?;
        write!(out, "  {:<16}", "")?;
        for c in &columns {
            write!(out, " {c:>12}")?;
        }
        writeln!(out)?;
        for (truth, row) in &p.confusion {
            write!(out, "  {truth:<16}")?;
            for c in &columns {
                write!(out, " {:>12}", row.get(*c).copied().unwrap_or(0))?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Writes a sweep as a text table, one row per grid point; the row with the
/// best story B-cubed F1 (or, without story truth, the best pair F1) is
/// marked with `*`.
pub fn write_sweep_text(rows: &[SweepRow], mut out: impl Write) -> std::io::Result<()> {
    let best = best_row(rows);
    write!(
        out,
        "  {:>7} {:>7} {:>9} {:>7} {:>7}",
        "cluster", "rewrite", "near-copy", "pairs", "stories"
    )?;
    let has_clusters = rows.iter().any(|r| r.scores.clusters.is_some());
    let has_prf = rows
        .iter()
        .any(|r| r.scores.pairs.as_ref().is_some_and(|p| p.f1.is_some()));
    if has_clusters {
        write!(
            out,
            " {:>8} {:>8} {:>8} {:>8}",
            "B3-P", "B3-R", "B3-F1", "ARI"
        )?;
    }
    if has_prf {
        write!(out, " {:>8} {:>8} {:>8}", "pair-P", "pair-R", "pair-F1")?;
    }
    writeln!(out)?;
    for (i, r) in rows.iter().enumerate() {
        let mark = if Some(i) == best { '*' } else { ' ' };
        write!(
            out,
            "{mark} {:>7.2} {:>7.2} {:>9.2} {:>7} {:>7}",
            r.cluster_threshold,
            r.rewrite_threshold,
            r.near_copy,
            r.pairs_reported,
            r.multi_article_stories
        )?;
        if let Some(c) = &r.scores.clusters {
            write!(
                out,
                " {:>8.4} {:>8.4} {:>8.4} {:>8.4}",
                c.bcubed_p, c.bcubed_r, c.bcubed_f1, c.ari
            )?;
        }
        if let Some(p) = &r.scores.pairs {
            if let (Some(pr), Some(rc), Some(f)) = (p.precision, p.recall, p.f1) {
                write!(out, " {pr:>8.4} {rc:>8.4} {f:>8.4}")?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The index of the best row: highest story B-cubed F1, else highest pair
/// F1; the first such row on ties.
pub fn best_row(rows: &[SweepRow]) -> Option<usize> {
    let key = |r: &SweepRow| {
        r.scores
            .clusters
            .map(|c| c.bcubed_f1)
            .or_else(|| r.scores.pairs.as_ref().and_then(|p| p.f1))
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, r) in rows.iter().enumerate() {
        if let Some(k) = key(r) {
            if best.is_none_or(|(_, b)| k > b) {
                best = Some((i, k));
            }
        }
    }
    best.map(|(i, _)| i)
}

/// Writes any serialisable result as one JSON object and a newline.
pub fn write_json(value: &impl Serialize, mut out: impl Write) -> std::io::Result<()> {
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)
}

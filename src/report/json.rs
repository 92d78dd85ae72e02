//! The canonical JSON report (`"schema": 1`).
//!
//! ```json
//! {"schema": 1, "tool": "newsdup 0.1.0", "fingerprint": "…", "params": {…},
//!  "stats": {…},
//!  "documents": [{"id", "title", "origin", "source", "url", "published", "bytes", "tokens", "lang", "cluster"}],
//!  "clusters": [{"cluster": 0, "representative": "id", "members": ["id", …]}],
//!  "pairs": [{"id_a", "id_b", "label", "score", "jaccard", "containment", "shared_shingles", "story",
//!             "passages": [{"a_start", "a_end", "b_start", "b_end", "tokens", "kind", "text_a", "text_b"}],
//!             "sentences": [{"a_start", "a_end", "b_start", "b_end", "score", "shared_terms": […]}]}],
//!  "skipped": [{"origin", "reason"}], "warnings": [{"origin", "reason"}]}
//! ```
//! Offsets are UTF-8 byte offsets into each article's text, end exclusive.
//! A passage's `kind` is `run` (matching words) or `quote` (a quotation both
//! articles carry); `sentences` is filled for rewrites.

use crate::pipeline::RunReport;
use serde_json::{json, Value};
use std::io::Write;

/// Version of the report layout.
pub const SCHEMA: u32 = 1;

/// The report as a JSON value.
pub fn to_value(report: &RunReport) -> Value {
    let id = |d: crate::DocId| report.documents[d.idx()].id.as_str();
    let clusters: Vec<Value> = report
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "cluster": i,
                "representative": id(c.representative),
                "members": c.members.iter().map(|&m| id(m)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let pairs: Vec<Value> = report
        .pairs
        .iter()
        .map(|p| {
            json!({
                "id_a": id(p.a),
                "id_b": id(p.b),
                "label": p.label,
                "score": round(p.score),
                "jaccard": round(p.scores.jaccard),
                "containment": round(p.scores.containment),
                "shared_shingles": p.scores.shared_shingles,
                "story": round(p.scores.story),
                "residual_story": round(p.scores.residual_story),
                "coverage": round(p.scores.coverage),
                "passages": p.passages,
                "sentences": p.sentences,
            })
        })
        .collect();
    json!({
        "schema": SCHEMA,
        "tool": concat!("newsdup ", env!("CARGO_PKG_VERSION")),
        "fingerprint": format!("{:016x}", report.fingerprint.0),
        "params": report.params,
        "stats": report.stats,
        "documents": report.documents,
        "clusters": clusters,
        "pairs": pairs,
        "skipped": report.skipped,
        "warnings": report.warnings,
    })
}

/// One compared pair (`newsdup compare --json`): the two documents, label
/// (`null` when unrelated, with `reason`), scores, passages and sentences.
pub fn comparison_value(cmp: &crate::pipeline::Comparison) -> Value {
    let doc = |d: &crate::pipeline::DocInfo| json!({"id": d.id, "title": d.title, "origin": d.origin, "bytes": d.bytes, "tokens": d.tokens});
    json!({
        "schema": SCHEMA,
        "tool": concat!("newsdup ", env!("CARGO_PKG_VERSION")),
        "a": doc(&cmp.documents[0]),
        "b": doc(&cmp.documents[1]),
        "label": cmp.label,
        "reason": cmp.reason,
        "score": round(cmp.score),
        "jaccard": round(cmp.scores.jaccard),
        "containment": round(cmp.scores.containment),
        "shared_shingles": cmp.scores.shared_shingles,
        "story": round(cmp.scores.story),
        "residual_story": round(cmp.scores.residual_story),
        "passages": cmp.passages,
        "sentences": cmp.sentences,
    })
}

/// Rounds a score to 6 decimals so the report is stable and readable.
pub fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Writes the report as pretty JSON.
pub fn write(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, &to_value(report))?;
    out.write_all(b"\n")
}

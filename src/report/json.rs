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
use serde::Serialize;
use serde_json::{json, Value};
use std::io::Write;

/// Version of the report layout.
pub const SCHEMA: u32 = 1;

/// The report as a JSON value (the whole report in memory at once; [`write()`]
/// streams it instead).
pub fn to_value(report: &RunReport) -> Value {
    plain(&Layout::of(report))
}

/// One cluster's JSON object.
fn cluster_value(report: &RunReport, i: usize, c: &crate::Cluster) -> Value {
    let id = |d: crate::DocId| &*report.documents[d.idx()].id;
    json!({
        "cluster": i,
        "representative": id(c.representative),
        "members": c.members.iter().map(|&m| id(m)).collect::<Vec<_>>(),
    })
}

/// One pair's JSON object.
fn pair_value(report: &RunReport, p: &crate::pipeline::ReportedPair) -> Value {
    let id = |d: crate::DocId| &*report.documents[d.idx()].id;
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
}

/// The report's top level, keys in the sorted order of a JSON object. The
/// long arrays are serialised an element at a time, each element as the
/// JSON object (sorted keys) it would be inside a whole-report value, so
/// writing a report of millions of pairs never holds it as one value.
#[derive(Serialize)]
struct Layout<'r> {
    clusters: Each<'r, crate::Cluster>,
    documents: Each<'r, crate::pipeline::DocInfo>,
    fingerprint: String,
    pairs: Each<'r, crate::pipeline::ReportedPair>,
    params: Value,
    schema: u32,
    skipped: Value,
    stats: Value,
    tool: &'static str,
    warnings: Value,
}

impl<'r> Layout<'r> {
    fn of(report: &'r RunReport) -> Layout<'r> {
        Layout {
            clusters: Each {
                report,
                items: &report.clusters,
                value: cluster_value,
            },
            documents: Each {
                report,
                items: &report.documents,
                value: |_, _, d| plain(d),
            },
            fingerprint: format!("{:016x}", report.fingerprint.0),
            pairs: Each {
                report,
                items: &report.pairs,
                value: |r, _, p| pair_value(r, p),
            },
            params: plain(&report.params),
            schema: SCHEMA,
            skipped: plain(&report.skipped),
            stats: plain(&report.stats),
            tool: concat!("newsdup ", env!("CARGO_PKG_VERSION")),
            warnings: plain(&report.warnings),
        }
    }
}

/// Plain data (numbers, strings, vectors, structs of them) as a JSON value,
/// keys sorted.
fn plain<T: Serialize>(x: &T) -> Value {
    serde_json::to_value(x).expect("plain data converts to JSON")
}

/// A sequence serialised an element at a time through `value`.
struct Each<'r, T> {
    report: &'r RunReport,
    items: &'r [T],
    value: fn(&RunReport, usize, &T) -> Value,
}

impl<T> Serialize for Each<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.items
                .iter()
                .enumerate()
                .map(|(i, x)| (self.value)(self.report, i, x)),
        )
    }
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

/// Writes the report as pretty JSON, an element of its arrays at a time.
pub fn write(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, &Layout::of(report))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_report_is_the_pretty_print_of_its_value() {
        // Re-serialising the parsed report sorts every object's keys and
        // pretty-prints it: the streamed bytes must already be exactly that.
        let (articles, report) = crate::report::sample_report();
        assert!(!report.pairs.is_empty() && report.pairs.iter().any(|p| !p.passages.is_empty()));
        let mut streamed = Vec::new();
        write(&report, &mut streamed).unwrap();
        let parsed: Value = serde_json::from_slice(&streamed).unwrap();
        let mut whole = serde_json::to_vec_pretty(&parsed).unwrap();
        whole.push(b'\n');
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(whole).unwrap()
        );
        assert_eq!(parsed, to_value(&report));
        assert_eq!(
            parsed["pairs"].as_array().unwrap().len(),
            report.pairs.len()
        );
        assert_eq!(
            parsed["documents"].as_array().unwrap().len(),
            articles.len()
        );
    }
}

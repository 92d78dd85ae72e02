//! Interchange files for tools and spreadsheets (DESIGN.md, "Outputs"):
//! - clusters: JSONL, one line per document, `{"id": …, "cluster": …}`;
//! - pairs: TSV with header `id_a id_b score label jaccard containment story residual_story shared_shingles coverage`;
//! - passages: JSONL `{"id_a","id_b","a_start","a_end","b_start","b_end","unit":"byte","kind"}`
//!   (`kind`: `run` or `quote`; extra to the DESIGN.md fields, which tools ignore).

use crate::pipeline::RunReport;
use crate::report::json::round;
use serde_json::json;
use std::io::Write;

/// Writes one `{"id", "cluster"}` line per document.
pub fn write_clusters(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    for d in &report.documents {
        serde_json::to_writer(&mut out, &json!({"id": d.id, "cluster": d.cluster}))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Tabs and newlines cannot appear inside a TSV field.
fn tsv_field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Writes the reported pairs as TSV, best first.
pub fn write_pairs(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "id_a\tid_b\tscore\tlabel\tjaccard\tcontainment\tstory\tresidual_story\tshared_shingles\tcoverage"
    )?;
    for p in &report.pairs {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            tsv_field(&report.documents[p.a.idx()].id),
            tsv_field(&report.documents[p.b.idx()].id),
            round(p.score),
            p.label,
            round(p.scores.jaccard),
            round(p.scores.containment),
            round(p.scores.story),
            round(p.scores.residual_story),
            p.scores.shared_shingles,
            round(p.scores.coverage)
        )?;
    }
    Ok(())
}

/// Writes every shared passage of every reported pair.
pub fn write_passages(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    for p in &report.pairs {
        for ps in &p.passages {
            let line = json!({
                "id_a": report.documents[p.a.idx()].id,
                "id_b": report.documents[p.b.idx()].id,
                "a_start": ps.a_start, "a_end": ps.a_end,
                "b_start": ps.b_start, "b_end": ps.b_end,
                "unit": "byte",
                "kind": ps.kind,
            });
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

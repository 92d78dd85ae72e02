//! Interchange files for tools and spreadsheets (DESIGN.md, "Outputs"):
//! - clusters: JSONL, one line per document, `{"id": …, "cluster": …}`;
//! - pairs: TSV with header `id_a id_b score label jaccard containment story residual_story shared_shingles coverage`;
//! - passages: JSONL `{"id_a","id_b","a_start","a_end","b_start","b_end","unit":"byte","kind"}`
//!   (`kind`: `run` or `quote`; extra to the DESIGN.md fields, which tools ignore).

use crate::pipeline::{ReportedPair, RunReport};
use crate::report::json::round;
use rayon::prelude::*;
use serde_json::json;
use std::borrow::Cow;
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
fn tsv_field(s: &str) -> Cow<'_, str> {
    if s.contains(['\t', '\n', '\r']) {
        Cow::Owned(s.replace(['\t', '\n', '\r'], " "))
    } else {
        Cow::Borrowed(s)
    }
}

/// Pairs formatted together by one thread. A big batch reports millions of
/// pairs: they are formatted in parallel, written in order, and never all
/// held as text.
const PAIRS_PER_TASK: usize = 4096;
/// Pairs formatted before they are written.
const PAIRS_PER_WRITE: usize = 16 * PAIRS_PER_TASK;

/// Writes the reported pairs as TSV, best first.
pub fn write_pairs(report: &RunReport, out: impl Write) -> std::io::Result<()> {
    write_pairs_in(report, out, PAIRS_PER_TASK, PAIRS_PER_WRITE)
}

/// [`write_pairs`], formatting `per_task` pairs in each thread's task and
/// `per_write` pairs before each write.
fn write_pairs_in(
    report: &RunReport,
    mut out: impl Write,
    per_task: usize,
    per_write: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "id_a\tid_b\tscore\tlabel\tjaccard\tcontainment\tstory\tresidual_story\tshared_shingles\tcoverage"
    )?;
    for pairs in report.pairs.chunks(per_write.max(1)) {
        let texts: Vec<Vec<u8>> = pairs
            .par_chunks(per_task.max(1))
            .map(|task| {
                let mut text = Vec::with_capacity(task.len() * 80);
                task.iter()
                    .try_for_each(|p| pair_row(report, p, &mut text))
                    .map(|()| text)
            })
            .collect::<std::io::Result<_>>()?;
        for text in texts {
            out.write_all(&text)?;
        }
    }
    Ok(())
}

/// One pair's TSV row.
fn pair_row(report: &RunReport, p: &ReportedPair, out: &mut Vec<u8>) -> std::io::Result<()> {
    let s = &p.scores;
    write!(
        out,
        "{}\t{}\t",
        tsv_field(&report.documents[p.a.idx()].id),
        tsv_field(&report.documents[p.b.idx()].id),
    )?;
    push_score(out, p.score);
    write!(out, "\t{}\t", p.label)?;
    for x in [s.jaccard, s.containment, s.story, s.residual_story] {
        push_score(out, x);
        out.push(b'\t');
    }
    push_digits(out, s.shared_shingles as u64, 0);
    out.push(b'\t');
    push_score(out, s.coverage);
    out.push(b'\n');
    Ok(())
}

/// Appends [`round`]`(x)` as `{}` formats it, without the general float
/// formatting (millions of pairs have seven scores each). A score rounded
/// to 6 decimals is the number nearest `k / 10^6` for an integer `k`, and
/// the shortest decimal that reads back as it, which `{}` writes, is
/// `k / 10^6` itself with its trailing zeros dropped. Anything else (below
/// zero, not finite, huge) goes through `{}`.
fn push_score(out: &mut Vec<u8>, x: f64) {
    let k = (x * 1e6).round();
    if x.is_sign_negative() || !(0.0..1e15).contains(&k) {
        // Writing to a vector cannot fail.
        let _ = write!(out, "{}", round(x));
        return;
    }
    let k = k as u64;
    let (whole, mut fraction) = (k / 1_000_000, k % 1_000_000);
    push_digits(out, whole, 0);
    if fraction > 0 {
        let mut digits = 6;
        while fraction % 10 == 0 {
            fraction /= 10;
            digits -= 1;
        }
        out.push(b'.');
        push_digits(out, fraction, digits);
    }
}

/// Appends `n` in decimal, with leading zeros up to `width` digits.
fn push_digits(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    while n > 0 || digits.len() - at < width.max(1) {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits[at..]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_formatted_in_parallel_come_out_in_order_one_row_each() {
        let (_, report) = crate::report::sample_report();
        assert!(report.pairs.len() > 5, "{}", report.pairs.len());
        let mut whole = Vec::new();
        write_pairs_in(&report, &mut whole, usize::MAX, usize::MAX).unwrap();
        let text = String::from_utf8(whole.clone()).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(rows.len(), report.pairs.len());
        for (row, p) in rows.iter().zip(&report.pairs) {
            let ids = [
                &*report.documents[p.a.idx()].id,
                &*report.documents[p.b.idx()].id,
            ];
            let fields: Vec<&str> = row.split('\t').collect();
            assert_eq!(fields.len(), 10, "{row}");
            assert_eq!([fields[0], fields[1]], ids);
            assert_eq!(fields[3], p.label.to_string());
        }
        for (per_task, per_write) in [(1, 1), (2, 5), (3, 3), (0, 0)] {
            let mut split = Vec::new();
            write_pairs_in(&report, &mut split, per_task, per_write).unwrap();
            assert_eq!(split, whole, "tasks of {per_task}, writes of {per_write}");
        }
    }

    proptest::proptest! {
        /// Scores are written as `{}` writes them rounded: in [0, 1] (where
        /// they are), past it, below zero, and not finite.
        #[test]
        fn scores_are_written_as_formatted(
            x in proptest::prop_oneof![
                0.0f64..=1.0,
                proptest::strategy::Strategy::prop_map(0u64..=1_000_000, |k| k as f64 / 1e6),
                proptest::num::f64::ANY,
            ],
        ) {
            let mut out = Vec::new();
            push_score(&mut out, x);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), format!("{}", round(x)));
        }

        #[test]
        fn integers_are_written_as_formatted(n in proptest::prelude::any::<u64>()) {
            let mut out = Vec::new();
            push_digits(&mut out, n, 0);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn tabs_and_line_breaks_in_ids_become_spaces() {
        assert_eq!(tsv_field("a\tb\nc\rd"), "a b c d");
        assert!(matches!(tsv_field("plain"), Cow::Borrowed("plain")));
    }
}

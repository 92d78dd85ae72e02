//! `newsdup dedup`: one article per story, the original records passed through.

use crate::cli::args::DedupArgs;
use crate::cli::settings::{read_and_run, write_file};
use ahash::AHashMap;
use newsdup::pipeline::Evidence;
use newsdup::{Article, DocId};
use serde_json::json;
use std::process::ExitCode;

/// Why `dropped` was dropped in favour of `kept`: the label and score of the
/// direct pair if it was reported, else of its strongest reported pair inside
/// the story, else `same-story` (joined by clustering alone).
fn reason(
    best: &AHashMap<(DocId, DocId), (String, f64)>,
    dropped: DocId,
    kept: DocId,
    members: &[DocId],
) -> (String, f64) {
    let key = |x: DocId, y: DocId| (x.min(y), x.max(y));
    if let Some(r) = best.get(&key(dropped, kept)) {
        return r.clone();
    }
    members
        .iter()
        .filter(|&&m| m != dropped)
        .filter_map(|&m| best.get(&key(dropped, m)))
        .max_by(|x, y| x.1.total_cmp(&y.1))
        .cloned()
        .unwrap_or_else(|| ("same-story".to_string(), 0.0))
}

fn record(article: &Article) -> newsdup::Result<String> {
    Ok(match article.raw_line()? {
        Some(raw) => raw.into_owned(),
        None => {
            json!({"id": article.key, "title": article.title, "text": article.text()?}).to_string()
        }
    })
}

pub fn run(a: DedupArgs) -> anyhow::Result<ExitCode> {
    let (batch, report) = read_and_run(&a.pipeline, true, Evidence::Top(0))?;
    let mut keep = vec![false; batch.articles.len()];
    for c in &report.clusters {
        keep[c.representative.idx()] = true;
    }
    write_file(&a.output, |w| {
        for (article, _) in batch.articles.iter().zip(&keep).filter(|(_, &k)| k) {
            w.write_all(record(article).map_err(std::io::Error::other)?.as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    let dropped = keep.iter().filter(|k| !**k).count();
    if let Some(path) = &a.dropped {
        let best: AHashMap<(DocId, DocId), (String, f64)> = report
            .pairs
            .iter()
            .map(|p| ((p.a, p.b), (p.label.to_string(), p.score)))
            .collect();
        write_file(path, |w| {
            for c in &report.clusters {
                for &m in c.members.iter().filter(|&&m| m != c.representative) {
                    let (label, score) = reason(&best, m, c.representative, &c.members);
                    let line = json!({
                        "id": report.documents[m.idx()].id,
                        "kept": report.documents[c.representative.idx()].id,
                        "label": label,
                        "score": newsdup::report::json::round(score),
                        "origin": report.documents[m.idx()].origin,
                    });
                    writeln!(w, "{line}")?;
                }
            }
            Ok(())
        })?;
    }
    if !a.pipeline.quiet {
        eprintln!(
            "newsdup: kept {} of {} articles ({} dropped, {} skipped)",
            batch.articles.len() - dropped,
            batch.articles.len(),
            dropped,
            report.skipped.len()
        );
    }
    Ok(if a.pipeline.fail_on_duplicates && dropped > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

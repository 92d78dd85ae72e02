//! Reporters: renderings of a [`crate::RunReport`]. They compute nothing.
//!
//! - [`json`]: the canonical, versioned JSON report (`"schema": 1`);
//! - [`interchange`]: clusters JSONL, pairs TSV and passages JSONL
//!   (the formats of DESIGN.md, read by `shared/eval/score.py`);
//! - [`terminal`]: the human summary;
//! - [`html`]: one self-contained HTML page (stories, pair table, side-by-side view);
//! - [`evaluation`]: scores of a run against labelled truth (`newsdup eval`).

pub mod evaluation;
pub mod html;
pub mod interchange;
pub mod json;
pub mod terminal;

/// The sample batch of `data/sample` and its report with the default
/// parameters, for the reporters' tests.
#[cfg(test)]
fn sample_report() -> (Vec<crate::Article>, crate::RunReport) {
    use crate::ingest::{read_inputs, IngestConfig};
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample/articles.jsonl");
    let articles = read_inputs(&[sample], &IngestConfig::default())
        .unwrap()
        .articles;
    let report = crate::pipeline::run(&articles, &crate::Params::default()).unwrap();
    (articles, report)
}

//! `newsdup eval`: the pipeline scored against labelled truth.

use crate::cli::args::EvalArgs;
use crate::cli::settings::read_batch;
use anyhow::{bail, Context};
use newsdup::eval::{evaluate, sweep, truth_stories, SweepGrid, Truth};
use newsdup::ingest::read_truth_pairs;
use newsdup::pipeline::{self, Evidence, NoProgress, Progress};
use newsdup::report::evaluation;
use std::io::Write;
use std::process::ExitCode;

pub fn run(a: EvalArgs) -> anyhow::Result<ExitCode> {
    let (params, batch, bars) = read_batch(&a.pipeline, true)?;
    bars.finish();
    let pairs = match &a.pairs_truth {
        Some(p) => read_truth_pairs(p)?,
        None => Vec::new(),
    };
    let truth = Truth {
        stories: truth_stories(&batch.articles, &a.truth_field)?,
        pairs,
        positive: a.positive.clone(),
        negative: a.negative.clone(),
    };
    if truth.stories.is_empty() && truth.pairs.is_empty() {
        bail!(
            "nothing to score: no article has a `{}` field (--truth-field) and no --pairs-truth was given",
            a.truth_field
        );
    }
    if !a.positive.is_empty() && truth.pairs.is_empty() {
        bail!("--positive needs --pairs-truth");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.sweep {
        let default = SweepGrid::default();
        let grid = SweepGrid {
            cluster: a.sweep_cluster.clone().unwrap_or(default.cluster),
            rewrite: a.sweep_rewrite.clone().unwrap_or(default.rewrite),
            copy: a.sweep_copy.clone().unwrap_or(default.copy),
        };
        let rows = sweep(&batch.articles, &params, &grid, &truth).context("sweep")?;
        if a.json {
            evaluation::write_json(&rows, &mut out)?;
        } else {
            evaluation::write_sweep_text(&rows, &mut out)?;
        }
    } else {
        let report =
            pipeline::run_with_progress(&batch.articles, &params, Evidence::Top(0), &NoProgress)?;
        let scores = evaluate(&report, &truth);
        if a.json {
            evaluation::write_json(&scores, &mut out)?;
        } else {
            evaluation::write_text(&scores, &mut out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

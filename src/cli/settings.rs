//! Arguments → library settings, and the shared run of the pipeline.

use super::args::{ColorArg, FieldArgs, KeepArg, ModeArg, PipelineArgs};
use anyhow::Context;
use newsdup::ingest::{read_inputs, Batch, IngestConfig};
use newsdup::pipeline::{Evidence, Progress};
use newsdup::{pipeline, KeepPolicy, Mode, Params, RunReport};
use std::io::Write;
use std::path::Path;

pub fn params(a: &PipelineArgs) -> Params {
    Params {
        mode: match a.mode {
            ModeArg::Copies => Mode::Copies,
            ModeArg::Stories => Mode::Stories,
        },
        shingle_k: a.shingle,
        copy_hashes: a.hashes,
        story_hashes: a.hashes,
        copy_threshold: a.threshold,
        near_copy_containment: a.near_copy,
        partial_min_shingles: a.partial_min_shingles,
        rewrite_threshold: a.rewrite,
        rewrite_supported_threshold: a.rewrite_supported,
        cluster_threshold: a.cluster_threshold,
        keep: match a.keep {
            KeepArg::Longest => KeepPolicy::Longest,
            KeepArg::Earliest => KeepPolicy::Earliest,
            KeepArg::First => KeepPolicy::First,
        },
        ..Params::default()
    }
}

/// The record field names, with the other ingest settings at their defaults.
pub fn ingest_fields(f: &FieldArgs) -> IngestConfig {
    IngestConfig {
        id_field: f.id_field.clone(),
        text_field: f.text_field.clone(),
        title_field: f.title_field.clone(),
        published_field: f.published_field.clone(),
        source_field: f.source_field.clone(),
        url_field: f.url_field.clone(),
        html_field: f.html_field.clone(),
        lang_field: f.lang_field.clone(),
        ..IngestConfig::default()
    }
}

pub fn ingest_config(a: &PipelineArgs, keep_raw: bool) -> IngestConfig {
    IngestConfig {
        strict: a.strict,
        keep_raw,
        hold_bytes: a.hold_texts.saturating_mul(1 << 20),
        ..ingest_fields(&a.fields)
    }
}

/// Sets up the thread pool, checks the parameters and reads the inputs;
/// skipped records are reported on stderr (unless quiet). The progress bars
/// (stderr, hidden when quiet or not a terminal) go on with the pipeline.
pub fn read_batch(
    a: &PipelineArgs,
    keep_raw: bool,
) -> anyhow::Result<(Params, Batch, super::progress::Bars)> {
    if let Some(n) = a.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("cannot set up the thread pool")?;
    }
    let params = params(a);
    params.validate()?;
    let bars = super::progress::Bars::new(a.quiet);
    bars.start("read", 0);
    let batch = match read_inputs(&a.inputs, &ingest_config(a, keep_raw)) {
        Ok(batch) => batch,
        Err(e) => {
            bars.finish();
            return Err(e.into());
        }
    };
    if !a.quiet {
        bars.suspend(|| {
            let mut err = std::io::stderr().lock();
            for s in &batch.skipped {
                let _ = writeln!(err, "newsdup: skipped {}: {}", s.origin, s.reason);
            }
            for s in &batch.warnings {
                let _ = writeln!(err, "newsdup: warning {}: {}", s.origin, s.reason);
            }
        });
    }
    Ok((params, batch, bars))
}

/// Reads the inputs and runs the pipeline, aligning the evidence of the pairs
/// in `evidence`; skipped records are carried into the report.
pub fn read_and_run(
    a: &PipelineArgs,
    keep_raw: bool,
    evidence: Evidence,
) -> anyhow::Result<(Batch, RunReport)> {
    let (params, mut batch, bars) = read_batch(a, keep_raw)?;
    let mut report = pipeline::run_with_progress(&batch.articles, &params, evidence, &bars)?;
    report.stats.skipped = batch.skipped.len();
    report.skipped = std::mem::take(&mut batch.skipped);
    report.warnings = std::mem::take(&mut batch.warnings);
    Ok((batch, report))
}

/// Creates a file (or stdout for `-`) and runs `write` on a buffered writer.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let result = if path.as_os_str() == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        write(&mut out).and_then(|_| out.flush())
    } else {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        write(&mut out).and_then(|_| out.flush())
    };
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// The colour choice for an `anstream` output stream.
pub fn color_choice(c: ColorArg) -> anstream::ColorChoice {
    match c {
        ColorArg::Auto => anstream::ColorChoice::Auto,
        ColorArg::Always => anstream::ColorChoice::Always,
        ColorArg::Never => anstream::ColorChoice::Never,
    }
}

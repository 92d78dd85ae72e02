//! `newsdup scan`: the main job.

use crate::cli::args::ScanArgs;
use crate::cli::settings::{color_choice, read_and_run, write_file};
use newsdup::pipeline::Evidence;
use newsdup::report::{html, interchange, json, terminal};
use newsdup::Article;
use std::io::Write;
use std::process::ExitCode;

pub fn run(a: ScanArgs) -> anyhow::Result<ExitCode> {
    // Passages are aligned for the pairs whose passages are written: all of
    // them for the JSON, passages and HTML reports, else the terminal's top
    // pairs.
    let evidence = if a.json.is_some() || a.passages.is_some() || a.html.is_some() {
        Evidence::All
    } else if a.pipeline.quiet {
        Evidence::Top(0)
    } else {
        Evidence::Top(a.top_pairs)
    };
    let (batch, report) = read_and_run(&a.pipeline, false, evidence)?;
    if let Some(p) = &a.json {
        write_file(p, |w| json::write(&report, w))?;
    }
    if let Some(p) = &a.clusters {
        write_file(p, |w| interchange::write_clusters(&report, w))?;
    }
    if let Some(p) = &a.pairs {
        write_file(p, |w| interchange::write_pairs(&report, w))?;
    }
    if let Some(p) = &a.passages {
        write_file(p, |w| interchange::write_passages(&report, w))?;
    }
    if let Some(p) = &a.html {
        let texts: Vec<_> = batch
            .articles
            .iter()
            .map(Article::text)
            .collect::<newsdup::Result<_>>()?;
        let texts: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
        write_file(p, |w| html::write(&report, &texts, w))?;
    }
    if !a.pipeline.quiet {
        let config = terminal::TerminalConfig {
            max_stories: a.top_stories,
            max_pairs: a.top_pairs,
            color: true,
            ..terminal::TerminalConfig::default()
        };
        // Styles are written always; the stream strips them when stdout is
        // not a terminal (or with --color never).
        let stdout = anstream::AutoStream::new(std::io::stdout().lock(), color_choice(a.color));
        let mut out = std::io::BufWriter::new(stdout);
        terminal::write(&report, config, &mut out)?;
        out.flush()?;
    }
    Ok(
        if a.pipeline.fail_on_duplicates && !report.pairs.is_empty() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

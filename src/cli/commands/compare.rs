//! `newsdup compare`: one pair explained (scores, label, passages, sentences).

use crate::cli::args::{CompareArgs, ModeArg};
use crate::cli::settings::color_choice;
use anyhow::{bail, Context};
use newsdup::ingest::{read_inputs, IngestConfig};
use newsdup::report::{json, terminal};
use newsdup::{pipeline, Article, DocId, Mode, Params};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

fn ingest_config(a: &CompareArgs) -> IngestConfig {
    IngestConfig {
        strict: true,
        ..crate::cli::settings::ingest_fields(&a.fields)
    }
}

/// The one article of a file.
fn read_one(path: &Path, config: &IngestConfig) -> anyhow::Result<Article> {
    if !path.exists() {
        bail!("{}: no such file", path.display());
    }
    let mut batch = read_inputs(&[path], config)?;
    match batch.articles.len() {
        1 => Ok(batch.articles.remove(0)),
        n => bail!(
            "{} holds {n} articles; compare takes one article per file, or two ids with --in {}",
            path.display(),
            path.display()
        ),
    }
}

pub fn run(a: CompareArgs) -> anyhow::Result<ExitCode> {
    let config = ingest_config(&a);
    let (articles, ia, ib) = match &a.batch {
        Some(batch_path) => {
            let batch = read_inputs(&[batch_path], &config)?;
            let find = |id: &str| {
                batch
                    .articles
                    .iter()
                    .position(|x| &*x.key == id)
                    .with_context(|| {
                        format!("no article with id {id:?} in {}", batch_path.display())
                    })
            };
            let (ia, ib) = (find(&a.items[0])?, find(&a.items[1])?);
            (batch.articles, ia, ib)
        }
        None => {
            let x = read_one(Path::new(&a.items[0]), &config)?;
            let y = read_one(Path::new(&a.items[1]), &config)?;
            (vec![x, y], 0, 1)
        }
    };
    let params = Params {
        mode: match a.mode {
            ModeArg::Copies => Mode::Copies,
            ModeArg::Stories => Mode::Stories,
        },
        ..Params::default()
    };
    let cmp = pipeline::compare(&articles, DocId(ia as u32), DocId(ib as u32), &params)?;
    let stdout = anstream::AutoStream::new(std::io::stdout().lock(), color_choice(a.color));
    let mut out = std::io::BufWriter::new(stdout);
    if a.json {
        serde_json::to_writer_pretty(&mut out, &json::comparison_value(&cmp))?;
        writeln!(out)?;
    } else {
        let config = terminal::TerminalConfig {
            color: true,
            column_chars: a.width,
            ..terminal::TerminalConfig::default()
        };
        terminal::write_comparison(
            &cmp,
            [&*articles[ia].text()?, &*articles[ib].text()?],
            config,
            &mut out,
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

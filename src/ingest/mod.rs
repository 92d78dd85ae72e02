//! Ingest: files, directories and standard input → [`Article`]s.
//!
//! This is the only stage that reads files. JSONL (optionally `.gz`) has one
//! article per line, with its text in a text field or as a page in an HTML
//! field; a directory is walked for `.txt` files and HTML pages; `-` is JSONL
//! on standard input; a `.txt` file or an HTML page is one article. HTML
//! becomes its extracted main text ([`html`]).
//! Records that cannot be used become [`Skipped`] entries naming `file:line`
//! and the run goes on, unless `strict` is set, which turns the first one into
//! an error. Duplicate ids keep the first article.

mod dir;
pub mod html;
mod jsonl;
mod truth;

use crate::model::{Article, Skipped};
use crate::{Error, Result};
use ahash::AHashMap;
use std::path::Path;

pub use truth::{parse_truth_pairs, read_truth_pairs, TruthPair};

/// How input records are read.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Field holding the id (string or integer).
    pub id_field: String,
    /// Field holding the article text.
    pub text_field: String,
    /// Field holding the headline.
    pub title_field: String,
    /// Field holding the publication date (RFC 3339 or YYYY-MM-DD).
    pub published_field: String,
    /// Field holding the outlet.
    pub source_field: String,
    /// Field holding the URL.
    pub url_field: String,
    /// Field holding a raw HTML page, used when the text field is absent.
    pub html_field: String,
    /// Field holding the language code (ISO 639-1, ISO 639-3 or BCP 47).
    pub lang_field: String,
    /// Fail on the first bad record instead of skipping it.
    pub strict: bool,
    /// Keep each JSON line as read (for `dedup`, which passes records through).
    pub keep_raw: bool,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            id_field: "id".into(),
            text_field: "text".into(),
            title_field: "title".into(),
            published_field: "published".into(),
            source_field: "source".into(),
            url_field: "url".into(),
            html_field: "html".into(),
            lang_field: "lang".into(),
            strict: false,
            keep_raw: false,
        }
    }
}

/// Articles read, and the records that were skipped.
#[derive(Debug, Default)]
pub struct Batch {
    /// Usable articles, in input order, ids unique.
    pub articles: Vec<Article>,
    /// Records not used, with the reason.
    pub skipped: Vec<Skipped>,
    /// Problems that did not stop an article from being used (e.g. a bad date).
    pub warnings: Vec<Skipped>,
}

impl Batch {
    fn problem(&mut self, strict: bool, origin: String, reason: String) -> Result<()> {
        if strict {
            return Err(Error::BadRecord { origin, reason });
        }
        self.skipped.push(Skipped { origin, reason });
        Ok(())
    }
}

/// What a reader produces for one record.
pub(crate) enum Record {
    Article(Box<Article>, Vec<String>),
    Bad { origin: String, reason: String },
}

/// Reads every input in order into one batch.
pub fn read_inputs(inputs: &[impl AsRef<Path>], config: &IngestConfig) -> Result<Batch> {
    let mut batch = Batch::default();
    let mut seen: AHashMap<String, String> = AHashMap::new();
    for input in inputs {
        let path = input.as_ref();
        let records = if path.as_os_str() == "-" {
            jsonl::read_stdin(config)?
        } else if path.is_dir() {
            dir::read_dir(path)?
        } else if is_plain_text(path) {
            vec![dir::read_text_file(
                path,
                path.file_name().map(Path::new).unwrap_or(path),
            )?]
        } else if dir::is_html(path) {
            vec![dir::read_html_file(
                path,
                path.file_name().map(Path::new).unwrap_or(path),
            )?]
        } else {
            jsonl::read_file(path, config)?
        };
        if records.is_empty() {
            batch.problem(
                config.strict,
                path.display().to_string(),
                "no articles in input".into(),
            )?;
        }
        for record in records {
            match record {
                Record::Bad { origin, reason } => batch.problem(config.strict, origin, reason)?,
                Record::Article(article, warnings) => {
                    let origin = article.origin.to_string();
                    for w in warnings {
                        if config.strict {
                            return Err(Error::BadRecord { origin, reason: w });
                        }
                        batch.warnings.push(Skipped {
                            origin: origin.clone(),
                            reason: w,
                        });
                    }
                    if article.body.trim().is_empty() {
                        let reason = format!("article {:?} has an empty text", article.key);
                        batch.problem(config.strict, origin, reason)?;
                        continue;
                    }
                    if let Some(first) = seen.get(&article.key) {
                        let reason = format!(
                            "duplicate id {:?} (first seen at {first}); kept the first",
                            article.key
                        );
                        batch.problem(config.strict, origin, reason)?;
                        continue;
                    }
                    seen.insert(article.key.clone(), origin);
                    batch.articles.push(*article);
                }
            }
        }
    }
    Ok(batch)
}

fn is_plain_text(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "txt")
}

/// Parses a publication date: RFC 3339, or `YYYY-MM-DD` (midnight UTC).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_both_forms() {
        assert_eq!(parse_date("1970-01-02"), Some(86400));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_date("yesterday"), None);
    }
}

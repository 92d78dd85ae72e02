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
use crate::store::{Input, Place, Spill, Text, Written};
use crate::{Error, Result};
use ahash::AHashMap;
use std::path::Path;
use std::sync::Arc;

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
    /// Bytes of article text (and kept JSON lines) held in memory. A batch
    /// with more puts all its texts away as they are read: left in their
    /// input file when it is a JSONL file on disk, moved to a temporary file
    /// otherwise ([`crate::store`]), to be read back when a stage needs them.
    pub hold_bytes: usize,
}

/// [`IngestConfig::hold_bytes`] by default: a batch up to this size is held
/// whole.
pub const HOLD_BYTES: usize = 64 << 20;

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
            hold_bytes: HOLD_BYTES,
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
    Article(Box<Article>, Vec<String>, Located),
    Bad { origin: String, reason: String },
}

/// Where a record's text and line are in the input file it was read from,
/// when that file can be read again (a JSONL file on disk, not compressed):
/// a batch too big to hold leaves them there instead of copying them to a
/// [`Spill`].
#[derive(Debug, Default)]
pub(crate) struct Located {
    pub(crate) input: Option<Arc<Input>>,
    /// The text field's JSON string literal.
    pub(crate) text: Option<Place>,
    /// The whole line (for [`IngestConfig::keep_raw`]).
    pub(crate) line: Option<Place>,
}

impl Located {
    /// Leaves `text` in the input file at `at` instead of in memory;
    /// `false` when it is not there (or too long to be read as one span).
    fn leave(&self, text: &mut Text, at: Option<Place>, written: Written) -> bool {
        let (Some(input), Some(at), Ok(len)) = (&self.input, at, u32::try_from(text.len())) else {
            return false;
        };
        *text = Text::Input {
            input: Arc::clone(input),
            at,
            written,
            len,
        };
        true
    }
}

/// Most JSONL inputs whose texts a batch too big to hold leaves in them (each
/// is kept open); the texts of any more are spilled.
const MAX_OPEN_INPUTS: usize = 256;

/// Reads every input in order into one batch.
pub fn read_inputs(inputs: &[impl AsRef<Path>], config: &IngestConfig) -> Result<Batch> {
    let mut collector = Collector {
        config,
        batch: Batch::default(),
        seen: AHashMap::new(),
        held: 0,
        held_at: Vec::new(),
        spilling: false,
        spill: None,
        records: 0,
    };
    let mut located = 0;
    for input in inputs {
        let path = input.as_ref();
        let before = collector.records;
        let mut sink = |record| collector.accept(record);
        if path.as_os_str() == "-" {
            jsonl::read_stdin(config, &mut sink)?;
        } else if path.is_dir() {
            dir::read_dir(path)?.into_iter().try_for_each(sink)?;
        } else if is_plain_text(path) {
            let name = path.file_name().map(Path::new).unwrap_or(path);
            sink(dir::read_text_file(path, name)?)?;
        } else if dir::is_html(path) {
            let name = path.file_name().map(Path::new).unwrap_or(path);
            sink(dir::read_html_file(path, name)?)?;
        } else {
            // Each file whose texts may be left in it is kept open.
            let locate = located < MAX_OPEN_INPUTS;
            located += usize::from(locate);
            jsonl::read_file(path, locate, config, &mut sink)?;
        }
        if collector.records == before {
            collector.batch.problem(
                config.strict,
                path.display().to_string(),
                "no articles in input".into(),
            )?;
        }
    }
    Ok(collector.batch)
}

/// Takes the records of every input in turn: checks them, keeps the usable
/// articles, and puts every text away once the batch has more than
/// [`IngestConfig::hold_bytes`]: left in its input file when it can be read
/// from there again, spilled otherwise.
struct Collector<'c> {
    config: &'c IngestConfig,
    batch: Batch,
    /// Each id, with the position of its article in the batch.
    seen: AHashMap<Arc<str>, usize>,
    /// Bytes of text held in memory.
    held: usize,
    /// Where the texts held so far are in their inputs, until they are put
    /// away.
    held_at: Vec<Located>,
    /// Texts are put away: the batch has more than may be held.
    spilling: bool,
    /// Made when the first text that is in no input file is put away.
    spill: Option<Arc<Spill>>,
    /// Records taken from the current input, good or bad.
    records: usize,
}

impl Collector<'_> {
    fn accept(&mut self, record: Record) -> Result<()> {
        self.records += 1;
        let strict = self.config.strict;
        let (mut article, warnings, at) = match record {
            Record::Bad { origin, reason } => return self.batch.problem(strict, origin, reason),
            Record::Article(article, warnings, at) => (article, warnings, at),
        };
        let origin = || article.origin.to_string();
        for w in warnings {
            if strict {
                let origin = origin();
                return Err(Error::BadRecord { origin, reason: w });
            }
            self.batch.warnings.push(Skipped {
                origin: origin(),
                reason: w,
            });
        }
        if article.text()?.trim().is_empty() {
            let reason = format!("article {:?} has an empty text", article.key);
            return self.batch.problem(strict, origin(), reason);
        }
        if let Some(&first) = self.seen.get(&article.key) {
            let reason = format!(
                "duplicate id {:?} (first seen at {}); kept the first",
                article.key, self.batch.articles[first].origin
            );
            return self.batch.problem(strict, origin(), reason);
        }
        self.hold_or_put_away(&mut article, at)
            .map_err(|e| Error::io(format!("temporary copy of {}", article.origin), e))?;
        self.seen
            .insert(article.key.clone(), self.batch.articles.len());
        self.batch.articles.push(*article);
        Ok(())
    }

    fn hold_or_put_away(&mut self, article: &mut Article, at: Located) -> std::io::Result<()> {
        let bytes = article.body.len() + article.raw.as_ref().map_or(0, Text::len);
        if self.held + bytes <= self.config.hold_bytes {
            self.held += bytes;
            if !self.spilling {
                self.held_at.push(at);
            }
            return Ok(());
        }
        if !self.spilling {
            // The batch is bigger than what may be held: all its texts are
            // put away, the ones held so far too.
            self.spilling = true;
            let held_at = std::mem::take(&mut self.held_at);
            for (held, at) in self.batch.articles.iter_mut().zip(held_at) {
                put_away(held, at, &mut self.spill)?;
            }
            self.held = 0;
        }
        put_away(article, at, &mut self.spill)
    }
}

/// Moves an article's texts out of memory: left where they are in their
/// input file when they can be read from there again, spilled otherwise
/// (to `spill`, made when first needed).
fn put_away(
    article: &mut Article,
    at: Located,
    spill: &mut Option<Arc<Spill>>,
) -> std::io::Result<()> {
    let mut spill_to = |text: &mut Text| -> std::io::Result<()> {
        let to = match spill {
            Some(s) => s,
            None => spill.insert(Arc::new(Spill::new()?)),
        };
        text.spill(to)
    };
    if !at.leave(&mut article.body, at.text, Written::Quoted) {
        spill_to(&mut article.body)?;
    }
    if let Some(raw) = &mut article.raw {
        if !at.leave(raw, at.line, Written::AsIs) {
            spill_to(raw)?;
        }
    }
    Ok(())
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

    /// Where a text is: held, left in its input file, or spilled.
    fn kept(text: &Text) -> &'static str {
        match text {
            Text::Held(_) => "held",
            Text::Input { .. } => "input",
            Text::Spilled(..) => "spilled",
        }
    }

    /// JSONL lines, and the text of each: escapes of every kind, spaces
    /// around the text field, and a text field given twice (the last is
    /// the one read).
    fn tricky_lines() -> (Vec<String>, [&'static str; 4]) {
        let texts = [
            "First text, held.",
            "Second \"text\",\nput away.",
            "Third, «also» put away \u{1F600}\t.",
            "Fourth, the last of two text fields.",
        ];
        let lines = vec![
            serde_json::json!({"id": 0, "text": texts[0]}).to_string(),
            serde_json::json!({"id": 1, "text": texts[1]}).to_string(),
            r#"{ "id" : 2 ,  "text"  :  "Third, \u00abalso\u00bb put away \ud83d\ude00\t." }"#
                .to_string(),
            format!(
                r#"{{"text": "not this one", "id": 3, "text": {}}}"#,
                serde_json::to_string(texts[3]).unwrap()
            ),
        ];
        (lines, texts)
    }

    #[test]
    fn a_batch_past_the_held_bytes_puts_its_texts_away_and_reads_them_back_unchanged() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let (lines, texts) = tricky_lines();
        let plain = dir.path().join("b.jsonl");
        std::fs::write(&plain, lines.join("\n")).unwrap();
        let gz = dir.path().join("b.jsonl.gz");
        let mut to = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        to.write_all(lines.join("\r\n").as_bytes()).unwrap();
        to.finish().unwrap();
        let all: usize = texts.iter().map(|t| t.len()).sum::<usize>()
            + lines.iter().map(String::len).sum::<usize>();
        // A plain file is read again where its texts are; a compressed one
        // cannot be, and is spilled.
        for (path, away) in [(&plain, "input"), (&gz, "spilled")] {
            for (hold, put_away) in [(all, false), (all - 1, true), (0, true)] {
                let config = IngestConfig {
                    keep_raw: true,
                    hold_bytes: hold,
                    ..IngestConfig::default()
                };
                let batch = read_inputs(&[path], &config).unwrap();
                assert_eq!(batch.articles.len(), texts.len());
                let want = if put_away { away } else { "held" };
                for ((a, text), line) in batch.articles.iter().zip(texts).zip(&lines) {
                    assert_eq!(kept(&a.body), want, "{path:?}, hold {hold}");
                    assert_eq!(kept(a.raw.as_ref().unwrap()), want);
                    assert_eq!(a.text().unwrap(), text);
                    assert_eq!(a.raw_line().unwrap().unwrap(), line.as_str());
                }
            }
        }
    }

    #[test]
    fn a_text_changed_in_its_input_after_it_was_read_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let (lines, texts) = tricky_lines();
        std::fs::write(&path, lines.join("\n")).unwrap();
        let config = IngestConfig {
            hold_bytes: 0,
            ..IngestConfig::default()
        };
        let batch = read_inputs(&[&path], &config).unwrap();
        assert_eq!(batch.articles[1].text().unwrap(), texts[1]);
        // The same bytes but one letter, and then the file cut short: the
        // first is seen by the hash, the second by the read.
        let edited = lines.join("\n").replacen("Second", "Secund", 1);
        std::fs::write(&path, &edited).unwrap();
        let e = batch.articles[1].text().unwrap_err().to_string();
        assert!(e.contains("c.jsonl:2 (id 1)"), "{e}");
        assert!(
            e.contains("c.jsonl: bytes") && e.contains("no longer the text"),
            "{e}"
        );
        assert_eq!(batch.articles[0].text().unwrap(), texts[0]);
        std::fs::write(&path, &edited[..edited.len() / 2]).unwrap();
        assert!(batch.articles[3].text().is_err());
    }

    #[test]
    fn lines_past_the_first_chunks_keep_their_order_and_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("many.jsonl");
        // Three chunks of lines and a bit; line 4100 is malformed, 5000 blank.
        let lines: Vec<String> = (1..=6200)
            .map(|no| match no {
                4100 => "{\"id\": oops".to_string(),
                5000 => String::new(),
                _ => {
                    serde_json::json!({"id": no, "text": format!("Text of line {no}.")}).to_string()
                }
            })
            .collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        let batch = read_inputs(&[&path], &IngestConfig::default()).unwrap();
        assert_eq!(batch.articles.len(), 6198);
        for a in &batch.articles {
            let no = a.origin.line.unwrap();
            assert_eq!(a.key.as_ref(), no.to_string());
            assert_eq!(a.text().unwrap(), format!("Text of line {no}."));
        }
        assert!(batch
            .articles
            .windows(2)
            .all(|w| w[0].origin.line < w[1].origin.line));
        assert_eq!(batch.skipped.len(), 1);
        assert!(
            batch.skipped[0].origin.ends_with("many.jsonl:4100"),
            "{:?}",
            batch.skipped
        );
    }

    #[test]
    fn dates_parse_in_both_forms() {
        assert_eq!(parse_date("1970-01-02"), Some(86400));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_date("yesterday"), None);
    }
}

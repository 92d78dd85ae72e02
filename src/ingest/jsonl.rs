//! JSONL reader: one article per line, parsed in parallel chunks, order kept.

use super::{parse_date, IngestConfig, Record};
use crate::model::{Article, Origin};
use crate::{Error, Result};
use rayon::prelude::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

const CHUNK_LINES: usize = 2048;

pub(crate) fn read_file(path: &Path, config: &IngestConfig, sink: &mut Sink<'_>) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let name = path.display().to_string();
    if path.extension().is_some_and(|e| e == "gz") {
        read_lines(
            BufReader::new(flate2::read::MultiGzDecoder::new(file)),
            &name,
            config,
            sink,
        )
    } else {
        read_lines(BufReader::with_capacity(1 << 20, file), &name, config, sink)
    }
}

pub(crate) fn read_stdin(config: &IngestConfig, sink: &mut Sink<'_>) -> Result<()> {
    read_lines(
        BufReader::with_capacity(1 << 20, std::io::stdin()),
        "-",
        config,
        sink,
    )
}

/// Takes the records of an input in order.
pub(crate) type Sink<'s> = dyn FnMut(Record) -> Result<()> + Send + 's;

/// Reads JSONL records, a chunk of lines at a time, and hands them to `sink`
/// in input order. Three chunks are under way at once: the next is read,
/// the current one parsed in parallel, and the records of the one before
/// taken by `sink` (one thread: it keeps the first of each id, and may
/// write texts to a temporary file).
fn read_lines(
    mut reader: impl BufRead + Send,
    name: &str,
    config: &IngestConfig,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let shared: Arc<str> = name.into();
    let mut line_no = 0u64;
    let (mut current, mut next) = (Lines::default(), Lines::default());
    current.fill(&mut reader, &mut line_no, name)?;
    let mut parsed: Vec<Option<Record>> = Vec::new();
    while !current.ends.is_empty() || !parsed.is_empty() {
        let before = std::mem::take(&mut parsed);
        let ((read, now), taken) = rayon::join(
            || {
                rayon::join(
                    || next.fill(&mut reader, &mut line_no, name),
                    || current.parse(&shared, config),
                )
            },
            || before.into_iter().flatten().try_for_each(&mut *sink),
        );
        taken?;
        read?;
        parsed = now;
        std::mem::swap(&mut current, &mut next);
    }
    Ok(())
}

/// Bytes of lines a chunk is filled to (a longer line is a chunk of its own).
const CHUNK_BYTES: usize = 16 << 20;

/// A chunk of consecutive lines, read into one reused buffer (no
/// allocation per line).
#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    /// `(line number, end in bytes)` of each line; a line starts where the
    /// one before it ends.
    ends: Vec<(u64, usize)>,
}

impl Lines {
    /// Replaces the chunk with the next lines of `reader`: up to
    /// [`CHUNK_LINES`] lines or [`CHUNK_BYTES`] bytes, none at the end.
    fn fill(&mut self, reader: &mut impl BufRead, line_no: &mut u64, name: &str) -> Result<()> {
        self.bytes.clear();
        self.ends.clear();
        while self.ends.len() < CHUNK_LINES && self.bytes.len() < CHUNK_BYTES {
            let n = reader
                .read_until(b'\n', &mut self.bytes)
                .map_err(|e| Error::io(name, e))?;
            if n == 0 {
                break;
            }
            *line_no += 1;
            self.ends.push((*line_no, self.bytes.len()));
        }
        Ok(())
    }

    /// The chunk's records, parsed in parallel, in order.
    fn parse(&self, name: &Arc<str>, config: &IngestConfig) -> Vec<Option<Record>> {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(_, end)| end));
        let lines: Vec<(u64, &[u8])> = self
            .ends
            .iter()
            .zip(starts)
            .map(|(&(no, end), start)| (no, &self.bytes[start..end]))
            .collect();
        lines
            .par_iter()
            .map(|&(no, bytes)| parse_line(bytes, name, no, config))
            .collect()
    }
}

fn bad(name: &str, line: u64, reason: impl Into<String>) -> Option<Record> {
    Some(Record::Bad {
        origin: format!("{name}:{line}"),
        reason: reason.into(),
    })
}

fn parse_line(bytes: &[u8], name: &Arc<str>, line: u64, config: &IngestConfig) -> Option<Record> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_end_matches(['\n', '\r']),
        Err(e) => {
            return bad(
                name,
                line,
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            )
        }
    };
    if text.trim().is_empty() {
        return None; // blank lines are allowed
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return bad(name, line, format!("malformed JSON: {e}")),
    };
    let Value::Object(mut obj) = value else {
        return bad(name, line, "expected a JSON object");
    };
    let key = match obj.get(&config.id_field) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            return bad(
                name,
                line,
                format!(
                    "field {:?} must be a non-empty string or a number",
                    config.id_field
                ),
            )
        }
        None => {
            return bad(
                name,
                line,
                format!("missing id field {:?}", config.id_field),
            )
        }
    };
    let mut extracted = None;
    // The text is taken out of the parsed line, not copied: it is most of
    // the line's bytes.
    let body = match obj.remove(&config.text_field) {
        Some(Value::String(s)) => s,
        Some(_) => {
            return bad(
                name,
                line,
                format!(
                    "article {key:?}: field {:?} is not a string",
                    config.text_field
                ),
            )
        }
        None => match obj.get(&config.html_field) {
            Some(Value::String(page)) => {
                let url = obj.get(&config.url_field).and_then(Value::as_str);
                match super::html::extract(page, url) {
                    Ok(e) => {
                        let text = e.text.clone();
                        extracted = Some(e);
                        text
                    }
                    Err(reason) => {
                        return bad(name, line, format!("article {key:?}: {reason}"));
                    }
                }
            }
            _ => {
                return bad(
                    name,
                    line,
                    format!(
                        "article {key:?}: missing text field {:?} (or HTML field {:?})",
                        config.text_field, config.html_field
                    ),
                )
            }
        },
    };
    let mut warnings = Vec::new();
    let string_field = |field: &str, warnings: &mut Vec<String>| match obj.get(field) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(_) => {
            warnings.push(format!(
                "article {key:?}: field {field:?} is not a string (ignored)"
            ));
            None
        }
    };
    let from_page =
        |f: fn(&super::html::Extracted) -> Option<String>| extracted.as_ref().and_then(f);
    let title =
        string_field(&config.title_field, &mut warnings).or_else(|| from_page(|e| e.title.clone()));
    let source =
        string_field(&config.source_field, &mut warnings).or_else(|| from_page(|e| e.site.clone()));
    let url =
        string_field(&config.url_field, &mut warnings).or_else(|| from_page(|e| e.url.clone()));
    let published = string_field(&config.published_field, &mut warnings)
        .or_else(|| from_page(|e| e.published.clone()))
        .and_then(|s| {
            let parsed = parse_date(&s);
            if parsed.is_none() {
                warnings.push(format!(
                    "article {key:?}: field {:?} is not RFC 3339 or YYYY-MM-DD: {s:?} (ignored)",
                    config.published_field
                ));
            }
            parsed
        });
    let lang = string_field(&config.lang_field, &mut warnings).and_then(|s| {
        let parsed = crate::lang::parse_code(&s);
        if parsed.is_none() {
            warnings.push(format!(
                "article {key:?}: field {:?} is not a language code: {s:?} (language detected instead)",
                config.lang_field
            ));
        }
        parsed
    })
    .or_else(|| {
        from_page(|e| e.lang.clone())
            .as_deref()
            .and_then(crate::lang::parse_code)
    });
    let article = Article {
        key: key.into(),
        origin: Origin {
            path: Arc::clone(name),
            line: Some(line),
        },
        title: title.map(Into::into),
        published,
        source: source.map(Into::into),
        url: url.map(Into::into),
        body: body.into(),
        lang,
        raw: config.keep_raw.then(|| text.into()),
    };
    Some(Record::Article(Box::new(article), warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<Record> {
        parse_line(s.as_bytes(), &"f.jsonl".into(), 7, &IngestConfig::default())
    }

    fn reason(r: Option<Record>) -> String {
        match r {
            Some(Record::Bad { origin, reason }) => format!("{origin}: {reason}"),
            Some(Record::Article(..)) => "article".into(),
            None => "none".into(),
        }
    }

    #[test]
    fn good_lines_become_articles() {
        match parse(r#"{"id": 12, "text": "Hello", "title": "T", "published": "2024-01-02"}"#) {
            Some(Record::Article(a, w)) => {
                assert_eq!(&*a.key, "12");
                assert_eq!(a.title.as_deref(), Some("T"));
                assert!(a.published.is_some());
                assert!(w.is_empty());
                assert_eq!(a.origin.to_string(), "f.jsonl:7");
            }
            _ => panic!("not an article"),
        }
        assert!(parse("   ").is_none());
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        assert!(reason(parse("{oops")).starts_with("f.jsonl:7: malformed JSON"));
        assert_eq!(reason(parse("[1]")), "f.jsonl:7: expected a JSON object");
        assert!(reason(parse(r#"{"id": "x", "text": 5}"#))
            .contains("\"x\": field \"text\" is not a string"));
        assert!(reason(parse(r#"{"text": "t"}"#)).contains("missing id"));
        let r = parse_line(
            b"{\"id\":\"a\",\"text\":\"\xff\"}",
            &"f.jsonl".into(),
            3,
            &IngestConfig::default(),
        );
        assert!(reason(r).starts_with("f.jsonl:3: invalid UTF-8"));
    }

    #[test]
    fn lang_field_is_read_and_bad_codes_warn() {
        use crate::lang::Lang;
        let lang = |line: &str| match parse(line) {
            Some(Record::Article(a, w)) => (a.lang, w),
            _ => panic!("not an article"),
        };
        assert_eq!(
            lang(r#"{"id": "a", "text": "t", "lang": "de"}"#),
            (Some(Lang::De), vec![])
        );
        assert_eq!(
            lang(r#"{"id": "a", "text": "t", "lang": "zh-Hant"}"#).0,
            Some(Lang::Zh)
        );
        assert_eq!(
            lang(r#"{"id": "a", "text": "t", "lang": "vi"}"#).0,
            Some(Lang::Other)
        );
        assert_eq!(lang(r#"{"id": "a", "text": "t"}"#), (None, vec![]));
        assert_eq!(
            lang(r#"{"id": "a", "text": "t", "lang": null}"#),
            (None, vec![])
        );
        let (l, w) = lang(r#"{"id": "a", "text": "t", "lang": "German"}"#);
        assert_eq!(l, None);
        assert!(
            w[0].contains("\"a\": field \"lang\" is not a language code: \"German\""),
            "{w:?}"
        );
        let (l, w) = lang(r#"{"id": "a", "text": "t", "lang": 7}"#);
        assert_eq!(l, None);
        assert!(w[0].contains("not a string"));
        let config = IngestConfig {
            lang_field: "language".into(),
            ..IngestConfig::default()
        };
        match parse_line(
            br#"{"id": "a", "text": "t", "language": "pl", "lang": "en"}"#,
            &"f".into(),
            1,
            &config,
        ) {
            Some(Record::Article(a, _)) => assert_eq!(a.lang, Some(Lang::Pl)),
            _ => panic!("not an article"),
        }
    }

    #[test]
    fn bad_dates_warn_but_keep_the_article() {
        match parse(r#"{"id": "a", "text": "t", "published": "soon"}"#) {
            Some(Record::Article(a, w)) => {
                assert!(a.published.is_none());
                assert_eq!(w.len(), 1);
            }
            _ => panic!("not an article"),
        }
    }
}

//! JSONL reader: one article per line, parsed in parallel chunks, order kept.

use super::{parse_date, IngestConfig, Located, Record};
use crate::model::{Article, Origin};
use crate::store::{Input, Place};
use crate::{Error, Result};
use rayon::prelude::*;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

const CHUNK_LINES: usize = 2048;

/// Reads a JSONL file (`.gz` is decompressed). With `locate`, a file on
/// disk is kept open and each record says where its text is in it.
pub(crate) fn read_file(
    path: &Path,
    locate: bool,
    config: &IngestConfig,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let name = path.display().to_string();
    if path.extension().is_some_and(|e| e == "gz") {
        read_lines(
            BufReader::new(flate2::read::MultiGzDecoder::new(file)),
            &name,
            None,
            config,
            sink,
        )
    } else {
        // A file on disk can be read again where its texts are (a pipe or
        // a device cannot).
        let is_file = file.metadata().map_err(|e| Error::io(path, e))?.is_file();
        let input = match locate && is_file {
            true => Some(Arc::new(Input::new(
                file.try_clone().map_err(|e| Error::io(path, e))?,
                name.as_str().into(),
            ))),
            false => None,
        };
        read_lines(
            BufReader::with_capacity(1 << 20, file),
            &name,
            input,
            config,
            sink,
        )
    }
}

pub(crate) fn read_stdin(config: &IngestConfig, sink: &mut Sink<'_>) -> Result<()> {
    read_lines(
        BufReader::with_capacity(1 << 20, std::io::stdin()),
        "-",
        None,
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
/// write texts to a temporary file). `input` is the file `reader` reads
/// from the start, when it can be read again: each record then says where
/// its text is in it ([`Located`]).
fn read_lines(
    mut reader: impl BufRead + Send,
    name: &str,
    input: Option<Arc<Input>>,
    config: &IngestConfig,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let shared: Arc<str> = name.into();
    let mut at = Position::default();
    let (mut current, mut next) = (Lines::default(), Lines::default());
    current.fill(&mut reader, &mut at, name)?;
    let mut parsed: Vec<Option<Record>> = Vec::new();
    while !current.ends.is_empty() || !parsed.is_empty() {
        let before = std::mem::take(&mut parsed);
        let ((read, now), taken) = rayon::join(
            || {
                rayon::join(
                    || next.fill(&mut reader, &mut at, name),
                    || current.parse(&shared, input.as_ref(), config),
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

/// How far a reader has read: lines, and bytes of the input.
#[derive(Default)]
struct Position {
    line: u64,
    byte: u64,
}

/// A chunk of consecutive lines, read into one reused buffer (no
/// allocation per line).
#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    /// Where in the input the chunk starts.
    offset: u64,
    /// `(line number, end in bytes)` of each line; a line starts where the
    /// one before it ends.
    ends: Vec<(u64, usize)>,
}

impl Lines {
    /// Replaces the chunk with the next lines of `reader`: up to
    /// [`CHUNK_LINES`] lines or [`CHUNK_BYTES`] bytes, none at the end.
    fn fill(&mut self, reader: &mut impl BufRead, at: &mut Position, name: &str) -> Result<()> {
        self.bytes.clear();
        self.ends.clear();
        self.offset = at.byte;
        while self.ends.len() < CHUNK_LINES && self.bytes.len() < CHUNK_BYTES {
            let n = reader
                .read_until(b'\n', &mut self.bytes)
                .map_err(|e| Error::io(name, e))?;
            if n == 0 {
                break;
            }
            at.line += 1;
            at.byte += n as u64;
            self.ends.push((at.line, self.bytes.len()));
        }
        Ok(())
    }

    /// The chunk's records, parsed in parallel, in order; located in
    /// `input` when it is given.
    fn parse(
        &self,
        name: &Arc<str>,
        input: Option<&Arc<Input>>,
        config: &IngestConfig,
    ) -> Vec<Option<Record>> {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(_, end)| end));
        let lines: Vec<(u64, usize, &[u8])> = self
            .ends
            .iter()
            .zip(starts)
            .map(|(&(no, end), start)| (no, start, &self.bytes[start..end]))
            .collect();
        lines
            .par_iter()
            .map(|&(no, start, bytes)| {
                let at = input.map(|i| (i, self.offset + start as u64));
                parse_line(bytes, name, no, at, config)
            })
            .collect()
    }
}

fn bad(name: &str, line: u64, reason: impl Into<String>) -> Option<Record> {
    Some(Record::Bad {
        origin: format!("{name}:{line}"),
        reason: reason.into(),
    })
}

/// Parses one line. `at` is the input file and where the line starts in it,
/// when the record is to say where its text is ([`Located`]).
fn parse_line(
    bytes: &[u8],
    name: &Arc<str>,
    line: u64,
    at: Option<(&Arc<Input>, u64)>,
    config: &IngestConfig,
) -> Option<Record> {
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
    // Each field as the JSON it is in the line: the text field's literal is
    // decoded from there, and where it is in the line is known.
    let fields: HashMap<String, &RawValue> = match serde_json::from_str(text) {
        Ok(fields) => fields,
        Err(e) => {
            let reason = match serde_json::from_str::<IgnoredAny>(text) {
                Ok(_) => "expected a JSON object".to_string(),
                Err(_) => format!("malformed JSON: {e}"),
            };
            return bad(name, line, reason);
        }
    };
    // A field's value (its JSON was checked when the line was parsed).
    let value = |field: &str| -> Option<Value> {
        fields
            .get(field)
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    };
    let key = match value(&config.id_field) {
        Some(Value::String(s)) if !s.is_empty() => s,
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
    let mut text_at = None;
    let body = match fields.get(&config.text_field) {
        Some(raw) => match serde_json::from_str::<String>(raw.get()) {
            Ok(body) => {
                // The literal is a slice of the line.
                let inside = raw.get().as_ptr() as usize - text.as_ptr() as usize;
                text_at = at
                    .and_then(|(_, start)| Place::of(start + inside as u64, raw.get().as_bytes()));
                body
            }
            Err(_) => {
                return bad(
                    name,
                    line,
                    format!(
                        "article {key:?}: field {:?} is not a string",
                        config.text_field
                    ),
                )
            }
        },
        None => match value(&config.html_field) {
            Some(Value::String(page)) => {
                let url = value(&config.url_field);
                match super::html::extract(&page, url.as_ref().and_then(Value::as_str)) {
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
    let string_field = |field: &str, warnings: &mut Vec<String>| match value(field) {
        Some(Value::String(s)) => Some(s),
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
    let located = Located {
        input: at.map(|(input, _)| Arc::clone(input)),
        text: text_at,
        line: at
            .filter(|_| config.keep_raw)
            .and_then(|(_, start)| Place::of(start, text.as_bytes())),
    };
    Some(Record::Article(Box::new(article), warnings, located))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<Record> {
        parse_line(
            s.as_bytes(),
            &"f.jsonl".into(),
            7,
            None,
            &IngestConfig::default(),
        )
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
            Some(Record::Article(a, w, _)) => {
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
        assert!(reason(parse("[1")).starts_with("f.jsonl:7: malformed JSON"));
        assert!(
            reason(parse(r#"{"id": "x", "text": "t"} 5"#)).starts_with("f.jsonl:7: malformed JSON")
        );
        assert!(reason(parse(r#"{"id": "x", "text": 5}"#))
            .contains("\"x\": field \"text\" is not a string"));
        assert!(reason(parse(r#"{"text": "t"}"#)).contains("missing id"));
        let r = parse_line(
            b"{\"id\":\"a\",\"text\":\"\xff\"}",
            &"f.jsonl".into(),
            3,
            None,
            &IngestConfig::default(),
        );
        assert!(reason(r).starts_with("f.jsonl:3: invalid UTF-8"));
    }

    #[test]
    fn lang_field_is_read_and_bad_codes_warn() {
        use crate::lang::Lang;
        let lang = |line: &str| match parse(line) {
            Some(Record::Article(a, w, _)) => (a.lang, w),
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
            None,
            &config,
        ) {
            Some(Record::Article(a, ..)) => assert_eq!(a.lang, Some(Lang::Pl)),
            _ => panic!("not an article"),
        }
    }

    #[test]
    fn bad_dates_warn_but_keep_the_article() {
        match parse(r#"{"id": "a", "text": "t", "published": "soon"}"#) {
            Some(Record::Article(a, w, _)) => {
                assert!(a.published.is_none());
                assert_eq!(w.len(), 1);
            }
            _ => panic!("not an article"),
        }
    }
}

//! Directory reader: every `.txt` file under a directory is one article
//! (id = path relative to the directory, title = first non-empty line), and
//! every `.html`, `.htm` or `.html.gz` page is one article whose text is the
//! page's extracted main text (see [`super::html`]).

use super::{Located, Record};
use crate::model::{Article, Origin};
use crate::{Error, Result};
use std::path::Path;

pub(crate) fn read_dir(root: &Path) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let origin = e.path().unwrap_or(root).display().to_string();
                out.push(Record::Bad {
                    origin,
                    reason: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path);
        if path.extension().is_some_and(|e| e == "txt") {
            out.push(read_text_file(path, rel)?);
        } else if is_html(path) {
            out.push(read_html_file(path, rel)?);
        }
    }
    Ok(out)
}

pub(crate) fn read_text_file(path: &Path, key: &Path) -> Result<Record> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let origin = Origin {
        path: path.display().to_string().into(),
        line: None,
    };
    let body = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            return Ok(Record::Bad {
                origin: origin.to_string(),
                reason: format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
            })
        }
    };
    let title = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(Into::into);
    Ok(Record::Article(
        Box::new(Article {
            title,
            ..Article::new(key.to_string_lossy().replace('\\', "/"), origin, body)
        }),
        Vec::new(),
        Located::default(),
    ))
}

/// Whether a path names an HTML page (`.html`, `.htm`, optionally `.gz`).
pub(crate) fn is_html(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".html") || name.ends_with(".htm")
}

/// One HTML page as an article: its extracted main text, title, date and URL.
pub(crate) fn read_html_file(path: &Path, key: &Path) -> Result<Record> {
    let mut bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let origin = Origin {
        path: path.display().to_string().into(),
        line: None,
    };
    if path.extension().is_some_and(|e| e == "gz") {
        let mut plain = Vec::new();
        let mut gz = flate2::read::MultiGzDecoder::new(&bytes[..]);
        if let Err(e) = std::io::Read::read_to_end(&mut gz, &mut plain) {
            return Ok(Record::Bad {
                origin: origin.to_string(),
                reason: format!("cannot decompress: {e}"),
            });
        }
        bytes = plain;
    }
    let page = super::html::decode(&bytes);
    let extracted = match super::html::extract(&page, None) {
        Ok(e) => e,
        Err(reason) => {
            return Ok(Record::Bad {
                origin: origin.to_string(),
                reason,
            })
        }
    };
    let mut warnings = Vec::new();
    let published = extracted.published.as_deref().and_then(|s| {
        let parsed = super::parse_date(s);
        if parsed.is_none() {
            warnings.push(format!("publication time {s:?} is not RFC 3339 (ignored)"));
        }
        parsed
    });
    Ok(Record::Article(
        Box::new(Article {
            key: key.to_string_lossy().replace('\\', "/").into(),
            origin,
            title: extracted.title.map(Into::into),
            published,
            source: extracted.site.map(Into::into),
            url: extracted.url.map(Into::into),
            body: extracted.text.into(),
            raw: None,
            // The declared language when it is a code newsdup knows;
            // otherwise it is detected from the text.
            lang: extracted.lang.as_deref().and_then(crate::lang::parse_code),
        }),
        warnings,
        Located::default(),
    ))
}

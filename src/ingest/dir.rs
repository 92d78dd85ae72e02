//! Directory reader: every `.txt` file under a directory is one article
//! (id = path relative to the directory, title = first non-empty line).

use super::Record;
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
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "txt") {
            let rel = path.strip_prefix(root).unwrap_or(path);
            out.push(read_text_file(path, rel)?);
        }
    }
    Ok(out)
}

pub(crate) fn read_text_file(path: &Path, key: &Path) -> Result<Record> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let origin = Origin {
        path: path.display().to_string(),
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
        .map(str::to_string);
    Ok(Record::Article(
        Box::new(Article {
            key: key.to_string_lossy().replace('\\', "/"),
            origin,
            title,
            published: None,
            source: None,
            url: None,
            body,
            lang: None,
            raw: None,
        }),
        Vec::new(),
    ))
}

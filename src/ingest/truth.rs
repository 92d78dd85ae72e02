//! Labelled pairs for evaluation: a TSV with a header naming `id_a`, `id_b`
//! and `label` (more columns are ignored), as in `shared/eval/*/pairs.tsv`.

use crate::{Error, Result};
use std::io::BufRead;
use std::path::Path;

/// One labelled pair of article ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthPair {
    /// One article id.
    pub a: String,
    /// The other article id.
    pub b: String,
    /// The truth label (any string: `near-copy`, `same`, `non`, …).
    pub label: String,
}

/// Reads a pairs TSV. A missing column or a short row is an error naming the
/// file and line; blank lines are ignored.
pub fn read_truth_pairs(path: &Path) -> Result<Vec<TruthPair>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    parse_truth_pairs(std::io::BufReader::new(file), &path.display().to_string())
}

/// Parses a pairs TSV from a reader; `name` is used in error messages.
pub fn parse_truth_pairs(reader: impl BufRead, name: &str) -> Result<Vec<TruthPair>> {
    let bad = |line: usize, reason: String| Error::BadRecord {
        origin: format!("{name}:{line}"),
        reason,
    };
    let mut lines = reader.lines().enumerate();
    let header = match lines.next() {
        Some((_, line)) => line.map_err(|e| Error::io(name, e))?,
        None => {
            return Err(bad(
                1,
                "empty file: expected a header id_a, id_b, label".into(),
            ))
        }
    };
    let columns: Vec<&str> = header.trim_end_matches('\r').split('\t').collect();
    let column = |want: &str| {
        columns
            .iter()
            .position(|c| c.trim() == want)
            .ok_or_else(|| bad(1, format!("the header has no `{want}` column")))
    };
    let (ia, ib, il) = (column("id_a")?, column("id_b")?, column("label")?);
    let needed = ia.max(ib).max(il) + 1;
    let mut pairs = Vec::new();
    for (i, line) in lines {
        let line = line.map_err(|e| Error::io(name, e))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < needed {
            return Err(bad(
                i + 1,
                format!("{} columns, the header needs {needed}", fields.len()),
            ));
        }
        pairs.push(TruthPair {
            a: fields[ia].to_string(),
            b: fields[ib].to_string(),
            label: fields[il].to_string(),
        });
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_by_name_and_names_bad_lines() {
        let text = "label\tid_b\tid_a\textra\nsame\tx\ty\t1\n\nnon\tp\tq\t2\n";
        let pairs = parse_truth_pairs(text.as_bytes(), "t.tsv").unwrap();
        assert_eq!(pairs.len(), 2);
        assert_eq!(
            pairs[1],
            TruthPair {
                a: "q".into(),
                b: "p".into(),
                label: "non".into()
            }
        );
        let err = parse_truth_pairs("id_a\tid_b\tlabel\nx\ty\n".as_bytes(), "t.tsv")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.tsv:2:"), "{err}");
        let err = parse_truth_pairs("id_a\tlabel\n".as_bytes(), "t.tsv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`id_b`"), "{err}");
    }
}

//! Quotations: the spans of a text between quotation marks, and the
//! quotations two texts share.
//!
//! Input: an article body and its tokens. Output: [`Quote`]s (byte range of
//! the quoted words and the token range), in text order, not overlapping.
//!
//! Marks recognised: straight `"…"`, curly `“…”`, low-high `„…“`/`„…”`,
//! guillemets `«…»` and `»…«`, `‹…›`, CJK `「…」` `『…』`, and single quotes
//! `‘…’` / `'…'` when they open after a non-word character and close before
//! one (so apostrophes in *don't* or *Russia's* do not open a quote). A
//! quotation does not run past the end of its paragraph (a blank line) or
//! [`MAX_QUOTE_BYTES`].
//!
//! Two quotations are the same when their normalised words agree: all of
//! them, or, for longer quotations, most of them in the same order (a word
//! added, `signal`/`signals`, an editor's insertion in brackets), measured
//! by the longest common subsequence of the two word sequences.

use crate::model::NormDoc;
use ahash::AHashMap;
use compact_str::CompactString;
use std::ops::Range;

/// Longest quotation considered, in bytes.
pub const MAX_QUOTE_BYTES: usize = 4000;
/// Fewest words of a shared quotation (shorter ones, like a quoted single
/// word, are too common to be evidence).
pub const MIN_QUOTE_WORDS: usize = 3;
/// Share of the longer quotation's words the common subsequence must cover
/// for two inexact quotations to be the same.
pub const MIN_QUOTE_AGREEMENT: f64 = 0.6;
/// Longest quotation (in words) compared inexactly (the comparison is
/// quadratic).
const MAX_FUZZY_WORDS: usize = 300;

/// One quotation in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Byte range of the quoted words (first word start to last word end).
    pub bytes: Range<usize>,
    /// Range of token indices inside the quotation.
    pub tokens: Range<usize>,
}

fn closers(open: char) -> &'static [char] {
    match open {
        '"' => &['"'],
        '\u{201C}' => &['\u{201D}', '\u{201C}'],
        '\u{201E}' => &['\u{201C}', '\u{201D}'],
        '\u{00AB}' => &['\u{00BB}'],
        '\u{00BB}' => &['\u{00AB}'],
        '\u{2039}' => &['\u{203A}'],
        '\u{300C}' => &['\u{300D}'],
        '\u{300E}' => &['\u{300F}'],
        '\u{2018}' => &['\u{2019}'],
        '\'' => &['\''],
        _ => &[],
    }
}

fn is_single(c: char) -> bool {
    matches!(c, '\u{2018}' | '\u{2019}' | '\'')
}

/// Byte ranges between quotation marks (marks excluded), in text order.
pub fn quoted_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for singles in [false, true] {
        spans.extend(spans_of(text, singles));
    }
    spans.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    // Keep the outer quotation where a single-quoted span sits inside a
    // double-quoted one.
    let mut kept: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for s in spans {
        if kept.last().is_some_and(|k| s.start < k.end) {
            continue;
        }
        kept.push(s);
    }
    kept
}

fn spans_of(text: &str, singles: bool) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let word = |k: usize| chars.get(k).is_some_and(|&(_, c)| c.is_alphanumeric());
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        let wanted = closers(c);
        if wanted.is_empty() || is_single(c) != singles {
            k += 1;
            continue;
        }
        // A single quote opens only after a non-word character and before a word.
        if singles && (k > 0 && word(k - 1) || !word(k + 1)) {
            k += 1;
            continue;
        }
        let start = at + c.len_utf8();
        let mut close = None;
        let mut m = k + 1;
        while m < chars.len() {
            let (pos, d) = chars[m];
            if pos - start > MAX_QUOTE_BYTES {
                break;
            }
            if d == '\n' && text[pos + 1..].starts_with(['\n', '\r']) {
                break;
            }
            if wanted.contains(&d) && (!singles || !word(m + 1)) {
                close = Some(m);
                break;
            }
            m += 1;
        }
        match close {
            Some(m) => {
                out.push(start..chars[m].0);
                k = m + 1;
            }
            None => k += 1,
        }
    }
    out
}

/// The quotations of a document: quoted spans holding at least one
/// unsuppressed word token, trimmed to their first and last word.
pub fn quotes(text: &str, doc: &NormDoc) -> Vec<Quote> {
    let mut out = Vec::new();
    let mut t = 0;
    for span in quoted_spans(text) {
        while t < doc.tokens.len() && doc.tokens[t].start() < span.start {
            t += 1;
        }
        let first = t;
        while t < doc.tokens.len() && doc.tokens[t].end() <= span.end {
            t += 1;
        }
        if first == t || doc.suppressed[first..t].iter().any(|&s| s) {
            continue;
        }
        out.push(Quote {
            bytes: doc.tokens[first].start()..doc.tokens[t - 1].end(),
            tokens: first..t,
        });
    }
    out
}

/// Length of the longest common subsequence of two word sequences.
fn lcs(a: &[&str], b: &[&str]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diag = 0;
        for (j, y) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if x == y {
                diag + 1
            } else {
                row[j + 1].max(row[j])
            };
            diag = up;
        }
    }
    row[b.len()]
}

/// Whether two quotations (as normalised words) are the same quotation.
pub fn same_quote(a: &[&str], b: &[&str]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() < MIN_QUOTE_WORDS {
        return false;
    }
    if a == b {
        return true;
    }
    // The common subsequence is at most the shorter quotation: skip the
    // quadratic comparison when that cannot reach the agreement needed.
    if long.len() > MAX_FUZZY_WORDS
        || (short.len() as f64) < MIN_QUOTE_AGREEMENT * long.len() as f64
    {
        return false;
    }
    let common = lcs(short, long);
    common >= MIN_QUOTE_WORDS && common as f64 >= MIN_QUOTE_AGREEMENT * long.len() as f64
}

/// Work allowed for inexact comparisons of one pair of texts, in cells of
/// the common-subsequence table (bounds the time on texts with thousands of
/// quotations; exact matches are always found).
pub const FUZZY_CELL_BUDGET: usize = 20_000_000;

/// Pairs `(quote of a, quote of b)` that are the same quotation, each quote
/// used at most once, in the order of the first text. Exact matches are
/// looked up first; then, within [`FUZZY_CELL_BUDGET`], the first unused
/// quotation of the second text that [`same_quote`] accepts.
pub fn shared_quotes(
    text_a: &str,
    doc_a: &NormDoc,
    text_b: &str,
    doc_b: &NormDoc,
) -> Vec<(Quote, Quote)> {
    shared_quotes_of(doc_a, &quotes(text_a, doc_a), doc_b, &quotes(text_b, doc_b))
}

/// [`shared_quotes`] with each text's quotations already found by [`quotes`].
pub fn shared_quotes_of(
    doc_a: &NormDoc,
    qa: &[Quote],
    doc_b: &NormDoc,
    qb: &[Quote],
) -> Vec<(Quote, Quote)> {
    let words = |doc: &'_ NormDoc, q: &Quote| -> Vec<CompactString> {
        doc.tokens[q.tokens.clone()]
            .iter()
            .map(|t| t.norm.clone())
            .collect()
    };
    let wa: Vec<Vec<CompactString>> = qa.iter().map(|q| words(doc_a, q)).collect();
    let wb: Vec<Vec<CompactString>> = qb.iter().map(|q| words(doc_b, q)).collect();
    let mut exact: AHashMap<&[CompactString], Vec<usize>> = AHashMap::new();
    for (j, w) in wb.iter().enumerate().rev() {
        if w.len() >= MIN_QUOTE_WORDS {
            exact.entry(w.as_slice()).or_default().push(j);
        }
    }
    let mut used_b = vec![false; qb.len()];
    let mut found: Vec<Option<usize>> = vec![None; qa.len()];
    for (i, w) in wa.iter().enumerate() {
        if let Some(js) = exact.get_mut(w.as_slice()) {
            if let Some(j) = js.pop() {
                used_b[j] = true;
                found[i] = Some(j);
            }
        }
    }
    let mut budget = FUZZY_CELL_BUDGET;
    for (i, w) in wa.iter().enumerate() {
        if found[i].is_some() || budget == 0 {
            continue;
        }
        let x: Vec<&str> = w.iter().map(CompactString::as_str).collect();
        for (j, v) in wb.iter().enumerate() {
            if used_b[j] {
                continue;
            }
            let (short, long) = (x.len().min(v.len()), x.len().max(v.len()));
            // Pairs that cannot agree enough are skipped without cost.
            if short < MIN_QUOTE_WORDS
                || long > MAX_FUZZY_WORDS
                || (short as f64) < MIN_QUOTE_AGREEMENT * long as f64
            {
                continue;
            }
            let cells = short * long;
            if cells > budget {
                budget = 0;
                break;
            }
            budget -= cells;
            let y: Vec<&str> = v.iter().map(CompactString::as_str).collect();
            if same_quote(&x, &y) {
                used_b[j] = true;
                found[i] = Some(j);
                break;
            }
        }
    }
    qa.iter()
        .zip(found)
        .filter_map(|(x, j)| j.map(|j| (x.clone(), qb[j].clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> NormDoc {
        NormDoc::for_test(0, text)
    }

    fn spans(text: &str) -> Vec<&str> {
        quoted_spans(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_every_kind_of_quotation_mark() {
        assert_eq!(
            spans("He said \"one two\" and “three four” then «five» and „sechs sieben“."),
            ["one two", "three four", "five", "sechs sieben"]
        );
        assert_eq!(spans("the ‘special operation’ ends"), ["special operation"]);
        assert_eq!(spans("it is 'so-called' here"), ["so-called"]);
    }

    #[test]
    fn apostrophes_do_not_open_quotes() {
        assert!(spans("Russia's view, don't ask, the Kremlin’s term").is_empty());
        // A nested single quotation stays inside the double one.
        assert_eq!(
            spans("“both sides say, ‘okay, maybe now.’ Then”"),
            ["both sides say, ‘okay, maybe now.’ Then"]
        );
    }

    #[test]
    fn an_unclosed_quote_stops_at_the_paragraph() {
        assert!(spans("He said \"this never closes.\n\nNext paragraph \"here").is_empty());
    }

    #[test]
    fn quotes_trim_to_words() {
        let text = "Lavrov: “ we will respond to them, ” he said.";
        let q = quotes(text, &doc(text));
        assert_eq!(q.len(), 1);
        assert_eq!(&text[q[0].bytes.clone()], "we will respond to them");
    }

    #[test]
    fn shares_a_quotation_in_different_surroundings() {
        let a = "In Moscow the minister said: “If the signals are serious, of course, we will respond to them,” before leaving.";
        let b = "Nothing else matches here. \"If the signal is serious, then of course we will respond to it.\" Lavrov added.";
        let c = "A different \"statement about the weather today\" entirely.";
        let shared = shared_quotes(a, &doc(a), b, &doc(b));
        assert_eq!(shared.len(), 1);
        assert!(a[shared[0].0.bytes.clone()].starts_with("If the signals"));
        assert!(b[shared[0].1.bytes.clone()].ends_with("respond to it"));
        assert!(shared_quotes(a, &doc(a), c, &doc(c)).is_empty());
    }

    #[test]
    fn short_exact_quotes_count_but_single_words_do_not() {
        let a = "its “special military operation” in the east and a “deal”";
        let b = "what Moscow calls a 'special military operation' and \"deal\"";
        let shared = shared_quotes(a, &doc(a), b, &doc(b));
        assert_eq!(shared.len(), 1);
        assert_eq!(&b[shared[0].1.bytes.clone()], "special military operation");
    }

    #[test]
    fn lcs_is_right() {
        assert_eq!(lcs(&["a", "b", "c", "d"], &["a", "c", "d", "e"]), 3);
        assert_eq!(lcs(&[], &["a"]), 0);
    }
}

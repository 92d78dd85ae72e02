//! The HTML report: one self-contained file (inline CSS and JS, no network).
//!
//! Input: a [`RunReport`] and the article texts (indexed by [`crate::DocId`]).
//! Output: an HTML page that shows the batch summary, every story with its
//! members, a ranked pair table (sortable, filterable by label, score and id,
//! paged so 50,000 pairs open fast) and, for a chosen pair (`#pair=N`, N the
//! 1-based rank), the two texts side by side with the shared passages
//! highlighted in matching colours and linked (clicking one side scrolls the
//! other), plus a pair's aligned sentences when the report carries them.
//!
//! Invariants:
//! - The data is embedded as JSON in `<script type="application/json">`
//!   elements, with every `<` written `\u003c`, so no text can close the
//!   script element or open a comment in it. The page builds its views from
//!   that data in JavaScript; nothing is fetched.
//! - Each text is embedded once (not per pair), and only for articles that are
//!   in at least one pair: the other texts are never shown.
//! - Offsets stay UTF-8 byte offsets, as in the JSON report; the page converts
//!   them to JavaScript string positions for the one pair it shows.
//! - Pairs are serialised with serde, so fields added to
//!   [`crate::pipeline::ReportedPair`] reach the page unchanged; the quoted
//!   passage texts are dropped, since the page slices them from the texts.

use crate::pipeline::RunReport;
use serde_json::{json, Value};
use std::io::{self, Write};

const CSS: &str = include_str!("templates/report.css");
const JS: &str = include_str!("templates/report.js");
/// Runs first, so an error anywhere in the page is recorded in
/// `<html data-errors>` (the browser test reads it).
const ERROR_HOOK: &str = r#"(function(){var r=document.documentElement;function add(m){var l=[];try{l=JSON.parse(r.getAttribute("data-errors")||"[]")}catch(e){}l.push(String(m));r.setAttribute("data-errors",JSON.stringify(l))}window.addEventListener("error",function(e){add((e.message||"error")+" @"+(e.lineno||0))});window.addEventListener("unhandledrejection",function(e){add("unhandled rejection: "+e.reason)});var ce=console.error;console.error=function(){add(Array.prototype.join.call(arguments," "));return ce.apply(console,arguments)}})();"#;

/// Longest lead (start of the text) shown for an article without a title, in bytes.
const MAX_LEAD_BYTES: usize = 140;

/// The start of `text` up to its first line break, cut at a character
/// boundary near [`MAX_LEAD_BYTES`].
fn lead(text: &str) -> String {
    let line = text.trim_start().lines().next().unwrap_or("").trim_end();
    if line.len() <= MAX_LEAD_BYTES {
        return line.to_string();
    }
    let mut end = MAX_LEAD_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &line[..end])
}

/// The data the page renders, as one JSON value (full texts excluded; an
/// article without a title gets a `lead`, the start of its text, so lists
/// can name it).
pub fn page_data(report: &RunReport, texts: &[&str]) -> serde_json::Result<Value> {
    let documents = report
        .documents
        .iter()
        .zip(texts)
        .map(|(d, t)| {
            let mut v = serde_json::to_value(d)?;
            if d.title.is_none() {
                v["lead"] = Value::String(lead(t));
            }
            Ok(v)
        })
        .collect::<serde_json::Result<Vec<Value>>>()?;
    let pairs = report
        .pairs
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p)?;
            round_floats(&mut v);
            if let Some(passages) = v.get_mut("passages").and_then(Value::as_array_mut) {
                for ps in passages.iter_mut().filter_map(Value::as_object_mut) {
                    ps.remove("text_a");
                    ps.remove("text_b");
                }
            }
            Ok(v)
        })
        .collect::<serde_json::Result<Vec<Value>>>()?;
    Ok(json!({
        "tool": concat!("newsdup ", env!("CARGO_PKG_VERSION")),
        "fingerprint": format!("{:016x}", report.fingerprint.0),
        "params": report.params,
        "stats": report.stats,
        "documents": documents,
        "clusters": report.clusters,
        "pairs": pairs,
        "skipped": report.skipped,
        "warnings": report.warnings,
    }))
}

/// Rounds every non-integer number to 6 decimals, as the JSON report does:
/// a third less data for 50,000 pairs, no visible change.
fn round_floats(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64().map(crate::report::json::round) {
                if let Some(r) = serde_json::Number::from_f64(x) {
                    *n = r;
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(round_floats),
        Value::Object(o) => o.values_mut().for_each(round_floats),
        _ => {}
    }
}

/// Serialises `value` as JSON that is safe inside a `<script>` element:
/// every `<` becomes `\u003c`. In JSON a `<` can only occur inside a string,
/// where the escape means the same character.
pub fn script_json(value: &impl serde::Serialize) -> io::Result<String> {
    let s = serde_json::to_string(value).map_err(io::Error::other)?;
    Ok(s.replace('<', "\\u003c"))
}

/// Writes the report as one self-contained HTML page.
///
/// `texts[i]` is the text of document `i` (the article bodies the pipeline
/// ran on, in input order).
pub fn write(report: &RunReport, texts: &[&str], mut out: impl Write) -> io::Result<()> {
    if texts.len() != report.documents.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "HTML report: {} texts for {} documents",
                texts.len(),
                report.documents.len()
            ),
        ));
    }
    let mut in_pair = vec![false; texts.len()];
    for p in &report.pairs {
        in_pair[p.a.idx()] = true;
        in_pair[p.b.idx()] = true;
    }
    let shown: Vec<Option<&str>> = texts
        .iter()
        .zip(&in_pair)
        .map(|(t, &keep)| keep.then_some(*t))
        .collect();
    let data = script_json(&page_data(report, texts).map_err(io::Error::other)?)?;
    let texts = script_json(&shown)?;
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>newsdup report</title>\n<script>{ERROR_HOOK}</script>\n<style>\n{CSS}</style>\n</head>\n\
         <body data-state=\"loading\">\n<noscript>This report needs JavaScript.</noscript>\n\
         <div id=\"app\"></div>\n\
         <script type=\"application/json\" id=\"report-data\">{data}</script>\n\
         <script type=\"application/json\" id=\"report-texts\">{texts}</script>\n\
         <script>\n{JS}</script>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Article;
    use crate::params::Params;

    fn article(key: &str, body: &str) -> Article {
        let origin = crate::model::Origin {
            path: "t.jsonl".into(),
            line: Some(1),
        };
        Article {
            title: Some(format!("<b>{key}</b>").into()),
            ..Article::new(key, origin, body)
        }
    }

    fn render(articles: &[Article]) -> (RunReport, String) {
        let report = crate::pipeline::run(articles, &Params::default()).unwrap();
        let texts: Vec<_> = articles.iter().map(|a| a.text().unwrap()).collect();
        let texts: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
        let mut out = Vec::new();
        write(&report, &texts, &mut out).unwrap();
        (report, String::from_utf8(out).unwrap())
    }

    const HOSTILE: &str = "Le maire a dit « non » </script><script>alert(1)</script> <!-- à \
        Zürich, 東京 et 🎉 --> et la séance du conseil municipal a été levée après trois heures \
        de débat sur le budget des écoles et des routes de la ville.";

    /// Two copies of a text full of markup, and one unrelated article.
    fn hostile_batch() -> Vec<Article> {
        vec![
            article("a", HOSTILE),
            article("b", &format!("{HOSTILE} Fin.")),
            article(
                "c",
                "Une autre histoire sans rapport, sur la pluie et le beau temps.",
            ),
        ]
    }

    #[test]
    fn self_contained_and_escaped() {
        let articles = hostile_batch();
        let (report, html) = render(&articles);
        assert_eq!(report.pairs.len(), 1, "the two copies make one pair");
        // No fetches: no http(s) URL anywhere in an attribute, no external script or style.
        for needle in [
            "src=\"http",
            "href=\"http",
            "src='http",
            "href='http",
            "url(http",
            "@import",
        ] {
            assert!(!html.contains(needle), "page fetches something: {needle}");
        }
        assert!(!html.contains("<script src"), "external script");
        assert!(!html.contains("<link"), "external resource");
        // Exactly the page's own script elements; the texts cannot close one.
        assert_eq!(html.matches("</script>").count(), 4);
        assert_eq!(html.matches("<script").count(), 4);
        assert!(!html.contains("<!--"));
        assert!(html.contains("\\u003c/script>\\u003cscript>alert(1)"));
        assert!(html.contains("\\u003cb>a\\u003c/b>"), "titles escaped too");
    }

    #[test]
    fn embedded_data_round_trips() {
        let articles = hostile_batch();
        let (report, html) = render(&articles);
        let block = |id: &str| -> Value {
            let open = format!("<script type=\"application/json\" id=\"{id}\">");
            let start = html.find(&open).unwrap() + open.len();
            let end = start + html[start..].find("</script>").unwrap();
            serde_json::from_str(&html[start..end]).unwrap()
        };
        let texts = block("report-texts");
        // Texts of paired articles only, byte for byte; the unpaired one is left out.
        assert_eq!(texts[0], HOSTILE);
        assert_eq!(texts[1], articles[1].text().unwrap().as_ref());
        assert_eq!(texts[2], Value::Null);
        let data = block("report-data");
        assert_eq!(data["documents"].as_array().unwrap().len(), 3);
        let pair = &data["pairs"][0];
        assert_eq!(pair["label"], report.pairs[0].label.as_str());
        let ps = &pair["passages"][0];
        let rp = &report.pairs[0].passages[0];
        assert_eq!(ps["a_start"], rp.a_start);
        assert_eq!(ps["b_end"], rp.b_end);
        assert!(
            ps.get("text_a").is_none(),
            "quotes are not embedded per pair"
        );
    }

    #[test]
    fn lead_is_the_first_line_cut_at_a_char_boundary() {
        assert_eq!(lead("\n  Première ligne.\nSeconde."), "Première ligne.");
        let long = "é".repeat(100); // 200 bytes
        let l = lead(&long);
        assert!(l.ends_with('…'));
        assert_eq!(l.chars().count(), MAX_LEAD_BYTES / 2 + 1);
        assert_eq!(lead(""), "");
    }

    #[test]
    fn wrong_number_of_texts_is_an_error() {
        let articles = vec![article("a", HOSTILE)];
        let report = crate::pipeline::run(&articles, &Params::default()).unwrap();
        let err = write(&report, &[], Vec::new()).unwrap_err();
        assert!(err.to_string().contains("0 texts for 1 documents"));
    }
}

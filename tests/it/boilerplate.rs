//! HTML pages of `../shared/eval/boilerplate`: the main text is extracted,
//! and pages of one site template are not reported as copies of each other
//! unless their article texts are. Reads `../shared/eval/boilerplate`.

use newsdup::ingest::html::{decode, extract};
use newsdup::ingest::{read_inputs, IngestConfig};
use newsdup::{pipeline, Params, RunReport};
use std::collections::{HashMap, HashSet};
use std::io::Read;

fn words(s: &str) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *m.entry(w.to_lowercase()).or_default() += 1;
    }
    m
}

#[test]
fn extraction_keeps_the_article_text() {
    let dir = crate::shared().expect("../shared").join("eval/boilerplate");
    let docs = std::fs::read_to_string(dir.join("docs.jsonl")).unwrap();
    let (mut tp, mut got, mut want) = (0usize, 0usize, 0usize);
    let mut failed = Vec::new();
    for line in docs.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let path = dir.join(v["html_file"].as_str().unwrap());
        let mut bytes = std::fs::read(&path).unwrap();
        if path.extension().is_some_and(|e| e == "gz") {
            let mut plain = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut plain)
                .unwrap();
            bytes = plain;
        }
        let gold = words(v["text"].as_str().unwrap());
        let ours = match extract(&decode(&bytes), None) {
            Ok(e) => words(&e.text),
            Err(_) => {
                failed.push(path.display().to_string());
                HashMap::new()
            }
        };
        tp += ours
            .iter()
            .map(|(w, &n)| n.min(gold.get(w).copied().unwrap_or(0)))
            .sum::<usize>();
        got += ours.values().sum::<usize>();
        want += gold.values().sum::<usize>();
    }
    let (p, r) = (tp as f64 / got as f64, tp as f64 / want as f64);
    let f1 = 2.0 * p * r / (p + r);
    eprintln!("boilerplate extraction: word precision {p:.3} recall {r:.3} F1 {f1:.3}; no text from {failed:?}");
    assert!(f1 >= 0.85 && p >= 0.80 && r >= 0.80, "P {p:.3} R {r:.3}");
    assert!(failed.len() <= 3, "{failed:?}");
}

fn same_site_pairs(report: &RunReport, key: impl Fn(&str) -> String) -> HashSet<(String, String)> {
    let site = |id: &str| {
        let name = id.rsplit('/').next().unwrap_or(id);
        name.trim_end_matches(".html")
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '_')
            .to_string()
    };
    report
        .pairs
        .iter()
        .map(|p| {
            (
                report.documents[p.a.idx()].id.as_ref(),
                report.documents[p.b.idx()].id.as_ref(),
            )
        })
        .filter(|(a, b)| site(a) == site(b))
        .map(|(a, b)| {
            let (a, b) = (key(a), key(b));
            if a < b {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect()
}

#[test]
fn pages_of_one_site_template_are_not_copies_of_each_other() {
    let dir = crate::shared().expect("../shared").join("eval/boilerplate");
    let pages = dir.join("html/CleanPortalEval-master/input");
    let batch = read_inputs(&[&pages], &IngestConfig::default()).unwrap();
    assert!(batch.articles.len() >= 70, "{}", batch.articles.len());
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    // The same pages as their gold article texts (no template at all).
    let gold_lines: Vec<String> = std::fs::read_to_string(dir.join("docs.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"CleanPortalEval-master/"))
        .map(str::to_string)
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let gold_file = tmp.path().join("gold.jsonl");
    std::fs::write(&gold_file, gold_lines.join("\n")).unwrap();
    let gold_batch = read_inputs(&[&gold_file], &IngestConfig::default()).unwrap();
    let gold = pipeline::run(&gold_batch.articles, &Params::default()).unwrap();

    let basename = |id: &str| {
        id.rsplit('/')
            .next()
            .unwrap_or(id)
            .trim_end_matches(".html")
            .to_string()
    };
    let from_pages = same_site_pairs(&report, basename);
    let from_gold = same_site_pairs(&gold, basename);
    // Copies (exact, near-copy) between two pages of one site only where
    // the articles themselves are copies.
    let copies: Vec<_> = report
        .pairs
        .iter()
        .filter(|p| p.label.joins_story() && p.label != newsdup::Label::Rewrite)
        .map(|p| {
            let (a, b) = (
                basename(&report.documents[p.a.idx()].id),
                basename(&report.documents[p.b.idx()].id),
            );
            if a < b {
                (a, b)
            } else {
                (b, a)
            }
        })
        .filter(|k| !from_gold.contains(k))
        .collect();
    assert!(copies.is_empty(), "template copies: {copies:?}");
    let extra: Vec<_> = from_pages.difference(&from_gold).collect();
    eprintln!(
        "same-site pairs from pages: {}, from gold texts: {}, only from pages: {extra:?}",
        from_pages.len(),
        from_gold.len()
    );
    // Known gap: BBC pages keep a list of other headlines in the extracted
    // text, which makes partial copies between three of them.
    assert!(extra.len() <= 3, "pairs made by the template: {extra:?}");
}

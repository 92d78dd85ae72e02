//! Library end-to-end runs on the sample batch.

use newsdup::ingest::{read_inputs, IngestConfig};
use newsdup::{pipeline, Label, Params};
use std::collections::BTreeMap;

fn truth() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(crate::root().join("data/sample/truth.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            ((f[0].to_string(), f[1].to_string()), f[2].to_string())
        })
        .collect()
}

#[test]
fn sample_batch_gets_every_label_right() {
    let batch = read_inputs(&[crate::sample()], &IngestConfig::default()).unwrap();
    assert!(batch.skipped.is_empty());
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let mut got = BTreeMap::new();
    for p in &report.pairs {
        let (a, b) = (
            &report.documents[p.a.idx()].id,
            &report.documents[p.b.idx()].id,
        );
        let key = if a < b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        got.insert(key, p.label.as_str().to_string());
    }
    assert_eq!(got, truth());
}

#[test]
fn sample_stories_follow_the_truth_and_the_hard_negative_stays_apart() {
    let batch = read_inputs(&[crate::sample()], &IngestConfig::default()).unwrap();
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let cluster = |id: &str| {
        report
            .documents
            .iter()
            .find(|d| d.id == id)
            .unwrap()
            .cluster
    };
    for id in ["a-exact", "a-syndicated", "a-edited", "a-rewrite"] {
        assert_eq!(cluster(id), cluster("a-wire"), "{id}");
    }
    assert_eq!(cluster("b-rewrite"), cluster("b-original"));
    assert_eq!(cluster("b-summary"), cluster("b-original"));
    assert_ne!(cluster("c-same-topic"), cluster("a-wire"));
    assert_ne!(
        cluster("roundup-1"),
        cluster("a-wire"),
        "a roundup must not join the story it quotes"
    );
    assert_ne!(cluster("b-original"), cluster("a-wire"));
}

#[test]
fn copies_mode_finds_copies_but_no_rewrites() {
    let batch = read_inputs(&[crate::sample()], &IngestConfig::default()).unwrap();
    let params = Params {
        mode: newsdup::Mode::Copies,
        ..Params::default()
    };
    let report = pipeline::run(&batch.articles, &params).unwrap();
    assert!(report.pairs.iter().all(|p| p.label != Label::Rewrite));
    assert!(report.pairs.iter().any(|p| p.label == Label::NearCopy));
    assert!(report.pairs.iter().any(|p| p.label == Label::PartialCopy));
}

#[test]
fn passages_quote_the_exact_original_bytes() {
    let batch = read_inputs(&[crate::sample()], &IngestConfig::default()).unwrap();
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let mut checked = 0;
    for p in &report.pairs {
        for ps in &p.passages {
            let a = &batch.articles[p.a.idx()].body;
            let b = &batch.articles[p.b.idx()].body;
            assert!(a[ps.a_start..ps.a_end].starts_with(ps.text_a.trim_end_matches('…')));
            assert!(b[ps.b_start..ps.b_end].starts_with(ps.text_b.trim_end_matches('…')));
            checked += 1;
        }
    }
    assert!(checked > 10);
}

#[test]
fn empty_batch_is_fine() {
    let report = pipeline::run(&[], &Params::default()).unwrap();
    assert!(report.pairs.is_empty() && report.clusters.is_empty());
}

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
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
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
            .find(|d| &*d.id == id)
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
    // Copies mode re-tokenises the texts it aligns instead of keeping every
    // token: the copies it reports carry the passages stories mode finds.
    let stories = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let mut compared = 0;
    for p in report
        .pairs
        .iter()
        .filter(|p| p.label != Label::PartialCopy)
    {
        let q = stories
            .pairs
            .iter()
            .find(|q| (q.a, q.b) == (p.a, p.b))
            .expect("stories mode reports every copy");
        assert_eq!(q.label, p.label);
        assert_eq!(q.scores.jaccard, p.scores.jaccard);
        let spans = |r: &pipeline::ReportedPair| {
            r.passages
                .iter()
                .map(|ps| (ps.a_start, ps.a_end, ps.b_start, ps.b_end))
                .collect::<Vec<_>>()
        };
        assert_eq!(spans(q), spans(p));
        compared += 1;
    }
    assert!(compared >= 3);
    let tokens = |r: &newsdup::RunReport| r.documents.iter().map(|d| d.tokens).collect::<Vec<_>>();
    assert_eq!(tokens(&report), tokens(&stories));
}

#[test]
fn passages_quote_the_exact_original_bytes() {
    let batch = read_inputs(&[crate::sample()], &IngestConfig::default()).unwrap();
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let mut checked = 0;
    for p in &report.pairs {
        for ps in &p.passages {
            let a = batch.articles[p.a.idx()].text().unwrap();
            let b = batch.articles[p.b.idx()].text().unwrap();
            assert!(a[ps.a_start..ps.a_end].starts_with(ps.text_a.trim_end_matches('…')));
            assert!(b[ps.b_start..ps.b_end].starts_with(ps.text_b.trim_end_matches('…')));
            checked += 1;
        }
    }
    assert!(checked > 10);
}

#[test]
fn evidence_scope_aligns_only_the_top_pairs_and_changes_nothing_else() {
    let batch = read_inputs(&[crate::sample()], &IngestConfig::default()).unwrap();
    let params = Params::default();
    let all = pipeline::run(&batch.articles, &params).unwrap();
    let top = pipeline::run_with_progress(
        &batch.articles,
        &params,
        pipeline::Evidence::Top(2),
        &pipeline::NoProgress,
    )
    .unwrap();
    assert!(all.pairs.len() > 2);
    assert_eq!(all.pairs.len(), top.pairs.len());
    assert_eq!(all.clusters, top.clusters);
    for (rank, (x, y)) in all.pairs.iter().zip(&top.pairs).enumerate() {
        assert_eq!((x.a, x.b, x.label, x.scores), (y.a, y.b, y.label, y.scores));
        if rank < 2 {
            assert_eq!(x.passages.len(), y.passages.len());
            assert_eq!(x.sentences.len(), y.sentences.len());
        } else {
            assert!(y.passages.is_empty() && y.sentences.is_empty());
        }
    }
    // Every pair of the full run has its evidence.
    assert!(all
        .pairs
        .iter()
        .all(|p| !p.passages.is_empty() || !p.sentences.is_empty()));
}

#[test]
fn empty_batch_is_fine() {
    let report = pipeline::run(&[], &Params::default()).unwrap();
    assert!(report.pairs.is_empty() && report.clusters.is_empty());
}

#[test]
fn rewrites_get_aligned_sentences_and_copies_do_not() {
    let batch = read_inputs(&[crate::sample()], &IngestConfig::default()).unwrap();
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let mut rewrites = 0;
    for p in &report.pairs {
        if p.label != Label::Rewrite {
            assert!(p.sentences.is_empty(), "{:?}", p.label);
            continue;
        }
        rewrites += 1;
        assert!(!p.sentences.is_empty(), "a rewrite without sentence pairs");
        let (a, b) = (
            batch.articles[p.a.idx()].text().unwrap(),
            batch.articles[p.b.idx()].text().unwrap(),
        );
        let mut last = 0;
        for s in &p.sentences {
            assert!(s.a_start >= last, "in the order of the first article");
            last = s.a_start;
            assert!(s.score > 0.0 && s.score <= 1.0);
            assert!(s.shared_terms.len() >= 2);
            let (sa, sb) = (
                a[s.a_start..s.a_end].to_lowercase(),
                b[s.b_start..s.b_end].to_lowercase(),
            );
            // The heaviest shared term is written in the first sentence, and
            // (up to its stem) in the second.
            let term = &s.shared_terms[0];
            assert!(sa.contains(term.as_str()), "{term} in {sa}");
            let stem: String = term.chars().take(4).collect();
            assert!(sb.contains(&stem), "{stem} in {sb}");
        }
    }
    assert!(rewrites >= 3);
}

#[test]
fn compare_judges_one_pair_as_scan_does() {
    let batch = read_inputs(&[crate::sample()], &IngestConfig::default()).unwrap();
    let params = Params::default();
    let report = pipeline::run(&batch.articles, &params).unwrap();
    for p in report.pairs.iter().take(8) {
        let cmp = pipeline::compare(&batch.articles, p.a, p.b, &params).unwrap();
        assert_eq!(cmp.label, Some(p.label));
        assert_eq!(cmp.scores, p.scores);
        assert_eq!(cmp.passages.len(), p.passages.len());
        assert_eq!(cmp.sentences, p.sentences);
        assert!(cmp.reason.is_none());
    }
    // An unrelated pair says why.
    let id =
        |k: &str| newsdup::DocId(batch.articles.iter().position(|a| &*a.key == k).unwrap() as u32);
    let cmp = pipeline::compare(&batch.articles, id("a-wire"), id("b-original"), &params).unwrap();
    assert_eq!(cmp.label, None);
    assert!(cmp.reason.unwrap().contains("story"));
    assert!(
        pipeline::compare(&batch.articles, id("a-wire"), newsdup::DocId(999), &params).is_err()
    );
}

#[test]
fn copies_mode_suppresses_boilerplate_as_stories_mode_does() {
    // Twelve articles under one site's header and footer lines, two of them
    // copies of one story: the shingles are taken without those lines in
    // both modes.
    let words = [
        "harbour", "council", "budget", "river", "station", "festival", "school", "bridge",
        "market", "library", "stadium", "airport",
    ];
    let articles: Vec<newsdup::Article> = (0..12)
        .map(|i| {
            let topic = words[if i == 11 { 0 } else { i }];
            let body = format!(
                "Subscribe to the Daily Post newsletter\n\
                 The {topic} plan was approved on Monday after a long debate in the chamber, \
                 and officials said the {topic} work would begin next spring with a budget \
                 agreed by every member of the committee present that evening.\n\
                 Follow us for more local news\n"
            );
            let origin = newsdup::Origin {
                path: "t.jsonl".into(),
                line: Some(i as u64 + 1),
            };
            newsdup::Article::new(format!("d{i}"), origin, body)
        })
        .collect();
    let copies = Params {
        mode: newsdup::Mode::Copies,
        ..Params::default()
    };
    let c = pipeline::run(&articles, &copies).unwrap();
    let s = pipeline::run(&articles, &Params::default()).unwrap();
    assert_eq!(c.stats.boilerplate_lines, 24);
    assert_eq!(s.stats.boilerplate_lines, 24);
    let pair = |r: &newsdup::RunReport, a: u32, b: u32| {
        r.pairs
            .iter()
            .find(|p| (p.a.0, p.b.0) == (a, b))
            .map(|p| (p.label, p.scores.jaccard, p.scores.shared_shingles))
            .unwrap()
    };
    assert_eq!(pair(&c, 0, 11), pair(&s, 0, 11));
    assert_eq!(pair(&c, 0, 11).0, Label::Exact);
    // A pair that differs in one word shares the shingles of its bodies
    // only, as when the site's lines are not there at all.
    let bare: Vec<newsdup::Article> = articles
        .iter()
        .map(|a| newsdup::Article {
            body: a.text().unwrap().lines().nth(1).unwrap().into(),
            ..a.clone()
        })
        .collect();
    let b = pipeline::run(&bare, &copies).unwrap();
    assert_eq!(b.stats.boilerplate_lines, 0);
    assert_eq!(pair(&c, 0, 1), pair(&b, 0, 1));
    assert_eq!(pair(&s, 0, 1), pair(&b, 0, 1));
}

#[test]
fn a_spilled_batch_with_boilerplate_gives_the_held_batch_report() {
    // Twelve different stories under one site's long header and footer: in
    // copies mode the spilled run writes each document's anchors twice
    // (before and after its boilerplate lines are known), and only the
    // second ones may count.
    let header = "Subscribe to the Daily Post newsletter for the morning briefing, \
                  local weather, traffic alerts and the best of our weekend reading";
    let footer = "Copyright Daily Post Media Group all rights reserved reproduction \
                  without written permission of the editors is prohibited";
    let topics = [
        "harbour", "council", "budget", "river", "station", "festival", "school", "bridge",
        "market", "library", "stadium", "airport",
    ];
    let articles: Vec<newsdup::Article> = topics
        .iter()
        .enumerate()
        .map(|(i, topic)| {
            let body = format!(
                "{header}\nThe {topic} plan number {i} was approved on Monday after a long \
                 debate, and officials said {topic} work would begin in spring {}.\n{footer}\n",
                2030 + i
            );
            let origin = newsdup::Origin {
                path: "t.jsonl".into(),
                line: Some(i as u64 + 1),
            };
            newsdup::Article::new(format!("d{i}"), origin, body)
        })
        .collect();
    // The site's lines alone hold enough anchors to pair every document.
    let site = newsdup::Article::new(
        "site",
        articles[0].origin.clone(),
        format!("{header}\n{footer}"),
    );
    let doc = newsdup::docs::normalize(0, &site).unwrap();
    let params = Params {
        mode: newsdup::Mode::Copies,
        ..Params::default()
    };
    let set = newsdup::shingle::shingle_set(&doc, params.shingle_k, params.seed);
    assert!(
        newsdup::candidates::anchors_of(&set, params.anchor_rate).len() >= params.anchor_min_shared
    );
    let spill = std::sync::Arc::new(newsdup::store::Spill::new().unwrap());
    let spilled: Vec<newsdup::Article> = articles
        .iter()
        .map(|a| {
            let mut a = a.clone();
            a.body.spill(&spill).unwrap();
            a
        })
        .collect();
    for mode in [newsdup::Mode::Copies, newsdup::Mode::Stories] {
        let params = Params {
            mode,
            ..params.clone()
        };
        let held = pipeline::run(&articles, &params).unwrap();
        assert_eq!(held.stats.boilerplate_lines, 24);
        let from_spill = pipeline::run(&spilled, &params).unwrap();
        assert_eq!(
            serde_json::to_value(&from_spill.stats).unwrap(),
            serde_json::to_value(&held.stats).unwrap()
        );
        let json = |r: &newsdup::RunReport| {
            let mut out = Vec::new();
            newsdup::report::json::write(r, &mut out).unwrap();
            out
        };
        assert_eq!(json(&from_spill), json(&held), "{mode:?} mode");
    }
}

//! Acceptance figures on the labelled corpora in `../shared` (issue 2).
//! These read `../shared/eval` and `../shared/seeds`; CI has them beside the clone.

use newsdup::ingest::{read_inputs, IngestConfig};
use newsdup::{pipeline, Params, RunReport};
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn run(path: &Path) -> RunReport {
    let batch = read_inputs(&[path], &IngestConfig::default()).unwrap();
    assert!(batch.skipped.is_empty(), "{:?}", batch.skipped);
    pipeline::run(&batch.articles, &Params::default()).unwrap()
}

fn shared() -> std::path::PathBuf {
    crate::shared().expect("../shared/eval must sit beside the repository")
}

fn truth_field(path: &Path, field: &str) -> HashMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v[field].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// B-cubed F1 of predicted clusters against truth labels (Bagga & Baldwin 1998).
fn bcubed_f1(pred: &HashMap<String, usize>, truth: &HashMap<String, String>) -> f64 {
    let ids: Vec<&str> = truth.keys().map(String::as_str).collect();
    let (mut p, mut r) = (0.0, 0.0);
    for &i in &ids {
        let same_pred: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|&j| pred[j] == pred[i])
            .collect();
        let same_truth = ids.iter().filter(|&&j| truth[j] == truth[i]).count() as f64;
        let both = same_pred.iter().filter(|&&j| truth[j] == truth[i]).count() as f64;
        p += both / same_pred.len() as f64;
        r += both / same_truth;
    }
    let (p, r) = (p / ids.len() as f64, r / ids.len() as f64);
    2.0 * p * r / (p + r)
}

fn clusters(report: &RunReport) -> HashMap<String, usize> {
    report
        .documents
        .iter()
        .map(|d| (d.id.clone(), d.cluster))
        .collect()
}

fn reported(report: &RunReport) -> HashSet<(String, String)> {
    report
        .pairs
        .iter()
        .flat_map(|p| {
            let (a, b) = (
                report.documents[p.a.idx()].id.clone(),
                report.documents[p.b.idx()].id.clone(),
            );
            [(a.clone(), b.clone()), (b, a)]
        })
        .collect()
}

fn truth_pairs(path: &Path) -> Vec<(String, String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

fn recall(
    found: &HashSet<(String, String)>,
    truth: &[(String, String, String)],
    labels: &[&str],
) -> f64 {
    let wanted: Vec<_> = truth
        .iter()
        .filter(|t| labels.contains(&t.2.as_str()))
        .collect();
    let hit = wanted
        .iter()
        .filter(|t| found.contains(&(t.0.clone(), t.1.clone())))
        .count();
    hit as f64 / wanted.len() as f64
}

#[test]
fn seeds_are_one_story_with_every_pair_labelled() {
    let report = run(&shared().join("seeds"));
    assert_eq!(report.documents.len(), 5);
    assert_eq!(
        report.clusters.len(),
        1,
        "the five seed reports must be one story"
    );
    assert_eq!(report.pairs.len(), 10, "every seed pair is reported");
    // Ranked best first.
    assert!(report.pairs.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn ecbplus_story_clusters_reach_bcubed_085() {
    let docs = shared().join("eval/ecbplus/docs.jsonl");
    let f1 = bcubed_f1(&clusters(&run(&docs)), &truth_field(&docs, "story"));
    assert!(f1 >= 0.85, "B-cubed F1 {f1:.4}");
}

#[test]
fn syndication_copies_and_partials_are_reported() {
    let dir = shared().join("eval/syndication");
    let report = run(&dir.join("docs.jsonl"));
    let truth = truth_pairs(&dir.join("pairs.tsv"));
    let found = reported(&report);
    let near = recall(&found, &truth, &["near-copy"]);
    let partial = recall(&found, &truth, &["partial"]);
    assert!(near >= 0.98, "near-copy recall {near:.3}");
    assert!(partial >= 0.90, "partial recall {partial:.3}");
}

#[test]
fn clough_stevenson_reports_copies_but_not_independent_answers() {
    let dir = shared().join("eval/clough_stevenson");
    let report = run(&dir.join("docs.jsonl"));
    let truth = truth_pairs(&dir.join("pairs.tsv"));
    let found = reported(&report);
    let copies = recall(&found, &truth, &["cut", "light"]);
    let non = recall(&found, &truth, &["non"]);
    // 2 of the 19 `cut` pairs share no 5-word run and few terms with their
    // source (the student copied another part of the article), so 36/38 is the ceiling reached.
    assert!(copies >= 0.94, "cut+light recall {copies:.3}");
    assert!(non <= 0.10, "non reported {non:.3}");
}

/// Characters of `target` covered by the union of `ranges`.
fn covered(target: &std::ops::Range<usize>, ranges: &[std::ops::Range<usize>]) -> usize {
    let mut parts: Vec<_> = ranges
        .iter()
        .map(|r| r.start.max(target.start)..r.end.min(target.end))
        .filter(|r| r.start < r.end)
        .collect();
    parts.sort_by_key(|r| r.start);
    let (mut total, mut reach) = (0, target.start);
    for r in parts {
        let start = r.start.max(reach);
        if r.end > start {
            total += r.end - start;
            reach = r.end;
        }
    }
    total
}

fn overlaps(x: &std::ops::Range<usize>, y: &std::ops::Range<usize>) -> bool {
    x.start < y.end && y.start < x.end
}

#[test]
fn pan13_passages_reach_plagdet_090() {
    // The PAN 2013 text-alignment measures as `score.py passages` computes
    // them (character precision and recall over both documents, granularity
    // = detections per detected case). Truth rows without aligned offsets
    // (5 of 362) are left out, as score.py cannot read them.
    let dir = shared().join("eval/pan13");
    let batch = read_inputs(&[dir.join("docs.jsonl")], &IngestConfig::default()).unwrap();
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let body: HashMap<&str, &str> = batch
        .articles
        .iter()
        .map(|a| (a.key.as_str(), a.body.as_str()))
        .collect();
    type Span = (std::ops::Range<usize>, std::ops::Range<usize>);
    let mut truth: HashMap<(String, String), Vec<Span>> = HashMap::new();
    let text = std::fs::read_to_string(dir.join("passages.tsv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (ta, tal, sa, sal) = (
        col("aligned_this_offset"),
        col("aligned_this_length"),
        col("aligned_source_offset"),
        col("aligned_source_length"),
    );
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        let n = |i: usize| f[i].parse::<usize>().ok();
        let (Some(x), Some(xl), Some(y), Some(yl)) = (n(ta), n(tal), n(sa), n(sal)) else {
            continue;
        };
        truth
            .entry((f[0].to_string(), f[1].to_string()))
            .or_default()
            .push((x..x + xl, y..y + yl));
    }
    let chars = |id: &str, byte: usize| body[id][..byte].chars().count();
    let mut pred: HashMap<(String, String), Vec<Span>> = HashMap::new();
    for p in &report.pairs {
        let (ia, ib) = (
            report.documents[p.a.idx()].id.as_str(),
            report.documents[p.b.idx()].id.as_str(),
        );
        for ps in &p.passages {
            let ra = chars(ia, ps.a_start)..chars(ia, ps.a_end);
            let rb = chars(ib, ps.b_start)..chars(ib, ps.b_end);
            let (key, span) = if truth.contains_key(&(ia.to_string(), ib.to_string())) {
                ((ia.to_string(), ib.to_string()), (ra, rb))
            } else {
                ((ib.to_string(), ia.to_string()), (rb, ra))
            };
            if truth.contains_key(&key) {
                pred.entry(key).or_default().push(span);
            }
        }
    }
    let (mut rec_num, mut rec_den, mut prec_num, mut prec_den) = (0, 0, 0, 0);
    let mut detections = Vec::new();
    for (key, cases) in &truth {
        let dets = pred.get(key).map(Vec::as_slice).unwrap_or(&[]);
        for c in cases {
            let hit: Vec<&Span> = dets
                .iter()
                .filter(|d| overlaps(&d.0, &c.0) && overlaps(&d.1, &c.1))
                .collect();
            let da: Vec<_> = hit.iter().map(|d| d.0.clone()).collect();
            let db: Vec<_> = hit.iter().map(|d| d.1.clone()).collect();
            rec_num += covered(&c.0, &da) + covered(&c.1, &db);
            rec_den += c.0.len() + c.1.len();
            if !hit.is_empty() {
                detections.push(hit.len());
            }
        }
        let ca: Vec<_> = cases.iter().map(|c| c.0.clone()).collect();
        let cb: Vec<_> = cases.iter().map(|c| c.1.clone()).collect();
        for d in dets {
            prec_num += covered(&d.0, &ca) + covered(&d.1, &cb);
            prec_den += d.0.len() + d.1.len();
        }
    }
    let recall = rec_num as f64 / rec_den as f64;
    let precision = prec_num as f64 / prec_den as f64;
    let granularity = detections.iter().sum::<usize>() as f64 / detections.len() as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    let plagdet = f1 / (1.0 + granularity).log2();
    let figures = format!("precision {precision:.4} recall {recall:.4} granularity {granularity:.4} plagdet {plagdet:.4}");
    assert!(precision >= 0.90 && recall >= 0.90, "{figures}");
    assert!(granularity <= 1.1, "{figures}");
    assert!(plagdet >= 0.90, "{figures}");
}

#[test]
fn seeds_show_the_shared_lavrov_quotation_in_every_pair_that_has_it() {
    // Reads ../shared/seeds. The quotation is found by the library's own
    // quotation finder: the quoted span where Lavrov says Russia "will
    // respond" to the signals from Washington.
    use newsdup::align::quotes::quoted_spans;
    let batch = read_inputs(&[shared().join("seeds")], &IngestConfig::default()).unwrap();
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let quote: Vec<Option<std::ops::Range<usize>>> = batch
        .articles
        .iter()
        .map(|a| {
            quoted_spans(&a.body).into_iter().find(|r| {
                let q = a.body[r.clone()].to_lowercase();
                q.contains("respond") && q.contains("washington")
            })
        })
        .collect();
    let holders = quote.iter().filter(|q| q.is_some()).count();
    assert_eq!(holders, 3, "the quotation is in three of the seeds");
    let mut pairs = 0;
    for p in &report.pairs {
        let (Some(qa), Some(qb)) = (&quote[p.a.idx()], &quote[p.b.idx()]) else {
            continue;
        };
        pairs += 1;
        let shown = p.passages.iter().any(|ps| {
            let inter = |q: &std::ops::Range<usize>, s: usize, e: usize| {
                e.min(q.end).saturating_sub(s.max(q.start))
            };
            inter(qa, ps.a_start, ps.a_end) * 10 >= qa.len() * 9
                && inter(qb, ps.b_start, ps.b_end) * 10 >= qb.len() * 9
                && ps.kind == newsdup::model::PassageKind::Quote
        });
        assert!(shown, "pair {:?}/{:?}: {:#?}", p.a, p.b, p.passages);
    }
    assert_eq!(pairs, 3, "every pair of the three is reported");
}

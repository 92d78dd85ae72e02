//! One criterion group per pipeline stage, with byte and article throughput.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use newsdup::align::{passages, AlignConfig};
use newsdup::candidates::anchors_of;
use newsdup::cluster::{
    average_linkage, refine, split_events, Edge, Witnesses, EVENT_MIN_HALF, EVENT_SPLIT_RATIO,
    REFINE_MIN_SIM, REFINE_ROUNDS,
};
use newsdup::docs::normalize_hashed;
use newsdup::lsh::candidate_pairs;
use newsdup::minhash::{copy_signature, story_signature};
use newsdup::model::{DocId, NormDoc, Signatures, VectorsByDoc};
use newsdup::normalize::tokenize;
use newsdup::probe::{dot, shared_keys, term_table, ProbeTable};
use newsdup::shingle::{intersection_size, shingle_set, SharedShingles};
use newsdup::terms::{
    cosine, cosine_of_terms, document_frequencies, numbered_vectors, term_counts, term_vectors,
    TermNumbers, TermOccurrences, TermWeights,
};
use newsdup::verify::{residual_of, ResidualText};
use newsdup::Params;
use std::hint::black_box;

fn norm_docs(articles: &[newsdup::Article]) -> Vec<NormDoc> {
    articles
        .iter()
        .enumerate()
        .map(|(i, a)| {
            NormDoc::new(
                DocId(i as u32),
                newsdup::lang::Lang::En,
                tokenize(&a.text().unwrap()),
            )
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let articles = common::corpus(2_000, 42);
    let bytes: u64 = articles.iter().map(|a| a.body.len() as u64).sum();
    let params = Params::default();
    let docs = norm_docs(&articles);
    let shingles: Vec<_> = docs
        .iter()
        .map(|d| shingle_set(d, 5, params.seed))
        .collect();
    let counts: Vec<_> = docs
        .iter()
        .map(|d| term_counts(d, None, params.seed))
        .collect();
    let df = document_frequencies(&counts);
    let vectors = term_vectors(counts.clone(), &df);
    // As verification holds them: terms numbered.
    let numbered = numbered_vectors(&counts, &df, &TermNumbers::of(&df).unwrap());
    let copy_sigs = Signatures::collect(
        128,
        shingles.iter().map(|s| copy_signature(s, 128, params.seed)),
    );

    let mut g = c.benchmark_group("stages");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function(BenchmarkId::new("normalize", "2k"), |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|a| tokenize(black_box(&*a.text().unwrap())).len())
                .sum::<usize>()
        })
    });
    // What copies mode runs in place of tokenising and hashing the tokens:
    // each token hashed as it is found, without making it (the language is
    // given here, as `normalize` does not detect it).
    let given: Vec<_> = articles
        .iter()
        .map(|a| newsdup::Article {
            lang: Some(newsdup::lang::Lang::En),
            ..a.clone()
        })
        .collect();
    let votes = newsdup::lang::Votes::new(params.seed);
    g.bench_function(BenchmarkId::new("normalize_hashed", "2k"), |b| {
        b.iter(|| {
            given
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let (_, hashed) =
                        normalize_hashed(i, black_box(a), params.seed, &votes).unwrap();
                    hashed.hashes.len()
                })
                .sum::<usize>()
        })
    });
    // What the pipeline runs (stopword voting first; on this synthetic
    // corpus no stopword occurs, so voting decides every text at once) ...
    g.bench_function(BenchmarkId::new("detect_lang", "2k"), |b| {
        b.iter(|| {
            articles
                .iter()
                .zip(&docs)
                .filter(|(a, d)| {
                    newsdup::lang::detect_tokens(None, black_box(&*a.text().unwrap()), &d.tokens)
                        == newsdup::lang::Lang::En
                })
                .count()
        })
    });
    // ... and the trigram fallback for the texts voting cannot decide.
    g.bench_function(BenchmarkId::new("detect_lang_trigrams", "2k"), |b| {
        b.iter(|| {
            articles
                .iter()
                .filter(|a| {
                    newsdup::lang::detect(None, black_box(&*a.text().unwrap()))
                        == newsdup::lang::Lang::En
                })
                .count()
        })
    });
    g.bench_function(BenchmarkId::new("shingle", "2k"), |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| shingle_set(black_box(d), 5, params.seed).0.len())
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Elements(articles.len() as u64));
    g.bench_function(BenchmarkId::new("copy_minhash", "2k"), |b| {
        b.iter(|| {
            shingles
                .iter()
                .map(|s| copy_signature(black_box(s), 128, params.seed).mins[0] as u64)
                .sum::<u64>()
        })
    });
    g.bench_function(BenchmarkId::new("anchors", "2k"), |b| {
        b.iter(|| {
            shingles
                .iter()
                .map(|s| anchors_of(black_box(s), params.anchor_rate).len())
                .sum::<usize>()
        })
    });
    g.bench_function(BenchmarkId::new("story_terms", "2k"), |b| {
        b.iter(|| {
            let counts: Vec<_> = docs
                .iter()
                .map(|d| term_counts(black_box(d), None, params.seed))
                .collect();
            let df = document_frequencies(&counts);
            term_vectors(counts, &df).len()
        })
    });
    g.bench_function(BenchmarkId::new("story_minhash", "2k"), |b| {
        b.iter(|| {
            vectors
                .iter()
                .map(|v| story_signature(black_box(v), 128, params.seed).mins.len())
                .sum::<usize>()
        })
    });
    // Stories mode's count of which shingles two documents may share,
    // then each set cut down to those.
    g.bench_function(BenchmarkId::new("shared_shingles", "2k"), |b| {
        b.iter(|| {
            let entries = shingles.iter().map(|s| s.0.len()).sum();
            let shared = SharedShingles::new(entries);
            let mut counter = shared.counter();
            for s in &shingles {
                counter.add(black_box(&s.0));
            }
            drop(counter);
            shingles
                .iter()
                .map(|s| {
                    let mut set = s.0.clone();
                    shared.keep_shared(&mut set);
                    set.len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function(BenchmarkId::new("lsh", "2k"), |b| {
        b.iter(|| {
            candidate_pairs(
                black_box(&copy_sigs),
                params.copy_banding(),
                params.max_bucket,
                params.seed,
            )
            .0
            .len()
        })
    });
    // One document scored against all others, as in a run of candidates:
    // merging sorted sets against probing the first document's tables.
    g.throughput(Throughput::Elements(docs.len() as u64 - 1));
    g.bench_function(BenchmarkId::new("score_pairs", "merge"), |b| {
        b.iter(|| {
            (1..docs.len())
                .map(|y| {
                    intersection_size(black_box(&shingles[0].0), &shingles[y].0) as f64
                        + cosine_of_terms(numbered.terms(0), numbered.terms(y))
                })
                .sum::<f64>()
        })
    });
    g.bench_function(BenchmarkId::new("score_pairs", "probe"), |b| {
        b.iter(|| {
            let set = ProbeTable::new(black_box(&shingles[0].0).iter().map(|&h| (h, ())));
            let terms = term_table(numbered.terms(0));
            (1..docs.len())
                .map(|y| shared_keys(&set, &shingles[y].0) as f64 + dot(&terms, numbered.terms(y)))
                .sum::<f64>()
        })
    });
    // Clustering (average linkage, event splits, refinement) of the bench
    // corpus's pairs of story similarity 0.05 or more, those at the rewrite
    // threshold or above as witnesses.
    let mut edges = Vec::new();
    for x in 0..docs.len() {
        for y in x + 1..docs.len() {
            let weight = cosine(&vectors[x], &vectors[y]);
            if weight >= 0.05 {
                edges.push(Edge {
                    a: DocId(x as u32),
                    b: DocId(y as u32),
                    weight,
                    witness: weight >= params.rewrite_threshold,
                });
            }
        }
    }
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function(BenchmarkId::new("cluster", "2k"), |b| {
        b.iter(|| {
            let mut assignment =
                average_linkage(docs.len(), black_box(&edges), params.cluster_threshold);
            let witnesses = Witnesses::of(docs.len(), &edges, REFINE_MIN_SIM);
            split_events(&mut assignment, &vectors, EVENT_MIN_HALF, EVENT_SPLIT_RATIO);
            refine(&mut assignment, &vectors, &witnesses, REFINE_ROUNDS);
            assignment.len()
        })
    });
    let (pairs, _) = candidate_pairs(
        &copy_sigs,
        params.copy_banding(),
        params.max_bucket,
        params.seed,
    );
    g.throughput(Throughput::Elements(pairs.len() as u64));
    g.bench_function(BenchmarkId::new("align", "2k-copy-pairs"), |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|&(x, y)| {
                    passages(
                        black_box(&docs[x.idx()]),
                        &docs[y.idx()],
                        AlignConfig::default(),
                    )
                    .len()
                })
                .sum::<usize>()
        })
    });
    // Residual story similarity (stories mode's partial copies): both
    // texts' term vectors recounted without their shared passages, then
    // their cosine. Once with all of each copy pair's passages, once with
    // only its first (a partial copy shares a passage or two).
    let weights = TermWeights {
        df: &df,
        n_docs: docs.len(),
        seed: params.seed,
    };
    let occurrences: Vec<_> = docs
        .iter()
        .map(|d| TermOccurrences::new(d, None, &weights))
        .collect();
    let shared: Vec<_> = pairs
        .iter()
        .map(|&(x, y)| passages(&docs[x.idx()], &docs[y.idx()], AlignConfig::default()))
        .collect();
    let text = |d: usize| ResidualText {
        doc: &docs[d],
        title: None,
        occurrences: occurrences[d].as_ref(),
    };
    for (name, passages_kept) in [("2k-copy-pairs", usize::MAX), ("2k-first-passage", 1)] {
        g.bench_function(BenchmarkId::new("residual", name), |b| {
            b.iter(|| {
                pairs
                    .iter()
                    .zip(&shared)
                    .map(|(&(x, y), shared)| {
                        let kept = &shared[..shared.len().min(passages_kept)];
                        // Each pair recounted whole: no first text's vector kept.
                        residual_of(
                            text(x.idx()),
                            text(y.idx()),
                            &weights,
                            black_box(kept),
                            (&mut None, &mut None),
                        )
                    })
                    .sum::<f64>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);

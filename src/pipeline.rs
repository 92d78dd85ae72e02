//! Runs the stages in order and returns a [`RunReport`]; prints nothing.
//!
//! ```text
//! &[Article] → normalise → suppress boilerplate → shingles → copy MinHash ─┐
//!                                              └→ content terms → story MinHash ─┤
//!            → candidates (exact, copy LSH, anchors, story LSH) → verify+label
//!            → cluster (average linkage) → align passages → RunReport
//! ```

use crate::align::{kept_tokens, passages_kept, AlignConfig, KeptTokens};
use crate::candidates::{generate, CandidateInputs, CandidateStats};
use crate::cluster::{average_linkage, build_clusters, Edge};
use crate::hash::stable64_words;
use crate::minhash::{copy_signature, story_signature};
use crate::model::{
    Article, Cluster, DocId, Label, NormDoc, Scores, Signature, Skipped, TermVector,
};
use crate::normalize::tokenize;
use crate::params::{Mode, Params, PipelineFingerprint};
use crate::shingle::{shingle_set, token_hash};
use crate::terms::{document_frequencies, term_counts, term_vectors, top_terms, TermWeights};
use crate::verify::{verify, Features};
use crate::Result;
use rayon::prelude::*;
use serde::Serialize;

/// Terms per document that the story sketch is built from.
pub const STORY_SKETCH_TERMS: usize = 64;
/// Longest quotation kept per passage side in the report, in bytes.
pub const MAX_QUOTE_BYTES: usize = 600;

/// One article as the report describes it.
#[derive(Debug, Clone, Serialize)]
pub struct DocInfo {
    /// External id.
    pub id: String,
    /// Headline, if known.
    pub title: Option<String>,
    /// `file:line` it came from.
    pub origin: String,
    /// Outlet, if known.
    pub source: Option<String>,
    /// URL, if known.
    pub url: Option<String>,
    /// Publication time (seconds since the epoch), if known.
    pub published: Option<i64>,
    /// Body length in bytes.
    pub bytes: usize,
    /// Word tokens.
    pub tokens: usize,
    /// Index of its story in [`RunReport::clusters`].
    pub cluster: usize,
}

/// A shared passage with its quotations.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedPassage {
    /// Byte offset of the passage in the first article.
    pub a_start: usize,
    /// End (exclusive) in the first article.
    pub a_end: usize,
    /// Byte offset in the second article.
    pub b_start: usize,
    /// End (exclusive) in the second article.
    pub b_end: usize,
    /// Matched tokens.
    pub tokens: usize,
    /// The passage as written in the first article (cut at [`MAX_QUOTE_BYTES`]).
    pub text_a: String,
    /// The passage as written in the second article (cut at [`MAX_QUOTE_BYTES`]).
    pub text_b: String,
}

/// A reported pair.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedPair {
    /// First document (smaller [`DocId`]).
    pub a: DocId,
    /// Second document.
    pub b: DocId,
    /// The label.
    pub label: Label,
    /// Ranking score in [0, 1].
    pub score: f64,
    /// Exact scores.
    pub scores: Scores,
    /// Shared passages, in the order of the first document.
    pub passages: Vec<ReportedPassage>,
}

/// Counts describing a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Articles processed.
    pub documents: usize,
    /// Records skipped at ingest.
    pub skipped: usize,
    /// Bytes of article text.
    pub bytes: usize,
    /// Word tokens.
    pub tokens: usize,
    /// Boilerplate line occurrences suppressed.
    pub boilerplate_lines: usize,
    /// Candidate generation.
    pub candidates: CandidateStats,
    /// Pairs reported, per label: exact, near-copy, partial-copy, rewrite.
    pub pairs_by_label: [usize; 4],
    /// Stories (clusters, singletons included).
    pub stories: usize,
    /// Stories with more than one article.
    pub multi_article_stories: usize,
}

/// Everything a run found; the only input of the reporters.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The parameters used.
    pub params: Params,
    /// Their fingerprint.
    pub fingerprint: PipelineFingerprint,
    /// Every processed article, in input order (index = [`DocId`]).
    pub documents: Vec<DocInfo>,
    /// Stories, sorted by first member.
    pub clusters: Vec<Cluster>,
    /// Reported pairs, by descending score.
    pub pairs: Vec<ReportedPair>,
    /// Counts.
    pub stats: Stats,
    /// Records skipped at ingest.
    pub skipped: Vec<Skipped>,
    /// Problems that did not stop an article from being used.
    pub warnings: Vec<Skipped>,
}

/// Receives the progress of a run, stage by stage. The library prints
/// nothing: the CLI draws progress bars from these calls. Calls come from
/// worker threads, so implementations must be cheap and thread-safe.
pub trait Progress: Sync {
    /// A stage starts with `total` units of work (articles, candidates or pairs).
    fn start(&self, stage: &'static str, total: u64) {
        let _ = (stage, total);
    }
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64) {
        let _ = n;
    }
    /// The run is over.
    fn finish(&self) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

fn normalize_doc(id: usize, article: &Article) -> NormDoc {
    let tokens = tokenize(&article.body);
    let hashes: Vec<u64> = tokens.iter().map(|t| token_hash(&t.norm, 0)).collect();
    let exact_hash = if hashes.is_empty() {
        0
    } else {
        stable64_words(&hashes, 0x0065_7861_6374).max(1)
    };
    NormDoc {
        id: DocId(id as u32),
        suppressed: vec![false; tokens.len()],
        exact_hash,
        tokens,
    }
}

fn quote(text: &str, range: std::ops::Range<usize>) -> String {
    let mut end = range.end.min(range.start + MAX_QUOTE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut q = text[range.start..end].to_string();
    if end < range.end {
        q.push('…');
    }
    q
}

/// Runs the whole pipeline over a batch of articles.
pub fn run(articles: &[Article], params: &Params) -> Result<RunReport> {
    run_with_progress(articles, params, &NoProgress)
}

/// [`run`], reporting each stage's progress to `progress`.
pub fn run_with_progress(
    articles: &[Article],
    params: &Params,
    progress: &dyn Progress,
) -> Result<RunReport> {
    let report = run_stages(articles, params, progress);
    progress.finish();
    report
}

fn run_stages(articles: &[Article], params: &Params, progress: &dyn Progress) -> Result<RunReport> {
    params.validate()?;
    if articles.len() > u32::MAX as usize {
        return Err(crate::Error::InvalidParams(
            "more than 2^32 articles in one run".into(),
        ));
    }
    let seed = params.seed;
    let n = articles.len() as u64;
    progress.start("normalise", n);
    let mut docs: Vec<NormDoc> = articles
        .par_iter()
        .enumerate()
        .map(|(i, a)| {
            let d = normalize_doc(i, a);
            progress.advance(1);
            d
        })
        .collect();
    progress.start("boilerplate", 0);
    let boilerplate_lines = crate::boilerplate::suppress(
        &mut docs,
        params.boilerplate_min_docs,
        params.boilerplate_min_fraction,
    );

    progress.start("copy fingerprints", n);
    let (shingles, copy_signatures): (Vec<_>, Vec<Signature>) = docs
        .par_iter()
        .map(|d| {
            let s = shingle_set(d, params.shingle_k, seed);
            let sig = copy_signature(&s, params.copy_hashes, seed);
            progress.advance(1);
            (s, sig)
        })
        .unzip();

    let titles: Vec<Option<&str>> = articles.iter().map(|a| a.title.as_deref()).collect();
    let (terms, story_signatures, df) = if params.mode == Mode::Stories {
        progress.start("story fingerprints", n);
        let counts: Vec<_> = docs
            .par_iter()
            .zip(titles.par_iter())
            .map(|(d, t)| term_counts(d, *t, seed))
            .collect();
        let df = document_frequencies(&counts);
        let terms = term_vectors(&counts, &df);
        let sigs: Vec<Signature> = terms
            .par_iter()
            .map(|v| {
                let sig =
                    story_signature(&top_terms(v, STORY_SKETCH_TERMS), params.story_hashes, seed);
                progress.advance(1);
                sig
            })
            .collect();
        (terms, sigs, Some(df))
    } else {
        (Vec::<TermVector>::new(), Vec::new(), None)
    };

    let exact: Vec<u64> = docs.iter().map(|d| d.exact_hash).collect();
    let inputs = CandidateInputs {
        exact: &exact,
        shingles: &shingles,
        copy_signatures: &copy_signatures,
        copy_banding: params.copy_banding(),
        story_signatures: &story_signatures,
        story_banding: params.story_banding(),
    };
    progress.start("candidates", 0);
    let (candidates, candidate_stats) = generate(&inputs, params);
    progress.start("verify", candidates.len() as u64);
    let features = Features {
        docs: &docs,
        titles: &titles,
        weights: df.as_ref().map(|df| TermWeights {
            df,
            n_docs: articles.len(),
            seed,
        }),
        shingles: &shingles,
        terms: &terms,
        exact: &exact,
    };
    // In chunks, so that the progress bar moves; the output is in candidate
    // order either way.
    let mut verified = Vec::with_capacity(candidates.len());
    for chunk in candidates.chunks(1 << 15) {
        verified.extend(verify(chunk, &features, params));
        progress.advance(chunk.len() as u64);
    }
    progress.start("cluster", 0);

    let edges: Vec<Edge> = verified
        .iter()
        .map(|p| {
            // A partial copy is evidence of the same story only through the
            // rest of the texts (its residual similarity), so a roundup does
            // not join the stories it quotes.
            let weight = match p.label {
                Some(l) if l.joins_story() => p.score,
                _ => p.scores.residual_story,
            };
            Edge {
                a: p.a,
                b: p.b,
                weight,
            }
        })
        .collect();
    let assignment = average_linkage(articles.len(), &edges, params.cluster_threshold);
    let clusters = build_clusters(&assignment, articles, params.keep);

    let mut labelled: Vec<_> = verified.into_iter().filter(|p| p.label.is_some()).collect();
    labelled.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let align = AlignConfig {
        min_tokens: params.passage_min_tokens,
        ..AlignConfig::default()
    };
    // Kept-token hashes of every document in a reported pair, computed once
    // per document rather than once per pair.
    let mut in_pairs = vec![false; docs.len()];
    for p in &labelled {
        in_pairs[p.a.idx()] = true;
        in_pairs[p.b.idx()] = true;
    }
    progress.start("align", labelled.len() as u64);
    let kept: Vec<KeptTokens> = docs
        .par_iter()
        .zip(&in_pairs)
        .map(|(d, &used)| {
            if used {
                kept_tokens(d)
            } else {
                KeptTokens::default()
            }
        })
        .collect();
    let pairs: Vec<ReportedPair> = labelled
        .par_iter()
        .map(|p| {
            let (a, b) = (p.a.idx(), p.b.idx());
            let passages = passages_kept(&docs[a], &kept[a], &docs[b], &kept[b], align)
                .into_iter()
                .map(|ps| ReportedPassage {
                    a_start: ps.a.start,
                    a_end: ps.a.end,
                    b_start: ps.b.start,
                    b_end: ps.b.end,
                    tokens: ps.tokens,
                    text_a: quote(&articles[a].body, ps.a),
                    text_b: quote(&articles[b].body, ps.b),
                })
                .collect();
            progress.advance(1);
            ReportedPair {
                a: p.a,
                b: p.b,
                label: p.label.unwrap_or(Label::Rewrite),
                score: p.score,
                scores: p.scores,
                passages,
            }
        })
        .collect();

    let mut cluster_of = vec![0usize; articles.len()];
    for (ci, c) in clusters.iter().enumerate() {
        for m in &c.members {
            cluster_of[m.idx()] = ci;
        }
    }
    let documents: Vec<DocInfo> = articles
        .iter()
        .zip(&docs)
        .enumerate()
        .map(|(i, (a, d))| DocInfo {
            id: a.key.clone(),
            title: a.title.clone(),
            origin: a.origin.to_string(),
            source: a.source.clone(),
            url: a.url.clone(),
            published: a.published,
            bytes: a.body.len(),
            tokens: d.tokens.len(),
            cluster: cluster_of[i],
        })
        .collect();
    let mut pairs_by_label = [0usize; 4];
    for p in &pairs {
        pairs_by_label[p.label as usize] += 1;
    }
    let stats = Stats {
        documents: articles.len(),
        skipped: 0,
        bytes: documents.iter().map(|d| d.bytes).sum(),
        tokens: documents.iter().map(|d| d.tokens).sum(),
        boilerplate_lines,
        candidates: candidate_stats,
        pairs_by_label,
        stories: clusters.len(),
        multi_article_stories: clusters.iter().filter(|c| c.members.len() > 1).count(),
    };
    Ok(RunReport {
        params: params.clone(),
        fingerprint: params.fingerprint(),
        documents,
        clusters,
        pairs,
        stats,
        skipped: Vec::new(),
        warnings: Vec::new(),
    })
}

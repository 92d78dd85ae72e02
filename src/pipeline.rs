//! Runs the stages in order and returns a [`RunReport`]; prints nothing.
//!
//! ```text
//! &[Article] → normalise → suppress boilerplate → shingles → copy MinHash ─┐
//!                                              └→ content terms → story MinHash ─┤
//!            → candidates (exact, copy LSH, anchors, story LSH) → verify+label
//!            → cluster (average linkage, event split, centroid refinement)
//!            → align passages → RunReport
//! ```

use crate::align::sentences::{align_doc_sentences, doc_sentences, DocSentences};
use crate::align::{shared_passages_of, AlignConfig, AlignDoc};
use crate::boilerplate::{boilerplate_lines, line_hashes, line_hashes_by, mark};
use crate::candidates::{
    anchors_of, generate, story_candidates, AnchorWriter, Anchors, CandidateInputs, CandidateStats,
    Candidates, SpilledAnchors,
};
use crate::cluster::{
    average_linkage, build_clusters, refine, split_events, Edge, WitnessComponents, Witnesses,
    EVENT_MIN_HALF, EVENT_SPLIT_RATIO, REFINE_MIN_SIM, REFINE_ROUNDS,
};
use crate::docs::{normalize, normalize_hashed, Docs, HashedTokens};
use crate::lang::Votes;
use crate::minhash::{copy_signature_into, story_signature_into};
use crate::model::{
    Article, Candidate, Cluster, DocId, Label, NormDoc, PassageKind, Scores, SentencePair,
    ShingleSet, Signatures, Skipped, TermVector, VectorsByDoc, VerifiedPair,
};
use crate::params::{Mode, Params, PipelineFingerprint};
use crate::shingle::{
    shingle_set_and_exact_hash, shingle_set_and_exact_hash_of, token_hash, token_hashes,
    SharedShingles,
};
use crate::store::{Record, RecordsWriter, Span, Spill};
use crate::terms::{
    cosine_of_terms, document_frequencies, numbered_vectors, term_counts, top_terms, PackedVectors,
    SpilledCounts, SpilledVectors, TermNumbers, TermWeights,
};
use crate::verify::{
    verify_in_blocks, verify_reporting, AlignedDocs, Features, SpilledSets, ALIGNED_DOCS_BYTES,
    VERIFY_BLOCK_BYTES, VERIFY_PASS_PAIRS,
};
use crate::Result;
use ahash::AHashMap;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Terms per document that the story sketch is built from.
pub const STORY_SKETCH_TERMS: usize = 64;
/// Longest quotation kept per passage side in the report, in bytes.
pub const MAX_QUOTE_BYTES: usize = 600;

/// One article as the report describes it.
#[derive(Debug, Clone, Serialize)]
pub struct DocInfo {
    /// External id.
    pub id: Arc<str>,
    /// Headline, if known.
    pub title: Option<Arc<str>>,
    /// `file:line` it came from.
    pub origin: String,
    /// Outlet, if known.
    pub source: Option<Arc<str>>,
    /// URL, if known.
    pub url: Option<Arc<str>>,
    /// Publication time (seconds since the epoch), if known.
    pub published: Option<i64>,
    /// Body length in bytes.
    pub bytes: usize,
    /// Word tokens.
    pub tokens: usize,
    /// Language (ISO 639-1; given by the input or detected; `und` if unknown).
    pub lang: crate::lang::Lang,
    /// Index of its story in [`RunReport::clusters`].
    pub cluster: usize,
}

impl DocInfo {
    /// Article `a`, of `tokens` words in `lang`, in story `cluster`.
    fn of(a: &Article, tokens: u32, lang: crate::lang::Lang, cluster: usize) -> DocInfo {
        DocInfo {
            id: a.key.clone(),
            title: a.title.clone(),
            origin: a.origin.to_string(),
            source: a.source.clone(),
            url: a.url.clone(),
            published: a.published,
            bytes: a.body.len(),
            tokens: tokens as usize,
            lang,
            cluster,
        }
    }
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
    /// `run` (matching words) or `quote` (a quotation both carry).
    pub kind: PassageKind,
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
    /// For rewrites: aligned sentence pairs, in the order of the first
    /// document (empty for other labels).
    pub sentences: Vec<SentencePair>,
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

/// Which reported pairs get their evidence (passages, and sentence pairs for
/// rewrites) aligned. Alignment re-reads both texts of a pair and is the
/// costliest stage on big batches, so a run that reports only the top pairs
/// aligns only those. Pairs outside the scope have empty `passages` and
/// `sentences`; their labels and scores are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Evidence {
    /// Every reported pair (JSON, HTML and passages reports).
    #[default]
    All,
    /// The first `n` pairs in ranking order (a terminal summary of `n` pairs;
    /// `0` for none).
    Top(usize),
}

impl Evidence {
    fn count(self, pairs: usize) -> usize {
        match self {
            Evidence::All => pairs,
            Evidence::Top(n) => n.min(pairs),
        }
    }
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

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

/// What normalising gives of one document.
struct Normalised {
    /// Without its tokens in copies mode.
    doc: NormDoc,
    /// `(line, hash)` of its short lines ([`line_hashes`]).
    lines: Vec<(u32, u64)>,
    /// Its number of tokens.
    tokens: u32,
    /// Unless tokens are kept: its copy fingerprint as if nothing were
    /// boilerplate, and its exact hash.
    print: Option<(CopyPrint, u64)>,
    /// Stories mode, unless tokens are kept: where its content-term counts,
    /// taken as if nothing were boilerplate, wait.
    counts: Option<Span>,
}

/// What a document's [`Normalised`] hands on to the taking of its shingles
/// again: its `print` and `counts`.
type Unsuppressed = (Option<(CopyPrint, u64)>, Option<Span>);

/// What candidate generation and verification need of one document's final
/// shingle set.
#[derive(Default)]
struct CopyPrint {
    /// The set; empty when it waits in the spill.
    set: ShingleSet,
    /// Where it waits, when the batch's sets are spilled.
    span: Option<Span>,
    anchors: Box<[u64]>,
}

/// The first failure, by document, of a parallel pass that goes on past
/// failures (each failed document leaving a placeholder), so that the pass
/// can collect its results in place, each list at its length. Collecting
/// results that may fail gathers them in pieces, then copies them into one
/// list: at the end of normalising a million documents that took 150 MiB
/// more, and 300 MiB more for a moment.
#[derive(Default)]
struct FirstFailure(Mutex<Option<(usize, crate::Error)>>);

impl FirstFailure {
    /// Document `i`'s result, or on failure `placeholder()`, the failure
    /// kept if it is the first by index.
    fn keep<T>(&self, i: usize, result: Result<T>, placeholder: impl FnOnce() -> T) -> T {
        result.unwrap_or_else(|e| {
            let mut first = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if first.as_ref().is_none_or(|&(at, _)| i < at) {
                *first = Some((i, e));
            }
            placeholder()
        })
    }

    /// The first failure, if there was one.
    fn into_result(self) -> Result<()> {
        match self.0.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some((_, e)) => Err(e),
            None => Ok(()),
        }
    }
}

/// Where a big batch's shingle sets and anchors wait.
struct Spills {
    sets: Spill,
    anchors: SpilledAnchors,
}

impl Spills {
    fn writer(&self) -> SpillWriter<'_> {
        (&self.sets, self.anchors.writer())
    }
}

/// One thread's way into [`Spills`].
type SpillWriter<'a> = (&'a Spill, AnchorWriter<'a>);

impl CopyPrint {
    /// The fingerprint of document `doc`'s `set`, its sketch written to
    /// `slots` (`filled` says whether it has one); `retaken` when the set
    /// replaces one taken before (see [`SpilledAnchors`]).
    fn new(
        doc: usize,
        retaken: bool,
        set: ShingleSet,
        params: &Params,
        (slots, filled): SignatureRow<'_>,
        spill: &mut Option<SpillWriter<'_>>,
    ) -> Result<CopyPrint> {
        *filled = copy_signature_into(&set, params.seed, slots);
        let mut anchors = anchors_of(&set, params.anchor_rate);
        let (set, span) = match spill {
            Some((sets, writer)) => {
                let span = sets.put_words(&set.0).map_err(spill_error)?;
                writer
                    .put(doc as u32, retaken, &anchors)
                    .map_err(spill_error)?;
                anchors = Box::new([]);
                (ShingleSet::default(), Some(span))
            }
            None => (set, None),
        };
        Ok(CopyPrint { set, span, anchors })
    }
}

/// One document's slots in [`Signatures`], and whether they are filled.
type SignatureRow<'a> = (&'a mut [u32], &'a mut bool);

fn spill_error(e: std::io::Error) -> crate::Error {
    crate::Error::io("temporary file of shingle sets and anchors", e)
}

/// The spilled shingle sets at `spans`, each without the shingles no other
/// document holds ([`SharedShingles::keep_shared`] of `shared`), in a new
/// spill (the old one is dropped by the caller), and where each now is;
/// what each keeps is counted into `count`, if given.
fn keep_shared_spilled(
    sets: &Spill,
    spans: &[Span],
    shared: &SharedShingles,
    count: Option<&SharedShingles>,
    progress: &dyn Progress,
) -> Result<(Spill, Vec<Span>)> {
    let kept = Spill::new().map_err(spill_error)?;
    let spans = spans
        .par_iter()
        .map_init(
            || count.map(SharedShingles::counter),
            |counter, &span| {
                let mut set = sets.get_words(span).map_err(spill_error)?;
                shared.keep_shared(&mut set);
                if let Some(counter) = counter {
                    counter.add(&set);
                }
                progress.advance(1);
                kept.put_words(&set).map_err(spill_error)
            },
        )
        .collect::<Result<_>>()?;
    Ok((kept, spans))
}

/// The per-document features every pair is judged on.
struct Prepared<'t> {
    articles: &'t [Article],
    /// With their tokens when `hydrated` (stories mode, held batch), else
    /// without (see [`Docs`]).
    docs: Vec<NormDoc>,
    hydrated: bool,
    bad_lines: Vec<Box<[u32]>>,
    token_counts: Vec<u32>,
    boilerplate_lines: usize,
    /// Empty sets when they are spilled (`spilled_sets`). In stories mode
    /// each set keeps only the shingles other documents may share
    /// ([`SharedShingles`]); `set_sizes` keeps its whole size.
    shingles: Vec<ShingleSet>,
    set_sizes: Vec<u32>,
    spilled_sets: Option<SpilledSets>,
    copy_signatures: Signatures,
    /// Empty lists when they are spilled (`spilled_anchors`).
    anchors: Vec<Box<[u64]>>,
    spilled_anchors: Option<SpilledAnchors>,
    titles: Vec<Option<&'t str>>,
    /// The term vectors of a held batch (stories mode), their terms
    /// numbered by `term_numbers`.
    terms: PackedVectors,
    term_numbers: TermNumbers,
    df: Option<AHashMap<u64, u32>>,
    exact: Vec<u64>,
    seed: u64,
}

impl Prepared<'_> {
    fn docs(&self) -> Docs<'_> {
        Docs {
            articles: self.articles,
            docs: &self.docs,
            bad_lines: &self.bad_lines,
            hydrated: self.hydrated,
        }
    }

    fn features<'a>(&'a self, aligned: &'a AlignedDocs) -> Features<'a> {
        Features {
            docs: self.docs(),
            titles: &self.titles,
            weights: self.weights(),
            shingles: &self.shingles,
            set_sizes: &self.set_sizes,
            terms: &self.terms,
            exact: &self.exact,
            aligned,
        }
    }

    /// The term vectors, when they wait in a file (stories mode, spilled
    /// batch; `terms` is then empty).
    fn spilled_vectors(&self) -> Option<&SpilledVectors> {
        self.spilled_sets.as_ref()?.vectors.as_ref()
    }

    fn weights(&self) -> Option<TermWeights<'_>> {
        self.df.as_ref().map(|df| TermWeights {
            df,
            n_docs: self.docs.len(),
            seed: self.seed,
        })
    }

    /// Verifies `candidates`, handing `each(k, keep(pair))` of candidate `k`,
    /// in blocks of sets read back from the spill when the sets are spilled
    /// (the candidates then wait in a temporary file, gone through a few
    /// times, if they are not there already); `done(n)` when `n` more are
    /// verified.
    fn verify<T: Send>(
        &self,
        candidates: Candidates,
        params: &Params,
        keep: &(dyn Fn(VerifiedPair) -> T + Sync),
        done: &dyn Fn(usize),
        each: &mut dyn FnMut(usize, T) -> Result<()>,
    ) -> Result<()> {
        // A batch verified in blocks aligns its partial copies once the
        // blocks are dropped ([`verify_in_blocks`]): the documents
        // alignment keeps may take the blocks' memory too.
        let blocks = self.spilled_sets.as_ref().map_or(0, |s| s.block_bytes);
        let aligned = AlignedDocs::new(ALIGNED_DOCS_BYTES + blocks);
        let f = self.features(&aligned);
        match &self.spilled_sets {
            None => verify_reporting(&candidates.held()?, &f, params, keep, done, each),
            Some(sets) => {
                let spilled = Candidates::Spilled(candidates.spilled()?);
                verify_in_blocks(&spilled, &f, sets, params, keep, done, each)
            }
        }
    }
}

/// Normalises, suppresses boilerplate, and builds shingle sets, copy
/// fingerprints and (in stories mode) term vectors with the batch IDF. A
/// batch whose texts ingest spilled has its shingle sets spilled too.
fn prepare<'t>(
    articles: &'t [Article],
    params: &Params,
    progress: &dyn Progress,
) -> Result<Prepared<'t>> {
    params.validate()?;
    if articles.len() > u32::MAX as usize {
        return Err(crate::Error::InvalidParams(
            "more than 2^32 articles in one run".into(),
        ));
    }
    if let Some(a) = articles
        .iter()
        .find(|a| a.body.len() > crate::normalize::MAX_TEXT_BYTES)
    {
        return Err(crate::Error::InvalidParams(format!(
            "{} (id {}): text of {} bytes, more than the 4 GiB an article may have",
            a.origin,
            a.key,
            a.body.len()
        )));
    }
    let mut spills = if articles.iter().any(|a| !a.body.is_held()) {
        if articles.len() >= 1 << 31 {
            return Err(crate::Error::InvalidParams(
                "more than 2^31 articles in one spilled run".into(),
            ));
        }
        // About one token per 5 bytes of text.
        let bytes: usize = articles.iter().map(|a| a.body.len()).sum();
        let anchors = bytes / 5 / params.anchor_rate as usize;
        Some(Spills {
            sets: Spill::new().map_err(spill_error)?,
            anchors: SpilledAnchors::new(anchors, articles.len()).map_err(spill_error)?,
        })
    } else {
        None
    };
    let seed = params.seed;
    // The stopwords by their token hashes, made when copies mode's
    // tokeniser (the one that votes by hash) first needs them.
    let votes = OnceLock::new();
    let n = articles.len() as u64;
    // Each document's tokens are dropped once its boilerplate lines are
    // hashed and its shingles (and, in stories mode, content terms) taken as
    // if nothing were boilerplate: the tokens of the whole batch are never
    // held at once, and only documents with boilerplate lines are tokenised
    // again for them. Stories mode keeps the tokens in a batch small enough
    // to be held: its partial copies are aligned without tokenising again.
    let stories = params.mode == Mode::Stories;
    let hydrated = stories && spills.is_none();
    // A spilled batch's term counts wait in a file of their own.
    let count_spill = match stories && !hydrated {
        true => Some(SpilledCounts::store()?),
        false => None,
    };
    let k = params.shingle_k;
    // Stories mode verifies about eighty candidates a document, most of
    // which share no shingle: their sets are cut down to the shingles other
    // documents may hold once all are taken. About one shingle per 5 bytes.
    let shared = stories.then(|| {
        let bytes: usize = articles.iter().map(|a| a.body.len()).sum();
        SharedShingles::new(bytes / 5)
    });
    // What a worker holds while it takes shingle sets, in either pass: its
    // writer to the spill (a spilled batch) and its counter of shingles
    // (stories mode).
    let worker = || {
        (
            spills.as_ref().map(Spills::writer),
            shared.as_ref().map(SharedShingles::counter),
        )
    };
    progress.start("normalise", n);
    let mut copy_signatures = Signatures::new(articles.len(), params.copy_hashes);
    // A document that fails leaves a placeholder, so that the lists are
    // collected in place, each at its length.
    let failed = FirstFailure::default();
    #[allow(clippy::type_complexity)]
    let (mut docs, (lines, (token_counts, unsuppressed))): (
        Vec<NormDoc>,
        (Vec<Vec<(u32, u64)>>, (Vec<u32>, Vec<Unsuppressed>)),
    ) = articles
        .par_iter()
        .zip(copy_signatures.rows_mut())
        .enumerate()
        .map_init(worker, |(spill, counter), (i, (a, signature))| {
            let (mut print, mut counts) = (None, None);
            let (doc, lines, tokens) = if hydrated {
                // The shingles are taken later, from the tokens kept: only
                // the short lines' tokens are hashed now.
                let doc = normalize(i, a)?;
                let lines = line_hashes(&doc, |t| token_hash(&doc.tokens[t].norm, seed));
                let tokens = doc.tokens.len();
                (doc, lines, tokens)
            } else {
                // Each token is hashed once, for its lines and its shingles;
                // copies mode needs nothing else of it.
                let (mut doc, hashes, lines) = if count_spill.is_some() {
                    // Stories mode counts the tokens' terms too.
                    let doc = normalize(i, a)?;
                    let hashes = token_hashes(&doc, seed);
                    let lines = line_hashes(&doc, |t| hashes[t]);
                    (doc, hashes, lines)
                } else {
                    let (doc, HashedTokens { hashes, lines }) =
                        normalize_hashed(i, a, seed, votes.get_or_init(|| Votes::new(seed)))?;
                    let lines = line_hashes_by(hashes.len(), |t| lines[t], |t| hashes[t]);
                    (doc, hashes, lines)
                };
                let (set, exact) = shingle_set_and_exact_hash_of(&[], &hashes, k, seed);
                if let Some(counter) = counter {
                    counter.add(&set.0);
                }
                let print_of = CopyPrint::new(i, false, set, params, signature, spill)?;
                print = Some((print_of, exact));
                if let Some(to) = &count_spill {
                    counts = Some(SpilledCounts::put(to, &term_counts(&doc, a.title(), seed))?);
                }
                doc.tokens = Vec::new();
                doc.suppressed = Vec::new();
                (doc, lines, hashes.len())
            };
            progress.advance(1);
            Ok(Normalised {
                doc,
                lines,
                tokens: tokens as u32,
                print,
                counts,
            })
        })
        .enumerate()
        .map(|(i, normalised)| {
            let x = failed.keep(i, normalised, || Normalised {
                doc: NormDoc::new(DocId(i as u32), crate::lang::Lang::Other, Vec::new()),
                lines: Vec::new(),
                tokens: 0,
                print: None,
                counts: None,
            });
            (x.doc, (x.lines, (x.tokens, (x.print, x.counts))))
        })
        .unzip();
    failed.into_result()?;
    progress.start("boilerplate", 0);
    let bad_lines = boilerplate_lines(
        &lines,
        params.boilerplate_min_docs,
        params.boilerplate_min_fraction,
    );
    drop(lines);
    let boilerplate_lines = bad_lines.iter().map(|b| b.len()).sum();
    if hydrated {
        docs.par_iter_mut()
            .zip(&bad_lines)
            .for_each(|(d, bad)| mark(d, bad));
    }
    progress.start("shingles", n);
    let view = Docs {
        articles,
        docs: &docs,
        bad_lines: &bad_lines,
        hydrated,
    };
    type Taken = (CopyPrint, u64, Option<Span>);
    let failed = FirstFailure::default();
    #[allow(clippy::type_complexity)]
    let (mut shingles, (set_sizes, (spans, (anchors, (exact, taken_counts))))): (
        Vec<ShingleSet>,
        (
            Vec<u32>,
            (
                Vec<Option<Span>>,
                (Vec<Box<[u64]>>, (Vec<u64>, Vec<Option<Span>>)),
            ),
        ),
    ) = unsuppressed
        .into_par_iter()
        .zip(copy_signatures.rows_mut())
        .enumerate()
        .map_init(
            worker,
            |(spill, counter), (i, (taken, signature))| -> Result<Taken> {
                let print = match taken {
                    // The exact hash does not depend on boilerplate.
                    (Some((print, exact)), counts) if bad_lines[i].is_empty() => {
                        (print, exact, counts)
                    }
                    (Some((first, exact)), counts) => {
                        let doc = view.get(i)?;
                        let set = shingle_set_and_exact_hash(&doc, k, seed).0;
                        if let Some(counter) = counter {
                            // The set taken with the boilerplate lines was
                            // added: only what it lacks is added now.
                            let before = match (first.span, spill.as_ref()) {
                                (Some(span), Some((sets, _))) => {
                                    sets.get_words(span).map_err(spill_error)?
                                }
                                _ => first.set.0,
                            };
                            counter.add_beyond(&set.0, &before);
                        }
                        let counts = match (counts, &count_spill) {
                            (Some(_), Some(to)) => Some(SpilledCounts::put(
                                to,
                                &term_counts(&doc, articles[i].title(), seed),
                            )?),
                            _ => None,
                        };
                        (
                            CopyPrint::new(i, true, set, params, signature, spill)?,
                            exact,
                            counts,
                        )
                    }
                    (None, _) => {
                        let (set, exact) = shingle_set_and_exact_hash(&*view.get(i)?, k, seed);
                        if let Some(counter) = counter {
                            counter.add(&set.0);
                        }
                        (
                            CopyPrint::new(i, false, set, params, signature, spill)?,
                            exact,
                            None,
                        )
                    }
                };
                progress.advance(1);
                Ok(print)
            },
        )
        .enumerate()
        .map(|(i, taken)| {
            let (p, e, counts) = failed.keep(i, taken, || (CopyPrint::default(), 0, None));
            let size = p.span.map_or(p.set.0.len(), |s| s.len() / 8) as u32;
            (p.set, (size, (p.span, (p.anchors, (e, counts)))))
        })
        .unzip();
    failed.into_result()?;
    // Every document's set waits in the spill, or none does; so with the
    // term counts.
    let mut spans: Vec<Span> = spans.into_iter().flatten().collect();
    let taken_counts: Vec<Span> = taken_counts.into_iter().flatten().collect();
    if let Some(mut first) = shared {
        // Each set is cut by the first count, and what it keeps counted
        // again (over other bits), then cut by that second count.
        progress.start("shared shingles", 2 * n);
        let second = first.second_count();
        match &mut spills {
            Some(Spills { sets, .. }) => {
                let (kept, at) =
                    keep_shared_spilled(sets, &spans, &first, Some(&second), progress)?;
                drop(first);
                // The whole sets' file goes.
                (*sets, spans) = (kept, at);
                (*sets, spans) = keep_shared_spilled(sets, &spans, &second, None, progress)?;
            }
            None => {
                shingles.par_iter_mut().for_each_init(
                    || second.counter(),
                    |counter, s| {
                        first.keep_shared(&mut s.0);
                        counter.add(&s.0);
                        progress.advance(1);
                    },
                );
                drop(first);
                shingles.par_iter_mut().for_each(|s| {
                    second.keep_shared(&mut s.0);
                    progress.advance(1);
                });
            }
        }
    }
    let (mut spilled_sets, spilled_anchors) = match spills {
        Some(Spills { sets, mut anchors }) => {
            // A spilled batch keeps no tokens: the first anchors of a document
            // with boilerplate lines were taken with those lines, and written
            // again.
            let retaken = bad_lines.iter().map(|b| !b.is_empty()).collect();
            anchors.finish(retaken).map_err(spill_error)?;
            let sets = SpilledSets {
                spill: sets,
                spans,
                vectors: None,
                block_bytes: VERIFY_BLOCK_BYTES,
                pass_pairs: VERIFY_PASS_PAIRS,
            };
            (Some(sets), Some(anchors))
        }
        None => (None, None),
    };
    let titles: Vec<Option<&str>> = articles.iter().map(Article::title).collect();
    let (terms, term_numbers, df) = match (stories, count_spill, &mut spilled_sets) {
        (false, ..) => (PackedVectors::default(), TermNumbers::default(), None),
        (true, Some(count_spill), Some(sets)) => {
            progress.start("content terms", 0);
            let counts = SpilledCounts::new(count_spill, taken_counts);
            let df = counts.document_frequencies()?;
            let numbers = TermNumbers::of(&df)?;
            sets.vectors = Some(counts.into_vectors(&df, numbers)?);
            (PackedVectors::default(), TermNumbers::default(), Some(df))
        }
        // A held batch: counts from the tokens it kept.
        (true, ..) => {
            progress.start("content terms", 0);
            let counts: Vec<_> = docs
                .par_iter()
                .zip(titles.par_iter())
                .map(|(d, t)| term_counts(d, *t, seed))
                .collect();
            let df = document_frequencies(&counts);
            let numbers = TermNumbers::of(&df)?;
            let terms = numbered_vectors(&counts, &df, &numbers);
            (terms, numbers, Some(df))
        }
    };
    give_back_freed_memory();
    Ok(Prepared {
        articles,
        hydrated,
        bad_lines,
        token_counts,
        exact,
        docs,
        boilerplate_lines,
        shingles,
        set_sizes,
        spilled_sets,
        copy_signatures,
        anchors,
        spilled_anchors,
        titles,
        terms,
        term_numbers,
        df,
        seed,
    })
}

/// Per-document alignment inputs, prepared once for every document of the
/// pairs whose evidence is wanted, however many pairs it is in.
struct EvidenceCache<'p> {
    /// The prepared documents, sorted: document `ids[k]` is at `k` below.
    ids: Vec<u32>,
    docs: Vec<Cow<'p, NormDoc>>,
    texts: Vec<Cow<'p, str>>,
    views: Vec<AlignDoc>,
    /// For the documents of rewrite pairs (stories mode).
    sentences: Vec<Option<DocSentences>>,
}

impl<'p> EvidenceCache<'p> {
    /// Prepares the documents of `pairs`: every one for passages, those of a
    /// rewrite pair for sentence alignment too. Holds only those documents,
    /// however big the batch.
    fn new(
        articles: &'p [Article],
        prep: &'p Prepared<'_>,
        pairs: &[(DocId, DocId, Option<Label>)],
    ) -> Result<Self> {
        let mut wanted: Vec<(u32, bool)> = pairs
            .iter()
            .flat_map(|&(a, b, label)| {
                let rewrite = label == Some(Label::Rewrite);
                [(a.0, rewrite), (b.0, rewrite)]
            })
            .collect();
        // Each document once, marked if any of its pairs is a rewrite.
        wanted.sort_unstable_by_key(|&(d, rewrite)| (d, !rewrite));
        wanted.dedup_by_key(|&mut (d, _)| d);
        let all = prep.docs();
        let texts: Vec<Cow<'_, str>> = wanted
            .par_iter()
            .map(|&(d, _)| articles[d as usize].text())
            .collect::<Result<_>>()?;
        let docs: Vec<Cow<'p, NormDoc>> = wanted
            .par_iter()
            .map(|&(d, _)| all.get(d as usize))
            .collect::<Result<_>>()?;
        let views = docs
            .par_iter()
            .zip(&texts)
            .map(|(d, t)| AlignDoc::new(t, d))
            .collect();
        let sentences = match prep.weights() {
            Some(w) => wanted
                .par_iter()
                .enumerate()
                .map(|(k, &(_, rewrite))| rewrite.then(|| doc_sentences(&texts[k], &docs[k], &w)))
                .collect(),
            None => Vec::new(),
        };
        Ok(EvidenceCache {
            ids: wanted.iter().map(|&(d, _)| d).collect(),
            docs,
            texts,
            views,
            sentences,
        })
    }

    /// Where document `d` is held.
    fn at(&self, d: DocId) -> usize {
        self.ids
            .binary_search(&d.0)
            .expect("the evidence cache holds every document of its pairs")
    }
}

/// Passages (and, for rewrites, sentence pairs) of one labelled pair: the
/// one code path of `scan` and `compare`. The pair must be one of those
/// `cache` was prepared for.
fn evidence(
    prep: &Prepared<'_>,
    a: DocId,
    b: DocId,
    label: Option<Label>,
    params: &Params,
    cache: &EvidenceCache<'_>,
) -> (Vec<ReportedPassage>, Vec<SentencePair>) {
    const REWRITE: &str = "the evidence cache splits the documents of rewrites";
    let align = AlignConfig {
        min_tokens: params.passage_min_tokens,
        ..AlignConfig::default()
    };
    let (a, b) = (cache.at(a), cache.at(b));
    let (ta, tb) = (&cache.texts[a], &cache.texts[b]);
    let (view_a, view_b) = (&cache.views[a], &cache.views[b]);
    let (doc_a, doc_b) = (&cache.docs[a], &cache.docs[b]);
    let passages = shared_passages_of(doc_a, view_a, doc_b, view_b, align)
        .into_iter()
        .map(|ps| ReportedPassage {
            a_start: ps.a.start,
            a_end: ps.a.end,
            b_start: ps.b.start,
            b_end: ps.b.end,
            tokens: ps.tokens,
            kind: ps.kind,
            text_a: quote(ta, ps.a),
            text_b: quote(tb, ps.b),
        })
        .collect();
    let sentences = match (label, prep.weights()) {
        (Some(Label::Rewrite), Some(_)) => align_doc_sentences(
            cache.sentences[a].as_ref().expect(REWRITE),
            cache.sentences[b].as_ref().expect(REWRITE),
        ),
        _ => Vec::new(),
    };
    (passages, sentences)
}

/// Runs the whole pipeline over a batch of articles, with the evidence of
/// every reported pair.
pub fn run(articles: &[Article], params: &Params) -> Result<RunReport> {
    run_with_progress(articles, params, Evidence::All, &NoProgress)
}

/// [`run`], aligning the evidence of the pairs in `evidence` only and
/// reporting each stage's progress to `progress`.
pub fn run_with_progress(
    articles: &[Article],
    params: &Params,
    evidence: Evidence,
    progress: &dyn Progress,
) -> Result<RunReport> {
    let report = run_stages(articles, params, evidence, progress);
    progress.finish();
    report
}

fn run_stages(
    articles: &[Article],
    params: &Params,
    scope: Evidence,
    progress: &dyn Progress,
) -> Result<RunReport> {
    let mut prep = prepare(articles, params, progress)?;
    let boilerplate_lines = prep.boilerplate_lines;
    let inputs = CandidateInputs {
        exact: &prep.exact,
        anchors: match &prep.spilled_anchors {
            Some(spilled) => Anchors::Spilled(spilled),
            None => Anchors::Held(&prep.anchors),
        },
        copy_signatures: std::mem::take(&mut prep.copy_signatures),
        copy_banding: params.copy_banding(),
    };
    progress.start("candidates", 0);
    let (copy_candidates, mut candidate_stats) = generate(inputs, params)?;
    // The copy fingerprints are done with before the story ones are made.
    prep.anchors = Vec::new();
    prep.spilled_anchors = None;
    give_back_freed_memory();
    let story_signatures = story_signatures(&prep, params, progress)?;
    let candidates = if story_signatures.is_empty() {
        Candidates::Held(copy_candidates)
    } else {
        progress.start("story candidates", 0);
        story_candidates(
            copy_candidates,
            &mut candidate_stats,
            story_signatures,
            params.story_banding(),
            params,
            prep.spilled_sets.is_some(),
        )?
    };
    progress.start("verify", candidates.len() as u64);
    // The reported pairs, and their edges; the weak edges, which count
    // only in clustering's averages (and not at all when not positive). A
    // big batch's reported pairs are written out as they are verified, and
    // wait in a file while clustering runs.
    let mut labelled: Vec<VerifiedPair> = Vec::new();
    let mut parking = match prep.spilled_sets {
        Some(_) => Some(RecordsWriter::new().map_err(parked_error)?),
        None => None,
    };
    let mut edges: Vec<Edge> = Vec::new();
    let mut weak = WeakEdges::default();
    prep.verify(
        candidates,
        params,
        &|p| match p.label {
            Some(_) => Judged::Reported(p),
            None => Judged::Weak(Edge::of(&p)),
        },
        &|n| progress.advance(n as u64),
        &mut |_, judged| {
            match judged {
                Judged::Reported(p) => {
                    edges.push(Edge::of(&p));
                    match &mut parking {
                        Some(writer) => writer.push(&p).map_err(parked_error)?,
                        None => labelled.push(p),
                    }
                }
                // A faint pair's weight waits until it is known to join a
                // component.
                Judged::Weak(e) if e.weight > 0.0 || e.is_faint() => weak.push(e)?,
                Judged::Weak(_) => {}
            }
            Ok(())
        },
    )?;
    let parked = parking
        .map(RecordsWriter::finish)
        .transpose()
        .map_err(parked_error)?;
    give_back_freed_memory();
    progress.start("cluster", 0);
    labelled.shrink_to_fit();
    edges.shrink_to_fit();
    let mut components = WitnessComponents::new(articles.len(), edges.iter());
    // Counted first, so that the list is made at its size.
    let mut joining = 0;
    weak.for_each(|e| joining += components.joins(&e) as usize)?;
    edges.reserve_exact(joining);
    weak.for_each(|e| {
        if components.joins(&e) {
            edges.push(e);
        }
    })?;
    drop((weak, components));
    weigh_faint_edges(&mut edges, &prep)?;
    // In candidate order: the averages sum in the order pairs were met.
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    let mut assignment = average_linkage(articles.len(), &edges, params.cluster_threshold);
    // Splitting and refinement look only at documents with a witness edge:
    // the members of stories of two or more, and the documents that may move.
    let witnesses = Witnesses::of(articles.len(), &edges, REFINE_MIN_SIM);
    match prep.spilled_vectors() {
        Some(spilled) => {
            let mut witnessed = vec![false; articles.len()];
            for e in edges.iter().filter(|e| e.witness) {
                witnessed[e.a.idx()] = true;
                witnessed[e.b.idx()] = true;
            }
            drop(edges);
            give_back_freed_memory();
            let vectors = spilled.load_where(|d| witnessed[d])?;
            drop(witnessed);
            split_and_refine(&mut assignment, &vectors, &witnesses);
        }
        None => {
            drop(edges);
            split_and_refine(&mut assignment, &prep.terms, &witnesses);
        }
    }
    drop(witnesses);
    let clusters = build_clusters(&assignment, articles, params.keep);
    drop(assignment);
    give_back_freed_memory();
    if let Some(parked) = parked {
        labelled = parked.to_vec().map_err(parked_error)?;
    }

    // Best first; each pair is in the list once, so the order is total and
    // any sort gives it.
    labelled.par_sort_unstable_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let aligned = scope.count(labelled.len());
    let wanted: Vec<_> = labelled[..aligned]
        .iter()
        .map(|p| (p.a, p.b, p.label))
        .collect();
    let cache = EvidenceCache::new(articles, &prep, &wanted)?;
    progress.start("align", aligned as u64);
    let pairs: Vec<ReportedPair> = labelled
        .into_par_iter()
        .enumerate()
        .map(|(rank, p)| {
            let (passages, sentences) = if rank < aligned {
                progress.advance(1);
                evidence(&prep, p.a, p.b, p.label, params, &cache)
            } else {
                (Vec::new(), Vec::new())
            };
            ReportedPair {
                a: p.a,
                b: p.b,
                label: p.label.unwrap_or(Label::Rewrite),
                score: p.score,
                scores: p.scores,
                passages,
                sentences,
            }
        })
        .collect();

    // What the documents' descriptions need of the features; the rest goes.
    drop(cache);
    let token_counts = std::mem::take(&mut prep.token_counts);
    let langs: Vec<crate::lang::Lang> = prep.docs.iter().map(|d| d.lang).collect();
    drop(prep);
    let mut cluster_of = vec![0usize; articles.len()];
    for (ci, c) in clusters.iter().enumerate() {
        for m in &c.members {
            cluster_of[m.idx()] = ci;
        }
    }
    let documents: Vec<DocInfo> = articles
        .par_iter()
        .enumerate()
        .map(|(i, a)| DocInfo::of(a, token_counts[i], langs[i], cluster_of[i]))
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

/// Gives the weak edges of faint pairs, whose weight verification left
/// for clustering ([`Edge::is_faint`]), their weight:
/// their story similarity, from the term vectors (a spilled batch reads
/// back only those of their documents). Then drops those whose weight is
/// not positive, as verification drops such weak edges.
fn weigh_faint_edges(edges: &mut Vec<Edge>, prep: &Prepared<'_>) -> Result<()> {
    if !edges.iter().any(Edge::is_faint) {
        return Ok(());
    }
    let weigh = |edges: &mut [Edge], vectors: &dyn VectorsByDoc<Term = u32>| {
        edges.par_iter_mut().filter(|e| e.is_faint()).for_each(|e| {
            e.weight = cosine_of_terms(vectors.terms(e.a.idx()), vectors.terms(e.b.idx()))
        });
    };
    match prep.spilled_vectors() {
        Some(spilled) => {
            let mut wanted = vec![false; prep.articles.len()];
            for e in edges.iter().filter(|e| e.is_faint()) {
                wanted[e.a.idx()] = true;
                wanted[e.b.idx()] = true;
            }
            let vectors = spilled.load_where(|d| wanted[d])?;
            weigh(edges, &vectors);
        }
        None => weigh(edges, &prep.terms),
    }
    edges.retain(|e| e.witness || e.weight > 0.0);
    Ok(())
}

/// Hands the memory freed so far back to the system; the pipeline calls it
/// between stages. glibc keeps what a stage frees mapped in its heaps (one
/// per thread that allocated), so the next stage's peak would sit on top
/// of the last one's. Elsewhere it does nothing.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of glibc's own heaps;
    // it takes no pointers and leaves every live allocation where it is.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn parked_error(e: std::io::Error) -> crate::Error {
    crate::Error::io("temporary file of reported pairs", e)
}

impl Record for VerifiedPair {
    const BYTES: usize = 4 + 4 + 7 * 8 + 1;

    fn write(&self, out: &mut Vec<u8>) {
        let s = &self.scores;
        out.extend_from_slice(&self.a.0.to_le_bytes());
        out.extend_from_slice(&self.b.0.to_le_bytes());
        for x in [
            s.jaccard,
            s.containment,
            s.story,
            s.residual_story,
            s.coverage,
            self.score,
        ] {
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        out.extend_from_slice(&(s.shared_shingles as u64).to_le_bytes());
        out.push(self.label.map_or(0, |l| l as u8 + 1));
    }

    fn read(bytes: &[u8]) -> VerifiedPair {
        let word = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let long = |k: usize| {
            let i = 8 + 8 * k;
            u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"))
        };
        let float = |k: usize| f64::from_bits(long(k));
        VerifiedPair {
            a: DocId(word(0)),
            b: DocId(word(4)),
            scores: Scores {
                jaccard: float(0),
                containment: float(1),
                story: float(2),
                residual_story: float(3),
                coverage: float(4),
                shared_shingles: long(6) as usize,
            },
            score: float(5),
            label: match bytes[Self::BYTES - 1] {
                0 => None,
                l => Label::ALL.get(usize::from(l) - 1).copied(),
            },
        }
    }
}

/// The story fingerprints of the prepared documents (none in copies mode).
fn story_signatures(
    prep: &Prepared<'_>,
    params: &Params,
    progress: &dyn Progress,
) -> Result<Signatures> {
    let sign = |v: &TermVector, (slots, filled): SignatureRow<'_>| {
        *filled = story_signature_into(&top_terms(v, STORY_SKETCH_TERMS), params.seed, slots);
        progress.advance(1);
    };
    let mut signatures = Signatures::default();
    match prep.spilled_vectors() {
        Some(vectors) => {
            progress.start("story fingerprints", vectors.len() as u64);
            signatures = Signatures::new(vectors.len(), params.story_hashes);
            signatures
                .rows_mut()
                .enumerate()
                .try_for_each(|(d, row)| -> Result<()> {
                    sign(&vectors.load(d)?, row);
                    Ok(())
                })?;
        }
        None if !prep.terms.is_empty() => {
            progress.start("story fingerprints", prep.terms.len() as u64);
            signatures = Signatures::new(prep.terms.len(), params.story_hashes);
            signatures
                .rows_mut()
                .enumerate()
                .for_each(|(d, row)| sign(&prep.term_numbers.hashed(prep.terms.terms(d)), row));
        }
        None => {}
    }
    Ok(signatures)
}

/// Clustering's passes after the linkage: events split, then documents
/// moved to the story they are most like ([`split_events`], [`refine`]).
fn split_and_refine<V: VectorsByDoc + ?Sized>(
    assignment: &mut [usize],
    vectors: &V,
    witnesses: &Witnesses,
) {
    split_events(assignment, vectors, EVENT_MIN_HALF, EVENT_SPLIT_RATIO);
    refine(assignment, vectors, witnesses, REFINE_ROUNDS);
}

/// What is kept of a verified pair.
enum Judged {
    /// A reported pair.
    Reported(VerifiedPair),
    /// A pair not reported: its edge for clustering.
    Weak(Edge),
}

/// Weak edges met in buffers at a time.
const WEAK_EDGE_BUFFER: usize = 1 << 20;

/// The weak edges of verification, kept in a temporary file once they
/// outgrow a buffer: a million-article batch has tens of millions, and
/// clustering keeps only those inside a witness component.
#[derive(Default)]
struct WeakEdges {
    buffer: Vec<Edge>,
    spill: Option<Spill>,
}

/// Bytes of a spilled weak edge: both ends, and the weight's bits.
const WEAK_EDGE_BYTES: usize = 16;

impl WeakEdges {
    fn push(&mut self, e: Edge) -> Result<()> {
        self.buffer.push(e);
        if self.buffer.len() >= WEAK_EDGE_BUFFER {
            let spill = match &mut self.spill {
                Some(spill) => spill,
                None => self.spill.insert(Spill::new().map_err(weak_error)?),
            };
            let words: Vec<u64> = self
                .buffer
                .drain(..)
                .flat_map(|e| {
                    [
                        u64::from(e.a.0) | u64::from(e.b.0) << 32,
                        e.weight.to_bits(),
                    ]
                })
                .collect();
            spill.put_words(&words).map_err(weak_error)?;
        }
        Ok(())
    }

    /// Calls `f` on every edge pushed (in no particular order).
    fn for_each(&self, mut f: impl FnMut(Edge)) -> Result<()> {
        if let Some(spill) = &self.spill {
            let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
            spill
                .for_each_chunk(WEAK_EDGE_BYTES << 16, |chunk| {
                    for edge in chunk.chunks_exact(WEAK_EDGE_BYTES) {
                        let (ends, weight) = (word(&edge[..8]), word(&edge[8..]));
                        f(Edge {
                            a: DocId(ends as u32),
                            b: DocId((ends >> 32) as u32),
                            weight: f64::from_bits(weight),
                            witness: false,
                        });
                    }
                })
                .map_err(weak_error)?;
        }
        self.buffer.iter().copied().for_each(f);
        Ok(())
    }
}

fn weak_error(e: std::io::Error) -> crate::Error {
    crate::Error::io("temporary file of weak edges", e)
}

/// One pair judged on its own (`newsdup compare`).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The two articles.
    pub documents: [DocInfo; 2],
    /// The label, or `None` when the pair is unrelated.
    pub label: Option<Label>,
    /// Ranking score in [0, 1] (what `scan` ranks by).
    pub score: f64,
    /// Exact scores.
    pub scores: Scores,
    /// Why the pair is not reported (`None` when it is).
    pub reason: Option<String>,
    /// Shared passages, in the order of the first article.
    pub passages: Vec<ReportedPassage>,
    /// For rewrites: aligned sentence pairs.
    pub sentences: Vec<SentencePair>,
}

/// Scores, labels and aligns the pair `a`, `b` of a batch with the same code
/// as [`run`] (normalisation, boilerplate suppression and IDF over the whole
/// batch; verification and alignment of the one pair). With a batch of just
/// the two articles, the IDF is the pseudo-document prior of
/// [`crate::terms`].
pub fn compare(articles: &[Article], a: DocId, b: DocId, params: &Params) -> Result<Comparison> {
    if a.idx() >= articles.len() || b.idx() >= articles.len() {
        return Err(crate::Error::InvalidParams(format!(
            "compare: document {} or {} is not in a batch of {}",
            a.0,
            b.0,
            articles.len()
        )));
    }
    let prep = prepare(articles, params, &NoProgress)?;
    // Verification works on ordered pairs; report in the order asked for.
    let cand = Candidate {
        a,
        b,
        sources: crate::model::source::EXACT
            | crate::model::source::COPY
            | crate::model::source::ANCHOR
            | crate::model::source::STORY,
    };
    let mut verified = None;
    prep.verify(
        Candidates::Held(vec![cand]),
        params,
        &|p| p,
        &|_| {},
        &mut |_, p| {
            verified = Some(p);
            Ok(())
        },
    )?;
    let verified =
        verified.ok_or_else(|| crate::Error::InvalidParams("compare: nothing verified".into()))?;
    let (passages, sentences) = evidence(
        &prep,
        a,
        b,
        verified.label,
        params,
        &EvidenceCache::new(articles, &prep, &[(a, b, verified.label)])?,
    );
    let info = |d: DocId| {
        let (art, doc) = (&articles[d.idx()], &prep.docs[d.idx()]);
        DocInfo::of(art, prep.token_counts[d.idx()], doc.lang, 0)
    };
    let reason = verified
        .label
        .is_none()
        .then(|| unrelated_reason(&verified.scores, params));
    Ok(Comparison {
        documents: [info(a), info(b)],
        label: verified.label,
        score: verified.score,
        scores: verified.scores,
        reason,
        passages,
        sentences,
    })
}

/// Why a pair's scores earn no label: each rule of [`crate::verify::label`]
/// and what the pair lacks for it.
fn unrelated_reason(s: &Scores, params: &Params) -> String {
    let partial = if s.shared_shingles < params.partial_min_shingles {
        format!(
            "{} shared shingles < {}",
            s.shared_shingles, params.partial_min_shingles
        )
    } else {
        format!(
            "containment {:.3} < {:.2} and {} shared shingles < {}",
            s.containment,
            params.partial_min_containment,
            s.shared_shingles,
            params.partial_long_shingles
        )
    };
    let mut why = vec![
        format!(
            "near-copy: containment {:.2} < {:.2}",
            s.containment, params.near_copy_containment
        ),
        format!("partial-copy: {partial}"),
    ];
    if params.mode == Mode::Stories {
        why.push(format!(
            "rewrite: story {:.2} < {:.2} (or < {:.2} with {}+ shared shingles)",
            s.story,
            params.rewrite_threshold,
            params.rewrite_supported_threshold,
            params.rewrite_min_shingles
        ));
    } else {
        why.push("rewrites not looked for (copies mode)".into());
    }
    why.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_inputs, IngestConfig};
    use crate::store::Records;
    use crate::verify::verify;

    proptest::proptest! {
        /// Reported pairs come back from their file bit for bit (any
        /// float, NaN included; every label and none), in order.
        #[test]
        fn parked_pairs_come_back_as_they_went_in(
            raw in proptest::collection::vec(
                (proptest::prelude::any::<(u32, u32, u8)>(), proptest::prelude::any::<[u64; 7]>()),
                0..300,
            ),
        ) {
            let pairs: Vec<VerifiedPair> = raw
                .iter()
                .map(|&((a, b, label), bits)| VerifiedPair {
                    a: DocId(a),
                    b: DocId(b),
                    scores: Scores {
                        jaccard: f64::from_bits(bits[0]),
                        containment: f64::from_bits(bits[1]),
                        shared_shingles: bits[2] as usize,
                        story: f64::from_bits(bits[3]),
                        residual_story: f64::from_bits(bits[4]),
                        coverage: f64::from_bits(bits[5]),
                    },
                    label: Label::ALL.get(label as usize % 5).copied(),
                    score: f64::from_bits(bits[6]),
                })
                .collect();
            let bits = |p: &VerifiedPair| {
                let s = &p.scores;
                (p.a, p.b, p.label, s.shared_shingles, [s.jaccard, s.containment, s.story,
                    s.residual_story, s.coverage, p.score].map(f64::to_bits))
            };
            let back = Records::write(&pairs).unwrap().to_vec().unwrap();
            proptest::prop_assert_eq!(back.len(), pairs.len());
            for (got, want) in back.iter().zip(&pairs) {
                proptest::prop_assert_eq!(bits(got), bits(want));
            }
        }
    }

    /// The articles of the sample batch (`data/sample`), read with `config`.
    fn sample(config: IngestConfig) -> Vec<Article> {
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample/articles.jsonl");
        read_inputs(&[sample], &config).unwrap().articles
    }

    #[test]
    fn weak_edges_come_back_from_the_buffer_and_the_spill() {
        let edge = |i: u32| Edge {
            a: DocId(i),
            b: DocId(u32::MAX - i),
            weight: f64::from(i) / 7.0,
            witness: false,
        };
        let n = WEAK_EDGE_BUFFER as u32 * 2 + 5;
        let mut weak = WeakEdges::default();
        (0..n).try_for_each(|i| weak.push(edge(i))).unwrap();
        assert!(weak.spill.is_some(), "two buffers were written out");
        let mut got = Vec::new();
        weak.for_each(|e| got.push((e.a, e.b, e.weight.to_bits(), e.witness)))
            .unwrap();
        got.sort_unstable();
        let want: Vec<_> = (0..n)
            .map(edge)
            .map(|e| (e.a, e.b, e.weight.to_bits(), false))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn cut_shingle_sets_score_every_pair_as_the_whole_sets() {
        let articles = sample(IngestConfig::default());
        let prep = |mode| {
            let params = Params {
                mode,
                ..Params::default()
            };
            prepare(&articles, &params, &NoProgress).unwrap()
        };
        // Copies mode keeps the whole sets; stories mode cuts them.
        let (whole, cut) = (prep(Mode::Copies), prep(Mode::Stories));
        let entries = |p: &Prepared<'_>| p.shingles.iter().map(|s| s.0.len()).sum::<usize>();
        assert!(
            entries(&cut) < entries(&whole),
            "the sample has shingles of one document"
        );
        let none_kept = AlignedDocs::new(0);
        let (fw, fc) = (whole.features(&none_kept), cut.features(&none_kept));
        for a in 0..articles.len() {
            assert_eq!(fc.set_sizes[a] as usize, whole.shingles[a].0.len());
            for b in a + 1..articles.len() {
                let (sw, sc) = (
                    crate::verify::scores(&fw, a, b),
                    crate::verify::scores(&fc, a, b),
                );
                assert_eq!(
                    (sc.shared_shingles, sc.jaccard, sc.containment),
                    (sw.shared_shingles, sw.jaccard, sw.containment),
                    "pair {a} {b}"
                );
            }
        }
    }

    #[test]
    fn a_faint_pair_is_scored_unless_it_shares_no_phrase() {
        let articles = sample(IngestConfig::default());
        let params = Params::default();
        let prep = prepare(&articles, &params, &NoProgress).unwrap();
        let every = |sources| {
            let n = articles.len() as u32;
            (0..n)
                .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                .map(|(a, b)| Candidate {
                    a: DocId(a),
                    b: DocId(b),
                    sources,
                })
                .collect::<Vec<_>>()
        };
        let aligned = AlignedDocs::new(ALIGNED_DOCS_BYTES);
        let verified =
            |sources| verify(&every(sources), &prep.features(&aligned), &params).unwrap();
        use crate::model::source;
        let want = verified(source::STORY);
        let got = verified(source::STORY | source::FAINT);
        let (mut scored, mut waiting) = (0, 0);
        for (g, w) in got.iter().zip(&want) {
            let same_text =
                prep.exact[g.a.idx()] != 0 && prep.exact[g.a.idx()] == prep.exact[g.b.idx()];
            if w.scores.shared_shingles < 2 && !same_text {
                // Its story similarity waits, and it is not reported.
                assert!(crate::verify::story_deferred(&g.scores));
                assert_eq!(g.label, None);
                assert_eq!(g.scores.shared_shingles, w.scores.shared_shingles);
                waiting += 1;
            } else {
                assert_eq!((g.label, g.scores), (w.label, w.scores));
                scored += 1;
            }
        }
        // Both kinds, and rewrites among the pairs that wait when not faint.
        assert!(scored > 0 && waiting > 0);
        assert!(want
            .iter()
            .any(|w| w.scores.shared_shingles < 2 && w.label == Some(Label::Rewrite)));
    }

    #[test]
    fn a_batch_whose_texts_changed_under_it_fails_naming_its_first_changed_document() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.jsonl");
        let line = |i: usize, word: &str| {
            format!(
                r#"{{"id":"d{i}","text":"Story {i}: the {word} council met on Tuesday to vote on the budget."}}"#
            )
        };
        let lines: Vec<String> = (0..40).map(|i| line(i, "city")).collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        let config = IngestConfig {
            hold_bytes: 0,
            ..IngestConfig::default()
        };
        let articles = read_inputs(&[&path], &config).unwrap().articles;
        // Documents 7 and 23 change (the same length, other bytes).
        let mut edited = lines.clone();
        edited[7] = line(7, "town");
        edited[23] = line(23, "town");
        std::fs::write(&path, edited.join("\n")).unwrap();
        for mode in [Mode::Copies, Mode::Stories] {
            let params = Params {
                mode,
                ..Params::default()
            };
            let e = run(&articles, &params).unwrap_err().to_string();
            assert!(e.contains("b.jsonl:8 (id d7)"), "{mode:?}: {e}");
        }
    }

    #[test]
    fn verification_in_blocks_of_spilled_sets_equals_verification_of_held_sets() {
        let articles = sample(IngestConfig {
            hold_bytes: 0,
            ..IngestConfig::default()
        });
        for mode in [Mode::Copies, Mode::Stories] {
            let params = Params {
                mode,
                ..Params::default()
            };
            let mut prep = prepare(&articles, &params, &NoProgress).unwrap();
            let mut sets = prep
                .spilled_sets
                .take()
                .expect("spilled texts, spilled sets");
            assert!(prep.shingles.iter().all(|s| s.0.is_empty()));
            let held: Vec<ShingleSet> =
                (0..articles.len()).map(|d| sets.load(d).unwrap()).collect();
            // Stories mode's sets are cut down to what others share, and
            // a document that shares nothing keeps none.
            let empty = held.iter().filter(|s| s.0.is_empty()).count();
            match mode {
                Mode::Copies => assert_eq!(empty, 0),
                _ => assert!(empty < articles.len() / 2, "{empty} empty sets"),
            }
            // Every pair of the batch, so that pairs cross blocks.
            let candidates: Vec<Candidate> = (0..articles.len() as u32)
                .flat_map(|a| (a + 1..articles.len() as u32).map(move |b| (a, b)))
                .map(|(a, b)| Candidate {
                    a: DocId(a),
                    b: DocId(b),
                    sources: crate::model::source::COPY,
                })
                .collect();
            // Stories mode spills the term vectors with the sets.
            assert!(prep.terms.is_empty());
            let vectors = match (mode, &sets.vectors) {
                (Mode::Stories, Some(v)) => v.load_where(|_| true).unwrap(),
                (Mode::Copies, None) => PackedVectors::default(),
                _ => panic!("term vectors spilled in stories mode only"),
            };
            // Keeping no aligned document: each is made again for each pair.
            let none_kept = AlignedDocs::new(0);
            let whole = Features {
                shingles: &held,
                terms: &vectors,
                ..prep.features(&none_kept)
            };
            let want = verify(&candidates, &whole, &params).unwrap();
            assert!(want.iter().any(|p| p.label.is_some()));
            // Partial copies, whose pairs verification aligns.
            assert!(want.iter().any(|p| p.label == Some(Label::PartialCopy)));
            if mode == Mode::Stories {
                assert!(want.iter().any(|p| p.label == Some(Label::Rewrite)));
            }
            // From one document per block to everything in one block;
            // the pairs sorted out one lower block at a time, a few, or all
            // at once; the candidates held or read back from a file.
            let spilled = crate::candidates::SpilledCandidates::write(&candidates).unwrap();
            let lists = [
                Candidates::Held(candidates.clone()),
                Candidates::Spilled(spilled),
            ];
            let sizes = [1, 20_000, 1 << 30].into_iter();
            let runs = sizes.flat_map(|b| [(b, 1), (b, 50), (b, usize::MAX)]);
            // Aligned documents kept within the default budget, or a few
            // at a time (the least recently used make way).
            let budgets = [ALIGNED_DOCS_BYTES, 30_000];
            let runs = runs.flat_map(|r| budgets.map(|k| (r, k)));
            for (((block_bytes, pass_pairs), budget), list) in
                runs.flat_map(|r| lists.iter().map(move |l| (r, l)))
            {
                let done = std::cell::Cell::new(0);
                let mut got: Vec<Option<VerifiedPair>> = vec![None; candidates.len()];
                sets.block_bytes = block_bytes;
                sets.pass_pairs = pass_pairs;
                verify_in_blocks(
                    list,
                    &prep.features(&AlignedDocs::new(budget)),
                    &sets,
                    &params,
                    &|p| p,
                    &|n| done.set(done.get() + n),
                    &mut |k, p| {
                        // Each candidate is handed over once.
                        assert!(got[k].replace(p).is_none());
                        Ok(())
                    },
                )
                .unwrap();
                let got: Vec<VerifiedPair> = got.into_iter().map(Option::unwrap).collect();
                assert_eq!(got.len(), want.len());
                // Every pair is reported done, once.
                assert_eq!(done.get(), candidates.len());
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!((g.a, g.b, g.label), (w.a, w.b, w.label));
                    assert_eq!(g.scores, w.scores);
                }
            }
        }
    }
}

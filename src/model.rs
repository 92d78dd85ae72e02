//! The data types that flow between the pipeline stages.
//!
//! `Article` (ingest) → `NormDoc` (normalise) → `ShingleSet` / `TermVector`
//! (fingerprint inputs) → `Signatures` (MinHash) → `Candidate` (LSH) →
//! `VerifiedPair` (verify) → `Cluster` (cluster) → `Passage` (align).
//! Every stage keeps the dense [`DocId`] of the article it describes; ids are
//! assigned in input order, so sorting by `DocId` gives deterministic output.

use crate::store::Text;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A dense id for one article in one run (its position in input order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DocId(pub u32);

impl DocId {
    /// The id as an index into per-document vectors.
    #[inline]
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// Where an article came from: a file and, for JSONL, a 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file path as given by the user (`-` for standard input); shared
    /// by every record of the file.
    pub path: Arc<str>,
    /// 1-based line number for JSONL records, `None` for whole files.
    pub line: Option<u64>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => write!(f, "{}", self.path),
        }
    }
}

/// One article as read from the input.
#[derive(Debug, Clone)]
pub struct Article {
    /// The external id (the `id` field, or the path relative to the input directory).
    pub key: Arc<str>,
    /// Where it was read from.
    pub origin: Origin,
    /// Headline, if known.
    pub title: Option<Arc<str>>,
    /// Publication time as seconds since the Unix epoch (UTC), if known.
    pub published: Option<i64>,
    /// Outlet or site, if known.
    pub source: Option<Arc<str>>,
    /// URL, if known.
    pub url: Option<Arc<str>>,
    /// The article text (in memory, or spilled by ingest in a big batch).
    /// Token offsets point into it.
    pub body: Text,
    /// Language given by the input (`None`: detected from the text).
    pub lang: Option<crate::lang::Lang>,
    /// The original JSON line (for `dedup`, which passes records through unchanged).
    pub raw: Option<Text>,
}

impl Article {
    /// An article of `body` with only its key and origin known (no title,
    /// date, outlet, URL, language or raw record).
    pub fn new(key: impl Into<Arc<str>>, origin: Origin, body: impl Into<String>) -> Article {
        Article {
            key: key.into(),
            origin,
            title: None,
            published: None,
            source: None,
            url: None,
            body: Text::Held(body.into()),
            lang: None,
            raw: None,
        }
    }

    /// The headline, if known.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The article text, read again if ingest put it away (spilled it, or
    /// left it in its input file).
    pub fn text(&self) -> crate::Result<Cow<'_, str>> {
        self.body.get().map_err(|e| self.spill_error(e))
    }

    /// The original JSON line, if it was kept.
    pub fn raw_line(&self) -> crate::Result<Option<Cow<'_, str>>> {
        self.raw
            .as_ref()
            .map(|r| r.get().map_err(|e| self.spill_error(e)))
            .transpose()
    }

    fn spill_error(&self, e: std::io::Error) -> crate::Error {
        crate::Error::io(
            format!("text of {} (id {}), read again", self.origin, self.key),
            e,
        )
    }
}

/// A token: its normalised form and the byte range of the original text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Normalised text (NFKC, case-folded, punctuation folded); words up to
    /// 24 bytes are held inline, without a heap allocation per token.
    pub norm: compact_str::CompactString,
    /// Byte offset in [`Article::body`] where the token starts.
    pub byte_start: u32,
    /// Byte offset where it ends (exclusive).
    pub byte_end: u32,
    /// 0-based line of the body the token is on.
    pub line: u32,
    /// Written as a name (capitalised inside a sentence) or holding a digit.
    pub name: bool,
}

impl Token {
    /// Byte range in [`Article::body`].
    #[inline]
    pub fn text_range(&self) -> Range<usize> {
        self.start()..self.end()
    }

    /// Where the token starts in [`Article::body`] (bytes).
    #[inline]
    pub fn start(&self) -> usize {
        self.byte_start as usize
    }

    /// Where it ends (bytes, exclusive).
    #[inline]
    pub fn end(&self) -> usize {
        self.byte_end as usize
    }
}

/// An article after normalisation.
#[derive(Debug, Clone)]
pub struct NormDoc {
    /// The article this came from.
    pub id: DocId,
    /// Language of the article (given or detected).
    pub lang: crate::lang::Lang,
    /// Word tokens in text order.
    pub tokens: Vec<Token>,
    /// Per token: whether it sits on a line suppressed as boilerplate.
    pub suppressed: Vec<bool>,
}

/// Sorted, deduplicated stable hashes of one document's word k-shingles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShingleSet(pub Vec<u64>);

/// A sparse vector of content terms: `(term hash, weight)` sorted by term hash.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermVector(pub Vec<(u64, f32)>);

/// The shingle sets of a batch, by document, as verification reads them.
pub trait SetsByDoc: Sync {
    /// Document `doc`'s set, sorted.
    fn set(&self, doc: usize) -> &[u64];
}

impl SetsByDoc for Vec<ShingleSet> {
    fn set(&self, doc: usize) -> &[u64] {
        &self[doc].0
    }
}

/// The term vectors of a batch, by document, as clustering reads them:
/// each document's `(term, weight)` sorted by term.
pub trait VectorsByDoc: Sync {
    /// A term: its hash, or a number given to the hashes in their order
    /// (the same order, so the same sums in the same order), as a 64-bit
    /// key for merges.
    type Term: Copy + Ord + std::hash::Hash + Send + Sync + Into<u64>;

    /// Number of documents.
    fn len(&self) -> usize;

    /// Whether there are no documents.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Document `doc`'s terms and weights.
    fn terms(&self, doc: usize) -> &[(Self::Term, f32)];
}

impl VectorsByDoc for Vec<TermVector> {
    type Term = u64;

    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn terms(&self, doc: usize) -> &[(u64, f32)] {
        &self[doc].0
    }
}

impl NormDoc {
    /// Document `id` of `tokens` in `lang`, nothing suppressed yet.
    pub fn new(id: DocId, lang: crate::lang::Lang, tokens: Vec<Token>) -> NormDoc {
        NormDoc {
            id,
            suppressed: vec![false; tokens.len()],
            lang,
            tokens,
        }
    }

    /// An English document of `text` with nothing suppressed (unit tests).
    #[cfg(test)]
    pub(crate) fn for_test(id: u32, text: &str) -> NormDoc {
        NormDoc::new(
            DocId(id),
            crate::lang::Lang::En,
            crate::normalize::tokenize(text),
        )
    }
}

/// A MinHash sketch: one 32-bit value per slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Slot values; empty when the document has no features.
    pub mins: Box<[u32]>,
}

/// The MinHash sketches of a batch: `k` slots per document in one array.
/// A million documents' sketches are one allocation, which is given back
/// to the system at once when dropped, not a million small ones that the
/// allocator keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signatures {
    k: usize,
    slots: Vec<u32>,
    /// Whether each document has a sketch (it has features).
    filled: Vec<bool>,
}

impl Signatures {
    /// `n` documents of `k` slots each, none with a sketch yet.
    pub fn new(n: usize, k: usize) -> Signatures {
        Signatures {
            k,
            slots: vec![0; n * k],
            filled: vec![false; n],
        }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.filled.len()
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.filled.is_empty()
    }

    /// Document `doc`'s slots; empty when it has no sketch.
    #[inline]
    pub fn get(&self, doc: usize) -> &[u32] {
        match self.filled[doc] {
            true => &self.slots[doc * self.k..(doc + 1) * self.k],
            false => &[],
        }
    }

    /// Each document's slots and whether they are filled, in order, to be
    /// written in parallel.
    pub fn rows_mut(
        &mut self,
    ) -> impl rayon::iter::IndexedParallelIterator<Item = (&mut [u32], &mut bool)> + '_ {
        use rayon::prelude::*;
        // `k` is never 0 with documents (the parameters forbid it); `max`
        // keeps an empty batch of 0 slots from being split by 0.
        self.slots
            .par_chunks_mut(self.k.max(1))
            .zip(self.filled.par_iter_mut())
    }

    /// The sketches of `signatures`, each empty or of `k` slots.
    pub fn collect(k: usize, signatures: impl IntoIterator<Item = Signature>) -> Signatures {
        let mut out = Signatures {
            k,
            ..Signatures::default()
        };
        for s in signatures {
            let filled = s.mins.len() == k && k > 0;
            match filled {
                true => out.slots.extend_from_slice(&s.mins),
                false => out.slots.extend(std::iter::repeat_n(0, k)),
            }
            out.filled.push(filled);
        }
        out
    }
}

/// Which fingerprint(s) proposed a candidate pair (bit set).
pub mod source {
    /// Same normalised text.
    pub const EXACT: u8 = 1;
    /// Copy fingerprint (word-shingle MinHash LSH).
    pub const COPY: u8 = 2;
    /// Shared passage anchors (sampled shingles).
    pub const ANCHOR: u8 = 4;
    /// Story fingerprint (weighted content-term MinHash LSH).
    pub const STORY: u8 = 8;
    /// With [`STORY`]: sketches that agree on fewer than
    /// [`crate::Params::story_sure_slots`] slots.
    pub const FAINT: u8 = 16;
}

/// A pair proposed for exact verification, `a < b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// Smaller id.
    pub a: DocId,
    /// Larger id.
    pub b: DocId,
    /// Bit set of [`source`] flags.
    pub sources: u8,
}

impl Candidate {
    /// Whether the story LSH proposed it faintly ([`source::FAINT`]).
    pub fn is_faint(&self) -> bool {
        self.sources & source::FAINT != 0
    }
}

/// How two articles relate (see DESIGN.md, "How articles relate").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Label {
    /// Same text after normalisation.
    Exact,
    /// Syndicated copy: high containment of the smaller in the larger.
    NearCopy,
    /// Some passages of one inside the other.
    PartialCopy,
    /// The same story in other words.
    Rewrite,
}

impl Label {
    /// Every label, strongest first.
    pub const ALL: [Label; 4] = [
        Label::Exact,
        Label::NearCopy,
        Label::PartialCopy,
        Label::Rewrite,
    ];

    /// The label as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Exact => "exact",
            Label::NearCopy => "near-copy",
            Label::PartialCopy => "partial-copy",
            Label::Rewrite => "rewrite",
        }
    }

    /// Whether this label means "same story" for clustering.
    pub fn joins_story(self) -> bool {
        !matches!(self, Label::PartialCopy)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exact similarity scores of one pair.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Scores {
    /// Word-shingle Jaccard |A∩B| / |A∪B|.
    pub jaccard: f64,
    /// Word-shingle containment of the smaller set in the larger, |A∩B| / min(|A|,|B|).
    pub containment: f64,
    /// Number of shared word shingles.
    pub shared_shingles: usize,
    /// Cosine similarity of the IDF-weighted content-term vectors.
    pub story: f64,
    /// Story cosine without the shared passages (equals `story` when not computed).
    pub residual_story: f64,
    /// Share of the smaller text's words inside shared passages (gap-tolerant
    /// alignment, so copy-edits do not break it); equals `containment` when
    /// not computed.
    pub coverage: f64,
}

/// A verified and labelled pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedPair {
    /// Smaller id.
    pub a: DocId,
    /// Larger id.
    pub b: DocId,
    /// Exact scores.
    pub scores: Scores,
    /// The label, or `None` when the pair is related too weakly to report
    /// (such pairs still count as weak evidence for clustering).
    pub label: Option<Label>,
    /// The overlap score used for ranking, in [0, 1].
    pub score: f64,
}

/// One story: a set of articles and its representative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cluster {
    /// Members, sorted by id.
    pub members: Vec<DocId>,
    /// The article kept by `dedup`.
    pub representative: DocId,
}

/// What a shared passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PassageKind {
    /// A run of matching words (small gaps bridged).
    Run,
    /// A quotation both articles carry (found between quotation marks, even
    /// when shorter than the passage minimum or surrounded by other words).
    Quote,
}

impl PassageKind {
    /// The kind as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Run => "run",
            PassageKind::Quote => "quote",
        }
    }
}

/// A shared passage: byte ranges in the two original texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passage {
    /// Byte range in the first article's body.
    pub a: Range<usize>,
    /// Byte range in the second article's body.
    pub b: Range<usize>,
    /// Number of matching tokens in the passage.
    pub tokens: usize,
    /// A run of matching words or a shared quotation.
    pub kind: PassageKind,
}

/// Two sentences that tell the same thing (rewrites): byte offsets into the
/// two original texts, the score, and the content terms they share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentencePair {
    /// Byte offset of the sentence in the first article.
    pub a_start: usize,
    /// End (exclusive) in the first article.
    pub a_end: usize,
    /// Byte offset of the partner sentence in the second article.
    pub b_start: usize,
    /// End (exclusive) in the second article.
    pub b_end: usize,
    /// Cosine of the two sentences' IDF-weighted content terms, in [0, 1].
    pub score: f64,
    /// The shared content terms (normalised words as the first article
    /// writes them), heaviest first.
    pub shared_terms: Vec<String>,
}

/// An article that was not processed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Where it came from (`file:line`, or the id for per-article problems).
    pub origin: String,
    /// Why it was skipped.
    pub reason: String,
}

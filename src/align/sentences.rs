//! Sentence alignment for rewrites: for each sentence of the first article,
//! the sentence of the second that tells the same thing.
//!
//! Input: the two bodies, their [`NormDoc`]s and the batch term statistics
//! ([`TermWeights`]). Output: [`SentencePair`]s in the order of the first
//! article, byte offsets into the original texts.
//!
//! Sentences are found with Unicode sentence boundaries (UAX #29, which also
//! breaks at line ends) and trimmed to their first and last word. Each
//! sentence is the set of its content terms (stopwords dropped, stemmed:
//! [`crate::lang::content_term`]), each weighted by its batch IDF and
//! boosted when written as a name or number ([`crate::terms::NAME_BOOST`]):
//! names, places, figures and rare words say *what happened*, common words do
//! not. Two sentences score the cosine of these vectors. A sentence keeps its
//! single best partner when they share at least [`MIN_SHARED_TERMS`] terms and
//! score at least [`MIN_SENTENCE_SCORE`]; ties go to the earlier sentence, so
//! the result is deterministic.

use crate::hash::stable64;
use crate::lang::content_term;
use crate::model::{NormDoc, SentencePair};
use crate::terms::{TermWeights, NAME_BOOST};
use ahash::AHashMap;
use unicode_segmentation::UnicodeSegmentation;

/// Lowest cosine of an aligned sentence pair.
pub const MIN_SENTENCE_SCORE: f64 = 0.3;
/// Fewest content terms an aligned sentence pair shares.
pub const MIN_SHARED_TERMS: usize = 2;
/// Sentences per article considered (keeps very long texts cheap).
const MAX_SENTENCES: usize = 2000;

/// The sentences of one document with their weighted terms: computed once
/// per document and reused for every pair it is in.
pub struct DocSentences(Vec<Sentence>);

/// Splits one document into weighted sentences (see the module docs).
pub fn doc_sentences(text: &str, doc: &NormDoc, weights: &TermWeights<'_>) -> DocSentences {
    DocSentences(sentences(text, doc, weights))
}

/// One sentence: byte range, and its terms `(hash, weight, word as written
/// normalised)` sorted by hash, and the vector norm.
struct Sentence {
    bytes: std::ops::Range<usize>,
    terms: Vec<(u64, f64, String)>,
    norm: f64,
}

fn sentences(text: &str, doc: &NormDoc, w: &TermWeights<'_>) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut t = 0;
    for (start, s) in text.split_sentence_bound_indices() {
        if out.len() >= MAX_SENTENCES {
            break;
        }
        let end = start + s.len();
        let first = t;
        while t < doc.tokens.len() && doc.tokens[t].start() < end {
            t += 1;
        }
        if first == t {
            continue;
        }
        let mut terms: AHashMap<u64, (f64, String)> = AHashMap::new();
        for (tok, &sup) in doc.tokens[first..t].iter().zip(&doc.suppressed[first..t]) {
            let Some(term) = (!sup).then(|| content_term(&tok.norm, doc.lang)).flatten() else {
                continue;
            };
            let h = stable64(term.as_bytes(), w.seed);
            let boost = if tok.name { NAME_BOOST } else { 1.0 };
            let weight = w.idf(h) * boost;
            let e = terms.entry(h).or_insert((0.0, tok.norm.to_string()));
            if weight > e.0 {
                e.0 = weight;
            }
        }
        if terms.is_empty() {
            continue;
        }
        let mut terms: Vec<(u64, f64, String)> =
            terms.into_iter().map(|(h, (w, s))| (h, w, s)).collect();
        terms.sort_unstable_by_key(|x| x.0);
        let norm = terms.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
        out.push(Sentence {
            bytes: doc.tokens[first].start()..doc.tokens[t - 1].end(),
            terms,
            norm,
        });
    }
    out
}

/// Aligned sentence pairs of two articles.
pub fn align_sentences(
    text_a: &str,
    doc_a: &NormDoc,
    text_b: &str,
    doc_b: &NormDoc,
    weights: &TermWeights<'_>,
) -> Vec<SentencePair> {
    align_doc_sentences(
        &doc_sentences(text_a, doc_a, weights),
        &doc_sentences(text_b, doc_b, weights),
    )
}

/// [`align_sentences`] on documents already split by [`doc_sentences`].
pub fn align_doc_sentences(a: &DocSentences, b: &DocSentences) -> Vec<SentencePair> {
    let (sa, sb) = (&a.0, &b.0);
    // Inverted index of the second text: term → (sentence, weight).
    let mut index: AHashMap<u64, Vec<(usize, f64)>> = AHashMap::new();
    for (j, s) in sb.iter().enumerate() {
        for &(h, w, _) in &s.terms {
            index.entry(h).or_default().push((j, w));
        }
    }
    let mut out = Vec::new();
    let mut dot = vec![0.0f64; sb.len()];
    let mut shared = vec![0usize; sb.len()];
    let mut touched: Vec<usize> = Vec::new();
    for s in sa {
        for &(h, w, _) in &s.terms {
            if let Some(hits) = index.get(&h) {
                for &(j, wb) in hits {
                    if shared[j] == 0 {
                        touched.push(j);
                    }
                    dot[j] += w * wb;
                    shared[j] += 1;
                }
            }
        }
        touched.sort_unstable();
        let mut best: Option<(usize, f64)> = None;
        for &j in &touched {
            let score = dot[j] / (s.norm * sb[j].norm);
            if shared[j] >= MIN_SHARED_TERMS
                && score >= MIN_SENTENCE_SCORE
                && best.is_none_or(|(_, b)| score > b)
            {
                best = Some((j, score));
            }
        }
        for &j in &touched {
            dot[j] = 0.0;
            shared[j] = 0;
        }
        touched.clear();
        let Some((j, score)) = best else { continue };
        let other = &sb[j];
        let mut terms: Vec<(f64, &str)> = s
            .terms
            .iter()
            .filter(|x| other.terms.binary_search_by_key(&x.0, |y| y.0).is_ok())
            .map(|x| (x.1, x.2.as_str()))
            .collect();
        terms.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
        out.push(SentencePair {
            a_start: s.bytes.start,
            a_end: s.bytes.end,
            b_start: other.bytes.start,
            b_end: other.bytes.end,
            score: (score.min(1.0) * 1e6).round() / 1e6,
            shared_terms: terms.into_iter().map(|x| x.1.to_string()).collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terms::{document_frequencies, term_counts};

    fn doc(text: &str) -> NormDoc {
        NormDoc::for_test(0, text)
    }

    #[test]
    fn pairs_the_sentences_that_tell_the_same_thing() {
        let a = "Sergei Lavrov spoke in Moscow on Thursday. The weather was cold and grey. \
                 He said Washington must make the first move.";
        let b = "The first move must come from Washington, the minister argued. \
                 Speaking in Moscow, Lavrov addressed reporters on Thursday.";
        let (da, db) = (doc(a), doc(b));
        let counts = vec![term_counts(&da, None, 7), term_counts(&db, None, 7)];
        let df = document_frequencies(&counts);
        let w = TermWeights {
            df: &df,
            n_docs: 2,
            seed: 7,
        };
        let pairs = align_sentences(a, &da, b, &db, &w);
        assert_eq!(pairs.len(), 2, "{pairs:?}");
        assert_eq!(
            &a[pairs[0].a_start..pairs[0].a_end],
            "Sergei Lavrov spoke in Moscow on Thursday"
        );
        assert_eq!(
            &b[pairs[0].b_start..pairs[0].b_end],
            "Speaking in Moscow, Lavrov addressed reporters on Thursday"
        );
        assert!(pairs[0].shared_terms.contains(&"lavrov".to_string()));
        assert!(pairs[1].a_start > pairs[0].a_start);
        assert!(b[pairs[1].b_start..].starts_with("The first move"));
        assert!(pairs[1].shared_terms.contains(&"washington".to_string()));
        assert!(pairs.iter().all(|p| p.score >= MIN_SENTENCE_SCORE));
        // Deterministic.
        assert_eq!(pairs, align_sentences(a, &da, b, &db, &w));
    }
}

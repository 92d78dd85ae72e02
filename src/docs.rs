//! The normalised documents of a batch, held whole or re-tokenised on demand.
//!
//! Tokens are most of a run's memory (40 bytes per word). Stories mode
//! aligns every partial copy in verification (for its residual
//! similarity), so it keeps them, unless the batch is too big to be held
//! (its texts are spilled). Copies mode, and stories mode on a spilled batch,
//! keep each document's language, token count and boilerplate lines, and
//! tokenise the text again when a pair needs it: the shingle sets of
//! documents with boilerplate lines, the pairs aligned in verification, and
//! the reported pairs' passages. Both ways give the same [`NormDoc`].
//! Copies mode does not even make the tokens the first time: it takes each
//! token's hash and line as the tokeniser finds it ([`normalize_hashed`]).

use crate::boilerplate;
use crate::lang::{detect_tokens, detect_voted, Ballot, Lang, Votes};
use crate::model::{Article, DocId, NormDoc};
use crate::normalize::{tokenize, tokenize_into, Words, MAX_TEXT_BYTES};
use crate::shingle::token_hash;
use crate::Result;
use std::borrow::Cow;
use std::ops::Range;

/// Normalises one article: tokens, language (given, or detected), nothing
/// suppressed yet.
pub fn normalize(id: usize, article: &Article) -> Result<NormDoc> {
    let text = article.text()?;
    let tokens = tokenize(&text);
    let lang = article
        .lang
        .unwrap_or_else(|| detect_tokens(article.title(), &text, &tokens));
    Ok(NormDoc::new(DocId(id as u32), lang, tokens))
}

/// An article's tokens as copies mode takes them: each token's hash (the
/// [`crate::shingle::token_hashes`] of its [`normalize`]d tokens) and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedTokens {
    /// Per token, its [`token_hash`].
    pub hashes: Vec<u64>,
    /// Per token, its line ([`crate::model::Token::line`]).
    pub lines: Vec<u32>,
}

/// Collects [`HashedTokens`], and votes the first tokens for the language
/// by their hashes.
struct Hashing<'v> {
    seed: u64,
    tokens: HashedTokens,
    ballot: Ballot,
    votes: &'v Votes,
}

impl Words for Hashing<'_> {
    #[inline]
    fn word(&mut self, norm: &str, _: Range<u32>, line: u32, _: impl FnOnce() -> bool) {
        let hash = token_hash(norm, self.seed);
        self.ballot.add(norm, hash, self.votes);
        self.tokens.hashes.push(hash);
        self.tokens.lines.push(line);
    }
}

/// [`normalize`] for a document whose tokens are only hashed: the document
/// without its tokens, and their hashes with `seed` and lines. Each token's
/// hash is taken from the text as it is found, without making the token.
/// `votes` is [`Votes::new`]`(seed)`, made once for the batch.
pub fn normalize_hashed(
    id: usize,
    article: &Article,
    seed: u64,
    votes: &Votes,
) -> Result<(NormDoc, HashedTokens)> {
    let text = article.text()?;
    // About one token per 6 bytes of news text: room for one per 5, so
    // that few texts outgrow it. The vectors live as long as the document
    // takes to normalise. A text too long to tokenise has no tokens.
    let room = if text.len() > MAX_TEXT_BYTES {
        0
    } else {
        text.len() / 5
    };
    let mut hashing = Hashing {
        seed,
        tokens: HashedTokens {
            hashes: Vec::with_capacity(room),
            lines: Vec::with_capacity(room),
        },
        ballot: Ballot::default(),
        votes,
    };
    tokenize_into(&text, &mut hashing);
    let lang = article
        .lang
        .unwrap_or_else(|| detect_voted(article.title(), &text, &hashing.ballot));
    Ok((
        NormDoc::new(DocId(id as u32), lang, Vec::new()),
        hashing.tokens,
    ))
}

/// [`normalize`] with the tokens on the lines `bad` (the document's
/// boilerplate lines, sorted) suppressed, for a document whose language is
/// already known.
pub fn rehydrate(id: usize, article: &Article, lang: Lang, bad: &[u32]) -> Result<NormDoc> {
    let mut doc = NormDoc::new(DocId(id as u32), lang, tokenize(&article.text()?));
    boilerplate::mark(&mut doc, bad);
    Ok(doc)
}

/// Read access to the batch's normalised documents.
#[derive(Clone, Copy)]
pub struct Docs<'a> {
    /// The articles (texts re-tokenised from here).
    pub articles: &'a [Article],
    /// Per document: with its tokens when `hydrated`, else without (language only).
    pub docs: &'a [NormDoc],
    /// Per document: its boilerplate lines, sorted.
    pub bad_lines: &'a [Box<[u32]>],
    /// Whether `docs` hold their tokens.
    pub hydrated: bool,
}

impl<'a> Docs<'a> {
    /// Document `i` with its tokens and suppressed flags.
    /// Fails only if a spilled text cannot be read back.
    pub fn get(&self, i: usize) -> Result<Cow<'a, NormDoc>> {
        if self.hydrated {
            Ok(Cow::Borrowed(&self.docs[i]))
        } else {
            rehydrate(i, &self.articles[i], self.docs[i].lang, &self.bad_lines[i]).map(Cow::Owned)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;

    fn article(body: &str) -> Article {
        let origin = Origin {
            path: "t.jsonl".into(),
            line: Some(1),
        };
        Article::new("a", origin, body)
    }

    #[test]
    fn a_rehydrated_document_is_the_normalised_one_with_its_boilerplate_marked() {
        let a = article("Subscribe now\nThe minister met Lavrov in Geneva.\nShare this\n");
        let mut whole = normalize(3, &a).unwrap();
        boilerplate::mark(&mut whole, &[0, 2]);
        let again = rehydrate(3, &a, whole.lang, &[0, 2]).unwrap();
        assert_eq!(again.tokens, whole.tokens);
        assert_eq!(again.suppressed, whole.suppressed);
        assert_eq!(again.suppressed.iter().filter(|&&s| s).count(), 4);
        let (articles, docs, bad) = (
            vec![a],
            vec![NormDoc {
                tokens: Vec::new(),
                suppressed: Vec::new(),
                ..whole.clone()
            }],
            vec![vec![0u32, 2].into_boxed_slice()],
        );
        let lean = Docs {
            articles: &articles,
            docs: &docs,
            bad_lines: &bad,
            hydrated: false,
        };
        let got = lean.get(0).unwrap();
        assert_eq!(got.tokens, whole.tokens);
        assert_eq!(got.suppressed, whole.suppressed);
    }

    proptest::proptest! {
        /// The hashed tokens are those of the normalised document, and the
        /// language the same, on texts of more tokens than the vote reads,
        /// in several scripts and with names, numbers and markup.
        #[test]
        fn hashed_tokens_are_the_normalised_documents(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "the", "and", "of", "der", "und", "nicht", "le", "et", "les", "y", "el",
                    "не", "и", "что", "Minister", "Genève", "straße", "ﬁnal", "2,400", "U.S.",
                    "don’t", "“quoted”", "&amp;", "東京", "—", "\n", "\n\n", "x_y", "café",
                ]),
                0..600,
            ),
            seed in proptest::prelude::any::<u64>(),
        ) {
            let text = words.join(" ");
            let a = article(&text);
            let whole = normalize(5, &a).unwrap();
            let (doc, hashed) = normalize_hashed(5, &a, seed, &Votes::new(seed)).unwrap();
            proptest::prop_assert_eq!(doc.id, whole.id);
            proptest::prop_assert_eq!(doc.lang, whole.lang);
            proptest::prop_assert!(doc.tokens.is_empty());
            proptest::prop_assert_eq!(hashed.hashes, crate::shingle::token_hashes(&whole, seed));
            let lines: Vec<u32> = whole.tokens.iter().map(|t| t.line).collect();
            proptest::prop_assert_eq!(hashed.lines, lines);
        }
    }
}
